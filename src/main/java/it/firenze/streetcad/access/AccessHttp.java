package it.firenze.streetcad.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import it.firenze.streetcad.api.HttpModule;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.api.Problem;
import it.firenze.streetcad.api.ProblemException;
import it.firenze.streetcad.db.Database;

import it.firenze.streetcad.api.PublicBaseUrl;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.sql.SQLException;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Who is asking, for every request: an API key or a single sign-on token in {@code Authorization: Bearer}, or a
 * signed-in browser's session cookie; nobody otherwise. Handlers that change data call {@link #require} or
 * {@link #actor} with the role they need. The module must be registered for any of that to succeed: without it,
 * every {@code require} answers 401 (a server wired without access control refuses writes rather than allowing them).
 */
public final class AccessHttp implements HttpModule {

    private static final String ACCESS = "streetcad.access";
    private static final String PRINCIPAL = "streetcad.principal";
    private static final String CHALLENGE = "Bearer realm=\"streetcad\"";
    private static final int MAX_REASON = 1000;

    private final ApiKeys keys;
    private final AuditLog audit;
    private final boolean publicRead;

    /**
     * @param publicRead whether anyone may read; false makes every route but {@code /health} and {@code /ready}
     *                   (and what signing in needs) ask for at least {@code viewer}
     */
    public AccessHttp(Database db, boolean publicRead) {
        this.keys = new ApiKeys(db);
        this.audit = new AuditLog(db);
        this.publicRead = publicRead;
    }

    public ApiKeys keys() {
        return keys;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.before(ctx -> {
            ctx.attribute(ACCESS, this);
            // Credentials that are sent are checked on every route, reads included: a wrong key is an error to report,
            // not a reason to serve the request anonymously.
            if (ctx.header("Authorization") != null) principal(ctx);
            if (!publicRead && !openToAll(ctx.path())) require(ctx, Role.VIEWER);
        });
        routes.get("/audit", this::audit);
    }

    /** {@code GET /audit?since=&until=&principal=&collection=&id=&limit=&offset=}: the audit log, newest first (admin). */
    private void audit(Context ctx) throws SQLException {
        require(ctx, Role.ADMIN);
        int limit = (int) number(ctx, "limit", 100, 1, AuditLog.MAX_LIMIT);
        long offset = number(ctx, "offset", 0, 0, Long.MAX_VALUE);
        String idText = ctx.queryParam("id");
        Long id = idText == null ? null : number(ctx, "id", 0, Long.MIN_VALUE, Long.MAX_VALUE);
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
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(name, name + " must be an RFC 3339 date-time, like 2026-12-05T09:00:00Z");
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
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

    /** The principal asking, if any; 401 when credentials were sent and are not valid. */
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
        if (authorization == null) return null;
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() == 7) {
            throw unauthorized(ctx, "Only Authorization: Bearer <token> is understood here.", "invalid_request");
        }
        String token = authorization.substring(7).strip();
        try {
            return keys.authenticate(token).orElseThrow(() -> unauthorized(ctx,
                    "The bearer token is not a valid API key (unknown, revoked or expired).", "invalid_token"));
        } catch (SQLException e) {
            throw new IllegalStateException("checking an API key failed", e);
        }
    }

    private static ProblemException unauthorized(Context ctx, String detail, String error) {
        ctx.header("WWW-Authenticate", error == null ? CHALLENGE : CHALLENGE + ", error=\"" + error + "\"");
        return new ProblemException(Problem.of(401, "Unauthorized", detail));
    }

    private static boolean openToAll(String path) {
        return path.equals("/health") || path.equals("/ready");
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
