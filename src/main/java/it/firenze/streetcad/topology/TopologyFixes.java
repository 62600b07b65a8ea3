package it.firenze.streetcad.topology;

import it.firenze.streetcad.access.Audit;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.CoordinateArrays;
import org.locationtech.jts.geom.CoordinateList;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The safe fixes, each an explicit operation: {@link #preview} says what would change (element by element, with the
 * new geometry), {@link #apply} does it in one transaction that the history tables record. Never silently: nothing
 * changes unless asked.
 */
public final class TopologyFixes {

    public enum Fix {
        /** Ends within the tolerance joined (and split where they land on a line): a network build with it. */
        SNAP_ENDPOINTS("snap-endpoints"),
        /** Elements split where they cross at grade or an end touches them: a network build with no snapping. */
        SPLIT_AT_CROSSINGS("split-at-crossings"),
        /** Two elements with equal attributes at a degree-2 junction become one; the junction goes. */
        MERGE_PSEUDO_NODES("merge-pseudo-nodes"),
        /** Of elements with the same geometry and attributes, the lowest id stays (copies with events are kept). */
        DELETE_DUPLICATES("delete-duplicates"),
        /** Consecutive repeated vertices removed. */
        REMOVE_DUPLICATE_VERTICES("remove-duplicate-vertices");

        private final String id;

        Fix(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Optional<Fix> byId(String id) {
            return Arrays.stream(values()).filter(f -> f.id.equals(id)).findFirst();
        }
    }

    /** One element changed by a fix: update (new geometry), insert (a new piece) or delete. */
    public record Change(String action, Long elementId, Geometry geometry) {
    }

    /**
     * What a fix does (or would do).
     *
     * @param changed      the extent, in the storage CRS, of the changed elements as they were and as they are (or
     *                     would be); empty when nothing changes. The neighbourhood an apply re-validates.
     * @param validationId the recorded validation that re-judged the open issues around an applied change; null for a
     *                     preview, or when nothing changed
     */
    public record Plan(Fix fix, List<Change> changes, Envelope changed, Long validationId) {
        public Map<String, Integer> counts() {
            Map<String, Integer> m = new TreeMap<>();
            changes.forEach(c -> m.merge(c.action(), 1, Integer::sum));
            return m;
        }
    }

    private final Database database;
    private final TopologyReader reader;
    private final NetworkWriter writer;
    private final TopologyGeoJson geoJson;

    public TopologyFixes(Database database) {
        this.database = database;
        this.reader = new TopologyReader(database);
        this.writer = new NetworkWriter(database);
        this.geoJson = new TopologyGeoJson(database);
    }

    public Plan preview(Fix fix, double[] bboxCrs84, double tolerance) throws SQLException {
        return run(fix, bboxCrs84, tolerance, null);
    }

    /**
     * Makes the fix's changes in one transaction, which names the actor in the audit log and the history rows, then
     * re-validates the neighbourhood they changed.
     */
    public Plan apply(Fix fix, double[] bboxCrs84, double tolerance, Actor actor) throws SQLException {
        Plan plan = run(fix, bboxCrs84, tolerance, actor);
        OptionalLong validation = new TopologyValidation(database).revalidate(plan.changed());
        return new Plan(fix, plan.changes(), plan.changed(), validation.isPresent() ? validation.getAsLong() : null);
    }

    /** The plan's changes as a GeoJSON FeatureCollection in CRS84 (properties: action, element id), with counts. */
    public String toGeoJson(Plan plan) throws SQLException {
        return geoJson.changesGeoJson("\"fix\":\"" + plan.fix().id() + "\",\"counts\":" + TopologySql.json(plan.counts()),
                plan.changes());
    }

    /** A preview ({@code actor} null) or an apply by the actor. */
    private Plan run(Fix fix, double[] bboxCrs84, double tolerance, Actor actor) throws SQLException {
        Envelope area = reader.toStorage(bboxCrs84);
        boolean apply = actor != null;
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                if (apply) {
                    Audit.bind(c, actor);
                    writer.lockNetwork(c);
                }
                List<TopologyLine> lines = reader.elements(c, area);
                List<Change> changes = switch (fix) {
                    case SNAP_ENDPOINTS -> build(c, lines, tolerance, apply);
                    case SPLIT_AT_CROSSINGS -> build(c, lines, 0, apply);
                    case REMOVE_DUPLICATE_VERTICES -> removeDuplicateVertices(c, lines, apply);
                    case DELETE_DUPLICATES -> deleteDuplicates(c, lines, apply);
                    case MERGE_PSEUDO_NODES -> mergePseudoNodes(c, lines, apply);
                };
                Plan plan = new Plan(fix, changes, changedExtent(lines, changes), null);
                if (apply) {
                    Audit.record(c, actor, "fix.apply", "road_element", changedIds(changes), auditDetails(fix.id(),
                            bboxCrs84, tolerance, plan.counts()));
                    c.commit();
                } else {
                    Database.rollback(c);
                }
                return plan;
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c);
                throw e;
            }
        }
    }

    /** The existing elements a change updates or deletes (inserted ones have no id before the commit). */
    static List<Long> changedIds(List<Change> changes) {
        return changes.stream().map(Change::elementId).filter(java.util.Objects::nonNull).distinct().toList();
    }

    /** What an audit row of a fix or build keeps besides the ids: the operation, its area and tolerance, the counts. */
    static Map<String, Object> auditDetails(String operation, double[] bboxCrs84, double tolerance, Map<String, ?> counts) {
        Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("operation", operation);
        if (bboxCrs84 != null) details.put("bbox", bboxCrs84);
        details.put("tolerance_m", tolerance);
        details.put("counts", counts);
        return details;
    }

    /** The extent of the changed elements, both as they were (an update's old line) and as they are. */
    static Envelope changedExtent(List<TopologyLine> lines, List<Change> changes) {
        Map<Long, Geometry> before = new HashMap<>();
        lines.forEach(l -> before.put(l.elementId(), l.geometry()));
        Envelope extent = new Envelope();
        for (Change ch : changes) {
            extent.expandToInclude(ch.geometry().getEnvelopeInternal());
            if (ch.elementId() != null) extent.expandToInclude(before.get(ch.elementId()).getEnvelopeInternal());
        }
        return extent;
    }

    private List<Change> build(Connection c, List<TopologyLine> lines, double tolerance, boolean apply)
            throws SQLException {
        Network network = new NetworkBuilder(tolerance).build(lines);
        List<NetworkBuild.Piece> pieces = NetworkBuild.pieces(lines, network);
        List<Long> collapsed = NetworkBuild.collapsed(lines, network);
        if (apply) writer.writeNetwork(c, lines, network, pieces, collapsed);
        return NetworkBuild.changes(lines, pieces, collapsed);
    }

    private List<Change> removeDuplicateVertices(Connection c, List<TopologyLine> lines, boolean apply) throws SQLException {
        List<Change> changes = new ArrayList<>();
        for (TopologyLine l : lines) {
            Coordinate[] raw = l.geometry().getCoordinates();
            Coordinate[] clean = CoordinateArrays.removeRepeatedPoints(raw);
            if (clean.length < raw.length && clean.length >= 2) {
                changes.add(new Change("update", l.elementId(), l.geometry().getFactory().createLineString(clean)));
            }
        }
        if (apply) writer.updateGeometries(c, changes);
        return changes;
    }

    private List<Change> deleteDuplicates(Connection c, List<TopologyLine> lines, boolean apply) throws SQLException {
        Map<String, TopologyLine> first = new HashMap<>();
        List<Change> changes = new ArrayList<>();
        for (TopologyLine l : lines) {
            Coordinate[] coords = l.geometry().getCoordinates();
            Coordinate[] reversed = coords.clone();
            CoordinateArrays.reverse(reversed);
            // A reversed copy is the same element only when traffic does not care about the digitised direction.
            boolean undirected = l.direction().equals("both") || l.direction().equals("closed");
            Coordinate[] key = undirected && CoordinateArrays.compare(reversed, coords) < 0 ? reversed : coords;
            String k = Arrays.toString(key) + l.attributes() + (undirected ? "" : "/" + (key == coords));
            TopologyLine kept = first.putIfAbsent(k, l);
            if (kept != null) changes.add(new Change("delete", l.elementId(), l.geometry()));
        }
        if (apply) changes = writer.deleteElementsWithoutEvents(c, changes);
        return changes;
    }

    /** Merges along chains of mergeable degree-2 junctions, keeping the lower id and its digitised direction. */
    private List<Change> mergePseudoNodes(Connection c, List<TopologyLine> lines, boolean apply) throws SQLException {
        int n = lines.size();
        LineString[] geometry = new LineString[n];
        Long[] from = new Long[n], to = new Long[n];
        boolean[] gone = new boolean[n];
        Map<Long, List<Integer>> at = new HashMap<>();
        for (int i = 0; i < n; i++) {
            TopologyLine l = lines.get(i);
            geometry[i] = (LineString) l.geometry();
            from[i] = l.fromJunction();
            to[i] = l.toJunction();
            if (from[i] != null) at.computeIfAbsent(from[i], k -> new ArrayList<>()).add(i);
            if (to[i] != null) at.computeIfAbsent(to[i], k -> new ArrayList<>()).add(i);
        }
        List<NetworkWriter.Merge> merges = new ArrayList<>();
        for (Long junction : new ArrayList<>(new TreeMap<>(at).keySet())) {
            List<Integer> here = at.get(junction);
            if (here.size() != 2 || here.get(0).equals(here.get(1))) continue;
            int a = lineId(lines, here.get(0)) < lineId(lines, here.get(1)) ? here.get(0) : here.get(1);
            int b = a == here.get(0) ? here.get(1) : here.get(0);
            boolean aAtStart = NetworkWriter.Merge.startsAt(junction, from[a], to[a]);
            boolean bAtStart = NetworkWriter.Merge.startsAt(junction, from[b], to[b]);
            if (!TopologyLine.mergeable(lines.get(a), aAtStart, lines.get(b), bAtStart)) continue;
            Long bFar = bAtStart ? to[b] : from[b];
            NetworkWriter.Merge m = NetworkWriter.Merge.across(junction, lineId(lines, a), geometry[a], from[a], to[a],
                    lineId(lines, b), geometry[b], from[b], to[b]);
            merges.add(m);
            geometry[a] = m.geometry();
            from[a] = m.from();
            to[a] = m.to();
            gone[b] = true;
            at.remove(junction);
            List<Integer> far = at.get(bFar);
            if (far != null) far.replaceAll(i -> i == b ? a : i);
        }
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (gone[i]) changes.add(new Change("delete", lineId(lines, i), lines.get(i).geometry()));
            else if (geometry[i] != lines.get(i).geometry()) changes.add(new Change("update", lineId(lines, i), geometry[i]));
        }
        if (apply) writer.merge(c, merges);
        return changes;
    }

    private static long lineId(List<TopologyLine> lines, int i) {
        return lines.get(i).elementId();
    }
}
