package it.firenze.streetcad.server;

import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.testing.TestPostgis;

import java.nio.file.Path;

/** The whole server, every module as `streetcad serve` assembles them, on a new empty database of the test cluster. */
final class WholeServer {

    private WholeServer() {
    }

    /** Started on a free loopback port; the caller closes it. */
    static StreetCadServer onANewDatabase() {
        return StreetCadServer.start(new ServerSettings(new DatabaseSettings(TestPostgis.withCredentials(
                TestPostgis.newDatabaseUrl()), Path.of("target"), DatabaseSettings.DEFAULT_STORAGE_SRID, 2), "127.0.0.1", 0,
                5_000));
    }
}
