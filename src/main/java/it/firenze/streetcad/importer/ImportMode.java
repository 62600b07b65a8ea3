package it.firenze.streetcad.importer;

import java.util.Locale;

/** How a committed import meets what the cadastre already holds. */
public enum ImportMode {
    /** Add the imported elements beside the existing ones. */
    APPEND,
    /** Delete the existing elements (all, or those meeting the import's area) and put the imported ones instead. */
    REPLACE,
    /** Update the elements whose source_key the import carries again, add the others. */
    UPSERT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ImportMode parse(String text) {
        for (ImportMode m : values()) if (m.label().equals(text)) return m;
        throw new IllegalArgumentException("mode is append, replace or upsert, not '" + text + "'");
    }
}
