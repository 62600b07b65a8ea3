package it.firenze.streetcad.server;

import it.firenze.streetcad.db.DatabaseSettings;

/** Everything {@code streetcad serve} is configured with. */
public record ServerSettings(DatabaseSettings database, String host, int port, long stopTimeoutMillis) {
}
