package it.firenze.streetcad.importer.report;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * Every note and problem an import report can carry, each a stable word ({@code dbf-missing}) beside its English
 * sentence, so that a client tells them apart and says them in its own language without parsing the English (the
 * web map's imports panel does, in Italian). The one list of them: README's "Importer" documents each, the panel's
 * words (i18n.js) name each. A code once published keeps its meaning; a new case gets a new code.
 */
public enum ReportCode {

    // ---- notes: about the files or the data as a whole -------------------------------------------------------
    /** No .dbf beside the .shp: the features have no attributes. */
    DBF_MISSING,
    /** The .dbf's header announces another record count than the records it holds, one per shape: they are read. */
    DBF_RECORD_COUNT_STALE,
    /** The .dbf ends before the records its header announces: its whole records are read. */
    DBF_TRUNCATED,
    /** The .dbf has fewer records than the .shx has shapes: the shapes past them are read without attributes. */
    DBF_FEWER_RECORDS,
    /** Fields whose names differ only by case: the mapping reads one, the others are kept in source_attributes. */
    FIELDS_DIFFER_BY_CASE,
    /** The staged lines lie outside the storage CRS's area of use: almost always a wrong source CRS. */
    OUTSIDE_AREA_OF_USE,
    /** The staged lines lie more than 50 km from the cadastre's elements: almost always a wrong source CRS. */
    FAR_FROM_CADASTRE,

    // ---- problems: about one feature's geometry or value -------------------------------------------------------
    /** The feature has no line (a null shape). */
    NULL_SHAPE,
    /** A line of several parts that do not join end to end. */
    PARTS_NOT_JOINED,
    /** A geometry that is not a line (a point, a polygon). */
    NOT_A_LINE,
    /** A line PostGIS finds invalid once in the storage CRS (too few distinct points, non-finite coordinates). */
    INVALID_LINE,
    /** An upsert's feature without a source key. */
    SOURCE_KEY_MISSING,
    /** An upsert's source key that several features have. */
    SOURCE_KEY_REPEATED,
    /** A value the mapping's value list does not know (its policy says warning or error). */
    UNKNOWN_VALUE,
    /** A value that is not one of the target's choices. */
    NOT_ONE_OF_CHOICES,
    /** A value that is no number. */
    NOT_A_NUMBER,
    /** A value that is a number but not a whole one. */
    NOT_A_WHOLE_NUMBER,
    /** A value that is no speed (km/h, or mph). */
    NOT_A_SPEED,
    /** A number outside the target's range. */
    OUT_OF_RANGE,
    /** A .dbf value that is not of its field's type (an N field's "x2"): kept as written in source_attributes. */
    NOT_OF_FIELD_TYPE;

    /** The code as clients read it: the constant's name in lower case, words joined by hyphens. */
    @JsonValue
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
