package it.firenze.streetcad.viability;

import org.jgrapht.GraphPath;
import org.jgrapht.alg.shortestpath.AStarShortestPath;
import org.jgrapht.graph.MaskSubgraph;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.index.strtree.STRtree;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Shortest paths (by length) over a {@link RoutingGraph} for one profile at one instant: which directed edges a
 * traveller may take follows from the element's own direction and use, then from the measures in force at that
 * instant (closures, one-way orders, limits), unless the profile holds the measure's exemption. Pedestrians walk
 * both ways and past vehicle limits, but not through a closure of the whole way (a pedestrian street closed for
 * works).
 */
final class Router {

    /** What the measures in force do to one element for one profile. */
    static final class Effect {
        boolean blockForward;
        boolean blockBackward;
        /** A one-way order: the only direction allowed, true = along the digitised direction; null = none. */
        Boolean oneWay;
        double speedKmh = Double.MAX_VALUE;
        final Set<Long> measures = new TreeSet<>();
    }

    /** A path found: its directed edges in order, from junction to junction, and the ids of their elements. */
    record Route(List<RoutingGraph.Edge> edges, List<Long> elements, long from, long to, double lengthM,
                 double durationS, List<String> streets) {
    }

    private final RoutingGraph g;
    private final Profile profile;
    /** By element index, null where no measure binds: an array read on each edge A* looks at, not a hash lookup. */
    private final Effect[] effects;

    Router(RoutingGraph g, Profile profile, Map<Integer, Effect> effects) {
        this.g = g;
        this.profile = profile;
        this.effects = new Effect[g.size()];
        effects.forEach((i, e) -> this.effects[i] = e);
    }

    /** The effects of the measures in force at {@code t} on the elements of {@code g}, for {@code profile}. */
    static Map<Integer, Effect> effects(RoutingGraph g, Collection<Measure> measures, Instant t, Profile profile) {
        Map<Integer, Effect> out = new HashMap<>();
        for (Measure m : measures) {
            if (!m.activeAt(t) || (profile.exemption != null && m.exemptions().contains(profile.exemption))) continue;
            // On foot only a closure of the whole way binds: one-way orders and vehicle limits do not.
            if (profile.onFoot && !m.kind().equals("closure")) continue;
            boolean barsVehicle = switch (m.kind()) {
                case "weight_limit" -> profile.weightT > m.value();
                case "height_limit" -> profile.heightM > m.value();
                case "vehicle_class" -> m.vehicleClasses().contains(profile.vehicleClass);
                default -> false;
            };
            for (Stretch s : m.stretches()) {
                Integer i = g.index.get(s.elementId());
                if (i == null) continue;
                Effect e = null;
                switch (m.kind()) {
                    case "closure" -> {
                        if (profile.onFoot && !s.direction().equals("both")) continue;
                        e = out.computeIfAbsent(i, k -> new Effect());
                        e.blockForward |= s.forward();
                        e.blockBackward |= s.backward();
                    }
                    case "one_way" -> {
                        if (!s.direction().equals("both")) {
                            e = out.computeIfAbsent(i, k -> new Effect());
                            e.oneWay = s.direction().equals("forward");
                        }
                    }
                    case "speed_limit" -> {
                        e = out.computeIfAbsent(i, k -> new Effect());
                        e.speedKmh = Math.min(e.speedKmh, m.value());
                    }
                    default -> {
                        if (barsVehicle) {
                            e = out.computeIfAbsent(i, k -> new Effect());
                            e.blockForward |= s.forward();
                            e.blockBackward |= s.backward();
                        }
                    }
                }
                if (e != null) e.measures.add(m.id());
            }
        }
        return out;
    }

    /** Whether the profile may use element {@code i} at all (its type and state), whatever its direction. */
    boolean usable(int i) {
        return profile.onFoot ? g.footway[i] : g.vehicles[i];
    }

    boolean allowed(RoutingGraph.Edge edge) {
        return allowed(edge.element(), edge.forward());
    }

    /** Whether the graph's edge {@code e} (see {@link RoutingGraph}) may be taken. */
    boolean allowed(int e) {
        return allowed(e >> 1, (e & 1) == 0);
    }

    private boolean allowed(int i, boolean forward) {
        Effect e = effects[i];
        if (profile.onFoot) return g.footway[i] && (e == null || !(e.blockForward && e.blockBackward));
        if (!g.vehicles[i]) return false;
        String own = g.direction[i];
        boolean ok = switch (own) {
            case "both" -> true;
            case "forward" -> forward;
            case "backward" -> !forward;
            default -> false;
        };
        if (e == null) return ok;
        if (e.oneWay != null && !own.equals("closed")) ok = e.oneWay == forward;
        return ok && !(forward ? e.blockForward : e.blockBackward);
    }

    /** The shortest path from junction to junction, or null when the destination cannot be reached. */
    Route route(long from, long to) {
        Integer source = g.vertex(from), target = g.vertex(to);
        if (source == null || target == null) return null;
        if (from == to) return new Route(List.of(), List.of(), from, to, 0, 0, List.of());
        var masked = new MaskSubgraph<>(g.graph, v -> false, e -> !allowed(e));
        GraphPath<Integer, Integer> path = new AStarShortestPath<>(masked, (a, b) -> {
            double dx = g.junctionX[a] - g.junctionX[b], dy = g.junctionY[a] - g.junctionY[b];
            double d = Math.sqrt(dx * dx + dy * dy);  // not Math.hypot: its care for overflow costs here
            return Double.isNaN(d) ? 0 : d;
        }).getPath(source, target);
        if (path == null) return null;
        double length = 0, duration = 0;
        List<String> streets = new ArrayList<>();
        List<Long> elements = new ArrayList<>();
        List<RoutingGraph.Edge> edges = path.getEdgeList().stream().map(RoutingGraph::edge).toList();
        for (RoutingGraph.Edge e : edges) {
            int i = e.element();
            elements.add(g.elementId[i]);
            length += g.length[i];
            duration += g.length[i] / speed(i);
            String name = g.roadName[i];
            if (name != null && (streets.isEmpty() || !streets.getLast().equals(name))) streets.add(name);
        }
        return new Route(edges, elements, from, to, length, duration, streets);
    }

    /**
     * Where the network comes nearest to joining two junctions no path joins: of the junctions reachable from
     * {@code from} and those from which {@code to} is reached (by the edges this router allows), the nearest two,
     * and the straight line between them in metres (storage CRS) — a break in the cadastre when it is a few
     * centimetres, streets that do not meet when it is more. Null when a path joins them, or no such junction has a
     * known position.
     */
    Gap gap(long from, long to) {
        Integer source = g.vertex(from), target = g.vertex(to);
        if (source == null || target == null) return null;
        Set<Integer> reached = reach(source, true);
        if (reached.contains(target)) return null;
        Set<Integer> reaching = reach(target, false);
        Object[] nearest = points(reached).nearestNeighbour(points(reaching),
                (a, b) -> distance((Integer) a.getItem(), (Integer) b.getItem()));
        if (nearest == null) return null;
        int u = (Integer) nearest[0], w = (Integer) nearest[1];
        return new Gap(g.junction(u), g.junction(w), distance(u, w));
    }

    /** Metres between two vertices' junctions, in the storage CRS. */
    private double distance(int u, int w) {
        return Math.hypot(g.junctionX[u] - g.junctionX[w], g.junctionY[u] - g.junctionY[w]);
    }

    /** The junctions a gap lies between (reached from the start, reaching the destination) and its length, metres. */
    record Gap(long reached, long reaching, double metres) {
    }

    /** The vertices reached from {@code v} along the allowed edges ({@code forward}), or reaching it (not). */
    private Set<Integer> reach(int v, boolean forward) {
        Set<Integer> seen = new HashSet<>(List.of(v));
        ArrayDeque<Integer> next = new ArrayDeque<>(seen);
        while (!next.isEmpty()) {
            int at = next.poll();
            for (int e : forward ? g.graph.outgoingEdgesOf(at) : g.graph.incomingEdgesOf(at)) {
                int other = forward ? g.graph.getEdgeTarget(e) : g.graph.getEdgeSource(e);
                if (allowed(e) && seen.add(other)) next.add(other);
            }
        }
        return seen;
    }

    /** The vertices of known position, indexed by it. */
    private STRtree points(Set<Integer> vertices) {
        STRtree tree = new STRtree();
        for (int v : vertices) {
            if (!Double.isNaN(g.junctionX[v])) tree.insert(new Envelope(new Coordinate(g.junctionX[v], g.junctionY[v])), v);
        }
        return tree;
    }

    /** Metres per second on element {@code i}. */
    private double speed(int i) {
        if (profile.onFoot) return Profile.WALK;
        Effect e = effects[i];
        double kmh = e == null ? g.speedKmh[i] : Math.min(g.speedKmh[i], e.speedKmh);
        return kmh * profile.speedShare / 3.6;
    }
}
