package it.firenze.streetcad.importer;

/**
 * An import that cannot go on; the message tells the technician what is wrong and what to do, and
 * {@link #parameter()} names the import option to change (file, layer, srid, …) where there is one.
 */
public class ImportException extends RuntimeException {

    private final String parameter;

    public ImportException(String message) {
        this("file", message);
    }

    public ImportException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
