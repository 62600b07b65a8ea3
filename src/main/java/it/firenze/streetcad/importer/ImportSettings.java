package it.firenze.streetcad.importer;

import java.nio.file.Path;

/**
 * How {@code serve} runs imports.
 *
 * @param maxUploadBytes the largest zip {@code POST /imports} accepts (larger: 413)
 * @param loadSample     a shapefile imported with the {@code osm} mapping at start when the cadastre has no road
 *                       elements yet; null for none
 */
public record ImportSettings(long maxUploadBytes, Path loadSample) {

    public static final long DEFAULT_MAX_UPLOAD_BYTES = 512L << 20;

    public static ImportSettings defaults() {
        return new ImportSettings(DEFAULT_MAX_UPLOAD_BYTES, null);
    }
}
