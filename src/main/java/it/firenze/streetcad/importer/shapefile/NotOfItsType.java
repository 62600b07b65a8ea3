package it.firenze.streetcad.importer.shapefile;

/**
 * The value of an N, F, D or L field that is not of its field's type, as written: "x2" or "12abc" in a number field,
 * "02/05/1961" or "20230230" in a date field, "1" in a logical one. Its typed value is null: GDAL reads such a value
 * as 0, as the number it starts with or as a date it guesses, with a warning or none; this reader invents nothing, and
 * keeps the text so that the import can say which record wrote what and keep it.
 *
 * @param text  the value without the blanks that pad it
 * @param field the field's type letter: N, F, D or L
 */
public record NotOfItsType(String text, char field) {

    /** What a value of the field's type is, for a message: "a number", "a YYYYMMDD date", … */
    public String expected() {
        return switch (field) {
            case 'N', 'F' -> "a number";
            case 'D' -> "a YYYYMMDD date";
            case 'L' -> "one of T, F, Y, N, ?";
            default -> "a value of type " + field;
        };
    }

    @Override
    public String toString() {
        return text;
    }
}
