package it.firenze.streetcad.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cadastre's PostGIS database: a connection pool plus the schema migrations in {@code sql/}.
 * Every byte of StreetCad's state lives here, which is what lets several StreetCad instances share one database.
 */
public final class Database implements AutoCloseable {

    /** Migrations ship inside the jar (copied from the top-level sql/ folder at build time). */
    static final String MIGRATIONS = "classpath:db/migration";

    /** Jobs, migrations and writes: statements may run as long as the work needs. */
    private final HikariDataSource pool;
    /**
     * What an HTTP request reads: statements time out soon, so that a runaway query cannot hold a connection. On a
     * streaming replica when one is configured, so everything read through it may lag the primary a little.
     */
    private final HikariDataSource reads;
    private final int storageSrid;
    private final int readLockWaitMillis;
    private final JobLeases leases;

    private Database(HikariDataSource pool, HikariDataSource reads, int storageSrid, int readLockWaitMillis,
                     int jobLeaseSeconds) {
        this.pool = pool;
        this.reads = reads;
        this.storageSrid = storageSrid;
        this.readLockWaitMillis = readLockWaitMillis;
        this.leases = new JobLeases(this, jobLeaseSeconds);
    }

    /** Opens the pools with the default {@link DatabaseLimits}; see {@link #connect(DatabaseUrl, int, int, DatabaseLimits)}. */
    public static Database connect(DatabaseUrl url, int storageSrid, int maxConnections) {
        return connect(url, storageSrid, maxConnections, DatabaseLimits.defaults());
    }

    /**
     * Opens two pools over the database, one for request reads and one for work (each of at most
     * {@code maxConnections}), and checks that the database answers; fails with a message a person can act on.
     */
    public static Database connect(DatabaseUrl url, int storageSrid, int maxConnections, DatabaseLimits limits) {
        return connect(url, null, storageSrid, maxConnections, limits);
    }

    /**
     * As {@link #connect(DatabaseUrl, int, int, DatabaseLimits)}, with request reads sent to {@code readUrl} (a
     * streaming replica of {@code url}) when it is not null. Everything that writes, and what must see its own writes
     * (sessions, jobs, editing), stays on {@code url}.
     */
    public static Database connect(DatabaseUrl url, DatabaseUrl readUrl, int storageSrid, int maxConnections,
                                   DatabaseLimits limits) {
        HikariDataSource work = null;
        DatabaseUrl connecting = url;
        try {
            // Work waits for locks as long as its statements may run: an edit made during a first load's commit waits
            // for it and is then written, where giving up would only make the editor send it again.
            // No JIT compilation for work: PostGIS gives its functions high costs (for parallel plans), which lift the
            // plans of an import's statements over one table of a city past jit_above_cost, and compiling then costs
            // more than running (the seams of Florence's import: 368 ms of 541 compiling 36 functions for 33,089
            // rows; BENCHMARKS.md, issue 17, session 16). What the JIT speeds up, expression evaluation, is not
            // where such statements spend their time: geometry functions, triggers, indexes.
            work = new HikariDataSource(poolConfig(url, "streetcad", maxConnections, limits,
                    "SET statement_timeout = '" + limits.workTimeoutSeconds() + "s'; SET jit = off"));
            connecting = readUrl == null ? url : readUrl;
            HikariDataSource reads = new HikariDataSource(poolConfig(connecting, "streetcad-reads", maxConnections, limits,
                    "SET statement_timeout = '" + limits.readTimeoutSeconds() + "s'; SET lock_timeout = '"
                            + limits.readLockWaitMillis() + "ms'"));
            return new Database(work, reads, storageSrid, limits.readLockWaitMillis(), limits.jobLeaseSeconds());
        } catch (RuntimeException e) {
            if (work != null) work.close();
            throw new DatabaseUnavailableException("Cannot connect to the database at " + connecting + ": " + rootMessage(e)
                    + ". Check that PostgreSQL with PostGIS is running there and that the host, port, database, user and "
                    + "password in --db-url (or STREETCAD_DB_URL) are right; leave the URL out to use StreetCad's own "
                    + "embedded database.", e);
        }
    }

    private static HikariConfig poolConfig(DatabaseUrl url, String name, int maxConnections, DatabaseLimits limits,
                                           String timeouts) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url.jdbcUrl());
        config.setDataSourceProperties(url.connectionProperties());
        // Floating-point values as PostgreSQL writes them, always: pgjdbc reads them as text until it prepares a
        // statement on the server (its fifth run on a connection) and in binary after, and the text of a binary
        // double is Java's (40.0, where PostgreSQL and its JSON write 40), so the same row answered either by chance.
        config.addDataSourceProperty("binaryTransferDisable", "FLOAT4,FLOAT8");
        // A host that does not answer at all (a dropped packet, not a refused port) fails as fast as a stopped server.
        config.addDataSourceProperty("connectTimeout", Integer.toString(Math.max(1, (int) Math.ceil(limits.connectionWaitMillis() / 1000.0))));
        config.setMaximumPoolSize(maxConnections);
        config.setMinimumIdle(Math.min(2, maxConnections));
        config.setPoolName(name);
        // When the database is away a request waits this long for a connection and then answers 503, instead of
        // every request queueing for many seconds.
        config.setConnectionTimeout(limits.connectionWaitMillis());
        config.setValidationTimeout(Math.max(250, limits.connectionWaitMillis() / 2));
        config.setConnectionInitSql(timeouts);
        // Fail at start, on the first refused attempt, not at the first request: a wrong URL should not make
        // the user wait; orchestrators restart a server whose database is still coming up.
        config.setInitializationFailTimeout(1);
        // Pool gauges (active, idle, pending, wait times) for /metrics, tagged with the pool's name.
        config.setMetricRegistry(io.micrometer.core.instrument.Metrics.globalRegistry);
        return config;
    }

    /**
     * Opens every read connection, keeps them open, and has each set up the coordinate transformations requests use
     * (the storage CRS to and from CRS84 and Web Mercator) before the server says it is ready. PROJ's set-up costs a
     * backend about 80 ms of CPU at its first transformation (0.3–0.7 s on a busy 2-core machine, BENCHMARKS.md
     * "Warm-up"); a connection opened on demand under the first requests made them wait for that. Each connection
     * borrowed is held until the others are, so that every one is warmed. Best effort, within the pool's wait: a
     * connection not open by then (the pool opens them one at a time) opens when a request needs it. (Not in the
     * pool's init SQL: the pool gives a new connection's set-up only its short validation timeout.)
     */
    public void warmReads() {
        int size = reads.getMaximumPoolSize();
        reads.setMinimumIdle(size);
        StringBuilder warm = new StringBuilder("SELECT ");
        for (int[] pair : new int[][]{{storageSrid, 4326}, {4326, storageSrid}, {storageSrid, 3857}, {3857, storageSrid},
                {3857, 4326}}) {
            warm.append(warm.length() > 7 ? ", " : "").append("ST_Transform(ST_SetSRID(ST_MakePoint(0, 0), ")
                    .append(pair[0]).append("), ").append(pair[1]).append(") IS NULL");
        }
        CountDownLatch borrowed = new CountDownLatch(size);
        AtomicInteger warmed = new AtomicInteger();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < size; i++) {
                threads.execute(() -> {
                    try (Connection c = reads.getConnection(); var st = c.createStatement()) {
                        st.execute(warm.toString());
                        warmed.incrementAndGet();
                        borrowed.countDown();
                        // Held until the others are borrowed too, so that each task warms a different connection.
                        borrowed.await(reads.getConnectionTimeout(), TimeUnit.MILLISECONDS);
                    } catch (SQLException e) {
                        borrowed.countDown();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        }
        // The pool opens connections one at a time: on a busy machine some are not open within the wait. They open
        // on demand as before, which is worth a line, not a warning per connection.
        if (warmed.get() < size) {
            LoggerFactory.getLogger(Database.class).info("{} of {} read connections opened and warmed before ready; "
                    + "the others open when requests need them", warmed.get(), size);
        }
    }

    /** Brings the schema to the newest migration; running it again changes nothing. */
    public MigrateResult migrate() {
        try {
            MigrateResult result = flyway().migrate();
            checkStorageSrid();
            return result;
        } catch (FlywayException e) {
            throw new DatabaseUnavailableException("Migrating the cadastre schema failed: " + rootMessage(e), e);
        }
    }

    /** The schema version the database is at, or null when it has never been migrated. */
    public String schemaVersion() {
        try (Connection c = pool.getConnection();
             var st = c.prepareStatement("SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL "
                     + "ORDER BY installed_rank DESC LIMIT 1");
             var rs = st.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) return null;
            throw new DatabaseUnavailableException("Reading the schema version failed: " + e.getMessage(), e);
        }
    }

    private Flyway flyway() {
        return Flyway.configure()
                .dataSource(pool)
                .locations(MIGRATIONS)
                .placeholders(Map.of("storage_srid", Integer.toString(storageSrid)))
                .load();
    }

    private void checkStorageSrid() {
        try (Connection c = pool.getConnection();
             var st = c.prepareStatement("SELECT value FROM cadastre_setting WHERE key = 'storage_srid'");
             var rs = st.executeQuery()) {
            if (rs.next() && Integer.parseInt(rs.getString(1)) != storageSrid) {
                throw new DatabaseUnavailableException("This cadastre stores geometry in EPSG:" + rs.getString(1)
                        + " but StreetCad was started with storage CRS EPSG:" + storageSrid
                        + ". Start it with --storage-srid " + rs.getString(1) + " or use another database.");
            }
        } catch (SQLException e) {
            throw new DatabaseUnavailableException("Reading the cadastre settings failed: " + e.getMessage(), e);
        }
    }

    public DataSource dataSource() {
        return pool;
    }

    /** A connection for work (jobs, writes, migrations): its statements run as long as they need. */
    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /**
     * A connection for what an HTTP request reads: statements longer than the read timeout are cancelled, and so are
     * waits for a locked table longer than the read lock wait ({@link DatabaseFailure#LOCKED}).
     */
    public Connection readConnection() throws SQLException {
        return reads.getConnection();
    }

    /** The leases of the jobs this process runs on this database. */
    public JobLeases leases() {
        return leases;
    }

    public int storageSrid() {
        return storageSrid;
    }

    /**
     * How long a read waits for a table's lock ({@link DatabaseLimits#readLockWaitMillis()}, the read pool's
     * lock_timeout), for a read that must go through the work pool yet give up as soon as a request's read would.
     */
    public int readLockWaitMillis() {
        return readLockWaitMillis;
    }

    @Override
    public void close() {
        leases.close();
        reads.close();
        pool.close();
    }

    /**
     * Rolls back a transaction that failed, unless its connection broke (the server terminated it, the database went
     * away): the pool discards a broken connection whole, and trying would throw "Connection is closed" in place of
     * the failure the caller is reporting, turning a lost connection (503, try again) into an unexplained 500.
     */
    public static void rollback(Connection c) throws SQLException {
        if (!c.isClosed()) c.rollback();
    }

    /**
     * Gives a connection its auto-commit back after a transaction, unless it broke (as {@link #rollback}). What the
     * transaction did not commit is rolled back first: JDBC's setAutoCommit(true) commits an open transaction, so a
     * transaction left by an Error its caller does not catch (an OutOfMemoryError in the middle of an edit) would
     * otherwise be committed half done here. After a commit there is nothing to roll back and no statement is sent.
     */
    public static void restoreAutoCommit(Connection c) throws SQLException {
        if (c.isClosed()) return;
        c.rollback();
        c.setAutoCommit(true);
    }

    /** The innermost cause's message on one line, for logs and for the person who started StreetCad. */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.strip().replaceAll("\\s+", " ");
    }
}
