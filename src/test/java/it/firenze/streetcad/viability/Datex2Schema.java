package it.firenze.streetcad.viability;

import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import java.io.StringReader;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;

/** Validation against the DATEX II v3 subset in src/test/resources/datex2 (see its README for what it is). */
final class Datex2Schema {

    private Datex2Schema() {
    }

    /** The validation errors of a document, empty when it is valid. */
    static List<String> validate(String xml) throws Exception {
        SchemaFactory f = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        URL payload = Datex2Schema.class.getResource("/datex2/d2Payload.xsd");
        Schema schema = f.newSchema(payload);
        Validator v = schema.newValidator();
        List<String> errors = new ArrayList<>();
        v.setErrorHandler(new ErrorHandler() {
            public void warning(SAXParseException e) {
            }

            public void error(SAXParseException e) {
                errors.add(e.getLineNumber() + ":" + e.getColumnNumber() + " " + e.getMessage());
            }

            public void fatalError(SAXParseException e) {
                errors.add(e.getLineNumber() + ":" + e.getColumnNumber() + " " + e.getMessage());
            }
        });
        v.validate(new StreamSource(new StringReader(xml)));
        return errors;
    }
}
