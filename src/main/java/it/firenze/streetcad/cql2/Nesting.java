package it.firenze.streetcad.cql2;

/**
 * A bound on how deeply a filter nests. Both parsers and the translator recurse once per level, so a filter of a
 * few hundred nested parentheses overflowed the stack (a 500 and a stack trace in the log for each request); no
 * real filter comes near the bound.
 */
final class Nesting {

    static final int MAX_DEPTH = 64;

    private Nesting() {
    }

    /** Counts brackets of any kind outside quoted text ('…' literals, "…" identifiers or JSON strings). */
    static void check(String filter) {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote == '"') i++;
                else if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                if (++depth > MAX_DEPTH) {
                    throw new Cql2Exception("The filter nests deeper than " + MAX_DEPTH + " levels (character "
                            + (i + 1) + ")", i + 1);
                }
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            }
        }
    }
}
