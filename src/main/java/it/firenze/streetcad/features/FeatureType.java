package it.firenze.streetcad.features;

import it.firenze.streetcad.cql2.Queryable;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One collection of the cadastre as OGC API – Features sees it: the SQL that yields its rows (all written here,
 * never from a request), its geometry and id expressions, and its properties in the order they are returned.
 * Validity ({@code valid_from}/{@code valid_to}) is the temporal extent that {@code datetime} filters on.
 * The SQL names the cadastre's tables as {@code {road_element}}, {@code {junction}}, {@code {road}} and
 * {@code {element_event}}: {@link Rows} points them at the live rows, at every record, or at the records of an
 * instant of the past.
 */
public record FeatureType(String id, String title, String description, String from, String idSql, String geometrySql,
                          String geometryType, List<Queryable> properties, String validFromSql, String validToSql,
                          Map<String, Queryable> queryables) {

    /**
     * With its {@link #queryables()} made once here: every items request looks its parameters up in them, and
     * building the map per request was 2 % of the server's CPU on a bbox page.
     */
    public FeatureType(String id, String title, String description, String from, String idSql, String geometrySql,
                       String geometryType, List<Queryable> properties, String validFromSql, String validToSql) {
        this(id, title, description, from, idSql, geometrySql, geometryType, properties, validFromSql, validToSql,
                queryables(geometrySql, properties, validFromSql, validToSql));
    }

    /**
     * The cadastre table whose rows are this collection's items (the one {@link #from} names in braces, as {@link Rows}
     * resolves it): the collections an editor DELETEs from, whose retired items leave the current view (V40). Empty
     * for the collections kept elsewhere (findings, viability), whose items end without being deleted.
     */
    public Optional<String> cadastreTable() {
        if (!from.startsWith("{")) return Optional.empty();
        return Optional.of(from.substring(1, from.indexOf('}')));
    }

    public Optional<Queryable> property(String name) {
        return properties.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * Properties a filter may use: every scalar one, the JSON objects (by member: {@code source_attributes.name}),
     * the geometry named {@code geometry}, and {@code validity},
     * the interval from valid_from to valid_to (open while the row is current) for the temporal functions.
     */
    private static Map<String, Queryable> queryables(String geometrySql, List<Queryable> properties,
                                                     String validFromSql, String validToSql) {
        Map<String, Queryable> q = new java.util.LinkedHashMap<>();
        q.put("geometry", new Queryable("geometry", geometrySql, Queryable.Type.GEOMETRY));
        properties.stream().filter(p -> p.type().isScalar() || p.type() == Queryable.Type.OBJECT)
                .forEach(p -> q.put(p.name(), p));
        q.put("validity", new Queryable("validity", "tstzrange(" + validFromSql + ", " + validToSql + ")",
                Queryable.Type.INTERVAL));
        return java.util.Collections.unmodifiableMap(q);
    }

    private static Queryable p(String name, String sql, Queryable.Type type) {
        return new Queryable(name, sql, type);
    }

    /** Every cadastre table is versioned the same way (see V1__cadastre.sql). */
    private static List<Queryable> versioned(String alias, Queryable... own) {
        List<Queryable> all = new java.util.ArrayList<>(List.of(own));
        all.add(p("version", alias + ".version", I));
        all.add(p("valid_from", alias + ".valid_from", T));
        all.add(p("valid_to", alias + ".valid_to", T));
        return List.copyOf(all);
    }

    private static final Queryable.Type S = Queryable.Type.STRING;
    private static final Queryable.Type I = Queryable.Type.INTEGER;
    private static final Queryable.Type N = Queryable.Type.NUMBER;
    private static final Queryable.Type T = Queryable.Type.TIMESTAMP;

    /** The collections, with the ids every engineer's layer uses. */
    public static final List<FeatureType> ALL = List.of(
            new FeatureType("road-elements", "Road elements (elementi stradali)",
                    "The axis of the road between two junctions: the unit of the street cadastre.",
                    "{road_element} e", "e.id", "e.geom", "LineString",
                    // The name is looked up for each returned row, after the page is cut: a join would hash
                    // every road on each request, a fifth of a bbox page's time.
                    versioned("e", p("id", "e.id", I), p("name", "(SELECT r.name FROM {road} r WHERE r.id = e.road_id)", S), p("road_id", "e.road_id", I),
                            p("functional_class", "e.functional_class::text", S),
                            p("element_type", "e.element_type", S), p("level", "e.level", S),
                            p("layer", "e.layer", I), p("direction", "e.direction", S),
                            p("status", "e.status", S), p("lanes", "e.lanes", I), p("width_m", "e.width_m", N),
                            p("surface", "e.surface", S), p("speed_limit", "e.speed_limit", I),
                            p("length_m", "e.length_m", N), p("from_junction", "e.from_junction", I),
                            p("to_junction", "e.to_junction", I),
                            // The source fields an import's mapping did not read; filters name them as
                            // source_attributes.<field> (see SqlTranslator).
                            p("source_attributes", "e.source_attributes", Queryable.Type.OBJECT)),
                    "e.valid_from", "e.valid_to"),
            new FeatureType("junctions", "Junctions (giunzioni)",
                    "Where road elements meet or end.", "{junction} j", "j.id", "j.geom", "Point",
                    versioned("j", p("id", "j.id", I), p("kind", "j.kind", S), p("degree", "j.degree", I)),
                    "j.valid_from", "j.valid_to"),
            new FeatureType("roads", "Roads (strade)",
                    "Named streets and numbered roads; the geometry gathers their elements.",
                    "{road} r", "r.id",
                    "(SELECT ST_Collect(x.geom ORDER BY x.id) FROM {road_element} x WHERE x.road_id = r.id)",
                    "MultiLineString",
                    versioned("r", p("id", "r.id", I), p("name", "r.name", S), p("road_code", "r.road_code", S),
                            p("admin_class", "r.admin_class", S), p("owner", "r.owner", S)),
                    "r.valid_from", "r.valid_to"),
            new FeatureType("element-events", "Element events (attributi segmentati)",
                    "Facts on a stretch of a road element, located by measure in metres from its start.",
                    "{element_event} v JOIN {road_element} ve ON ve.id = v.element_id", "v.id",
                    "ST_LineSubstring(ve.geom, LEAST(v.from_m / ve.length_m, 1), LEAST(v.to_m / ve.length_m, 1))",
                    "LineString",
                    versioned("v", p("id", "v.id", I), p("element_id", "v.element_id", I), p("from_m", "v.from_m", N),
                            p("to_m", "v.to_m", N), p("direction", "v.direction", S), p("kind", "v.kind", S),
                            p("attributes", "v.attributes", Queryable.Type.OBJECT)),
                    "v.valid_from", "v.valid_to"),
            // The findings of the last topology validations and those derived from the cadastre (V28): read-only,
            // valid from when they were found.
            new FeatureType("topology-issues", "Topology findings",
                    "What the topology validation found wrong or doubtful in the network, where, and on which elements.",
                    "open_topology_issue i", "i.id", "i.location", "Geometry",
                    List.of(p("id", "i.id", I), p("rule", "i.rule", S), p("severity", "i.severity", S),
                            p("explanation", "i.explanation", S), p("accepted", "i.accepted", Queryable.Type.BOOLEAN),
                            p("validation_id", "i.validation_id", I), p("found_at", "i.found_at", T)),
                    "i.found_at", "NULL::timestamptz"),
            // Viability (see the viability package): written through its own routes, read here like any collection.
            new FeatureType("viability-measures", "Traffic measures (provvedimenti di viabilità)",
                    "Closures, one-way orders, limits and restrictions of ordinances and works sites, on stretches of "
                            + "road elements located by measure.", "measure m", "m.id", "m.geom", "MultiLineString",
                    List.of(p("id", "m.id", I), p("kind", "m.kind", S), p("status", "m.status", S),
                            p("ordinance_id", "m.ordinance_id", I), p("works_id", "m.works_id", I),
                            p("organisation", "m.organisation", S), p("value", "m.value", N),
                            p("description", "m.description", S), p("version", "m.version", I),
                            p("valid_from", "m.valid_from", T), p("valid_to", "m.valid_to", T)),
                    "m.valid_from", "m.valid_to"),
            new FeatureType("works", "Works sites (cantieri)",
                    "Utilities' works sites: permit, proponent, footprint; valid over their phases, until they ended.",
                    "works w", "w.id",
                    "w.footprint", "MultiPolygon",
                    List.of(p("id", "w.id", I), p("organisation", "w.organisation", S), p("permit", "w.permit", S),
                            p("status", "w.status", S), p("description", "w.description", S),
                            p("version", "w.version", I)),
                    "(SELECT min(wp.valid_from) FROM works_phase wp WHERE wp.works_id = w.id)",
                    // At work until the site ended (V43); one ended before it began never was (an empty validity).
                    "(SELECT coalesce(max(upper(works_phase_at_work(wp.validity, w.id, w.status))), min(wp.valid_from)) "
                            + "FROM works_phase wp WHERE wp.works_id = w.id)"),
            new FeatureType("ordinances", "Traffic orders (ordinanze)",
                    "Ordinances of the road owner; the geometry gathers their measures.", "ordinance o", "o.id",
                    "(SELECT ST_Multi(ST_CollectionExtract(ST_Collect(om.geom), 2)) FROM measure om "
                            + "WHERE om.ordinance_id = o.id)", "MultiLineString",
                    List.of(p("id", "o.id", I), p("number", "o.number", I), p("year", "o.year", I),
                            p("office", "o.office", S), p("reason", "o.reason", S), p("status", "o.status", S),
                            p("document_url", "o.document_url", S), p("version", "o.version", I)),
                    "(SELECT min(om.valid_from) FROM measure om WHERE om.ordinance_id = o.id)",
                    "(SELECT max(om.valid_to) FROM measure om WHERE om.ordinance_id = o.id)"));

    public static Optional<FeatureType> byId(String id) {
        return ALL.stream().filter(t -> t.id.equals(id)).findFirst();
    }
}
