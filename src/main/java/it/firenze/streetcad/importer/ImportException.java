package it.firenze.streetcad.importer;

/** An import that cannot go on; the message tells the technician what is wrong and what to do. */
public class ImportException extends RuntimeException {
    public ImportException(String message) {
        super(message);
    }
}
