package it.firenze.streetcad.server;

import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.importer.ImportSettings;

/** Everything {@code streetcad serve} is configured with. */
public record ServerSettings(DatabaseSettings database, String host, int port, long stopTimeoutMillis,
                             ImportSettings imports) {

    public ServerSettings {
        if (imports == null) imports = ImportSettings.defaults();
    }

    public ServerSettings(DatabaseSettings database, String host, int port, long stopTimeoutMillis) {
        this(database, host, port, stopTimeoutMillis, ImportSettings.defaults());
    }
}
