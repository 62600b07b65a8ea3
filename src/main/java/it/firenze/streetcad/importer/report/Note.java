package it.firenze.streetcad.importer.report;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * What an import report says about the files or the data as a whole: its code, and the English sentence with the
 * figures (file names, counts, the extent) for API clients and the CLI.
 *
 * @param code null only in a report stored before notes had codes
 */
public record Note(ReportCode code, String message) {

    @JsonCreator
    public Note {
    }

    /** A note of a report stored before notes had codes, when each was its sentence alone. */
    @JsonCreator
    static Note uncoded(String message) {
        return new Note(null, message);
    }
}
