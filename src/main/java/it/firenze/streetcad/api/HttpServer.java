package it.firenze.streetcad.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.javalin.router.Endpoint;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseFailure;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.server.handler.GracefulHandler;

import java.util.List;
import java.util.Optional;
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
                // Bodies that trickle in are cut off, and multipart forms followed part by part, for every route
                // (Javalin's servlet goes inside the innermost).
                server.setHandler(new GracefulHandler(new SlowBodies(new MultipartBodies())));
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
                String id = MDC.get("request_id");
                if (id == null || !id.startsWith(UNLOGGED_REQUEST_ID)) LOG.info(accessLine(ctx, millis));
                RequestMetrics.record(ctx, millis);
                MDC.clear();
            });
            config.routes.exception(ProblemException.class, (e, ctx) -> respond(ctx, e.problem()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                if (SlowBodies.cutOff(ctx) != null) return;  // answered after the handler, below
                var failure = DatabaseFailure.of(e);
                if (failure.isPresent()) {
                    LOG.warn("{} {}: {}", ctx.method(), ctx.path(), Database.rootMessage(e));
                    respond(ctx, failure.get() == DatabaseFailure.LOCKED
                            ? Problems.locked(modules.stream().anyMatch(HttpModule::loadingTheCadastre))
                            : Problems.database(failure.get()));
                    return;
                }
                BadMessageException bad = badMessage(e);
                if (bad != null) {
                    respond(ctx, Problem.of(bad.getCode(), "Bad request", "The request could not be read: "
                            + readable(bad) + "."));
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
            config.routes.before(HttpServer::rejectNulInQuery);
            config.routes.before(BodyText::check);
            // A body cut off for coming too slowly (SlowBodies) is a 408 whatever the handler made of the failed read
            // (most read it as a malformed body and answer 400), and the connection, whose rest of the body is
            // unread, cannot carry another request.
            config.routes.after(ctx -> {
                SlowBodies.SlowBody slow = SlowBodies.cutOff(ctx);
                if (slow == null) return;
                ctx.header("Connection", "close");
                respond(ctx, Problem.of(408, "Request timeout", "The request's body came too slowly (" + slow.getMessage()
                        + "); nothing was kept. Send it again over a faster connection."));
            });
            // The modules' routes in RouteOrder's order: the most asked first where that changes no precedence.
            var recorder = new RouteOrder.Recorder(config.routes);
            modules.forEach(m -> m.register(recorder));
            registered = List.copyOf(recorder.endpoints);
            ordered = RouteOrder.ordered(registered, RouteOrder.HOT);
            ordered.forEach(config.routes::addEndpoint);
            headTwins(ordered).forEach(config.routes::addEndpoint);
        });
    }

    /**
     * A HEAD route for every GET route that has none, running GET's handler (Jetty sends no body for HEAD). Without
     * it Javalin answers HEAD on a GET route with 200 and text/plain and runs nothing, so a HEAD of a missing
     * collection said 200: HEAD must answer GET's status and header fields without the content (RFC 9110 §9.3.2).
     * HEAD routes only compete with each other, so they keep the GET routes' order.
     */
    static List<Endpoint> headTwins(List<Endpoint> routes) {
        java.util.Set<String> withHead = new java.util.HashSet<>();
        for (Endpoint e : routes) if (e.method == HandlerType.HEAD) withHead.add(e.path);
        return routes.stream().filter(e -> e.method == HandlerType.GET && !withHead.contains(e.path))
                .map(e -> new Endpoint(HandlerType.HEAD, e.path, e.handler)).toList();
    }

    private List<Endpoint> registered;
    private List<Endpoint> ordered;

    /** The modules' endpoints in the order they registered them (for tests: see {@link RouteOrder}). */
    public List<Endpoint> registeredEndpoints() {
        return registered;
    }

    /** The modules' endpoints in the order Javalin got them, which is the order it tries them in. */
    public List<Endpoint> orderedEndpoints() {
        return ordered;
    }

    static final String REQUEST_ID = "X-Request-Id";
    /**
     * Requests whose id starts with this are left out of the access log (they are counted in /metrics): the server's
     * own warm-up asks thousands at each start and writes one line for them. Random per process, so that no client
     * can hide its requests from the log.
     */
    public static final String UNLOGGED_REQUEST_ID = "warm-up-"
            + Long.toHexString(new java.security.SecureRandom().nextLong()) + "-";
    private static final java.util.regex.Pattern SANE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /**
     * "GET /path?query 200 12.3ms": built by hand, as String.format's parsing of its pattern was a few per cent of the
     * server's CPU for a cheap request.
     */
    private static String accessLine(Context ctx, float millis) {
        StringBuilder line = new StringBuilder(96).append(ctx.method()).append(' ').append(ctx.path());
        if (ctx.queryString() != null) line.append('?').append(ctx.queryString());
        long tenths = Math.round(millis * 10.0);
        return line.append(' ').append(ctx.statusCode()).append(' ').append(tenths / 10).append('.')
                .append(tenths % 10).append("ms").toString();
    }

    /**
     * The offered id when sane, else a new random one in a UUID's form (version 4). Drawn from the thread's own
     * generator: UUID.randomUUID's SecureRandom was a few per mille of a page's CPU, and an id that only ties log
     * lines together needs no cryptographic strength.
     */
    static String requestId(String offered) {
        if (offered != null && SANE_ID.matcher(offered).matches()) return offered;
        var random = java.util.concurrent.ThreadLocalRandom.current();
        long high = random.nextLong() & ~0xF000L | 0x4000L;  // version 4
        long low = random.nextLong() & ~(0xCL << 60) | (0x8L << 60);  // the IETF variant
        return new java.util.UUID(high, low).toString();
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

    /**
     * PostgreSQL text cannot hold U+0000, so a NUL byte in a search word, a property value or a CQL2 literal would
     * fail in the database as a 500; no parameter of this API has a use for it.
     */
    private static void rejectNulInQuery(Context ctx) {
        // Decoding makes a NUL only of "%00" (Jetty refuses a raw one), so a query without it needs no decoding here.
        String query = ctx.queryString();
        if (query == null || query.indexOf("%00") < 0 && query.indexOf('\0') < 0) return;
        ctx.queryParamMap().forEach((name, values) -> {
            if (name.indexOf('\0') >= 0 || values.stream().anyMatch(v -> v.indexOf('\0') >= 0)) {
                throw ProblemException.badRequest(name.replace("\0", ""), "The parameter " + name.replace("\0", "")
                        + " contains a NUL character (%00), which no parameter may hold.");
            }
        });
    }

    /**
     * What was wrong with a request body Jetty could not read (a multipart body cut short, a form field over its
     * limit), when {@code e} is that: for a handler that can name the field (see {@link MultipartBodies}).
     */
    public static Optional<String> unreadable(Throwable e) {
        return Optional.ofNullable(badMessage(e)).map(HttpServer::readable);
    }

    /**
     * Jetty's verdict on a malformed request (a multipart form whose field is larger than Jetty reads, say),
     * wrapped by the servlet layer when a handler reads the body: the client's fault, a 4xx, not a 500.
     */
    private static BadMessageException badMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BadMessageException b && b.getCode() >= 400 && b.getCode() < 500) return b;
        }
        return null;
    }

    /** The innermost message, which says what was wrong ("Form is larger than max length 200000"). */
    private static String readable(BadMessageException bad) {
        Throwable t = bad;
        while (t.getCause() != null) t = t.getCause();
        String message = t.getMessage() == null ? bad.getReason() : t.getMessage();
        return message == null ? "malformed" : message;
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
