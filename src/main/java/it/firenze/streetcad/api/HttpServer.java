package it.firenze.streetcad.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import org.eclipse.jetty.server.handler.GracefulHandler;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front: Javalin with StreetCad's conventions (problem+json errors, one log line per request,
 * graceful stop) and the capability modules it is given. It holds no state of its own.
 */
public final class HttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("streetcad.http");
    private static final Logger ERRORS = LoggerFactory.getLogger(HttpServer.class);

    private final Javalin app;

    public HttpServer(String host, int port, long stopTimeoutMillis, List<HttpModule> modules) {
        this(host, port, stopTimeoutMillis, PublicBaseUrl.fromConnection(), modules);
    }

    public HttpServer(String host, int port, long stopTimeoutMillis, PublicBaseUrl links, List<HttpModule> modules) {
        this(host, port, stopTimeoutMillis, links, SecurityHeaders.defaults(), modules);
    }

    public HttpServer(String host, int port, long stopTimeoutMillis, PublicBaseUrl links, SecurityHeaders headers,
                      List<HttpModule> modules) {
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(Json.mapper(), false));
            config.jetty.host = host;
            config.jetty.port = port;
            config.jetty.modifyServer(server -> {
                // Let in-flight requests finish on stop (SIGTERM) instead of cutting them.
                server.setStopTimeout(stopTimeoutMillis);
                server.setHandler(new GracefulHandler());
                server.setErrorHandler(new JettyErrors(headers));
            });
            config.requestLogger.http((ctx, millis) -> LOG.info(String.format("%s %s%s %d %.1fms",
                    ctx.method(), ctx.path(), ctx.queryString() == null ? "" : "?" + ctx.queryString(),
                    ctx.statusCode(), millis)));
            config.routes.exception(ProblemException.class, (e, ctx) -> respond(ctx, e.problem()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                ERRORS.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
                respond(ctx, Problem.of(500, "Internal server error", "The server failed to answer this request; "
                        + "the error is in its log."));
            });
            config.routes.error(HttpStatus.NOT_FOUND.getCode(), "*", ctx -> {
                // A handler that answered 404 itself (an unknown feature, say) already wrote a problem body.
                String type = ctx.res().getContentType();
                if (type == null || !type.startsWith(Problem.MEDIA_TYPE)) {
                    respond(ctx, Problem.of(404, "Not found", "There is nothing at " + ctx.path() + "."));
                }
            });
            config.routes.error(HttpStatus.METHOD_NOT_ALLOWED.getCode(), "*", ctx ->
                    respond(ctx, Problem.of(405, "Method not allowed", ctx.method() + " is not allowed on " + ctx.path() + ".")));
            config.routes.before(ctx -> {
                links.attach(ctx);
                headers.apply(ctx);
            });
            modules.forEach(m -> m.register(config.routes));
        });
    }

    public HttpServer start() {
        app.start();
        return this;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    static void respond(Context ctx, Problem problem) {
        ctx.status(problem.status());
        ctx.json(problem.withInstance(ctx.path()));
        ctx.contentType(Problem.MEDIA_TYPE);
    }
}
