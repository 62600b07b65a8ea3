package it.firenze.streetcad.topology;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.FirstLoad;
import it.firenze.streetcad.importer.StagedFindings;
import org.locationtech.jts.geom.Envelope;
import org.postgresql.PGConnection;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An import's kept findings recorded as the open issues of the elements it touched, without judging them again, and
 * the seams where the import meets the rest of the network, which are judged again.
 */
final class ImportedIssues {

    private final Database database;

    ImportedIssues(Database database) {
        this.database = database;
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
                    // A first load (no issue recorded yet) builds the issues' indexes after its rows.
                    FirstLoad.insert(c, "topology_issue", st::executeLargeUpdate);
                }
                // The counts of the issues of the touched elements, as before: the findings recorded, and the ends
                // without a junction the view derives from the elements (V28), which are no longer recorded. Into an
                // empty cadastre every live element is a touched one: matching 2,000,000 ends of a million lines
                // against the touched ones took 4.8 s of the 2.0 s counting them does (BENCHMARKS.md, issue 17,
                // session 16).
                Map<String, Object> counts = new LinkedHashMap<>();
                for (Severity severity : Severity.values()) counts.put(severity.id(), 0L);
                long total = 0, derived = 0;
                try (PreparedStatement st = c.prepareStatement("SELECT severity, count(*), count(*) FILTER (WHERE accepted), "
                        + "count(*) FILTER (WHERE derived) FROM (SELECT severity, accepted, false AS derived FROM "
                        + "topology_issue WHERE validation_id = ? UNION ALL SELECT o.severity, o.accepted, true FROM "
                        + "open_topology_issue o WHERE o.id < 0" + (recorded.meetsNoOtherElement() ? ""
                        : " AND o.element_ids[1] IN (SELECT m.element_id FROM " + elements + " m)") + ") q GROUP BY severity")) {
                    st.setLong(1, validationId);
                    long accepted = 0;
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            counts.put(rs.getString(1), rs.getLong(2));
                            total += rs.getLong(2);
                            accepted += rs.getLong(3);
                            derived += rs.getLong(4);
                        }
                    }
                    counts.put("accepted", accepted);
                }
                // Nothing was validated again: every finding came from the import's check.
                counts.put("elements", 0);
                counts.put("junctions", 0);
                counts.put("recorded_from_import_check", total - derived);
                counts.put("derived_from_cadastre", derived);
                ValidationStore.succeed(c, database, validationId, counts);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c);
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

    private int bindArea(PreparedStatement st, int index, Envelope area) throws SQLException {
        return TopologySql.bindArea(st, index, area, database.storageSrid());
    }
}
