package it.firenze.streetcad.topology;

import org.locationtech.jts.algorithm.Distance;
import org.locationtech.jts.algorithm.LineIntersector;
import org.locationtech.jts.algorithm.RobustLineIntersector;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.CoordinateArrays;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineSegment;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.index.strtree.STRtree;
import org.locationtech.jts.noding.MCIndexNoder;
import org.locationtech.jts.noding.NodedSegmentString;
import org.locationtech.jts.noding.SegmentIntersector;
import org.locationtech.jts.noding.SegmentString;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns raw lines into a junction-to-junction network, in memory: ends within the tolerance are snapped together
 * (or onto a line of the same level they stop short of), lines are split where they cross at grade and where an end
 * touches another line's interior, and lines at different levels or layers (a bridge over a road) cross without a
 * junction. Every piece keeps the source line it came from.
 */
public final class NetworkBuilder {

    public static final double DEFAULT_TOLERANCE = 0.5;

    private final double tolerance;

    public NetworkBuilder(double tolerance) {
        if (!(tolerance >= 0)) throw new IllegalArgumentException("tolerance must be zero or more metres");
        this.tolerance = tolerance;
    }

    private record Part(int source, String plane, Coordinate[] coords) {
    }

    public Network build(List<TopologyLine> lines) {
        List<Part> parts = explode(lines);
        int snapped = snapEndsTogether(parts) + snapEndsOntoLines(parts);
        List<NodedSegmentString> noded = node(parts);
        GeometryFactory factory = lines.isEmpty() ? new GeometryFactory() : lines.get(0).geometry().getFactory();
        Map<Coordinate, Integer> junctionIndex = new HashMap<>();
        List<Coordinate> points = new ArrayList<>();
        List<int[]> degrees = new ArrayList<>();
        List<Network.Element> elements = new ArrayList<>();
        for (NodedSegmentString s : noded) {
            Coordinate[] coords = CoordinateArrays.removeRepeatedPoints(s.getCoordinates());
            if (coords.length < 2) continue;
            int source = ((Part) s.getData()).source();
            int from = junction(coords[0], junctionIndex, points, degrees);
            int to = junction(coords[coords.length - 1], junctionIndex, points, degrees);
            degrees.get(from)[0]++;
            degrees.get(to)[0]++;
            elements.add(new Network.Element(source, lines.get(source), factory.createLineString(coords), from, to));
        }
        List<Network.Node> junctions = new ArrayList<>(points.size());
        for (int i = 0; i < points.size(); i++) {
            int degree = degrees.get(i)[0];
            junctions.add(new Network.Node(points.get(i), degree, kind(degree)));
        }
        return new Network(elements, junctions, lines.size(), snapped, elements.size() - parts.size());
    }

    static String kind(int degree) {
        return switch (degree) {
            case 1 -> "end";
            case 2 -> "pseudo";
            default -> "intersection";
        };
    }

    private static int junction(Coordinate c, Map<Coordinate, Integer> index, List<Coordinate> points,
                                List<int[]> degrees) {
        return index.computeIfAbsent(c, k -> {
            points.add(new Coordinate(c.x, c.y));
            degrees.add(new int[1]);
            return points.size() - 1;
        });
    }

    private static List<Part> explode(List<TopologyLine> lines) {
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Geometry g = lines.get(i).geometry();
            for (int p = 0; p < g.getNumGeometries(); p++) {
                Coordinate[] coords = CoordinateArrays.removeRepeatedPoints(g.getGeometryN(p).getCoordinates());
                if (coords.length >= 2) parts.add(new Part(i, lines.get(i).plane(), copy(coords)));
            }
        }
        return parts;
    }

    private static Coordinate[] copy(Coordinate[] coords) {
        Coordinate[] out = new Coordinate[coords.length];
        for (int i = 0; i < coords.length; i++) out[i] = new Coordinate(coords[i].x, coords[i].y);
        return out;
    }

    /**
     * Ends closer than the tolerance become one point, whatever their level: a bridge meets the road at its ends.
     * Each cluster takes the position of its first end, so ends that already coincide do not move.
     */
    private int snapEndsTogether(List<Part> parts) {
        if (tolerance == 0) return 0;
        int n = parts.size() * 2;
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        Map<Long, List<Integer>> grid = new HashMap<>();
        for (int e = 0; e < n; e++) {
            Coordinate c = end(parts, e);
            long cx = (long) Math.floor(c.x / tolerance), cy = (long) Math.floor(c.y / tolerance);
            for (long dx = -1; dx <= 1; dx++) {
                for (long dy = -1; dy <= 1; dy++) {
                    List<Integer> cell = grid.get(key(cx + dx, cy + dy));
                    if (cell == null) continue;
                    for (int other : cell) {
                        if (end(parts, other).distance(c) <= tolerance) union(parent, e, other);
                    }
                }
            }
            grid.computeIfAbsent(key(cx, cy), k -> new ArrayList<>()).add(e);
        }
        int moved = 0;
        for (int e = 0; e < n; e++) {
            Coordinate target = end(parts, find(parent, e));
            Coordinate c = end(parts, e);
            if (!c.equals2D(target)) {
                c.setX(target.x);
                c.setY(target.y);
                moved++;
            }
        }
        return moved;
    }

    private static long key(long x, long y) {
        return x * 0x9E3779B97F4A7C15L ^ y;
    }

    private static Coordinate end(List<Part> parts, int e) {
        Coordinate[] c = parts.get(e / 2).coords();
        return e % 2 == 0 ? c[0] : c[c.length - 1];
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a), rb = find(parent, b);
        // The smaller index is the root, so a cluster keeps the position of its first end.
        if (ra < rb) parent[rb] = ra;
        else if (rb < ra) parent[ra] = rb;
    }

    /**
     * An end that meets no other end but stops within the tolerance of a line of the same level (an undershoot)
     * moves onto that line, and the point is inserted into the line as a vertex so that noding splits it there.
     */
    private int snapEndsOntoLines(List<Part> parts) {
        if (tolerance == 0) return 0;
        Map<Coordinate, Integer> endCount = new HashMap<>();
        for (int e = 0; e < parts.size() * 2; e++) endCount.merge(end(parts, e).copy(), 1, Integer::sum);
        STRtree index = new STRtree();
        for (int p = 0; p < parts.size(); p++) {
            index.insert(CoordinateArrays.envelope(parts.get(p).coords()), p);
        }
        Map<Integer, List<Insertion>> insertions = new HashMap<>();
        int moved = 0;
        for (int e = 0; e < parts.size() * 2; e++) {
            Coordinate c = end(parts, e);
            if (endCount.get(c) != 1) continue;
            Part self = parts.get(e / 2);
            var search = new Envelope(c);
            search.expandBy(tolerance);
            double best = Double.POSITIVE_INFINITY;
            int bestPart = -1, bestSegment = -1;
            for (Object o : index.query(search)) {
                int p = (Integer) o;
                Part other = parts.get(p);
                if (p == e / 2 || !other.plane().equals(self.plane())) continue;
                Coordinate[] oc = other.coords();
                for (int s = 0; s < oc.length - 1; s++) {
                    double d = Distance.pointToSegment(c, oc[s], oc[s + 1]);
                    if (d < best) {
                        best = d;
                        bestPart = p;
                        bestSegment = s;
                    }
                }
            }
            if (bestPart < 0 || best > tolerance || best == 0) continue;
            Coordinate[] oc = parts.get(bestPart).coords();
            Coordinate onLine = new LineSegment(oc[bestSegment], oc[bestSegment + 1]).closestPoint(c);
            c.setX(onLine.x);
            c.setY(onLine.y);
            insertions.computeIfAbsent(bestPart, k -> new ArrayList<>())
                    .add(new Insertion(bestSegment, c));
            moved++;
        }
        insertions.forEach((p, list) -> insertVertices(parts, p, list));
        return moved;
    }

    private record Insertion(int segment, Coordinate point) {
    }

    /** Inserts points into a part, in order along each segment. */
    private static void insertVertices(List<Part> parts, int p, List<Insertion> points) {
        Part part = parts.get(p);
        Coordinate[] old = part.coords();
        List<Coordinate> out = new ArrayList<>(old.length + points.size());
        for (int s = 0; s < old.length; s++) {
            out.add(old[s]);
            if (s == old.length - 1) break;
            final int segment = s;
            final Coordinate start = old[s];
            points.stream().filter(t -> t.segment() == segment)
                    .map(Insertion::point)
                    .sorted((a, b) -> Double.compare(start.distance(a), start.distance(b)))
                    .forEach(out::add);
        }
        parts.set(p, new Part(part.source(), part.plane(), out.toArray(new Coordinate[0])));
    }

    /** Splits parts where they meet: always at an end, at interior crossings only within the same level. */
    private static List<NodedSegmentString> node(List<Part> parts) {
        List<NodedSegmentString> strings = new ArrayList<>(parts.size());
        for (Part p : parts) strings.add(new NodedSegmentString(p.coords(), p));
        MCIndexNoder noder = new MCIndexNoder(new LevelAwareIntersector());
        noder.computeNodes(strings);
        @SuppressWarnings("unchecked")
        Collection<NodedSegmentString> pieces = noder.getNodedSubstrings();
        return new ArrayList<>(pieces);
    }

    private static final class LevelAwareIntersector implements SegmentIntersector {
        private final LineIntersector li = new RobustLineIntersector();

        @Override
        public void processIntersections(SegmentString e0, int i0, SegmentString e1, int i1) {
            if (e0 == e1 && i0 == i1) return;
            Coordinate[] c0 = e0.getCoordinates(), c1 = e1.getCoordinates();
            li.computeIntersection(c0[i0], c0[i0 + 1], c1[i1], c1[i1 + 1]);
            if (!li.hasIntersection()) return;
            boolean samePlane = ((Part) e0.getData()).plane().equals(((Part) e1.getData()).plane());
            for (int k = 0; k < li.getIntersectionNum(); k++) {
                Coordinate p = li.getIntersection(k);
                // A line that crosses itself or ends on itself (a loop, a "P") is noded there too; the vertex two
                // consecutive segments share is not a meeting.
                if (e0 == e1 && sharedVertex(c0, i0, i1, p)) continue;
                if (samePlane || isEnd(c0, p) || isEnd(c1, p)) {
                    ((NodedSegmentString) e0).addIntersection(p, i0);
                    ((NodedSegmentString) e1).addIntersection(p, i1);
                }
            }
        }

        private static boolean sharedVertex(Coordinate[] c, int i0, int i1, Coordinate p) {
            int lo = Math.min(i0, i1), hi = Math.max(i0, i1);
            boolean ring = c[0].equals2D(c[c.length - 1]);
            return (hi == lo + 1 && p.equals2D(c[hi])) || (ring && lo == 0 && hi == c.length - 2 && p.equals2D(c[0]));
        }

        private static boolean isEnd(Coordinate[] c, Coordinate p) {
            return c[0].equals2D(p) || c[c.length - 1].equals2D(p);
        }

        @Override
        public boolean isDone() {
            return false;
        }
    }
}
