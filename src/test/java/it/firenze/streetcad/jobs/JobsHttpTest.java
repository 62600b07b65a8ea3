package it.firenze.streetcad.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.importer.ImportHttpModule;
import it.firenze.streetcad.importer.ImportJobs;
import it.firenze.streetcad.importer.ImportParameters;
import it.firenze.streetcad.importer.ImportPipeline;
import it.firenze.streetcad.importer.Mapping;
import it.firenze.streetcad.importer.shapefile.ArchiveLimits;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import it.firenze.streetcad.topology.TopologyModule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static it.firenze.streetcad.testing.TestHttp.assertProblem;
import static it.firenze.streetcad.testing.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /jobs}: imports, builds and validations in one shape with one set of states; cancelling an import. */
class JobsHttpTest {

    @TempDir
    static Path tmp;
    static Database db;
    static ImportJobs imports;
    static TestHttp http;

    @BeforeAll
    static void start() throws Exception {
        db = TestPostgis.newCadastre();
        imports = new ImportJobs(db, List.of(), 1);
        ImportHttpModule importHttp = new ImportHttpModule(imports, 1 << 20);
        http = TestHttp.withKey(db, Role.TECHNICIAN, importHttp, new TopologyModule(db),
                new JobsModule(db, Map.of("import", importHttp.canceller())));
    }

    @AfterAll
    static void stop() {
        http.close();
        imports.close();
        db.close();
    }

    static long stagedImport() throws Exception {
        Path shp = tmp.resolve("ten.shp");
        if (!shp.toFile().exists()) {
            Process p = new ProcessBuilder("ogr2ogr", "-limit", "10", shp.toString(),
                    "geodata/florence-osm/florence_highways.shp").inheritIO().start();
            assertEquals(0, p.waitFor());
        }
        return imports.stageNow(ImportParameters.request("ten.shp", shp, null, Mapping.preset("osm"), null, null, "append",
                null, ArchiveLimits.defaults(), null), ImportPipeline.Progress.NONE).id();
    }

    @Test
    void everyKindOfJobIsListedWithTheSameStatesAndAnUncommittedImportCanBeCancelled() throws Exception {
        // Given a validated import and a finished validation
        long importId = stagedImport();
        JsonNode validation = http.runJob("/topology/validations", "{}", j -> !j.get("status").asText().equals("running"));

        // Then both are jobs, in one shape
        JsonNode imported = json(http.get("/jobs/import-" + importId));
        assertEquals("validated", imported.get("state").asText(), imported.toString());
        assertEquals("import", imported.get("kind").asText());
        assertEquals(1.0, imported.get("progress").asDouble(), "progress is 0-1 for every kind");
        assertEquals("/imports/" + importId, imported.get("href").asText());
        JsonNode validated = json(http.get("/jobs/validation-" + validation.get("id").asLong()));
        assertEquals("succeeded", validated.get("state").asText(), validated.toString());
        assertEquals(validated.get("id"), json(http.get("/jobs?kind=validation")).get("jobs").get(0).get("id"));
        assertTrue(json(http.get("/jobs?state=validated")).get("jobs").size() >= 1);

        // When the import is cancelled, it is, and a finished validation cannot be
        JsonNode cancelled = json(http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(http.baseUrl() + "/jobs/import-" + importId)).DELETE().build()));
        assertEquals("cancelled", cancelled.get("state").asText(), cancelled.toString());
        assertEquals("discarded", cancelled.get("phase").asText());
        assertProblem(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(http.baseUrl() + "/jobs/validation-"
                + validation.get("id").asLong())).DELETE().build()), 409, null);
    }

    @Test
    void wrongFiltersAre400NamingTheParameterAndUnknownJobs404() {
        assertProblem(http.get("/jobs?state=done"), 400, "state");
        assertProblem(http.get("/jobs?kind=fix"), 400, "kind");
        assertProblem(http.get("/jobs?limit=0"), 400, "limit");
        assertProblem(http.get("/jobs/import-999999"), 404, null);
    }
}
