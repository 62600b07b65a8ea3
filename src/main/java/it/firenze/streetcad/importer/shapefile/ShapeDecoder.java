package it.firenze.streetcad.importer.shapefile;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.locationtech.jts.algorithm.Orientation;
import org.locationtech.jts.algorithm.PointLocation;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Location;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.Polygon;

/** Turns one record's content into a JTS geometry (with Z, without M) and into its vertices' Z and M values. */
final class ShapeDecoder {
    private final String file;
    private final ShapeType layerType;
    private final GeometryFactory factory;

    String file() {
        return file;
    }

    ShapeDecoder(String file, ShapeType layerType, GeometryFactory factory) {
        this.file = file;
        this.layerType = layerType;
        this.factory = factory;
    }

    /** Null for a null shape. */
    Geometry decode(byte[] content, int recordNumber) {
        ByteBuffer buffer = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
        int typeCode = buffer.getInt();
        if (typeCode == 0) {
            return null;
        }
        ShapeType type = ShapeType.ofCode(typeCode);
        // a PolyLineZ record in a PolyLine layer (or the other way round) is read as the layer's type, as GDAL reads it
        if (type == null || !type.sameKindAs(layerType)) {
            throw new ShapefileException(file + " record " + recordNumber + " is a "
                    + (type == null ? "shape of unknown type " + typeCode : type.label()) + " in a "
                    + layerType.label() + " layer");
        }
        try {
            return switch (layerType) {
                case POINT, POINT_M, POINT_Z -> point(buffer, type);
                case MULTIPOINT, MULTIPOINT_M, MULTIPOINT_Z -> multiPoint(buffer, type, content.length, recordNumber);
                case POLYLINE, POLYLINE_M, POLYLINE_Z -> lines(parts(buffer, type, content.length, recordNumber));
                case POLYGON, POLYGON_M, POLYGON_Z ->
                        polygons(parts(buffer, type, content.length, recordNumber), recordNumber);
                case MULTIPATCH, NULL -> throw new ShapefileException(file + " record " + recordNumber + ": "
                        + layerType.label() + " shapes are not supported");
            };
        } catch (BufferUnderflowException e) {
            throw lengthLies(recordNumber, content.length, "its shape");
        }
    }

    /**
     * The Z and M values of a PolyLineZ, PolyLineM, PolygonZ or PolygonM record that {@link #decode} read; null for
     * the other types, whatever the layer's. M values are optional in a record: they are there when its length
     * leaves room for them (as shapelib, and so GDAL, reads them).
     */
    VertexValues vertexValues(byte[] content) {
        ByteBuffer buffer = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
        boolean z;
        switch (buffer.getInt(0)) {
            case 13, 15 -> z = true;
            case 23, 25 -> z = false;
            default -> {
                return null;
            }
        }
        int partCount = buffer.getInt(36);
        int points = buffer.getInt(40);
        int[] starts = new int[partCount + 1];
        for (int i = 0; i < partCount; i++) {
            starts[i] = buffer.getInt(44 + 4 * i);
        }
        starts[partCount] = points;
        long values = 44 + 4L * partCount + 16L * points;
        double[][] zValues = z ? perPart(buffer, values + 16, starts) : null;
        long mStart = z ? values + 16 + 8L * points : values;
        double[][] mValues = content.length >= mStart + 16 + 8L * points ? perPart(buffer, mStart + 16, starts) : null;
        if (mValues != null && noMeasure(mValues)) {
            mValues = null;
        }
        return zValues == null && mValues == null ? null : new VertexValues(zValues, mValues);
    }

    /** The doubles from {@code at} on, one per point, split as the parts split the points (empty parts left out). */
    private static double[][] perPart(ByteBuffer buffer, long at, int[] starts) {
        List<double[]> parts = new ArrayList<>(starts.length - 1);
        for (int i = 0; i + 1 < starts.length; i++) {
            if (starts[i + 1] > starts[i]) {
                double[] part = new double[starts[i + 1] - starts[i]];
                for (int p = 0; p < part.length; p++) {
                    part[p] = buffer.getDouble((int) at + 8 * (starts[i] + p));
                }
                parts.add(part);
            }
        }
        return parts.toArray(double[][]::new);
    }

    /** Whether every measure is "no data"; sets each of them to NaN. */
    private static boolean noMeasure(double[][] measures) {
        boolean none = true;
        for (double[] part : measures) {
            for (int i = 0; i < part.length; i++) {
                if (part[i] < VertexValues.NO_DATA_BELOW || Double.isNaN(part[i])) {
                    part[i] = Double.NaN;
                } else {
                    none = false;
                }
            }
        }
        return none;
    }

    private Point point(ByteBuffer buffer, ShapeType type) {
        Coordinate point = new Coordinate(buffer.getDouble(), buffer.getDouble());
        if (layerType.hasZ()) {
            point.setZ(type.hasZ() ? buffer.getDouble() : 0);
        }
        return factory.createPoint(point);
    }

    private Geometry multiPoint(ByteBuffer buffer, ShapeType type, int length, int recordNumber) {
        buffer.position(buffer.position() + 32);
        int points = buffer.getInt();
        requireLength(length, recordNumber, 40L + pointsLength(type, points), points + " points");
        Coordinate[] coordinates = coordinates(buffer, type, points, 40 + 16L * points);
        return factory.createMultiPointFromCoords(coordinates);
    }

    /** Parts of a PolyLine or Polygon record, each as its coordinates. */
    private List<Coordinate[]> parts(ByteBuffer buffer, ShapeType type, int length, int recordNumber) {
        buffer.position(buffer.position() + 32);
        int partCount = buffer.getInt();
        int points = buffer.getInt();
        if (partCount < 0 || points < 0) {
            throw new ShapefileException(file + " record " + recordNumber + ": negative count of parts ("
                    + partCount + ") or points (" + points + ")");
        }
        requireLength(length, recordNumber, 44L + 4L * partCount + pointsLength(type, points),
                partCount + " parts and " + points + " points");
        int[] starts = new int[partCount + 1];
        for (int i = 0; i < partCount; i++) {
            starts[i] = buffer.getInt();
            if (starts[i] < 0 || starts[i] > points || (i > 0 && starts[i] < starts[i - 1])) {
                throw new ShapefileException(file + " record " + recordNumber + ": part " + (i + 1)
                        + " starts at point " + starts[i] + ", outside 0.." + points + " or before the previous part");
            }
        }
        starts[partCount] = points;
        Coordinate[] all = coordinates(buffer, type, points, 44 + 4L * partCount + 16L * points);
        List<Coordinate[]> parts = new ArrayList<>(partCount);
        for (int i = 0; i < partCount; i++) {
            if (starts[i + 1] > starts[i]) {
                Coordinate[] part = new Coordinate[starts[i + 1] - starts[i]];
                System.arraycopy(all, starts[i], part, 0, part.length);
                parts.add(part);
            }
        }
        return parts;
    }

    private static long pointsLength(ShapeType type, int points) {
        return 16L * points + (type.hasZ() ? 16 + 8L * points : 0);
    }

    private void requireLength(int length, int recordNumber, long needed, String what) {
        if (needed > length) {
            throw lengthLies(recordNumber, length, what + " (" + needed + " bytes)");
        }
    }

    private ShapefileException lengthLies(int recordNumber, int length, String what) {
        return new ShapefileException(file + " record " + recordNumber + ": its declared length of " + length
                + " bytes is too short for " + what + " (a record length lies)");
    }

    /**
     * Reads x,y pairs, then the Z block (after its range) when the record's type has one; zStart is its offset. A
     * record without Z in a layer with Z gets Z 0, as in GDAL; a record's Z in a layer without is dropped.
     */
    private Coordinate[] coordinates(ByteBuffer buffer, ShapeType type, int points, long zStart) {
        Coordinate[] coordinates = new Coordinate[points];
        for (int i = 0; i < points; i++) {
            coordinates[i] = new Coordinate(buffer.getDouble(), buffer.getDouble());
        }
        if (type.hasZ()) {
            buffer.position((int) zStart + 16);
        }
        if (layerType.hasZ()) {
            for (Coordinate c : coordinates) {
                c.setZ(type.hasZ() ? buffer.getDouble() : 0);
            }
        }
        return coordinates;
    }

    private Geometry lines(List<Coordinate[]> parts) {
        LineString[] lines = new LineString[parts.size()];
        for (int i = 0; i < lines.length; i++) {
            Coordinate[] part = parts.get(i);
            // JTS cannot hold a one-point line: keep it as a zero-length line so validation reports the feature
            lines[i] = factory.createLineString(part.length == 1 ? new Coordinate[] {part[0], part[0].copy()} : part);
        }
        if (lines.length == 1) {
            return lines[0];
        }
        return lines.length == 0 ? factory.createLineString() : factory.createMultiLineString(lines);
    }

    /** Clockwise rings are shells, counter-clockwise ones holes of the shell that contains them. */
    private Geometry polygons(List<Coordinate[]> rings, int recordNumber) {
        List<LinearRing> shells = new ArrayList<>();
        List<List<LinearRing>> holes = new ArrayList<>();
        List<LinearRing> orphans = new ArrayList<>();
        for (Coordinate[] coordinates : rings) {
            LinearRing ring = ring(coordinates, recordNumber);
            if (Orientation.isCCW(coordinates)) {
                orphans.add(ring);
            } else {
                shells.add(ring);
                holes.add(new ArrayList<>());
            }
        }
        for (LinearRing hole : orphans) {
            int owner = -1;
            for (int i = 0; i < shells.size() && owner < 0; i++) {
                if (PointLocation.locateInRing(hole.getCoordinateN(0), shells.get(i).getCoordinates())
                        != Location.EXTERIOR) {
                    owner = i;
                }
            }
            if (owner < 0) {
                shells.add(hole);
                holes.add(new ArrayList<>());
            } else {
                holes.get(owner).add(hole);
            }
        }
        Polygon[] polygons = new Polygon[shells.size()];
        for (int i = 0; i < polygons.length; i++) {
            polygons[i] = factory.createPolygon(shells.get(i), holes.get(i).toArray(LinearRing[]::new));
        }
        if (polygons.length == 1) {
            return polygons[0];
        }
        return polygons.length == 0 ? factory.createPolygon() : factory.createMultiPolygon(polygons);
    }

    private LinearRing ring(Coordinate[] coordinates, int recordNumber) {
        if (coordinates.length < 4 || !coordinates[0].equals2D(coordinates[coordinates.length - 1])) {
            throw new ShapefileException(file + " record " + recordNumber + ": a polygon ring of "
                    + coordinates.length + " points is not closed");
        }
        return factory.createLinearRing(coordinates);
    }
}
