package it.firenze.streetcad.topology;

import it.firenze.streetcad.db.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.index.strtree.STRtree;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static it.firenze.streetcad.topology.WktTextTest.assertWrittenAsJts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given the Florence OSM sample as raw lines, building the network yields a junction-to-junction network; and
 * validating it, every element's and every finding's place is written as {@link Geometry#toText()} writes it, and every
 * finding keeps the fingerprint accepted issues were kept by (README "Topology", sql/V30): the first 16 bytes of
 * SHA-256 over the rule's id, the place's WKT and the sorted, distinct WKTs of the elements involved, each written by
 * JTS.
 */
class FlorenceNetworkTest {

    static Database db;
    static List<TopologyLine> lines;

    @BeforeAll
    static void load() throws Exception {
        db = FlorenceSample.newCadastre();
        try (Connection c = db.connection()) {
            lines = new TopologyReader(db).elements(c, null);
        }
    }

    @AfterAll
    static void close() {
        db.close();
    }

    /**
     * PostGIS's ST_Node dissolves overlapping linework and nodes a line's own crossings, which the builder reports
     * instead of splitting; on the at-grade lines of the central Florence that are simple and overlap no other line,
     * both must give the same pieces. ST_Node on the whole city takes over a minute, hence the area.
     */
    @Test
    void atGradeNodingOfTheCentreMatchesPostgisStNode() throws Exception {
        String centre = "ST_Transform(ST_MakeEnvelope(11.22, 43.75, 11.29, 43.80, 4326), 6707)";
        String clean = "SELECT id, geom FROM road_element r WHERE level = 'at_grade' AND ST_CoveredBy(geom, " + centre
                + ") AND ST_IsSimple(geom) AND NOT EXISTS (SELECT 1 FROM road_element o WHERE o.id <> r.id "
                + "AND o.level = 'at_grade' AND o.geom && r.geom AND ST_Dimension(ST_Intersection(o.geom, r.geom)) = 1)";
        List<Long> ids = longs("SELECT id FROM (" + clean + ") c");
        List<TopologyLine> subset = lines.stream().filter(l -> ids.contains(l.elementId())).toList();
        Network n = new NetworkBuilder(0).build(subset);
        long postgis = longs("SELECT ST_NumGeometries(ST_Node(ST_Collect(geom))) FROM (" + clean + ") c").get(0);
        assertTrue(subset.size() > 500, "the centre has " + subset.size() + " clean lines");
        assertEquals(postgis, n.elements().size());
    }

    @Test
    void bridgesAndTunnelsAreNotNodedWithTheRoadsTheyCross() {
        Network n = new NetworkBuilder(NetworkBuilder.DEFAULT_TOLERANCE).build(lines);
        assertEquals(0, levelCrossingJunctions(n, lines), "junctions inside a bridge or tunnel crossing a road");
        assertTrue(n.elements().size() > lines.size() * 2, n.elements().size() + " elements from " + lines.size());
        assertTrue(n.junctions().stream().anyMatch(j -> j.degree() >= 4));

        List<TopologyLine> flattened = lines.stream().map(l -> l.withLevel("at_grade", 0)).toList();
        Network flat = new NetworkBuilder(NetworkBuilder.DEFAULT_TOLERANCE).build(flattened);
        assertTrue(levelCrossingJunctions(flat, lines) > 100, "ignoring levels would node the bridges");
    }

    /**
     * An edit's neighbourhood is validated alone, reading the lines around it but keeping only the findings about its
     * own elements: for small areas over the centre (some of them on the raw sample's overlaps, crossings and dead
     * ends), it must find exactly what a validation of the whole city finds about those elements.
     */
    @Test
    void aValidationOfASmallAreaFindsWhatTheWholeCitysValidationFindsAboutIt() throws Exception {
        ValidationOptions noIslands = ValidationOptions.defaults()
                .withRules(java.util.EnumSet.complementOf(java.util.EnumSet.of(Rule.ISLAND)));
        TopologyValidation validation = new TopologyValidation(db);
        List<Finding> whole = validation.run(null, noIslands, p -> { }).findings();
        int compared = 0;
        for (double lon = 11.245; lon < 11.265; lon += 0.0041) {
            for (double lat = 43.766; lat < 43.778; lat += 0.0033) {
                double[] bbox = {lon, lat, lon + 0.0006, lat + 0.0004};
                TopologyValidation.Report area = validation.run(bbox, noIslands, p -> { });
                Envelope box = new TopologyReader(db).toStorage(bbox);
                Set<String> expected = new java.util.TreeSet<>();
                for (Finding f : whole) {
                    boolean concerns = f.elementIds().isEmpty() ? box.intersects(f.location().getEnvelopeInternal())
                            : f.elementIds().stream().anyMatch(area.areaElements()::contains);
                    if (concerns) expected.add(f.rule().id() + " " + f.fingerprint());
                }
                Set<String> found = new java.util.TreeSet<>();
                area.findings().forEach(f -> found.add(f.rule().id() + " " + f.fingerprint()));
                assertEquals(expected, found, "the area " + java.util.Arrays.toString(bbox));
                compared += found.size();
            }
        }
        assertTrue(compared > 100, compared + " findings compared");
    }

    /**
     * Junctions where a bridge or tunnel piece and an at-grade piece meet although neither source line ends there:
     * a crossing at different levels turned into a junction.
     */
    private static long levelCrossingJunctions(Network n, List<TopologyLine> sources) {
        STRtree ends = new STRtree();
        for (TopologyLine l : sources) {
            Coordinate[] c = l.geometry().getCoordinates();
            ends.insert(new Envelope(c[0]), c[0]);
            ends.insert(new Envelope(c[c.length - 1]), c[c.length - 1]);
        }
        Map<Integer, Set<Boolean>> levelsAt = new HashMap<>();
        for (Network.Element e : n.elements()) {
            boolean elevated = !sources.get(e.source()).level().equals("at_grade");
            levelsAt.computeIfAbsent(e.from(), k -> new HashSet<>()).add(elevated);
            levelsAt.computeIfAbsent(e.to(), k -> new HashSet<>()).add(elevated);
        }
        return levelsAt.entrySet().stream().filter(en -> en.getValue().size() == 2).filter(en -> {
            Coordinate p = n.junctions().get(en.getKey()).point();
            Envelope near = new Envelope(p);
            near.expandBy(NetworkBuilder.DEFAULT_TOLERANCE);
            return ends.query(near).stream().noneMatch(o -> ((Coordinate) o).distance(p) <= NetworkBuilder.DEFAULT_TOLERANCE);
        }).count();
    }

    private static List<Long> longs(String sql) throws Exception {
        List<Long> out = new ArrayList<>();
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getLong(1));
        }
        return out;
    }

    @Test
    void everyElementIsWrittenAsJtsWritesIt() {
        WktText wkt = new WktText();
        for (TopologyLine line : lines) assertWrittenAsJts("element " + line.elementId(), wkt, line.geometry());
        assertTrue(lines.size() > 30_000, lines.size() + " elements");
    }

    @Test
    void everyFindingKeepsTheFingerprintJtsTextGives() throws Exception {
        Map<Long, Geometry> byId = new HashMap<>();
        for (TopologyLine line : lines) byId.put(line.elementId(), line.geometry());
        List<Finding> findings = new Validator(ValidationOptions.defaults()).validate(lines, null, null, p -> { });
        WktText wkt = new WktText();
        for (Finding f : findings) {
            assertWrittenAsJts(f.rule() + " at " + f.location(), wkt, f.location());
            assertEquals(jtsFingerprint(f, byId), f.fingerprint(), f.rule() + " of " + f.elementIds());
        }
        assertTrue(findings.size() > 20_000, findings.size() + " findings");
    }

    /** The fingerprint as it was first written, with JTS's WKT of each geometry. */
    static String jtsFingerprint(Finding f, Map<Long, Geometry> elements) throws Exception {
        TreeSet<String> involved = new TreeSet<>();
        for (Long id : f.elementIds()) involved.add(elements.get(id).toText());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(f.rule().id().getBytes(StandardCharsets.UTF_8));
        sha.update(f.location().toText().getBytes(StandardCharsets.UTF_8));
        for (String s : involved) sha.update(s.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(Arrays.copyOf(sha.digest(), 16));
    }
}
