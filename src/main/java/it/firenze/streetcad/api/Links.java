package it.firenze.streetcad.api;

import io.javalin.http.Context;

/**
 * The one place links get their base: the absolute public URL of the API, without a trailing slash, so that
 * {@code base + "/conformance"} never makes {@code //conformance}. Every link and the OpenAPI document's
 * {@code servers} are absolute (OGC API clients resolve relative links differently, some dropping the port).
 */
public final class Links {

    private Links() {
    }

    /** {@code scheme://host[:port]} as the client addressed this server. */
    public static String base(Context ctx) {
        String base = ctx.scheme() + "://" + ctx.host();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }
}
