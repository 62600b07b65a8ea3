package it.firenze.streetcad.importer;

import it.firenze.streetcad.importer.report.Note;
import it.firenze.streetcad.importer.shapefile.ShapeRecord;
import java.util.Iterator;
import java.util.OptionalInt;

/**
 * What the pipeline reads: one layer's description and a stream of its features. The shapefile reader provides
 * it for files; anything else that yields line features (a test, another format) can too.
 */
public interface SourceLayer {

    /** The layer's name, for the report. */
    String name();

    /** The geometry type as the source names it (e.g. "PolyLineZ"), for messages. */
    String geometryType();

    /** Whether the layer holds lines (or nothing at all); point and polygon layers are not road elements. */
    boolean holdsLines();

    boolean hasZ();

    boolean hasM();

    /** The EPSG code of the coordinates, empty when unknown. */
    OptionalInt srid();

    /** Where the CRS came from, as a sentence for the report. */
    String sridSource();

    String charset();

    /** Where the encoding came from, as a sentence for the report. */
    String charsetSource();

    /** How many features the layer announces (for progress), -1 when unknown. */
    long featureCount();

    /** Records the source marked deleted and that were skipped; final once {@link #features()} is exhausted. */
    long deletedFeatures();

    /** What the report should say about the source as a whole (a missing .dbf); none by default. */
    default java.util.List<Note> notices() {
        return java.util.List.of();
    }

    /** The names of the fields of the features, in source order (a .dbf's columns); empty when the source lists none. */
    default java.util.List<String> fields() {
        return java.util.List.of();
    }

    /** The features in source order, streamed; close it when done. */
    Features features();

    interface Features extends Iterator<ShapeRecord>, AutoCloseable {
        @Override
        void close();
    }
}
