package it.firenze.streetcad.importer.shapefile;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

/** The records of a .shp, one at a time, each checked against the file length its header declares. */
final class ShpRecordStream implements Closeable {
    private static final int RECORD_HEADER_LENGTH = 8;
    /** 64 MiB: four million points in one shape, far beyond a road, and well inside a 512 MB heap. */
    private static final long MAX_CONTENT_LENGTH = 64L << 20;

    private final String file;
    private final DataInputStream in;
    private final long fileLength;
    private long position = MainFileHeader.LENGTH;
    private int recordNumber;

    /** Where the record whose header was last read starts, and its content length, in bytes. */
    long offset;
    long contentLength;

    ShpRecordStream(InputStream raw, MainFileHeader header) throws IOException {
        this.file = header.file();
        this.in = new DataInputStream(new BufferedInputStream(raw, 256 * 1024));
        this.fileLength = header.fileLength();
        in.readNBytes(MainFileHeader.LENGTH);
    }

    /**
     * Reads the next record header: false at the end of the file. Its {@link #offset} and {@link #contentLength} can
     * then be checked against the .shx before {@link #content()} allocates that many bytes.
     */
    boolean nextHeader() throws IOException {
        if (position == fileLength) {
            return false;
        }
        recordNumber++;
        if (position + RECORD_HEADER_LENGTH > fileLength) {
            throw new ShapefileException(file + " record " + recordNumber + ": its header runs past the end of the"
                    + " file at byte " + fileLength + " (the file is truncated or a record length lies)");
        }
        in.readInt(); // the record number: writers disagree on whether it starts at 0 or 1, the position is what counts
        offset = position;
        contentLength = 2L * Integer.toUnsignedLong(in.readInt());
        position += RECORD_HEADER_LENGTH;
        if (contentLength < 4 || position + contentLength > fileLength) {
            throw new ShapefileException(file + " record " + recordNumber + ": its declared length of "
                    + contentLength + " bytes runs " + (contentLength < 4 ? "short of the shape type"
                    : "past the end of the file at byte " + fileLength) + " (a record length lies or the file is truncated)");
        }
        return true;
    }

    /** The content of the record whose header was just read. */
    byte[] content() throws IOException {
        if (contentLength > MAX_CONTENT_LENGTH) {
            throw new ShapefileException(file + " record " + recordNumber + ": " + contentLength
                    + " bytes is more than any line needs (the limit is " + MAX_CONTENT_LENGTH + ")");
        }
        byte[] content = in.readNBytes((int) contentLength);
        if (content.length < contentLength) {
            throw new ShapefileException(file + " is truncated inside record " + recordNumber);
        }
        position += contentLength;
        return content;
    }

    /** Whether nothing but zero bytes follows the last record read (nothing at all included); reads them. */
    boolean restIsZeroPadding() throws IOException {
        byte[] chunk = new byte[8192];
        while (position < fileLength) {
            int n = in.read(chunk, 0, (int) Math.min(chunk.length, fileLength - position));
            if (n < 0) {
                return true; // the header promised more than the file holds: nothing more to read either way
            }
            for (int i = 0; i < n; i++) {
                if (chunk[i] != 0) {
                    return false;
                }
            }
            position += n;
        }
        return true;
    }

    int recordNumber() {
        return recordNumber;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
