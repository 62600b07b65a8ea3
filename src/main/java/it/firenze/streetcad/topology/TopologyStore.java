package it.firenze.streetcad.topology;

import it.firenze.streetcad.access.Audit;
import it.firenze.streetcad.access.Actor;
import com.fasterxml.jackson.core.JsonProcessingException;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.AreaOfUse;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.JobLeases;
import it.firenze.streetcad.importer.StagedFindings;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.CoordinateArrays;
import org.locationtech.jts.geom.CoordinateList;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;

import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.time.Instant;

/**
 * The topology engine's SQL: reads the cadastre in bulk into memory (one query per table, never one per feature)
 * and writes results back in batches inside one transaction.
 */
final class TopologyStore {

    /** The element attributes that must be equal for two elements to be merged. */
    static final List<String> MERGE_ATTRIBUTES = List.of("road_id", "functional_class", "element_type", "level",
            "layer", "carriageways", "lanes", "width_m", "surface", "direction", "status", "speed_limit");

    private final Database database;
    private final GeometryFactory factory;

    TopologyStore(Database database) {
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
     * An importer's staged lines (feature_number, geom and whichever road_element columns it mapped), with the
     * feature number as the source key, refused like {@link #elements} when they would not fit in the heap. The
     * table name goes through regclass, so only an existing table is read.
     */
    static List<TopologyLine> stagedLines(Connection c, String stagingTable, int storageSrid) throws SQLException {
        return stagedLines(c, stagingTable, storageSrid, null);
    }

    /** The staged lines' count, vertices and extent (null extent when none has a geometry). */
    record StagedSize(long lines, long vertices, Envelope extent) {
    }

    static StagedSize stagedSize(Connection c, String stagingTable) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT n, v, ST_XMin(e), ST_XMax(e), ST_YMin(e), ST_YMax(e) FROM "
                + "(SELECT count(geom) AS n, coalesce(sum(ST_NPoints(geom)), 0) AS v, ST_Extent(geom) AS e FROM "
                + c.unwrap(org.postgresql.PGConnection.class).escapeIdentifier(stagingTable) + ") q");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            Envelope extent = rs.getObject(3) == null ? null
                    : new Envelope(rs.getDouble(3), rs.getDouble(4), rs.getDouble(5), rs.getDouble(6));
            return new StagedSize(rs.getLong(1), rs.getLong(2), extent);
        }
    }

    /**
     * The staged lines meeting {@code box} (all when null), checked against the heap first.
     *
     * @throws HeapTooSmallException when they would not fit
     */
    static List<TopologyLine> stagedLines(Connection c, String stagingTable, int storageSrid, Envelope box)
            throws SQLException {
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
        String where = box == null ? "" : " WHERE geom && ST_MakeEnvelope(" + box.getMinX() + ", " + box.getMinY() + ", "
                + box.getMaxX() + ", " + box.getMaxY() + ", " + storageSrid + ")";
        try (PreparedStatement st = c.prepareStatement(SIZE + table + where)) {
            ensureFits(st);
        }
        List<String> attributes = MERGE_ATTRIBUTES.stream().filter(columns::contains).toList();
        // A staged line's road is known by its name until the commit finds or creates it: lines of one name end in
        // one road, so the name stands for road_id when elements are compared (mergeable or not).
        boolean named = columns.contains("road_name");
        String sql = "SELECT feature_number, ST_AsBinary(geom), " + optional(columns, "level") + ", "
                + optional(columns, "layer") + "::int, " + optional(columns, "direction")
                + attributes.stream().map(a -> ", " + a + "::text").reduce("", String::concat)
                + (named ? ", road_name" : "") + " FROM " + table + where + " ORDER BY feature_number";
        GeometryFactory staged = new GeometryFactory(new PrecisionModel(), storageSrid);
        WKBReader wkb = new WKBReader(staged);
        List<TopologyLine> lines = new ArrayList<>();
        // A dozen attributes a line, most of them empty or the same few words: kept as one copy of each value, in an
        // immutable map without the empty ones (equal maps stay equal), they take a fifth of a LinkedHashMap's heap,
        // which at a million lines is what decides how many parts the check needs.
        Map<String, String> oneCopy = new HashMap<>();
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
                lines.add(new TopologyLine(null, String.valueOf(rs.getLong(1)), read(wkb, geometry),
                        oneCopy(oneCopy, rs.getString(3)), rs.getInt(4), oneCopy(oneCopy, rs.getString(5)), null, null,
                        values));
            }
        }
        return lines;
    }

    private static String oneCopy(Map<String, String> copies, String value) {
        return value == null ? null : copies.computeIfAbsent(value, v -> v);
    }

    /** Counts the lines a loader is about to hold and their vertices; completed with the table it reads. */
    private static final String SIZE = "SELECT count(*), coalesce(sum(ST_NPoints(geom)), 0) FROM ";

    private static void ensureFits(PreparedStatement size) throws SQLException {
        try (ResultSet rs = size.executeQuery()) {
            rs.next();
            Optional<String> shortfall = HeapBudget.shortfall(rs.getLong(1), rs.getLong(2));
            if (shortfall.isPresent()) throw new HeapTooSmallException(shortfall.get());
        }
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

    int bindArea(PreparedStatement st, int index, Envelope area) throws SQLException {
        if (area == null) return index;
        st.setDouble(index, area.getMinX());
        st.setDouble(index + 1, area.getMinY());
        st.setDouble(index + 2, area.getMaxX());
        st.setDouble(index + 3, area.getMaxY());
        st.setInt(index + 4, database.storageSrid());
        return index + 5;
    }

    /** Keeps editors out of the network while it is rebuilt; readers go on reading the committed state. */
    void lockNetwork(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("LOCK TABLE road_element, junction, element_event IN SHARE ROW EXCLUSIVE MODE");
        }
    }

    /**
     * Writes a built network over the source elements it was built from, inside the caller's transaction: junctions
     * are reused where one already stands on the exact point, the first piece of each element keeps its row, further
     * pieces become rows with a copy of its attributes and lineage, events follow the piece they lie on, junctions
     * left without elements go, and degree and kind are recomputed from the rows as stored.
     */
    void writeNetwork(Connection c, List<TopologyLine> sources, Network network, List<NetworkBuild.Piece> pieces,
                      List<Long> collapsed) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE build_junction (idx int PRIMARY KEY, geom geometry NOT NULL, id bigint) "
                    + "ON COMMIT DROP");
            st.execute("CREATE TEMP TABLE build_piece (source_id bigint NOT NULL, piece int NOT NULL, "
                    + "geom geometry NOT NULL, from_idx int NOT NULL, to_idx int NOT NULL, start_m float8 NOT NULL, "
                    + "end_m float8 NOT NULL, length_m float8 NOT NULL, id bigint) ON COMMIT DROP");
        }
        try {
            try (Writer out = copy(c, "COPY build_junction (idx, geom) FROM STDIN")) {
                List<Network.Node> junctions = network.junctions();
                for (int i = 0; i < junctions.size(); i++) {
                    out.write(i + "\t" + hex(factory.createPoint(junctions.get(i).point())) + "\n");
                }
            }
            try (Writer out = copy(c, "COPY build_piece (source_id, piece, geom, from_idx, to_idx, start_m, end_m, "
                    + "length_m) FROM STDIN")) {
                for (int k = 0; k < pieces.size(); k++) {
                    NetworkBuild.Piece p = pieces.get(k);
                    boolean last = k + 1 == pieces.size() || pieces.get(k + 1).index() == 0;
                    double length = p.element().geometry().getLength();
                    // The last piece takes every measure up to the end, so an event at the very end is not lost.
                    double end = last ? Double.MAX_VALUE : p.startMeasure() + length;
                    out.write(p.sourceId() + "\t" + p.index() + "\t" + hex(p.element().geometry()) + "\t"
                            + p.element().from() + "\t" + p.element().to() + "\t" + p.startMeasure() + "\t" + end
                            + "\t" + length + "\n");
                }
            }
        } catch (IOException e) {
            throw new SQLException("streaming the built network to PostGIS failed: " + e.getMessage(), e);
        }
        try (Statement st = c.createStatement()) {
            for (String sql : BUILD_STATEMENTS) st.execute(sql);
        }
        try (PreparedStatement st = c.prepareStatement(RETIRE_ELEMENTS)) {
            st.setArray(1, c.createArrayOf("bigint", collapsed.toArray()));
            st.executeUpdate();
        }
        List<Long> formerJunctions = new ArrayList<>();
        for (TopologyLine l : sources) {
            if (l.fromJunction() != null) formerJunctions.add(l.fromJunction());
            if (l.toJunction() != null) formerJunctions.add(l.toJunction());
        }
        retireOrphanJunctions(c, formerJunctions);
        List<Long> built = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM build_junction")) {
            while (rs.next()) built.add(rs.getLong(1));
        }
        recomputeJunctions(c, built);
    }

    /** Sets degree and kind of the junctions from the elements as stored now. */
    static void recomputeJunctions(Connection c, java.util.Collection<Long> junctions) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(RECOMPUTE_JUNCTIONS)) {
            Object[] ids = junctions.toArray();
            st.setArray(1, c.createArrayOf("bigint", ids));
            st.setArray(2, c.createArrayOf("bigint", ids));
            st.executeUpdate();
        }
    }

    /** Elements a build or fix made redundant are retired, never deleted: their ids stay in history. */
    private static final String RETIRE_ELEMENTS = "UPDATE live_road_element SET valid_to = retirement(valid_from, valid_to) "
            + "WHERE id = ANY (?)";

    private static final String ELEMENT_COLUMNS = "road_id, functional_class, element_type, level, layer, carriageways, "
            + "lanes, width_m, surface, direction, status, speed_limit, source_key, source_attributes";

    private static final List<String> BUILD_STATEMENTS = List.of(
            "ANALYZE build_junction",
            "ANALYZE build_piece",
            "UPDATE build_junction t SET id = j.id FROM live_junction j WHERE j.geom ~= t.geom",
            "UPDATE build_junction SET id = nextval(pg_get_serial_sequence('junction', 'id')) WHERE id IS NULL",
            "INSERT INTO junction (id, geom, kind, degree) SELECT t.id, t.geom, 'end', 0 FROM build_junction t "
                    + "WHERE NOT EXISTS (SELECT 1 FROM junction j WHERE j.id = t.id)",
            "UPDATE build_piece SET id = CASE WHEN piece = 0 THEN source_id "
                    + "ELSE nextval(pg_get_serial_sequence('road_element', 'id')) END",
            "INSERT INTO road_element (id, geom, from_junction, to_junction, split_from, valid_from, valid_to, "
                    + ELEMENT_COLUMNS + ") SELECT p.id, p.geom, jf.id, jt.id, e.id, e.valid_from, e.valid_to, "
                    + prefixed("e.", ELEMENT_COLUMNS) + " FROM build_piece p "
                    + "JOIN road_element e ON e.id = p.source_id JOIN build_junction jf ON jf.idx = p.from_idx "
                    + "JOIN build_junction jt ON jt.idx = p.to_idx WHERE p.piece > 0",
            // An event follows the pieces it lies on (a point event the piece its measure falls in), measured anew
            // from the piece's start; measures are clipped to the piece, which snapping may have shortened.
            "INSERT INTO element_event (element_id, from_m, to_m, direction, kind, attributes, valid_from, valid_to) "
                    + "SELECT p.id, least(greatest(ev.from_m - p.start_m, 0), p.length_m), "
                    + "least(greatest(ev.to_m - p.start_m, 0), p.length_m), ev.direction, ev.kind, ev.attributes, "
                    + "ev.valid_from, ev.valid_to FROM element_event ev JOIN build_piece p ON p.source_id = ev.element_id "
                    + "WHERE p.piece > 0 AND ev.from_m < p.end_m AND (ev.to_m > p.start_m OR ev.from_m >= p.start_m)",
            // The first piece keeps the events that begin on it; those beyond it now lie on later pieces.
            "DELETE FROM element_event ev USING build_piece p WHERE p.piece = 0 AND p.source_id = ev.element_id "
                    + "AND ev.from_m >= p.end_m",
            "UPDATE element_event ev SET from_m = least(ev.from_m, p.length_m), to_m = least(ev.to_m, p.length_m) "
                    + "FROM build_piece p WHERE p.piece = 0 AND p.source_id = ev.element_id AND ev.to_m > p.length_m",
            "UPDATE road_element e SET geom = p.geom, from_junction = jf.id, to_junction = jt.id FROM build_piece p "
                    + "JOIN build_junction jf ON jf.idx = p.from_idx JOIN build_junction jt ON jt.idx = p.to_idx "
                    + "WHERE p.piece = 0 AND e.id = p.source_id AND (e.geom IS DISTINCT FROM p.geom "
                    + "OR e.from_junction IS DISTINCT FROM jf.id OR e.to_junction IS DISTINCT FROM jt.id)");

    /** Degree = element ends at the junction; kind from the degree, a roundabout where one meets it. */
    /** Retires the junctions among these that no live element starts or ends at any more. */
    static void retireOrphanJunctions(Connection c, java.util.Collection<Long> junctions) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE live_junction j SET valid_to = retirement(valid_from, "
                + "valid_to) WHERE j.id = ANY (?) "
                + "AND NOT EXISTS (SELECT 1 FROM live_road_element e WHERE e.from_junction = j.id) "
                + "AND NOT EXISTS (SELECT 1 FROM live_road_element e WHERE e.to_junction = j.id)")) {
            st.setArray(1, c.createArrayOf("bigint", junctions.toArray()));
            st.executeUpdate();
        }
    }

    private static final String RECOMPUTE_JUNCTIONS = """
            WITH ends AS (
                SELECT from_junction AS id, element_type FROM live_road_element WHERE from_junction = ANY (?)
                UNION ALL
                SELECT to_junction, element_type FROM live_road_element WHERE to_junction = ANY (?)),
            counted AS (SELECT id, count(*)::int AS degree, bool_or(element_type = 'roundabout') AS roundabout
                        FROM ends GROUP BY id),
            computed AS (
                SELECT j.id, c.degree,
                       CASE WHEN j.kind IN ('boundary', 'level_crossing') THEN j.kind
                            WHEN c.roundabout AND c.degree >= 3 THEN 'roundabout'
                            WHEN c.degree = 1 THEN 'end'
                            WHEN c.degree = 2 THEN 'pseudo'
                            ELSE 'intersection' END AS kind
                FROM junction j JOIN counted c ON c.id = j.id)
            UPDATE junction j SET degree = n.degree, kind = n.kind FROM computed n
            WHERE j.id = n.id AND (j.degree, j.kind) IS DISTINCT FROM (n.degree, n.kind)""";

    // ---- safe fixes

    void updateGeometries(Connection c, List<TopologyFixes.Change> changes) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE road_element SET geom = ST_GeomFromEWKB(?) WHERE id = ?")) {
            for (TopologyFixes.Change ch : changes) {
                st.setBytes(1, ewkb(ch.geometry()));
                st.setLong(2, ch.elementId());
                st.addBatch();
            }
            st.executeBatch();
        }
    }

    /** Retires the elements that carry no events that have not ended (those are kept for a person to look at); returns the retired. */
    List<TopologyFixes.Change> deleteElementsWithoutEvents(Connection c, List<TopologyFixes.Change> changes)
            throws SQLException {
        List<Long> ids = changes.stream().map(TopologyFixes.Change::elementId).toList();
        Set<Long> deleted = new HashSet<>();
        List<Long> junctions = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("UPDATE live_road_element e SET valid_to = retirement(valid_from, "
                + "valid_to) WHERE id = ANY (?) AND NOT EXISTS (SELECT 1 FROM element_event ev WHERE ev.element_id = e.id "
                + "AND live_at(ev.valid_from, ev.valid_to, greatest(now(), ev.valid_from))) "
                + "RETURNING id, from_junction, to_junction")) {
            st.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    deleted.add(rs.getLong(1));
                    junctions.add(rs.getLong(2));
                    junctions.add(rs.getLong(3));
                }
            }
        }
        recomputeJunctions(c, junctions);
        return changes.stream().filter(ch -> deleted.contains(ch.elementId())).toList();
    }

    /** Two elements made one at a junction: a takes the merged line, b's events move onto it, b and the junction go. */
    record Merge(long a, long b, long junction, double offsetA, double offsetB, boolean reverseB, double lengthB,
                 LineString geometry, Long from, Long to) {

        /**
         * b joined to a across the junction they share, a keeping its digitised direction: b is oriented to continue
         * a (away from the junction after a's end, into it before a's start) and its events measured on the whole.
         */
        static Merge across(long junction, long a, LineString geometryA, Long fromA, Long toA,
                            long b, LineString geometryB, Long fromB, Long toB) {
            boolean aAtStart = startsAt(junction, fromA, toA);
            boolean bAtStart = startsAt(junction, fromB, toB);
            Coordinate[] bc = geometryB.getCoordinates();
            boolean reverseB = aAtStart == bAtStart;
            if (reverseB) CoordinateArrays.reverse(bc = bc.clone());
            Long bFar = bAtStart ? toB : fromB;
            CoordinateList merged = new CoordinateList();
            if (aAtStart) {
                merged.add(bc, false);
                merged.add(geometryA.getCoordinates(), false);
            } else {
                merged.add(geometryA.getCoordinates(), false);
                merged.add(bc, false);
            }
            return new Merge(a, b, junction, aAtStart ? geometryB.getLength() : 0, aAtStart ? 0 : geometryA.getLength(),
                    reverseB, geometryB.getLength(), geometryA.getFactory().createLineString(merged.toCoordinateArray()),
                    aAtStart ? bFar : fromA, aAtStart ? toA : bFar);
        }

        /** Whether the element leaves the junction at its start (a loop on it counts as arriving). */
        static boolean startsAt(long junction, Long from, Long to) {
            return Long.valueOf(junction).equals(from) && !Long.valueOf(junction).equals(to);
        }
    }

    void merge(Connection c, List<Merge> merges) throws SQLException {
        try (PreparedStatement grow = c.prepareStatement("UPDATE road_element SET geom = ST_GeomFromEWKB(?), "
                + "from_junction = ?, to_junction = ? WHERE id = ?");
             PreparedStatement shiftA = c.prepareStatement("UPDATE element_event SET from_m = from_m + ?, "
                     + "to_m = to_m + ? WHERE element_id = ?");
             PreparedStatement moveB = c.prepareStatement("UPDATE element_event SET element_id = ?, "
                     + "from_m = ? + CASE WHEN ? THEN ? - to_m ELSE from_m END, "
                     + "to_m = ? + CASE WHEN ? THEN ? - from_m ELSE to_m END, "
                     + "direction = CASE WHEN ? AND direction = 'forward' THEN 'backward' "
                     + "WHEN ? AND direction = 'backward' THEN 'forward' ELSE direction END WHERE element_id = ?");
             PreparedStatement drop = c.prepareStatement("UPDATE road_element SET merged_into = ?, "
                     + "valid_to = retirement(valid_from, valid_to) WHERE id = ?");
             PreparedStatement dropJunction = c.prepareStatement("UPDATE junction SET valid_to = retirement(valid_from, "
                     + "valid_to) WHERE id = ?")) {
            for (Merge m : merges) {
                grow.setBytes(1, ewkb(m.geometry()));
                grow.setObject(2, m.from());
                grow.setObject(3, m.to());
                grow.setLong(4, m.a());
                grow.executeUpdate();
                if (m.offsetA() > 0) {
                    shiftA.setDouble(1, m.offsetA());
                    shiftA.setDouble(2, m.offsetA());
                    shiftA.setLong(3, m.a());
                    shiftA.executeUpdate();
                }
                moveB.setLong(1, m.a());
                moveB.setDouble(2, m.offsetB());
                moveB.setBoolean(3, m.reverseB());
                moveB.setDouble(4, m.lengthB());
                moveB.setDouble(5, m.offsetB());
                moveB.setBoolean(6, m.reverseB());
                moveB.setDouble(7, m.lengthB());
                moveB.setBoolean(8, m.reverseB());
                moveB.setBoolean(9, m.reverseB());
                moveB.setLong(10, m.b());
                moveB.executeUpdate();
                drop.setLong(1, m.a());
                drop.setLong(2, m.b());
                drop.executeUpdate();
                dropJunction.setLong(1, m.junction());
                dropJunction.executeUpdate();
            }
        }
        List<Long> touched = new ArrayList<>();
        merges.forEach(m -> {
            if (m.from() != null) touched.add(m.from());
            if (m.to() != null) touched.add(m.to());
        });
        recomputeJunctions(c, touched);
    }

    private byte[] ewkb(Geometry g) {
        g.setSRID(database.storageSrid());
        return new WKBWriter(2, true).write(g);
    }

    // ---- validations and issues (topology_validation, topology_issue, topology_exception)

    /**
     * Which of the findings are accepted exceptions, by fingerprint: only theirs are read, so an edit's few findings
     * do not read every exception ever accepted.
     */
    Set<String> acceptedFingerprints(Connection c, List<Finding> findings) throws SQLException {
        Set<String> out = new HashSet<>();
        if (findings.isEmpty()) return out;
        try (PreparedStatement st = c.prepareStatement(
                "SELECT fingerprint FROM topology_exception WHERE fingerprint = ANY (?)")) {
            st.setArray(1, c.createArrayOf("text", findings.stream().map(Finding::fingerprint).distinct().toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** The advisory lock classes of the ground an edit re-validates: its cells ("SCRV") and their districts ("SCRD"). */
    private static final int GROUND_LOCK_CLASS = 0x53435256, DISTRICT_LOCK_CLASS = 0x53435244;
    /** The side (metres) of the cells of ground: small enough that editors in different streets rarely share one. */
    static final double GROUND_CELL = 250;
    /** The side (metres) of a district of cells, what ground of more than {@link #MOST_CELLS} cells locks instead. */
    static final double DISTRICT = 4000;
    static final int MOST_CELLS = 64;

    /**
     * Locks, until the caller's transaction ends, the ground an area (storage CRS) covers: the {@link #GROUND_CELL}
     * cells it meets, each for itself, with the districts they lie in shared; or, for an area of more than
     * {@link #MOST_CELLS} cells (a long street retired), its districts for itself, so that the locks stay few. So two
     * areas meeting the same cell or district never hold their locks at once, unless both hold it shared. Every
     * transaction takes districts before cells and each in one order, so none waits on another in a circle. Two cells
     * or districts whose keys collide are one for this lock: a wait for nothing, never a missed one.
     */
    void lockGround(Connection c, Envelope area) throws SQLException {
        boolean large = cells(area, GROUND_CELL) > MOST_CELLS;
        lock(c, large ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared", DISTRICT_LOCK_CLASS,
                keys(area, DISTRICT));
        if (!large) lock(c, "pg_advisory_xact_lock", GROUND_LOCK_CLASS, keys(area, GROUND_CELL));
    }

    /** How many square cells of this side an area meets. */
    private static long cells(Envelope area, double side) {
        return (cell(area.getMaxX(), side) - cell(area.getMinX(), side) + 1)
                * (cell(area.getMaxY(), side) - cell(area.getMinY(), side) + 1);
    }

    /** The keys of the square cells of this side an area meets, in order. */
    private static Set<Integer> keys(Envelope area, double side) {
        long x0 = cell(area.getMinX(), side), x1 = cell(area.getMaxX(), side);
        long y0 = cell(area.getMinY(), side), y1 = cell(area.getMaxY(), side);
        java.util.TreeSet<Integer> keys = new java.util.TreeSet<>();
        for (long x = x0; x <= x1; x++) for (long y = y0; y <= y1; y++) keys.add(Long.hashCode(x * 1_000_003L + y));
        return keys;
    }

    /** The index of the cell of this side a coordinate falls in. */
    private static long cell(double coordinate, double side) {
        return (long) Math.floor(coordinate / side);
    }

    private static void lock(Connection c, String function, int lockClass, Set<Integer> keys) throws SQLException {
        // unnest returns the array in its order, and the locks are taken row by row in it.
        try (PreparedStatement st = c.prepareStatement("SELECT " + function + "(?, k) FROM unnest(?::int[]) AS k")) {
            st.setInt(1, lockClass);
            st.setArray(2, c.createArrayOf("int4", keys.toArray()));
            st.execute();
        }
    }

    /** Records a validation about to run; {@code actor} null for one that follows an audited change. */
    long beginValidation(Envelope area, ValidationOptions options, Actor actor) throws SQLException {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement(
                    "INSERT INTO topology_validation (area, parameters, lease_owner, lease_until) VALUES (" + (area == null
                            ? "NULL" : "ST_MakeEnvelope(?, ?, ?, ?, ?)") + ", ?::jsonb, ?, now() + make_interval(secs => ?)) "
                            + "RETURNING id")) {
                int next = bindArea(st, 1, area);
                Map<String, Object> parameters = parameters(options);
                st.setString(next, json(parameters));
                database.leases().bind(st, next + 1);
                long id;
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
                if (actor != null) Audit.record(c, actor, "validation.start", "topology_validation", List.of(id), parameters);
                c.commit();
                return id;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    static Map<String, Object> parameters(ValidationOptions options) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tolerance_m", options.tolerance());
        p.put("min_length_m", options.minLength());
        p.put("spike_angle_deg", options.spikeAngle());
        p.put("island_max_elements", options.islandMaxElements());
        p.put("rules", options.rules().stream().map(Rule::id).toList());
        return p;
    }

    void progress(long validationId, double fraction) {
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(
                "UPDATE topology_validation SET progress = ? WHERE id = ?")) {
            st.setDouble(1, Math.min(1, Math.max(0, fraction)));
            st.setLong(2, validationId);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("recording the progress of validation " + validationId + " failed", e);
        }
    }

    void failValidation(long validationId, String error) throws SQLException {
        fail("topology_validation", "status", validationId, error);
    }

    /** Marks a validation or build job failed with why; each table names its state column its own way. */
    private void fail(String jobTable, String stateColumn, long id, String error) throws SQLException {
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement("UPDATE " + jobTable
                + " SET " + stateColumn + " = 'failed', error = ?, finished_at = now() WHERE id = ?")) {
            st.setString(1, error);
            st.setLong(2, id);
            st.executeUpdate();
        }
    }

    /**
     * Replaces the open issues the run judged by the report's findings, leaving every other issue as it is. A run
     * judged its rules only; over an area, it judged its elements wherever their findings lie (a dead end at the far
     * end of a long street) and the findings in the area that involve no element still standing outside it (a
     * junction's, or one about an element an edit deleted). Issues with the fingerprint of a new finding go too,
     * so none is doubled.
     */
    void replaceIssues(long validationId, Envelope area, Set<Rule> rules, TopologyValidation.Report report)
            throws SQLException {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                replaceIssues(c, validationId, area, null, rules, report);
                succeed(c, validationId, counts(report));
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * As {@link #recordNeighbourhood(Connection, Envelope, ValidationOptions, Instant, TopologyValidation.Report)}
     * for a run that judged only the findings at these spots (the ends of an element), whatever elements they are
     * about, in the caller's transaction.
     */
    TopologyValidation.Around recordSpots(Connection c, List<Envelope> spots, ValidationOptions options, Instant started,
                                          TopologyValidation.Report report) throws SQLException {
        return recorded(c, extent(spots), spots, options, started, report);
    }

    /** The extent of some envelopes. */
    static Envelope extent(List<Envelope> spots) {
        Envelope area = new Envelope();
        spots.forEach(area::expandToInclude);
        return area;
    }

    /**
     * Records a neighbourhood's validation, already run, as succeeded and replaces its open issues, in the caller's
     * transaction: the validation row and the issues it wrote appear together, so no lease or progress is needed.
     * Answers which open (not accepted) issues that raised and which it closed, by fingerprint.
     */
    TopologyValidation.Around recordNeighbourhood(Connection c, Envelope area, ValidationOptions options,
                                                  Instant started, TopologyValidation.Report report)
            throws SQLException {
        return recorded(c, area, null, options, started, report);
    }

    /** Records a validation that ran and replaces the issues it judged, in the caller's transaction. */
    private TopologyValidation.Around recorded(Connection c, Envelope area, List<Envelope> spots,
                                               ValidationOptions options, Instant started,
                                               TopologyValidation.Report report) throws SQLException {
        long id = insertFinishedValidation(c, area, options, started, "succeeded", counts(report), null);
        Replaced replaced = replaceIssues(c, id, spots == null ? area : null, spots, options.rules(), report);
        // An issue removed and added again under its fingerprint (its explanation changed) is neither.
        List<TopologyValidation.OpenIssue> added = replaced.added().stream().filter(f -> !report.isAccepted(f))
                .map(f -> new TopologyValidation.OpenIssue(f.fingerprint(), f.rule().id(), f.severity().id(),
                        f.explanation(), f.elementIds())).toList();
        Set<String> removedPrints = new HashSet<>(), addedPrints = new HashSet<>();
        replaced.removed().forEach(i -> removedPrints.add(i.fingerprint()));
        added.forEach(i -> addedPrints.add(i.fingerprint()));
        return new TopologyValidation.Around(OptionalLong.of(id), "succeeded",
                added.stream().filter(i -> !removedPrints.contains(i.fingerprint())).toList(),
                replaced.removed().stream().filter(i -> !addedPrints.contains(i.fingerprint())).toList());
    }

    /** Records a validation that could not run, with why, in the caller's transaction. */
    long recordFailed(Connection c, Envelope area, ValidationOptions options, Instant started, String error)
            throws SQLException {
        return insertFinishedValidation(c, area, options, started, "failed", null, error);
    }

    private long insertFinishedValidation(Connection c, Envelope area, ValidationOptions options, Instant started,
                                          String status, Map<String, Object> counts, String error) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO topology_validation (area, parameters, status, "
                + "progress, counts, error, started_at, finished_at) VALUES (ST_MakeEnvelope(?, ?, ?, ?, ?), ?::jsonb, "
                + "?, 1, ?::jsonb, ?, ?, clock_timestamp()) RETURNING id")) {
            int next = bindArea(st, 1, area);
            st.setString(next++, json(parameters(options)));
            st.setString(next++, status);
            st.setString(next++, counts == null ? null : json(counts));
            st.setString(next++, error);
            st.setObject(next, started.atOffset(java.time.ZoneOffset.UTC));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** What replacing a run's issues changed: the open (not accepted) issues it removed, the findings it added. */
    private record Replaced(List<TopologyValidation.OpenIssue> removed, List<Finding> added) {
    }

    /**
     * Replaces the open issues the run judged by the report's findings, in the caller's transaction. An issue the run
     * found again exactly as it stands keeps its row (its id, when it was found and by which validation): most of a
     * neighbourhood's issues are unchanged by an edit, and rewriting them was the larger part of the database's work
     * per edit.
     */
    private Replaced replaceIssues(Connection c, long validationId, Envelope area, List<Envelope> spots,
                                   Set<Rule> rules, TopologyValidation.Report report) throws SQLException {
        Set<String> fingerprints = new HashSet<>();
        report.findings().forEach(f -> fingerprints.add(f.fingerprint()));
        // The standing issues by what they say, each with its row ids: a finding said the same way takes one of them.
        Map<List<Object>, java.util.ArrayDeque<Long>> standing = new HashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT id, fingerprint, rule, explanation, element_ids, "
                + "junction_ids, accepted, parameters::text FROM topology_issue i WHERE i.rule = ANY (?) "
                // "= ANY" of a constant array is a hash lookup (PostgreSQL 14+), where "&&" compared every
                // pair: 17 s to refresh the 46,000 issues of an import of 33,000 lines.
                + "AND (" + (spots != null ? String.join(" OR ", Collections.nCopies(spots.size(),
                "i.location && ST_MakeEnvelope(?, ?, ?, ?, ?)"))
                : area == null ? "true" : "EXISTS (SELECT 1 FROM unnest(i.element_ids) AS x(id) "
                + "WHERE x.id = ANY (?)) OR (i.location && ST_MakeEnvelope(?, ?, "
                + "?, ?, ?) AND NOT EXISTS (SELECT 1 FROM live_road_element e WHERE e.id = ANY (i.element_ids) "
                + "AND e.id <> ALL (?)))")
                + " OR i.fingerprint = ANY (?)) FOR UPDATE")) {
            st.setArray(1, c.createArrayOf("text", rules.stream().map(Rule::id).toArray()));
            int next = 2;
            if (spots != null) {
                for (Envelope spot : spots) next = bindArea(st, next, spot);
            } else if (area != null) {
                Array judged = c.createArrayOf("bigint", report.areaElements().toArray());
                st.setArray(next, judged);
                next = bindArea(st, next + 1, area);
                st.setArray(next++, judged);
            }
            st.setArray(next, c.createArrayOf("text", fingerprints.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    standing.computeIfAbsent(said(rs.getString(2), rs.getString(3), rs.getString(4),
                            longs(rs.getArray(5)), longs(rs.getArray(6)), rs.getBoolean(7), parse(rs.getString(8))),
                            k -> new java.util.ArrayDeque<>()).add(rs.getLong(1));
                }
            }
        }
        List<Finding> added = new ArrayList<>();
        for (Finding f : report.findings()) {
            java.util.ArrayDeque<Long> rows = standing.get(said(f.fingerprint(), f.rule().id(), f.explanation(),
                    f.elementIds(), f.junctionIds(), report.isAccepted(f), parse(json(f.parameters()))));
            if (rows == null || rows.isEmpty()) added.add(f);
            else rows.poll();
        }
        List<Long> gone = new ArrayList<>();
        standing.values().forEach(gone::addAll);
        List<TopologyValidation.OpenIssue> removed = new ArrayList<>();
        if (!gone.isEmpty()) {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM topology_issue WHERE id = ANY (?) "
                    + "RETURNING fingerprint, rule, severity, explanation, element_ids, accepted")) {
                st.setArray(1, c.createArrayOf("bigint", gone.toArray()));
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        if (!rs.getBoolean(6)) removed.add(new TopologyValidation.OpenIssue(rs.getString(1),
                                rs.getString(2), rs.getString(3), rs.getString(4), longs(rs.getArray(5))));
                    }
                }
            }
        }
        if (added.isEmpty()) return new Replaced(removed, added);
        try (Writer out = copy(c, "COPY topology_issue (rule, severity, explanation, parameters, location, "
                + "element_ids, junction_ids, fingerprint, accepted, validation_id) FROM STDIN")) {
            for (Finding f : added) {
                out.write(String.join("\t", f.rule().id(), f.severity().id(), copyText(f.explanation()),
                        copyText(json(f.parameters())), hex(f.location()), array(f.elementIds()),
                        array(f.junctionIds()), f.fingerprint(), String.valueOf(report.isAccepted(f)),
                        String.valueOf(validationId)));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new SQLException("streaming findings to PostGIS failed: " + e.getMessage(), e);
        }
        return new Replaced(removed, added);
    }

    /** What an issue says, as far as a finding can say the same: equal values, the same issue. */
    private static List<Object> said(String fingerprint, String rule, String explanation, List<Long> elements,
                                     List<Long> junctions, boolean accepted, com.fasterxml.jackson.databind.JsonNode parameters) {
        return List.of(fingerprint, rule, explanation, elements, junctions, accepted, parameters);
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable JSON from the database: " + json, e);
        }
    }

    private static List<Long> longs(Array array) throws SQLException {
        List<Long> out = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) out.add(((Number) o).longValue());
        return out;
    }

    private static Map<String, Object> counts(TopologyValidation.Report report) {
        Map<String, Object> counts = new LinkedHashMap<>();
        report.countsBySeverity().forEach((s, n) -> counts.put(s.id(), n));
        counts.put("accepted", report.findings().stream().filter(report::isAccepted).count());
        counts.put("elements", report.elements());
        counts.put("junctions", report.junctions());
        return counts;
    }

    /** Marks a validation succeeded with its counts, in the caller's transaction, if it is still this process's. */
    private void succeed(Connection c, long validationId, Map<String, Object> counts) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE topology_validation SET status = 'succeeded', "
                + "progress = 1, counts = ?::jsonb, finished_at = now() WHERE id = ? AND status = 'running' "
                + "AND lease_owner = ?")) {
            st.setString(1, json(counts));
            st.setLong(2, validationId);
            st.setString(3, database.leases().owner());
            if (st.executeUpdate() != 1) {
                throw new IllegalStateException("validation " + validationId + " was ended by another StreetCad "
                        + "instance (its lease had expired); its findings were not recorded");
            }
        }
    }

    /**
     * Records an import's kept findings as the open issues of the elements it touched, in one transaction: the issues
     * (of the rules) involving a touched element, or with the fingerprint of a kept finding, are replaced by the kept
     * findings, each about the elements its features became. See {@link TopologyValidation#record}.
     */
    void recordStagedIssues(long validationId, Envelope area, Set<Rule> rules, StagedFindings recorded)
            throws SQLException {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                String findings = identifier(c, recorded.findings()), elements = identifier(c, recorded.elements());
                try (Statement st = c.createStatement()) {
                    // The planner's cost of a finding's element lookups turns JIT compilation on, which costs more
                    // than it saves on a statement that runs once.
                    st.execute("SET LOCAL jit = off");
                    // The commit filled the element map without statistics: the planner then guesses 166 rows a
                    // feature and looks each finding's elements up by a bitmap scan, 3 to 7 times the cost of the
                    // index scan it picks once it knows a feature is one element (Florence: 152,567 lookups). The
                    // statistics stay for the seams' query after this transaction.
                    st.execute("ANALYZE " + elements);
                }
                Array ruleIds = c.createArrayOf("text", rules.stream().map(Rule::id).toArray());
                try (PreparedStatement st = c.prepareStatement("DELETE FROM topology_issue i WHERE i.rule = ANY (?) AND "
                        + "(EXISTS (SELECT 1 FROM unnest(i.element_ids) AS x(id) JOIN " + elements + " m ON m.element_id = x.id) "
                        + "OR i.fingerprint IN (SELECT fingerprint FROM " + findings + "))")) {
                    st.setArray(1, ruleIds);
                    st.executeUpdate();
                }
                try (PreparedStatement st = c.prepareStatement("INSERT INTO topology_issue (rule, severity, explanation, "
                        + "parameters, location, element_ids, fingerprint, accepted, validation_id) SELECT f.rule, f.severity, "
                        + "f.explanation, f.parameters, ST_SetSRID(f.location, ?), ARRAY(SELECT m.element_id FROM "
                        + "unnest(f.feature_numbers) WITH ORDINALITY AS n(feature_number, k) JOIN " + elements + " m "
                        + "ON m.feature_number = n.feature_number ORDER BY n.k), f.fingerprint, EXISTS (SELECT 1 FROM "
                        + "topology_exception x WHERE x.fingerprint = f.fingerprint), ? FROM " + findings + " f "
                        + "WHERE f.rule = ANY (?) AND f.location IS NOT NULL")) {
                    st.setInt(1, database.storageSrid());
                    st.setLong(2, validationId);
                    st.setArray(3, ruleIds);
                    st.executeUpdate();
                }
                Map<String, Object> counts = new LinkedHashMap<>();
                for (Severity severity : Severity.values()) counts.put(severity.id(), 0L);
                long total = 0;
                try (PreparedStatement st = c.prepareStatement("SELECT severity, count(*), count(*) FILTER (WHERE accepted) "
                        + "FROM topology_issue WHERE validation_id = ? GROUP BY severity")) {
                    st.setLong(1, validationId);
                    long accepted = 0;
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            counts.put(rs.getString(1), rs.getLong(2));
                            total += rs.getLong(2);
                            accepted += rs.getLong(3);
                        }
                    }
                    counts.put("accepted", accepted);
                }
                // Nothing was validated again: every finding came from the import's check.
                counts.put("elements", 0);
                counts.put("junctions", 0);
                counts.put("recorded_from_import_check", total);
                succeed(c, validationId, counts);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Where an import meets the rest of the network: the live elements it did not write from a staged feature that it
     * touched (a piece cut at a replace's edge) or that lie within {@code distance} of an element it touched (added,
     * updated or retired), grouped by the {@code cell}-metre cell of their lower-left corner; the extent of each group.
     */
    List<Envelope> seams(Envelope area, StagedFindings recorded, double distance, double cell) throws SQLException {
        List<Envelope> out = new ArrayList<>();
        try (Connection c = database.connection()) {
            String elements = identifier(c, recorded.elements());
            try (PreparedStatement st = c.prepareStatement("SELECT ST_XMin(b), ST_XMax(b), ST_YMin(b), ST_YMax(b) FROM "
                    + "(SELECT ST_Extent(e.geom) AS b FROM live_road_element e WHERE e.geom && ST_Expand(ST_MakeEnvelope(?, ?, "
                    + "?, ?, ?), ?) AND NOT EXISTS (SELECT 1 FROM " + elements + " m WHERE m.element_id = e.id AND "
                    + "m.feature_number IS NOT NULL) AND (EXISTS (SELECT 1 FROM " + elements + " m WHERE m.element_id = e.id) "
                    + "OR EXISTS (SELECT 1 FROM road_element s WHERE ST_DWithin(s.geom, e.geom, ?) AND EXISTS (SELECT 1 FROM "
                    + elements + " m WHERE m.element_id = s.id))) GROUP BY floor(ST_XMin(e.geom) / ?), "
                    + "floor(ST_YMin(e.geom) / ?)) q")) {
                int next = bindArea(st, 1, area);
                st.setDouble(next++, distance);
                st.setDouble(next++, distance);
                st.setDouble(next++, cell);
                st.setDouble(next, cell);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) out.add(new Envelope(rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4)));
                }
            }
        }
        return out;
    }

    private static String identifier(Connection c, String table) throws SQLException {
        return c.unwrap(PGConnection.class).escapeIdentifier(table);
    }

    String validationJson(long id) throws SQLException {
        return oneText("SELECT json_build_object('id', id, 'status', status, 'progress', progress, 'parameters', "
                + "parameters, 'bbox', CASE WHEN area IS NULL THEN NULL ELSE json_build_array(ST_XMin(b), ST_YMin(b), "
                + "ST_XMax(b), ST_YMax(b)) END, 'counts', counts, 'error', error, 'started_at', started_at, "
                + "'finished_at', finished_at)::text FROM topology_validation, "
                + "LATERAL (SELECT ST_Transform(area, 4326)::box2d AS b) t WHERE id = ?", id);
    }

    /** Accepts the issue and every issue with its fingerprint; the exception outlives the issue rows. */
    boolean accept(long issueId, String note, Actor actor) throws SQLException {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            Audit.bind(c, actor);
            try (PreparedStatement find = c.prepareStatement("SELECT fingerprint, rule FROM topology_issue WHERE id = ?");
                 PreparedStatement except = c.prepareStatement("INSERT INTO topology_exception (fingerprint, rule, note) "
                         + "VALUES (?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET note = EXCLUDED.note");
                 PreparedStatement mark = c.prepareStatement(
                         "UPDATE topology_issue SET accepted = true WHERE fingerprint = ?")) {
                find.setLong(1, issueId);
                String fingerprint, rule;
                try (ResultSet rs = find.executeQuery()) {
                    if (!rs.next()) return false;
                    fingerprint = rs.getString(1);
                    rule = rs.getString(2);
                }
                except.setString(1, fingerprint);
                except.setString(2, rule);
                except.setString(3, note);
                except.executeUpdate();
                mark.setString(1, fingerprint);
                mark.executeUpdate();
                Audit.record(c, actor, "issue.accept", "topology_issue", List.of(issueId), note == null ? Map.of()
                        : Map.of("note", note));
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    String issuesGeoJson(TopologyValidation.IssueQuery q, Envelope area) throws SQLException {
        List<String> where = new ArrayList<>();
        if (q.rule() != null) where.add("rule = ?");
        if (q.severity() != null) where.add("severity = ?");
        if (area != null) where.add("location && ST_MakeEnvelope(?, ?, ?, ?, ?)");
        if (q.elementId() != null) where.add("element_ids @> ARRAY[?::bigint]");
        if (q.accepted() != null) where.add("accepted = ?");
        String sql = "SELECT json_build_object('type', 'FeatureCollection', 'numberReturned', count(*), "
                + "'features', coalesce(json_agg(f ORDER BY id), '[]'::json))::text FROM (SELECT id, json_build_object("
                + "'type', 'Feature', 'id', id, 'geometry', ST_AsGeoJSON(ST_Transform(location, 4326), 7)::json, "
                + "'properties', json_build_object('id', id, 'rule', rule, 'severity', severity, 'explanation', "
                + "explanation, 'parameters', parameters, 'element_ids', element_ids, 'junction_ids', junction_ids, "
                + "'accepted', accepted, 'fingerprint', fingerprint, 'validation_id', validation_id, 'found_at', "
                + "found_at)) AS f FROM topology_issue" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY id LIMIT ?) t";
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(sql)) {
            int i = 1;
            if (q.rule() != null) st.setString(i++, q.rule());
            if (q.severity() != null) st.setString(i++, q.severity().id());
            i = bindArea(st, i, area);
            if (q.elementId() != null) st.setLong(i++, q.elementId());
            if (q.accepted() != null) st.setBoolean(i++, q.accepted());
            st.setInt(i, q.limit());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** Element changes as a GeoJSON FeatureCollection in CRS84, with the given foreign members (JSON text). */
    String changesGeoJson(String members, List<TopologyFixes.Change> changes) throws SQLException {
        List<String> geometries = toGeoJson(changes.stream().map(TopologyFixes.Change::geometry).toList());
        StringBuilder b = new StringBuilder("{\"type\":\"FeatureCollection\",").append(members)
                .append(",\"features\":[");
        for (int i = 0; i < changes.size(); i++) {
            TopologyFixes.Change c = changes.get(i);
            if (i > 0) b.append(',');
            b.append("{\"type\":\"Feature\",\"geometry\":").append(geometries.get(i))
                    .append(",\"properties\":{\"action\":\"").append(c.action()).append("\",\"element_id\":")
                    .append(c.elementId()).append("}}");
        }
        return b.append("]}").toString();
    }

    // ---- network build jobs (network_build)

    /** The session advisory lock the queued or running network build holds, on every instance ("SCNB"). */
    static final long NETWORK_BUILD_LOCK = 0x5343_4E42L;
    private static final String UNFINISHED_BUILD = "state IN ('queued', 'building', 'validating')";

    /**
     * A connection holding the network build lock, for the job to keep until it has run; null when another build
     * holds it. Unfinished jobs found then were left by a process that died (its lock went with it): they failed.
     */
    Connection lockBuilds() throws SQLException {
        Connection c = database.connection();
        boolean locked = false;
        try {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                lock.setLong(1, NETWORK_BUILD_LOCK);
                try (ResultSet rs = lock.executeQuery()) {
                    rs.next();
                    locked = rs.getBoolean(1);
                }
            }
            if (!locked) {
                c.close();
                return null;
            }
            // Holding the lock, this process knows that no other runs a build: an unfinished one lost its process.
            List<Object[]> unfinished = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT id, state FROM network_build WHERE " + UNFINISHED_BUILD)) {
                while (rs.next()) unfinished.add(new Object[]{rs.getLong(1), rs.getString(2)});
            }
            for (Object[] u : unfinished) BUILD_RECOVERY.recover(c, (Long) u[0], (String) u[1]);
            return c;
        } catch (SQLException | RuntimeException e) {
            if (locked) unlockBuilds(c);
            else c.close();
            throw e;
        }
    }

    /**
     * Releases the network build lock and the connection that holds it. The connection goes back to the pool, where
     * a lock left on it would refuse every build until the pool retired it: the unlock comes first.
     */
    void unlockBuilds(Connection lock) throws SQLException {
        try (lock; PreparedStatement st = lock.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            st.setLong(1, NETWORK_BUILD_LOCK);
            st.execute();
        }
    }

    /** The id of the build queued or running, if there is one. */
    Long unfinishedBuild() throws SQLException {
        try (Connection c = database.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT max(id) FROM network_build WHERE " + UNFINISHED_BUILD)) {
            rs.next();
            return nullableLong(rs, 1);
        }
    }

    /**
     * Ends a build whose process stopped, truthfully: one recorded 'validating' wrote the network in the transaction
     * that recorded it (only its re-validation was cut); any other wrote nothing.
     */
    static final JobLeases.Kind BUILD_RECOVERY = new JobLeases.Kind() {
        @Override
        public String table() {
            return "network_build";
        }

        @Override
        public String stateColumn() {
            return "state";
        }

        @Override
        public String runningStates() {
            return "'queued', 'building', 'validating'";
        }

        @Override
        public void recover(Connection c, long id, String state) throws SQLException {
            try (PreparedStatement st = c.prepareStatement(state.equals("validating")
                    ? "UPDATE network_build SET state = 'applied', progress = 1, lease_owner = NULL, finished_at = now(), "
                            + "error = 'The network was written (see the summary); the re-validation of its neighbourhood "
                            + "was interrupted when the StreetCad instance running it stopped: validate the area again.' "
                            + "WHERE id = ?"
                    : "UPDATE network_build SET state = 'failed', lease_owner = NULL, finished_at = now(), error = "
                            + "'Interrupted: the StreetCad instance running this build stopped before it wrote anything; "
                            + "nothing was written.' WHERE id = ?")) {
                st.setLong(1, id);
                st.executeUpdate();
            }
        }
    };

    /** Ends a validation whose process stopped: its findings and its success are written in one transaction. */
    static final JobLeases.Kind VALIDATION_RECOVERY = new JobLeases.Kind() {
        @Override
        public String table() {
            return "topology_validation";
        }

        @Override
        public String stateColumn() {
            return "status";
        }

        @Override
        public String runningStates() {
            return "'running'";
        }

        @Override
        public void recover(Connection c, long id, String state) throws SQLException {
            try (PreparedStatement st = c.prepareStatement("UPDATE topology_validation SET status = 'failed', "
                    + "lease_owner = NULL, finished_at = now(), error = 'Interrupted: the StreetCad instance running this "
                    + "validation stopped; the open issues are as they were before it.' WHERE id = ?")) {
                st.setLong(1, id);
                st.executeUpdate();
            }
        }
    };

    /** Records an applied build written, in the transaction that writes the network. */
    void recordBuildWritten(Connection c, long id, NetworkBuild.Summary summary, String changesGeoJson) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE network_build SET state = 'validating', progress = 0.5, "
                + "summary = ?::jsonb, changes = ?::json WHERE id = ? AND state = 'building' AND lease_owner = ?")) {
            st.setString(1, json(summary(summary)));
            st.setString(2, changesGeoJson);
            st.setLong(3, id);
            st.setString(4, database.leases().owner());
            if (st.executeUpdate() != 1) {
                throw new IllegalStateException("network build " + id + " was ended by another StreetCad instance (its "
                        + "lease had expired); nothing was written");
            }
        }
    }

    long insertBuild(Connection c, double[] bboxCrs84, double tolerance, boolean apply) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO network_build (apply, area, tolerance, lease_owner, "
                + "lease_until) VALUES (?, ?, ?, ?, now() + make_interval(secs => ?)) RETURNING id")) {
            st.setBoolean(1, apply);
            st.setArray(2, bboxCrs84 == null ? null : c.createArrayOf("float8",
                    java.util.Arrays.stream(bboxCrs84).boxed().toArray()));
            st.setDouble(3, tolerance);
            database.leases().bind(st, 4);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Moves a build job on; the summary, changes and validation are kept once given (null leaves them). */
    void updateBuild(long id, String state, double progress, NetworkBuild.Summary summary, String changesGeoJson,
                     Long validationId) throws SQLException {
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement("UPDATE network_build "
                + "SET state = ?, progress = ?, summary = coalesce(?::jsonb, summary), "
                + "changes = coalesce(?::json, changes), validation_id = coalesce(?, validation_id), "
                + "finished_at = CASE WHEN ? IN ('previewed', 'applied') THEN now() END WHERE id = ?")) {
            st.setString(1, state);
            st.setDouble(2, progress);
            st.setString(3, summary == null ? null : json(summary(summary)));
            st.setString(4, changesGeoJson);
            st.setObject(5, validationId);
            st.setString(6, state);
            st.setLong(7, id);
            st.executeUpdate();
        }
    }

    void failBuild(long id, String error) throws SQLException {
        fail("network_build", "state", id, error);
    }

    private static Map<String, Object> summary(NetworkBuild.Summary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source_elements", s.sourceElements());
        m.put("elements", s.elements());
        m.put("split_elements", s.splitElements());
        m.put("added_elements", s.addedElements());
        m.put("changed_elements", s.changedElements());
        m.put("removed_elements", s.removedElements());
        m.put("snapped_endpoints", s.snappedEndpoints());
        m.put("junctions", s.junctions());
        m.put("junctions_by_kind", s.junctionsByKind());
        m.put("new_junctions_by_kind", s.newJunctionsByKind());
        return m;
    }

    /** A build job as JSON text (without its changes), or null when there is none with that id. */
    String buildJson(long id) throws SQLException {
        return oneText("SELECT json_build_object('id', id, 'state', state, 'apply', apply, 'bbox', area, "
                + "'tolerance', tolerance, 'progress', progress, 'summary', summary, 'validation_id', validation_id, "
                + "'error', error, 'created_at', created_at, 'finished_at', finished_at)::text FROM network_build "
                + "WHERE id = ?", id);
    }

    /** A build job's changes as GeoJSON text; null when there is no such job or it has none yet. */
    String buildChanges(long id) throws SQLException {
        return oneText("SELECT changes::text FROM network_build WHERE id = ?", id);
    }

    private String oneText(String sql, long id) throws SQLException {
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** CRS84 GeoJSON geometries of locations in the storage CRS, in order, transformed by PostGIS in one query. */
    List<String> toGeoJson(List<Geometry> locations) throws SQLException {
        List<String> out = new ArrayList<>(locations.size());
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(
                "SELECT ST_AsGeoJSON(ST_Transform(ST_GeomFromEWKB(g), 4326), 7) FROM unnest(?::bytea[]) "
                        + "WITH ORDINALITY AS t (g, n) ORDER BY n")) {
            WKBWriter writer = new WKBWriter(2, true);
            byte[][] wkbs = new byte[locations.size()][];
            for (int i = 0; i < wkbs.length; i++) {
                Geometry g = locations.get(i);
                g.setSRID(database.storageSrid());
                wkbs[i] = writer.write(g);
            }
            st.setObject(1, wkbs);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    static String json(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serialisable as JSON: " + value, e);
        }
    }

    private static String array(List<Long> ids) {
        return "{" + String.join(",", ids.stream().map(String::valueOf).toList()) + "}";
    }

    /** Escapes text for COPY's text format. */
    private static String copyText(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static String prefixed(String prefix, String columns) {
        return String.join(", ", java.util.Arrays.stream(columns.split(", ")).map(c -> prefix + c).toList());
    }

    private static Writer copy(Connection c, String sql) throws SQLException {
        PGCopyOutputStream out = new PGCopyOutputStream(c.unwrap(PGConnection.class), sql, 1 << 16);
        return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    }

    /** Hex EWKB with the SRID: what PostGIS's geometry input reads, in COPY text format. */
    private String hex(Geometry g) {
        g.setSRID(database.storageSrid());
        return WKBWriter.toHex(new WKBWriter(2, true).write(g));
    }

    private static Geometry read(WKBReader wkb, byte[] bytes) throws SQLException {
        try {
            return wkb.read(bytes);
        } catch (ParseException e) {
            throw new SQLException("unreadable geometry from PostGIS: " + e.getMessage(), e);
        }
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
