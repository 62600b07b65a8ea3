package it.firenze.streetcad.importer.shapefile;

import java.nio.file.Path;

/**
 * Reads every record of a layer and prints what it read; run in its own JVM with a small heap by the streaming test
 * and by bench/reader.sh. The SRID is given so that SIS's EPSG database stays out of the heap being measured.
 */
public final class ReadAll {
    private ReadAll() {
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        ShapefileLayer layer = ShapefileLayer.open(Path.of(args[0]), null, new ReadOptions(null, 0, null));
        long records = 0;
        long coordinates = 0;
        long attributes = 0;
        int deleted;
        try (ShapeRecords stream = layer.records()) {
            while (stream.hasNext()) {
                ShapeRecord record = stream.next();
                records++;
                coordinates += record.geometry() == null ? 0 : record.geometry().getNumPoints();
                attributes += record.attributes().size();
            }
            deleted = stream.deletedRecords();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Runtime runtime = Runtime.getRuntime();
        System.out.printf("records=%d deleted=%d coordinates=%d attributes=%d seconds=%.2f records_per_s=%.0f"
                        + " max_heap_mb=%d%n", records, deleted, coordinates, attributes, seconds, records / seconds,
                runtime.maxMemory() >> 20);
    }
}
