package it.firenze.streetcad.cli;

import it.firenze.streetcad.db.CadastreStore;
import it.firenze.streetcad.db.DatabaseSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.SQLException;

/** The options of every subcommand that touches the database. */
public final class DatabaseOptions {

    @Option(names = "--db-url", defaultValue = "${env:STREETCAD_DB_URL}", paramLabel = "URL",
            description = "PostGIS database: jdbc:postgresql://host:port/db?user=… or postgresql://user@host:port/db. "
                    + "Default: none, StreetCad runs its own embedded cluster. Env: STREETCAD_DB_URL.")
    String dbUrl;

    @Option(names = "--data-dir", defaultValue = "${env:STREETCAD_DATA_DIR:-./data}", paramLabel = "DIR",
            description = "Where the embedded cluster keeps its files (default: ${DEFAULT-VALUE}). Env: STREETCAD_DATA_DIR.")
    Path dataDir;

    @Option(names = "--storage-srid", defaultValue = "${env:STREETCAD_STORAGE_SRID:-6707}", paramLabel = "EPSG",
            description = "Metric CRS geometry is stored in (default: ${DEFAULT-VALUE}, RDN2008 / UTM 32N). "
                    + "Env: STREETCAD_STORAGE_SRID.")
    int storageSrid;

    @Option(names = "--db-pool-size", defaultValue = "${env:STREETCAD_DB_POOL_SIZE:-10}", paramLabel = "N",
            description = "Database connections at most (default: ${DEFAULT-VALUE}). Env: STREETCAD_DB_POOL_SIZE.")
    int poolSize;

    public DatabaseSettings settings() {
        return new DatabaseSettings(dbUrl, dataDir, storageSrid, poolSize);
    }

    /** What a subcommand does with the open cadastre. */
    @FunctionalInterface
    interface StoreWork {
        void run(CadastreStore store) throws SQLException;
    }

    /**
     * Opens the cadastre, does the work and closes it. A database failure is told as "{@code doing} failed: …" (e.g.
     * "listing the keys failed: …"), a message for the person at the terminal rather than a stack trace.
     */
    void withStore(String doing, StoreWork work) {
        try (CadastreStore store = CadastreStore.open(settings())) {
            work.run(store);
        } catch (SQLException e) {
            throw new UserFacingException(doing + " failed: " + e.getMessage());
        }
    }
}
