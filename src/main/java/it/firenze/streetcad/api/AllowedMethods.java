package it.firenze.streetcad.api;

import io.javalin.http.HandlerType;
import io.javalin.router.JavalinDefaultRoutingApi;

/**
 * What OPTIONS says a resource allows (RFC 9110 §9.3.7), for resources that take more than reads: their module
 * knows its write methods, while the OPTIONS answer itself (a CORS preflight too) is registered once for the read
 * resources' patterns, which also match these paths. OGC API – Features Part 4 asks it of every mutable resource
 * (/req/create-replace-delete/options-response: 200 with {@code Allow}; /req/create-replace-delete/options-accept-post:
 * {@code Accept-Post} where POST is allowed; /req/update/options-accept-patch: {@code Accept-Patch} where PATCH is).
 */
public final class AllowedMethods {

    /** What a read-only resource allows. */
    public static final String READ_ONLY = "GET, HEAD, OPTIONS";

    private AllowedMethods() {
    }

    /**
     * Declares that {@code path} allows {@code allow}, and takes bodies of the {@code acceptPost} media types when
     * it allows POST and of the {@code acceptPatch} ones when it allows PATCH (each null otherwise).
     */
    public static void declare(JavalinDefaultRoutingApi routes, String path, String allow, String acceptPost,
                               String acceptPatch) {
        routes.before(path, ctx -> {
            if (ctx.method() != HandlerType.OPTIONS) return;
            ctx.header("Allow", allow);
            if (acceptPost != null) ctx.header("Accept-Post", acceptPost);
            if (acceptPatch != null) ctx.header("Accept-Patch", acceptPatch);
        });
    }
}
