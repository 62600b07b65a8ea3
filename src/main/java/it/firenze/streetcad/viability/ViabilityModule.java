package it.firenze.streetcad.viability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import it.firenze.streetcad.access.AccessHttp;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Principal;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.api.AllowedMethods;
import it.firenze.streetcad.api.HttpModule;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.api.Problem;
import it.firenze.streetcad.api.ProblemException;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.features.Crs;
import it.firenze.streetcad.features.FeatureStore;
import it.firenze.streetcad.features.FeatureType;
import it.firenze.streetcad.features.ItemResponses;
import it.firenze.streetcad.features.ItemResponses.Expected;
import it.firenze.streetcad.features.Params;
import it.firenze.streetcad.features.Responses;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;

/**
 * The viability interface other city systems are written against: measures, works sites and ordinances created
 * and moved along their lifecycle (Part 4 style writes on their collections; reads go through OGC API Features),
 * the network at an instant, routes, the impact of a measure, conflicts and the DATEX II feed.
 * Handlers are thin: they parse, ask {@link Viability} or {@link Routing}, and write.
 */
public final class ViabilityModule implements HttpModule {

    private static final String GEOJSON = "application/geo+json";
    static final String MEASURES = "/collections/viability-measures/items";
    static final String WORKS = "/collections/works/items";
    static final String ORDINANCES = "/collections/ordinances/items";
    private static final FeatureType ORDINANCE_ITEMS = FeatureType.byId("ordinances").orElseThrow();

    private final Viability viability;
    private final Routing routing;
    private final Datex2 datex2;
    private final FeatureStore features;

    public ViabilityModule(Database database, Routing routing, double conflictDistance) {
        this.viability = new Viability(database, conflictDistance);
        this.routing = routing;
        this.datex2 = new Datex2(database);
        this.features = new FeatureStore(database);
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.post(MEASURES, mapped(ctx -> created(ctx, MEASURES, viability.createMeasure(writer(ctx), body(ctx)))));
        routes.patch(MEASURES + "/{id}", mapped(ctx -> written(ctx, viability.setMeasureStatus(writer(ctx), id(ctx),
                status(ctx), ifMatch(ctx)), 200)));
        routes.post(WORKS, mapped(ctx -> created(ctx, WORKS, viability.createWorks(writer(ctx), body(ctx)))));
        routes.patch(WORKS + "/{id}", mapped(ctx -> written(ctx, viability.setWorksStatus(writer(ctx), id(ctx),
                status(ctx), ifMatch(ctx)), 200)));
        routes.post(ORDINANCES, mapped(ctx -> {
            long id = viability.createOrdinance(writer(ctx), body(ctx));
            ctx.header("Location", ORDINANCES + "/" + id);
            ordinance(ctx, id, 201);
        }));
        routes.patch(ORDINANCES + "/{id}", mapped(ctx -> {
            viability.setOrdinanceStatus(writer(ctx), id(ctx), status(ctx), ifMatch(ctx));
            ordinance(ctx, id(ctx), 200);
        }));
        for (String items : List.of(MEASURES, WORKS, ORDINANCES)) {
            AllowedMethods.declare(routes, items, "GET, HEAD, POST, OPTIONS", "application/geo+json, application/json", null);
            AllowedMethods.declare(routes, items + "/{id}", "GET, HEAD, PATCH, OPTIONS", null, "application/json");
        }
        routes.get("/viability/measures", mapped(this::streetMeasures));
        routes.get("/viability/measures/{id}", mapped(ctx -> read(ctx, viability.measure(id(ctx)))));
        routes.get("/viability/measures/{id}/impact", mapped(this::impact));
        routes.get("/viability/works/{id}", mapped(ctx -> read(ctx, viability.works(id(ctx)))));
        routes.get("/viability/conflicts", mapped(this::conflicts));
        // Like every other route, these name a parameter they do not take rather than answer as if it were not sent.
        routes.get("/viability/datex2", mapped(ctx -> {
            only(ctx);
            Responses.send(ctx, datex2.situationPublication(Instant.now()), "application/xml");
        }));
        routes.get("/network/state", mapped(ctx -> {
            only(ctx, "datetime");
            Responses.send(ctx, viability.networkState(instant(ctx)), GEOJSON);
        }));
        routes.get("/network/route", mapped(this::route));
    }

    /** The domain's refusals as problems: the status from the reason, the field as the parameter. */
    private static Handler mapped(Handler h) {
        return ctx -> {
            try {
                h.handle(ctx);
            } catch (ViabilityException e) {
                throw problem(e);
            }
        };
    }

    /** A measure, works site or ordinance written: operators, and utilities (editors of an organisation). */
    private static Actor writer(Context ctx) {
        Principal p = AccessHttp.principal(ctx).orElse(null);
        return AccessHttp.actor(ctx, p != null && p.has(Role.OPERATOR) ? Role.OPERATOR
                : p != null && p.has(Role.ADMIN) ? Role.ADMIN : Role.EDITOR);
    }

    static ProblemException problem(ViabilityException e) {
        Problem p = switch (e.reason()) {
            case INVALID -> Problem.of(400, "Bad request", e.getMessage());
            case UNRESOLVED -> Problem.of(422, "Unprocessable location", e.getMessage());
            case FORBIDDEN -> Problem.of(403, "Forbidden", e.getMessage());
            case NOT_FOUND -> Problem.of(404, "Not found", e.getMessage());
            case STALE -> Problem.of(412, "Precondition failed", e.getMessage());
            case DUPLICATE -> Problem.of(409, "Conflict", e.getMessage());
        };
        if (e.code() != null) p = p.withCode(e.code()).withMembers(e.figures());
        return new ProblemException(e.field() == null ? p : p.withParameter(e.field()));
    }

    /**
     * The body of a write, which must say it is JSON (a Feature, or a status change), as the cadastre's own collections
     * ask (Part 4): a 400 without a Content-Type, a 415 with another one.
     */
    private static String jsonBody(Context ctx) {
        String type = ctx.contentType();
        if (type == null) {
            throw ProblemException.badRequest("Content-Type", "Say what the body is with a Content-Type header: "
                    + GEOJSON + " or application/json.");
        }
        String lower = type.toLowerCase(java.util.Locale.ROOT);
        if (!lower.startsWith("application/json") && !lower.startsWith(GEOJSON)
                && !lower.startsWith("application/merge-patch+json")) {
            throw new ProblemException(Problem.of(415, "Unsupported media type", "Send the body as " + GEOJSON
                    + " or application/json."));
        }
        return ctx.body();
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode n = Json.mapper().readTree(jsonBody(ctx));
            if (n == null || !n.isObject() || !"Feature".equals(n.path("type").asText())) {
                throw ProblemException.badRequest("type", "The body is a GeoJSON Feature.");
            }
            return n;
        } catch (IOException e) {
            throw ProblemException.badRequest("body", "The body is not JSON.");
        }
    }

    /** The new status of a PATCH: {"status": …} or a Feature whose properties hold it. */
    private static String status(Context ctx) {
        JsonNode n;
        try {
            n = Json.mapper().readTree(jsonBody(ctx));
        } catch (IOException e) {
            throw ProblemException.badRequest("body", "The body is not JSON.");
        }
        JsonNode s = n == null ? null : n.has("properties") ? n.get("properties").get("status") : n.get("status");
        if (s == null || !s.isTextual()) throw ProblemException.badRequest("status", "The change names the new status.");
        return s.asText();
    }

    /**
     * If-Match with the version the client read, an item's ETag as every item read gives it ({@code "3"}, or
     * {@code "3-3003"} read in another CRS), or {@code *}; any version when not sent, since a status change may
     * be made without it.
     */
    private static Expected ifMatch(Context ctx) {
        String h = ctx.header("If-Match");
        if (h == null) return Expected.ANY;
        return ItemResponses.expected(h).orElseThrow(() -> new ProblemException(Problem.of(412,
                "Precondition failed", "If-Match holds the ETag read, as \"3\".")));
    }

    private static long id(Context ctx) {
        return Params.pathId(ctx.pathParam("id"), "record");
    }

    private static void created(Context ctx, String collection, ObjectNode feature) {
        ctx.header("Location", collection + "/" + feature.get("id").asLong());
        written(ctx, feature, 201);
    }

    /**
     * A measure or works site written (created, or moved along its lifecycle), answered as {@link #read} answers
     * with it, body and ETag, so that a client sends that ETag back in its next If-Match without reading again:
     * the answer once had the bare version as ETag when created and a digest of the bytes, which no If-Match takes,
     * when changed.
     */
    private static void written(Context ctx, ObjectNode feature, int status) {
        String text = feature.toString();
        ctx.header("ETag", ItemResponses.etag(feature, text));
        Responses.allowCrossOrigin(ctx);
        ctx.status(status);
        Responses.text(ctx, GEOJSON, text);
    }

    /**
     * A measure or works site read with its current conflicts, with an item's ETag (its version and a digest of
     * the record as sent), which If-Match takes as the collection item's.
     */
    private static void read(Context ctx, ObjectNode feature) {
        String text = feature.toString();
        Responses.send(ctx, text.getBytes(StandardCharsets.UTF_8), GEOJSON, ItemResponses.etag(feature, text));
    }

    /**
     * An ordinance written, answered as a read of it gives it (OGC API Features Part 4), its geometry and ETag
     * included: the write once answered with its own rendering, a GeometryCollection where reads gave a
     * MultiLineString.
     */
    private void ordinance(Context ctx, long id, int status) throws SQLException {
        ItemResponses.send(ctx, features, ORDINANCE_ITEMS, id, Crs.CRS84, null, status, null);
    }

    private static void geojson(Context ctx, ObjectNode body) {
        Responses.send(ctx, body.toString(), GEOJSON);
    }

    /** datetime: an RFC 3339 instant; now when absent. */
    private static Instant instant(Context ctx) {
        String d = ctx.queryParam("datetime");
        return d == null || d.equals("now") ? Instant.now() : Params.instant("datetime", d).toInstant();
    }

    private void route(Context ctx) throws SQLException {
        only(ctx, "from", "to", "datetime", "profile");
        double[] from = lonLat(ctx, "from");
        double[] to = lonLat(ctx, "to");
        String p = ctx.queryParam("profile");
        Profile profile = p == null ? Profile.CAR : Profile.of(p).orElseThrow(() -> ProblemException.badRequest("profile",
                "profile is car, emergency, bus or pedestrian."));
        geojson(ctx, routing.route(from, to, instant(ctx), profile));
    }

    private void impact(Context ctx) throws SQLException {
        only(ctx, "profile");
        String p = ctx.queryParam("profile");
        Profile profile = p == null ? Profile.CAR : Profile.of(p).orElseThrow(() -> ProblemException.badRequest("profile",
                "profile is car, emergency, bus or pedestrian."));
        geojson(ctx, routing.impact(viability.loadMeasure(id(ctx)), profile));
    }

    /** ?element=: the measures in force and planned on that element's street. */
    private void streetMeasures(Context ctx) throws SQLException {
        only(ctx, "element");
        String e = ctx.queryParam("element");
        if (e == null || !e.matches("\\d{1,18}")) throw ProblemException.badRequest("element", "element=<road element id> is required.");
        geojson(ctx, viability.streetMeasures(Long.parseLong(e), Instant.now()));
    }

    private void conflicts(Context ctx) throws SQLException {
        only(ctx, "datetime");
        Instant start = null, end = null;
        String d = ctx.queryParam("datetime");
        if (d != null) {
            OffsetDateTime[] interval = Params.interval("datetime", d);
            start = interval[0] == null ? null : interval[0].toInstant();
            // The interval holds its last instant, so the half-open range the conflicts are looked for in ends a
            // microsecond (PostgreSQL's resolution) after it.
            end = interval[1] == null ? null : interval[1].toInstant().plusNanos(1_000);
        }
        ObjectNode body = Json.mapper().createObjectNode();
        var list = viability.conflicts(start, end);
        body.put("numberReturned", list.size());
        body.set("conflicts", list);
        Responses.send(ctx, body.toString(), "application/json");
    }

    private static double[] lonLat(Context ctx, String name) {
        String text = ctx.queryParam(name);
        if (text == null) throw ProblemException.badRequest(name, name + "=lon,lat (CRS84) is required.");
        double[] n = Params.numbers(name, text, 2);
        if (Math.abs(n[0]) > 180 || Math.abs(n[1]) > 90) {
            throw ProblemException.badRequest(name, name + " is longitude,latitude in degrees.");
        }
        return n;
    }

    private static void only(Context ctx, String... allowed) {
        Set<String> names = Set.of(allowed);
        for (String k : ctx.queryParamMap().keySet()) {
            if (!names.contains(k)) {
                throw ProblemException.badRequest(k, "'" + Params.abbreviate(k) + "' is not a parameter of " + ctx.path() + ".");
            }
        }
    }
}
