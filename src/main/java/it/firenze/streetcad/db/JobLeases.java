package it.firenze.streetcad.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The leases of the jobs this process runs (see V8): a job's row names this process as its owner until
 * {@code lease_until}, which a background thread pushes forward while the job runs. The same thread ends, truthfully,
 * the jobs whose lease expired on any instance ({@link #recoverExpired}), so a job never stays "running" after the
 * process running it died.
 */
public final class JobLeases implements AutoCloseable {

    /**
     * One kind of job: its table, its state column, the states of a job whose owner works on it (as an SQL list:
     * {@code 'staging', 'committing'}) and how to end one whose owner is gone.
     */
    public record Kind(String table, String stateColumn, String runningStates, Ending ending) {

        public void recover(Connection c, long id, String state) throws SQLException {
            ending.end(c, id, state);
        }
    }

    /**
     * Ends a job whose lease expired, in the caller's transaction (its row is locked): says what was written, or that
     * nothing was, and cleans what the job left (staging tables).
     */
    @FunctionalInterface
    public interface Ending {
        void end(Connection c, long id, String state) throws SQLException;
    }

    /** Runs a statement on one job, its id the statement's only parameter: how most endings record themselves. */
    public static void update(Connection c, String sql, long id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setLong(1, id);
            st.executeUpdate();
        }
    }

    /** A lease held while the job runs; closing it stops the renewal. */
    public interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    /** Sets a row's lease to this process, for {@link #bind}: {@code UPDATE t SET state = ?, <SET> WHERE …}. */
    public static final String SET = "lease_owner = ?, lease_until = now() + make_interval(secs => ?)";

    private static final Logger LOG = LoggerFactory.getLogger(JobLeases.class);

    private final Database database;
    private final int seconds;
    private final String owner;
    private final Map<String, Set<Long>> held = new ConcurrentHashMap<>();
    private final Map<String, Kind> recovered = new ConcurrentHashMap<>();
    private final Map<String, Sweep> sweeps = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    JobLeases(Database database, int seconds) {
        this.database = database;
        this.seconds = seconds;
        this.owner = hostName() + ":" + ProcessHandle.current().pid() + ":" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "streetcad-job-leases");
            t.setDaemon(true);
            return t;
        });
        // Renewing three times per lease keeps it alive through two missed renewals (a slow database, a GC pause).
        long period = Math.max(200, seconds * 1000L / 3);
        timer.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    /** Who this process is in {@code lease_owner}: host, pid and a random part (pids repeat across hosts and restarts). */
    public String owner() {
        return owner;
    }

    /** Binds {@link #SET}'s two parameters from {@code index}; returns the next index. */
    public int bind(PreparedStatement st, int index) throws SQLException {
        st.setString(index, owner);
        st.setInt(index + 1, seconds);
        return index + 2;
    }

    /** Keeps renewing the lease of a job whose row this process already took (with {@link #SET}) until closed. */
    public Lease hold(String table, long id) {
        held.computeIfAbsent(table, t -> ConcurrentHashMap.newKeySet()).add(id);
        return () -> held.getOrDefault(table, Set.of()).remove(id);
    }

    /** Ends the jobs of this kind whose owner's lease expired: now, before returning, and then periodically. */
    public void recoverPeriodically(Kind kind) {
        recovered.put(kind.table(), kind);
        recoverQuietly(kind);
    }

    /**
     * Cleans up after jobs whose lease expired once they are no longer running (an import's follow-up, which runs
     * after the job says committed): what a recovery cannot see, as the job's state is already final.
     */
    @FunctionalInterface
    public interface Sweep {
        void sweep(Connection c) throws SQLException;
    }

    /**
     * Runs {@code sweep} (of {@code what}, once however often it is asked for) now, before returning, and then with
     * every renewal, so that what a stopped instance left behind goes within a lease on any instance still running,
     * not at the next start.
     */
    public void sweepPeriodically(String what, Sweep sweep) {
        sweeps.put(what, sweep);
        sweepQuietly(what, sweep);
    }

    /** Ends this kind's running jobs whose lease expired (or that never had one); returns how many. */
    public int recoverExpired(Kind kind) throws SQLException {
        int ended = 0;
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                List<Long> ids = new ArrayList<>();
                List<String> states = new ArrayList<>();
                try (PreparedStatement st = c.prepareStatement("SELECT id, " + kind.stateColumn() + " FROM " + kind.table()
                        + " WHERE " + kind.stateColumn() + " IN (" + kind.runningStates() + ") AND (lease_until IS NULL "
                        + "OR lease_until < now()) FOR UPDATE SKIP LOCKED"); ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                        states.add(rs.getString(2));
                    }
                }
                for (int i = 0; i < ids.size(); i++) {
                    LOG.warn("{} {} was left {} by a StreetCad instance that stopped renewing its lease; ending it",
                            kind.table(), ids.get(i), states.get(i));
                    kind.recover(c, ids.get(i), states.get(i));
                    ended++;
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c);
                throw e;
            }
        }
        return ended;
    }

    private void tick() {
        renew();
        recovered.values().forEach(this::recoverQuietly);
        sweeps.forEach(this::sweepQuietly);
    }

    private void sweepQuietly(String what, Sweep sweep) {
        try (Connection c = database.connection()) {
            sweep.sweep(c);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("sweeping {} failed (retrying): {}", what, Database.rootMessage(e));
        }
    }

    private void renew() {
        for (var entry : held.entrySet()) {
            if (entry.getValue().isEmpty()) continue;
            try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement("UPDATE " + entry.getKey()
                    + " SET lease_until = now() + make_interval(secs => ?) WHERE id = ANY (?) AND lease_owner = ?")) {
                st.setInt(1, seconds);
                st.setArray(2, c.createArrayOf("bigint", entry.getValue().toArray()));
                st.setString(3, owner);
                st.executeUpdate();
            } catch (SQLException | RuntimeException e) {
                LOG.warn("renewing job leases in {} failed (retrying): {}", entry.getKey(), Database.rootMessage(e));
            }
        }
    }

    private void recoverQuietly(Kind kind) {
        try {
            recoverExpired(kind);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("recovering expired {} failed (retrying): {}", kind.table(), Database.rootMessage(e));
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "host";
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
