package it.firenze.streetcad.importer.shapefile;

/** Anything wrong with a shapefile or its archive; the message names the file and, where there is one, the record. */
public class ShapefileException extends RuntimeException {
    public ShapefileException(String message) {
        super(message);
    }

    public ShapefileException(String message, Throwable cause) {
        super(message, cause);
    }
}
