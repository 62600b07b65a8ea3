package it.firenze.streetcad.topology;

import static it.firenze.streetcad.topology.TopologySql.read;
import static it.firenze.streetcad.topology.TopologySql.nullableLong;

import it.firenze.streetcad.db.AreaOfUse;
import it.firenze.streetcad.db.Database;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.io.WKBReader;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads what the topology engine works on in bulk into memory, one query per table, never one per feature: the live
 * elements and junctions of an area, and an importer's staged lines; refused when they would not fit in the heap.
 */
final class TopologyReader {

    /** The element attributes that must be equal for two elements to be merged. */
    static final List<String> MERGE_ATTRIBUTES = List.of("road_id", "functional_class", "element_type", "level",
            "layer", "carriageways", "lanes", "width_m", "surface", "direction", "status", "speed_limit");

    private final Database database;
    private final GeometryFactory factory;

    TopologyReader(Database database) {
        this.database = database;
        this.factory = new GeometryFactory(new PrecisionModel(), database.storageSrid());
    }

    GeometryFactory factory() {
        return factory;
    }

    /**
     * The area of interest in the storage CRS, from a CRS84 bbox; null for the whole cadastre. The box is cut to
     * the storage CRS's area of use before it is transformed ({@link AreaOfUse}); a box wholly outside it is JTS's
     * empty envelope, whose inverted corners (0, 0, -1, -1) match no stored geometry.
     */
    Envelope toStorage(double[] bbox) throws SQLException {
        if (bbox == null) return null;
        String box = AreaOfUse.toStorage("ST_MakeEnvelope(?, ?, ?, ?, 4326)", 4326, database.storageSrid());
        try (Connection c = database.connection();
             PreparedStatement st = c.prepareStatement("SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM "
                     + "(SELECT " + box + "::box2d AS b) t")) {
            for (int i = 0; i < 4; i++) st.setDouble(i + 1, bbox[i]);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                if (rs.getObject(1) == null) return new Envelope();
                return new Envelope(rs.getDouble(1), rs.getDouble(3), rs.getDouble(2), rs.getDouble(4));
            }
        }
    }

    List<TopologyLine> elements(Connection c, Envelope area) throws SQLException {
        String current = "live_road_element" + (area == null ? "" : " WHERE geom && ST_MakeEnvelope(?, ?, ?, ?, ?)");
        try (PreparedStatement st = c.prepareStatement(SIZE + current)) {
            bindArea(st, 1, area);
            ensureFits(st);
        }
        try (PreparedStatement st = c.prepareStatement(ELEMENT_LINES + current + " ORDER BY id")) {
            bindArea(st, 1, area);
            st.setFetchSize(10_000);
            return lines(st);
        }
    }

    /**
     * The live elements whose extent comes within {@code margin} of either end of a live element, that element
     * among them (none when it is not live): every element that ends or passes there. One statement, one round trip.
     */
    List<TopologyLine> elementsAtEnds(Connection c, long elementId, double margin) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(ELEMENT_LINES + "live_road_element l, (SELECT ST_Expand("
                + "ST_StartPoint(geom), ?) AS s, ST_Expand(ST_EndPoint(geom), ?) AS t FROM live_road_element WHERE "
                + "id = ?) e WHERE l.geom && e.s OR l.geom && e.t ORDER BY id")) {
            st.setDouble(1, margin);
            st.setDouble(2, margin);
            st.setLong(3, elementId);
            return lines(st);
        }
    }

    /** The live elements among these ids, by id. */
    List<TopologyLine> elementsById(Connection c, long... ids) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(ELEMENT_LINES + "live_road_element WHERE id = ANY (?) ORDER BY id")) {
            st.setArray(1, c.createArrayOf("bigint", java.util.Arrays.stream(ids).boxed().toArray()));
            return lines(st);
        }
    }

    private static final String ELEMENT_LINES = "SELECT id, source_key, ST_AsBinary(geom), level, layer, direction, "
            + "from_junction, to_junction, " + String.join(", ", MERGE_ATTRIBUTES.stream().map(a -> a + "::text").toList())
            + " FROM ";

    private List<TopologyLine> lines(PreparedStatement st) throws SQLException {
        List<TopologyLine> lines = new ArrayList<>();
        WKBReader wkb = new WKBReader(factory);
        // Most elements share their attribute values: one map per distinct combination keeps a million in the heap.
        Map<Map<String, Object>, Map<String, Object>> shared = new HashMap<>();
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                Map<String, Object> attributes = new LinkedHashMap<>();
                for (int i = 0; i < MERGE_ATTRIBUTES.size(); i++) {
                    attributes.put(MERGE_ATTRIBUTES.get(i), rs.getString(9 + i));
                }
                Map<String, Object> canonical = shared.computeIfAbsent(attributes, k -> k);
                lines.add(new TopologyLine(rs.getLong(1), rs.getString(2), read(wkb, rs.getBytes(3)),
                        canonical.get("level").toString(), rs.getInt(5), canonical.get("direction").toString(),
                        nullableLong(rs, 7), nullableLong(rs, 8), canonical));
            }
        }
        return lines;
    }

    /**
     * All of an importer's staged lines (feature_number, geom and whichever road_element columns it mapped), with the
     * feature number as the source key, refused like {@link #elements} when they would not fit in the heap: weighed
     * by the size {@link #stagedSize} gave the caller, not counted again (counting their vertices is a scan of the
     * table, about as long as reading them). The table name goes through regclass, so only an existing table is read.
     *
     * @throws HeapTooSmallException when they would not fit
     */
    static List<TopologyLine> stagedLines(Connection c, String stagingTable, int storageSrid, StagedSize size)
            throws SQLException {
        ensureFits(size.lines(), size.vertices());
        return staged(c, stagingTable, storageSrid, "", Long.MAX_VALUE);
    }

    /** The staged lines' count, vertices and extent (null extent when none has a geometry). */
    record StagedSize(long lines, long vertices, Envelope extent) {
    }

    static StagedSize stagedSize(Connection c, String stagingTable) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT n, v, ST_XMin(e), ST_XMax(e), ST_YMin(e), ST_YMax(e) FROM "
                + "(SELECT count(geom) AS n, coalesce(sum(ST_NPoints(geom)), 0) AS v, ST_Extent(geom) AS e FROM "
                + quoted(c, stagingTable) + ") q");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            Envelope extent = rs.getObject(3) == null ? null
                    : new Envelope(rs.getDouble(3), rs.getDouble(4), rs.getDouble(5), rs.getDouble(6));
            return new StagedSize(rs.getLong(1), rs.getLong(2), extent);
        }
    }

    /**
     * Indexes the staged lines by their boxes, for a check that reads them in parts: each part's two statements (its
     * size, then its lines) would otherwise scan the whole table, fifty scans of a million-line import's table in 25
     * parts (0.3-0.6 s each against 0.02-0.09 s through the index, which takes 2.6 s to build; BENCHMARKS.md, issue 17
     * session 19). In the caller's transaction: the checks' transaction is rolled back, and the index goes with it.
     */
    static void indexStagedLines(Connection c, String stagingTable) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE INDEX ON " + quoted(c, stagingTable) + " USING gist (geom)");
        }
    }

    /**
     * The staged lines meeting {@code box}, weighed against the heap as they are read: counting a part's vertices
     * first was a statement of its own that cost more than reading the part (76-124 ms against 35-58 ms for a
     * 42,611-line part of the million-line bench, the vertices counted by PostGIS; BENCHMARKS.md, issue 17 session 20).
     * A part found too large is counted then, so that the refusal says how large.
     *
     * @throws HeapTooSmallException when they would not fit
     */
    static List<TopologyLine> stagedLines(Connection c, String stagingTable, int storageSrid, Envelope box)
            throws SQLException {
        return stagedLines(c, stagingTable, storageSrid, box, Runtime.getRuntime().maxMemory());
    }

    /** As {@link #stagedLines(Connection, String, int, Envelope)} in a JVM of {@code maxHeapBytes} (tests). */
    static List<TopologyLine> stagedLines(Connection c, String stagingTable, int storageSrid, Envelope box,
                                          long maxHeapBytes) throws SQLException {
        String within = " WHERE geom && ST_MakeEnvelope(" + box.getMinX() + ", " + box.getMinY() + ", " + box.getMaxX()
                + ", " + box.getMaxY() + ", " + storageSrid + ")";
        List<TopologyLine> lines = staged(c, stagingTable, storageSrid, within, maxHeapBytes);
        if (lines != null) return lines;
        try (PreparedStatement st = c.prepareStatement(SIZE + quoted(c, stagingTable) + within);
             ResultSet rs = st.executeQuery()) {
            rs.next();
            throw new HeapTooSmallException(HeapBudget.shortfall(rs.getLong(1), rs.getLong(2), maxHeapBytes)
                    .orElseThrow(() -> new IllegalStateException("a part too large to read fits once counted")));
        }
    }

    /**
     * The staged lines that {@code where} (a WHERE clause, or empty for all) keeps; null, the reading given up, as soon
     * as those read would not fit in a heap of {@code maxHeapBytes}.
     */
    private static List<TopologyLine> staged(Connection c, String stagingTable, int storageSrid, String where,
                                             long maxHeapBytes) throws SQLException {
        String table;
        Set<String> columns = new HashSet<>();
        try (PreparedStatement st = c.prepareStatement("SELECT ?::regclass::text, attname FROM pg_attribute "
                + "WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped")) {
            st.setString(1, stagingTable);
            st.setString(2, stagingTable);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) throw new SQLException("the staging table " + stagingTable + " has no columns");
                table = rs.getString(1);
                do columns.add(rs.getString(2)); while (rs.next());
            }
        }
        List<String> attributes = MERGE_ATTRIBUTES.stream().filter(columns::contains).toList();
        // A staged line's road is known by its name until the commit finds or creates it: lines of one name end in
        // one road, so the name stands for road_id when elements are compared (mergeable or not).
        boolean named = columns.contains("road_name");
        String sql = "SELECT feature_number, ST_AsBinary(geom), " + optional(columns, "level") + ", "
                + optional(columns, "layer") + "::int, " + optional(columns, "direction")
                + attributes.stream().map(a -> ", " + a + "::text").reduce("", String::concat)
                + (named ? ", road_name" : "") + " FROM " + table + where;
        GeometryFactory staged = new GeometryFactory(new PrecisionModel(), storageSrid);
        WKBReader wkb = new WKBReader(staged);
        List<NumberedLine> lines = new ArrayList<>();
        // A dozen attributes a line, most of them empty or the same few words: kept as one copy of each value, in an
        // immutable map without the empty ones (equal maps stay equal), they take a fifth of a LinkedHashMap's heap,
        // which at a million lines is what decides how many parts the check needs.
        Map<String, String> oneCopy = new HashMap<>();
        long vertices = 0;
        try (Statement st = c.createStatement()) {
            st.setFetchSize(10_000); // a part's rows are read as they come, not all held by the driver first
            ResultSet rs = st.executeQuery(sql);
            while (rs.next()) {
                // Each getBytes decodes the column's hex text again: read once.
                byte[] geometry = rs.getBytes(2);
                if (geometry == null) continue;
                List<Map.Entry<String, Object>> given = new ArrayList<>(attributes.size() + 1);
                for (int i = 0; i <= attributes.size(); i++) {
                    String value = i < attributes.size() || named ? rs.getString(6 + i) : null;
                    if (value != null) given.add(Map.entry(i < attributes.size() ? attributes.get(i) : "road_id",
                            oneCopy(oneCopy, value)));
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> values = Map.ofEntries(given.toArray(Map.Entry[]::new));
                long featureNumber = rs.getLong(1);
                Geometry line = read(wkb, geometry);
                vertices += line.getNumPoints();
                if (HeapBudget.shortfall(lines.size() + 1, vertices, maxHeapBytes).isPresent()) return null;
                lines.add(new NumberedLine(featureNumber, new TopologyLine(null, String.valueOf(featureNumber),
                        line, oneCopy(oneCopy, rs.getString(3)), rs.getInt(4),
                        oneCopy(oneCopy, rs.getString(5)), null, null, values)));
            }
        }
        // In the source's order, so that a check says the same of the same file: sorted here, not by an ORDER BY,
        // which made PostgreSQL sort the wide rows (their WKB) on disk past work_mem, 61 ms against 20 ms for the
        // read alone of a 42,507-line part of the million-line bench (BENCHMARKS.md, issue 17 session 18). The rows
        // mostly come in that order already, which the sort runs through once.
        lines.sort(Comparator.comparingLong(NumberedLine::featureNumber));
        return lines.stream().map(NumberedLine::line).toList();
    }

    private record NumberedLine(long featureNumber, TopologyLine line) {
    }

    private static String oneCopy(Map<String, String> copies, String value) {
        return value == null ? null : copies.computeIfAbsent(value, v -> v);
    }

    /** Counts the lines a loader is about to hold and their vertices; completed with the table it reads. */
    private static final String SIZE = "SELECT count(*), coalesce(sum(ST_NPoints(geom)), 0) FROM ";

    private static String quoted(Connection c, String table) throws SQLException {
        return c.unwrap(org.postgresql.PGConnection.class).escapeIdentifier(table);
    }

    private static void ensureFits(PreparedStatement size) throws SQLException {
        try (ResultSet rs = size.executeQuery()) {
            rs.next();
            ensureFits(rs.getLong(1), rs.getLong(2));
        }
    }

    private static void ensureFits(long lines, long vertices) {
        Optional<String> shortfall = HeapBudget.shortfall(lines, vertices);
        if (shortfall.isPresent()) throw new HeapTooSmallException(shortfall.get());
    }

    private static String optional(Set<String> columns, String column) {
        return columns.contains(column) ? column : "NULL";
    }

    /** Junctions in the area, by id. */
    Map<Long, Point> junctions(Connection c, Envelope area) throws SQLException {
        String sql = "SELECT id, ST_AsBinary(geom) FROM live_junction"
                + (area == null ? "" : " WHERE geom && ST_MakeEnvelope(?, ?, ?, ?, ?)");
        Map<Long, Point> junctions = new HashMap<>();
        WKBReader wkb = new WKBReader(factory);
        try (PreparedStatement st = c.prepareStatement(sql)) {
            bindArea(st, 1, area);
            st.setFetchSize(10_000);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) junctions.put(rs.getLong(1), (Point) read(wkb, rs.getBytes(2)));
            }
        }
        return junctions;
    }

    private int bindArea(PreparedStatement st, int index, Envelope area) throws SQLException {
        return TopologySql.bindArea(st, index, area, database.storageSrid());
    }
}
