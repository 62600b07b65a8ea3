package it.firenze.streetcad.importer;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import it.firenze.streetcad.topology.TopologyPreCommitCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given the Florence sample uploaded and checked but not committed, {@code GET /imports/{id}/features} and
 * {@code …/findings} show what it would bring, as GeoJSON in CRS84, before the commit: the staged lines where GDAL
 * reads them, and the check's findings where they are.
 */
class StagedPreviewHttpTest {

    /** Around the Duomo, in lon/lat. */
    static final String DUOMO = "11.2540,43.7720,11.2585,43.7745";

    @TempDir
    static Path tmp;
    static Database db;
    static ImportJobs jobs;
    static TestHttp http;
    static long checked;

    @BeforeAll
    static void start() throws Exception {
        db = TestPostgis.newCadastre();
        jobs = new ImportJobs(db, List.of(TopologyPreCommitCheck.allRules()), 2);
        http = TestHttp.withKey(db, Role.TECHNICIAN, new ImportHttpModule(jobs, 64L << 20));
        var created = ImportHttpTest.upload(http, Gdal.zipLayer(Gdal.FLORENCE, tmp.resolve("florence.zip")), Map.of("mapping", "osm"));
        assertEquals(202, created.statusCode(), created.body());
        checked = TestHttp.json(created).get("id").asLong();
        assertEquals("validated", ImportHttpTest.awaitJob(http, checked, "queued", "staging").get("state").asText());
    }

    @AfterAll
    static void stop() {
        http.close();
        jobs.close();
        db.close();
    }

    static JsonNode geoJson(String path) {
        HttpResponse<String> r = http.get(path);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/geo+json", r.headers().firstValue("Content-Type").orElse("").replaceFirst(";.*", ""));
        return TestHttp.json(r);
    }

    @Test
    void theStagedLinesInABoxAreWhereGdalReadsThemInTheSourceInFeatureOrder() throws Exception {
        JsonNode page = geoJson("/imports/" + checked + "/features?bbox=" + DUOMO + "&limit=20");
        assertEquals(20, page.get("numberReturned").asInt());
        assertTrue(page.get("limited").asBoolean(), "more than 20 lines are staged around the Duomo");
        JsonNode gdal = Gdal.features(Gdal.FLORENCE, tmp);
        long previous = 0;
        for (JsonNode f : page.get("features")) {
            long n = f.get("properties").get("feature_number").asLong();
            assertTrue(n > previous, "in feature order");
            previous = n;
            assertEquals(n, f.get("id").asLong());
            assertFalse(f.get("properties").get("rejected").asBoolean());
            // Feature numbers count from 1 in the file's order, as GDAL's FIDs count from 0.
            JsonNode expected = gdal.get((int) n - 1).get("geometry").get("coordinates");
            JsonNode staged = f.get("geometry").get("coordinates");
            assertEquals(expected.size(), staged.size(), "feature " + n + "'s vertices");
            for (int i = 0; i < expected.size(); i++) {
                for (int axis = 0; axis < 2; axis++) {
                    assertEquals(expected.get(i).get(axis).asDouble(), staged.get(i).get(axis).asDouble(), 1e-6,
                            "feature " + n + ", vertex " + i + " (reprojected to the storage CRS and back)");
                }
            }
        }
    }

    @Test
    void theChecksFindingsInABoxAreGivenWithTheirRuleSeverityAndFeatures() {
        JsonNode page = geoJson("/imports/" + checked + "/findings?bbox=" + DUOMO);
        assertTrue(page.get("numberReturned").asInt() > 0, "the raw OSM lines around the Duomo have findings");
        for (JsonNode f : page.get("features")) {
            JsonNode p = f.get("properties");
            assertFalse(p.get("rule").asText().isEmpty());
            assertTrue(List.of("error", "warning", "info").contains(p.get("severity").asText()), p.toString());
            assertTrue(p.get("feature_numbers").size() > 0, p.toString());
            double lon = firstLon(f.get("geometry"));
            assertTrue(lon > 11.25 && lon < 11.26, "located in the box, in lon/lat: " + f.get("geometry"));
        }
    }

    private static double firstLon(JsonNode geometry) {
        JsonNode c = geometry.get("coordinates");
        while (c.get(0).isArray()) c = c.get(0);
        return c.get(0).asDouble();
    }

    @Test
    void aBoxIsAnsweredAsTheLinesAndFindingsWhoseExtentInLonLatMeetsItInsideOrAcrossTheStorageCrsAreaOfUse() {
        // given boxes inside the storage CRS's area of use (Italy west of 12°E), across its edge, and the whole world
        Cadastre cadastre = new Cadastre(db);
        StagingTable staging = new StagingTable(checked);
        for (String box : List.of(DUOMO, "11.2,43.76,11.3,43.8", "11.99,43.7,12.01,43.8", "11.24,43.7,12.5,43.8",
                "-180,-90,180,90")) {
            // when asked for their lines and findings
            List<Long> features = numbers(geoJson("/imports/" + checked + "/features?bbox=" + box + "&limit=10000"), "feature_number");
            List<Long> findings = numbers(geoJson("/imports/" + checked + "/findings?bbox=" + box + "&limit=10000"), null);
            // then they are those whose lon/lat extent meets the box, every row reprojected to tell (the first 10,000)
            String envelope = "ST_MakeEnvelope(" + box + ", 4326)";
            assertEquals(cadastre.rows("SELECT feature_number FROM " + staging.name() + " WHERE ST_Transform(geom, 4326) && "
                    + envelope + " ORDER BY feature_number LIMIT 10000").stream().map(Long::valueOf).toList(), features, box);
            assertEquals(Math.min(10_000, cadastre.count("SELECT count(*) FROM " + staging.findings().findings()
                    + " WHERE ST_Transform(location, 4326) && " + envelope)), findings.size(), box);
        }
    }

    @Test
    void aBoxReprojectsOnlyTheRowsNearItSoARowThatCannotBeReprojectedFarAwaySpoilsNoAnswer() {
        // given a staged row 30,000 km east of Florence, which no transformation brings back to lon/lat
        Cadastre cadastre = new Cadastre(db);
        String staging = new StagingTable(checked).name();
        cadastre.execute("INSERT INTO " + staging + " (feature_number, geom) VALUES (-1, ST_SetSRID("
                + "'LINESTRING(30000000 4850000, 30000000 4850100)'::geometry, " + db.storageSrid() + "))");
        try {
            // when the lines around the Duomo are asked for, then they are answered as before
            JsonNode page = geoJson("/imports/" + checked + "/features?bbox=" + DUOMO + "&limit=10000");
            assertTrue(page.get("numberReturned").asInt() > 20, page.get("numberReturned").toString());
        } finally {
            cadastre.execute("DELETE FROM " + staging + " WHERE feature_number = -1");
        }
    }

    /** The features' {@code property} (their id when null), in the order given. */
    private static List<Long> numbers(JsonNode page, String property) {
        List<Long> out = new java.util.ArrayList<>();
        for (JsonNode f : page.get("features")) out.add((property == null ? f.get("id") : f.get("properties").get(property)).asLong());
        return out;
    }

    @Test
    void aBadBoxOrLimitIsRefusedNamingIt() {
        assertProblem(http.get("/imports/" + checked + "/features?bbox=11.2,43.7,11.1"), 400, "bbox");
        assertProblem(http.get("/imports/" + checked + "/findings?limit=0"), 400, "limit");
        assertEquals(404, http.get("/imports/987654/features").statusCode());
    }

    @Test
    void aDiscardedImportHasNothingStagedToShow() throws Exception {
        var created = ImportHttpTest.upload(http, Gdal.zipLayer(ImportHttpTest.CASES.resolve("polylines.shp"),
                tmp.resolve("polylines.zip")), Map.of());
        long id = TestHttp.json(created).get("id").asLong();
        assertEquals("validated", ImportHttpTest.awaitJob(http, id, "queued", "staging").get("state").asText());
        assertTrue(geoJson("/imports/" + id + "/features").get("numberReturned").asInt() > 0, "shown while checked");
        assertEquals(200, ImportHttpTest.delete(http, "/imports/" + id).statusCode());
        assertProblem(http.get("/imports/" + id + "/features"), 409, null);
    }

    static void assertProblem(HttpResponse<String> r, int status, String parameter) {
        assertEquals(status, r.statusCode(), r.body());
        if (parameter != null) assertEquals(parameter, TestHttp.json(r).get("parameter").asText(), r.body());
    }
}
