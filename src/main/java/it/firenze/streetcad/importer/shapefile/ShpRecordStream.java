package it.firenze.streetcad.importer.shapefile;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The records of a .shp, each read where the .shx places it (as GDAL reads them) and checked against the file length
 * its header declares. Records usually follow each other and are streamed; a gap (a record rewritten shorter in
 * place) is skipped, and a record before the current position (one rewritten longer at the end of the file, as
 * shapelib does when a line is edited) is reached by opening the file again.
 */
final class ShpRecordStream implements Closeable {
    private static final int RECORD_HEADER_LENGTH = 8;
    /** 64 MiB: four million points in one shape, far beyond a road, and well inside a 512 MB heap. */
    private static final long MAX_CONTENT_LENGTH = 64L << 20;

    /** Opens the .shp from its start. */
    interface Opener {
        InputStream open() throws IOException;
    }

    private final String file;
    private final Opener opener;
    private DataInputStream in;
    private final long fileLength;
    private long position;
    private int recordNumber;

    /** Where the record whose header was last read starts, and its content length, in bytes. */
    long offset;
    long contentLength;

    ShpRecordStream(Opener opener, MainFileHeader header) throws IOException {
        this.file = header.file();
        this.opener = opener;
        this.fileLength = header.size(); // not the length the header declares, which GDAL ignores too
        this.in = new DataInputStream(new BufferedInputStream(opener.open(), 256 * 1024));
        in.readNBytes(MainFileHeader.LENGTH);
        this.position = MainFileHeader.LENGTH;
    }

    /** Where the record last read ends (the header's, before the first): where the next one follows it. */
    long end() {
        return position;
    }

    /**
     * Reads the header of record {@code number}, which the .shx (named {@code index}) places at {@code at}. Its
     * {@link #contentLength} is the .shp's own (GDAL too reads past a shorter length in the .shx) and is checked
     * against the file before {@link #content()} allocates that many bytes.
     */
    void headerAt(long at, int number, String index) throws IOException {
        recordNumber = number;
        if (at < MainFileHeader.LENGTH) {
            throw new ShapefileException(index + " places record " + number + " at byte " + at + ", inside the"
                    + " header of " + file + ": the .shx is damaged");
        }
        if (at + RECORD_HEADER_LENGTH > fileLength) {
            throw new ShapefileException(index + " places record " + number + " at byte " + at + " but " + file
                    + " ends at byte " + fileLength + ": the .shx disagrees with the .shp, or the .shp is truncated");
        }
        if (at < position) {
            in.close();
            in = new DataInputStream(new BufferedInputStream(opener.open(), 256 * 1024));
            position = 0;
        }
        in.skipNBytes(at - position);
        in.readInt(); // the record number: writers disagree on whether it starts at 0 or 1, the position is what counts
        offset = at;
        contentLength = 2L * Integer.toUnsignedLong(in.readInt());
        position = at + RECORD_HEADER_LENGTH;
        if (contentLength < 4 || position + contentLength > fileLength) {
            throw new ShapefileException(file + " record " + number + ", at byte " + at + " where " + index
                    + " places it: its declared length of " + contentLength + " bytes runs "
                    + (contentLength < 4 ? "short of the shape type" : "past the end of the file at byte " + fileLength)
                    + " (the .shx disagrees with the .shp, a record length lies or the file is truncated)");
        }
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

    @Override
    public void close() throws IOException {
        in.close();
    }
}
