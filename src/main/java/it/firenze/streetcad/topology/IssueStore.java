package it.firenze.streetcad.topology;

import static it.firenze.streetcad.topology.TopologySql.json;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Audit;
import it.firenze.streetcad.db.Database;
import org.locationtech.jts.geom.Envelope;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The open issues as GeoJSON, and their acceptance as exceptions: read from open_topology_issue (V28), the stored
 * findings (topology_issue) and those derived from the cadastre; accepted by fingerprint (topology_exception).
 */
final class IssueStore {

    private final Database database;

    IssueStore(Database database) {
        this.database = database;
    }

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

    /** Accepts the issue and every issue with its fingerprint; the exception outlives the issue rows. */
    boolean accept(long issueId, String note, Actor actor) throws SQLException {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            Audit.bind(c, actor);
            // The view (V28): a derived issue (an end without a junction, negative id) is accepted by its
            // fingerprint alone, and its tiles are told so, since no stored row changes under them.
            try (PreparedStatement find = c.prepareStatement("SELECT fingerprint, rule, ST_AsEWKB(location) "
                    + "FROM open_topology_issue WHERE id = ?");
                 PreparedStatement except = c.prepareStatement("INSERT INTO topology_exception (fingerprint, rule, note) "
                         + "VALUES (?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET note = EXCLUDED.note");
                 PreparedStatement mark = c.prepareStatement(
                         "UPDATE topology_issue SET accepted = true WHERE fingerprint = ?")) {
                find.setLong(1, issueId);
                String fingerprint, rule;
                byte[] location;
                try (ResultSet rs = find.executeQuery()) {
                    if (!rs.next()) return false;
                    fingerprint = rs.getString(1);
                    rule = rs.getString(2);
                    location = rs.getBytes(3);
                }
                if (issueId < 0) {
                    try (PreparedStatement tiles = c.prepareStatement("SELECT record_tile_changes('topology_issue', "
                            + "ARRAY[ST_GeomFromEWKB(?)])")) {
                        tiles.setBytes(1, location);
                        tiles.executeQuery().close();
                    }
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
                Database.rollback(c);
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
                + "found_at)) AS f FROM open_topology_issue" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
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

    private int bindArea(PreparedStatement st, int index, Envelope area) throws SQLException {
        return TopologySql.bindArea(st, index, area, database.storageSrid());
    }
}
