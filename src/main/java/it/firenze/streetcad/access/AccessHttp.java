package it.firenze.streetcad.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import it.firenze.streetcad.api.HttpModule;
import it.firenze.streetcad.api.Instants;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.api.Problem;
import it.firenze.streetcad.api.ProblemException;
import it.firenze.streetcad.api.PublicBaseUrl;
import it.firenze.streetcad.db.Database;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is asking, for every request: an API key or a single sign-on JWT in {@code Authorization: Bearer} (never from a
 * cookie or the query string), or a signed-in browser's session cookie; nobody otherwise. Handlers that change data
 * call {@link #require} or {@link #actor} with the role they need. The module must be registered for any of that to
 * succeed: without it every {@code require} answers 401 (a server wired without access control refuses writes rather
 * than allowing them).
 * <p>
 * Routes: {@code POST /auth/login} (JSON username and password: sets the session cookie), {@code POST /auth/logout},
 * {@code GET /auth/me} (the principal, its roles and, for a session, the CSRF token), {@code GET /audit} (admin).
 * <p>
 * Cross-site protection: a write (any method but GET, HEAD, OPTIONS) that carries an {@code Origin} other than this
 * server's or a configured one is refused; a write authenticated by the session cookie must also carry the session's
 * token in {@code X-CSRF-Token} and an Origin. The cookie is also SameSite=Strict.
 */
public final class AccessHttp implements HttpModule {

    public static final String SESSION_COOKIE = "streetcad_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final String ACCESS = "streetcad.access";
    private static final String PRINCIPAL = "streetcad.principal";
    private static final String SESSION = "streetcad.session";
    private static final String CHALLENGE = "Bearer realm=\"streetcad\"";
    private static final String KEY_PREFIX = "sck_";
    private static final int MAX_REASON = 1000;
    private static final Set<HandlerType> SAFE = Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);
    private static final Principal ANONYMOUS = new Principal("anonymous", null, null, Set.of());

    private final Database db;
    private final AccessSettings settings;
    private final ApiKeys keys;
    private final Accounts accounts;
    private final Sessions sessions;
    private final LoginThrottle throttle = new LoginThrottle();
    private final AuditLog audit;
    private final JwtVerifier jwt;

    public AccessHttp(Database db, AccessSettings settings) {
        this.db = db;
        this.settings = settings;
        this.keys = new ApiKeys(db);
        this.accounts = new Accounts(db);
        this.sessions = new Sessions(db, settings.sessionIdle(), settings.sessionAbsolute());
        this.audit = new AuditLog(db);
        this.jwt = settings.jwt() == null ? null : new JwtVerifier(settings.jwt());
    }

    public AccessHttp(Database db, boolean publicRead) {
        this(db, new AccessSettings(publicRead));
    }

    public ApiKeys keys() {
        return keys;
    }

    public Accounts accounts() {
        return accounts;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.before(ctx -> {
            ctx.attribute(ACCESS, this);
            if (!SAFE.contains(ctx.method())) refuseForeignOrigin(ctx);
            // Credentials that are sent are checked on every route, reads included: a wrong key is an error to report,
            // not a reason to serve the request anonymously.
            if (ctx.header("Authorization") != null) principal(ctx);
            if (!settings.publicRead() && !openToAll(ctx.path())) require(ctx, Role.VIEWER);
        });
        routes.post("/auth/login", this::login);
        routes.post("/auth/logout", this::logout);
        routes.get("/auth/me", this::me);
        routes.get("/audit", this::audit);
    }

    /** The principal asking, who must have {@code role}: otherwise 401 (nobody, with WWW-Authenticate) or 403. */
    public static Principal require(Context ctx, Role role) {
        Principal p = principal(ctx).orElseThrow(() -> unauthorized(ctx, "This needs the role " + role.id()
                + ": send an API key as Authorization: Bearer <key>, or sign in.", null));
        if (!p.has(role)) {
            throw new ProblemException(Problem.of(403, "Forbidden", ctx.method() + " " + ctx.path() + " needs the role "
                    + role.id() + "; " + p.id() + " has " + (p.roles().isEmpty() ? "no role"
                    : p.roles().stream().sorted().map(Role::id).collect(Collectors.joining(", "))) + "."));
        }
        return p;
    }

    /**
     * The actor of a change made through this request: the principal (who must have {@code role}), the route
     * ({@code POST /imports/{id}/commit}) and the reason from the {@code X-Change-Reason} header or a JSON body's
     * {@code reason}.
     */
    public static Actor actor(Context ctx, Role role) {
        Principal p = require(ctx, role);
        String route = ctx.endpoint() == null ? ctx.path() : ctx.endpoint().path;
        return new Actor(p, ctx.method().name() + " " + route, reason(ctx));
    }

    /** The principal asking, if any; 401 when credentials were sent and are not valid, 403 for a cross-site write. */
    public static Optional<Principal> principal(Context ctx) {
        if (ctx.attribute(PRINCIPAL) instanceof Principal p) return Optional.of(p);
        AccessHttp access = ctx.attribute(ACCESS);
        if (access == null) return Optional.empty();
        Principal p = access.authenticate(ctx);
        if (p != null) ctx.attribute(PRINCIPAL, p);
        return Optional.ofNullable(p);
    }

    private Principal authenticate(Context ctx) {
        String authorization = ctx.header("Authorization");
        try {
            if (authorization != null) return bearer(ctx, authorization);
            String cookie = ctx.cookie(SESSION_COOKIE);
            if (cookie == null) return null;
            Sessions.Session session = sessions.find(cookie).orElse(null);
            if (session == null) return null;
            if (!SAFE.contains(ctx.method()) && !ctx.path().equals("/auth/logout")) checkCsrf(ctx, session);
            ctx.attribute(SESSION, session);
            return session.principal();
        } catch (SQLException e) {
            throw new IllegalStateException("checking credentials failed", e);
        }
    }

    private Principal bearer(Context ctx, String authorization) throws SQLException {
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() == 7) {
            throw unauthorized(ctx, "Only Authorization: Bearer <token> is understood here.", "invalid_request");
        }
        String token = authorization.substring(7).strip();
        Optional<Principal> p = token.startsWith(KEY_PREFIX) ? keys.authenticate(token)
                : jwt != null ? jwt.verify(token) : Optional.empty();
        return p.orElseThrow(() -> unauthorized(ctx, "The bearer token is not valid: an unknown, revoked or expired API "
                + "key, or a token this server does not accept.", "invalid_token"));
    }

    /** A cookie write must come from this server's own page: its Origin, and the token only that page could read. */
    private void checkCsrf(Context ctx, Sessions.Session session) {
        String sent = ctx.header(CSRF_HEADER);
        boolean tokenOk = sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                session.csrfToken().getBytes(StandardCharsets.UTF_8));
        if (ctx.header("Origin") == null || !tokenOk) {
            throw new ProblemException(Problem.of(403, "Forbidden", "A change made with a signed-in session must come "
                    + "from StreetCad's own page, with its Origin and its " + CSRF_HEADER + " header (GET /auth/me)."));
        }
    }

    /** Writes from another web origin are refused unless that origin is configured (--write-origins). */
    private void refuseForeignOrigin(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null || ownOrigin(ctx, origin) || settings.writeOrigins().contains(origin)) return;
        throw new ProblemException(Problem.of(403, "Forbidden", "Changes are not accepted from pages of another site ("
                + origin + ")."));
    }

    /** The browser's Origin is this server's: the host it addressed (which a page cannot choose), or the public URL. */
    private static boolean ownOrigin(Context ctx, String origin) {
        String host = ctx.header("Host");
        if (host != null && origin.equalsIgnoreCase(ctx.scheme() + "://" + host)) return true;
        URI base = URI.create(PublicBaseUrl.of(ctx));
        String baseOrigin = base.getScheme() + "://" + base.getRawAuthority();
        return origin.equalsIgnoreCase(baseOrigin);
    }

    private void login(Context ctx) throws SQLException {
        JsonNode body;
        try {
            body = Json.mapper().readTree(ctx.body());
        } catch (IOException e) {
            throw ProblemException.badRequest("body", "Send {\"username\": …, \"password\": …} as JSON.");
        }
        String username = body == null ? null : text(body, "username"), password = body == null ? null : text(body, "password");
        if (username == null) throw ProblemException.badRequest("username", "username is missing");
        if (password == null) throw ProblemException.badRequest("password", "password is missing");
        String address = ctx.req().getRemoteAddr();
        long locked = throttle.lockedFor(username, address);
        if (locked > 0) {
            ctx.header("Retry-After", Long.toString((locked + 999) / 1000));
            throw new ProblemException(Problem.of(429, "Too many failed sign-ins", "Too many wrong passwords for this "
                    + "name or from this address; try again in " + ((locked + 59_999) / 60_000) + " minutes."));
        }
        Optional<Accounts.Account> account = accounts.verify(username, password);
        Actor via = new Actor(ANONYMOUS, "POST /auth/login", null);
        if (account.isEmpty()) {
            long holdBack = throttle.failed(username, address);
            Transactions.inTransaction(db, null, c -> {
                Audit.record(c, via, "login.failure", "account", List.of(), Map.of("username", username, "address", address));
                return null;
            });
            sleep(holdBack);
            throw new ProblemException(Problem.of(401, "Unauthorized", "The username or the password is wrong."));
        }
        throttle.succeeded(username);
        Accounts.Account a = account.get();
        Sessions.Started started = sessions.start(a, ctx.cookie(SESSION_COOKIE), new Actor(a.principal(), via.via(), null));
        ctx.header("Set-Cookie", SESSION_COOKIE + "=" + started.cookieValue() + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + sessions.absolute().toSeconds() + (PublicBaseUrl.ofRequestSecure(ctx) ? "; Secure" : ""));
        ctx.header("Cache-Control", "no-store");
        ctx.json(me(started.session().principal(), started.session().csrfToken()));
    }

    private void logout(Context ctx) throws SQLException {
        String cookie = ctx.cookie(SESSION_COOKIE);
        if (cookie != null) sessions.end(cookie);
        ctx.header("Set-Cookie", SESSION_COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
                + (PublicBaseUrl.ofRequestSecure(ctx) ? "; Secure" : ""));
        ctx.status(204);
    }

    private void me(Context ctx) {
        Principal p = principal(ctx).orElse(null);
        Sessions.Session session = ctx.attribute(SESSION);
        ctx.header("Cache-Control", "no-store");
        ctx.json(me(p, session == null ? null : session.csrfToken()));
    }

    private Map<String, Object> me(Principal p, String csrfToken) {
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("authenticated", p != null);
        me.put("publicRead", settings.publicRead());
        if (p != null) {
            me.put("id", p.id());
            me.put("name", p.name());
            me.put("organisation", p.organisation());
            // What the principal may do, implications included (an admin has every role), so that a page can show
            // exactly the controls that will be accepted.
            me.put("roles", java.util.Arrays.stream(Role.values()).filter(p::has).toList());
        }
        if (csrfToken != null) me.put("csrfToken", csrfToken);
        return me;
    }

    /** {@code GET /audit?since=&until=&principal=&collection=&id=&limit=&offset=}: the audit log, newest first (admin). */
    private void audit(Context ctx) throws SQLException {
        require(ctx, Role.ADMIN);
        int limit = (int) number(ctx, "limit", 100, 1, AuditLog.MAX_LIMIT);
        long offset = number(ctx, "offset", 0, 0, Long.MAX_VALUE);
        Long id = ctx.queryParam("id") == null ? null : number(ctx, "id", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        var entries = audit.find(new AuditLog.Query(time(ctx, "since"), time(ctx, "until"), ctx.queryParam("principal"),
                ctx.queryParam("collection"), id, limit, offset));
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("entries", entries);
        List<Map<String, String>> links = new ArrayList<>();
        if (entries.size() == limit) {
            String query = ctx.queryParamMap().entrySet().stream().filter(e -> !e.getKey().equals("offset"))
                    .flatMap(e -> e.getValue().stream().map(v -> encode(e.getKey()) + "=" + encode(v)))
                    .collect(Collectors.joining("&"));
            links.add(Map.of("rel", "next", "type", "application/json", "href", PublicBaseUrl.of(ctx) + "/audit?"
                    + (query.isEmpty() ? "" : query + "&") + "offset=" + (offset + limit)));
        }
        page.put("links", links);
        ctx.json(page);
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n != null && n.isTextual() && !n.asText().isEmpty() ? n.asText() : null;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long number(Context ctx, String name, long otherwise, long min, long max) {
        String text = ctx.queryParam(name);
        if (text == null) return otherwise;
        try {
            long n = Long.parseLong(text);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.badRequest(name, name + " must be a whole number" + (max == Long.MAX_VALUE ? " from " + min
                : " from " + min + " to " + max));
    }

    private static Instant time(Context ctx, String name) {
        String text = ctx.queryParam(name);
        if (text == null) return null;
        try {
            return Instants.dateTime(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(name, name + " must be an RFC 3339 date-time, like 2026-12-05T09:00:00Z");
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static ProblemException unauthorized(Context ctx, String detail, String error) {
        ctx.header("WWW-Authenticate", error == null ? CHALLENGE : CHALLENGE + ", error=\"" + error + "\"");
        return new ProblemException(Problem.of(401, "Unauthorized", detail));
    }

    /** What needs no credentials even when reads are not public: liveness, readiness, and signing in. */
    private static boolean openToAll(String path) {
        return path.equals("/health") || path.equals("/ready") || path.startsWith("/auth/") || path.startsWith("/map/");
    }

    private static String reason(Context ctx) {
        String reason = ctx.header("X-Change-Reason");
        String type = ctx.contentType();
        if (reason == null && type != null && type.startsWith("application/json")) {
            try {
                JsonNode body = Json.mapper().readTree(ctx.body());
                if (body != null && body.path("reason").isTextual()) reason = body.get("reason").asText();
            } catch (IOException e) {
                // The handler reports a malformed body naming it; the reason is then simply absent.
            }
        }
        if (reason == null || reason.isBlank()) return null;
        reason = reason.strip();
        return reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
    }
}
