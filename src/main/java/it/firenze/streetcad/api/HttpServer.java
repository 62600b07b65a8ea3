package it.firenze.streetcad.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseFailure;
import org.eclipse.jetty.server.handler.GracefulHandler;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

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
            // Every request gets an id (the client's X-Request-Id when it sent a sane one, so that a proxy's id
            // carries through) and its client's address (behind a trusted proxy, the address it forwards for): both
            // are in every log line written while it is handled (MDC) and the id goes back as X-Request-Id.
            config.routes.before(ctx -> {
                String id = requestId(ctx.header(REQUEST_ID));
                ctx.header(REQUEST_ID, id);
                MDC.put("request_id", id);
                MDC.put("client", links.clientAddress(ctx));
            });
            config.requestLogger.http((ctx, millis) -> {
                LOG.info(String.format("%s %s%s %d %.1fms", ctx.method(), ctx.path(),
                        ctx.queryString() == null ? "" : "?" + ctx.queryString(), ctx.statusCode(), millis));
                RequestMetrics.record(ctx, millis);
                MDC.clear();
            });
            config.routes.exception(ProblemException.class, (e, ctx) -> respond(ctx, e.problem()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                var failure = DatabaseFailure.of(e);
                if (failure.isPresent()) {
                    LOG.warn("{} {}: {}", ctx.method(), ctx.path(), Database.rootMessage(e));
                    respond(ctx, Problems.database(failure.get()));
                    return;
                }
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

    static final String REQUEST_ID = "X-Request-Id";
    private static final java.util.regex.Pattern SANE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    static String requestId(String offered) {
        return offered != null && SANE_ID.matcher(offered).matches() ? offered : java.util.UUID.randomUUID().toString();
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
        // An overloaded or unavailable answer says when to try again, so that clients back off instead of hammering.
        if ((problem.status() == 503 || problem.status() == 429) && ctx.res().getHeader("Retry-After") == null) {
            ctx.header("Retry-After", Integer.toString(Problems.RETRY_AFTER_SECONDS));
        }
        ctx.json(problem.withInstance(ctx.path()));
        ctx.contentType(Problem.MEDIA_TYPE);
    }
}
