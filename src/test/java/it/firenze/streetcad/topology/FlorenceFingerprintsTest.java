package it.firenze.streetcad.topology;

import it.firenze.streetcad.db.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import static it.firenze.streetcad.topology.WktTextTest.assertWrittenAsJts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given the Florence sample, every element's and every finding's place is written as {@link Geometry#toText()}
 * writes it, and every finding's fingerprint is the one accepted issues were kept by (README "Topology", sql/V30):
 * the first 16 bytes of SHA-256 over the rule's id, the place's WKT and the sorted, distinct WKTs of the elements
 * involved, each written by JTS.
 */
class FlorenceFingerprintsTest {

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

    @Test
    void everyElementIsWrittenAsJtsWritesIt() {
        WktText wkt = new WktText();
        for (TopologyLine line : lines) assertWrittenAsJts("element " + line.elementId(), wkt, line.geometry());
        assertTrue(lines.size() > 30_000, lines.size() + " elements");
    }

    @Test
    void everyFindingKeepsTheFingerprintJtsTextGives() throws Exception {
        Map<Long, Geometry> byId = lines.stream().collect(Collectors.toMap(TopologyLine::elementId,
                TopologyLine::geometry));
        List<Finding> findings = new Validator(ValidationOptions.defaults()).validate(lines, null, null, p -> { });
        WktText wkt = new WktText();
        for (Finding f : findings) {
            assertWrittenAsJts(f.rule() + " at " + f.location(), wkt, f.location());
            assertEquals(jtsFingerprint(f, byId::get), f.fingerprint(), f.rule() + " of " + f.elementIds());
        }
        assertTrue(findings.size() > 20_000, findings.size() + " findings");
    }

    /** The fingerprint as it was first written, with JTS's WKT of each geometry. */
    static String jtsFingerprint(Finding f, Function<Long, Geometry> element) throws Exception {
        TreeSet<String> involved = new TreeSet<>();
        for (Long id : f.elementIds()) involved.add(element.apply(id).toText());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(f.rule().id().getBytes(StandardCharsets.UTF_8));
        sha.update(f.location().toText().getBytes(StandardCharsets.UTF_8));
        for (String s : involved) sha.update(s.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(Arrays.copyOf(sha.digest(), 16));
    }
}
