package it.firenze.streetcad.importer.shapefile;

/**
 * The value of an N or F field that is no number ("x2", "12abc"), as written. Its typed value is null: GDAL reads
 * such a value as 0 or as the number it starts with, with a warning; this reader invents neither, and keeps the text
 * so that the import can say which record wrote what and keep it.
 *
 * @param text  the value without the blanks that pad it
 * @param field the field's type letter, N or F
 */
public record NotANumber(String text, char field) {
    @Override
    public String toString() {
        return text;
    }
}
