package it.firenze.streetcad.importer.shapefile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Byte-level helpers for tests that build or damage shapefiles. */
final class ShapefileBytes {
    private ShapefileBytes() {
    }

    /** The .shx that indexes these .shp bytes, from the record headers. */
    static byte[] indexFor(byte[] shp) {
        ByteBuffer in = ByteBuffer.wrap(shp).order(ByteOrder.BIG_ENDIAN);
        int length = in.getInt(24) * 2;
        int records = 0;
        for (int p = 100; p < length; p += 8 + in.getInt(p + 4) * 2) {
            records++;
        }
        ByteBuffer out = ByteBuffer.allocate(100 + 8 * records).order(ByteOrder.BIG_ENDIAN);
        out.put(shp, 0, 100);
        out.putInt(24, (100 + 8 * records) / 2);
        out.position(100);
        for (int p = 100; p < length; p += 8 + in.getInt(p + 4) * 2) {
            out.putInt(p / 2).putInt(in.getInt(p + 4));
        }
        return out.array();
    }
}
