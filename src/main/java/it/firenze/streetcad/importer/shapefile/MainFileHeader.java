package it.firenze.streetcad.importer.shapefile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.locationtech.jts.geom.Envelope;

/**
 * The 100-byte header shared by .shp and .shx: big-endian file code and length, little-endian the rest.
 *
 * @param fileLength the length the header declares
 * @param size       the length the file has: what bounds the records of a .shp, whose declared length GDAL ignores
 */
record MainFileHeader(String file, long fileLength, long size, ShapeType shapeType, Envelope bounds, double mMin,
                      double mMax) {
    static final int LENGTH = 100;
    private static final int FILE_CODE = 9994;
    private static final int VERSION = 1000;

    /** The first bytes of a file, which must hold its header. */
    static byte[] headerBytes(InputStream in, int length, String file, String format) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw new ShapefileException(file + " is truncated: it has " + bytes.length + " bytes, less than the "
                    + length + "-byte " + format + " header");
        }
        return bytes;
    }

    /** Reads and checks the header; {@code actualSize} is the size of the file (or archive entry). */
    static MainFileHeader read(InputStream in, String file, long actualSize) throws IOException {
        byte[] bytes = headerBytes(in, LENGTH, file, "shapefile");
        ByteBuffer big = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        int fileCode = big.getInt(0);
        if (fileCode != FILE_CODE) {
            throw new ShapefileException(file + " is not a shapefile: its file code is " + fileCode
                    + ", expected 9994");
        }
        long declaredLength = 2L * Integer.toUnsignedLong(big.getInt(24));
        ByteBuffer little = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int version = little.getInt(28);
        if (version != VERSION) {
            throw new ShapefileException(file + " has version " + version + ", expected 1000");
        }
        int typeCode = little.getInt(32);
        ShapeType type = ShapeType.ofCode(typeCode);
        if (type == null) {
            throw new ShapefileException(file + " declares the unknown shape type " + typeCode);
        }
        if (declaredLength < LENGTH) {
            throw new ShapefileException(file + " declares a file length of " + declaredLength
                    + " bytes, less than its own header");
        }
        Envelope bounds = new Envelope(little.getDouble(36), little.getDouble(52), little.getDouble(44),
                little.getDouble(60));
        return new MainFileHeader(file, declaredLength, actualSize, type, bounds, little.getDouble(84),
                little.getDouble(92));
    }

    /** Refuses a file shorter than its header declares: a .shx, whose length says how many records there are. */
    MainFileHeader requireDeclaredLength() {
        if (size < fileLength) {
            throw new ShapefileException(file + " is truncated: its header declares " + fileLength
                    + " bytes but the file has " + size);
        }
        return this;
    }
}
