package it.firenze.streetcad.db;

import com.zaxxer.hikari.pool.HikariPool;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;

/**
 * The failures that are the database's state rather than the request's fault: it cannot be reached (stopped,
 * restarting, no connection within the wait) or a statement ran past its timeout. One definition, so that the
 * HTTP layer answers 503 for exactly these and 500 for real bugs.
 */
public enum DatabaseFailure {
    /**
     * {@code LOCKED}: a read gave up waiting for a table another transaction holds whole (a first load's commit holds
     * road_element ACCESS EXCLUSIVE until it commits; see {@link FirstLoad}).
     */
    UNAVAILABLE, TIMED_OUT, LOCKED;

    /** What in {@code error}'s cause chain says the database itself failed, if anything does. */
    public static Optional<DatabaseFailure> of(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof HikariPool.PoolInitializationException) {
                return Optional.of(UNAVAILABLE);
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // 08: connection exceptions; 57P01-57P03: the server is shutting down, crashed or not yet accepting.
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                    return Optional.of(UNAVAILABLE);
                }
                // 57014: cancelled by the statement timeout.
                if (state.equals("57014")) return Optional.of(TIMED_OUT);
                // 55P03: lock_not_available, the read lock wait ran out (Database#readConnection).
                if (state.equals("55P03")) return Optional.of(LOCKED);
            }
        }
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DatabaseUnavailableException) return Optional.of(UNAVAILABLE);
        }
        return Optional.empty();
    }
}
