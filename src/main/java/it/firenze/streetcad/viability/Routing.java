package it.firenze.streetcad.viability;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.Database;
import org.locationtech.jts.geom.Coordinate;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Routing and detours on the live network at an instant. The graph and the binding measures are held in memory
 * and reloaded when the database says they changed (V11's revisions, read on every use, so a closure saved by any
 * instance applies to the next route).
 */
public final class Routing {

    /** How far from a street a point may be and still snap onto it, metres. */
    static final double SNAP_METRES = 500;

    private record Snapshot(long networkRevision, long measuresRevision, RoutingGraph graph, List<Measure> measures) {
    }

    private final Database database;
    private final ViabilityStore store;
    private final KeptMeasures binding;
    private volatile Snapshot snapshot;

    public Routing(Database database) {
        this.database = database;
        this.store = new ViabilityStore(database.storageSrid());
        this.binding = new KeptMeasures(store, ViabilityStore.BINDING);
    }

    /** Loads the graph now (it takes seconds on a city), so that the first route does not wait for it. */
    public void warmUp() throws SQLException {
        current();
    }

    private Snapshot current() throws SQLException {
        try (Connection c = database.connection()) {
            long[] rev = store.revisions(c);
            Snapshot s = snapshot;
            if (s != null && s.networkRevision == rev[0] && s.measuresRevision == rev[1]) return s;
            synchronized (this) {
                s = snapshot;
                if (s != null && s.networkRevision == rev[0] && s.measuresRevision == rev[1]) return s;
                RoutingGraph g = s != null && s.networkRevision == rev[0] ? s.graph : RoutingGraph.load(c);
                snapshot = new Snapshot(rev[0], rev[1], g, binding.at(c, rev[1]));
                return snapshot;
            }
        }
    }

    /**
     * The shortest route between two points (CRS84) for a profile at an instant, as a GeoJSON Feature with
     * length_m, duration_s and the streets in order; a NOT_FOUND problem saying why when there is none.
     */
    public ObjectNode route(double[] from, double[] to, Instant t, Profile profile) throws SQLException {
        Snapshot s = current();
        Router router = new Router(s.graph, profile, Router.effects(s.graph, s.measures, t, profile));
        long a = s.graph.snap(from[0], from[1], SNAP_METRES, router::usable);
        if (a < 0) {
            throw noRoute("from", NO_STREET_NEAR, "No street a " + profile.id() + " may use lies within "
                    + (int) SNAP_METRES + " m of from.");
        }
        long b = s.graph.snap(to[0], to[1], SNAP_METRES, router::usable);
        if (b < 0) {
            throw noRoute("to", NO_STREET_NEAR, "No street a " + profile.id() + " may use lies within "
                    + (int) SNAP_METRES + " m of to.");
        }
        Router.Route r = router.route(a, b);
        if (r == null) {
            // Whether the network itself joins them, and where it comes nearest when it does not, before the way
            // the measures cut: a breadth-first walk, cheaper than the A* that would fail on the same component.
            Router network = new Router(s.graph, profile, Map.of());
            Router.Gap gap = network.gap(a, b);
            if (gap != null) throw notConnected(gap, profile);
            Router.Route free = network.route(a, b);
            if (free == null) throw notConnected(null, profile);
            long length = Math.round(free.lengthM()), duration = Math.round(free.durationS());
            throw noRoute("to", CUT_OFF_BY_MEASURES, Map.of("profile", profile.id(), "datetime", t.toString(),
                    "length_m", length, "duration_s", duration), "The destination is cut off at " + t + " by the "
                    + "measures in force then (closures, one-way orders or restrictions); without them the route would "
                    + "be " + length + " m (" + duration + " s).");
        }
        ObjectNode f = feature(s.graph, r);
        ((ObjectNode) f.get("properties")).put("profile", profile.id()).put("datetime", t.toString());
        return f;
    }

    /**
     * No way on the network itself, said with where it comes nearest to one (its figures as members beside the
     * English, for a client to say in its own words): the nearest junctions of the streets reachable from the origin
     * and of those leading to the destination, and the metres between them.
     */
    private static ViabilityException notConnected(Router.Gap gap, Profile profile) {
        String message = "The destination cannot be reached by " + profile.id() + " from the origin on this network.";
        if (gap == null) return noRoute("to", NOT_CONNECTED, Map.of("profile", profile.id()), message);
        double metres = Math.round(gap.metres() * 10) / 10.0;
        return noRoute("to", NOT_CONNECTED, Map.of("profile", profile.id(), "gap_m", metres, "gap_junctions",
                List.of(gap.reached(), gap.reaching())), message + " The streets reachable from the origin come within "
                + metres + " m of those leading to the destination (junctions " + gap.reached() + " and "
                + gap.reaching() + ").");
    }

    /** A route between two junctions, or null: for tests and the impact of a measure. */
    Router.Route routeBetweenJunctions(long from, long to, Instant t, Profile profile) throws SQLException {
        Snapshot s = current();
        return new Router(s.graph, profile, Router.effects(s.graph, s.measures, t, profile)).route(from, to);
    }

    // Why there is no route or detour, as the stable words of the answers' code member: the web map (i18n.js
    // routeRefusals) says each in the page's language; the English detail or reason stays beside it.
    static final String NO_STREET_NEAR = "no-street-near";
    static final String NOT_CONNECTED = "not-connected";
    static final String CUT_OFF_BY_MEASURES = "cut-off-by-measures";
    static final String NO_DETOUR = "no-detour";

    private static ViabilityException noRoute(String field, String code, String message) {
        return noRoute(field, code, Map.of(), message);
    }

    /** @param figures what the message states (a length, a time), as members a client says in its own words */
    private static ViabilityException noRoute(String field, String code, Map<String, Object> figures, String message) {
        return new ViabilityException(ViabilityException.Reason.NOT_FOUND, field, code, figures, message);
    }

    private static ObjectNode feature(RoutingGraph g, Router.Route r) {
        ObjectNode f = Json.mapper().createObjectNode().put("type", "Feature");
        ObjectNode geometry = f.putObject("geometry").put("type", "LineString");
        ArrayNode coords = geometry.putArray("coordinates");
        Coordinate last = null;
        for (RoutingGraph.Edge e : r.edges()) {
            Coordinate[] cs = g.lonLat[e.element()].getCoordinates();
            for (int k = 0; k < cs.length; k++) {
                Coordinate p = e.forward() ? cs[k] : cs[cs.length - 1 - k];
                if (last != null && p.equals2D(last)) continue;
                coords.addArray().add(round(p.x)).add(round(p.y));
                last = p;
            }
        }
        if (r.edges().isEmpty()) f.putNull("geometry");
        ObjectNode p = f.putObject("properties").put("length_m", millimetres(r.lengthM()))
                .put("duration_s", Math.round(r.durationS())).put("from_junction", r.from()).put("to_junction", r.to());
        ArrayNode streets = p.putArray("streets");
        r.streets().forEach(streets::add);
        p.put("description", describe(r.streets()));
        ArrayNode elements = p.putArray("elements");
        r.elements().forEach(elements::add);
        return f;
    }

    /** "Via X, poi Via Y": the streets in order, as a driver is told. */
    private static String describe(List<String> streets) {
        return String.join(", poi ", streets);
    }

    /** Lengths to the millimetre, as the elements' own lengths are given: a route is their sum. */
    private static double millimetres(double metres) {
        return Math.round(metres * 1000) / 1000.0;
    }

    private static double round(double v) {
        return Math.round(v * 1e7) / 1e7;
    }

    /**
     * What a closure does when it starts: for each closed stretch (a run of consecutive closed elements), the
     * detour between its ends compared with the way through it, and the streets no vehicle can reach any more.
     */
    public ObjectNode impact(Measure m, Profile profile) throws SQLException {
        Snapshot s = current();
        // Its start is its first window's, not its valid_from: a closure from 09:00 to 12:00 closes nothing at 00:00.
        Instant t = m.schedule().start() != null ? m.schedule().start() : m.schedule().from();
        RoutingGraph g = s.graph;
        Router before = new Router(g, profile, Router.effects(g, s.measures.stream().filter(x -> x.id() != m.id()).toList(),
                t, profile));
        List<Measure> with = new ArrayList<>(s.measures.stream().filter(x -> x.id() != m.id()).toList());
        with.add(new Measure(m.id(), m.kind(), "in_force", m.ordinanceId(), m.worksId(), m.organisation(),
                m.schedule(), m.exemptions(), m.value(), m.vehicleClasses(), m.stretches()));
        Router after = new Router(g, profile, Router.effects(g, with, t, profile));

        ObjectNode out = Json.mapper().createObjectNode().put("measure_id", m.id()).put("kind", m.kind())
                .put("profile", profile.id()).put("datetime", t.toString());
        ArrayNode detours = out.putArray("detours");
        for (List<Integer> run : runs(g, m.stretches())) {
            int first = run.getFirst(), last = run.getLast();
            long[] ends = ends(g, run);
            ObjectNode d = detours.addObject();
            ArrayNode els = d.putArray("elements");
            run.forEach(i -> els.add(g.elementId[i]));
            d.put("from_junction", ends[0]).put("to_junction", ends[1]);
            Router.Route through = before.route(ends[0], ends[1]);
            Router.Route around = after.route(ends[0], ends[1]);
            if (around == null) {
                d.putNull("detour");
                d.put("code", NO_DETOUR).put("reason", "no way around the closed stretch from one end to the other");
            } else {
                d.set("detour", feature(g, around));
                if (through != null) {
                    d.put("extra_m", millimetres(around.lengthM() - through.lengthM()));
                    d.put("extra_s", Math.round(around.durationS() - through.durationS()));
                }
            }
            if (first == last) d.put("road", g.roadName[first]);
        }
        // Streets reachable before but not after, seen from the network's busiest junction (in its main component).
        ArrayNode unreachable = out.putArray("unreachable_streets");
        Set<String> lost = new java.util.TreeSet<>();
        Set<Long> reachedBefore = reach(g, before), reachedAfter = reach(g, after);
        for (int i = 0; i < g.size(); i++) {
            if (g.roadName[i] == null || !before.usable(i)) continue;
            boolean was = reachedBefore.contains(g.fromJunction[i]) || reachedBefore.contains(g.toJunction[i]);
            boolean is = reachedAfter.contains(g.fromJunction[i]) || reachedAfter.contains(g.toJunction[i]);
            if (was && !is) lost.add(g.roadName[i]);
        }
        lost.forEach(unreachable::add);
        return out;
    }

    /** The measure's elements grouped into runs of consecutive elements (sharing a junction), in order. */
    private static List<List<Integer>> runs(RoutingGraph g, List<Stretch> stretches) {
        List<List<Integer>> runs = new ArrayList<>();
        for (Stretch st : stretches) {
            Integer i = g.index.get(st.elementId());
            if (i == null) continue;
            List<Integer> lastRun = runs.isEmpty() ? null : runs.getLast();
            if (lastRun != null && touches(g, lastRun.getLast(), i)) lastRun.add(i);
            else runs.add(new ArrayList<>(List.of(i)));
        }
        return runs;
    }

    private static boolean touches(RoutingGraph g, int a, int b) {
        return g.fromJunction[a] == g.fromJunction[b] || g.fromJunction[a] == g.toJunction[b]
                || g.toJunction[a] == g.fromJunction[b] || g.toJunction[a] == g.toJunction[b];
    }

    /** The two outer junctions of a run of consecutive elements. */
    private static long[] ends(RoutingGraph g, List<Integer> run) {
        if (run.size() == 1) return new long[]{g.fromJunction[run.getFirst()], g.toJunction[run.getFirst()]};
        int a = run.get(0), b = run.get(1);
        long start = g.fromJunction[a] == g.fromJunction[b] || g.fromJunction[a] == g.toJunction[b]
                ? g.toJunction[a] : g.fromJunction[a];
        int y = run.getLast(), x = run.get(run.size() - 2);
        long end = g.fromJunction[y] == g.fromJunction[x] || g.fromJunction[y] == g.toJunction[x]
                ? g.toJunction[y] : g.fromJunction[y];
        return new long[]{start, end};
    }

    /** Junctions reachable from the graph's hub, moving as the router allows. */
    private static Set<Long> reach(RoutingGraph g, Router r) {
        Set<Long> seen = new HashSet<>();
        long start = g.hub;
        if (start < 0) return seen;
        java.util.ArrayDeque<Long> queue = new java.util.ArrayDeque<>(List.of(start));
        seen.add(start);
        while (!queue.isEmpty()) {
            int v = g.vertex(queue.poll());
            for (int e : g.graph.outgoingEdgesOf(v)) {
                if (!r.allowed(e)) continue;
                long w = g.junction(g.graph.getEdgeTarget(e));
                if (seen.add(w)) queue.add(w);
            }
        }
        return seen;
    }
}
