package it.firenze.streetcad.db;

import java.nio.file.Path;

/**
 * Where the cadastre lives: an external database ({@code dbUrl}) or, when that is null, StreetCad's embedded
 * cluster under {@code dataDir}; plus the metric CRS geometry is stored in.
 *
 * @param readUrl a streaming replica of {@code dbUrl} that what HTTP requests read (features, tiles) is sent to;
 *                null to read from {@code dbUrl} too
 */
public record DatabaseSettings(String dbUrl, Path dataDir, int storageSrid, int maxConnections, String readUrl) {

    public static final int DEFAULT_STORAGE_SRID = 6707;

    public DatabaseSettings(String dbUrl, Path dataDir, int storageSrid, int maxConnections) {
        this(dbUrl, dataDir, storageSrid, maxConnections, null);
    }

    public DatabaseSettings {
        if (readUrl != null && readUrl.isBlank()) readUrl = null;
        if (readUrl != null && (dbUrl == null || dbUrl.isBlank())) {
            throw new IllegalArgumentException("a read replica (--db-read-url) needs the primary's --db-url: "
                    + "the embedded cluster has no replica");
        }
    }

    public boolean embedded() {
        return dbUrl == null || dbUrl.isBlank();
    }
}
