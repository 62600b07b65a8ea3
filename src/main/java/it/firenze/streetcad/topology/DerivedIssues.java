package it.firenze.streetcad.topology;

import it.firenze.streetcad.api.Json;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.io.WKBReader;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The issues derived from the cadastre instead of stored: an end of a live element without a junction ("the
 * element's start has no from junction"). Defined once, by the view open_topology_issue and its functions
 * unjoined_end_explanation and unjoined_end_fingerprint (V28), with their ids (negative) and fingerprints; read
 * here as findings, for a validation's report and counts, and as they were before an edit, for the findings it
 * raised and closed.
 */
final class DerivedIssues {

    private final int storageSrid;

    DerivedIssues(int storageSrid) {
        this.storageSrid = storageSrid;
    }

    /** Whether a finding is one of the derived kind (then it is never stored in topology_issue). */
    static boolean isDerived(Finding f) {
        return f.rule() == Rule.ENDPOINT_OFF_JUNCTION && f.junctionIds().isEmpty();
    }

    /**
     * The derived issues of the elements (all when null) whose ends lie within the area (anywhere when null), as
     * findings carrying the view's fingerprint, in id order.
     */
    List<Finding> findings(Connection c, Envelope area, Set<Long> elements) throws SQLException {
        String sql = "SELECT explanation, parameters::text, ST_AsBinary(location), element_ids[1], fingerprint "
                + "FROM open_topology_issue WHERE id < 0"
                + (area == null ? "" : " AND location && ST_MakeEnvelope(?, ?, ?, ?, ?)")
                + (elements == null ? "" : " AND element_ids[1] = ANY (?)") + " ORDER BY id";
        List<Finding> out = new ArrayList<>();
        WKBReader wkb = new WKBReader(new GeometryFactory(new PrecisionModel(), storageSrid));
        try (PreparedStatement st = c.prepareStatement(sql)) {
            int next = area == null ? 1 : TopologySql.bindArea(st, 1, area, storageSrid);
            if (elements != null) st.setArray(next, c.createArrayOf("bigint", elements.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> parameters = Json.mapper().readValue(rs.getString(2), LinkedHashMap.class);
                    out.add(new Finding(Rule.ENDPOINT_OFF_JUNCTION, rs.getString(1), parameters,
                            TopologySql.read(wkb, rs.getBytes(3)), List.of(rs.getLong(4)), List.of(), List.of(),
                            rs.getString(5)));
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SQLException("unreadable parameters of a derived issue: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * The open (not accepted) derived issues within the area as the cadastre stood before the caller's transaction
     * ({@code before}) or as it stands in it: an edit's raised and closed derived issues are their difference. Before
     * is read from the versions current just before the transaction started (road_element_as_of, V7): the rows it
     * wrote are recorded from its start, the versions it replaced or retired are in the history until then.
     */
    List<TopologyValidation.OpenIssue> open(Connection c, Envelope area, boolean before) throws SQLException {
        String sql = before
                ? "SELECT u.fingerprint, 'endpoint-off-junction', 'error', unjoined_end_explanation(u.which), "
                + "ARRAY[u.id] FROM (SELECT e.id, w.which, unjoined_end_fingerprint(w.which, e.geom) AS fingerprint "
                + "FROM road_element_as_of(now() - interval '1 microsecond') e CROSS JOIN LATERAL (VALUES ('start', "
                + "e.from_junction, ST_StartPoint(e.geom)), ('end', e.to_junction, ST_EndPoint(e.geom))) "
                + "AS w(which, junction, location) WHERE w.junction IS NULL AND live_at(e.valid_from, e.valid_to, now()) "
                + "AND e.geom && ST_MakeEnvelope(?, ?, ?, ?, ?) AND w.location && ST_MakeEnvelope(?, ?, ?, ?, ?)) u "
                + "WHERE NOT EXISTS (SELECT 1 FROM topology_exception x WHERE x.fingerprint = u.fingerprint) "
                + "ORDER BY u.id, u.which DESC"
                : "SELECT fingerprint, rule, severity, explanation, element_ids FROM open_topology_issue WHERE id < 0 "
                + "AND location && ST_MakeEnvelope(?, ?, ?, ?, ?) AND NOT accepted ORDER BY id DESC";
        List<TopologyValidation.OpenIssue> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql)) {
            int next = TopologySql.bindArea(st, 1, area, storageSrid);
            if (before) TopologySql.bindArea(st, next, area, storageSrid);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new TopologyValidation.OpenIssue(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), longs(rs.getArray(5))));
                }
            }
        }
        return out;
    }

    private static List<Long> longs(Array array) throws SQLException {
        List<Long> out = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) out.add(((Number) o).longValue());
        return out;
    }
}
