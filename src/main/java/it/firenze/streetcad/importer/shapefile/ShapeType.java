package it.firenze.streetcad.importer.shapefile;

import java.util.Arrays;

/** The shape types of the ESRI Shapefile Technical Description (1998), by their code in the .shp header. */
public enum ShapeType {
    NULL(0, "Null"),
    POINT(1, "Point"),
    POLYLINE(3, "PolyLine"),
    POLYGON(5, "Polygon"),
    MULTIPOINT(8, "MultiPoint"),
    POINT_Z(11, "PointZ"),
    POLYLINE_Z(13, "PolyLineZ"),
    POLYGON_Z(15, "PolygonZ"),
    MULTIPOINT_Z(18, "MultiPointZ"),
    POINT_M(21, "PointM"),
    POLYLINE_M(23, "PolyLineM"),
    POLYGON_M(25, "PolygonM"),
    MULTIPOINT_M(28, "MultiPointM"),
    MULTIPATCH(31, "MultiPatch");

    private final int code;
    private final String label;

    ShapeType(int code, String label) {
        this.code = code;
        this.label = label;
    }

    public int code() {
        return code;
    }

    /** The name used by the specification and by GIS software, e.g. "PolyLineZ". */
    public String label() {
        return label;
    }

    /** Roads can only come from these. */
    public boolean isLine() {
        return this == POLYLINE || this == POLYLINE_Z || this == POLYLINE_M;
    }

    public boolean hasZ() {
        return this == POINT_Z || this == POLYLINE_Z || this == POLYGON_Z || this == MULTIPOINT_Z || this == MULTIPATCH;
    }

    /** Whether records may carry measures (optional in the Z types). */
    public boolean mayHaveM() {
        return hasZ() || this == POINT_M || this == POLYLINE_M || this == POLYGON_M || this == MULTIPOINT_M;
    }

    /** Whether both are points, lines, polygons or multipoints, with or without Z and M. */
    public boolean sameKindAs(ShapeType other) {
        return kind() == other.kind();
    }

    private int kind() {
        return this == MULTIPATCH ? code : code % 10;
    }

    static ShapeType ofCode(int code) {
        return Arrays.stream(values()).filter(t -> t.code == code).findFirst().orElse(null);
    }

    @Override
    public String toString() {
        return label;
    }
}
