package it.firenze.streetcad.importer;

import org.locationtech.jts.geom.Geometry;

import java.util.Map;

/** One source feature: its 1-based number in the layer, its geometry (null for a null shape) and attributes. */
public record SourceFeature(long featureNumber, Geometry geometry, Map<String, Object> attributes) {
}
