package it.firenze.streetcad.importer;

import it.firenze.streetcad.importer.report.ReportCode;

/**
 * One thing wrong with one source feature: its 1-based number in the source layer, the source field (or
 * {@code geometry}), how serious it is, what it is ({@code code}, for a client's own words) and why in English with
 * the value concerned ({@code reason}). An {@code error} keeps the feature out of the cadastre; a {@code warning} lets
 * it in with the field left at its default.
 *
 * @param code null only in a report stored before problems had codes
 */
public record ImportProblem(long featureNumber, String field, Severity severity, ReportCode code, String reason) {

    public enum Severity {
        ERROR, WARNING;

        @com.fasterxml.jackson.annotation.JsonValue
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static ImportProblem error(long featureNumber, String field, ReportCode code, String reason) {
        return new ImportProblem(featureNumber, field, Severity.ERROR, code, reason);
    }

    static ImportProblem warning(long featureNumber, String field, ReportCode code, String reason) {
        return new ImportProblem(featureNumber, field, Severity.WARNING, code, reason);
    }
}
