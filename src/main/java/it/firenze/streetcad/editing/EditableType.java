package it.firenze.streetcad.editing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What an editor may write in each collection of the cadastre: the properties that are columns people set, the
 * kind of geometry (none where the geometry is derived: a road gathers its elements, an event lies on its element
 * by measure), and the properties the server computes, which a representation carries but an edit cannot set.
 */
public record EditableType(String collection, String table, String geometryType, Map<String, Field> fields,
                           Set<String> computed) {

    /** How a property's JSON value is checked and bound. */
    public enum Kind { INTEGER, NUMBER, TEXT, TIMESTAMP, OBJECT, FUNCTIONAL_CLASS }

    /**
     * A writable property: its column, its kind and, for a number, the largest magnitude its column's type holds
     * (a smallint's 32767, a numeric(5, 2)'s 999.99), past which the database would fail on the value before any of
     * the cadastre's checks could refuse it.
     */
    public record Field(String name, Kind kind, double largest) {
    }

    /** What a smallint column holds. */
    private static final double SMALLINT = Short.MAX_VALUE;

    /** CdS art. 2 classes, the values of the functional_class enum type (V1). */
    static final List<String> FUNCTIONAL_CLASSES = List.of("A", "B", "C", "D", "E", "E-bis", "F", "F-bis");

    public boolean hasGeometry() {
        return geometryType != null;
    }

    public static final List<EditableType> ALL = List.of(
            new EditableType("road-elements", "road_element", "LineString", fields(
                    f("road_id", Kind.INTEGER), f("functional_class", Kind.FUNCTIONAL_CLASS),
                    f("element_type", Kind.TEXT), f("level", Kind.TEXT), f("layer", Kind.INTEGER, SMALLINT),
                    f("carriageways", Kind.INTEGER, SMALLINT), f("lanes", Kind.INTEGER, SMALLINT),
                    f("width_m", Kind.NUMBER, 999.99),
                    f("surface", Kind.TEXT), f("direction", Kind.TEXT), f("status", Kind.TEXT),
                    f("speed_limit", Kind.INTEGER, SMALLINT), f("source_key", Kind.TEXT),
                    f("valid_from", Kind.TIMESTAMP), f("valid_to", Kind.TIMESTAMP)),
                    Set.of("id", "name", "length_m", "from_junction", "to_junction", "source_attributes", "version")),
            new EditableType("junctions", "junction", "Point", fields(
                    f("kind", Kind.TEXT), f("valid_from", Kind.TIMESTAMP), f("valid_to", Kind.TIMESTAMP)),
                    Set.of("id", "degree", "version")),
            new EditableType("roads", "road", null, fields(
                    f("name", Kind.TEXT), f("road_code", Kind.TEXT), f("admin_class", Kind.TEXT), f("owner", Kind.TEXT),
                    f("valid_from", Kind.TIMESTAMP), f("valid_to", Kind.TIMESTAMP)),
                    Set.of("id", "version")),
            new EditableType("element-events", "element_event", null, fields(
                    f("element_id", Kind.INTEGER), f("from_m", Kind.NUMBER), f("to_m", Kind.NUMBER),
                    f("direction", Kind.TEXT), f("kind", Kind.TEXT), f("attributes", Kind.OBJECT),
                    f("valid_from", Kind.TIMESTAMP), f("valid_to", Kind.TIMESTAMP)),
                    Set.of("id", "version")));

    public static Optional<EditableType> byCollection(String collection) {
        return ALL.stream().filter(t -> t.collection.equals(collection)).findFirst();
    }

    /** The property a column's error concerns: the geometry column is the feature's geometry. */
    String property(String column) {
        return column.equals("geom") ? "geometry" : column;
    }

    private static Field f(String name, Kind kind) {
        return new Field(name, kind, Double.MAX_VALUE);
    }

    private static Field f(String name, Kind kind, double largest) {
        return new Field(name, kind, largest);
    }

    private static Map<String, Field> fields(Field... fields) {
        Map<String, Field> m = new LinkedHashMap<>();
        for (Field f : fields) m.put(f.name(), f);
        return java.util.Collections.unmodifiableMap(m);
    }
}
