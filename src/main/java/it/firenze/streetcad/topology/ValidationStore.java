package it.firenze.streetcad.topology;

import static it.firenze.streetcad.topology.TopologySql.json;
import static it.firenze.streetcad.topology.TopologySql.array;
import static it.firenze.streetcad.topology.TopologySql.copyText;
import static it.firenze.streetcad.topology.TopologySql.copy;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Audit;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.JobLeases;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;

import java.io.IOException;
import java.io.Writer;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Validations and the issues they record (topology_validation, topology_issue, topology_exception): begun, failed or
 * succeeded, and the open issues a run judged replaced by its findings in the same transaction; read as JSON.
 */
final class ValidationStore {

    private final Database database;

    ValidationStore(Database database) {
        this.database = database;
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
                Database.rollback(c);
                throw e;
            } finally {
                Database.restoreAutoCommit(c);
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
        fail(validationId, error);
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
                succeed(c, database, validationId, counts(report));
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c);
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
        // The derived findings (an end without a junction, V28) are in the report for its counts, never stored.
        List<Finding> stored = report.findings().stream().filter(f -> !DerivedIssues.isDerived(f)).toList();
        Set<String> fingerprints = new HashSet<>();
        stored.forEach(f -> fingerprints.add(f.fingerprint()));
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
        for (Finding f : stored) {
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
    static void succeed(Connection c, Database database, long validationId, Map<String, Object> counts)
            throws SQLException {
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

    String validationJson(long id) throws SQLException {
        return TopologySql.oneText(database, "SELECT json_build_object('id', id, 'status', status, 'progress', progress, 'parameters', "
                + "parameters, 'bbox', CASE WHEN area IS NULL THEN NULL ELSE json_build_array(ST_XMin(b), ST_YMin(b), "
                + "ST_XMax(b), ST_YMax(b)) END, 'counts', counts, 'error', error, 'started_at', started_at, "
                + "'finished_at', finished_at)::text FROM topology_validation, "
                + "LATERAL (SELECT ST_Transform(area, 4326)::box2d AS b) t WHERE id = ?", id);
    }

    /** Ends a validation whose process stopped: its findings and its success are written in one transaction. */
    static final JobLeases.Kind VALIDATION_RECOVERY = new JobLeases.Kind("topology_validation", "status", "'running'",
            (c, id, state) -> JobLeases.update(c, "UPDATE topology_validation SET status = 'failed', "
                    + "lease_owner = NULL, finished_at = now(), error = 'Interrupted: the StreetCad instance running this "
                    + "validation stopped; the open issues are as they were before it.' WHERE id = ?", id));

    private void fail(long validationId, String error) throws SQLException {
        TopologySql.fail(database, "topology_validation", "status", validationId, error);
    }

    private int bindArea(PreparedStatement st, int index, Envelope area) throws SQLException {
        return TopologySql.bindArea(st, index, area, database.storageSrid());
    }

    private String hex(Geometry g) {
        return TopologySql.hex(g, database.storageSrid());
    }
}
