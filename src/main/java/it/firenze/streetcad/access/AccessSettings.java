package it.firenze.streetcad.access;

/**
 * How the server lets people and systems in.
 *
 * @param publicRead whether anyone may read (the default); false asks every route but /health and /ready for
 *                   at least {@code viewer}
 */
public record AccessSettings(boolean publicRead) {

    public static AccessSettings defaults() {
        return new AccessSettings(true);
    }
}
