package it.firenze.streetcad.viability;

import org.jgrapht.Graph;
import org.jgrapht.alg.util.Triple;
import org.jgrapht.opt.graph.sparse.SparseIntDirectedWeightedGraph;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.index.strtree.STRtree;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The live cadastre as a directed graph in memory, loaded whole and replaced whole when the network changes: one
 * vertex per junction, two edges per element (along and against its digitised direction), whichever the element
 * allows; which edges a traveller may take is decided per request ({@link Router}) from the element's own
 * direction, the profile and the measures in force. Lengths are metres in the storage CRS; geometries are kept in
 * CRS84 for snapping and for the answer.
 * <p>
 * The graph is JGraphT's compressed sparse one (jgrapht-opt): vertices and edges are ints, so finding an edge's
 * ends is an array read. On the general graph (vertices and edges as objects, their ends in hash maps) those
 * lookups were most of a route's time on Florence. Vertex {@code v} is junction {@code junctionId[v]}; edge
 * {@code e} is element {@code e / 2}, along its digitised direction when {@code e} is even.
 */
final class RoutingGraph {

    /** A directed use of an element: along its digitised direction (from → to junction) or against it. */
    record Edge(int element, boolean forward) {
    }

    /** Default speeds (km/h) by functional class where an element has no limit of its own; urban Florence. */
    private static final Map<String, Double> CLASS_SPEED = Map.of("A", 130.0, "B", 110.0, "C", 90.0, "D", 70.0,
            "E", 50.0, "E-bis", 20.0, "F", 30.0, "F-bis", 10.0);

    /** Set once by {@link #load}, after every element is known. */
    Graph<Integer, Integer> graph;
    final long[] elementId;
    final long[] fromJunction;
    final long[] toJunction;
    final double[] length;
    /** Element's own direction: both, forward, backward, closed. */
    final String[] direction;
    final boolean[] vehicles;
    final boolean[] footway;
    final double[] speedKmh;
    final String[] roadName;
    final LineString[] lonLat;
    final Map<Long, Integer> index = new HashMap<>();
    /** The graph's vertex of each junction id, and back. */
    private final Map<Long, Integer> vertexOf = new HashMap<>();
    private long[] junctionId;
    /** Junction positions in the storage CRS (metres) by vertex, for A*'s straight-line estimate; NaN unknown. */
    double[] junctionX;
    double[] junctionY;
    private final STRtree lonLatIndex = new STRtree();
    /** The junction with the most elements: a point surely inside the network's main component. */
    long hub = -1;

    private RoutingGraph(int n) {
        elementId = new long[n];
        fromJunction = new long[n];
        toJunction = new long[n];
        length = new double[n];
        direction = new String[n];
        vehicles = new boolean[n];
        footway = new boolean[n];
        speedKmh = new double[n];
        roadName = new String[n];
        lonLat = new LineString[n];
    }

    static RoutingGraph load(Connection c) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        WKBReader wkb = new WKBReader();
        try (Statement st = c.createStatement()) {
            st.setFetchSize(5_000);
            try (ResultSet rs = st.executeQuery("SELECT e.id, e.from_junction, e.to_junction, e.length_m, e.direction, "
                    + "e.element_type, e.functional_class::text, e.status, e.speed_limit, r.name, "
                    + "ST_AsBinary(ST_Transform(e.geom, 4326)) FROM " + LiveNetwork.ELEMENTS + " e "
                    + "LEFT JOIN road r ON r.id = e.road_id "
                    + "WHERE e.from_junction IS NOT NULL AND e.to_junction IS NOT NULL ORDER BY e.id")) {
                while (rs.next()) {
                    Object[] row = new Object[11];
                    for (int i = 0; i < 10; i++) row[i] = rs.getObject(i + 1);
                    try {
                        row[10] = wkb.read(rs.getBytes(11));
                    } catch (ParseException e) {
                        throw new SQLException("PostGIS sent an unreadable geometry for element " + row[0], e);
                    }
                    rows.add(row);
                }
            }
            RoutingGraph g = new RoutingGraph(rows.size());
            for (int i = 0; i < rows.size(); i++) g.add(i, rows.get(i));
            g.buildGraph();
            try (ResultSet rs = st.executeQuery("SELECT id, ST_X(geom), ST_Y(geom) FROM junction")) {
                while (rs.next()) {
                    Integer v = g.vertexOf.get(rs.getLong(1));
                    if (v != null) {
                        g.junctionX[v] = rs.getDouble(2);
                        g.junctionY[v] = rs.getDouble(3);
                    }
                }
            }
            g.lonLatIndex.build();
            int most = -1;
            for (int v = 0; v < g.junctionId.length; v++) {
                int d = g.graph.outDegreeOf(v);
                if (d > most) {
                    most = d;
                    g.hub = g.junctionId[v];
                }
            }
            return g;
        }
    }

    private void add(int i, Object[] row) {
        elementId[i] = ((Number) row[0]).longValue();
        fromJunction[i] = ((Number) row[1]).longValue();
        toJunction[i] = ((Number) row[2]).longValue();
        length[i] = ((Number) row[3]).doubleValue();
        direction[i] = (String) row[4];
        String type = (String) row[5];
        String fclass = (String) row[6];
        boolean inUse = "in_use".equals(row[7]);
        vehicles[i] = inUse && !"F-bis".equals(fclass) && !List.of("pedestrian", "cycleway").contains(type);
        footway[i] = inUse && !"A".equals(fclass) && !"B".equals(fclass) && !"toll".equals(type);
        speedKmh[i] = row[8] != null ? ((Number) row[8]).doubleValue()
                : fclass == null ? CLASS_SPEED.get("F") : CLASS_SPEED.getOrDefault(fclass, CLASS_SPEED.get("F"));
        roadName[i] = (String) row[9];
        lonLat[i] = (LineString) row[10];
        index.put(elementId[i], i);
        vertexOf.putIfAbsent(fromJunction[i], vertexOf.size());
        vertexOf.putIfAbsent(toJunction[i], vertexOf.size());
        lonLatIndex.insert(lonLat[i].getEnvelopeInternal(), i);
    }

    /** Two edges per element, along (2i) and against (2i + 1) its digitised direction, weighted by its length. */
    private void buildGraph() {
        junctionId = new long[vertexOf.size()];
        vertexOf.forEach((id, v) -> junctionId[v] = id);
        junctionX = new double[junctionId.length];
        junctionY = new double[junctionId.length];
        java.util.Arrays.fill(junctionX, Double.NaN);
        java.util.Arrays.fill(junctionY, Double.NaN);
        List<Triple<Integer, Integer, Double>> edges = new ArrayList<>(2 * size());
        for (int i = 0; i < size(); i++) {
            int from = vertexOf.get(fromJunction[i]), to = vertexOf.get(toJunction[i]);
            edges.add(Triple.of(from, to, length[i]));
            edges.add(Triple.of(to, from, length[i]));
        }
        graph = new SparseIntDirectedWeightedGraph(junctionId.length, edges);
    }

    /** The directed use of an element the graph's edge {@code e} stands for. */
    static Edge edge(int e) {
        return new Edge(e >> 1, (e & 1) == 0);
    }

    /** The graph's vertex of a junction, or null when no element of the graph ends there. */
    Integer vertex(long junction) {
        return vertexOf.get(junction);
    }

    long junction(int vertex) {
        return junctionId[vertex];
    }

    int size() {
        return elementId.length;
    }

    /**
     * The junction a point given in CRS84 stands for: the nearer end of the nearest element {@code usable}
     * accepts, within {@code maxMetres}; -1 when there is none. Distances use a local equirectangular scale, exact
     * enough at city size.
     */
    long snap(double lon, double lat, double maxMetres, java.util.function.IntPredicate usable) {
        double mPerDegLat = 111_320;
        double mPerDegLon = 111_320 * Math.cos(Math.toRadians(lat));
        double dLon = maxMetres / mPerDegLon;
        double dLat = maxMetres / mPerDegLat;
        @SuppressWarnings("unchecked")
        List<Integer> near = lonLatIndex.query(new Envelope(lon - dLon, lon + dLon, lat - dLat, lat + dLat));
        double best = Double.MAX_VALUE;
        int bestElement = -1;
        for (int i : near) {
            if (!usable.test(i)) continue;
            double d = distance(lonLat[i].getCoordinates(), lon, lat, mPerDegLon, mPerDegLat);
            if (d < best) {
                best = d;
                bestElement = i;
            }
        }
        if (bestElement < 0 || best > maxMetres) return -1;
        Coordinate start = lonLat[bestElement].getCoordinateN(0);
        Coordinate end = lonLat[bestElement].getCoordinateN(lonLat[bestElement].getNumPoints() - 1);
        double ds = Math.hypot((start.x - lon) * mPerDegLon, (start.y - lat) * mPerDegLat);
        double de = Math.hypot((end.x - lon) * mPerDegLon, (end.y - lat) * mPerDegLat);
        return ds <= de ? fromJunction[bestElement] : toJunction[bestElement];
    }

    private static double distance(Coordinate[] line, double lon, double lat, double kx, double ky) {
        double best = Double.MAX_VALUE;
        for (int k = 0; k + 1 < line.length; k++) {
            double ax = (line[k].x - lon) * kx, ay = (line[k].y - lat) * ky;
            double bx = (line[k + 1].x - lon) * kx, by = (line[k + 1].y - lat) * ky;
            double vx = bx - ax, vy = by - ay;
            double len2 = vx * vx + vy * vy;
            double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, -(ax * vx + ay * vy) / len2));
            best = Math.min(best, Math.hypot(ax + t * vx, ay + t * vy));
        }
        return best;
    }
}
