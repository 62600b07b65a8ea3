package it.firenze.streetcad.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;

/**
 * An open, migrated cadastre: the database plus, when StreetCad runs its own, the embedded cluster under it.
 * Closing it closes the pool first and then stops the cluster, so no connection is cut mid-statement.
 */
public final class CadastreStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CadastreStore.class);

    private final Database database;
    private final EmbeddedPostgres embedded;

    private CadastreStore(Database database, EmbeddedPostgres embedded) {
        this.database = database;
        this.embedded = embedded;
    }

    /**
     * Opens the cadastre and brings its schema up to date. On the embedded cluster the migrations run as the owner and
     * the server then connects as the unprivileged {@link ApplicationRole}; with an external database both use the
     * given URL (the README says how to migrate as the owner and serve as a role with row privileges only).
     */
    public static CadastreStore open(DatabaseSettings settings) {
        EmbeddedPostgres embedded = settings.embedded() ? EmbeddedPostgres.start(settings.dataDir()) : null;
        try {
            if (embedded == null) {
                Database database = Database.connect(parse(settings.dbUrl()),
                        settings.readUrl() == null ? null : parse(settings.readUrl()), settings.storageSrid(),
                        settings.maxConnections(), DatabaseLimits.fromEnvironment(System.getenv()));
                migrate(database);
                return new CadastreStore(database, null);
            }
            try (Database owner = Database.connect(embedded.url(), settings.storageSrid(), 2)) {
                migrate(owner);
                try (var c = owner.connection()) {
                    ApplicationRole.grant(c, embedded.applicationPassword());
                } catch (SQLException e) {
                    throw new DatabaseUnavailableException("Preparing the application role failed: " + e.getMessage(), e);
                }
            }
            return new CadastreStore(Database.connect(embedded.applicationUrl(), settings.storageSrid(),
                    settings.maxConnections(), DatabaseLimits.fromEnvironment(System.getenv())), embedded);
        } catch (RuntimeException e) {
            if (embedded != null) embedded.close();
            throw e;
        }
    }

    private static void migrate(Database database) {
        try {
            var result = database.migrate();
            if (result.migrationsExecuted > 0) {
                LOG.info("cadastre schema migrated to version " + result.targetSchemaVersion);
            }
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private static DatabaseUrl parse(String text) {
        try {
            return DatabaseUrl.parse(text);
        } catch (IllegalArgumentException e) {
            throw new DatabaseUnavailableException("The database URL is not usable: " + e.getMessage() + ".", e);
        }
    }

    public Database database() {
        return database;
    }

    @Override
    public void close() {
        database.close();
        if (embedded != null) embedded.close();
    }
}
