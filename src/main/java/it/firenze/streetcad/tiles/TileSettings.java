package it.firenze.streetcad.tiles;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How tiles are made, cached and announced to clients.
 *
 * @param detailZoom     from this zoom on tiles carry every element and every attribute; below it, only the
 *                       main classes with a few attributes
 * @param bufferPixels   how far beyond its edges (in 1/4096 of the tile) a tile keeps geometry, so that lines
 *                       and labels do not break at tile seams
 * @param maxFeatures    most features one tile layer holds; the least important are left out beyond it
 * @param maxTileBytes   size cap of one encoded tile; beyond it the tile is thinned, least important first
 * @param cacheBytes     byte budget of the in-process tile cache (0 turns it off)
 * @param cacheControl   the Cache-Control header of tile responses
 * @param pollMillis     how often the instance reads the database's change log to purge its cache
 * @param changeRetention how long changes stay in the log as they were written before they are compacted into
 *                       grid cells (V16); far longer than any instance takes to read them
 */
public record TileSettings(int detailZoom, int bufferPixels, int maxFeatures, int maxTileBytes, long cacheBytes,
                           String cacheControl, long pollMillis, Duration changeRetention) {

    public static final Duration DEFAULT_CHANGE_RETENTION = Duration.ofHours(24);

    public TileSettings(int detailZoom, int bufferPixels, int maxFeatures, int maxTileBytes, long cacheBytes,
                        String cacheControl, long pollMillis) {
        this(detailZoom, bufferPixels, maxFeatures, maxTileBytes, cacheBytes, cacheControl, pollMillis, DEFAULT_CHANGE_RETENTION);
    }

    /** The grid MVT geometry is snapped to; GeoJSON tiles use the same grid, so both carry the same shapes. */
    public static final int EXTENT = 4096;

    /**
     * The grid of a tile at zoom {@code z}: {@link #EXTENT}, but twice as fine at zoom 0, where a cell of the usual
     * grid is 9.8 km and every element of a city (junction to junction, rarely longer than a few kilometres)
     * collapses to a point that MVT drops: the world tile would be empty. With the finer grid it keeps what zoom 1
     * keeps. Clients scale each layer by the extent it declares.
     */
    public static int extent(int z) {
        return z == 0 ? 2 * EXTENT : EXTENT;
    }

    public static TileSettings defaults() {
        return new TileSettings(15, 256, 20_000, 1_000_000, 256L << 20, "public, no-cache", 500);
    }

    public TileSettings {
        if (detailZoom < 0 || detailZoom > TileAddress.MAX_ZOOM + 1) {
            throw new IllegalArgumentException("the detail zoom must be within 0–" + (TileAddress.MAX_ZOOM + 1));
        }
        if (bufferPixels < 0 || bufferPixels > EXTENT) throw new IllegalArgumentException("the buffer must be within 0–" + EXTENT);
        if (maxFeatures < 1 || maxTileBytes < 1024) throw new IllegalArgumentException("tile caps are too small");
        if (cacheBytes < 0 || pollMillis < 10) throw new IllegalArgumentException("cache budget or poll period out of range");
        Objects.requireNonNull(cacheControl);
        if (changeRetention.toSeconds() < 60) throw new IllegalArgumentException("the change log is kept at least a minute");
    }

    /**
     * Defaults overridden by {@code STREETCAD_TILES_DETAIL_ZOOM}, {@code _BUFFER}, {@code _MAX_FEATURES},
     * {@code _MAX_BYTES}, {@code _CACHE_MB}, {@code _CACHE_CONTROL}, {@code _POLL_MS} and {@code _CHANGE_RETENTION_HOURS}.
     */
    public static TileSettings fromEnvironment(Map<String, String> env) {
        TileSettings d = defaults();
        try {
            return new TileSettings(
                    Integer.parseInt(env.getOrDefault("STREETCAD_TILES_DETAIL_ZOOM", "" + d.detailZoom)),
                    Integer.parseInt(env.getOrDefault("STREETCAD_TILES_BUFFER", "" + d.bufferPixels)),
                    Integer.parseInt(env.getOrDefault("STREETCAD_TILES_MAX_FEATURES", "" + d.maxFeatures)),
                    Integer.parseInt(env.getOrDefault("STREETCAD_TILES_MAX_BYTES", "" + d.maxTileBytes)),
                    Long.parseLong(env.getOrDefault("STREETCAD_TILES_CACHE_MB", "" + (d.cacheBytes >> 20))) << 20,
                    env.getOrDefault("STREETCAD_TILES_CACHE_CONTROL", d.cacheControl),
                    Long.parseLong(env.getOrDefault("STREETCAD_TILES_POLL_MS", "" + d.pollMillis)),
                    Duration.ofHours(Long.parseLong(env.getOrDefault("STREETCAD_TILES_CHANGE_RETENTION_HOURS",
                            "" + d.changeRetention.toHours()))));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a STREETCAD_TILES_* setting is not a whole number: " + e.getMessage(), e);
        }
    }

    /** The share of the tile's side its buffer adds on each edge. */
    double bufferRatio() {
        return (double) bufferPixels / EXTENT;
    }

    /**
     * Changes whenever a setting that shapes tile content changes, so ETags from other settings never match; its
     * first term is the content's own version, raised when a release changes what tiles hold (4: detail tiles
     * carry the map's attributes only, MVT gzipped at level 1).
     */
    String contentFingerprint() {
        return Integer.toHexString(Objects.hash(4, detailZoom, bufferPixels, maxFeatures, maxTileBytes));
    }
}
