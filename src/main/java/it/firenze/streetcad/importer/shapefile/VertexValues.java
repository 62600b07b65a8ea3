package it.firenze.streetcad.importer.shapefile;

/**
 * The Z and M values a PolyLineZ, PolyLineM (or polygon) record gives its vertices, part by part in the order the
 * record lists them (parts without points left out, as in the geometry). They are kept apart from the geometry
 * because the cadastre stores 2D lines, and as the record has them: a record without a Z block in a PolyLineZ layer
 * has none here, though its geometry gets Z 0 as GDAL gives it.
 *
 * @param z null when the record has no Z values
 * @param m null when the record has no M values, or only the "no data" value (below -1e38); a vertex's "no data"
 *          measure is NaN
 */
public record VertexValues(double[][] z, double[][] m) {
    /** Shapefiles write any value below this as an M that is no measure (the specification's "no data"). */
    static final double NO_DATA_BELOW = -1e38;
}
