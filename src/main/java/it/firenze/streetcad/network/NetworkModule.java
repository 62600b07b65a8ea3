package it.firenze.streetcad.network;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import it.firenze.streetcad.api.HttpModule;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.api.ProblemException;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.features.Params;
import it.firenze.streetcad.features.Responses;

import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * Road-network operations that a generic feature server does not offer: snapping to the nearest element,
 * linear referencing along an element (measures in metres from its start, the cadastre's "progressiva"),
 * a junction with its elements, and the street-name search.
 */
public final class NetworkModule implements HttpModule {

    static final double DEFAULT_MAX_DISTANCE = 500;
    static final double MAX_MAX_DISTANCE = 10_000;
    static final int DEFAULT_NEAREST = 1;
    static final int MAX_NEAREST = 50;
    static final int DEFAULT_ROADS = 10;
    static final int MAX_ROADS = 100;
    private static final String GEOJSON = "application/geo+json";

    private final NetworkStore store;

    public NetworkModule(Database database) {
        this.store = new NetworkStore(database);
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/network/nearest", this::nearest);
        routes.get("/network/elements/{elementId}/measure", this::measure);
        routes.get("/network/elements/{elementId}/point", this::point);
        routes.get("/network/elements/{elementId}/substring", this::substring);
        routes.get("/network/junctions/{junctionId}", this::junction);
        routes.get("/roads", this::roads);
        for (String path : List.of("/network/nearest", "/network/elements/{elementId}/measure",
                "/network/elements/{elementId}/point", "/network/elements/{elementId}/substring",
                "/network/junctions/{junctionId}", "/roads")) {
            routes.options(path, Responses::preflight);
        }
    }

    private void nearest(Context ctx) throws SQLException {
        only(ctx, "point", "max-distance", "limit");
        NetworkStore.LonLat p = lonLat(ctx);
        double maxDistance = DEFAULT_MAX_DISTANCE;
        String d = ctx.queryParam("max-distance");
        if (d != null) {
            maxDistance = Params.number("max-distance", d);
            if (maxDistance < 0 || maxDistance > MAX_MAX_DISTANCE) {
                throw ProblemException.badRequest("max-distance", "max-distance is metres from 0 to "
                        + (int) MAX_MAX_DISTANCE + ".");
            }
        }
        String l = ctx.queryParam("limit");
        int limit = l == null ? DEFAULT_NEAREST : Params.limit("limit", l, MAX_NEAREST);
        List<String> features = store.inStorageArea(p) ? store.nearest(p, maxDistance, limit) : List.of();
        String hint = "";
        if (features.isEmpty() && !store.nearCadastre(p, maxDistance)) {
            // Most often latitude and longitude swapped: a bare empty answer would not say so.
            hint = ",\"hint\":" + Json.mapper().valueToTree(outsideCadastre(p)).toString();
        }
        Responses.send(ctx, "{\"type\":\"FeatureCollection\",\"numberReturned\":" + features.size() + hint
                + ",\"features\":[" + String.join(",", features) + "]}", GEOJSON);
    }

    private static String outsideCadastre(NetworkStore.LonLat p) {
        return "The point " + p.lon() + "," + p.lat() + " lies outside the cadastre's extent; point is "
                + "longitude,latitude (CRS84), in that order.";
    }

    private void measure(Context ctx) throws SQLException {
        only(ctx, "point");
        long id = id(ctx, "elementId", "road element");
        NetworkStore.LonLat p = lonLat(ctx);
        if (!store.inStorageArea(p)) throw ProblemException.badRequest("point", outsideCadastre(p));
        Responses.send(ctx, store.measure(id, p).orElseThrow(() -> noElement(id)), GEOJSON);
    }

    private void point(Context ctx) throws SQLException {
        only(ctx, "m");
        NetworkStore.Element e = element(ctx);
        double m = measure(ctx, "m", e);
        Responses.send(ctx, store.pointAt(e, m), GEOJSON);
    }

    private void substring(Context ctx) throws SQLException {
        only(ctx, "from", "to");
        NetworkStore.Element e = element(ctx);
        double from = measure(ctx, "from", e);
        double to = measure(ctx, "to", e);
        if (to < from) {
            throw ProblemException.badRequest("to", "to (" + to + " m) must not be before from (" + from + " m).");
        }
        Responses.send(ctx, store.substring(e, from, to), GEOJSON);
    }

    private void junction(Context ctx) throws SQLException {
        only(ctx);
        long id = id(ctx, "junctionId", "junction");
        Responses.send(ctx, store.junction(id).orElseThrow(() -> ProblemException.notFound("There is no junction "
                + id + ".")), GEOJSON);
    }

    private void roads(Context ctx) throws SQLException {
        only(ctx, "q", "limit");
        String q = ctx.queryParam("q");
        if (q == null || q.isBlank()) throw ProblemException.badRequest("q", "q, the street name to search, is required.");
        if (q.length() > 200) throw ProblemException.badRequest("q", "q is a street name: at most 200 characters.");
        String l = ctx.queryParam("limit");
        int limit = l == null ? DEFAULT_ROADS : Params.limit("limit", l, MAX_ROADS);
        ObjectNode body = Json.mapper().createObjectNode();
        ArrayNode roads = body.putArray("roads");
        for (NetworkStore.RoadMatch r : store.searchRoads(StreetNames.expand(q), limit)) {
            ObjectNode o = roads.addObject().put("id", r.id()).put("name", r.name()).put("score", r.score());
            if (r.bbox() == null) o.putNull("bbox");
            else {
                ArrayNode b = o.putArray("bbox");
                for (double v : r.bbox()) b.add(v);
            }
            o.put("elementCount", r.elementCount());
        }
        Responses.send(ctx, body.toString(), "application/json");
    }

    private static void only(Context ctx, String... allowed) {
        Set<String> names = Set.of(allowed);
        for (var e : ctx.queryParamMap().entrySet()) {
            if (!names.contains(e.getKey())) {
                throw ProblemException.badRequest(e.getKey(), "'" + Params.abbreviate(e.getKey()) + "' is not a "
                        + "parameter of " + ctx.path() + ".");
            }
            if (e.getValue().size() > 1) throw ProblemException.badRequest(e.getKey(), "Give " + e.getKey() + " once.");
        }
    }

    private static NetworkStore.LonLat lonLat(Context ctx) {
        String text = ctx.queryParam("point");
        if (text == null) throw ProblemException.badRequest("point", "point=lon,lat (CRS84) is required.");
        double[] n = Params.numbers("point", text, 2);
        if (Math.abs(n[0]) > 180 || Math.abs(n[1]) > 90) {
            throw ProblemException.badRequest("point", "point is longitude,latitude in degrees; " + text
                    + " is off the globe.");
        }
        return new NetworkStore.LonLat(n[0], n[1]);
    }

    private static long id(Context ctx, String parameter, String what) {
        return Params.pathId(ctx.pathParam(parameter), what);
    }

    private NetworkStore.Element element(Context ctx) throws SQLException {
        long id = id(ctx, "elementId", "road element");
        return store.element(id).orElseThrow(() -> noElement(id));
    }

    private static ProblemException noElement(long id) {
        return ProblemException.notFound("There is no road element " + id + ".");
    }

    /** A measure in metres that lies on the element: from 0 to its length. */
    private static double measure(Context ctx, String parameter, NetworkStore.Element e) {
        String text = ctx.queryParam(parameter);
        if (text == null) throw ProblemException.badRequest(parameter, parameter + " (metres from the start) is required.");
        double m = Params.number(parameter, text);
        if (m < 0 || m > e.length() + 0.001) {
            throw ProblemException.badRequest(parameter, String.format(java.util.Locale.ROOT,
                    "%s = %s m is off road element %d, whose measures run from 0 to %.3f m.", parameter, text.strip(),
                    e.id(), e.length()));
        }
        return Math.min(m, e.length());
    }
}
