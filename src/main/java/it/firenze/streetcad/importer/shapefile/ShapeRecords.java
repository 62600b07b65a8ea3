package it.firenze.streetcad.importer.shapefile;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.locationtech.jts.geom.Geometry;

/**
 * The features of a layer in file order, read one at a time: only the current record is held. Every record is
 * checked against the .shx as it is read; deleted .dbf rows are skipped and counted.
 */
public final class ShapeRecords implements Iterator<ShapeRecord>, AutoCloseable {
    private final Container container;
    private final ShpRecordStream shapes;
    private final ShxIndex index;
    private final DbfTable table;
    private final ShapeDecoder decoder;
    private ShapeRecord next;
    private boolean finished;
    private int deleted;
    private int number;
    private boolean inOrder = true;

    ShapeRecords(Container container, ShpRecordStream shapes, ShxIndex index, DbfTable table, ShapeDecoder decoder) {
        this.container = container;
        this.shapes = shapes;
        this.index = index;
        this.table = table;
        this.decoder = decoder;
    }

    @Override
    public boolean hasNext() {
        try {
            while (next == null && !finished) {
                next = read();
            }
            return next != null;
        } catch (IOException e) {
            throw new ShapefileException("cannot read " + decoder.file() + " (or its .shx, .dbf): " + e.getMessage(), e);
        }
    }

    @Override
    public ShapeRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ShapeRecord record = next;
        next = null;
        return record;
    }

    /** Deleted .dbf rows skipped so far (all of them once the iteration has ended). */
    public int deletedRecords() {
        return deleted;
    }

    /** The next record, or null when the current row was deleted or the file ended ({@link #finished} says). */
    private ShapeRecord read() throws IOException {
        // The .shx decides how many records there are and where each is, as in GDAL: writers that pad the .shp after
        // its last record (with zero bytes) are read, and so are files edited in place. Only in a file whose records
        // all follow each other is a real record past the count a disagreement; in an edited one it is dead space.
        long[] entry = index.next();
        if (entry == null) {
            finished = true;
            if (!inOrder || shapes.restIsZeroPadding()) {
                return null;
            }
            throw new ShapefileException(decoder.file() + " has more records than the " + index.count() + " that "
                    + index.file() + " lists: the .shx disagrees with the .shp at record " + (number + 1));
        }
        number++;
        inOrder &= entry[0] == shapes.end();
        shapes.headerAt(entry[0], number, index.file());
        byte[] content = shapes.content();
        Map<String, Object> attributes = table == null || number > table.header().recordCount() ? Map.of()
                : table.next();
        if (attributes == null) {
            deleted++;
            return null;
        }
        Geometry geometry = decoder.decode(content, number);
        return new ShapeRecord(number, geometry, attributes, decoder.vertexValues(content));
    }

    @Override
    public void close() {
        try (container; shapes; index) {
            if (table != null) {
                table.close();
            }
        } catch (IOException e) {
            throw new ShapefileException("cannot close " + decoder.file() + ": " + e.getMessage(), e);
        }
    }
}
