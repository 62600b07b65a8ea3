package it.firenze.streetcad.importer;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import it.firenze.streetcad.topology.TopologyPreCommitCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code POST /imports} with {@code buildNetwork=true} builds the committed raw lines into a network, as the CLI does. */
class ImportBuildsNetworkHttpTest {

    @TempDir
    Path tmp;
    Database db;
    ImportJobs jobs;
    TestHttp http;
    Cadastre cadastre;

    @BeforeEach
    void start() {
        db = TestPostgis.newCadastre();
        jobs = new ImportJobs(db, List.of(TopologyPreCommitCheck.allRules()),
                List.of(TopologyPreCommitCheck.buildingTheNetwork()), 1);
        http = TestHttp.withKey(db, Role.TECHNICIAN, new ImportHttpModule(jobs, 10 << 20));
        cadastre = new Cadastre(db);
    }

    @AfterEach
    void stop() {
        http.close();
        jobs.close();
        db.close();
    }

    @Test
    void rawLinesUploadedWithBuildNetworkAreSplitAtTheirCrossingsAndJoinedToTheOldElementsAtTheEdge() throws Exception {
        // given two ways crossing in the middle, uploaded as raw lines to be built
        JsonNode job = importLines("cross", "[[11.2550,43.7730],[11.2570,43.7730]]", "[[11.2560,43.7725],[11.2560,43.7735]]");
        assertEquals(true, job.get("buildNetwork").asBoolean());
        // then each is split where they cross: four elements meeting at one junction of degree 4
        awaitElements(4);
        assertEquals("4", cadastre.one("SELECT string_agg(degree::text, ',') FROM junction WHERE degree > 1"));

        // when a new way is appended that ends on the middle of an old element (beyond the first import's extent)
        importLines("spur", "[[11.2565,43.7720],[11.2565,43.7730]]");
        // then the old element is split there and the new one joins it at a junction of degree 3
        awaitElements(6);
        assertEquals("3,4", cadastre.one("SELECT string_agg(degree::text, ',' ORDER BY degree) FROM junction WHERE degree > 1"));
    }

    private JsonNode importLines(String name, String... coordinates) throws Exception {
        StringBuilder features = new StringBuilder();
        for (int i = 0; i < coordinates.length; i++) {
            features.append(i == 0 ? "" : ",").append("{\"type\":\"Feature\",\"properties\":{\"osm_id\":").append(i + 1)
                    .append(",\"highway\":\"residential\"},\"geometry\":{\"type\":\"LineString\",\"coordinates\":")
                    .append(coordinates[i]).append("}}");
        }
        Path shp = Gdal.shapefile(tmp, name, "{\"type\":\"FeatureCollection\",\"features\":[" + features + "]}");
        var created = ImportHttpTest.upload(http, Gdal.zipLayer(shp, tmp.resolve(name + ".zip")), Map.of("buildNetwork", "true"));
        assertEquals(202, created.statusCode(), created.body());
        long id = TestHttp.json(created).get("id").asLong();
        assertEquals("validated", ImportHttpTest.awaitJob(http, id, "queued", "staging").get("state").asText());
        assertEquals(202, http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/imports/" + id + "/commit"))
                .POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode());
        JsonNode done = ImportHttpTest.awaitJob(http, id, "committing");
        assertEquals("committed", done.get("state").asText(), done.toString());
        return done;
    }

    /** The build follows the commit in the background: waits for it to have written the network. */
    private void awaitElements(long count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (cadastre.count("SELECT count(*) FROM road_element") != count
                || cadastre.count("SELECT count(*) FROM road_element WHERE from_junction IS NULL") > 0) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("elements: " + cadastre.rows("SELECT ST_AsText(geom) FROM road_element"));
            }
            Thread.sleep(100);
        }
    }
}
