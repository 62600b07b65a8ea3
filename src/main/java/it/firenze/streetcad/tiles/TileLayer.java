package it.firenze.streetcad.tiles;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A layer of the tiles (its id is also the MVT layer name and the OGC collection id) and how its features are
 * read: the columns shown at overview zooms and from the detail zoom on, which rows overview zooms keep, and the
 * order in which features are kept when a tile must be thinned (most important first).
 */
public enum TileLayer {

    ROAD_ELEMENTS("road-elements", "Road elements (elementi stradali)",
            "live_road_element e LEFT JOIN road r ON r.id = e.road_id", "e.geom", "e.geom_3857",
            "e.id, r.name, e.functional_class::text AS functional_class, e.level, e.road_id",
            // From the detail zoom on, what a map draws, filters, labels and selects by: the record (lanes, surface,
            // junctions, version, …) is one click away in the features API. MVT-encoding the 13 other attributes,
            // most of them distinct per element, was half of PostgreSQL's work on a detail tile.
            "e.id, r.name, e.road_id, e.functional_class::text AS functional_class, e.level, e.status",
            // Overview zooms draw the network's skeleton: classes A–D (motorways to urban arterials) and the
            // named urban district roads (class E) that carry a city's street names. Written so that the
            // planner sees the partial index of classes A–E (V22).
            "e.functional_class IN ('A', 'B', 'C', 'D', 'E') AND (e.functional_class <> 'E' OR r.name IS NOT NULL)",
            "e.functional_class NULLS LAST, e.length_m DESC, e.id",
            0, "lines", null),

    JUNCTIONS("junctions", "Junctions (giunzioni)",
            "live_junction j", "j.geom", null,
            "j.id, j.kind, j.degree",
            "j.id, j.kind, j.degree, j.version, "
                    + "to_char(j.valid_from AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS valid_from",
            "false",
            "j.degree DESC, j.id",
            // Junctions mean nothing on an overview map: below the detail zoom their tiles are empty.
            -1, "points", null),

    // Findings of the topology validation (V3) and those derived from the cadastre (V28). Lists and parameters
    // become text, which both encodings carry.
    TOPOLOGY_ISSUES("topology-issues", "Topology findings",
            "open_topology_issue i", "i.location", null,
            "i.id, i.rule, i.severity, i.accepted",
            "i.id, i.rule, i.severity, i.explanation, i.parameters::text AS parameters, "
                    + "array_to_string(i.element_ids, ',') AS element_ids, "
                    + "array_to_string(i.junction_ids, ',') AS junction_ids, i.accepted",
            // An overview shows where the network is broken, not every remark on it.
            "i.severity = 'error' AND NOT i.accepted",
            "CASE i.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, i.id",
            0, "geometries", "topology_issue"),

    // Named streets (strade) as lines, one feature per road and tile: its elements in the tile merged. The web
    // map draws them lightly from zoom 13, so that an old town of local and pedestrian streets (Florence's centre
    // has nothing above class F) is not an empty hole before the detail zoom, and writes the street names along
    // them: a name fits along a street, rarely along one of its elements between two junctions. Merged, a z14
    // tile over the old town holds 400 streets where road-elements would hold 3,000 elements.
    STREETS("streets", "Named streets (strade)",
            "LATERAL (SELECT r.id, r.name, min(e.functional_class)::text AS functional_class, "
                    + "ST_LineMerge(ST_Collect(e.geom_3857)) AS geom "
                    + "FROM live_road_element e JOIN road r ON r.id = e.road_id WHERE e.geom_3857 && env.area "
                    + "GROUP BY r.id) s", "s.geom", "s.geom",
            "s.id, s.name, s.functional_class",
            "s.id, s.name, s.functional_class",
            "true",
            "s.functional_class NULLS LAST, s.id",
            13, "lines", null),

    // Traffic measures (viability, V11) planned or binding (V37) that hold at the tile's instant (datetime, default
    // now), their recurring local-time windows included: the ids come from a LayerClock, since the windows are
    // evaluated in one place (the viability package's schedules), not twice.
    VIABILITY("viability", "Traffic measures (provvedimenti di viabilità)",
            "(SELECT * FROM measure WHERE id = ANY (?::bigint[])) m", "m.geom", null,
            "m.id, m.kind, m.status",
            "m.id, m.kind, m.status, m.works_id, m.ordinance_id, m.organisation, m.value, "
                    + "to_char(m.valid_from AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS valid_from, "
                    + "to_char(m.valid_to AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS valid_to, "
                    + "m.windows::text AS windows, array_to_string(m.exemptions, ',') AS exemptions",
            // An overview shows what takes road space.
            "m.kind IN ('closure', 'lane_closure', 'narrowing', 'one_way')",
            "CASE m.kind WHEN 'closure' THEN 0 WHEN 'one_way' THEN 1 ELSE 2 END, m.id",
            0, "lines", "measure");

    private final String id;
    private final String title;
    final String from;
    final String geometry;
    /**
     * The geometry already in EPSG:3857, kept with the row (V22) so that tiles neither transform it nor find it
     * through the tile's image in the storage CRS; null when each tile transforms {@link #geometry}.
     */
    final String projected;
    final String overviewColumns;
    final String detailColumns;
    final String overviewFilter;
    final String importance;
    /** Lowest zoom with features; -1 means "from the detail zoom". */
    private final int minZoom;
    private final String geometryType;
    /** A table another migration may not have created yet: without it the layer does not exist. */
    final String optionalTable;

    TileLayer(String id, String title, String from, String geometry, String projected, String overviewColumns,
              String detailColumns,
              String overviewFilter, String importance, int minZoom, String geometryType, String optionalTable) {
        this.id = id;
        this.title = title;
        this.from = from;
        this.geometry = geometry;
        this.projected = projected;
        this.overviewColumns = overviewColumns;
        this.detailColumns = detailColumns;
        this.overviewFilter = overviewFilter;
        this.importance = importance;
        this.minZoom = minZoom;
        this.geometryType = geometryType;
        this.optionalTable = optionalTable;
    }

    /** The rows whose extent is the layer's: streets are made per tile, so theirs is their named elements'. */
    String extentFrom() {
        // A measure that never held (V37: an empty validity) is drawn at no instant.
        if (this == VIABILITY) return "(SELECT * FROM measure WHERE NOT isempty(validity)) m";
        return this == STREETS ? "live_road_element e JOIN road r ON r.id = e.road_id" : from;
    }

    /** Whether the layer's rows depend on an instant (its datetime parameter), told by a {@link LayerClock}. */
    public boolean timed() {
        return this == VIABILITY;
    }

    String extentGeometry() {
        return this == STREETS ? "e.geom" : geometry;
    }

    /** The OGC tileset's geometry type of the layer: points, lines or geometries (mixed). */
    public String geometryType() {
        return geometryType;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    public int minZoom(int detailZoom) {
        return minZoom < 0 ? detailZoom : minZoom;
    }

    /** The properties a feature may carry from the detail zoom on, with their TileJSON types. */
    public Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String column : detailColumns.split(",\\s*(?![^(]*\\))")) {
            String name = column.contains(" AS ") ? column.substring(column.lastIndexOf(" AS ") + 4)
                    : column.substring(column.indexOf('.') + 1);
            String field = name.strip();
            fields.put(field, numeric(field) ? "Number" : field.equals("accepted") ? "Boolean" : "String");
        }
        return fields;
    }

    private static boolean numeric(String field) {
        return field.equals("id") || field.endsWith("_id") || field.endsWith("_m") || field.endsWith("junction")
                || field.equals("value")
                || field.equals("layer") || field.equals("lanes") || field.equals("speed_limit")
                || field.equals("version") || field.equals("degree");
    }

    public static Optional<TileLayer> byId(String id) {
        return Arrays.stream(values()).filter(l -> l.id.equals(id)).findFirst();
    }
}
