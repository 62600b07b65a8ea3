package it.firenze.streetcad.cql2;

/**
 * A filter that cannot be used: a syntax error (with the character position, counted from 1, where the parser
 * gave up) or a meaning error such as an unknown property or a type mismatch (position 0 when not tied to one).
 */
public final class Cql2Exception extends RuntimeException {

    private final int position;

    public Cql2Exception(String message, int position) {
        super(message);
        this.position = position;
    }

    public int position() {
        return position;
    }
}
