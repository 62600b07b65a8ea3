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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

    static byte[] wkb(Geometry g) {
        return new WKBWriter(2, true).write(g);
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
