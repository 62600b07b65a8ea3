package it.firenze.streetcad.topology;

import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.api.JsonText;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.importer.StagedFinding;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Envelope;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given lines an importer has staged, the topology pre-commit check names the defective source records. */
class TopologyPreCommitCheckTest {

    Database db;

    @BeforeEach
    void open() {
        db = TestPostgis.newCadastre();
    }

    @AfterEach
    void close() {
        db.close();
    }

    List<StagedFinding> check(TopologyPreCommitCheck check) throws SQLException {
        return check(check, false);
    }

    /** The check of the lines below, staged in their order or, {@code reversed}, last first. */
    List<StagedFinding> check(TopologyPreCommitCheck check, boolean reversed) throws SQLException {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMP TABLE staged_lines (feature_number bigint, geom geometry(LineString, 6707), "
                        + "level text, layer smallint, direction text, functional_class text) ON COMMIT DROP");
            }
            String[][] rows = {{"1", "LINESTRING(0 0, 100 0)", "at_grade"}, {"2", "LINESTRING(100 0, 0 0)", "at_grade"},
                    {"3", "LINESTRING(200 0, 300 0, 300 100, 250 -50)", "at_grade"},
                    {"4", "LINESTRING(50 -50, 50 50)", "at_grade"}, {"5", "LINESTRING(70 -50, 70 50)", "bridge"}};
            try (PreparedStatement st = c.prepareStatement("INSERT INTO staged_lines VALUES (?, "
                    + "ST_GeomFromText(?, 6707), ?, CASE WHEN ? = 'bridge' THEN 1 ELSE 0 END, 'both', 'F')")) {
                for (String[] r : reversed ? List.of(rows).reversed() : List.of(rows)) {
                    st.setLong(1, Long.parseLong(r[0]));
                    st.setString(2, Lines.wkt(r[1]).toText());
                    st.setString(3, r[2]);
                    st.setString(4, r[2]);
                    st.executeUpdate();
                }
            }
            try {
                return check.check(c, "staged_lines", 6707);
            } finally {
                c.rollback();
            }
        }
    }

    static List<String> summary(List<StagedFinding> findings) {
        return findings.stream().filter(f -> !f.rule().equals("dead-end"))
                .map(f -> f.rule() + " " + f.severity() + " " + f.featureNumbers()).sorted().toList();
    }

    @Test
    void theSameLinesStagedInAnotherOrderGiveTheSameFindingsInTheSameOrder() throws Exception {
        for (TopologyPreCommitCheck check : List.of(TopologyPreCommitCheck.allRules(),
                TopologyPreCommitCheck.allRules().withPartsOf(2))) {
            List<String> inOrder = check(check, false).stream().map(TopologyPreCommitCheckTest::said).toList();
            List<String> reversed = check(check, true).stream().map(TopologyPreCommitCheckTest::said).toList();
            assertEquals(inOrder, reversed, "the findings follow the source's order, not the table's");
        }
    }

    private static String said(StagedFinding f) {
        return f.rule() + " " + f.featureNumbers() + " " + f.explanation();
    }

    @Test
    void beforeANetworkBuildOnlyWhatTheBuildCannotResolveIsReported() throws Exception {
        List<StagedFinding> findings = check(TopologyPreCommitCheck.beforeNetworkBuild());
        assertEquals(List.of("duplicate-element error [1, 2]", "island warning [3]", "island warning [5]",
                "self-intersection error [3]"), summary(findings));
        assertTrue(findings.stream().allMatch(f -> f.location().getSRID() == 6707 || f.location().getSRID() == 0));
    }

    @Test
    void checkedInPartsTheRawFlorenceLinesGiveTheFindingsOfTheWholeCheckOnceEachButIslands() throws Exception {
        withFlorenceStaged(c -> {
            List<StagedFinding> whole = TopologyPreCommitCheck.allRules().check(c, "staged_lines", 6707);
            // about 3,000 lines a part: 5 × 5 tiles over the 33,089 lines, with every kind of finding on their seams
            List<StagedFinding> parts = TopologyPreCommitCheck.allRules().withPartsOf(3_000).check(c, "staged_lines", 6707);

            assertTrue(whole.size() > 40_000, "raw OSM lines meet everywhere: " + whole.size());
            assertEquals(fingerprints(whole.stream().filter(f -> !f.rule().equals("island")).toList()),
                    fingerprints(parts.stream().filter(f -> !f.rule().equals(TopologyPreCommitCheck.NOT_CHECKED)).toList()));
            assertEquals(1, parts.stream().filter(f -> f.rule().equals(TopologyPreCommitCheck.NOT_CHECKED)).count());
            assertTrue(parts.stream().filter(f -> f.rule().equals(TopologyPreCommitCheck.NOT_CHECKED)).findFirst()
                    .orElseThrow().explanation().startsWith("islands were not looked for: the 33,089 lines were checked in "));
        });
    }

    @Test
    void checkedInPartsTheStagedLinesAreScannedWholeTwiceNotOnceForEachPart() throws Exception {
        withFlorenceStaged(c -> {
            // given the raw Florence lines staged, with the statistics an import gathers on them, when checked in
            // parts (5 × 5 tiles)
            try (Statement st = c.createStatement()) {
                st.execute("ANALYZE staged_lines");
            }
            long before = scans(c, "seq_scan");
            TopologyPreCommitCheck.allRules().withPartsOf(3_000).check(c, "staged_lines", 6707);

            // then the table was read whole to size it and to index it; each part was read through the index
            assertEquals(2, scans(c, "seq_scan") - before);
        });
    }

    /** The middle ninth of the staged Florence lines' extent (EPSG:6707). */
    private static final Envelope MIDDLE = new Envelope(679_000, 682_000, 4_846_000, 4_849_000);

    @Test
    void aPartIsReadThroughTheIndexOnceItsLinesWeighedAsTheyAreRead() throws Exception {
        withFlorenceStaged(c -> {
            // given the raw Florence lines staged, analyzed and indexed as a check in parts has them
            TopologyReader.indexStagedLines(c, "staged_lines");
            try (Statement st = c.createStatement()) {
                st.execute("ANALYZE staged_lines");
            }
            long before = scans(c, "idx_scan");
            // when the lines of one part are read
            List<TopologyLine> lines = TopologyReader.stagedLines(c, "staged_lines", 6707, MIDDLE);
            // then the index was read once (no statement of its own to count them first), and every line came
            assertEquals(1, scans(c, "idx_scan") - before);
            assertEquals(sizeOf(c, MIDDLE)[0], lines.size());
            assertTrue(lines.size() > 1_000, lines.size() + " lines");
        });
    }

    @Test
    void aPartTooLargeForTheHeapIsRefusedSayingHowLargeItIs() throws Exception {
        withFlorenceStaged(c -> {
            // given the raw Florence lines staged, and a JVM of 2 MB
            long heap = 2L << 20;
            // when the lines of one part are read
            HeapTooSmallException refused = assertThrows(HeapTooSmallException.class,
                    () -> TopologyReader.stagedLines(c, "staged_lines", 6707, MIDDLE, heap));
            // then the refusal gives all of the part's lines and vertices, not those read when the heap ran short
            long[] size = sizeOf(c, MIDDLE);
            assertEquals(HeapBudget.shortfall(size[0], size[1], heap).orElseThrow(), refused.getMessage());
        });
    }

    /** The staged lines meeting {@code box} and their vertices, as PostGIS counts them. */
    private static long[] sizeOf(Connection c, Envelope box) throws SQLException {
        try (Statement st = c.createStatement(); var rs = st.executeQuery("SELECT count(*), sum(ST_NPoints(geom)) FROM "
                + "staged_lines WHERE geom && ST_MakeEnvelope(" + box.getMinX() + ", " + box.getMinY() + ", "
                + box.getMaxX() + ", " + box.getMaxY() + ", 6707)")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /** The staged lines' scans of a kind (pg_stat_xact_user_tables' seq_scan, idx_scan) in this transaction. */
    private static long scans(Connection c, String kind) throws SQLException {
        try (Statement st = c.createStatement(); var rs = st.executeQuery("SELECT coalesce(" + kind + ", 0) FROM "
                + "pg_stat_xact_user_tables WHERE relid = 'staged_lines'::regclass")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void inPartsEachPartsFindingsFlowToTheSinkAsTheyAreMadeAndEveryOneArrivesOnce() throws Exception {
        withFlorenceStaged(c -> {
            // given every finding of the whole check (an end without a junction is no finding of it: V28 derives it)
            List<StagedFinding> whole = new ArrayList<>();
            TopologyPreCommitCheck.allRules().check(c, "staged_lines", 6707, whole::add);
            // when checked in parts of at most 3,000 lines (some 4,000 findings each) through queues of 64
            TopologyPreCommitCheck inParts = TopologyPreCommitCheck.allRules().withPartsOf(3_000).withQueuesOf(64);
            List<StagedFinding> parts = new ArrayList<>();
            inParts.check(c, "staged_lines", 6707, parts::add);

            // then no more than a queue's worth per part being validated was ever held on the way to the sink ...
            assertTrue(whole.size() > 45_000, "raw OSM lines meet everywhere: " + whole.size());
            assertTrue(inParts.mostHeld > 0 && inParts.mostHeld <= 4 * (64 + 1), "held at once: " + inParts.mostHeld);
            // ... and every finding arrived once, those on the seams of parts included (islands aside)
            assertEquals(fingerprints(whole.stream().filter(f -> !f.rule().equals("island")).toList()),
                    fingerprints(parts.stream().filter(f -> !f.rule().equals(TopologyPreCommitCheck.NOT_CHECKED)).toList()));
        });
    }

    @Test
    void theRawFlorenceLinesGiveTheFindingsTheyGaveBeforeTheCheckWasMadeCheaperEveryOneOfThemAsItWas() throws Exception {
        withFlorenceStaged(c -> {
            // given the raw Florence lines checked with every rule
            List<StagedFinding> findings = TopologyPreCommitCheck.allRules().check(c, "staged_lines", 6707);
            // then each finding's figures are written as the mapper wrote them (the findings' COPY writes them so) ...
            for (StagedFinding f : findings) {
                assertEquals(Json.mapper().writeValueAsString(f.parameters()), JsonText.object(f.parameters()), f.toString());
            }
            // ... and the counts by rule, and every finding (rule, severity, explanation, features, place, figures and
            // fingerprint), are those the code of 5de72c4 (main before session 15) gave, recorded here as a digest; the
            // figures by name, as jsonb keeps them (a Map.of's order changes from one JVM to the next)
            Map<String, Long> byRule = new TreeMap<>(findings.stream()
                    .collect(Collectors.groupingBy(StagedFinding::rule, Collectors.counting())));
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String f : findings.stream().map(f -> String.join("|", f.rule(), f.severity(), f.explanation(),
                    f.featureNumbers().toString(), f.location() == null ? "" : f.location().toText(),
                    JsonText.object(new TreeMap<>(f.parameters())), String.valueOf(f.fingerprint()))).sorted().toList()) {
                sha.update(f.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            String digest = HexFormat.of().formatHex(sha.digest());
            assertEquals("{crossing-without-junction=9185, dead-end=5982, duplicate-element=1, endpoint-on-interior=23789, "
                    + "island=112, mergeable-pseudo-node=5198, one-way-dead-end=80, overlapping-elements=28, overshoot=10, "
                    + "pseudo-node=1809, self-intersection=152, spike=3, too-short=71, undershoot=30}", byRule.toString());
            assertEquals("c1cffee76deb5d6ed655310376a0a8564d075bba0e1d522d03dbb41f5077cfb2", digest);
        });
    }

    @Test
    void theRawFlorenceLinesFindingsReachTheSinkInTheOrderTheCheckOnOneThreadGaveThem() throws Exception {
        withFlorenceStaged(c -> {
            // given the raw Florence lines checked with every rule, whole (they fit in the heap), on a machine's cores
            List<StagedFinding> findings = TopologyPreCommitCheck.allRules().check(c, "staged_lines", 6707);
            // then the sink received them in the order the check made them on one thread at main's 65b9d6b, recorded
            // as a digest of the list as it came (rule, features, place and fingerprint of each, in turn): a check
            // made faster, its phases on several cores say, must hand them over in that order still
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (StagedFinding f : findings) {
                sha.update(String.join("|", f.rule(), f.featureNumbers().toString(),
                        f.location() == null ? "" : f.location().toText(), String.valueOf(f.fingerprint()))
                        .getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            assertEquals(46_450, findings.size());
            assertEquals("bcce1dbd787cced377852e7b0ee80e45884d5a47fc3706f0eb02b2456a9b91fe", HexFormat.of().formatHex(sha.digest()));
        });
    }

    /** Runs {@code check} on the raw Florence lines staged as an import stages them, in a transaction rolled back. */
    private static void withFlorenceStaged(StagedCheck check) throws Exception {
        try (Database florence = FlorenceSample.newCadastre(); Connection c = florence.connection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMP TABLE staged_lines ON COMMIT DROP AS SELECT id AS feature_number, geom, level, layer, "
                        + "direction, functional_class FROM road_element");
            }
            try {
                check.run(c);
            } finally {
                c.rollback();
            }
        }
    }

    private interface StagedCheck {
        void run(Connection c) throws Exception;
    }

    /** Each finding as rule, features and place, sorted: equal lists are the same findings, each said as often. */
    private static List<String> fingerprints(List<StagedFinding> findings) {
        return findings.stream().map(f -> f.rule() + " " + f.featureNumbers() + " " + f.location().toText()).sorted().toList();
    }

    @Test
    void withEveryRuleTheUnsplitCrossingIsReportedButNotTheBridge() throws Exception {
        assertEquals(List.of("crossing-without-junction error [1, 4]", "duplicate-element error [1, 2]",
                "island warning [3]", "island warning [5]", "self-intersection error [3]"),
                summary(check(TopologyPreCommitCheck.allRules())));
    }
}
