package it.firenze.streetcad.importer.shapefile;

import java.nio.charset.Charset;

/**
 * @param encodingOverride used instead of .cpg and the .dbf language driver when not null
 * @param sridOverride     used instead of the .prj when not null
 * @param limits           for zip sources; null means {@link ArchiveLimits#defaults()}
 */
public record ReadOptions(Charset encodingOverride, Integer sridOverride, ArchiveLimits limits) {
    public ReadOptions {
        if (limits == null) {
            limits = ArchiveLimits.defaults();
        }
    }

    public static ReadOptions defaults() {
        return new ReadOptions(null, null, ArchiveLimits.defaults());
    }
}
