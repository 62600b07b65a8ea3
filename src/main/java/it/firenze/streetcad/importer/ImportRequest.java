package it.firenze.streetcad.importer;

import it.firenze.streetcad.importer.shapefile.ReadOptions;

import java.nio.file.Path;

/**
 * One import to run: a shapefile (folder, .shp or .zip) and, when it holds several, the layer; how to read it
 * (encoding or CRS given by the user) and what to do with it.
 *
 * @param source  how the source is named to the user (the uploaded file's name, the path given)
 * @param cleanup run once the source has been read, whatever the outcome (deletes an upload); may be null
 */
public record ImportRequest(String source, Path path, String layer, ReadOptions readOptions, ImportOptions options,
                            Runnable cleanup) {

    /** The same request, its network built once committed (or not). */
    public ImportRequest withBuildNetwork(boolean build) {
        return new ImportRequest(source, path, layer, readOptions,
                new ImportOptions(options.mapping(), options.mode(), options.area(), build), cleanup);
    }
}
