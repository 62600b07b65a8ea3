package it.firenze.streetcad.importer;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestPostgis;
import it.firenze.streetcad.topology.Rule;
import it.firenze.streetcad.topology.TopologyValidation;
import it.firenze.streetcad.topology.ValidationOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Validate once (issue 17): given an import checked before its commit, the check's findings become the cadastre's
 * open issues at the commit, and only the seams with the network already there are validated again.
 */
class ImportFindingsRecordedTest {

    /** Every rule a re-validation around a change judges (islands need the whole network). */
    static final ValidationOptions AROUND = ValidationOptions.defaults().withRules(EnumSet.complementOf(EnumSet.of(Rule.ISLAND)));

    @TempDir
    Path tmp;
    Database db;
    Cadastre cadastre;

    @BeforeEach
    void open() {
        db = TestPostgis.newCadastre();
        cadastre = new Cadastre(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    ImportReport importBox(String name, double west, double south, double east, double north) {
        return FlorenceBoxes.importBox(db, tmp, name, west, south, east, north);
    }

    /** The open issues, or a validation's findings, as rule, element ids (sorted) and fingerprint, sorted. */
    List<String> openIssues() {
        return cadastre.rows("SELECT rule || ' ' || (SELECT coalesce(string_agg(x::text, ',' ORDER BY x), '') "
                + "FROM unnest(element_ids) x) || ' ' || fingerprint FROM open_topology_issue ORDER BY 1");
    }

    List<String> validatedAfresh() throws Exception {
        return new TopologyValidation(db).run(null, AROUND, p -> { }).findings().stream()
                .map(f -> f.rule().id() + " " + f.elementIds().stream().sorted().map(String::valueOf)
                        .collect(Collectors.joining(",")) + " " + f.fingerprint()).sorted().toList();
    }

    /** How many elements the validations after {@code id} read and judged again. */
    long elementsValidatedAfter(long id) {
        return cadastre.count("SELECT coalesce(sum((counts->>'elements')::bigint), 0) FROM topology_validation WHERE id > " + id);
    }

    long lastValidation() {
        return cadastre.count("SELECT coalesce(max(id), 0) FROM topology_validation");
    }

    @Test
    void intoAnEmptyCadastreTheChecksFindingsAreTheOpenIssuesWithNoElementValidatedAgain() throws Exception {
        // Given an empty cadastre, when about 600 lines around the Duomo are imported and committed
        ImportReport report = importBox("duomo", 11.2530, 43.7715, 11.2580, 43.7745);
        long lines = cadastre.count("SELECT count(*) FROM live_road_element");
        assertTrue(lines > 100, "lines: " + lines);

        // Then one validation recorded the check's findings and validated no element again
        assertEquals(List.of("succeeded|0|" + cadastre.count("SELECT count(*) FROM topology_issue")),
                cadastre.rows("SELECT status || '|' || (counts->>'elements') || '|' || (counts->>'recorded_from_import_check') "
                        + "FROM topology_validation"));
        assertEquals(0, elementsValidatedAfter(0));
        // and it counted every end without a junction the cadastre derives (every live element is the import's)
        assertEquals(cadastre.count("SELECT count(*) FROM open_topology_issue WHERE id < 0"),
                cadastre.count("SELECT (counts->>'derived_from_cadastre')::bigint FROM topology_validation"));
        // and the open issues are exactly what validating the cadastre afresh finds (islands aside)
        List<String> open = openIssues();
        assertTrue(open.size() > 50, "a raw OSM extract has findings: " + open.size());
        assertEquals(validatedAfresh(), open);
        // and every finding the report counted (islands aside) is one of them: the same counts by rule
        report.findingsByRule().forEach((rule, count) -> {
            if (rule.startsWith("island ")) return;
            assertEquals(count.longValue(), cadastre.count("SELECT count(*) FROM topology_issue WHERE rule || ' (' || "
                    + "severity || ')' = '" + rule + "'"), rule);
        });
    }

    @Test
    void besideTheNetworkAlreadyThereOnlyItsSeamsAreValidatedAgain() throws Exception {
        // Given the lines of one block imported, with their open issues recorded
        importBox("west", 11.2450, 43.7700, 11.2555, 43.7760);
        long before = lastValidation();
        long westLines = cadastre.count("SELECT count(*) FROM live_road_element");

        // When the lines of the block east of it are imported, those crossing the seam meeting their western halves
        importBox("east", 11.2555, 43.7700, 11.2660, 43.7760);

        // Then the recording counted the ends without a junction of the eastern lines only, not of the western
        long derivedOfTheEast = cadastre.count("SELECT (counts->>'derived_from_cadastre')::bigint FROM topology_validation "
                + "WHERE id = (SELECT min(id) FROM topology_validation WHERE id > " + before + ")");
        long derivedOfAll = cadastre.count("SELECT count(*) FROM open_topology_issue WHERE id < 0");
        assertTrue(derivedOfTheEast > 0 && derivedOfTheEast < derivedOfAll, derivedOfTheEast + " of " + derivedOfAll);
        // and only elements near the seam were read and judged again, fewer than either block holds
        long validatedAgain = elementsValidatedAfter(before);
        long all = cadastre.count("SELECT count(*) FROM live_road_element");
        assertTrue(validatedAgain > 0 && validatedAgain < westLines && validatedAgain < all - westLines,
                validatedAgain + " elements validated again of " + westLines + " + " + (all - westLines) + " in "
                        + cadastre.rows("SELECT counts->>'elements' FROM topology_validation WHERE id > " + before));
        // and the open issues are still exactly what validating the whole cadastre afresh finds
        assertEquals(validatedAfresh(), openIssues());
    }
}
