package it.firenze.streetcad.viability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Audit;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.access.Transactions;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.AreaOfUse;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.features.ItemResponses.Expected;

import java.net.URI;
import java.net.URISyntaxException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Viability operations (viabilità): ordinances, works sites and their measures on the network, with the rights
 * of who may do what, the conflict check on every creation and change, and the network at an instant.
 * An operator creates and approves anything; a utility (an editor with an organisation) proposes works for its
 * own organisation and their draft measures, and cannot approve them or touch another organisation's.
 */
public final class Viability {

    /** Footprints of two works sites closer than this (metres) are in conflict when their phases meet. */
    public static final double DEFAULT_CONFLICT_DISTANCE = 20;

    private static final Map<String, Set<String>> MEASURE_STEPS = Map.of(
            "draft", Set.of("in_force", "revoked"), "in_force", Set.of("expired", "revoked"));
    private static final Map<String, Set<String>> WORKS_STEPS = Map.of(
            "proposed", Set.of("approved", "rejected", "cancelled"), "approved", Set.of("completed", "cancelled"));
    private static final Map<String, Set<String>> ORDINANCE_STEPS = MEASURE_STEPS;
    /**
     * The measure status each works status carries to the site's measures (measuresCarried): approved, they come into
     * force; rejected or cancelled, withdrawn; completed, they have run their course and expire then, as an expired
     * ordinance's do (the street is no longer taken by the site).
     */
    private static final Map<String, String> WORKS_MEASURES = Map.of("approved", "in_force", "rejected", "revoked",
            "cancelled", "revoked", "completed", "expired");

    private final Database database;
    private final ViabilityStore store;
    private final double conflictDistance;

    /** STREETCAD_VIABILITY_CONFLICT_DISTANCE_M, metres; {@link #DEFAULT_CONFLICT_DISTANCE} when unset. */
    public static double conflictDistance(Map<String, String> environment) {
        String v = environment.get("STREETCAD_VIABILITY_CONFLICT_DISTANCE_M");
        if (v == null || v.isBlank()) return DEFAULT_CONFLICT_DISTANCE;
        try {
            double d = Double.parseDouble(v.strip());
            if (d >= 0 && d <= 1_000) return d;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("STREETCAD_VIABILITY_CONFLICT_DISTANCE_M is metres from 0 to 1000, not '" + v + "'.");
    }

    /** Every measure in force or expired: those bind at some instant. */
    private final KeptMeasures binding;

    public Viability(Database database, double conflictDistance) {
        this.database = database;
        this.store = new ViabilityStore(database.storageSrid());
        this.binding = new KeptMeasures(store, ViabilityStore.BINDING);
        this.conflictDistance = conflictDistance;
    }

    ViabilityStore store() {
        return store;
    }

    Database database() {
        return database;
    }

    // ---- rights ----

    private static boolean operator(Actor a) {
        return a.principal().has(Role.OPERATOR) || a.principal().has(Role.ADMIN);
    }

    private static ViabilityException forbidden(String field, String message) {
        return new ViabilityException(ViabilityException.Reason.FORBIDDEN, field, message);
    }

    /** A utility acting: an editor of an organisation. Anyone else who is not an operator may not write here. */
    private static String utility(Actor a, String what) {
        String org = a.principal().organisation();
        if (!a.principal().has(Role.EDITOR) || org == null || org.isBlank()) {
            throw forbidden(null, "Only operators, and utilities for their own works, may " + what + ".");
        }
        return org;
    }

    private static ViabilityException notFound(String what, long id) {
        return new ViabilityException(ViabilityException.Reason.NOT_FOUND, null, "There is no " + what + " " + id + ".");
    }

    // ---- measures ----

    /**
     * Creates a measure from a GeoJSON Feature (its properties; the geometry is derived from the location) and
     * answers it with its resolved elements, geometry and the conflicts it meets.
     */
    public ObjectNode createMeasure(Actor actor, JsonNode feature) throws SQLException {
        Measure.Input in = Measure.Input.of(feature == null ? null : feature.get("properties"));
        if (!operator(actor)) {
            utility(actor, "create measures");
            if (in.worksId() == null) {
                throw forbidden("works_id", "A utility enters measures only for its own works: give works_id.");
            }
            if (!in.status().equals("draft")) {
                throw forbidden("status", "A utility proposes measures as draft; an operator puts them in force.");
            }
        }
        return Transactions.inTransaction(database, actor, c -> {
            String organisation = actor.principal().organisation();
            if (in.worksId() != null) {
                // Locked, as an ordinance is below: the works site does not end between this check and the insert.
                ViabilityStore.Owner w = store.worksOwner(c, in.worksId(), true);
                if (w == null) throw ViabilityException.unresolved("works_id", "There is no works site " + in.worksId() + ".");
                if (!operator(actor) && !w.organisation().equals(organisation)) {
                    throw forbidden("works_id", "Works site " + in.worksId() + " belongs to another organisation.");
                }
                if (!WORKS_STEPS.containsKey(w.status())) {
                    throw ViabilityException.invalid("works_id", "Works site " + in.worksId() + " is " + w.status()
                            + ": no measure comes into force for it any more.");
                }
                // Proposed or approved, so its phases are at work as stated (an ended site's would be cut at its end).
                withinPhases(in.schedule(), in.worksId(), store.phasesOf(c, Set.of(in.worksId()))
                        .getOrDefault(in.worksId(), List.of()));
                organisation = w.organisation();
            }
            if (in.ordinanceId() != null) {
                // Locked, so that the ordinance does not end between this check and the insert, leaving the new
                // measure out of the carry of its end.
                ViabilityStore.Owner o = store.ordinanceOwner(c, in.ordinanceId(), true);
                if (o == null) throw ViabilityException.unresolved("ordinance_id", "There is no ordinance " + in.ordinanceId() + ".");
                if (!ORDINANCE_STEPS.containsKey(o.status())) {
                    throw ViabilityException.invalid("ordinance_id", "Ordinance " + in.ordinanceId() + " is " + o.status()
                            + ": no measure comes into force under it any more.");
                }
            }
            List<Stretch> stretches = LocationResolver.resolve(c, in.location());
            long id = store.insertMeasure(c, in, organisation, stretches);
            ObjectNode f = store.measureFeatures(c, Set.of(id)).get(id);
            ArrayNode conflicts = measureConflicts(c, id);
            ((ObjectNode) f.get("properties")).set("conflicts", conflicts);
            Audit.record(c, actor, "measure.create", "measure", List.of(id), Map.of("kind", in.kind(),
                    "status", in.status(), "elements", stretches.size(), "conflicts", conflicts.size()));
            return f;
        });
    }

    /**
     * Refuses a measure of works site {@code worksId} whose validity is not covered by the site's phases (their
     * dates; each phase's windows aside, as the measure has its own): a works site's measure is the traffic order of
     * its work, and one running past its last phase, or before its first, or across a gap between two, kept binding
     * where no work was (a year's closure on a ten-day site closed the street for the year). 400 naming valid_from
     * when the measure begins outside every phase, valid_to otherwise.
     */
    private static void withinPhases(Schedule measure, long worksId, List<ViabilityStore.Phase> phases) {
        Instant covered = measure.from();
        boolean begun = false;
        List<ViabilityStore.Phase> byStart = new ArrayList<>(phases);
        byStart.sort(java.util.Comparator.comparing(p -> p.schedule().from()));
        for (ViabilityStore.Phase p : byStart) {
            if (p.schedule().from().isAfter(covered)) break;
            if (p.schedule().to().isAfter(covered)) {
                covered = p.schedule().to();
                begun = true;
            }
        }
        if (begun && measure.to() != null && !measure.to().isAfter(covered)) return;
        StringBuilder at = new StringBuilder();
        for (ViabilityStore.Phase p : byStart) {
            at.append(at.isEmpty() ? "" : ", ").append(p.schedule().from()).append(" to ").append(p.schedule().to());
        }
        throw ViabilityException.invalid(begun ? "valid_to" : "valid_from", "A measure of works site " + worksId
                + " holds while the site is at work, within its phases (" + at + "): it "
                + (begun ? "runs on after them." : "begins outside them."));
    }

    /** Moves a measure along its lifecycle (draft → in_force → expired | revoked), checking rights and version. */
    public ObjectNode setMeasureStatus(Actor actor, long id, String status, Expected ifVersion) throws SQLException {
        return Transactions.inTransaction(database, actor, c -> {
            ViabilityStore.Owner m = store.measureOwner(c, id, true);
            if (m == null) throw notFound("measure", id);
            checkVersion(ifVersion, m.version());
            step(MEASURE_STEPS, "measure", m.status(), status);
            if (!operator(actor)) {
                String own = utility(actor, "change measures");
                if (!own.equals(m.organisation())) throw forbidden(null, "Measure " + id + " belongs to another organisation.");
                if (!status.equals("revoked")) throw forbidden("status", "Only an operator puts a measure " + status + ".");
            }
            store.setMeasureStatus(c, id, status);
            ObjectNode f = store.measureFeatures(c, Set.of(id)).get(id);
            ((ObjectNode) f.get("properties")).set("conflicts", measureConflicts(c, id));
            Audit.record(c, actor, "measure.status", "measure", List.of(id), Map.of("from", m.status(), "to", status));
            return f;
        });
    }

    public ObjectNode measure(long id) throws SQLException {
        try (Connection c = database.connection()) {
            ObjectNode f = store.measureFeatures(c, Set.of(id)).get(id);
            if (f == null) throw notFound("measure", id);
            ((ObjectNode) f.get("properties")).set("conflicts", measureConflicts(c, id));
            return f;
        }
    }

    /**
     * What is on the street of an element ("cosa c'è su questa strada"): its measures in force now and planned,
     * soonest first, as a FeatureCollection, each with its resolved elements.
     */
    public ObjectNode streetMeasures(long elementId, Instant now) throws SQLException {
        ObjectNode fc = Json.mapper().createObjectNode().put("type", "FeatureCollection").put("element", elementId);
        ArrayNode features = fc.putArray("features");
        try (Connection c = database.connection()) {
            Set<Long> ids = store.measuresOnStreetOf(c, elementId, now);
            Map<Long, ObjectNode> byId = ids.isEmpty() ? Map.of() : store.measureFeatures(c, ids);
            for (long id : ids) {
                ObjectNode f = byId.get(id);
                ((ObjectNode) f.get("properties")).put("current", loadedActive(f, now));
                features.add(f);
            }
        }
        return fc.put("numberReturned", features.size());
    }

    /** Whether a measure read as a Feature has begun by {@code now} (windows aside: it is current, not planned). */
    private static boolean loadedActive(ObjectNode f, Instant now) {
        return !java.time.OffsetDateTime.parse(f.get("properties").get("valid_from").asText()).toInstant().isAfter(now);
    }

    Measure loadMeasure(long id) throws SQLException {
        try (Connection c = database.connection()) {
            List<Measure> m = store.measures(c, "m.id = ?", id);
            if (m.isEmpty()) throw notFound("measure", id);
            return m.getFirst();
        }
    }

    private static void checkVersion(Expected expected, int actual) {
        if (!expected.admits(actual)) {
            throw new ViabilityException(ViabilityException.Reason.STALE, null, "The record is at version " + actual
                    + ", not " + expected + ": read it again before changing it.");
        }
    }

    /**
     * What an ordinance or works site whose status carries {@code to} (a measure status; an ordinance's is its own,
     * a works site's {@link #WORKS_MEASURES}) makes of its measures: each measure status that changes, with the
     * status it takes. A measure that may take the same step in its one transition table takes it (draft → in force;
     * in force → expired or revoked; draft → revoked), so that an expired or revoked one stays so (once an ordinance
     * put in force again what had expired). And when the ordinance or works site {@code ends} (a status no step
     * leads on from), a measure that cannot follow it but may still be withdrawn is revoked: a draft can never come
     * into force under an ended ordinance or for a finished works site, and draft → expired is no step (it never
     * held); it stayed a draft for good, and a completed works site left even its measures in force.
     */
    static Map<String, String> measuresCarried(String to, boolean ends) {
        Map<String, String> carried = new TreeMap<>();
        MEASURE_STEPS.forEach((status, next) -> {
            if (next.contains(to)) carried.put(status, to);
            else if (ends && next.contains("revoked")) carried.put(status, "revoked");
        });
        return carried;
    }

    /**
     * Carries a status change of the ordinance or works site {@code id} ({@code owner} the measure's column naming
     * it) to its measures as {@code carried} says, auditing each status the measures took with their source.
     */
    private void carry(Connection c, Actor actor, String owner, long id, Map<String, String> carried) throws SQLException {
        for (var moved : store.carryToMeasures(c, owner, id, carried).entrySet()) {
            Audit.record(c, actor, "measure.status", "measure", moved.getValue(), Map.of("to", moved.getKey(), owner, id));
        }
    }

    private static void step(Map<String, Set<String>> steps, String what, String from, String to) {
        if (!steps.getOrDefault(from, Set.of()).contains(to)) {
            throw ViabilityException.invalid("status", "A " + what + " that is " + from + " cannot become " + to
                    + (steps.containsKey(from) ? "; it can become " + Measure.sorted(steps.get(from)) : "") + ".");
        }
    }

    // ---- conflicts ----

    private ArrayNode measureConflicts(Connection c, long id) throws SQLException {
        ArrayNode out = Json.mapper().createArrayNode();
        List<Measure> self = store.measures(c, "m.id = ?", id);
        if (self.isEmpty()) return out;
        Measure m = self.getFirst();
        if (!Measure.OCCUPYING.contains(m.kind())) return out;
        Instant from = stillToCome();
        Schedule ahead = clip(m.schedule(), from, null);
        if (ahead == null) return out;
        for (Measure o : store.measuresSharingStretches(c, id, from)) {
            if (Measure.OCCUPYING.contains(o.kind()) && ahead.overlaps(o.schedule())) out.add(measureConflict(m, o));
        }
        return out;
    }

    private static ObjectNode measureConflict(Measure a, Measure b) {
        Set<Long> shared = new LinkedHashSet<>();
        for (Stretch s : a.stretches()) {
            for (Stretch t : b.stretches()) {
                if (s.elementId() == t.elementId() && s.fromM() <= t.toM() && t.fromM() <= s.toM()) shared.add(s.elementId());
            }
        }
        ObjectNode o = Json.mapper().createObjectNode().put("type", "measures");
        o.set("a", side(a));
        o.set("b", side(b));
        ArrayNode e = o.putArray("elements");
        shared.forEach(e::add);
        o.put("code", SAME_STRETCH).put("reason", "both take the same stretch of road at the same time");
        return o;
    }

    /**
     * Why two records conflict, a stable code beside the English reason, as the routing refusals have one: a client
     * says it in its own language by the code (the web map in Italian) and the reason stays for a reader of the API.
     */
    static final String SAME_STRETCH = "same-stretch";
    static final String WORKS_NEARBY = "works-nearby";

    private static ObjectNode side(Measure m) {
        ObjectNode o = Json.mapper().createObjectNode().put("measure_id", m.id()).put("kind", m.kind())
                .put("status", m.status());
        if (m.worksId() != null) o.put("works_id", m.worksId());
        if (m.ordinanceId() != null) o.put("ordinance_id", m.ordinanceId());
        if (m.organisation() != null) o.put("organisation", m.organisation());
        return o;
    }

    /**
     * Where a record's conflicts begin, a measure's and a works site's alike: they are the clashes still to come, at
     * an instant from now on, judged as /viability/conflicts judges the interval from now on. A clash wholly past —
     * with a measure since expired or revoked, whose validity ends when it stopped binding (V37), or between phases
     * that have ended — is over; /viability/conflicts?datetime= lists it at its instants.
     */
    private static Instant stillToCome() {
        return Instant.now();
    }

    private ArrayNode worksConflicts(Connection c, long id) throws SQLException {
        ArrayNode out = Json.mapper().createArrayNode();
        Instant from = stillToCome();
        List<ViabilityStore.Phase> own = store.phasesOf(c, Set.of(id)).getOrDefault(id, List.of());
        Map<Long, List<ViabilityStore.Phase>> near = store.worksNear(c, id, conflictDistance, from);
        for (var e : near.entrySet()) {
            if (phasesMeet(own, e.getValue(), from, null)) out.add(worksConflict(id, e.getKey()));
        }
        return out;
    }

    private ObjectNode worksConflict(long a, long b) {
        ObjectNode o = Json.mapper().createObjectNode().put("type", "works");
        o.putObject("a").put("works_id", a);
        o.putObject("b").put("works_id", b);
        o.put("code", WORKS_NEARBY).put("distance_m", conflictDistance)
                .put("reason", "footprints within " + conflictDistance + " m while both are at work");
        return o;
    }

    private static boolean phasesMeet(List<ViabilityStore.Phase> a, List<ViabilityStore.Phase> b, Instant start, Instant end) {
        for (ViabilityStore.Phase p : a) {
            Schedule ps = clip(p.schedule(), start, end);
            if (ps == null) continue;
            for (ViabilityStore.Phase q : b) {
                if (ps.overlaps(q.schedule())) return true;
            }
        }
        return false;
    }

    /** The schedule restricted to [start, end), or null when nothing of it is left. */
    private static Schedule clip(Schedule s, Instant start, Instant end) {
        Instant from = start != null && start.isAfter(s.from()) ? start : s.from();
        Instant to = s.to();
        if (end != null && (to == null || end.isBefore(to))) to = end;
        if (to != null && !to.isAfter(from)) return null;
        return new Schedule(from, to, s.windows());
    }

    /**
     * Every conflicting pair within [start, end) (either may be null: open): measures that take the same stretch
     * at the same time, and works sites whose footprints are near while both are at work, windows included.
     */
    public ArrayNode conflicts(Instant start, Instant end) throws SQLException {
        ArrayNode out = Json.mapper().createArrayNode();
        try (Connection c = database.connection()) {
            List<long[]> pairs = store.measurePairsWithin(c, start, end);
            Map<Long, Measure> byId = new HashMap<>();
            if (!pairs.isEmpty()) {
                Set<Long> ids = new LinkedHashSet<>();
                pairs.forEach(p -> { ids.add(p[0]); ids.add(p[1]); });
                for (Measure m : store.measures(c, "m.id = ANY (?)", (Object) c.createArrayOf("bigint", ids.toArray()))) {
                    byId.put(m.id(), m);
                }
            }
            for (long[] p : pairs) {
                Measure a = byId.get(p[0]), b = byId.get(p[1]);
                if (!Measure.OCCUPYING.contains(a.kind()) || !Measure.OCCUPYING.contains(b.kind())) continue;
                Schedule as = clip(a.schedule(), start, end);
                if (as != null && as.overlaps(b.schedule())) out.add(measureConflict(a, b));
            }
            List<long[]> works = store.worksPairsWithin(c, conflictDistance, start, end);
            Set<Long> ids = new LinkedHashSet<>();
            works.forEach(p -> { ids.add(p[0]); ids.add(p[1]); });
            Map<Long, List<ViabilityStore.Phase>> phases = store.phasesOf(c, ids);
            for (long[] p : works) {
                if (phasesMeet(phases.get(p[0]), phases.get(p[1]), start, end)) out.add(worksConflict(p[0], p[1]));
            }
        }
        return out;
    }

    // ---- works ----

    /**
     * Creates a works site from a GeoJSON Feature: the footprint polygon as geometry; properties organisation,
     * permit, description, phases [{valid_from, valid_to, windows, lanes}].
     */
    public ObjectNode createWorks(Actor actor, JsonNode feature) throws SQLException {
        JsonNode p = feature == null ? null : feature.get("properties");
        if (p == null || !p.isObject()) throw ViabilityException.invalid("properties", "A works site is a GeoJSON Feature "
                + "whose properties hold organisation, permit and phases.");
        String organisation = Measure.text(p, "organisation", false);
        if (!operator(actor)) {
            String own = utility(actor, "propose works");
            if (organisation != null && !organisation.equals(own)) {
                throw forbidden("organisation", "A utility proposes works for its own organisation (" + own + ") only.");
            }
            organisation = own;
        }
        if (organisation == null) throw ViabilityException.invalid("organisation", "organisation is required.");
        String proponent = organisation;
        String permit = Measure.text(p, "permit", true);
        JsonNode geometry = feature.get("geometry");
        if (geometry == null || !Set.of("Polygon", "MultiPolygon").contains(geometry.path("type").asText())) {
            throw ViabilityException.invalid("geometry", "The footprint is a Polygon or MultiPolygon in CRS84.");
        }
        // As an edit's line: ground the cadastre's CRS is not defined for is a mistake (another CRS, swapped axes),
        // not a works site of Florence's (accepted, it would meet nothing and be published all the same).
        double[] area = AreaOfUse.of(database.storageSrid());
        if (!within(geometry.get("coordinates"), area)) {
            throw ViabilityException.invalid("geometry", String.format(Locale.ROOT, "The footprint lies outside the area "
                    + "the cadastre's CRS (EPSG:%d) is defined for, longitude %s to %s and latitude %s to %s; it is given "
                    + "in CRS84, longitude first.", database.storageSrid(), area[0], area[2], area[1], area[3]));
        }
        JsonNode phaseList = p.get("phases");
        if (phaseList == null || !phaseList.isArray() || phaseList.isEmpty()) {
            throw ViabilityException.invalid("phases", "phases is a non-empty array of {valid_from, valid_to, windows, lanes}.");
        }
        List<ViabilityStore.Phase> phases = new ArrayList<>();
        for (int i = 0; i < phaseList.size(); i++) {
            JsonNode ph = phaseList.get(i);
            String field = "phases[" + i + "]";
            try {
                Instant from = Measure.instant(ph, "valid_from", true);
                Instant to = Measure.instant(ph, "valid_to", true);
                if (!to.isAfter(from)) throw ViabilityException.invalid("valid_to", "valid_to must be after valid_from.");
                JsonNode lanes = ph.get("lanes");
                if (lanes != null && !lanes.isNull() && !lanes.isArray()) {
                    throw ViabilityException.invalid("lanes", "lanes is an array of the lanes the phase takes.");
                }
                phases.add(new ViabilityStore.Phase(i, Measure.scheduleOf(from, to, ph.get("windows")),
                        lanes == null || lanes.isNull() ? null : lanes));
            } catch (ViabilityException e) {
                throw new ViabilityException(e.reason(), field + "." + e.field(), e.getMessage());
            }
        }
        try {
            return Transactions.inTransaction(database, actor, c -> {
                long id = store.insertWorks(c, proponent, permit, Measure.text(p, "description", false),
                        geometry.toString(), phases);
                ObjectNode f = store.worksFeatures(c, Set.of(id)).get(id);
                ArrayNode conflicts = worksConflicts(c, id);
                ((ObjectNode) f.get("properties")).set("conflicts", conflicts);
                Audit.record(c, actor, "works.create", "works", List.of(id), Map.of("organisation", proponent,
                        "permit", permit, "phases", phases.size(), "conflicts", conflicts.size()));
                return f;
            });
        } catch (SQLException e) {
            if ("XX000".equals(e.getSQLState()) || "22023".equals(e.getSQLState())
                    || "geometry".equals(checkedField(e, "works"))) {
                throw ViabilityException.invalid("geometry", "The footprint is not a valid GeoJSON polygon (one that does "
                        + "not cross itself, with finite coordinates).");
            }
            throw e;
        }
    }

    /**
     * Whether every position of GeoJSON coordinates lies in {west, south, east, north}; what is no position is the
     * schema's to refuse.
     */
    private static boolean within(JsonNode coordinates, double[] area) {
        if (coordinates == null || !coordinates.isArray()) return true;
        if (coordinates.size() >= 2 && coordinates.get(0).isNumber() && coordinates.get(1).isNumber()) {
            double lon = coordinates.get(0).asDouble(), lat = coordinates.get(1).asDouble();
            return lon >= area[0] && lon <= area[2] && lat >= area[1] && lat <= area[3];
        }
        for (JsonNode inner : coordinates) {
            if (!within(inner, area)) return false;
        }
        return true;
    }

    /**
     * The field a check of {@code table}'s refused (works_footprint_check: geometry, ordinance_year_check: year), or
     * null when {@code e} is no such refusal: the schema's checks are the rules, and a value they refuse is the
     * client's mistake, not a 500.
     */
    private static String checkedField(SQLException e, String table) {
        if (!(e instanceof org.postgresql.util.PSQLException p) || !"23514".equals(e.getSQLState())
                || p.getServerErrorMessage() == null || p.getServerErrorMessage().getConstraint() == null) {
            return null;
        }
        String column = p.getServerErrorMessage().getConstraint().replaceFirst("^" + table + "_", "")
                .replaceFirst("_check$", "");
        return column.equals("footprint") ? "geometry" : column;
    }

    /**
     * Moves a works site along its lifecycle and carries it to its measures as an ordinance's status is carried
     * (measuresCarried): approving it puts its drafts in force; cancelling or rejecting it revokes them and those in
     * force; completing it expires those in force and revokes the drafts. Only an operator approves, rejects or
     * completes; the utility may cancel its own.
     */
    public ObjectNode setWorksStatus(Actor actor, long id, String status, Expected ifVersion) throws SQLException {
        return Transactions.inTransaction(database, actor, c -> {
            ViabilityStore.Owner w = store.worksOwner(c, id, true);
            if (w == null) throw notFound("works site", id);
            if (!operator(actor)) {
                String own = utility(actor, "change works");
                if (!own.equals(w.organisation())) throw forbidden(null, "Works site " + id + " belongs to another organisation.");
                if (!status.equals("cancelled")) {
                    throw forbidden("status", "Only an operator may make a works site " + status + ".");
                }
            }
            checkVersion(ifVersion, w.version());
            step(WORKS_STEPS, "works site", w.status(), status);
            store.setWorksStatus(c, id, status);
            Audit.record(c, actor, "works.status", "works", List.of(id), Map.of("from", w.status(), "to", status));
            carry(c, actor, "works_id", id, measuresCarried(WORKS_MEASURES.get(status), !WORKS_STEPS.containsKey(status)));
            ObjectNode f = store.worksFeatures(c, Set.of(id)).get(id);
            ((ObjectNode) f.get("properties")).set("conflicts", worksConflicts(c, id));
            return f;
        });
    }

    public ObjectNode works(long id) throws SQLException {
        try (Connection c = database.connection()) {
            ObjectNode f = store.worksFeatures(c, Set.of(id)).get(id);
            if (f == null) throw notFound("works site", id);
            ((ObjectNode) f.get("properties")).set("conflicts", worksConflicts(c, id));
            return f;
        }
    }

    // ---- ordinances ----

    /**
     * An ordinance's document: an absolute http or https URL, since every client that shows the ordinance offers it
     * as a link, and a {@code javascript:} or {@code data:} one would run in the reader's page.
     */
    private static String documentUrl(JsonNode properties) {
        String text = Measure.text(properties, "document_url", false);
        if (text == null) return null;
        try {
            URI uri = new URI(text);
            if (uri.isAbsolute() && uri.getHost() != null
                    && (uri.getScheme().equalsIgnoreCase("https") || uri.getScheme().equalsIgnoreCase("http"))) {
                return text;
            }
        } catch (URISyntaxException e) {
            // refused below
        }
        throw ViabilityException.invalid("document_url", "document_url is an http or https address, such as "
                + "https://www.comune.fi.it/ordinanze/2026-123.pdf.");
    }

    /**
     * Creates an ordinance (operators only) from properties number, year, office, reason, document_url; its id. The
     * answer is the item as a read gives it (OGC API Features Part 4), so the caller reads it from the collection.
     */
    public long createOrdinance(Actor actor, JsonNode feature) throws SQLException {
        if (!operator(actor)) throw forbidden(null, "Only operators issue ordinances.");
        JsonNode p = feature == null ? null : feature.get("properties");
        if (p == null || !p.isObject()) throw ViabilityException.invalid("properties", "An ordinance is a Feature whose "
                + "properties hold number, year, office and reason.");
        int number = positive(p, "number");
        int year = positive(p, "year");
        String office = Measure.text(p, "office", true);
        String documentUrl = documentUrl(p);
        try {
            return Transactions.inTransaction(database, actor, c -> {
                long id = store.insertOrdinance(c, number, year, office, Measure.text(p, "reason", true), documentUrl);
                if (id < 0) {
                    throw new ViabilityException(ViabilityException.Reason.DUPLICATE, "number", "Ordinance " + number
                            + "/" + year + " of " + office + " exists already.");
                }
                Audit.record(c, actor, "ordinance.create", "ordinance", List.of(id), Map.of("number", number, "year",
                        year));
                return id;
            });
        } catch (SQLException e) {
            String field = checkedField(e, "ordinance");
            if (field == null) throw e;
            throw ViabilityException.invalid(field, "The value of " + field + " is not one an ordinance may have.");
        }
    }

    /**
     * Moves an ordinance along its lifecycle and carries the new status to its measures, checking the version read
     * as a measure's and a works site's change does (once, an ordinance was changed whatever version was read). The
     * answer is the item as a read gives it, read from the collection by the caller.
     */
    public void setOrdinanceStatus(Actor actor, long id, String status, Expected ifVersion) throws SQLException {
        if (!operator(actor)) throw forbidden(null, "Only operators change ordinances.");
        Transactions.inTransaction(database, actor, c -> {
            ViabilityStore.Owner o = store.ordinanceOwner(c, id, true);
            if (o == null) throw notFound("ordinance", id);
            checkVersion(ifVersion, o.version());
            String current = o.status();
            step(ORDINANCE_STEPS, "ordinance", current, status);
            store.setOrdinanceStatus(c, id, status);
            Audit.record(c, actor, "ordinance.status", "ordinance", List.of(id), Map.of("from", current, "to", status));
            carry(c, actor, "ordinance_id", id, measuresCarried(status, !ORDINANCE_STEPS.containsKey(status)));
            return id;
        });
    }

    private static int positive(JsonNode p, String name) {
        JsonNode n = p.get(name);
        if (n == null || !n.canConvertToInt() || n.asInt() <= 0) throw ViabilityException.invalid(name, name + " is a positive integer.");
        return n.asInt();
    }

    // ---- the network at an instant ----

    /**
     * The elements closed or restricted at {@code t}: one Feature per live element carrying a measure in force
     * then, with the element's geometry and each measure (kind, stretch, ordinance or works), as GeoJSON text.
     * <p>
     * The control room's screens ask for "now" over and over while nothing changes: the answer's features are kept
     * by what they depend on (the network's, measures' and sources' revisions, and which measures bind at
     * {@code t}), so a repeated question costs one read of the revisions. The binding measures are kept per
     * measures revision, and which of them bind at {@code t} (windows included) is decided in memory.
     */
    public String networkState(Instant t) throws SQLException {
        try (Connection c = database.connection()) {
            long[] revision = store.revisions(c);
            List<Measure> active = binding.at(c, revision[1]).stream().filter(m -> m.activeAt(t)).toList();
            StateKey key = new StateKey(revision[0], revision[1], revision[2], active.stream().map(Measure::id).toList());
            StateFeatures features = states.get(key);
            if (features == null) {
                features = stateFeatures(c, active);
                states.put(key, features);
            }
            return "{\"type\":\"FeatureCollection\",\"datetime\":\"" + t + "\",\"features\":" + features.json()
                    + ",\"numberReturned\":" + features.count() + "}";
        }
    }

    /** What a network state's features depend on. */
    private record StateKey(long networkRevision, long measuresRevision, long sourcesRevision, List<Long> binding) {
    }

    private record StateFeatures(String json, int count) {
    }

    /** The last network states made, a few: "now" and the instants a map's time control was just moved to. */
    private final Map<StateKey, StateFeatures> states = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<StateKey, StateFeatures> eldest) {
                    return size() > 16;
                }
            });
    private StateFeatures stateFeatures(Connection c, List<Measure> active) throws SQLException {
        ArrayNode features = Json.mapper().createArrayNode();
        Map<Long, List<Object[]>> byElement = new LinkedHashMap<>();
        for (Measure m : active) {
            for (Stretch s : m.stretches()) byElement.computeIfAbsent(s.elementId(), k -> new ArrayList<>()).add(new Object[]{m, s});
        }
        if (byElement.isEmpty()) return new StateFeatures("[]", 0);
        Map<Long, ObjectNode> sources = sources(c, active);
        try (PreparedStatement st = c.prepareStatement("SELECT e.id, r.name, e.direction, e.length_m, "
                + "ST_AsGeoJSON(ST_Transform(e.geom, 4326), 7) FROM " + LiveNetwork.ELEMENTS + " e "
                + "LEFT JOIN road r ON r.id = e.road_id WHERE e.id = ANY (?) ORDER BY e.id")) {
            st.setArray(1, c.createArrayOf("bigint", byElement.keySet().toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    ObjectNode f = features.addObject().put("type", "Feature").put("id", rs.getLong(1));
                    f.set("geometry", ViabilityStore.json(rs.getString(5)));
                    ObjectNode props = f.putObject("properties").put("element_id", rs.getLong(1))
                            .put("road", rs.getString(2)).put("direction", rs.getString(3))
                            .put("length_m", Math.round(rs.getDouble(4) * 1000) / 1000.0);
                    ArrayNode ms = props.putArray("measures");
                    for (Object[] ms0 : byElement.get(rs.getLong(1))) {
                        Measure m = (Measure) ms0[0];
                        Stretch s = (Stretch) ms0[1];
                        ObjectNode o = ms.addObject().put("id", m.id()).put("kind", m.kind()).put("from_m", s.fromM())
                                .put("to_m", s.toM()).put("direction", s.direction());
                        if (m.value() != null) o.put("value", m.value());
                        ArrayNode ex = o.putArray("exemptions");
                        m.exemptions().forEach(ex::add);
                        o.set("source", sources.get(m.id()));
                    }
                }
            }
        }
        return new StateFeatures(features.toString(), features.size());
    }

    /** For each measure, its ordinance or works site in brief. */
    private Map<Long, ObjectNode> sources(Connection c, List<Measure> measures) throws SQLException {
        Map<Long, ObjectNode> out = new HashMap<>();
        Set<Long> ordinances = new LinkedHashSet<>(), works = new LinkedHashSet<>();
        for (Measure m : measures) {
            if (m.ordinanceId() != null) ordinances.add(m.ordinanceId());
            if (m.worksId() != null) works.add(m.worksId());
        }
        Map<Long, ObjectNode> o = brief(c, "SELECT id, json_build_object('ordinance_id', id, 'number', number, 'year', year, "
                + "'office', office, 'reason', reason)::text FROM ordinance WHERE id = ANY (?)", ordinances);
        Map<Long, ObjectNode> w = brief(c, "SELECT id, json_build_object('works_id', id, 'organisation', organisation, "
                + "'permit', permit)::text FROM works WHERE id = ANY (?)", works);
        for (Measure m : measures) {
            out.put(m.id(), m.ordinanceId() != null ? o.get(m.ordinanceId()) : m.worksId() != null ? w.get(m.worksId()) : null);
        }
        return out;
    }

    private static Map<Long, ObjectNode> brief(Connection c, String sql, Set<Long> ids) throws SQLException {
        Map<Long, ObjectNode> out = new HashMap<>();
        if (ids.isEmpty()) return out;
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.put(rs.getLong(1), (ObjectNode) ViabilityStore.json(rs.getString(2)));
            }
        }
        return out;
    }
}
