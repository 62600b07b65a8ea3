package it.firenze.streetcad.topology;

import it.firenze.streetcad.db.Database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** A test cadastre in the real PostGIS, filled with hand-made road elements (offsets in metres, see {@link Lines}). */
final class Cadastre {
    final Database db;

    Cadastre(Database db) {
        this.db = db;
    }

    /**
     * Apart from each other, one defect each safe fix removes: a mergeable pseudo-node (west–east), an exact
     * duplicate, a duplicate vertex, a crossing without a junction and an end 30 cm short of a line.
     */
    void oneDefectForEachSafeFix() throws SQLException {
        element("west", "LINESTRING(0 0, 100 0)");
        element("east", "LINESTRING(100 0, 200 0)");
        element("dup", "LINESTRING(0 100, 100 100)");
        element("dup", "LINESTRING(0 100, 100 100)");
        element("vertex", "LINESTRING(0 200, 50 200, 50 200, 100 200)");
        element("cross1", "LINESTRING(0 300, 200 300)");
        element("cross2", "LINESTRING(50 250, 50 350)");
        element("short", "LINESTRING(150 300.3, 150 400)");
    }

    /** Inserts a raw element (no junctions) and returns its id. */
    long element(String sourceKey, String wkt) throws SQLException {
        return element(sourceKey, wkt, "at_grade", 0, "both");
    }

    long element(String sourceKey, String wkt, String level, int layer, String direction) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement st = c.prepareStatement(
                "INSERT INTO road_element (geom, level, layer, direction, source_key, source_attributes) "
                        + "VALUES (ST_GeomFromText(?, 6707), ?, ?, ?, ?, jsonb_build_object('key', ?::text)) RETURNING id")) {
            st.setString(1, Lines.wkt(wkt).toText());
            st.setString(2, level);
            st.setInt(3, layer);
            st.setString(4, direction);
            st.setString(5, sourceKey);
            st.setString(6, sourceKey);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** "minLon,minLat,maxLon,maxLat" (CRS84) of the box around a point (offsets in metres, see {@link Lines}). */
    String bboxAround(String pointWkt, double metres) throws SQLException {
        return strings("SELECT concat_ws(',', ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)) FROM (SELECT "
                + "ST_Transform(ST_Buffer(ST_GeomFromText('" + Lines.wkt(pointWkt).toText() + "', 6707), " + metres
                + "), 4326)::box2d AS b) t").getFirst();
    }

    void execute(String sql) throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    long count(String sql) throws SQLException {
        return longs(sql).get(0);
    }

    List<Long> longs(String sql) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getLong(1));
        }
        return out;
    }

    List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
