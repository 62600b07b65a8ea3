package it.firenze.streetcad.features;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.cql2.Queryable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;

/**
 * Writes one GeoJSON feature from a row laid out as {@link FeatureStore} selects it: the id, the geometry already
 * as GeoJSON, then the chosen properties in the collection's order, each written by its queryable type. One per
 * request: it remembers the last timestamp it wrote.
 */
final class FeatureWriter {

    /** RFC 3339 as PostgreSQL's to_json writes a timestamptz: fraction only as long as needed, offset as +00:00. */
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral('T')
            .appendPattern("HH:mm:ss").appendFraction(ChronoField.NANO_OF_SECOND, 0, 6, true)
            .appendOffset("+HH:MM", "+00:00").toFormatter();

    private final FeatureType type;
    private final List<Queryable> properties;
    /** The property names quoted and escaped once, not on every row. */
    private final List<SerializedString> names;
    private OffsetDateTime lastInstant;
    private String lastText;
    /** Which string properties arrive as text (UTF-8 in both of PostgreSQL's formats), found at the first row. */
    private boolean[] utf8;

    /** {@code chosen} names the properties to return ({@code properties=…}); null returns all. */
    FeatureWriter(FeatureType type, List<String> chosen) {
        this.type = type;
        this.properties = type.properties().stream().filter(p -> chosen == null || chosen.contains(p.name())).toList();
        this.names = properties.stream().map(p -> new SerializedString(p.name())).toList();
    }

    FeatureType type() {
        return type;
    }

    List<Queryable> properties() {
        return properties;
    }

    /**
     * The instant as RFC 3339 text. Rows written by one transaction (an import, a build) share their valid_from,
     * so the last text is kept rather than formatted again for every row.
     */
    private String timestamp(OffsetDateTime instant) {
        if (!instant.equals(lastInstant)) {
            lastInstant = instant;
            lastText = TIMESTAMP.format(instant.withOffsetSameInstant(ZoneOffset.UTC));
        }
        return lastText;
    }

    /** One feature as a JSON text. */
    String feature(ResultSet row) throws SQLException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator json = Json.mapper().getFactory().createGenerator(out)) {
            write(row, json, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // a ByteArrayOutputStream does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A JSON array of features written row by row into {@code out}; closing it closes the array. */
    Array array(ByteArrayOutputStream out) {
        try {
            JsonGenerator json = Json.mapper().getFactory().createGenerator(out);
            json.writeStartArray();
            return new Array(json, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // a ByteArrayOutputStream does not fail
        }
    }

    final class Array implements AutoCloseable {
        private final JsonGenerator json;
        private final ByteArrayOutputStream out;

        private Array(JsonGenerator json, ByteArrayOutputStream out) {
            this.json = json;
            this.out = out;
        }

        void add(ResultSet row) throws SQLException {
            try {
                write(row, json, out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                json.writeEndArray();
                json.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void write(ResultSet row, JsonGenerator json, ByteArrayOutputStream out) throws SQLException, IOException {
        json.writeStartObject();
        json.writeStringField("type", "Feature");
        json.writeNumberField("id", row.getLong(1));
        json.writeFieldName("geometry");
        byte[] geometry = row.getBytes(2);
        if (geometry == null) {
            json.writeNull();
        } else {
            // The GeoJSON PostGIS wrote goes out as the UTF-8 bytes it arrived in, never decoded into a String:
            // an empty raw value tells the generator the field has its value, then the bytes follow its output.
            json.writeRawValue("");
            json.flush();
            out.write(geometry);
        }
        json.writeObjectFieldStart("properties");
        if (utf8 == null) utf8 = utf8Columns(row.getMetaData());
        for (int i = 0; i < properties.size(); i++) {
            json.writeFieldName(names.get(i));
            value(json, row, i + 3, properties.get(i).type(), utf8[i]);
        }
        json.writeEndObject();
        json.writeEndObject();
    }

    private boolean[] utf8Columns(ResultSetMetaData meta) throws SQLException {
        boolean[] text = new boolean[properties.size()];
        for (int i = 0; i < text.length; i++) {
            int t = meta.getColumnType(i + 3);
            text[i] = t == Types.VARCHAR || t == Types.CHAR || t == Types.LONGVARCHAR;
        }
        return text;
    }

    private void value(JsonGenerator json, ResultSet row, int column, Queryable.Type type, boolean utf8)
            throws SQLException, IOException {
        switch (type) {
            case INTEGER, NUMBER -> {
                // PostgreSQL's text of a number is a JSON number, copied as it is, unless it is NaN or Infinity
                // (which do not end in a digit), and those become strings as to_json makes them.
                String v = row.getString(column);
                if (v == null) json.writeNull();
                else if (Character.isDigit(v.charAt(v.length() - 1))) json.writeNumber(v);
                else json.writeString(v);
            }
            case BOOLEAN -> {
                boolean v = row.getBoolean(column);
                if (row.wasNull()) json.writeNull();
                else json.writeBoolean(v);
            }
            case TIMESTAMP -> {
                OffsetDateTime v = row.getObject(column, OffsetDateTime.class);
                if (v == null) json.writeNull();
                else json.writeString(timestamp(v));
            }
            case OBJECT -> {
                String v = row.getString(column);
                if (v == null) json.writeNull();
                else json.writeRawValue(v);
            }
            default -> {
                if (utf8) {
                    // Text goes out from the UTF-8 bytes it arrived in, escaped by the generator, never decoded into a
                    // String (decoding was a tenth of the server's CPU per page).
                    byte[] v = row.getBytes(column);
                    if (v == null) json.writeNull();
                    else json.writeUTF8String(v, 0, v.length);
                } else {
                    json.writeString(row.getString(column));
                }
            }
        }
    }
}
