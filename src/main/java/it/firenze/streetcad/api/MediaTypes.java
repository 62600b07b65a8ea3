package it.firenze.streetcad.api;

import java.util.Locale;

/**
 * Proactive content negotiation on {@code Accept} (RFC 9110 §12.5.1): how much a client wants a media type is the
 * quality ({@code q}) of the most specific range that matches it ({@code type/subtype} over {@code type/*} over
 * {@code *}{@code /*}). Callers compare their representations by it; where the client accepts none of them they
 * answer their default, as RFC 9110 lets a server disregard the header rather than answer 406.
 */
public final class MediaTypes {

    private MediaTypes() {
    }

    /** The quality {@code accept} gives {@code mediaType}, 0 to 1; 1 without an Accept header. */
    public static double quality(String accept, String mediaType) {
        if (accept == null || accept.isBlank()) return 1;
        String wanted = mediaType.toLowerCase(Locale.ROOT);
        String wantedType = wanted.substring(0, wanted.indexOf('/') + 1);
        int specificity = -1;
        double quality = 0;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String name = parts[0].trim().toLowerCase(Locale.ROOT);
            int s = name.equals(wanted) ? 2 : name.equals(wantedType + "*") ? 1 : name.equals("*/*") ? 0 : -1;
            if (s <= specificity) continue;
            specificity = s;
            quality = q(parts);
        }
        return quality;
    }

    /** The range's {@code q} parameter, 1 when absent; a value that is not a number counts as 0, not acceptable. */
    private static double q(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                try {
                    return Math.max(0, Math.min(1, Double.parseDouble(p.substring(2).trim())));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
