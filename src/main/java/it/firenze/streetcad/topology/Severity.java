package it.firenze.streetcad.topology;

/** How grave a finding is; only errors fail {@code streetcad validate} and an import run with --fail-on error. */
public enum Severity {
    ERROR, WARNING, INFO;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Severity of(String id) {
        return valueOf(id.toUpperCase(java.util.Locale.ROOT));
    }
}
