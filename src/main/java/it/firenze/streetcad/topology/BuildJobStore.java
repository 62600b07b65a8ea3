package it.firenze.streetcad.topology;

import static it.firenze.streetcad.topology.TopologySql.json;
import static it.firenze.streetcad.topology.TopologySql.nullableLong;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.JobLeases;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Network build jobs (network_build): the lock one build at a time holds, their states, summaries and changes. */
final class BuildJobStore {

    private final Database database;

    BuildJobStore(Database database) {
        this.database = database;
    }

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
    static final JobLeases.Kind BUILD_RECOVERY = new JobLeases.Kind("network_build", "state",
            "'queued', 'building', 'validating'", (c, id, state) -> JobLeases.update(c, state.equals("validating")
                    ? "UPDATE network_build SET state = 'applied', progress = 1, lease_owner = NULL, finished_at = now(), "
                            + "error = 'The network was written (see the summary); the re-validation of its neighbourhood "
                            + "was interrupted when the StreetCad instance running it stopped or lost its database: validate the area again.' "
                            + "WHERE id = ?"
                    : "UPDATE network_build SET state = 'failed', lease_owner = NULL, finished_at = now(), error = "
                            + "'Interrupted: the StreetCad instance running this build stopped or lost its database before it wrote anything; "
                            + "nothing was written.' WHERE id = ?", id));

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
        TopologySql.fail(database, "network_build", "state", id, error);
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
        return TopologySql.oneText(database, "SELECT json_build_object('id', id, 'state', state, 'apply', apply, 'bbox', area, "
                + "'tolerance', tolerance, 'progress', progress, 'summary', summary, 'validation_id', validation_id, "
                + "'error', error, 'created_at', created_at, 'finished_at', finished_at)::text FROM network_build "
                + "WHERE id = ?", id);
    }

    /** A build job's changes as GeoJSON text; null when there is no such job or it has none yet. */
    String buildChanges(long id) throws SQLException {
        return TopologySql.oneText(database, "SELECT changes::text FROM network_build WHERE id = ?", id);
    }
}
