package it.firenze.streetcad.viability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import it.firenze.streetcad.api.Json;

import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * All SQL of the viability capability: ordinances, works sites with their phases, measures with their stretches,
 * and the candidate pairs the conflict check then judges in time. Geometry goes in and out as GeoJSON in CRS84;
 * it is stored in the cadastre's metric CRS.
 */
final class ViabilityStore {

    /** {@link Measure#BINDING} in SQL: the measures that bind at some instant, what routing and state read. */
    static final String BINDING = sqlList(Measure.BINDING);
    /** Statuses still planned or binding now or later: what a street's measures list. */
    static final String PLANNED = "('draft', 'in_force')";
    /**
     * Statuses whose measures are planned or bind at the instants of their validity: what the conflict check and
     * the tiles at an instant compare. A measure that never held has an empty validity, which meets no instant.
     */
    static final String PLANNED_OR_BINDING = sqlList(Stream.concat(Stream.of("draft"), Measure.BINDING.stream())
            .collect(Collectors.toSet()));

    /** Statuses (fixed words, never a client's text) as an SQL list for {@code status IN …}. */
    private static String sqlList(Set<String> statuses) {
        return statuses.stream().sorted().map(s -> "'" + s + "'").collect(Collectors.joining(", ", "(", ")"));
    }

    private final int srid;

    ViabilityStore(int srid) {
        this.srid = srid;
    }

    // ---- measures ----

    long insertMeasure(Connection c, Measure.Input in, String organisation, List<Stretch> stretches) throws SQLException {
        long id;
        // The stretches drawn once, for maps, tiles and feeds: the element pieces by linear reference, in order.
        try (PreparedStatement st = c.prepareStatement("INSERT INTO measure (kind, status, ordinance_id, works_id, "
                + "organisation, valid_from, valid_to, windows, exemptions, value, vehicle_classes, description, location, "
                + "geom) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?::jsonb, (SELECT ST_Multi(ST_Collect("
                + "ST_LineSubstring(e.geom, LEAST(s.f / NULLIF(e.length_m, 0), 1), LEAST(s.t / NULLIF(e.length_m, 0), 1)) "
                + "ORDER BY s.n)) FROM unnest(?::bigint[], ?::float8[], ?::float8[]) WITH ORDINALITY AS s(id, f, t, n) "
                + "JOIN road_element e ON e.id = s.id)) RETURNING id")) {
            st.setString(1, in.kind());
            st.setString(2, in.status());
            st.setObject(3, in.ordinanceId());
            st.setObject(4, in.worksId());
            st.setString(5, organisation);
            st.setTimestamp(6, Timestamp.from(in.schedule().from()));
            st.setTimestamp(7, in.schedule().to() == null ? null : Timestamp.from(in.schedule().to()));
            st.setString(8, windowsJson(in.schedule()).toString());
            st.setArray(9, c.createArrayOf("text", in.exemptions().toArray()));
            st.setObject(10, in.value());
            st.setArray(11, c.createArrayOf("text", in.vehicleClasses().toArray()));
            st.setString(12, in.description());
            st.setString(13, in.location().toString());
            st.setArray(14, c.createArrayOf("bigint", stretches.stream().map(Stretch::elementId).toArray()));
            st.setArray(15, c.createArrayOf("float8", stretches.stream().map(Stretch::fromM).toArray()));
            st.setArray(16, c.createArrayOf("float8", stretches.stream().map(Stretch::toM).toArray()));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO measure_element (measure_id, ordinal, element_id, "
                + "from_m, to_m, direction) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < stretches.size(); i++) {
                Stretch s = stretches.get(i);
                st.setLong(1, id);
                st.setInt(2, i);
                st.setLong(3, s.elementId());
                st.setDouble(4, s.fromM());
                st.setDouble(5, s.toM());
                st.setString(6, s.direction());
                st.addBatch();
            }
            st.executeBatch();
        }
        return id;
    }

    static ArrayNode windowsJson(Schedule s) {
        ArrayNode a = Json.mapper().createArrayNode();
        for (Schedule.Window w : s.windows()) {
            ObjectNode o = a.addObject();
            ArrayNode days = o.putArray("days");
            w.days().forEach(d -> days.add(Schedule.Window.code(d)));
            o.put("from", w.start().toString());
            o.put("to", w.end().equals(java.time.LocalTime.MAX) ? "24:00" : w.end().toString());
        }
        return a;
    }

    /** The measure row's identity for rights: its status, organisation and works site; null if none. */
    record Owner(String status, String organisation, Long worksId, int version) {
    }

    Owner measureOwner(Connection c, long id, boolean lock) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT status, organisation, works_id, version FROM measure "
                + "WHERE id = ?" + (lock ? " FOR UPDATE" : ""))) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) return null;
                return new Owner(rs.getString(1), rs.getString(2), (Long) rs.getObject(3), rs.getInt(4));
            }
        }
    }

    void setMeasureStatus(Connection c, long id, String status) throws SQLException {
        // Expired or revoked, its validity ends too (V37's trigger), so that a past instant answers as it did.
        try (PreparedStatement st = c.prepareStatement("UPDATE measure SET status = ?, updated_at = now() WHERE id = ?")) {
            st.setString(1, status);
            st.setLong(2, id);
            st.executeUpdate();
        }
    }

    private static final String MEASURE_COLUMNS = "m.id, m.kind, m.status, m.ordinance_id, m.works_id, m.organisation, "
            + "m.valid_from, m.valid_to, m.windows::text, m.exemptions, m.value, m.vehicle_classes, "
            + "(SELECT json_agg(json_build_array(me.element_id, me.from_m, me.to_m, me.direction) ORDER BY me.ordinal) "
            + "FROM measure_element me WHERE me.measure_id = m.id)::text";

    /** Measures matching a condition on {@code m} (trusted SQL, bound values follow). */
    List<Measure> measures(Connection c, String where, Object... values) throws SQLException {
        List<Measure> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT " + MEASURE_COLUMNS + " FROM measure m WHERE " + where
                + " ORDER BY m.id")) {
            for (int i = 0; i < values.length; i++) st.setObject(i + 1, values[i]);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.add(measure(rs));
            }
        }
        return out;
    }

    private static Measure measure(ResultSet rs) throws SQLException {
        List<Stretch> stretches = new ArrayList<>();
        JsonNode windows = json(rs.getString(9));
        JsonNode elements = json(rs.getString(13));
        if (elements != null) {
            for (JsonNode e : elements) {
                stretches.add(new Stretch(e.get(0).asLong(), e.get(1).asDouble(), e.get(2).asDouble(), e.get(3).asText()));
            }
        }
        Timestamp to = rs.getTimestamp(8);
        return new Measure(rs.getLong(1), rs.getString(2), rs.getString(3), (Long) rs.getObject(4),
                (Long) rs.getObject(5), rs.getString(6),
                new Schedule(rs.getTimestamp(7).toInstant(), to == null ? null : to.toInstant(), Measure.windows(windows)),
                strings(rs.getArray(10)), (Double) rs.getObject(11), strings(rs.getArray(12)), stretches);
    }

    private static Set<String> strings(Array a) throws SQLException {
        return a == null ? Set.of() : new HashSet<>(Arrays.asList((String[]) a.getArray()));
    }

    static JsonNode json(String text) {
        if (text == null) return null;
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("the database sent invalid JSON", e);
        }
    }

    /**
     * Measures as GeoJSON Features (CRS84), keyed by id: every stored property, the resolved elements with their
     * road's name, the drawn stretches, and their ordinance or works site in brief with the version a change of it
     * names in If-Match.
     */
    Map<Long, ObjectNode> measureFeatures(Connection c, Set<Long> ids) throws SQLException {
        return features(c, ids, "SELECT json_build_object('type', 'Feature', 'id', m.id, "
                + "'geometry', ST_AsGeoJSON(ST_Transform(m.geom, 4326), 7)::json, 'properties', json_build_object("
                + "'id', m.id, 'kind', m.kind, 'status', m.status, 'ordinance_id', m.ordinance_id, 'works_id', m.works_id, "
                + "'organisation', m.organisation, 'valid_from', m.valid_from, 'valid_to', m.valid_to, 'windows', m.windows, "
                + "'exemptions', m.exemptions, 'value', m.value, 'vehicle_classes', m.vehicle_classes, "
                + "'description', m.description, 'location', m.location, 'version', m.version, "
                + "'created_at', m.created_at, 'updated_at', m.updated_at, "
                + "'ordinance', (SELECT json_build_object('id', o.id, 'number', o.number, 'year', o.year, 'office', o.office, "
                + "'reason', o.reason, 'status', o.status, 'version', o.version) FROM ordinance o WHERE o.id = m.ordinance_id), "
                + "'works', (SELECT json_build_object('id', w.id, 'organisation', w.organisation, 'permit', w.permit, "
                + "'status', w.status, 'version', w.version) FROM works w WHERE w.id = m.works_id), "
                + "'elements', (SELECT json_agg(json_build_object('id', me.element_id, 'from_m', me.from_m, 'to_m', me.to_m, "
                + "'direction', me.direction, 'road', r.name) ORDER BY me.ordinal) FROM measure_element me "
                + "LEFT JOIN road_element e ON e.id = me.element_id LEFT JOIN road r ON r.id = e.road_id "
                + "WHERE me.measure_id = m.id)))::text FROM measure m WHERE m.id = ANY (?) ORDER BY m.id");
    }

    /**
     * The condition that validities {@code a} and {@code b} meet at an instant from the one bound in its place on: a
     * record's conflicts are the clashes still to come (Viability.stillToCome), a measure's and a works site's alike.
     */
    private static String meetFrom(String a, String b) {
        return a + " && " + b + " AND (" + a + " * " + b + ") && tstzrange(?, NULL)";
    }

    /**
     * Measures that could conflict with {@code m} from {@code from} on: planned or binding, from another ordinance or
     * works site, sharing an element with an overlapping range of measures, their validities overlapping at an
     * instant not yet past. One with a measure since expired or revoked, whose validity ends when it stopped binding
     * (V37), is over. The windows are judged next, from {@code from} on.
     */
    List<Measure> measuresSharingStretches(Connection c, long measureId, Instant from) throws SQLException {
        return measures(c, "m.status IN " + PLANNED_OR_BINDING + " AND m.id <> ? AND EXISTS (SELECT 1 FROM measure x "
                        + "JOIN measure_element xe ON xe.measure_id = x.id JOIN measure_element me ON me.measure_id = m.id "
                        + "AND me.element_id = xe.element_id AND me.from_m <= xe.to_m AND xe.from_m <= me.to_m "
                        + "WHERE x.id = ? AND " + meetFrom("x.validity", "m.validity") + " "
                        + "AND (x.works_id IS NULL OR m.works_id IS DISTINCT FROM x.works_id) "
                        + "AND (x.ordinance_id IS NULL OR m.ordinance_id IS DISTINCT FROM x.ordinance_id))",
                measureId, measureId, Timestamp.from(from));
    }

    /**
     * The planned and in-force measures not over by {@code now} on the street of a live element: on any element of
     * a road sharing its road's folded name (one street is often several road rows), or on the element itself.
     */
    Set<Long> measuresOnStreetOf(Connection c, long elementId, Instant now) throws SQLException {
        Set<Long> out = new java.util.LinkedHashSet<>();
        try (PreparedStatement st = c.prepareStatement("WITH street AS (SELECT e.id FROM " + LiveNetwork.ELEMENTS + " e "
                + "WHERE e.id = ? UNION SELECT o.id FROM " + LiveNetwork.ELEMENTS + " s JOIN road r ON r.id = s.road_id "
                + "JOIN road q ON q.name_search = r.name_search JOIN " + LiveNetwork.ELEMENTS + " o ON o.road_id = q.id "
                + "WHERE s.id = ?) SELECT DISTINCT m.id, m.valid_from FROM measure m JOIN measure_element me ON me.measure_id = m.id "
                + "JOIN street ON street.id = me.element_id WHERE m.status IN " + PLANNED
                + " AND (m.valid_to IS NULL OR m.valid_to > ?) ORDER BY m.valid_from, m.id")) {
            st.setLong(1, elementId);
            st.setLong(2, elementId);
            st.setTimestamp(3, Timestamp.from(now));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.add(rs.getLong(1));
            }
        }
        return out;
    }

    /** Pairs of measures whose stretches overlap and whose validities meet within [start, end), lower id first. */
    List<long[]> measurePairsWithin(Connection c, Instant start, Instant end) throws SQLException {
        List<long[]> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT DISTINCT a.id, b.id FROM measure a "
                + "JOIN measure_element ae ON ae.measure_id = a.id "
                + "JOIN measure_element be ON be.element_id = ae.element_id AND be.measure_id > a.id "
                + "AND ae.from_m <= be.to_m AND be.from_m <= ae.to_m "
                + "JOIN measure b ON b.id = be.measure_id AND b.validity && a.validity "
                + "WHERE a.status IN " + PLANNED_OR_BINDING + " AND b.status IN " + PLANNED_OR_BINDING
                + " AND a.validity && tstzrange(?, ?) AND b.validity && tstzrange(?, ?) "
                + "AND (a.works_id IS NULL OR b.works_id IS DISTINCT FROM a.works_id) "
                + "AND (a.ordinance_id IS NULL OR b.ordinance_id IS DISTINCT FROM a.ordinance_id) ORDER BY 1, 2")) {
            bindRange(st, 1, start, end);
            bindRange(st, 3, start, end);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.add(new long[]{rs.getLong(1), rs.getLong(2)});
            }
        }
        return out;
    }

    private static void bindRange(PreparedStatement st, int i, Instant start, Instant end) throws SQLException {
        st.setTimestamp(i, start == null ? null : Timestamp.from(start));
        st.setTimestamp(i + 1, end == null ? null : Timestamp.from(end));
    }

    // ---- works ----

    /** A works site's phases as schedules, in order. */
    record Phase(int ordinal, Schedule schedule, JsonNode lanes) {
    }

    long insertWorks(Connection c, String organisation, String permit, String description, String footprintGeoJson,
                     List<Phase> phases) throws SQLException {
        long id;
        try (PreparedStatement st = c.prepareStatement("INSERT INTO works (organisation, permit, description, footprint) "
                + "VALUES (?, ?, ?, ST_Multi(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(?), 4326), " + srid + "))) "
                + "RETURNING id")) {
            st.setString(1, organisation);
            st.setString(2, permit);
            st.setString(3, description);
            st.setString(4, footprintGeoJson);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO works_phase (works_id, ordinal, valid_from, valid_to, "
                + "windows, lanes) VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb)")) {
            for (Phase p : phases) {
                st.setLong(1, id);
                st.setInt(2, p.ordinal());
                st.setTimestamp(3, Timestamp.from(p.schedule().from()));
                st.setTimestamp(4, Timestamp.from(p.schedule().to()));
                st.setString(5, windowsJson(p.schedule()).toString());
                st.setString(6, p.lanes() == null ? "[]" : p.lanes().toString());
                st.addBatch();
            }
            st.executeBatch();
        }
        return id;
    }

    Owner worksOwner(Connection c, long id, boolean lock) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT status, organisation, id, version FROM works WHERE id = ?"
                + (lock ? " FOR UPDATE" : ""))) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? new Owner(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getInt(4)) : null;
            }
        }
    }

    void setWorksStatus(Connection c, long id, String status) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE works SET status = ?, updated_at = now() WHERE id = ?")) {
            st.setString(1, status);
            st.setLong(2, id);
            st.executeUpdate();
        }
    }

    /**
     * When phase {@code p} of works {@code w} (aliases) is at work (V43's works_phase_at_work): its dates, up to the
     * site's end once it has ended (completed, rejected or cancelled), so that a site completed today was at work
     * yesterday and is no more from today, and one ended before a phase began never held it (an empty range).
     */
    private static String atWork(String p, String w) {
        return "works_phase_at_work(" + p + ".validity, " + w + ".id, " + w + ".status)";
    }

    /**
     * Works whose footprint lies within {@code metres} of works {@code id}'s, with a phase at work meeting one of
     * {@code id}'s from {@code from} on; with their phases. The windows are judged next, from {@code from} on.
     */
    Map<Long, List<Phase>> worksNear(Connection c, long id, double metres, Instant from) throws SQLException {
        return phases(c, "SELECT o.id FROM works w JOIN works o ON o.id <> w.id AND ST_DWithin(o.footprint, w.footprint, ?) "
                + "WHERE w.id = ? AND EXISTS (SELECT 1 FROM works_phase wp JOIN works_phase op ON op.validity && wp.validity "
                + "AND " + meetFrom(atWork("op", "o"), atWork("wp", "w")) + " WHERE wp.works_id = w.id AND op.works_id = o.id)",
                metres, id, Timestamp.from(from));
    }

    Map<Long, List<Phase>> phasesOf(Connection c, Set<Long> works) throws SQLException {
        return phases(c, "SELECT unnest(?::bigint[])", (Object) works.toArray(new Long[0]));
    }

    /** The phases of the works ids a query returns, each while it is at work ({@link #atWork}); none that never was. */
    private Map<Long, List<Phase>> phases(Connection c, String worksIds, Object... values) throws SQLException {
        Map<Long, List<Phase>> out = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT p.works_id, p.ordinal, lower(a.at), upper(a.at), "
                + "p.windows::text, p.lanes::text FROM works_phase p JOIN works w ON w.id = p.works_id "
                + "CROSS JOIN LATERAL (SELECT " + atWork("p", "w") + " AS at) a "
                + "WHERE p.works_id IN (" + worksIds + ") AND NOT isempty(a.at) ORDER BY p.works_id, p.ordinal")) {
            for (int i = 0; i < values.length; i++) {
                if (values[i] instanceof Long[] a) st.setArray(i + 1, c.createArrayOf("bigint", a));
                else st.setObject(i + 1, values[i]);
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new Phase(rs.getInt(2),
                            new Schedule(rs.getTimestamp(3).toInstant(), rs.getTimestamp(4).toInstant(),
                                    Measure.windows(json(rs.getString(5)))), json(rs.getString(6))));
                }
            }
        }
        return out;
    }

    /** Pairs of works whose footprints lie within {@code metres} and whose phases meet within [start, end). */
    List<long[]> worksPairsWithin(Connection c, double metres, Instant start, Instant end) throws SQLException {
        List<long[]> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT DISTINCT a.id, b.id FROM works a JOIN works b "
                + "ON b.id > a.id AND ST_DWithin(a.footprint, b.footprint, ?) "
                // The phases' own dates first, which their index answers; a site's time at work lies within them.
                + "JOIN works_phase ap ON ap.works_id = a.id AND ap.validity && tstzrange(?, ?) "
                + "AND " + atWork("ap", "a") + " && tstzrange(?, ?) "
                + "JOIN works_phase bp ON bp.works_id = b.id AND bp.validity && ap.validity "
                + "AND " + atWork("bp", "b") + " && " + atWork("ap", "a") + " ORDER BY 1, 2")) {
            st.setDouble(1, metres);
            bindRange(st, 2, start, end);
            bindRange(st, 4, start, end);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.add(new long[]{rs.getLong(1), rs.getLong(2)});
            }
        }
        return out;
    }

    /** Works sites as GeoJSON Features (CRS84) with their phases. */
    Map<Long, ObjectNode> worksFeatures(Connection c, Set<Long> ids) throws SQLException {
        return features(c, ids, "SELECT json_build_object('type', 'Feature', 'id', w.id, "
                + "'geometry', ST_AsGeoJSON(ST_Transform(w.footprint, 4326), 7)::json, 'properties', json_build_object("
                + "'id', w.id, 'organisation', w.organisation, 'permit', w.permit, 'description', w.description, "
                + "'status', w.status, 'version', w.version, 'created_at', w.created_at, 'updated_at', w.updated_at, "
                + "'phases', (SELECT json_agg(json_build_object('valid_from', p.valid_from, 'valid_to', p.valid_to, "
                + "'windows', p.windows, 'lanes', p.lanes) ORDER BY p.ordinal) FROM works_phase p WHERE p.works_id = w.id), "
                + "'measures', (SELECT json_agg(m.id ORDER BY m.id) FROM measure m WHERE m.works_id = w.id)))::text "
                + "FROM works w WHERE w.id = ANY (?) ORDER BY w.id");
    }

    /** GeoJSON Features by id from a statement that writes each as JSON text, given the ids as its one parameter. */
    private static Map<Long, ObjectNode> features(Connection c, Set<Long> ids, String sql) throws SQLException {
        Map<Long, ObjectNode> out = new LinkedHashMap<>();
        if (ids.isEmpty()) return out;
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    ObjectNode f = (ObjectNode) json(rs.getString(1));
                    out.put(f.get("id").asLong(), f);
                }
            }
        }
        return out;
    }

    // ---- ordinances ----

    long insertOrdinance(Connection c, int number, int year, String office, String reason, String documentUrl)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO ordinance (number, year, office, reason, document_url) "
                + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (office, year, number) DO NOTHING RETURNING id")) {
            st.setInt(1, number);
            st.setInt(2, year);
            st.setString(3, office);
            st.setString(4, reason);
            st.setString(5, documentUrl);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    /** An ordinance's status and version, its office as the organisation; null when there is none. */
    Owner ordinanceOwner(Connection c, long id, boolean lock) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT status, office, version FROM ordinance WHERE id = ?"
                + (lock ? " FOR UPDATE" : ""))) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? new Owner(rs.getString(1), rs.getString(2), null, rs.getInt(3)) : null;
            }
        }
    }

    void setOrdinanceStatus(Connection c, long id, String status) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE ordinance SET status = ?, updated_at = now() WHERE id = ?")) {
            st.setString(1, status);
            st.setLong(2, id);
            st.executeUpdate();
        }
    }

    /**
     * Carries an ordinance's or works site's status to its measures: each measure whose {@code owner} column
     * ({@code ordinance_id} or {@code works_id}, a fixed word) is {@code id} and whose status is a key of
     * {@code carried} takes that key's value (V37's trigger ends the validity of those that stop binding). The ids of
     * the measures changed, by the status they took.
     */
    Map<String, List<Long>> carryToMeasures(Connection c, String owner, long id, Map<String, String> carried)
            throws SQLException {
        if (!Set.of("ordinance_id", "works_id").contains(owner)) throw new IllegalArgumentException(owner);
        Map<String, List<Long>> measures = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("UPDATE measure m SET status = s.next, updated_at = now() "
                + "FROM unnest(?::text[], ?::text[]) AS s(current, next) WHERE m." + owner + " = ? AND m.status = s.current "
                + "RETURNING m.id, m.status")) {
            st.setArray(1, c.createArrayOf("text", carried.keySet().toArray()));
            st.setArray(2, c.createArrayOf("text", carried.values().toArray()));
            st.setLong(3, id);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) measures.computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(rs.getLong(1));
            }
        }
        return measures;
    }

    // ---- revisions ----

    /**
     * The revisions (V11, V17, V21) of the network, the measures, and the ordinances and works, in that order: what
     * an in-memory graph compares with its own. Each is its base plus its transactions' rows not folded yet.
     */
    long[] revisions(Connection c) throws SQLException {
        long[] revisions = new long[REVISION_SUBJECTS.size()];
        try (PreparedStatement st = c.prepareStatement("SELECT r.subject, r.revision + (SELECT count(*) FROM "
                + "viability_change v WHERE v.subject = r.subject) FROM viability_revision r");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) revisions[REVISION_SUBJECTS.indexOf(rs.getString(1))] = rs.getLong(2);
        }
        return revisions;
    }

    private static final List<String> REVISION_SUBJECTS = List.of("network", "measures", "sources");
}
