package it.firenze.streetcad.db;

import java.nio.file.Path;

/**
 * Where the cadastre lives: an external database ({@code dbUrl}) or, when that is null, StreetCad's embedded
 * cluster under {@code dataDir}; plus the metric CRS geometry is stored in.
 */
public record DatabaseSettings(String dbUrl, Path dataDir, int storageSrid, int maxConnections) {

    public static final int DEFAULT_STORAGE_SRID = 6707;

    public boolean embedded() {
        return dbUrl == null || dbUrl.isBlank();
    }
}
