package it.firenze.streetcad.topology;

import it.firenze.streetcad.db.Database;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** The area of interest in the storage CRS, from a CRS84 bbox; null for the whole cadastre. */
    Envelope toStorage(double[] bbox) throws SQLException {
        if (bbox == null) return null;
        try (Connection c = database.connection();
             PreparedStatement st = c.prepareStatement("SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM "
                     + "(SELECT ST_Transform(ST_MakeEnvelope(?, ?, ?, ?, 4326), ?)::box2d AS b) t")) {
            for (int i = 0; i < 4; i++) st.setDouble(i + 1, bbox[i]);
            st.setInt(5, database.storageSrid());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new Envelope(rs.getDouble(1), rs.getDouble(3), rs.getDouble(2), rs.getDouble(4));
            }
        }
    }

    /** The road elements whose geometry meets the area (all of them when area is null), ordered by id. */
    List<TopologyLine> elements(Connection c, Envelope area) throws SQLException {
        String sql = "SELECT id, source_key, ST_AsBinary(geom), level, layer, direction, from_junction, to_junction, "
                + String.join(", ", MERGE_ATTRIBUTES.stream().map(a -> a + "::text").toList())
                + " FROM road_element WHERE valid_to IS NULL"
                + (area == null ? "" : " AND geom && ST_MakeEnvelope(?, ?, ?, ?, ?)") + " ORDER BY id";
        List<TopologyLine> lines = new ArrayList<>();
        WKBReader wkb = new WKBReader(factory);
        try (PreparedStatement st = c.prepareStatement(sql)) {
            bindArea(st, 1, area);
            st.setFetchSize(10_000);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> attributes = new LinkedHashMap<>();
                    for (int i = 0; i < MERGE_ATTRIBUTES.size(); i++) {
                        attributes.put(MERGE_ATTRIBUTES.get(i), rs.getString(9 + i));
                    }
                    lines.add(new TopologyLine(rs.getLong(1), rs.getString(2), read(wkb, rs.getBytes(3)),
                            rs.getString(4), rs.getInt(5), rs.getString(6), nullableLong(rs, 7), nullableLong(rs, 8),
                            attributes));
                }
            }
        }
        return lines;
    }

    /** Junctions in the area, by id. */
    Map<Long, Point> junctions(Connection c, Envelope area) throws SQLException {
        String sql = "SELECT id, ST_AsBinary(geom) FROM junction WHERE valid_to IS NULL"
                + (area == null ? "" : " AND geom && ST_MakeEnvelope(?, ?, ?, ?, ?)");
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
        try (PreparedStatement st = c.prepareStatement("DELETE FROM road_element WHERE id = ANY (?)")) {
            st.setArray(1, c.createArrayOf("bigint", collapsed.toArray()));
            st.executeUpdate();
        }
        List<Long> formerJunctions = new ArrayList<>();
        for (TopologyLine l : sources) {
            if (l.fromJunction() != null) formerJunctions.add(l.fromJunction());
            if (l.toJunction() != null) formerJunctions.add(l.toJunction());
        }
        try (PreparedStatement st = c.prepareStatement("DELETE FROM junction j WHERE j.id = ANY (?) "
                + "AND NOT EXISTS (SELECT 1 FROM road_element e WHERE e.from_junction = j.id) "
                + "AND NOT EXISTS (SELECT 1 FROM road_element e WHERE e.to_junction = j.id)")) {
            st.setArray(1, c.createArrayOf("bigint", formerJunctions.toArray()));
            st.executeUpdate();
        }
        try (Statement st = c.createStatement()) {
            st.execute(RECOMPUTE_JUNCTIONS);
        }
    }

    private static final String ELEMENT_COLUMNS = "road_id, functional_class, element_type, level, layer, carriageways, "
            + "lanes, width_m, surface, direction, status, speed_limit, source_key, source_attributes";

    private static final List<String> BUILD_STATEMENTS = List.of(
            "ANALYZE build_junction",
            "ANALYZE build_piece",
            "UPDATE build_junction t SET id = j.id FROM junction j WHERE j.valid_to IS NULL AND j.geom ~= t.geom",
            "UPDATE build_junction SET id = nextval(pg_get_serial_sequence('junction', 'id')) WHERE id IS NULL",
            "INSERT INTO junction (id, geom, kind, degree) SELECT t.id, t.geom, 'end', 0 FROM build_junction t "
                    + "WHERE NOT EXISTS (SELECT 1 FROM junction j WHERE j.id = t.id)",
            "UPDATE build_piece SET id = CASE WHEN piece = 0 THEN source_id "
                    + "ELSE nextval(pg_get_serial_sequence('road_element', 'id')) END",
            "INSERT INTO road_element (id, geom, from_junction, to_junction, " + ELEMENT_COLUMNS + ") "
                    + "SELECT p.id, p.geom, jf.id, jt.id, " + prefixed("e.", ELEMENT_COLUMNS) + " FROM build_piece p "
                    + "JOIN road_element e ON e.id = p.source_id JOIN build_junction jf ON jf.idx = p.from_idx "
                    + "JOIN build_junction jt ON jt.idx = p.to_idx WHERE p.piece > 0",
            // An event follows the pieces it lies on (a point event the piece its measure falls in), measured anew
            // from the piece's start; measures are clipped to the piece, which snapping may have shortened.
            "INSERT INTO element_event (element_id, from_m, to_m, direction, kind, attributes, valid_from, valid_to) "
                    + "SELECT p.id, least(greatest(ev.from_m - p.start_m, 0), p.length_m), "
                    + "least(greatest(ev.to_m - p.start_m, 0), p.length_m), ev.direction, ev.kind, ev.attributes, "
                    + "ev.valid_from, ev.valid_to FROM element_event ev JOIN build_piece p ON p.source_id = ev.element_id "
                    + "WHERE p.piece > 0 AND ev.from_m < p.end_m AND (ev.to_m > p.start_m OR ev.from_m >= p.start_m)",
            "DELETE FROM element_event ev USING build_piece p WHERE p.piece = 0 AND p.source_id = ev.element_id "
                    + "AND ev.from_m >= p.end_m",
            "UPDATE element_event ev SET from_m = least(ev.from_m, p.length_m), to_m = least(ev.to_m, p.length_m) "
                    + "FROM build_piece p WHERE p.piece = 0 AND p.source_id = ev.element_id AND ev.to_m > p.length_m",
            "UPDATE road_element e SET geom = p.geom, from_junction = jf.id, to_junction = jt.id FROM build_piece p "
                    + "JOIN build_junction jf ON jf.idx = p.from_idx JOIN build_junction jt ON jt.idx = p.to_idx "
                    + "WHERE p.piece = 0 AND e.id = p.source_id AND (e.geom IS DISTINCT FROM p.geom "
                    + "OR e.from_junction IS DISTINCT FROM jf.id OR e.to_junction IS DISTINCT FROM jt.id)");

    /** Degree = element ends at the junction; kind from the degree, a roundabout where one meets it. */
    private static final String RECOMPUTE_JUNCTIONS = """
            WITH ends AS (
                SELECT from_junction AS id, element_type FROM road_element
                WHERE from_junction IN (SELECT id FROM build_junction)
                UNION ALL
                SELECT to_junction, element_type FROM road_element WHERE to_junction IN (SELECT id FROM build_junction)),
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
