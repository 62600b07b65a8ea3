package it.firenze.streetcad.server;

import it.firenze.streetcad.access.AccessSettings;
import it.firenze.streetcad.api.PublicBaseUrl;
import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.importer.ImportSettings;

import java.time.Duration;

/**
 * Everything {@code streetcad serve} is configured with.
 *
 * @param links      where links in answers point (a configured public URL, trusted proxies' headers)
 * @param basemapUrl XYZ raster tile URL template the web map may show under the cadastre; null for none
 * @param warmUp     how long at most the server warms its request paths up before {@code /ready} says ready
 *                   (zero: not at all, ready at once)
 */
public record ServerSettings(DatabaseSettings database, String host, int port, long stopTimeoutMillis,
                             ImportSettings imports, String basemapUrl, AccessSettings access,
                             PublicBaseUrl links, Duration warmUp) {

    public ServerSettings {
        if (imports == null) imports = ImportSettings.defaults();
        if (access == null) access = AccessSettings.defaults();
        if (links == null) links = PublicBaseUrl.fromConnection();
        if (warmUp == null || warmUp.isNegative()) warmUp = Duration.ZERO;
    }

    public ServerSettings(DatabaseSettings database, String host, int port, long stopTimeoutMillis,
                          ImportSettings imports, String basemapUrl, AccessSettings access, PublicBaseUrl links) {
        this(database, host, port, stopTimeoutMillis, imports, basemapUrl, access, links, Duration.ZERO);
    }

    public ServerSettings(DatabaseSettings database, String host, int port, long stopTimeoutMillis,
                          ImportSettings imports, String basemapUrl) {
        this(database, host, port, stopTimeoutMillis, imports, basemapUrl, null, null);
    }

    public ServerSettings(DatabaseSettings database, String host, int port, long stopTimeoutMillis,
                          ImportSettings imports) {
        this(database, host, port, stopTimeoutMillis, imports, null, null, null);
    }

    public ServerSettings(DatabaseSettings database, String host, int port, long stopTimeoutMillis) {
        this(database, host, port, stopTimeoutMillis, ImportSettings.defaults(), null, null, null);
    }
}
