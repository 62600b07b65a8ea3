package it.firenze.streetcad.testing;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.db.EmbeddedPostgres;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real PostGIS that integration tests run against: one embedded cluster per test JVM (under
 * {@code target/test-postgres}), started on first use with StreetCad's own {@link EmbeddedPostgres}, and a
 * fresh, empty database per call so that test classes never see each other's rows.
 */
public final class TestPostgis {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres cluster;

    private TestPostgis() {
    }

    public static synchronized EmbeddedPostgres cluster() {
        if (cluster == null) {
            cluster = EmbeddedPostgres.start(Path.of("target", "test-postgres").toAbsolutePath());
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "test-postgres-stop"));
        }
        return cluster;
    }

    /** A new empty database in the test cluster, not yet migrated. */
    public static DatabaseUrl newDatabaseUrl() {
        String name = "test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        cluster().createDatabase(name);
        return cluster().url(name);
    }

    /** {@code url} as a server's {@code --db-url} takes it: the JDBC URL with its user and password as parameters. */
    public static String withCredentials(DatabaseUrl url) {
        return url.jdbcUrl() + "?user=" + URLEncoder.encode(url.user(), StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(url.password(), StandardCharsets.UTF_8);
    }

    /** A new database with the cadastre schema applied, in the default storage CRS. */
    public static Database newCadastre() {
        return newCadastre(DatabaseSettings.DEFAULT_STORAGE_SRID);
    }

    public static Database newCadastre(int storageSrid) {
        Database db = Database.connect(newDatabaseUrl(), storageSrid, 8);
        db.migrate();
        return db;
    }

    /** Runs one statement (a table, a trigger, a change) on the database. */
    public static void execute(Database db, String sql) throws SQLException {
        try (Connection c = db.connection(); var st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The first column of the first row a query with these parameters answers (null when it answers none). */
    public static Object single(Database db, String sql, Object... parameters) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) st.setObject(i + 1, parameters[i]);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getObject(1) : null;
            }
        }
    }
}
