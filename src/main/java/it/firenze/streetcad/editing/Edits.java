package it.firenze.streetcad.editing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Audit;
import it.firenze.streetcad.api.Instants;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.AreaOfUse;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.features.ItemResponses.Expected;
import it.firenze.streetcad.topology.EditReach;
import it.firenze.streetcad.topology.ElementMerge;
import it.firenze.streetcad.topology.Junctions;
import it.firenze.streetcad.topology.TopologyValidation;
import org.locationtech.jts.geom.Envelope;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Edits of the cadastre, one item at a time, each in one transaction that names its author ({@link Audit#bind})
 * and leaves an audit row ({@link Audit#record}). Optimistic locking: an edit names the version it was made
 * against and is refused when the item has moved on. Deleting retires (valid_to is set; the row stays).
 * Road elements and junctions keep the network consistent as they change: an element's ends snap onto a junction
 * standing within {@link #JUNCTION_TOLERANCE} or get a junction of their own, a moved junction drags the ends of
 * its elements, and the junctions touched get their degree and kind anew (junctions left alone are retired).
 * The editing capability's writes are all here; reading an item's versions is {@link ItemHistory}'s.
 */
public final class Edits {

    /** An element end this close (metres) to a junction is joined to it, and moved exactly onto it. */
    static final double JUNCTION_TOLERANCE = 0.5;

    private final Database database;
    private final TopologyValidation topology;

    public Edits(Database database) {
        this.database = database;
        this.topology = new TopologyValidation(database);
    }

    /**
     * A feature as a client sent it: properties (null when none were sent) and geometry as GeoJSON (null when
     * absent) in the CRS {@code srid}, its axes north first when {@code northFirst}.
     */
    public record Input(ObjectNode properties, JsonNode geometry, int srid, boolean northFirst) {
    }

    /**
     * What an edit did: the item, its version now, where the topology's findings can have changed, and what
     * re-validating there, in the edit's own transaction, found.
     */
    public record Outcome(long id, long version, EditReach reach, TopologyValidation.Around validated) {
    }

    /** The outcome of an edit whose reach is re-validated now, in its transaction. */
    private Outcome outcome(Connection c, long id, long version, EditReach reach) throws SQLException {
        return new Outcome(id, version, reach, topology.revalidateEdit(c, reach));
    }

    private enum Mode { CREATE, REPLACE, PATCH }

    public Outcome create(EditableType t, Input in, Actor actor) throws SQLException {
        return inTransaction(t, actor, c -> {
            Map<String, Value> values = values(t, in.properties(), Mode.CREATE);
            Value geometry = geometry(c, t, in, Mode.CREATE);
            List<String> columns = new ArrayList<>(values.keySet());
            if (geometry != null) columns.add("geom");
            Map<String, Value> all = new LinkedHashMap<>(values);
            if (geometry != null) all.put("geom", geometry);
            if (t.table().equals("road_element")) addEnds(c, all, geometry);
            StringBuilder sql = new StringBuilder("INSERT INTO " + t.table() + " (" + String.join(", ", all.keySet())
                    + ") VALUES (");
            all.values().forEach(v -> sql.append(sql.charAt(sql.length() - 1) == '(' ? "" : ", ").append(v.sql()));
            sql.append(") RETURNING id, version").append(box(t, ""));
            long id;
            long version;
            Envelope changed;
            try (PreparedStatement st = c.prepareStatement(sql.toString())) {
                bind(st, 1, all.values());
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                    version = rs.getLong(2);
                    changed = envelope(rs, 3);
                }
            }
            settleEnds(c, t, id, List.of());
            Audit.record(c, actor, "feature.create", t.table(), List.of(id), Map.of("collection", t.collection()));
            return outcome(c, id, version, EditReach.around(changed));
        });
    }

    public Outcome replace(EditableType t, long id, Expected expected, Input in, Actor actor) throws SQLException {
        return update(t, id, expected, in, Mode.REPLACE, actor, "feature.replace");
    }

    public Outcome patch(EditableType t, long id, Expected expected, Input in, Actor actor) throws SQLException {
        return update(t, id, expected, in, Mode.PATCH, actor, "feature.update");
    }

    /** Makes a new version equal to version {@code version} in what people set: properties, validity, geometry. */
    public Outcome revert(EditableType t, long id, Expected expected, long version, Actor actor) throws SQLException {
        ObjectNode properties;
        byte[] geometry;
        String geometrySql = t.hasGeometry() ? "ST_AsEWKB(geom)" : "NULL";
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(
                "SELECT to_jsonb(v) - 'geom', " + geometrySql + " FROM " + t.table() + " v WHERE id = ? AND version = ? "
                        + "UNION ALL SELECT to_jsonb(h) - 'geom', " + geometrySql + " FROM " + t.table() + "_history h "
                        + "WHERE id = ? AND version = ? LIMIT 1")) {
            st.setLong(1, id);
            st.setLong(2, version);
            st.setLong(3, id);
            st.setLong(4, version);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw EditRefused.invalid("version", t.collection() + " " + id + " has no version " + version + ".");
                }
                properties = (ObjectNode) Json.mapper().readTree(rs.getString(1));
                geometry = rs.getBytes(2);
            } catch (IOException e) {
                throw new SQLException("unreadable version " + version + " of " + t.collection() + " " + id, e);
            }
        }
        properties.retain(t.fields().keySet());
        return update(t, id, expected, new Input(properties, null, 0, false), Mode.REPLACE, actor, "feature.revert",
                geometry == null ? null : new Value("ST_GeomFromEWKB(?)", geometry), true);
    }

    /**
     * Retires the item: its validity ends now (a planned item never begins) and the row stays, with its history.
     * An element's events that have not ended are retired with it; a junction or road still in use by a live
     * element is not retired.
     */
    public Outcome retire(EditableType t, long id, Expected expected, Actor actor) throws SQLException {
        return inTransaction(t, actor, c -> {
            Envelope before = lock(c, t, id, expected);
            String inUse = switch (t.table()) {
                case "junction" -> "SELECT count(*) FROM live_road_element WHERE from_junction = ? OR to_junction = ?";
                case "road" -> "SELECT count(*) FROM live_road_element WHERE road_id = ? OR road_id = ?";
                default -> null;
            };
            if (inUse != null) {
                try (PreparedStatement st = c.prepareStatement(inUse)) {
                    st.setLong(1, id);
                    st.setLong(2, id);
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            throw EditRefused.conflict(t.collection() + " " + id + " still has " + rs.getLong(1)
                                    + " live road element(s); move or retire them first.");
                        }
                    }
                }
            }
            List<Long> ends = ends(c, t, id);
            long version;
            try (PreparedStatement st = c.prepareStatement("UPDATE " + t.table() + " SET valid_to = "
                    + "retirement(valid_from, valid_to) WHERE id = ? RETURNING version")) {
                st.setLong(1, id);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    version = rs.getLong(1);
                }
            }
            if (t.table().equals("road_element")) {
                try (PreparedStatement st = c.prepareStatement("UPDATE element_event SET valid_to = retirement(valid_from, "
                        + "valid_to) WHERE element_id = ? AND NOT retired(valid_from, valid_to)")) {
                    st.setLong(1, id);
                    st.executeUpdate();
                }
                Junctions.settle(c, ends);
            }
            Audit.record(c, actor, "feature.retire", t.table(), List.of(id), Map.of("collection", t.collection()));
            return outcome(c, id, version, EditReach.around(before));
        });
    }

    /**
     * A split: the element kept its id for the first piece; the second piece and the junction between are new; what
     * re-validating around them found.
     */
    public record Split(long first, long second, long junction, TopologyValidation.Around validated) {
    }

    /**
     * Cuts a road element in two at {@code measure} metres from its start, or where {@code point} (lon/lat CRS84)
     * falls on it: the element keeps its id and the stretch before the cut, a new element (lineage: split_from)
     * takes the stretch after it with a copy of the attributes and validity, and a junction joins them. Events
     * follow the stretch they lie on with measures from its start; an event across the cut is cut too.
     */
    public Split split(long id, Expected expected, Double measure, double[] point, Actor actor) throws SQLException {
        EditableType t = EditableType.byCollection("road-elements").orElseThrow();
        return inTransaction(t, actor, c -> {
            Envelope changed = lock(c, t, id, expected);
            double length;
            double m;
            try (PreparedStatement st = c.prepareStatement("SELECT length_m, " + (point == null ? "?::float8"
                    : "ST_LineLocatePoint(geom, ST_Transform(ST_SetSRID(ST_MakePoint(?, ?), 4326), "
                    + database.storageSrid() + ")) * length_m") + " FROM road_element WHERE id = ?")) {
                int i = 1;
                if (point == null) st.setDouble(i++, measure);
                else {
                    st.setDouble(i++, point[0]);
                    st.setDouble(i++, point[1]);
                }
                st.setLong(i, id);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    length = rs.getDouble(1);
                    m = rs.getDouble(2);
                }
            }
            if (m < MIN_PIECE || m > length - MIN_PIECE) {
                throw EditRefused.invalid(point == null ? "measure" : "point", String.format(java.util.Locale.ROOT,
                        "The cut must fall inside the element, at least %.2f m from each end: %.3f m on an element of "
                                + "%.3f m.", MIN_PIECE, m, length));
            }
            long junction;
            try (PreparedStatement st = c.prepareStatement("INSERT INTO junction (geom, kind, degree) SELECT "
                    + "ST_LineInterpolatePoint(geom, ? / length_m), 'pseudo', 2 FROM road_element WHERE id = ? RETURNING id")) {
                st.setDouble(1, m);
                st.setLong(2, id);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    junction = rs.getLong(1);
                }
            }
            long second;
            try (PreparedStatement st = c.prepareStatement("INSERT INTO road_element (road_id, geom, from_junction, "
                    + "to_junction, split_from, valid_from, valid_to, " + COPIED + ") SELECT road_id, "
                    + "ST_LineSubstring(geom, ? / length_m, 1), ?, to_junction, id, valid_from, valid_to, " + COPIED
                    + " FROM road_element WHERE id = ? RETURNING id")) {
                st.setDouble(1, m);
                st.setLong(2, junction);
                st.setLong(3, id);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    second = rs.getLong(1);
                }
            }
            for (String sql : List.of(
                    // An event across the cut: its stretch beyond the cut becomes an event of the second piece...
                    "INSERT INTO element_event (element_id, from_m, to_m, direction, kind, attributes, valid_from, valid_to) "
                            + "SELECT ?, 0, to_m - ?, direction, kind, attributes, valid_from, valid_to FROM element_event "
                            + "WHERE element_id = ? AND from_m < ? AND to_m > ?",
                    // ...and it ends at the cut; the events beyond the cut move whole.
                    "UPDATE element_event SET to_m = ? WHERE element_id = ? AND from_m < ? AND to_m > ?",
                    "UPDATE element_event SET element_id = ?, from_m = from_m - ?, to_m = to_m - ? WHERE element_id = ? "
                            + "AND from_m >= ?")) {
                try (PreparedStatement st = c.prepareStatement(sql)) {
                    if (sql.startsWith("INSERT")) {
                        st.setLong(1, second);
                        st.setDouble(2, m);
                        st.setLong(3, id);
                        st.setDouble(4, m);
                        st.setDouble(5, m);
                    } else if (sql.contains("SET to_m")) {
                        st.setDouble(1, m);
                        st.setLong(2, id);
                        st.setDouble(3, m);
                        st.setDouble(4, m);
                    } else {
                        st.setLong(1, second);
                        st.setDouble(2, m);
                        st.setDouble(3, m);
                        st.setLong(4, id);
                        st.setDouble(5, m);
                    }
                    st.executeUpdate();
                }
            }
            List<Long> ends = ends(c, t, id);
            try (PreparedStatement st = c.prepareStatement("UPDATE road_element SET geom = ST_LineSubstring(geom, 0, "
                    + "? / length_m), to_junction = ? WHERE id = ?")) {
                st.setDouble(1, m);
                st.setLong(2, junction);
                st.setLong(3, id);
                st.executeUpdate();
            }
            List<Long> touched = new ArrayList<>(ends);
            touched.add(junction);
            Junctions.settle(c, touched);
            Audit.record(c, actor, "feature.split", t.table(), List.of(id, second), Map.of("collection", t.collection(),
                    "measure", m, "junction", junction));
            return new Split(id, second, junction, topology.revalidateEdit(c, EditReach.around(changed)));
        });
    }

    /**
     * A merge: the element kept, the one retired into it and the junction retired between; what
     * re-validating around them found.
     */
    public record Merge(long element, long retired, long junction, TopologyValidation.Around validated) {
    }

    /**
     * Joins road element {@code with} to {@code id} at the junction of degree 2 where they meet ({@link ElementMerge}):
     * {@code id} keeps its identity, attributes and digitised direction and takes the joined line; the events of
     * {@code with} move onto it with measures from its start; {@code with} is retired naming {@code id} in
     * merged_into, and so is the junction. Both elements must be at the versions the client read.
     */
    public Merge merge(long id, Expected expected, long with, Expected withExpected, Actor actor) throws SQLException {
        EditableType t = EditableType.byCollection("road-elements").orElseThrow();
        if (with == id) throw EditRefused.invalid("with", "An element cannot be merged with itself.");
        return inTransaction(t, actor, c -> {
            // Locked in id order, so that two merges of the same pair cannot wait on each other.
            Envelope changed = null;
            for (long each : new long[]{Math.min(id, with), Math.max(id, with)}) {
                Envelope extent = each == id ? lock(c, t, id, expected) : lockOther(c, t, with, withExpected);
                if (changed == null) changed = extent;
                else changed.expandToInclude(extent);
            }
            ElementMerge.Merged merged;
            try {
                merged = new ElementMerge(database).merge(c, id, with);
            } catch (ElementMerge.Refused e) {
                throw e.property().equals("id") ? EditRefused.conflict(e.getMessage())
                        : EditRefused.invalid(e.property(), e.getMessage());
            }
            long version;
            try (PreparedStatement st = c.prepareStatement("SELECT version FROM road_element WHERE id = ?")) {
                st.setLong(1, id);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    version = rs.getLong(1);
                }
            }
            Audit.record(c, actor, "feature.merge", t.table(), List.of(id, with), Map.of("collection", t.collection(),
                    "junction", merged.junction(), "version", version));
            return new Merge(id, with, merged.junction(), topology.revalidateEdit(c, EditReach.around(changed)));
        });
    }

    /** {@link #lock} of the element a merge joins to the one it names: its refusals concern the body's {@code with}. */
    private Envelope lockOther(Connection c, EditableType t, long with, Expected expected) throws SQLException {
        try {
            return lock(c, t, with, expected);
        } catch (EditRefused e) {
            if (e.reason() == EditRefused.Reason.NOT_FOUND || e.reason() == EditRefused.Reason.RETIRED) {
                throw EditRefused.invalid("with", e.getMessage());
            }
            if (e.reason() == EditRefused.Reason.STALE) throw EditRefused.staleOther("with_etag", e.getMessage());
            throw e;
        }
    }

    /** The shortest piece a split may leave (metres): shorter is a degenerate element. */
    static final double MIN_PIECE = 0.01;

    /** The attributes a split copies onto its second piece. */
    private static final String COPIED = "functional_class, element_type, level, layer, carriageways, lanes, width_m, "
            + "surface, direction, status, speed_limit, source_key, source_attributes";

    // ---- the update path shared by PUT, PATCH and revert

    private Outcome update(EditableType t, long id, Expected expected, Input in, Mode mode, Actor actor, String action)
            throws SQLException {
        return update(t, id, expected, in, mode, actor, action, null, false);
    }

    /** {@code ofRetired}: a revert, the one edit a retired item takes (it may bring the item back). */
    private Outcome update(EditableType t, long id, Expected expected, Input in, Mode mode, Actor actor, String action,
                           Value givenGeometry, boolean ofRetired) throws SQLException {
        return inTransaction(t, actor, c -> {
            Envelope changed = lock(c, t, id, expected, ofRetired);
            Map<String, Value> set = new LinkedHashMap<>(values(t, in.properties(), mode));
            Value geometry = givenGeometry != null ? snapped(c, t, givenGeometry) : geometry(c, t, in, mode);
            List<Long> formerEnds = List.of();
            if (geometry != null) {
                set.put("geom", geometry);
                formerEnds = ends(c, t, id);
                if (t.table().equals("road_element")) addEnds(c, set, geometry);
            }
            if (set.isEmpty()) throw EditRefused.invalid("properties", "The edit changes nothing: give a property or "
                    + "the geometry.");
            StringBuilder sql = new StringBuilder("UPDATE " + t.table() + " SET ");
            set.forEach((column, v) -> sql.append(sql.toString().endsWith("SET ") ? "" : ", ")
                    .append(column).append(" = ").append(v.sql()));
            sql.append(" WHERE id = ? RETURNING version").append(box(t, ""));
            long version;
            try (PreparedStatement st = c.prepareStatement(sql.toString())) {
                int next = bind(st, 1, set.values());
                st.setLong(next, id);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    version = rs.getLong(1);
                    Envelope after = envelope(rs, 2);
                    if (changed != null && after != null) changed.expandToInclude(after);
                }
            }
            if (geometry != null) {
                Envelope dragged = dragEnds(c, t, id, geometry);
                if (dragged != null && changed != null) changed.expandToInclude(dragged);
                settleEnds(c, t, id, formerEnds);
            }
            Audit.record(c, actor, action, t.table(), List.of(id), Map.of("collection", t.collection(),
                    "version", version));
            // The rules read level, layer, direction and the attributes that decide whether two elements could be
            // one: an edit of them is re-validated too, as far as it reaches.
            return outcome(c, id, version, geometry == null && t.table().equals("road_element")
                    ? EditReach.ofAttributes(id, set.keySet(), changed) : EditReach.around(changed));
        });
    }

    /**
     * Locks the row and checks that it is in the current view and at the version expected; returns the extent of its
     * geometry (null for derived geometries).
     */
    private Envelope lock(Connection c, EditableType t, long id, Expected expected) throws SQLException {
        return lock(c, t, id, expected, false);
    }

    /**
     * {@link #lock}, of a retired row too when {@code retiredToo}: a revert is how a retired item comes back, every
     * other edit of one is an edit of an item the current view no longer has (V40).
     */
    private Envelope lock(Connection c, EditableType t, long id, Expected expected, boolean retiredToo)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT version, retired(valid_from, valid_to)" + box(t, "")
                + " FROM " + t.table() + " WHERE id = ? FOR UPDATE")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) throw EditRefused.notFound(t, id);
                if (rs.getBoolean(2) && !retiredToo) throw EditRefused.retired(t, id);
                long current = rs.getLong(1);
                if (!expected.admits(current)) throw EditRefused.stale(t, id, current, expected);
                return envelope(rs, 3);
            }
        }
    }

    // ---- values

    /** A value for a column: its SQL (with at most one placeholder) and the bound value. */
    private record Value(String sql, Object param) {
        static final Value DEFAULT = new Value("DEFAULT", null);

        boolean binds() {
            return sql.contains("?");
        }
    }

    private static Map<String, Value> values(EditableType t, ObjectNode properties, Mode mode) {
        Map<String, Value> values = new LinkedHashMap<>();
        Set<String> given = new LinkedHashSet<>();
        if (properties != null) {
            properties.fieldNames().forEachRemaining(given::add);
            for (String name : given) {
                if (t.fields().containsKey(name)) continue;
                if (t.computed().contains(name)) {
                    // A representation read back carries what the server computes; a patch asks to change it.
                    if (mode == Mode.PATCH) {
                        throw EditRefused.invalid(name, name + " is computed by the server and cannot be edited.");
                    }
                    continue;
                }
                throw EditRefused.invalid(name, name + " is not a property of " + t.collection() + "; its properties are "
                        + String.join(", ", t.fields().keySet()) + ".");
            }
        }
        for (EditableType.Field f : t.fields().values()) {
            JsonNode v = properties == null ? null : properties.get(f.name());
            if (v == null) {
                // A replacement resets what it leaves out, except when the fact began: valid time is set by people
                // and never rewritten by an edit that does not name it.
                if (mode == Mode.REPLACE && !f.name().equals("valid_from")) values.put(f.name(), Value.DEFAULT);
                continue;
            }
            values.put(f.name(), v.isNull() ? Value.DEFAULT : value(f, v));
        }
        return values;
    }

    private static Value value(EditableType.Field f, JsonNode v) {
        String name = f.name();
        return switch (f.kind()) {
            case INTEGER -> {
                if (!v.isIntegralNumber() || !v.canConvertToLong()) throw EditRefused.invalid(name, name + " must be a whole number.");
                if (Math.abs((double) v.longValue()) > f.largest()) throw notAllowed(name);
                yield new Value("?", v.longValue());
            }
            case NUMBER -> {
                if (!v.isNumber()) throw EditRefused.invalid(name, name + " must be a number.");
                // JSON has no infinity, but a literal beyond a double (1e400) is read as one.
                if (!Double.isFinite(v.doubleValue())) throw EditRefused.invalid(name, name + " must be a finite number.");
                if (Math.abs(v.doubleValue()) > f.largest()) throw notAllowed(name);
                yield new Value("?", v.decimalValue());
            }
            case TEXT -> {
                if (!v.isTextual()) throw EditRefused.invalid(name, name + " must be a string.");
                yield new Value("?", v.asText());
            }
            case OBJECT -> {
                if (!v.isObject()) throw EditRefused.invalid(name, name + " must be a JSON object.");
                yield new Value("?::jsonb", v.toString());
            }
            case FUNCTIONAL_CLASS -> {
                if (!v.isTextual() || !EditableType.FUNCTIONAL_CLASSES.contains(v.asText())) {
                    throw EditRefused.invalid(name, name + " must be one of " + String.join(", ",
                            EditableType.FUNCTIONAL_CLASSES) + ".");
                }
                yield new Value("?::functional_class", v.asText());
            }
            case TIMESTAMP -> new Value("?", instant(name, v));
        };
    }

    /** The refusal of a value the cadastre does not allow, worded as the database's checks are ({@link #refusal}). */
    private static EditRefused notAllowed(String field) {
        return EditRefused.invalid(field, "The value of " + field + " is not one the cadastre allows.");
    }

    private static OffsetDateTime instant(String name, JsonNode v) {
        String text = v.isTextual() ? v.asText() : "";
        try {
            return Instants.dateOrDateTime(text);
        } catch (DateTimeParseException e) {
            throw EditRefused.invalid(name, name + " must be an RFC 3339 date or date-time such as 2030-03-01T00:00:00Z.");
        }
    }

    /**
     * The geometry an edit writes, already in the storage CRS and (for an element) snapped onto the junctions near
     * its ends; null when the edit leaves it alone. A collection whose geometry is derived ignores one sent with a
     * whole feature (a representation read back carries it) and refuses one in a patch.
     */
    private Value geometry(Connection c, EditableType t, Input in, Mode mode) throws SQLException {
        JsonNode g = in.geometry();
        if (!t.hasGeometry()) {
            if (mode == Mode.PATCH && g != null && !g.isNull()) {
                throw EditRefused.invalid("geometry", "The geometry of " + t.collection() + " is derived ("
                        + (t.table().equals("road") ? "from its elements" : "from its element and measures")
                        + ") and cannot be edited.");
            }
            return null;
        }
        if (g == null) {
            if (mode == Mode.PATCH) return null;
            throw EditRefused.invalid("geometry", "A feature of " + t.collection() + " needs a " + t.geometryType()
                    + " geometry.");
        }
        if (!g.isObject() || !t.geometryType().equals(g.path("type").asText())) {
            throw EditRefused.invalid("geometry", "The geometry must be a GeoJSON " + t.geometryType() + ".");
        }
        String parsed = "ST_SetSRID(ST_GeomFromGeoJSON(?), " + in.srid() + ")";
        if (in.northFirst()) parsed = "ST_FlipCoordinates(" + parsed + ")";
        // Judged before it is transformed: an invalid line (two equal points, a coordinate past a double's range read
        // as infinite) or one outside the area the storage CRS is defined for (PROJ's error, or ground to lock and
        // re-validate from Florence to Chile) is the client's mistake, said as such, never stored.
        double[] area = AreaOfUse.of(database.storageSrid());
        String lonLat = in.srid() == 4326 ? "g" : "ST_Transform(g, 4326)";
        String sql = String.format(Locale.ROOT, "SELECT CASE WHEN NOT ST_IsValid(g) THEN ST_IsValidReason(g) "
                + "WHEN NOT ST_CoveredBy(%s, ST_MakeEnvelope(%s, %s, %s, %s, 4326)) THEN 'outside' END, "
                + "ST_AsEWKB(ST_Force2D(ST_Transform(g, %d))) FROM (SELECT %s AS g) parsed",
                lonLat, area[0], area[1], area[2], area[3], database.storageSrid(), parsed);
        String refused;
        byte[] storage;
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, g.toString());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                refused = rs.getString(1);
                storage = refused == null ? rs.getBytes(2) : null;
            }
        } catch (SQLException e) {
            Database.rollback(c);
            throw EditRefused.invalid("geometry", "The geometry is not a valid GeoJSON " + t.geometryType() + " in the "
                    + "CRS given (EPSG:" + in.srid() + ").");
        }
        if ("outside".equals(refused)) {
            throw EditRefused.invalid("geometry", String.format(Locale.ROOT, "The geometry lies outside the area the "
                    + "cadastre's CRS (EPSG:%d) is defined for, longitude %s to %s and latitude %s to %s; is it in the "
                    + "CRS given (EPSG:%d), with its axes in that CRS's order?", database.storageSrid(), area[0],
                    area[2], area[1], area[3], in.srid()));
        }
        if (refused != null) throw EditRefused.invalid("geometry", "The geometry is not valid: " + refused + ".");
        return snapped(c, t, new Value("ST_GeomFromEWKB(?)", storage));
    }

    /** An element's geometry with each end moved exactly onto the nearest junction within the tolerance. */
    private Value snapped(Connection c, EditableType t, Value storage) throws SQLException {
        if (!t.table().equals("road_element")) return storage;
        String near = "(SELECT j.geom FROM live_junction j WHERE ST_DWithin(j.geom, %s, " + JUNCTION_TOLERANCE
                + ") ORDER BY j.geom <-> %s, j.id LIMIT 1)";
        try (PreparedStatement st = c.prepareStatement("SELECT ST_AsEWKB(CASE WHEN b IS NULL THEN g1 ELSE "
                + "ST_SetPoint(g1, ST_NPoints(g1) - 1, b) END) FROM (SELECT CASE WHEN a IS NULL THEN g ELSE "
                + "ST_SetPoint(g, 0, a) END AS g1, b FROM (SELECT g, " + near.formatted("ST_StartPoint(g)", "ST_StartPoint(g)")
                + " AS a, " + near.formatted("ST_EndPoint(g)", "ST_EndPoint(g)") + " AS b FROM (SELECT "
                + storage.sql() + " AS g) s) n) m")) {
            st.setObject(1, storage.param());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new Value("ST_GeomFromEWKB(?)", rs.getBytes(1));
            }
        }
    }

    /** Gives an element's ends a junction where none stands, and names its junctions in the row's values. */
    private void addEnds(Connection c, Map<String, Value> values, Value geometry) throws SQLException {
        if (geometry == null) return;
        long[] junctions = new long[2];
        String[] ends = {"ST_StartPoint", "ST_EndPoint"};
        for (int i = 0; i < 2; i++) {
            String point = ends[i] + "(ST_GeomFromEWKB(?))";
            try (PreparedStatement st = c.prepareStatement("WITH found AS (SELECT j.id FROM live_junction j WHERE "
                    + "ST_DWithin(j.geom, " + point + ", 0.001) ORDER BY j.id LIMIT 1), made AS (INSERT INTO junction "
                    + "(geom, kind, degree) SELECT " + point + ", 'end', 0 WHERE NOT EXISTS (SELECT 1 FROM found) "
                    + "RETURNING id) SELECT id FROM found UNION ALL SELECT id FROM made")) {
                st.setObject(1, geometry.param());
                st.setObject(2, geometry.param());
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    junctions[i] = rs.getLong(1);
                }
            }
        }
        values.put("from_junction", new Value("?", junctions[0]));
        values.put("to_junction", new Value("?", junctions[1]));
    }

    /** The junctions an element ends at (an empty list for other collections). */
    private static List<Long> ends(Connection c, EditableType t, long id) throws SQLException {
        if (!t.table().equals("road_element")) return List.of();
        List<Long> ends = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT from_junction, to_junction FROM road_element WHERE id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    for (int i = 1; i <= 2; i++) if (rs.getObject(i) != null) ends.add(rs.getLong(i));
                }
            }
        }
        return ends;
    }

    /** After an element changed: its former and present junctions get their degree and kind (or are retired). */
    private static void settleEnds(Connection c, EditableType t, long id, List<Long> former) throws SQLException {
        if (!t.table().equals("road_element")) return;
        Set<Long> touched = new LinkedHashSet<>(former);
        touched.addAll(ends(c, t, id));
        Junctions.settle(c, touched);
    }

    /** A moved junction drags the ends of its live elements with it; returns where they lay and lie (or null). */
    private static Envelope dragEnds(Connection c, EditableType t, long junction, Value point) throws SQLException {
        if (!t.table().equals("junction")) return null;
        Envelope dragged = null;
        for (String sql : List.of(
                "WITH was AS (SELECT id, geom FROM live_road_element WHERE from_junction = ?) UPDATE road_element e "
                        + "SET geom = ST_SetPoint(e.geom, 0, ST_GeomFromEWKB(?)) FROM was WHERE e.id = was.id "
                        + "RETURNING ST_XMin(ST_Collect(was.geom, e.geom)), ST_YMin(ST_Collect(was.geom, e.geom)), "
                        + "ST_XMax(ST_Collect(was.geom, e.geom)), ST_YMax(ST_Collect(was.geom, e.geom))",
                "WITH was AS (SELECT id, geom FROM live_road_element WHERE to_junction = ?) UPDATE road_element e "
                        + "SET geom = ST_SetPoint(e.geom, ST_NPoints(e.geom) - 1, ST_GeomFromEWKB(?)) FROM was "
                        + "WHERE e.id = was.id RETURNING ST_XMin(ST_Collect(was.geom, e.geom)), "
                        + "ST_YMin(ST_Collect(was.geom, e.geom)), ST_XMax(ST_Collect(was.geom, e.geom)), "
                        + "ST_YMax(ST_Collect(was.geom, e.geom))")) {
            try (PreparedStatement st = c.prepareStatement(sql)) {
                st.setLong(1, junction);
                st.setObject(2, point.param());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        Envelope e = envelope(rs, 1);
                        if (dragged == null) dragged = e;
                        else dragged.expandToInclude(e);
                    }
                }
            }
        }
        return dragged;
    }

    private static String box(EditableType t, String alias) {
        if (!t.hasGeometry()) return "";
        String g = alias + "geom";
        return ", ST_XMin(" + g + "), ST_YMin(" + g + "), ST_XMax(" + g + "), ST_YMax(" + g + ")";
    }

    private static Envelope envelope(ResultSet rs, int first) throws SQLException {
        if (rs.getMetaData().getColumnCount() < first + 3 || rs.getObject(first) == null) return null;
        return new Envelope(rs.getDouble(first), rs.getDouble(first + 2), rs.getDouble(first + 1), rs.getDouble(first + 3));
    }

    private static int bind(PreparedStatement st, int index, Iterable<Value> values) throws SQLException {
        for (Value v : values) if (v.binds()) st.setObject(index++, v.param());
        return index;
    }

    // ---- transactions and the database's refusals

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(EditableType t, Actor actor, Work<T> work) throws SQLException {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                Audit.bind(c, actor);
                T result = work.run(c);
                c.commit();
                return result;
            } catch (PSQLException e) {
                Database.rollback(c);
                throw refusal(t, e);
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c);
                throw e;
            } finally {
                Database.restoreAutoCommit(c);
            }
        }
    }

    /**
     * A constraint the database enforces, as the property it concerns: a column's check or not-null, a reference
     * to a missing row, the cadastre's own triggers (which name their column). Anything else is not the client's.
     */
    private static SQLException refusal(EditableType t, PSQLException e) {
        ServerErrorMessage m = e.getServerErrorMessage();
        String state = e.getSQLState();
        if (m == null || state == null || !state.startsWith("23")) return e;
        String column = m.getColumn();
        String constraint = m.getConstraint();
        String field;
        if (column != null) {
            field = t.property(column);
        } else if (constraint != null && constraint.endsWith("_validity")) {
            field = "valid_to";
        } else if (constraint != null && constraint.equals("element_event_check")) {
            field = "to_m";
        } else if (constraint != null) {
            String table = m.getTable() == null ? t.table() : m.getTable();
            field = t.property(constraint.replaceFirst("^" + table + "_", "").replaceFirst("_(check|fkey)$", ""));
        } else {
            return e;
        }
        String detail = switch (state) {
            case "23502" -> field + " must be given.";
            case "23503" -> field + " names no existing item.";
            case "23514" -> m.getRoutine() != null && m.getRoutine().equals("exec_stmt_raise")
                    ? capitalised(m.getMessage()) + "."
                    : field.equals("valid_to") ? "valid_to must not be before valid_from."
                    : field.equals("to_m") ? "to_m must not be less than from_m."
                    : null;
            default -> null;
        };
        throw detail == null ? notAllowed(field) : EditRefused.invalid(field, detail);
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
