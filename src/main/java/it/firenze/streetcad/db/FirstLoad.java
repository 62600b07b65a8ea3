package it.firenze.streetcad.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A statement that fills a table, run as a bulk load when the table holds no row (a region's first load): the
 * table's non-unique secondary indexes are dropped before it and recreated right after it, each from its own
 * definition, in the caller's transaction, as ogr2ogr and pg_restore build theirs after loading, and its foreign
 * keys are set aside and added back the same way where that locks no one out. Building an index once over all the
 * rows costs far less than keeping it up to date row by row, and checking a key in one query far less than row by
 * row (BENCHMARKS.md, issue 17 sessions 11, 12 and 20). The work is V35's and V46's: their functions run as the
 * schema's owner, because the server's role owns no index.
 *
 * <p>Only an empty table, because DROP INDEX takes an ACCESS EXCLUSIVE lock on it that blocks every reader of the
 * table until the transaction ends: acceptable only when there is nothing to read yet. A table with rows takes the
 * ordinary path, its indexes untouched. PostgreSQL's DDL is transactional, so a transaction that fails or is killed
 * leaves every index as it was; one that would commit without having recreated them is refused.
 */
public final class FirstLoad {

    /** The statement that fills the table (an INSERT … SELECT). */
    @FunctionalInterface
    public interface Insert {
        void run() throws SQLException;
    }

    private final Connection c;
    private final String table;
    private final boolean first;

    private FirstLoad(Connection c, String table, boolean first) {
        this.c = c;
        this.table = table;
        this.first = first;
    }

    /**
     * Runs {@code insert} into {@code table} in the caller's transaction (auto-commit off), as a bulk load when the
     * table holds no row. The indexes are back when this returns, for the statements that follow in the transaction.
     */
    public static void insert(Connection c, String table, Insert insert) throws SQLException {
        FirstLoad load = begin(c, table);
        insert.run();
        load.finish();
    }

    /**
     * Begins a load into {@code table} in the caller's transaction (auto-commit off), for statements that fill it and
     * the tables it refers to: when the table holds no row, its indexes are dropped and those of its foreign keys set
     * aside that lock no one out (V46: keys to itself, or to a table holding no row that can be locked at once). So a
     * load that also fills a referenced table (the roads of a commit's elements) begins before filling that one.
     */
    public static FirstLoad begin(Connection c, String table) throws SQLException {
        boolean dropped = call(c, "SELECT first_load_drop_indexes(?::regclass)", table) > 0;
        if (dropped) call(c, "SELECT first_load_set_aside_keys(?::regclass)", table);
        return new FirstLoad(c, table, dropped);
    }

    /**
     * Whether this is a first load: the table held no row when it began. That is decided under the table's lock (V35
     * looks again once it holds it), so a first load's rows are the only ones in the table when its transaction
     * commits.
     */
    public boolean first() {
        return first;
    }

    /**
     * Builds the indexes dropped and adds the keys set aside, each checked over all the rows in one query; the rows
     * must all be in. CREATE INDEX also sets the table's row and page counts the planner reads, so no ANALYZE is
     * needed for the statements that follow (the ordinary path runs none either).
     */
    public void finish() throws SQLException {
        if (first) call(c, "SELECT first_load_restore_indexes(?::regclass)", table);
    }

    private static int call(Connection c, String sql, String table) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, table);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
