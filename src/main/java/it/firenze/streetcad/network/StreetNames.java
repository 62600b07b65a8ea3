package it.firenze.streetcad.network;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What people type for a Florentine street name (toponimo) before PostgreSQL's {@code fold_name} folds accents
 * and apostrophes: the usual written abbreviations of the street kind ("v.le" for viale, "p.za" for piazza) are
 * spelled out, so that they match the official name by trigram similarity.
 */
public final class StreetNames {

    private static final Map<String, String> ABBREVIATIONS = Map.ofEntries(
            Map.entry("v.", "via"),
            Map.entry("v.le", "viale"), Map.entry("vle", "viale"), Map.entry("v.lo", "vicolo"),
            Map.entry("vic.", "vicolo"),
            Map.entry("p.za", "piazza"), Map.entry("p.zza", "piazza"), Map.entry("pza", "piazza"),
            Map.entry("pzza", "piazza"), Map.entry("p.le", "piazzale"), Map.entry("ple", "piazzale"),
            Map.entry("p.tta", "piazzetta"),
            Map.entry("c.so", "corso"), Map.entry("cso", "corso"),
            Map.entry("l.go", "largo"), Map.entry("lgo", "largo"),
            Map.entry("lung.", "lungarno"), Map.entry("lung.no", "lungarno"), Map.entry("l.no", "lungarno"),
            Map.entry("b.go", "borgo"), Map.entry("bgo", "borgo"),
            Map.entry("str.", "strada"), Map.entry("sdr.", "sdrucciolo"));

    private static final Pattern SPACES = Pattern.compile("\\s+");

    private StreetNames() {
    }

    /** The query with its abbreviations spelled out, lower case; accents are left to {@code fold_name}. */
    public static String expand(String query) {
        StringBuilder b = new StringBuilder(query.length() + 16);
        for (String word : SPACES.split(query.strip().toLowerCase(Locale.ITALIAN))) {
            if (word.isEmpty()) continue;
            if (!b.isEmpty()) b.append(' ');
            b.append(ABBREVIATIONS.getOrDefault(word, word));
        }
        return b.toString();
    }
}
