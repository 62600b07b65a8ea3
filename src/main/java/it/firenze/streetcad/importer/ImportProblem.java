package it.firenze.streetcad.importer;

/**
 * One thing wrong with one source feature: its 1-based number in the source layer, the source field (or
 * {@code geometry}), how serious it is and why. An {@code error} keeps the feature out of the cadastre;
 * a {@code warning} lets it in with the field left at its default.
 */
public record ImportProblem(long featureNumber, String field, Severity severity, String reason) {

    public enum Severity {
        ERROR, WARNING;

        @com.fasterxml.jackson.annotation.JsonValue
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static ImportProblem error(long featureNumber, String field, String reason) {
        return new ImportProblem(featureNumber, field, Severity.ERROR, reason);
    }

    static ImportProblem warning(long featureNumber, String field, String reason) {
        return new ImportProblem(featureNumber, field, Severity.WARNING, reason);
    }
}
