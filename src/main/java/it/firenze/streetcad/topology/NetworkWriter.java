package it.firenze.streetcad.topology;

import static it.firenze.streetcad.topology.TopologySql.copy;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.SerialIds;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.CoordinateArrays;
import org.locationtech.jts.geom.CoordinateList;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.geom.LineString;

import java.io.IOException;
import java.io.Writer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes what builds and fixes change in the network, inside the caller's transaction: a built network over its
 * source elements, moved geometries, retired elements and merged pairs, with their junctions kept true.
 */
final class NetworkWriter {

    private final int srid;
    private final GeometryFactory factory;

    NetworkWriter(Database database) {
        this.srid = database.storageSrid();
        this.factory = new GeometryFactory(new PrecisionModel(), srid);
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
        Junctions.retireOrphanJunctions(c, formerJunctions);
        List<Long> built = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM build_junction")) {
            while (rs.next()) built.add(rs.getLong(1));
        }
        Junctions.recomputeJunctions(c, built);
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
            "UPDATE build_junction SET id = " + SerialIds.next("junction") + " WHERE id IS NULL",
            "INSERT INTO junction (id, geom, kind, degree) SELECT t.id, t.geom, 'end', 0 FROM build_junction t "
                    + "WHERE NOT EXISTS (SELECT 1 FROM junction j WHERE j.id = t.id)",
            "UPDATE build_piece SET id = CASE WHEN piece = 0 THEN source_id "
                    + "ELSE " + SerialIds.next("road_element") + " END",
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
        Junctions.recomputeJunctions(c, junctions);
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
        Junctions.recomputeJunctions(c, touched);
    }

    private byte[] ewkb(Geometry g) {
        return TopologySql.ewkb(g, srid);
    }

    private String hex(Geometry g) {
        return TopologySql.hex(g, srid);
    }

    private static String prefixed(String prefix, String columns) {
        return String.join(", ", java.util.Arrays.stream(columns.split(", ")).map(c -> prefix + c).toList());
    }
}
