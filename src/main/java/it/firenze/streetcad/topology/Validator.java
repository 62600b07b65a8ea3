package it.firenze.streetcad.topology;

import org.locationtech.jts.algorithm.Angle;
import org.locationtech.jts.algorithm.LineIntersector;
import org.locationtech.jts.algorithm.RobustLineIntersector;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.CoordinateArrays;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.index.strtree.STRtree;
import org.locationtech.jts.linearref.LengthIndexedLine;
import org.locationtech.jts.noding.MCIndexNoder;
import org.locationtech.jts.noding.NodedSegmentString;
import org.locationtech.jts.noding.SegmentIntersector;
import org.locationtech.jts.noding.SegmentString;
import org.locationtech.jts.operation.valid.IsSimpleOp;
import org.locationtech.jts.operation.valid.IsValidOp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.stream.IntStream;

/**
 * Validates lines by rule, in memory: one spatial index (STRtree) and one monotone-chain noding pass find every
 * pair of lines that meet, and a graph of element ends gives dangles, pseudo-nodes, islands and one-way traps.
 * Works on stored road elements (with their junctions) and on raw lines an importer has staged (without).
 */
public final class Validator {

    /**
     * Findings fingerprinted with one {@link Run.Fingerprints} (a digest and a WKT writer are not shared): fewer than
     * this are fingerprinted on the validating thread alone.
     */
    private static final int PARALLEL_FINDINGS = 256;

    /** The rules a dangling end is judged by. */
    private static final Set<Rule> DANGLE_RULES = java.util.EnumSet.of(Rule.OVERSHOOT, Rule.UNDERSHOOT, Rule.DEAD_END);

    /** Lines with at most this many vertices are checked for simplicity pairwise. */
    private static final int SHORT_LINE = 24;

    private final ValidationOptions options;

    public Validator(ValidationOptions options) {
        this.options = options;
    }

    /** Validates raw lines that have no junctions yet (the importer's pre-commit check). */
    public List<Finding> validate(List<TopologyLine> lines) {
        return validate(lines, null, null, p -> { });
    }

    /**
     * @param junctions the stored junctions by id, or null when the lines have none yet
     * @param area      the area validated, or null for all: parts that reach beyond it are not called islands
     * @param progress  receives the fraction done, from 0 to 1
     */
    public List<Finding> validate(List<TopologyLine> lines, Map<Long, Point> junctions, Envelope area,
                                  DoubleConsumer progress) {
        return validate(lines, junctions, area, null, progress);
    }

    /**
     * As {@link #validate(List, Map, Envelope, DoubleConsumer)}, keeping only the findings the focus concerns: the
     * lines around a part are read so that it is judged with its neighbours, but their own findings are not wanted,
     * and leaving them out before they are fingerprinted is most of a neighbourhood's cost.
     *
     * @param focus the part whose findings are kept, or null for all
     */
    public List<Finding> validate(List<TopologyLine> lines, Map<Long, Point> junctions, Envelope area, Focus focus,
                                  DoubleConsumer progress) {
        List<Finding> out = new ArrayList<>();
        validate(lines, junctions, area, focus, progress, out::add);
        return out;
    }

    /** What part of a validation's findings is wanted. */
    public sealed interface Focus {

        /** Whether a finding about these elements, at this location, is wanted. */
        boolean concerns(List<Long> elementIds, Geometry location);

        /** Whether findings involving this element can be wanted (false lets a check skip it). */
        boolean involves(Long elementId);
    }

    /**
     * As {@link #validate(List, Map, Envelope, Focus, DoubleConsumer)}, handing each finding to {@code sink} (on the
     * calling thread, in the order they are made) at most {@link #BATCH} findings after it is made instead of
     * returning them all: lines that meet a great many times (a part of a million-line import) are checked in the
     * memory their lines take, not that of their findings.
     */
    public void validate(List<TopologyLine> lines, Map<Long, Point> junctions, Envelope area, Focus focus,
                         DoubleConsumer progress, Consumer<Finding> sink) {
        new Run(lines, junctions, area, focus, progress, sink).run();
    }

    /** Findings fingerprinted together (on every core) and handed over: what a run holds of its findings at most. */
    static final int BATCH = 4096;

    /**
     * A part of the network being validated: its elements, and its area for the findings that name no element (a
     * junction's).
     */
    public record Part(Set<Long> elements, Envelope area) implements Focus {

        @Override
        public boolean concerns(List<Long> elementIds, Geometry location) {
            return elementIds.isEmpty() ? area.intersects(location.getEnvelopeInternal())
                    : elementIds.stream().anyMatch(elements::contains);
        }

        @Override
        public boolean involves(Long elementId) {
            return elements.contains(elementId);
        }
    }

    /** The findings located at some spots (an element's ends), whatever elements they are about. */
    public record Spots(List<Envelope> spots) implements Focus {

        @Override
        public boolean concerns(List<Long> elementIds, Geometry location) {
            return spots.stream().anyMatch(spot -> spot.intersects(location.getEnvelopeInternal()));
        }

        @Override
        public boolean involves(Long elementId) {
            return true;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record End(int element, boolean atStart) {
    }

    /** Element a meets element b at p (for a touch, a is the one that ends there). */
    private record Meeting(int a, int b, Coordinate p) {
    }

    private final class Run {
        final List<TopologyLine> lines;
        final Map<Long, Point> junctions;
        final Envelope area;
        final Focus focus;
        final DoubleConsumer progress;
        final GeometryFactory factory;
        /** The findings made since the last were handed over, in the order they were made, without fingerprints. */
        final List<Unprinted> findings = new ArrayList<>();
        final Consumer<Finding> sink;
        final boolean[] broken;
        final Map<Coordinate, List<End>> ends = new HashMap<>();
        final Set<Coordinate> endsOnInterior = new HashSet<>();
        /** Second and further copies of a duplicated element: reported once, left out of the graph. */
        final Set<Integer> copies = new HashSet<>();
        final int[] component;
        /**
         * Each line's WKT in UTF-8, written once: a line is in several findings, and writing WKT is a fingerprint's
         * cost. An atomic array, so that a text one thread wrote is read whole by another.
         */
        final AtomicReferenceArray<byte[]> shapes;
        STRtree index;
        /** For {@link #meets}: one per run, as a run is on one thread. */
        final LineIntersector tipIntersector = new RobustLineIntersector();

        Run(List<TopologyLine> lines, Map<Long, Point> junctions, Envelope area, Focus focus, DoubleConsumer progress,
            Consumer<Finding> sink) {
            this.sink = sink;
            this.lines = lines;
            this.junctions = junctions;
            this.area = area;
            this.focus = focus;
            this.progress = progress;
            this.shapes = new AtomicReferenceArray<>(lines.size());
            this.factory = lines.isEmpty() ? new GeometryFactory() : lines.get(0).geometry().getFactory();
            this.broken = new boolean[lines.size()];
            this.component = new int[lines.size()];
            for (int i = 0; i < component.length; i++) component[i] = i;
        }

        void run() {
            for (int i = 0; i < lines.size(); i++) {
                checkElement(i);
                if (i % 10_000 == 0) progress.accept(0.3 * i / Math.max(1, lines.size()));
            }
            index = new STRtree();
            for (int i = 0; i < lines.size(); i++) {
                if (!broken[i]) index.insert(lines.get(i).geometry().getEnvelopeInternal(), i);
            }
            index.build();
            Set<Integer> duplicated = checkDuplicates();
            progress.accept(0.4);
            checkMeetings(duplicated);
            progress.accept(0.7);
            collectEnds();
            checkEnds();
            progress.accept(0.8);
            if (junctions != null) checkJunctions();
            // Parts are found for islands alone, and a neighbourhood's run (an edit's) has no island rule.
            if (options.rules().contains(Rule.ISLAND)) checkIslands();
            handOver();
            progress.accept(1.0);
        }

        /**
         * Fingerprints the findings made since the last call, on every core (writing the elements' WKT and hashing it
         * is most of a finding's cost), and hands them over in the order they were made.
         */
        void handOver() {
            Finding[] out = new Finding[findings.size()];
            // A digest and a WKT writer per slice, not per thread: a thread-local one would keep this run (its lines
            // and their text) alive in every pool thread after it ended, one run per part of a large import. A few
            // findings (an edit's) are one slice, fingerprinted here sooner than handed to other threads.
            IntStream.range(0, Math.ceilDiv(out.length, PARALLEL_FINDINGS)).parallel().forEach(slice -> {
                Fingerprints with = new Fingerprints();
                for (int k = slice * PARALLEL_FINDINGS; k < Math.min(out.length, (slice + 1) * PARALLEL_FINDINGS); k++) {
                    out[k] = findings.get(k).fingerprinted(with);
                }
            });
            findings.clear();
            for (Finding f : out) sink.accept(f);
        }

        // ---- one element at a time

        void checkElement(int i) {
            Geometry g = lines.get(i).geometry();
            if (g.getNumGeometries() > 1) {
                add(Rule.MULTIPART, "the element has " + g.getNumGeometries() + " parts; an element is one line",
                        Map.of("parts", g.getNumGeometries()), g, List.of(i), List.of());
            }
            double length = g.getLength();
            if (length == 0) {
                broken[i] = true;
                add(Rule.ZERO_LENGTH, "the element has no length: all its vertices are the same point",
                        Map.of(), g.getCentroid(), List.of(i), List.of());
                return;
            }
            IsValidOp valid = new IsValidOp(g);
            if (!valid.isValid()) {
                broken[i] = true;
                add(Rule.INVALID_GEOMETRY, "the geometry is invalid: " + valid.getValidationError().getMessage(),
                        Map.of(), factory.createPoint(valid.getValidationError().getCoordinate()), List.of(i), List.of());
                return;
            }
            if (length < options.minLength()) {
                add(Rule.TOO_SHORT, String.format("the element is %.2f m long, shorter than %s m", length,
                        options.minLength()), Map.of("min_length_m", options.minLength(), "length_m", length),
                        g, List.of(i), List.of());
            }
            for (int p = 0; p < g.getNumGeometries(); p++) {
                Coordinate[] raw = g.getGeometryN(p).getCoordinates();
                checkRepeatedVertices(i, raw);
                Coordinate[] coords = CoordinateArrays.removeRepeatedPoints(raw);
                checkSimple(i, factory.createLineString(coords));
                checkSpikes(i, coords);
            }
        }

        void checkRepeatedVertices(int i, Coordinate[] c) {
            List<Coordinate> repeated = new ArrayList<>();
            for (int k = 1; k < c.length; k++) if (c[k].equals2D(c[k - 1])) repeated.add(c[k]);
            if (repeated.isEmpty()) return;
            add(Rule.DUPLICATE_VERTEX, repeated.size() + " vertex(es) repeat the one before",
                    Map.of("count", repeated.size()), factory.createMultiPointFromCoords(repeated.toArray(new Coordinate[0])),
                    List.of(i), List.of());
        }

        void checkSimple(int i, LineString line) {
            Coordinate[] c = line.getCoordinates();
            Point where;
            if (c.length <= SHORT_LINE) {
                // Most elements have a few vertices: comparing their segments pairwise is much cheaper than
                // IsSimpleOp, which builds a spatial index for every line.
                Coordinate bad = nonSimpleLocation(c);
                if (bad == null) return;
                where = factory.createPoint(bad);
            } else {
                IsSimpleOp simple = new IsSimpleOp(line);
                if (simple.isSimple()) return;
                where = factory.createPoint(simple.getNonSimpleLocation());
            }
            if (overlapsItself(line.getCoordinates())) {
                add(Rule.SELF_OVERLAP, "the element runs back over itself", Map.of(), where, List.of(i), List.of());
            } else {
                add(Rule.SELF_INTERSECTION, "the element crosses itself", Map.of(), where, List.of(i), List.of());
            }
        }

        /** Where a line meets itself other than at the vertex consecutive segments share (or a ring's closure). */
        Coordinate nonSimpleLocation(Coordinate[] c) {
            LineIntersector li = new RobustLineIntersector();
            boolean ring = c[0].equals2D(c[c.length - 1]);
            for (int a = 0; a < c.length - 1; a++) {
                for (int b = a + 1; b < c.length - 1; b++) {
                    li.computeIntersection(c[a], c[a + 1], c[b], c[b + 1]);
                    if (!li.hasIntersection()) continue;
                    if (li.getIntersectionNum() == 2) return li.getIntersection(0);
                    Coordinate p = li.getIntersection(0);
                    boolean shared = (b == a + 1 && p.equals2D(c[b])) || (ring && a == 0 && b == c.length - 2
                            && p.equals2D(c[0]));
                    if (!shared) return p;
                }
            }
            return null;
        }

        boolean overlapsItself(Coordinate[] c) {
            LineIntersector li = new RobustLineIntersector();
            for (int a = 0; a < c.length - 1; a++) {
                for (int b = a + 1; b < c.length - 1; b++) {
                    li.computeIntersection(c[a], c[a + 1], c[b], c[b + 1]);
                    if (li.getIntersectionNum() == 2) return true;
                }
            }
            return false;
        }

        void checkSpikes(int i, Coordinate[] c) {
            double limit = Math.toRadians(options.spikeAngle());
            for (int k = 1; k < c.length - 1; k++) {
                double angle = Angle.angleBetween(c[k - 1], c[k], c[k + 1]);
                if (angle > 0 && angle < limit) {
                    add(Rule.SPIKE, String.format("the line turns back by a sharp %.1f° angle", Math.toDegrees(angle)),
                            Map.of("max_angle_deg", options.spikeAngle(), "angle_deg", Math.toDegrees(angle)),
                            factory.createPoint(c[k]), List.of(i), List.of());
                }
            }
        }

        // ---- pairs of elements

        Set<Integer> checkDuplicates() {
            // Lines of one shape have one envelope: only lines sharing theirs need the (costly) key of their shape.
            Map<Envelope, List<Integer>> byEnvelope = new HashMap<>();
            for (int i = 0; i < lines.size(); i++) {
                if (!broken[i]) byEnvelope.computeIfAbsent(lines.get(i).geometry().getEnvelopeInternal(),
                        k -> new ArrayList<>()).add(i);
            }
            Map<String, List<Integer>> byShape = new HashMap<>();
            for (List<Integer> sameEnvelope : byEnvelope.values()) {
                if (sameEnvelope.size() < 2) continue;
                for (int i : sameEnvelope) {
                    Coordinate[] c = CoordinateArrays.removeRepeatedPoints(lines.get(i).geometry().getCoordinates());
                    Coordinate[] r = c.clone();
                    CoordinateArrays.reverse(r);
                    String key = shapeKey(CoordinateArrays.compare(c, r) <= 0 ? c : r);
                    byShape.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
                }
            }
            Set<Integer> duplicated = new HashSet<>();
            for (List<Integer> group : byShape.values()) {
                if (group.size() < 2) continue;
                duplicated.addAll(group);
                for (int k = 1; k < group.size(); k++) {
                    union(group.get(0), group.get(k));
                    copies.add(group.get(k));
                }
                add(Rule.DUPLICATE_ELEMENT, group.size() + " elements have exactly the same geometry",
                        Map.of("count", group.size()), lines.get(group.get(0)).geometry(), group, List.of());
            }
            return duplicated;
        }

        String shapeKey(Coordinate[] c) {
            StringBuilder b = new StringBuilder(c.length * 24);
            for (Coordinate p : c) b.append(p.x).append(' ').append(p.y).append(',');
            return b.toString();
        }

        void checkMeetings(Set<Integer> duplicated) {
            List<NodedSegmentString> strings = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                if (broken[i]) continue;
                Geometry g = lines.get(i).geometry();
                for (int p = 0; p < g.getNumGeometries(); p++) {
                    Coordinate[] c = CoordinateArrays.removeRepeatedPoints(g.getGeometryN(p).getCoordinates());
                    if (c.length >= 2) strings.add(new NodedSegmentString(c, i));
                }
            }
            MeetingCollector collector = new MeetingCollector();
            new MCIndexNoder(collector).computeNodes(strings);
            endsOnInterior.addAll(collector.endsInOverlap);
            for (long pair : collector.overlaps) {
                int a = (int) (pair >> 32), b = (int) pair;
                union(a, b);
                if (duplicated.contains(a) && duplicated.contains(b)) continue;
                Geometry shared = lines.get(a).geometry().intersection(lines.get(b).geometry());
                add(Rule.OVERLAPPING_ELEMENTS, String.format("two elements share %.2f m of their course",
                        shared.getLength()), Map.of("shared_m", shared.getLength()), shared, List.of(a, b), List.of());
            }
            collector.crossings.forEach(m -> {
                int a = m.a(), b = m.b();
                Coordinate p = m.p();
                union(a, b);
                // A duplicate's copy meets what the original meets: said once, by the original.
                if (copies.contains(a) || copies.contains(b)) return;
                add(Rule.CROSSING_WITHOUT_JUNCTION, "two elements cross at the same level with no junction",
                        Map.of("level", lines.get(a).level(), "layer", lines.get(a).layer()), factory.createPoint(p),
                        List.of(a, b), List.of());
            });
            collector.touches.forEach(m -> {
                Coordinate p = m.p();
                union(m.a(), m.b());
                endsOnInterior.add(p);
                if (copies.contains(m.a()) || copies.contains(m.b())) return;
                add(Rule.ENDPOINT_ON_INTERIOR, "an element ends on another one's interior, which is not split there",
                        Map.of(), factory.createPoint(p), List.of(m.a(), m.b()), List.of());
            });
        }

        // ---- the graph of element ends

        void collectEnds() {
            for (int i = 0; i < lines.size(); i++) {
                if (broken[i] || copies.contains(i)) continue;
                Coordinate[] c = lines.get(i).geometry().getCoordinates();
                ends.computeIfAbsent(c[0], k -> new ArrayList<>(2)).add(new End(i, true));
                ends.computeIfAbsent(c[c.length - 1], k -> new ArrayList<>(2)).add(new End(i, false));
            }
            for (List<End> at : ends.values()) {
                for (int k = 1; k < at.size(); k++) union(at.get(0).element(), at.get(k).element());
            }
        }

        void checkEnds() {
            boolean judgesDangles = DANGLE_RULES.stream().anyMatch(options.rules()::contains);
            for (Map.Entry<Coordinate, List<End>> node : ends.entrySet()) {
                Coordinate p = node.getKey();
                List<End> at = node.getValue();
                if (endsOnInterior.contains(p)) continue;
                List<Integer> elements = at.stream().map(End::element).distinct().toList();
                List<Long> junction = junctionAt(at.get(0));
                if (at.size() == 1) {
                    if (judgesDangles) checkDangle(p, at.get(0), junction);
                } else if (at.size() == 2 && elements.size() == 2) {
                    boolean mergeable = mergeable(at.get(0), at.get(1));
                    add(mergeable ? Rule.MERGEABLE_PSEUDO_NODE : Rule.PSEUDO_NODE, mergeable
                                    ? "only two elements with the same attributes meet here: they can be one element"
                                    : "only two elements meet here; their attributes differ, so the junction is legitimate",
                            Map.of(), factory.createPoint(p), elements, junction);
                }
                checkOneWay(p, at, elements, junction);
            }
        }

        List<Long> junctionAt(End end) {
            TopologyLine l = lines.get(end.element());
            Long id = end.atStart() ? l.fromJunction() : l.toJunction();
            return id == null ? List.of() : List.of(id);
        }

        void checkDangle(Coordinate p, End end, List<Long> junction) {
            int i = end.element();
            Geometry line = lines.get(i).geometry();
            double t = options.tolerance();
            if (!inFocus(i) && near(new Envelope(p), i).stream().noneMatch(this::inFocus)) return; // nothing kept
            LengthIndexedLine indexed = new LengthIndexedLine(line);
            // Clamped: LengthIndexedLine reads a negative index from the far end, which a stub shorter than t needs not.
            double length = line.getLength();
            Geometry tip = end.atStart() ? indexed.extractLine(0, Math.min(t, length))
                    : indexed.extractLine(Math.max(0, length - t), length);
            for (int other : near(tip.getEnvelopeInternal(), i)) {
                if (meets(tip, lines.get(other).geometry())) {
                    add(Rule.OVERSHOOT, "the element runs on less than " + t + " m past the element it meets and stops",
                            Map.of("tolerance_m", t), factory.createPoint(p), List.of(i, other), junction);
                    return;
                }
            }
            Point end0 = factory.createPoint(p);
            for (int other : near(end0.getEnvelopeInternal(), i)) {
                double d = lines.get(other).geometry().distance(end0);
                if (d > 0 && d <= t) {
                    add(Rule.UNDERSHOOT, String.format("the element stops %.2f m short of another one", d),
                            Map.of("tolerance_m", t, "gap_m", d), end0, List.of(i, other), junction);
                    return;
                }
            }
            add(Rule.DEAD_END, "a dead end: nothing else is within " + t + " m of this end",
                    Map.of("tolerance_m", t), end0, List.of(i), junction);
        }

        /**
         * Whether two lines share a point: whether a segment of one meets a segment of the other, the test a prepared
         * line's {@code intersects} makes for two lines (segment by segment, with this intersector). A tip is a few
         * metres: preparing it, and indexing each line near it for one question, cost more than the segments of
         * that line near the tip compared with the tip's one or two.
         */
        boolean meets(Geometry tip, Geometry line) {
            Envelope around = tip.getEnvelopeInternal();
            for (int p = 0; p < line.getNumGeometries(); p++) {
                Coordinate[] c = line.getGeometryN(p).getCoordinates();
                for (int k = 0; k < c.length - 1; k++) {
                    if (!around.intersects(c[k], c[k + 1])) continue;
                    for (int q = 0; q < tip.getNumGeometries(); q++) {
                        Coordinate[] t = tip.getGeometryN(q).getCoordinates();
                        for (int j = 0; j < t.length - 1; j++) {
                            tipIntersector.computeIntersection(t[j], t[j + 1], c[k], c[k + 1]);
                            if (tipIntersector.hasIntersection()) return true;
                        }
                    }
                }
            }
            return false;
        }

        List<Integer> near(Envelope envelope, int self) {
            Envelope search = new Envelope(envelope);
            search.expandBy(options.tolerance());
            List<Integer> out = new ArrayList<>();
            for (Object o : index.query(search)) {
                int other = (Integer) o;
                if (other != self && !copies.contains(other)) out.add(other);
            }
            out.sort(Comparator.naturalOrder());
            return out;
        }

        boolean mergeable(End a, End b) {
            return TopologyLine.mergeable(lines.get(a.element()), a.atStart(), lines.get(b.element()), b.atStart());
        }

        void checkOneWay(Coordinate p, List<End> at, List<Integer> elements, List<Long> junction) {
            int in = 0, out = 0;
            boolean oneWay = false;
            for (End e : at) {
                String direction = lines.get(e.element()).direction();
                switch (direction) {
                    case "both" -> {
                        in++;
                        out++;
                    }
                    case "forward", "backward" -> {
                        oneWay = true;
                        if (e.atStart() == direction.equals("forward")) out++;
                        else in++;
                    }
                    default -> { }
                }
            }
            if (!oneWay || (in > 0) == (out > 0)) return;
            add(Rule.ONE_WAY_DEAD_END, in > 0 ? "one-way traffic can reach this point but cannot leave it"
                            : "one-way traffic can leave this point but nothing can reach it",
                    Map.of("in", in, "out", out), factory.createPoint(p), elements, junction);
        }

        // ---- stored junctions

        void checkJunctions() {
            Set<Long> used = new HashSet<>();
            for (int i = 0; i < lines.size(); i++) {
                TopologyLine l = lines.get(i);
                if (broken[i]) continue;
                Coordinate[] c = l.geometry().getCoordinates();
                checkJunctionEnd(i, l.fromJunction(), c[0], "start", "from", used);
                checkJunctionEnd(i, l.toJunction(), c[c.length - 1], "end", "to", used);
            }
            junctions.entrySet().stream().filter(j -> !used.contains(j.getKey()))
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(j -> add(Rule.ORPHAN_JUNCTION, "no element starts or ends at this junction", Map.of(),
                            j.getValue(), List.of(), List.of(j.getKey())));
        }

        /**
         * An end away from its junction. An end without one ("the element's start has no from junction") is not made
         * here: it is derived from the stored element by the view open_topology_issue (V28), its one definition.
         */
        void checkJunctionEnd(int i, Long junction, Coordinate end, String which, String side, Set<Long> used) {
            if (junction == null) return;
            used.add(junction);
            Point at = junctions.get(junction);
            if (at != null && at.getCoordinate().distance(end) > ValidationOptions.JUNCTION_TOLERANCE) {
                double d = at.getCoordinate().distance(end);
                add(Rule.ENDPOINT_OFF_JUNCTION, String.format("the element's %s is %.3f m from its %s junction",
                        which, d, side), Map.of("end", which, "distance_m", d),
                        factory.createLineString(new Coordinate[]{end, at.getCoordinate()}), List.of(i), List.of(junction));
            }
        }

        // ---- connectivity

        void checkIslands() {
            Map<Integer, List<Integer>> parts = new HashMap<>();
            for (int i = 0; i < lines.size(); i++) if (!broken[i]) parts.computeIfAbsent(find(i), k -> new ArrayList<>()).add(i);
            int largest = parts.values().stream().mapToInt(List::size).max().orElse(0);
            boolean largestSeen = false;
            for (List<Integer> part : parts.values().stream().sorted(Comparator.comparing(l -> l.get(0))).toList()) {
                if (part.size() == largest && !largestSeen) {
                    largestSeen = true;
                    continue;
                }
                if (part.size() >= options.islandMaxElements()) continue;
                Geometry shape = factory.buildGeometry(part.stream().map(i -> lines.get(i).geometry()).toList());
                if (area != null && !area.contains(shape.getEnvelopeInternal())) continue;
                add(Rule.ISLAND, part.size() + " element(s) connected to nothing else",
                        Map.of("max_elements", options.islandMaxElements(), "elements", part.size()), shape, part, List.of());
            }
        }

        int find(int i) {
            while (component[i] != i) {
                component[i] = component[component[i]];
                i = component[i];
            }
            return i;
        }

        void union(int a, int b) {
            int ra = find(a), rb = find(b);
            if (ra != rb) component[Math.max(ra, rb)] = Math.min(ra, rb);
        }

        /** Records, for every two different elements that meet, whether and how they meet. */
        final class MeetingCollector implements SegmentIntersector {
            final LineIntersector li = new RobustLineIntersector();
            final Set<Long> overlaps = new TreeSet<>();
            final Set<Meeting> crossings = new LinkedHashSet<>();
            final Set<Meeting> touches = new LinkedHashSet<>();
            final Set<Coordinate> endsInOverlap = new HashSet<>();

            @Override
            public void processIntersections(SegmentString s0, int i0, SegmentString s1, int i1) {
                int a = (Integer) s0.getData(), b = (Integer) s1.getData();
                if (a == b) return;
                Coordinate[] c0 = s0.getCoordinates(), c1 = s1.getCoordinates();
                li.computeIntersection(c0[i0], c0[i0 + 1], c1[i1], c1[i1 + 1]);
                if (!li.hasIntersection()) return;
                if (li.getIntersectionNum() == 2) {
                    overlaps.add(((long) Math.min(a, b) << 32) | Math.max(a, b));
                    // An end inside a shared stretch belongs to the overlap finding, not to a dangle.
                    for (int k = 0; k < 2; k++) {
                        Coordinate p = li.getIntersection(k);
                        if (isEnd(c0, p) != isEnd(c1, p)) endsInOverlap.add(p.copy());
                    }
                    return;
                }
                Coordinate p = li.getIntersection(0);
                boolean end0 = isEnd(c0, p), end1 = isEnd(c1, p);
                if (end0 && end1) return;
                if (end0 || end1) {
                    touches.add(end0 ? new Meeting(a, b, p.copy()) : new Meeting(b, a, p.copy()));
                } else if (lines.get(a).plane().equals(lines.get(b).plane())) {
                    crossings.add(new Meeting(Math.min(a, b), Math.max(a, b), p.copy()));
                }
            }

            private boolean isEnd(Coordinate[] c, Coordinate p) {
                return c[0].equals2D(p) || c[c.length - 1].equals2D(p);
            }

            @Override
            public boolean isDone() {
                return false;
            }
        }

        // ---- findings

        void add(Rule rule, String explanation, Map<String, Object> parameters, Geometry location,
                 List<Integer> elements, List<Long> junctionIds) {
            if (!options.rules().contains(rule)) return;
            List<Long> ids = elements.stream().map(i -> lines.get(i).elementId()).filter(Objects::nonNull).toList();
            if (focus != null && !focus.concerns(ids, location)) return;
            List<String> keys = elements.stream().map(i -> lines.get(i).sourceKey()).filter(Objects::nonNull).toList();
            Map<String, Object> params = new LinkedHashMap<>(parameters);
            findings.add(new Unprinted(new Finding(rule, explanation, params, location, ids, junctionIds, keys, null),
                    elements));
            if (findings.size() >= BATCH) handOver();
        }

        /** Whether a finding involving the line is kept (always, with no focus). */
        private boolean inFocus(int line) {
            return focus == null || focus.involves(lines.get(line).elementId());
        }

        /** A finding without its fingerprint yet, and the elements (indexes into the lines) it is about. */
        record Unprinted(Finding finding, List<Integer> elements) {
            Finding fingerprinted(Fingerprints with) {
                Finding f = finding;
                return new Finding(f.rule(), f.explanation(), f.parameters(), f.location(), f.elementIds(),
                        f.junctionIds(), f.sourceKeys(), with.of(f.rule(), f.location(), elements));
            }
        }

        final class Fingerprints {
            final WktText wkt = new WktText();
            final MessageDigest sha = sha256();

            /**
             * Rule, place and the geometry of each element involved: unchanged geometry, unchanged fingerprint. The text
             * of each element is written once per run ({@link #shapeText}): an element is in several findings (its two
             * ends, its crossings), and writing WKT was half the check's time on the Florence sample. The elements'
             * texts are digested in order, each distinct text once (they were a sorted set of Strings: WKT is ASCII,
             * and UTF-8's byte order is that of the characters).
             */
            String of(Rule rule, Geometry location, List<Integer> elements) {
                byte[][] involved = new byte[elements.size()][];
                for (int k = 0; k < involved.length; k++) involved[k] = shapeText(elements.get(k));
                Arrays.sort(involved, Arrays::compareUnsigned);
                sha.reset();
                sha.update(rule.id().getBytes(StandardCharsets.UTF_8));
                sha.update(wkt.of(location));
                for (int k = 0; k < involved.length; k++) {
                    if (k == 0 || !Arrays.equals(involved[k], involved[k - 1])) sha.update(involved[k]);
                }
                return HexFormat.of().formatHex(Arrays.copyOf(sha.digest(), 16));
            }

            /**
             * The element's geometry as WKT ({@link Geometry#toText}) in UTF-8, written on first use and shared by the
             * threads: one that finds none writes it, and two may both write the same text.
             */
            byte[] shapeText(int i) {
                byte[] text = shapes.get(i);
                if (text == null) shapes.set(i, text = wkt.of(lines.get(i).geometry()));
                return text;
            }
        }
    }
}
