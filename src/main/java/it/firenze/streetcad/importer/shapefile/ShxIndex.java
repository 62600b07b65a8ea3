package it.firenze.streetcad.importer.shapefile;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

/** The .shx, read alongside the .shp to check that every record sits where the index says. */
final class ShxIndex implements Closeable {
    private static final int ENTRY_LENGTH = 8;

    private final String file;
    private final DataInputStream in;
    private final int count;
    private int read;

    private ShxIndex(String file, DataInputStream in, int count) {
        this.file = file;
        this.in = in;
        this.count = count;
    }

    static ShxIndex open(InputStream raw, String file, long size) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 64 * 1024));
        MainFileHeader header = MainFileHeader.read(in, file, size).requireDeclaredLength();
        long entries = header.fileLength() - MainFileHeader.LENGTH;
        if (entries % ENTRY_LENGTH != 0) {
            throw new ShapefileException(file + " is damaged: its " + entries
                    + " bytes of entries are not a whole number of 8-byte entries");
        }
        return new ShxIndex(file, in, Math.toIntExact(entries / ENTRY_LENGTH));
    }

    String file() {
        return file;
    }

    int count() {
        return count;
    }

    /** The next entry as {offset, content length} in bytes, or null past the last. */
    long[] next() throws IOException {
        if (read == count) {
            return null;
        }
        read++;
        long offset = 2L * Integer.toUnsignedLong(in.readInt());
        long length = 2L * Integer.toUnsignedLong(in.readInt());
        return new long[] {offset, length};
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
