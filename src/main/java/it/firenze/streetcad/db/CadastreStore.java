package it.firenze.streetcad.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    public static CadastreStore open(DatabaseSettings settings) {
        EmbeddedPostgres embedded = settings.embedded() ? EmbeddedPostgres.start(settings.dataDir()) : null;
        try {
            DatabaseUrl url = embedded != null ? embedded.url() : parse(settings.dbUrl());
            Database database = Database.connect(url, settings.storageSrid(), settings.maxConnections(),
                    DatabaseLimits.fromEnvironment(System.getenv()));
            try {
                var result = database.migrate();
                if (result.migrationsExecuted > 0) {
                    LOG.info("cadastre schema migrated to version " + result.targetSchemaVersion);
                }
                return new CadastreStore(database, embedded);
            } catch (RuntimeException e) {
                database.close();
                throw e;
            }
        } catch (RuntimeException e) {
            if (embedded != null) embedded.close();
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
