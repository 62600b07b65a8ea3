package it.firenze.streetcad.tiles;

import java.util.Arrays;
import java.util.Optional;

/** The encodings a tile is served in, with the names clients ask for them by (OGC {@code f=}, file extension). */
public enum TileFormat {
    // zlib levels measured on the 314 tiles of bench/tiles.sh: MVT (packed varints) gzips to 62.5 % of its bytes at
    // level 1 and 60.5 % at 6, for 0.11 against 0.20 ms of CPU a tile; GeoJSON text keeps gaining up to level 6
    // (12.1 % against 14.8 % at level 1), so it stays there.
    MVT("mvt", "application/vnd.mapbox-vector-tile", 1),
    GEOJSON("geojson", "application/geo+json", 6);

    private final String extension;
    private final String mediaType;
    private final int gzipLevel;

    TileFormat(String extension, String mediaType, int gzipLevel) {
        this.extension = extension;
        this.mediaType = mediaType;
        this.gzipLevel = gzipLevel;
    }

    /** The zlib level its tiles are gzipped at, once per tile made (a cached tile keeps its gzipped bytes). */
    int gzipLevel() {
        return gzipLevel;
    }

    public String extension() {
        return extension;
    }

    public String mediaType() {
        return mediaType;
    }

    public static Optional<TileFormat> byExtension(String name) {
        return Arrays.stream(values()).filter(f -> f.extension.equals(name)).findFirst();
    }
}
