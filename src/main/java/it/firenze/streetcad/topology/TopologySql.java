package it.firenze.streetcad.topology;

import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.Database;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** The SQL helpers the topology engine's stores share: JSON and COPY text, EWKB both ways, areas as parameters. */
final class TopologySql {

    private TopologySql() {
    }

    static String json(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serialisable as JSON: " + value, e);
        }
    }

    /** A bigint array literal. */
    static String array(List<Long> ids) {
        return "{" + String.join(",", ids.stream().map(String::valueOf).toList()) + "}";
    }

    /** Escapes text for COPY's text format. */
    static String copyText(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    static Writer copy(Connection c, String sql) throws SQLException {
        PGCopyOutputStream out = new PGCopyOutputStream(c.unwrap(PGConnection.class), sql, 1 << 16);
        return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    }

    /** Hex EWKB with the SRID: what PostGIS's geometry input reads, in COPY text format. */
    static String hex(Geometry g, int srid) {
        return WKBWriter.toHex(ewkb(g, srid));
    }

    /** EWKB with the SRID, for a geometry parameter. */
    static byte[] ewkb(Geometry g, int srid) {
        g.setSRID(srid);
        return new WKBWriter(2, true).write(g);
    }

    static Geometry read(WKBReader wkb, byte[] bytes) throws SQLException {
        try {
            return wkb.read(bytes);
        } catch (ParseException e) {
            throw new SQLException("unreadable geometry from PostGIS: " + e.getMessage(), e);
        }
    }

    static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /** Binds an area (storage CRS) to the five parameters of ST_MakeEnvelope from index on; none when null. */
    static int bindArea(PreparedStatement st, int index, Envelope area, int srid) throws SQLException {
        if (area == null) return index;
        st.setDouble(index, area.getMinX());
        st.setDouble(index + 1, area.getMinY());
        st.setDouble(index + 2, area.getMaxX());
        st.setDouble(index + 3, area.getMaxY());
        st.setInt(index + 4, srid);
        return index + 5;
    }

    /** The one text column of the row with this id, or null when there is none. */
    static String oneText(Database database, String sql, long id) throws SQLException {
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Marks a validation or build job failed with why; each table names its state column its own way. */
    static void fail(Database database, String jobTable, String stateColumn, long id, String error) throws SQLException {
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement("UPDATE " + jobTable
                + " SET " + stateColumn + " = 'failed', error = ?, finished_at = now() WHERE id = ?")) {
            st.setString(1, error);
            st.setLong(2, id);
            st.executeUpdate();
        }
    }
}
