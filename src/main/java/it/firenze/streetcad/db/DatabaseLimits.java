package it.firenze.streetcad.db;

import java.util.Map;

/**
 * How long StreetCad waits on its database.
 *
 * @param connectionWaitMillis how long a request waits for a connection before it is told the database is unavailable
 * @param readTimeoutSeconds   statement timeout of what HTTP requests read
 * @param readLockWaitMillis   how long what an HTTP request reads waits for a table's lock (lock_timeout): a table
 *                             locked whole (a first load's commit holds road_element for a minute per million lines)
 *                             makes it give its connection back and answer 503 soon, so that readers of other tables
 *                             and /ready still find one
 * @param workTimeoutSeconds   statement timeout of jobs, writes and migrations
 * @param jobLeaseSeconds      how long a running job's instance vouches for it before another may end it (see V8)
 */
public record DatabaseLimits(int connectionWaitMillis, int readTimeoutSeconds, int readLockWaitMillis,
                             int workTimeoutSeconds, int jobLeaseSeconds) {

    public DatabaseLimits {
        // Hikari refuses waits under 250 ms.
        if (connectionWaitMillis < 250) throw new IllegalArgumentException("the connection wait must be at least 250 ms");
        if (jobLeaseSeconds < 1) throw new IllegalArgumentException("a job lease lasts at least 1 s");
        if (readTimeoutSeconds < 1 || workTimeoutSeconds < 1) throw new IllegalArgumentException("statement timeouts must be at least 1 s");
        // 0 would be PostgreSQL's "wait for ever".
        if (readLockWaitMillis < 1) throw new IllegalArgumentException("the read lock wait must be at least 1 ms");
    }

    /**
     * Under a second's wait, so that {@code /ready} and every request answer within one when the database is away; a
     * read waits a quarter of a second for a locked table, so that a pool's worth of blocked readers frees its
     * connections several times within another request's wait for one.
     */
    public static DatabaseLimits defaults() {
        return new DatabaseLimits(900, 15, 250, 3600, 30);
    }

    /**
     * The defaults, overridden by STREETCAD_DB_CONNECTION_WAIT_MS, STREETCAD_DB_READ_TIMEOUT,
     * STREETCAD_DB_READ_LOCK_WAIT_MS, STREETCAD_DB_WORK_TIMEOUT and STREETCAD_JOB_LEASE_SECONDS.
     */
    public static DatabaseLimits fromEnvironment(Map<String, String> env) {
        DatabaseLimits d = defaults();
        return new DatabaseLimits(
                intOr(env, "STREETCAD_DB_CONNECTION_WAIT_MS", d.connectionWaitMillis()),
                intOr(env, "STREETCAD_DB_READ_TIMEOUT", d.readTimeoutSeconds()),
                intOr(env, "STREETCAD_DB_READ_LOCK_WAIT_MS", d.readLockWaitMillis()),
                intOr(env, "STREETCAD_DB_WORK_TIMEOUT", d.workTimeoutSeconds()),
                intOr(env, "STREETCAD_JOB_LEASE_SECONDS", d.jobLeaseSeconds()));
    }

    private static int intOr(Map<String, String> env, String name, int fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + v + "'");
        }
    }
}
