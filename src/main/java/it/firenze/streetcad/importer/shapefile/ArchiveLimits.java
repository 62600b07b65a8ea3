package it.firenze.streetcad.importer.shapefile;

/**
 * What a zip may expand to before it is refused as a zip bomb.
 *
 * @param maxTotalBytes uncompressed size of all entries together
 * @param maxRatio      uncompressed/compressed size of any entry larger than 64 KiB, and of the whole archive
 * @param maxEntries    number of entries
 */
public record ArchiveLimits(long maxTotalBytes, double maxRatio, int maxEntries) {
    public ArchiveLimits {
        if (maxTotalBytes <= 0 || maxRatio <= 1 || maxEntries <= 0) {
            throw new IllegalArgumentException("archive limits must be positive (ratio above 1)");
        }
    }

    /** 4 GiB, ratio 200 (a .dbf of mostly blank text compresses about 50 times), 10,000 entries. */
    public static ArchiveLimits defaults() {
        return new ArchiveLimits(4L << 30, 200, 10_000);
    }
}
