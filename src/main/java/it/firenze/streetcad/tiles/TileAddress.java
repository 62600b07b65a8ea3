package it.firenze.streetcad.tiles;

/**
 * One tile of the WebMercatorQuad tile matrix set (OGC 17-083r4): zoom {@code z} (tileMatrix), column {@code x}
 * (tileCol) and row {@code y} (tileRow) counted from the top-left corner, as in XYZ map libraries.
 */
public record TileAddress(int z, int x, int y) {

    /** The deepest tile matrix StreetCad serves (the tilesets' tileMatrixSetLimits). */
    public static final int MAX_ZOOM = 22;
    /** The deepest tile matrix of WebMercatorQuad as OGC registers it (tile matrices 0 to 24). */
    static final int WEB_MERCATOR_QUAD_DEEPEST = 24;
    /** Half the side of the WebMercatorQuad square in EPSG:3857 metres. */
    static final double ORIGIN = 20037508.342789244;

    public TileAddress {
        if (z < 0 || z > MAX_ZOOM) throw new IllegalArgumentException("zoom " + z + " is outside 0–" + MAX_ZOOM);
        long n = 1L << z;
        if (x < 0 || x >= n) throw new IllegalArgumentException("column " + x + " is outside 0–" + (n - 1));
        if (y < 0 || y >= n) throw new IllegalArgumentException("row " + y + " is outside 0–" + (n - 1));
    }

    public double size() {
        return 2 * ORIGIN / (1L << z);
    }

    public double minX() {
        return -ORIGIN + x * size();
    }

    public double maxX() {
        return -ORIGIN + (x + 1) * size();
    }

    public double maxY() {
        return ORIGIN - y * size();
    }

    public double minY() {
        return ORIGIN - (y + 1) * size();
    }

    @Override
    public String toString() {
        return z + "/" + x + "/" + y;
    }
}
