package it.firenze.streetcad.topology;

import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Point;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static it.firenze.streetcad.topology.Lines.FACTORY;
import static it.firenze.streetcad.topology.Lines.line;
import static it.firenze.streetcad.topology.Lines.wkt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given a hand-made network with exactly one defect, validation reports exactly that finding (plus the dead ends
 * every open line has, which are legitimate and reported as info); and all defects together give all findings.
 */
class ValidatorRulesTest {

    /** Tolerance 2 m so that an overshoot can be longer than the 1 m minimum length; islands off except where tested. */
    static final ValidationOptions OPTIONS = new ValidationOptions(2.0, 1.0, 10.0, 1, null);

    static Map<String, List<TopologyLine>> cases() {
        Map<String, List<TopologyLine>> c = new LinkedHashMap<>();
        c.put("invalid-geometry", List.of(TopologyLine.raw("nan", FACTORY.createLineString(new Coordinate[]{
                new Coordinate(681000, 4849000), new Coordinate(Double.NaN, 4849005)}))));
        c.put("zero-length", List.of(line("z", "LINESTRING(0 0, 0 0)")));
        c.put("too-short dead-end dead-end", List.of(line("s", "LINESTRING(0 0, 0.5 0)")));
        c.put("multipart dead-end dead-end", List.of(line("m", "MULTILINESTRING((0 0, 10 0), (20 0, 30 0))")));
        c.put("self-intersection dead-end dead-end", List.of(line("x", "LINESTRING(0 0, 10 0, 10 10, 5 -5)")));
        c.put("self-overlap dead-end dead-end", List.of(line("o", "LINESTRING(0 0, 10 0, 5 0)")));
        c.put("duplicate-vertex dead-end dead-end", List.of(line("v", "LINESTRING(0 0, 5 0, 5 0, 10 0)")));
        c.put("duplicate-element dead-end dead-end", List.of(line("d1", "LINESTRING(0 0, 10 0)"),
                line("d2", "LINESTRING(10 0, 0 0)")));
        c.put("overlapping-elements dead-end dead-end", List.of(line("o1", "LINESTRING(0 0, 10 0)"),
                line("o2", "LINESTRING(5 0, 15 0)")));
        c.put("undershoot dead-end dead-end dead-end", List.of(line("main", "LINESTRING(0 0, 20 0)"),
                line("short", "LINESTRING(10 1, 10 10)")));
        c.put("overshoot dead-end dead-end dead-end", List.of(line("w", "LINESTRING(0 0, 10 0)"),
                line("e", "LINESTRING(10 0, 20 0)"), line("s", "LINESTRING(10 -10, 10 0)"),
                line("stub", "LINESTRING(10 0, 10 1.5)")));
        c.put("crossing-without-junction dead-end dead-end dead-end dead-end", List.of(line("a", "LINESTRING(0 0, 20 0)"),
                line("b", "LINESTRING(10 -10, 10 10)")));
        c.put("endpoint-on-interior dead-end dead-end dead-end", List.of(line("a", "LINESTRING(0 0, 20 0)"),
                line("t", "LINESTRING(10 0, 10 10)")));
        c.put("mergeable-pseudo-node dead-end dead-end", List.of(line("a", "LINESTRING(0 0, 10 0)"),
                line("b", "LINESTRING(10 0, 20 0)")));
        c.put("pseudo-node dead-end dead-end", List.of(line("a", "LINESTRING(0 0, 10 0)"),
                line("b", "LINESTRING(10 0, 20 0)").withAttributes(Map.of("surface", "asphalt"))));
        c.put("one-way-dead-end dead-end dead-end dead-end", List.of(line("w", "LINESTRING(0 0, -10 0)"),
                line("n", "LINESTRING(0 0, 0 10)"), line("oneway", "LINESTRING(0 0, 10 0)").withDirection("forward")));
        c.put("spike dead-end dead-end", List.of(line("p", "LINESTRING(0 0, 10 0, 0 1)")));
        c.put("bridge over road: dead-end dead-end dead-end dead-end", List.of(line("road", "LINESTRING(0 0, 20 0)"),
                line("bridge", "LINESTRING(10 -10, 10 10)").withLevel("bridge", 1)));
        return c;
    }

    @Test
    void eachDefectYieldsExactlyItsFinding() {
        cases().forEach((expected, lines) -> assertEquals(sorted(expected), rules(new Validator(OPTIONS).validate(lines)),
                expected));
    }

    @Test
    void aNetworkWithOneOfEachDefectYieldsExactlyTheirFindings() {
        List<TopologyLine> all = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        int offset = 0;
        for (var entry : cases().entrySet()) {
            int dx = 1000 * offset++;
            for (TopologyLine l : entry.getValue()) all.add(shifted(l, dx));
            expected.addAll(sorted(entry.getKey()));
        }
        assertEquals(expected.stream().sorted().toList(), rules(new Validator(OPTIONS).validate(all)));
    }

    @Test
    void aSmallDisconnectedPartIsAnIsland() {
        List<TopologyLine> lines = List.of(line("w", "LINESTRING(0 0, -10 0)"), line("n", "LINESTRING(0 0, 0 10)"),
                line("e", "LINESTRING(0 0, 10 0)"), line("alone", "LINESTRING(50 50, 60 50)"));
        var options = new ValidationOptions(2.0, 1.0, 10.0, 2, null);
        List<Finding> findings = new Validator(options).validate(lines);
        assertEquals(sorted("island dead-end dead-end dead-end dead-end dead-end"), rules(findings));
        Finding island = findings.stream().filter(f -> f.rule() == Rule.ISLAND).findFirst().orElseThrow();
        assertEquals(List.of("alone"), island.sourceKeys());
    }

    @Test
    void storedElementsOffTheirJunctionsAndJunctionsWithoutElementsAreReported() {
        Geometry g = wkt("LINESTRING(0 0, 10 0)");
        TopologyLine element = new TopologyLine(7L, "k", g, "at_grade", 0, "both", 1L, 2L, Map.of());
        Map<Long, Point> junctions = Map.of(1L, (Point) wkt("POINT(0 0)"), 2L, (Point) wkt("POINT(10 0.5)"),
                3L, (Point) wkt("POINT(50 50)"));
        List<Finding> findings = new Validator(OPTIONS).validate(List.of(element), junctions, null, p -> { });
        assertEquals(sorted("endpoint-off-junction orphan-junction dead-end dead-end"), rules(findings));
        Finding off = findings.stream().filter(f -> f.rule() == Rule.ENDPOINT_OFF_JUNCTION).findFirst().orElseThrow();
        assertEquals(List.of(7L), off.elementIds());
        assertEquals(List.of(2L), off.junctionIds());
    }

    @Test
    void theSameGeometryGivesTheSameFingerprintAndAMovedOneANewOne() {
        var a = new Validator(OPTIONS).validate(List.of(line("t", "LINESTRING(0 0, 0.5 0)")));
        var b = new Validator(OPTIONS).validate(List.of(line("t", "LINESTRING(0 0, 0.5 0)")));
        var moved = new Validator(OPTIONS).validate(List.of(line("t", "LINESTRING(0 0, 0.6 0)")));
        assertEquals(a.get(0).fingerprint(), b.get(0).fingerprint());
        assertEquals(false, a.get(0).fingerprint().equals(moved.get(0).fingerprint()));
    }

    /**
     * Accepted exceptions are kept by fingerprint across validations and versions, so how a fingerprint is made must
     * not drift: the SHA-256 (first 16 bytes, hex) of the rule, the location's WKT and the WKT of each element involved
     * in text order, as {@link Geometry#toText} writes them — whatever the validator caches or computes in parallel.
     */
    @Test
    void everyFingerprintIsTheDigestOfRuleLocationAndElementsAsText() throws Exception {
        List<TopologyLine> all = new ArrayList<>();
        int offset = 0;
        for (var lines : cases().values()) {
            int dx = 1000 * offset++;
            for (TopologyLine l : lines) {
                TopologyLine moved = shifted(l, dx);
                all.add(new TopologyLine(null, l.sourceKey() + "@" + dx, moved.geometry(), l.level(), l.layer(),
                        l.direction(), null, null, l.attributes()));
            }
        }
        Map<String, Geometry> byKey = new LinkedHashMap<>();
        all.forEach(l -> byKey.put(l.sourceKey(), l.geometry()));
        List<Finding> findings = new Validator(OPTIONS).validate(all);
        assertEquals(true, findings.size() > all.size(), "every case has findings");
        for (Finding f : findings) {
            var sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(f.rule().id().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sha.update(f.location().toText().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            new java.util.TreeSet<>(f.sourceKeys().stream().map(k -> byKey.get(k).toText()).toList())
                    .forEach(text -> sha.update(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertEquals(java.util.HexFormat.of().formatHex(java.util.Arrays.copyOf(sha.digest(), 16)), f.fingerprint(),
                    f.rule() + " " + f.sourceKeys());
        }
    }

    @Test
    void onlyTheRulesAskedForRun() {
        var options = OPTIONS.withRules(java.util.Set.of(Rule.CROSSING_WITHOUT_JUNCTION));
        var findings = new Validator(options).validate(cases().get(
                "crossing-without-junction dead-end dead-end dead-end dead-end"));
        assertEquals(List.of("crossing-without-junction"), rules(findings));
    }

    static TopologyLine shifted(TopologyLine l, int dx) {
        Geometry g = l.geometry().copy();
        g.apply((org.locationtech.jts.geom.CoordinateFilter) c -> c.x += dx);
        g.geometryChanged();
        return new TopologyLine(l.elementId(), l.sourceKey(), g, l.level(), l.layer(), l.direction(),
                l.fromJunction(), l.toJunction(), l.attributes());
    }

    static List<String> sorted(String expected) {
        return java.util.Arrays.stream(expected.replaceFirst("^.*: ", "").split(" ")).sorted().toList();
    }

    static List<String> rules(List<Finding> findings) {
        return findings.stream().map(f -> f.rule().id()).sorted().toList();
    }


    @Test
    void findingsAreHandedOverWhileTheRunGoesOnNotHeldUntilItsEnd() {
        // given more lines with a repeated vertex than a run holds findings: each is a finding of the first stage
        List<TopologyLine> lines = new ArrayList<>();
        for (int i = 0; i < 2 * Validator.BATCH + 10; i++) {
            lines.add(line("v" + i, "LINESTRING(" + 20 * i + " 0, " + 20 * i + " 5, " + 20 * i + " 5, " + 20 * i + " 10)"));
        }
        List<Finding> received = new ArrayList<>();
        Map<Double, Integer> receivedBy = new LinkedHashMap<>();

        // when validated into a sink, noting how many findings had arrived as each stage ended
        new Validator(OPTIONS).validate(lines, null, null, null, progress -> receivedBy.put(progress, received.size()),
                received::add);

        // then two full batches had arrived before the pairs of lines were even looked at (progress 0.4) ...
        assertEquals(2 * Validator.BATCH, receivedBy.get(0.4));
        // ... and in the end every finding arrived once, the same as when they are returned together
        assertEquals(new Validator(OPTIONS).validate(lines).stream().map(Finding::fingerprint).toList(),
                received.stream().map(Finding::fingerprint).toList());
        assertEquals(2 * Validator.BATCH + 10, received.stream().filter(f -> f.rule() == Rule.DUPLICATE_VERTEX).count());
    }

    @Test
    void aRunLeavesNothingOfItsLinesInTheThreadsThatFingerprintedItsFindings() throws Exception {
        // given lines with enough findings to be fingerprinted on the common pool's threads
        List<TopologyLine> lines = new ArrayList<>();
        for (int i = 0; i < 2 * Validator.BATCH; i++) {
            lines.add(line("v" + i, "LINESTRING(" + 20 * i + " 0, " + 20 * i + " 5, " + 20 * i + " 5, " + 20 * i + " 10)"));
        }
        WeakReference<List<TopologyLine>> validated = new WeakReference<>(lines);

        // when they are validated and let go
        assertEquals(2 * Validator.BATCH, new Validator(OPTIONS).validate(lines).stream()
                .filter(f -> f.rule() == Rule.DUPLICATE_VERTEX).count());
        lines = null;

        // then nothing keeps them (a thread-local digest per run kept every part of a large import in every thread)
        for (int i = 0; i < 50 && !validated.refersTo(null); i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(validated.refersTo(null), "the validated lines are still reachable");
    }
}
