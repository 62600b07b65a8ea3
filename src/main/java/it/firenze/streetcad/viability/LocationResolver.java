package it.firenze.streetcad.viability;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.network.StreetNames;
import org.jgrapht.GraphPath;
import org.jgrapht.alg.shortestpath.DijkstraManyToManyShortestPaths;
import org.jgrapht.graph.WeightedPseudograph;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a location as the city writes it into stretches of live road elements: "Via dei Calzaiuoli, between
 * Piazza del Duomo and Via del Corso" becomes the junction-to-junction elements of the named road between the
 * junctions it shares with the two cross streets; an explicit list of elements is checked against the network.
 * Anything not found is named by its field ({@code location.from_road}).
 */
final class LocationResolver {

    /** Below this trigram similarity a typed name is not taken to mean a road. */
    private static final double MIN_SIMILARITY = 0.5;
    private static final Set<String> DIRECTIONS = Set.of("both", "forward", "backward");

    private LocationResolver() {
    }

    static List<Stretch> resolve(Connection c, JsonNode location) throws SQLException {
        List<Stretch> stretches;
        if (location.has("elements")) stretches = elements(c, location.get("elements"));
        else if (location.has("points")) stretches = alongStreet(c, location);
        else if (location.has("road")) stretches = between(c, location);
        else throw ViabilityException.invalid("location", FORMS);
        holdLive(c, stretches, location.has("elements"));
        return stretches;
    }

    /**
     * Keeps the elements a measure is placed on live until the caller's transaction ends: a share lock that a
     * retirement (an update of the row) waits for, and that waits for a retirement under way, then sees it. Without
     * it a measure placed while its element was being retired was saved on the retired element.
     */
    private static void holdLive(Connection c, List<Stretch> stretches, boolean listed) throws SQLException {
        Long[] ids = stretches.stream().map(Stretch::elementId).distinct().sorted().toArray(Long[]::new);
        Set<Long> live = new HashSet<>();
        try (PreparedStatement st = c.prepareStatement("SELECT id FROM " + LiveNetwork.ELEMENTS
                + " WHERE id = ANY (?) ORDER BY id FOR SHARE")) {
            st.setArray(1, c.createArrayOf("int8", ids));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) live.add(rs.getLong(1));
            }
        }
        for (int i = 0; i < stretches.size(); i++) {
            long id = stretches.get(i).elementId();
            if (!live.contains(id)) {
                // Listed elements are the stretches in their order; a street's were found from its names or points.
                throw ViabilityException.unresolved(listed ? "location.elements[" + i + "].id" : "location",
                        "There is no live road element " + id + ": it was retired while the measure was being placed.");
            }
        }
    }

    /** The location's three forms, for the refusals that name them. */
    static final String FORMS = "location is {\"road\", \"from_road\", \"to_road\"}, {\"points\": [[lon, lat], "
            + "[lon, lat]]} (two points picked along one street, optionally with \"road\") or "
            + "{\"elements\": [{\"id\", \"from_m\", \"to_m\", \"direction\"}]}.";

    private static List<Stretch> elements(Connection c, JsonNode list) throws SQLException {
        if (!list.isArray() || list.isEmpty()) {
            throw ViabilityException.invalid("location.elements", "location.elements is a non-empty array.");
        }
        List<Stretch> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT length_m FROM " + LiveNetwork.ELEMENTS + " e WHERE id = ?")) {
            for (int i = 0; i < list.size(); i++) {
                JsonNode e = list.get(i);
                String field = "location.elements[" + i + "]";
                if (!e.path("id").canConvertToLong()) throw ViabilityException.invalid(field + ".id", field + ".id is an element id.");
                long id = e.get("id").asLong();
                st.setLong(1, id);
                double length;
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) throw ViabilityException.unresolved(field + ".id", "There is no live road element " + id + ".");
                    length = rs.getDouble(1);
                }
                double from = metres(e, "from_m", field, 0);
                double to = metres(e, "to_m", field, length);
                if (from < 0 || from > length + 0.001) {
                    throw ViabilityException.unresolved(field + ".from_m", String.format(Locale.ROOT,
                            "from_m %.3f is off element %d, whose measures run from 0 to %.3f m.", from, id, length));
                }
                // A stretch has a length: from_m = to_m would make a point, which no measure's line can hold.
                if (to <= from || to > length + 0.001) {
                    throw ViabilityException.unresolved(field + ".to_m", String.format(Locale.ROOT,
                            "to_m %.3f must lie after from_m and at most at %.3f, the length of element %d.", to, length,
                            id));
                }
                String direction = e.path("direction").asText("both");
                if (!DIRECTIONS.contains(direction)) {
                    throw ViabilityException.invalid(field + ".direction", "direction is both, forward or backward.");
                }
                out.add(new Stretch(id, from, Math.min(to, length), direction));
            }
        }
        return out;
    }

    /** One element of the named road, undirected, for the walk between the cross streets. */
    private record Piece(long id, long from, long to, double length) {
    }

    private static List<Stretch> between(Connection c, JsonNode location) throws SQLException {
        String roadName = Measure.text(location, "road", true);
        String fromName = required(location, "from_road");
        String toName = required(location, "to_road");
        String direction = location.path("direction").asText("both");
        if (!Set.of("both", "from_to", "to_from").contains(direction)) {
            throw ViabilityException.invalid("location.direction", "location.direction is both, from_to (travelling from "
                    + "from_road towards to_road) or to_from.");
        }
        Long[] road = roads(c, roadName, "location.road");
        Long[] fromRoad = roads(c, fromName, "location.from_road");
        Long[] toRoad = roads(c, toName, "location.to_road");

        WeightedPseudograph<Long, Piece> g = street(c, road);
        Set<Long> starts = meeting(c, fromRoad, g.vertexSet());
        if (starts.isEmpty()) {
            throw ViabilityException.unresolved("location.from_road", fromName + " does not meet " + roadName + ".");
        }
        Set<Long> ends = meeting(c, toRoad, g.vertexSet());
        if (ends.isEmpty()) throw ViabilityException.unresolved("location.to_road", toName + " does not meet " + roadName + ".");

        var paths = new DijkstraManyToManyShortestPaths<>(g).getManyToManyPaths(starts, ends);
        GraphPath<Long, Piece> best = null;
        for (long s : starts) {
            for (long e : ends) {
                GraphPath<Long, Piece> p = paths.getPath(s, e);
                if (p != null && !p.getEdgeList().isEmpty() && (best == null || p.getWeight() < best.getWeight())) best = p;
            }
        }
        if (best == null) {
            throw ViabilityException.unresolved("location.to_road", roadName + " does not run continuously between "
                    + fromName + " and " + toName + ".");
        }
        List<Stretch> out = new ArrayList<>();
        List<Long> junctions = best.getVertexList();
        for (int i = 0; i < best.getEdgeList().size(); i++) {
            Piece p = best.getEdgeList().get(i);
            boolean alongDigitised = p.from == junctions.get(i) && p.to == junctions.get(i + 1);
            String d = switch (direction) {
                case "from_to" -> alongDigitised ? "forward" : "backward";
                case "to_from" -> alongDigitised ? "backward" : "forward";
                default -> "both";
            };
            out.add(new Stretch(p.id, 0, p.length, d));
        }
        return out;
    }

    /** The live elements of the given roads joined at their junctions, undirected, weighted by length. */
    private static WeightedPseudograph<Long, Piece> street(Connection c, Long[] roads) throws SQLException {
        WeightedPseudograph<Long, Piece> g = new WeightedPseudograph<>(Piece.class);
        try (PreparedStatement st = c.prepareStatement("SELECT id, from_junction, to_junction, length_m FROM "
                + LiveNetwork.ELEMENTS + " e WHERE road_id = ANY (?) AND from_junction IS NOT NULL AND to_junction IS NOT NULL")) {
            st.setArray(1, c.createArrayOf("bigint", roads));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Piece p = new Piece(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getDouble(4));
                    g.addVertex(p.from);
                    g.addVertex(p.to);
                    g.addEdge(p.from, p.to, p);
                    g.setEdgeWeight(p, p.length);
                }
            }
        }
        return g;
    }

    /** A point picked on the map, snapped onto a live element: the element, its road's rows and the measure there. */
    private record Picked(Piece element, Long[] roads, String roadName, double measure) {
    }

    /**
     * Two points picked along one street: each snaps onto the street (the named {@code road}, or else the street
     * the first point lies on), and the location is the street between them — a part of each end element and the
     * whole elements between, along the street's shortest connection. Both points on one element give one stretch.
     */
    private static List<Stretch> alongStreet(Connection c, JsonNode location) throws SQLException {
        JsonNode points = location.get("points");
        if (!points.isArray() || points.size() != 2) {
            throw ViabilityException.invalid("location.points", "location.points is two [lon, lat] positions along one street.");
        }
        Long[] named = location.has("road") ? roads(c, Measure.text(location, "road", true), "location.road") : null;
        Picked a = pick(c, points.get(0), "location.points[0]", named);
        Picked b = pick(c, points.get(1), "location.points[1]", a.roads);
        if (a.element.id == b.element.id) {
            return List.of(new Stretch(a.element.id, Math.min(a.measure, b.measure), Math.max(a.measure, b.measure), "both"));
        }
        WeightedPseudograph<Long, Piece> g = street(c, a.roads);
        // Leaving A's element by either end and entering B's by either: the shortest of the four is the stretch.
        var paths = new DijkstraManyToManyShortestPaths<>(g).getManyToManyPaths(
                Set.of(a.element.from, a.element.to), Set.of(b.element.from, b.element.to));
        GraphPath<Long, Piece> best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        long leave = -1, enter = -1;
        for (long s : List.of(a.element.from, a.element.to)) {
            for (long e : List.of(b.element.from, b.element.to)) {
                GraphPath<Long, Piece> p = paths.getPath(s, e);
                if (p == null || p.getEdgeList().contains(a.element) || p.getEdgeList().contains(b.element)) continue;
                double cost = (s == a.element.to ? a.element.length - a.measure : a.measure) + p.getWeight()
                        + (e == b.element.from ? b.measure : b.element.length - b.measure);
                if (cost < bestCost) {
                    bestCost = cost;
                    best = p;
                    leave = s;
                    enter = e;
                }
            }
        }
        if (best == null) {
            throw ViabilityException.unresolved("location.points", "The two points are not on one connected street: "
                    + a.roadName + " does not run continuously between them.");
        }
        List<Stretch> out = new ArrayList<>();
        out.add(leave == a.element.to ? new Stretch(a.element.id, a.measure, a.element.length, "both")
                : new Stretch(a.element.id, 0, a.measure, "both"));
        for (Piece p : best.getEdgeList()) out.add(new Stretch(p.id, 0, p.length, "both"));
        out.add(enter == b.element.from ? new Stretch(b.element.id, 0, b.measure, "both")
                : new Stretch(b.element.id, b.measure, b.element.length, "both"));
        return out;
    }

    /** How far from a street a picked point may lie, metres: a click on the map, not a guess across the block. */
    static final double PICK_METRES = 30;

    /** The live element nearest a picked point, of the given roads when they are known, with every row of its street. */
    private static Picked pick(Connection c, JsonNode point, String field, Long[] roads) throws SQLException {
        if (point == null || !point.isArray() || point.size() != 2 || !point.get(0).isNumber() || !point.get(1).isNumber()
                || Math.abs(point.get(0).asDouble()) > 180 || Math.abs(point.get(1).asDouble()) > 90) {
            throw ViabilityException.invalid(field, field + " is [longitude, latitude] in degrees (CRS84).");
        }
        try (PreparedStatement st = c.prepareStatement("WITH p AS (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(?, ?), 4326), "
                + "Find_SRID(current_schema()::varchar, 'road_element', 'geom')) AS g) "
                + "SELECT e.id, e.from_junction, e.to_junction, e.length_m, ST_LineLocatePoint(e.geom, p.g) * e.length_m, "
                + "r.name, coalesce((SELECT array_agg(o.id) FROM road o WHERE o.name_search = r.name_search), ARRAY[r.id]) "
                + "FROM " + LiveNetwork.ELEMENTS + " e JOIN road r ON r.id = e.road_id, p "
                + "WHERE ST_DWithin(e.geom, p.g, ?) AND e.from_junction IS NOT NULL AND e.to_junction IS NOT NULL "
                + "AND (?::bigint[] IS NULL OR e.road_id = ANY (?::bigint[])) ORDER BY e.geom <-> p.g, e.id LIMIT 1")) {
            st.setDouble(1, point.get(0).asDouble());
            st.setDouble(2, point.get(1).asDouble());
            st.setDouble(3, PICK_METRES);
            Array wanted = roads == null ? null : c.createArrayOf("bigint", roads);
            st.setArray(4, wanted);
            st.setArray(5, wanted);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw ViabilityException.unresolved(field, roads == null
                            ? "No named street lies within " + (int) PICK_METRES + " m of " + field + "."
                            : field + " is not on the same street as the other point (none of it lies within "
                            + (int) PICK_METRES + " m).");
                }
                Piece e = new Piece(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getDouble(4));
                double m = Math.max(0, Math.min(e.length, rs.getDouble(5)));
                return new Picked(e, (Long[]) rs.getArray(7).getArray(), rs.getString(6), Math.round(m * 1000) / 1000.0);
            }
        }
    }

    private static String required(JsonNode location, String name) {
        JsonNode n = location.get(name);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw ViabilityException.invalid("location." + name, "location." + name + " names the cross street.");
        }
        return n.asText().strip();
    }

    /**
     * The roads a typed name means: those whose folded name is the folded query, or else every road sharing the
     * folded name of the most similar one (one street is often several rows, one per stretch or source).
     */
    private static Long[] roads(Connection c, String typed, String field) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("WITH q AS (SELECT fold_name(?) AS t), best AS ("
                + "SELECT r.name_search FROM road r, q WHERE r.name_search = q.t OR r.name_search % q.t "
                + "ORDER BY r.name_search = q.t DESC, similarity(r.name_search, q.t) DESC LIMIT 1) "
                + "SELECT array_agg(r.id), max(similarity(r.name_search, (SELECT t FROM q))) FROM road r "
                + "JOIN best b ON b.name_search = r.name_search")) {
            st.setString(1, StreetNames.expand(typed));
            try (ResultSet rs = st.executeQuery()) {
                Array ids = rs.next() ? rs.getArray(1) : null;
                if (ids == null || rs.getDouble(2) < MIN_SIMILARITY) {
                    throw ViabilityException.unresolved(field, "There is no road named '" + typed + "'.");
                }
                return (Long[]) ids.getArray();
            }
        }
    }

    /** The junctions among {@code candidates} where a live element of the cross roads starts or ends. */
    private static Set<Long> meeting(Connection c, Long[] crossRoads, Set<Long> candidates) throws SQLException {
        Set<Long> out = new HashSet<>();
        try (PreparedStatement st = c.prepareStatement("SELECT from_junction, to_junction FROM " + LiveNetwork.ELEMENTS
                + " e WHERE road_id = ANY (?)")) {
            st.setArray(1, c.createArrayOf("bigint", crossRoads));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    for (int i = 1; i <= 2; i++) {
                        long j = rs.getLong(i);
                        if (!rs.wasNull() && candidates.contains(j)) out.add(j);
                    }
                }
            }
        }
        return out;
    }

    /** A measure along an element (metres from its start) the client gave as a finite number, else {@code otherwise}. */
    private static double metres(JsonNode element, String name, String field, double otherwise) {
        JsonNode n = element.get(name);
        if (n == null || n.isNull()) return otherwise;
        if (!n.isNumber() || !Double.isFinite(n.asDouble())) {
            throw ViabilityException.invalid(field + "." + name, field + "." + name + " is a number of metres from the "
                    + "element's start.");
        }
        return n.asDouble();
    }
}
