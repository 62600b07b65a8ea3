package it.firenze.streetcad.api;

import io.javalin.http.Context;

import java.net.URI;
import java.util.Map;

/**
 * The headers every answer carries, errors included: a Content-Security-Policy that lets the web map and the API page
 * run with scripts from this server only (no inline script), and no framing, sniffing or referrer leaks.
 * Styles may be inline: MapLibre and the map's legend set style attributes, and a style cannot run code.
 */
public final class SecurityHeaders {

    private final Map<String, String> headers;

    private SecurityHeaders(String extraOrigin) {
        String extra = extraOrigin == null ? "" : " " + extraOrigin;
        String csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:"
                + extra + "; connect-src 'self'" + extra + "; worker-src 'self' blob:; child-src blob:; font-src 'self'; "
                + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
        this.headers = Map.of("Content-Security-Policy", csp, "X-Content-Type-Options", "nosniff",
                "Referrer-Policy", "same-origin", "X-Frame-Options", "DENY", "Cross-Origin-Opener-Policy", "same-origin");
    }

    /** Scripts, images and connections from this server only. */
    public static SecurityHeaders defaults() {
        return new SecurityHeaders(null);
    }

    /** … plus images and connections to the origin of the web map's basemap tiles, when one is configured. */
    public static SecurityHeaders withBasemap(String basemapUrl) {
        if (basemapUrl == null || basemapUrl.isBlank()) return defaults();
        URI uri = URI.create(basemapUrl.replaceAll("[{}]", ""));
        return new SecurityHeaders(uri.getScheme() + "://" + uri.getRawAuthority());
    }

    void apply(Context ctx) {
        headers.forEach(ctx::header);
    }

    Map<String, String> headers() {
        return headers;
    }
}
