package it.firenze.streetcad.importer.shapefile;

import java.util.Map;
import org.locationtech.jts.geom.Geometry;

/**
 * One feature of a layer.
 *
 * @param featureNumber 1-based position in the .shp, the number users see in their GIS (deleted rows keep theirs)
 * @param geometry      LineString or MultiLineString for line layers, null for a null shape; Z is kept in the
 *                      coordinates when the layer has it, M is in {@code vertexValues} only
 * @param attributes    in .dbf column order: String, Long, BigDecimal, Double, LocalDate, Boolean or null; an N, F,
 *                      D or L value not of its field's type (no number, date or truth value) as a {@link NotOfItsType};
 *                      empty for a shape the .dbf has no record for
 * @param vertexValues  the Z and M values of the record's vertices; null when it has neither
 */
public record ShapeRecord(int featureNumber, Geometry geometry, Map<String, Object> attributes,
                          VertexValues vertexValues) {

    /** A feature with no Z or M values beside its geometry. */
    public ShapeRecord(int featureNumber, Geometry geometry, Map<String, Object> attributes) {
        this(featureNumber, geometry, attributes, null);
    }
}
