package it.firenze.streetcad.server;

import it.firenze.streetcad.db.DatabaseSettings;

/**
 * Everything {@code streetcad serve} is configured with.
 *
 * @param basemapUrl XYZ raster tile URL template the web map may show under the cadastre; null for none
 */
public record ServerSettings(DatabaseSettings database, String host, int port, long stopTimeoutMillis,
                             String basemapUrl) {

    public ServerSettings(DatabaseSettings database, String host, int port, long stopTimeoutMillis) {
        this(database, host, port, stopTimeoutMillis, null);
    }
}
