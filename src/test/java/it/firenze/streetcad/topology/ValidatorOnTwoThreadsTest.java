package it.firenze.streetcad.topology;

import it.firenze.streetcad.db.Database;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static it.firenze.streetcad.topology.ValidatorRulesTest.OPTIONS;
import static it.firenze.streetcad.topology.ValidatorRulesTest.cases;
import static it.firenze.streetcad.topology.ValidatorRulesTest.shifted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A large run splits its work between two threads (each element's checks and the ends' in slices, the noding beside
 * the rest): it makes exactly the findings a run on one thread makes, fingerprints included, in the same order.
 */
class ValidatorOnTwoThreadsTest {

    @Test
    void aCraftedNetworkWithEveryDefectManyTimesOverGivesTheOneThreadFindingsInTheirOrder() {
        // given every defect of the rules' cases, 400 times over in a grid: more lines than a run splits from, in
        // several windows, with findings on every slice's edges
        List<TopologyLine> lines = new ArrayList<>();
        for (int copy = 0; copy < 400; copy++) {
            int offset = 0;
            for (List<TopologyLine> defect : cases().values()) {
                int dx = 1000 * offset++;
                for (TopologyLine l : defect) {
                    lines.add(shiftedNorth(shifted(l, dx), 100.0 * copy, l.sourceKey() + "@" + copy + "/" + dx));
                }
            }
        }
        assertTrue(lines.size() > 2 * Validator.PARALLEL_LINES, "lines: " + lines.size());

        // when validated with every rule, islands included, split and on one thread
        ValidationOptions options = new ValidationOptions(OPTIONS.tolerance(), OPTIONS.minLength(), OPTIONS.spikeAngle(),
                3, null);
        List<String> split = described(new Validator(options).validate(lines));
        List<String> oneThread = described(Validator.onOneThread(options).validate(lines));

        // then the findings are the same, in the same order
        assertTrue(oneThread.size() > lines.size(), "findings: " + oneThread.size());
        assertEquals(oneThread, split);
    }

    @Test
    void theFlorenceSampleAsAnImportChecksItGivesTheOneThreadFindingsInTheirOrder() throws Exception {
        try (Database florence = FlorenceSample.newCadastre(); Connection c = florence.connection()) {
            // given the 33,089 raw Florence lines staged as an import stages them
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMP TABLE staged_lines ON COMMIT DROP AS SELECT id AS feature_number, geom, level, "
                        + "layer, direction, functional_class FROM road_element");
            }
            List<TopologyLine> lines = TopologyReader.stagedLines(c, "staged_lines", 6707);
            c.rollback();

            // when validated with every rule as the import's check does, split and on one thread
            List<String> split = described(new Validator(ValidationOptions.defaults()).validate(lines));
            List<String> oneThread = described(Validator.onOneThread(ValidationOptions.defaults()).validate(lines));

            // then the findings are the same, in the same order
            assertEquals(33_089, lines.size());
            assertTrue(oneThread.size() > 40_000, "raw OSM lines meet everywhere: " + oneThread.size());
            assertEquals(oneThread, split);
        }
    }

    /** Everything a finding says, fingerprint included: equal lists are the same findings in the same order. */
    private static List<String> described(List<Finding> findings) {
        return findings.stream().map(f -> String.join(" | ", f.rule().id(), f.fingerprint(), f.explanation(),
                String.valueOf(f.parameters()), f.location().toText(), String.valueOf(f.elementIds()),
                String.valueOf(f.junctionIds()), String.valueOf(f.sourceKeys()))).toList();
    }

    private static TopologyLine shiftedNorth(TopologyLine l, double dy, String key) {
        var g = l.geometry().copy();
        g.apply((org.locationtech.jts.geom.CoordinateFilter) c -> c.y += dy);
        g.geometryChanged();
        return new TopologyLine(null, key, g, l.level(), l.layer(), l.direction(), null, null,
                l.attributes() == null ? Map.of() : l.attributes());
    }
}
