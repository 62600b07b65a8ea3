package it.firenze.streetcad.tiles;

/**
 * An encoded tile as served: the body, the same body gzipped (made once, so cached tiles cost no compression),
 * its strong ETag and what went into it.
 *
 * @param thinned whether less important features were left out to keep the tile under its caps
 */
public record Tile(TileFormat format, byte[] body, byte[] gzipped, String etag, int features, boolean thinned) {

    /** The ETag of the gzipped representation: a strong validator belongs to one content coding. */
    public String gzipEtag() {
        return gzipVariant(etag);
    }

    static String gzipVariant(String etag) {
        return etag.substring(0, etag.length() - 1) + "-gzip\"";
    }

    int weight() {
        return body.length + gzipped.length + 200;
    }
}
