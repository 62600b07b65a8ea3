package it.firenze.streetcad.importer.shapefile;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Byte-level helpers for tests that build or damage shapefiles. */
public final class ShapefileBytes {
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

    /**
     * A dBase III table with no language driver. Fields are "name:type:length[:decimals]"; each row holds the raw
     * value of each field as ISO-8859-1 text (so any byte, NUL included), N and F right-aligned, the others left.
     */
    public static byte[] dbf(List<String> fields, List<List<String>> rows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int recordLength = 1 + fields.stream().mapToInt(f -> Integer.parseInt(f.split(":")[2])).sum();
        ByteBuffer header = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        header.put(0, (byte) 3).putInt(4, rows.size()).putShort(8, (short) (32 * fields.size() + 33))
                .putShort(10, (short) recordLength);
        out.writeBytes(header.array());
        for (String field : fields) {
            String[] parts = field.split(":");
            byte[] descriptor = new byte[32];
            byte[] name = parts[0].getBytes(StandardCharsets.ISO_8859_1);
            System.arraycopy(name, 0, descriptor, 0, name.length);
            descriptor[11] = (byte) parts[1].charAt(0);
            descriptor[16] = (byte) Integer.parseInt(parts[2]);
            descriptor[17] = (byte) (parts.length > 3 ? Integer.parseInt(parts[3]) : 0);
            out.writeBytes(descriptor);
        }
        out.write(0x0D);
        for (List<String> row : rows) {
            out.write(' ');
            for (int i = 0; i < fields.size(); i++) {
                String[] parts = fields.get(i).split(":");
                int width = Integer.parseInt(parts[2]);
                String value = row.get(i);
                String padded = parts[1].equals("N") || parts[1].equals("F")
                        ? " ".repeat(width - value.length()) + value : value + " ".repeat(width - value.length());
                out.writeBytes(padded.getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        out.write(0x1A);
        return out.toByteArray();
    }
}
