package it.firenze.streetcad.topology;

import org.locationtech.jts.geom.Geometry;

import java.util.Map;

/**
 * One line the engine works on: a stored road element (elemento stradale) or a raw line not yet in the cadastre
 * (an importer's staged line). Geometry is in a metric CRS, so tolerances are metres.
 *
 * @param elementId    the road element's id, or null for a line not yet stored
 * @param sourceKey    lineage: the source feature this line came from (kept by every piece it is split into)
 * @param geometry     a LineString, or a MultiLineString from raw input (reported as multipart)
 * @param level        sede: at_grade, bridge, tunnel or ramp; lines at different levels or layers cross unnoded
 * @param direction    both, forward, backward or closed, relative to the digitised direction
 * @param fromJunction the stored from junction, or null
 * @param toJunction   the stored to junction, or null
 * @param attributes   the attributes that must be equal for two elements to be merged (road, class, type…)
 */
public record TopologyLine(Long elementId, String sourceKey, Geometry geometry, String level, int layer,
                           String direction, Long fromJunction, Long toJunction, Map<String, Object> attributes) {

    public TopologyLine {
        level = level == null ? "at_grade" : level;
        direction = direction == null ? "both" : direction;
        attributes = attributes == null ? Map.of() : attributes;
    }

    /** A raw line at grade, open both ways, with no stored identity. */
    public static TopologyLine raw(String sourceKey, Geometry geometry) {
        return new TopologyLine(null, sourceKey, geometry, "at_grade", 0, "both", null, null, Map.of());
    }

    public TopologyLine withLevel(String newLevel, int newLayer) {
        return new TopologyLine(elementId, sourceKey, geometry, newLevel, newLayer, direction, fromJunction, toJunction,
                attributes);
    }

    public TopologyLine withDirection(String newDirection) {
        return new TopologyLine(elementId, sourceKey, geometry, level, layer, newDirection, fromJunction, toJunction,
                attributes);
    }

    public TopologyLine withAttributes(Map<String, Object> newAttributes) {
        return new TopologyLine(elementId, sourceKey, geometry, level, layer, direction, fromJunction, toJunction,
                newAttributes);
    }

    /** Lines cross with a junction only inside the same vertical plane: same level and same layer. */
    String plane() {
        return level + "/" + layer;
    }
}
