package it.firenze.streetcad.topology;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given a stored network with one of each fixable defect, the validation finds exactly those; each safe fix previews
 * its changes without making them, applies them, and after all of them a second validation is clean.
 */
class TopologyFixesTest {

    /** Islands off: the hand-made groups are apart on purpose. */
    static final ValidationOptions OPTIONS = new ValidationOptions(0.5, 1.0, 10.0, 1, null);

    Database db;
    Cadastre cadastre;
    TopologyFixes fixes;

    @BeforeEach
    void open() throws Exception {
        db = TestPostgis.newCadastre();
        cadastre = new Cadastre(db);
        fixes = new TopologyFixes(db);
        cadastre.oneDefectForEachSafeFix();
    }

    @AfterEach
    void close() {
        db.close();
    }

    List<String> findings() throws Exception {
        return new TopologyValidation(db).run(null, OPTIONS, p -> { }).findings().stream()
                .filter(f -> f.severity() != Severity.INFO && f.rule() != Rule.ENDPOINT_OFF_JUNCTION)
                .map(f -> f.rule().id()).sorted().toList();
    }

    @Test
    void theSafeFixesRemoveEveryDefectAndASecondValidationIsClean() throws Exception {
        assertEquals(List.of("crossing-without-junction", "duplicate-element", "duplicate-vertex",
                "mergeable-pseudo-node", "undershoot"), findings());

        assertEquals(Map.of("update", 1), fixes.apply(TopologyFixes.Fix.REMOVE_DUPLICATE_VERTICES, null, 0.5, Actor.system("test")).counts());
        assertEquals(Map.of("delete", 1), fixes.apply(TopologyFixes.Fix.DELETE_DUPLICATES, null, 0.5, Actor.system("test")).counts());
        fixes.apply(TopologyFixes.Fix.SNAP_ENDPOINTS, null, 0.5, Actor.system("test"));
        assertEquals(Map.of("delete", 1, "update", 1), fixes.apply(TopologyFixes.Fix.MERGE_PSEUDO_NODES, null, 0.5, Actor.system("test")).counts());

        assertEquals(List.of(), findings());
        var report = new TopologyValidation(db).run(null, OPTIONS, p -> { });
        assertTrue(report.findings().stream().allMatch(f -> f.rule() == Rule.DEAD_END), report.findings().toString());
        assertEquals(List.of("west 200"), cadastre.strings("SELECT source_key || ' ' || round(length_m) FROM live_road_element "
                + "WHERE source_key IN ('west', 'east')"));
        assertTrue(cadastre.count("SELECT count(*) FROM road_element_history") > 0, "the history records the fixes");
    }

    @Test
    void aPreviewShowsTheChangesAsGeoJsonAndChangesNothing() throws Exception {
        TopologyFixes.Plan plan = fixes.preview(TopologyFixes.Fix.SPLIT_AT_CROSSINGS, null, 0.5);
        assertEquals(Map.of("insert", 2, "update", 3), plan.counts(),
                "cross1 and cross2 split in two, the repeated vertex dropped");
        String geojson = fixes.toGeoJson(plan);
        assertTrue(geojson.startsWith("{\"type\":\"FeatureCollection\",\"fix\":\"split-at-crossings\""), geojson);
        assertTrue(geojson.contains("\"action\":\"insert\""), geojson);
        assertEquals(8, cadastre.count("SELECT count(*) FROM road_element"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM junction"));
    }

    @Test
    void anAppliedFixReJudgesTheOpenIssuesAroundItAndAPreviewLeavesThemAlone() throws Exception {
        TopologyValidation validation = new TopologyValidation(db);
        validation.complete(validation.begin(null, OPTIONS, Actor.system("test")), null, OPTIONS);
        String duplicates = "SELECT count(*) FROM topology_issue WHERE rule = 'duplicate-element'";
        assertEquals(1, cadastre.count(duplicates));

        TopologyFixes.Plan preview = fixes.preview(TopologyFixes.Fix.DELETE_DUPLICATES, null, 0.5);
        assertEquals(null, preview.validationId());
        assertEquals(1, cadastre.count(duplicates));

        TopologyFixes.Plan applied = fixes.apply(TopologyFixes.Fix.DELETE_DUPLICATES, null, 0.5, Actor.system("test"));
        assertTrue(applied.validationId() != null, "the apply recorded a re-validation");
        assertEquals(0, cadastre.count(duplicates), "the deleted duplicate's issue is gone");
        assertEquals(1, cadastre.count("SELECT count(*) FROM topology_validation WHERE id = " + applied.validationId()
                + " AND status = 'succeeded'"));
    }

    @Test
    void mergingMovesTheEventsOfTheMergedElementOntoTheKeptOne() throws Exception {
        fixes.apply(TopologyFixes.Fix.SNAP_ENDPOINTS, null, 0.5, Actor.system("test"));
        long east = cadastre.count("SELECT id FROM road_element WHERE source_key = 'east'");
        cadastre.execute("INSERT INTO element_event (element_id, from_m, to_m, kind) VALUES (" + east + ", 10, 30, 'works')");
        fixes.apply(TopologyFixes.Fix.MERGE_PSEUDO_NODES, null, 0.5, Actor.system("test"));
        assertEquals(List.of("west works 110-130"), cadastre.strings("SELECT e.source_key || ' ' || ev.kind || ' ' "
                + "|| ev.from_m || '-' || ev.to_m FROM element_event ev JOIN road_element e ON e.id = ev.element_id"));
    }
}
