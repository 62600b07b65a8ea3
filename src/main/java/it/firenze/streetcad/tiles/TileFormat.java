package it.firenze.streetcad.tiles;

import java.util.Arrays;
import java.util.Optional;

/** The encodings a tile is served in, with the names clients ask for them by (OGC {@code f=}, file extension). */
public enum TileFormat {
    MVT("mvt", "application/vnd.mapbox-vector-tile"),
    GEOJSON("geojson", "application/geo+json");

    private final String extension;
    private final String mediaType;

    TileFormat(String extension, String mediaType) {
        this.extension = extension;
        this.mediaType = mediaType;
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
