package it.firenze.streetcad.importer;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Envelope;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given a StreetCad HTTP server over a real PostGIS, {@code POST /imports} with {@code commit=true} commits the import
 * as soon as its check has validated it, without a second request; one it cannot commit stays validated, saying why.
 */
class ImportCommitOnceValidatedHttpTest {

    @TempDir
    Path tmp;
    Database db;
    ImportJobs jobs;
    TestHttp http;
    Cadastre cadastre;

    @BeforeEach
    void start() {
        db = TestPostgis.newCadastre();
        jobs = new ImportJobs(db, List.of(), 2);
        http = TestHttp.withKey(db, Role.TECHNICIAN, new ImportHttpModule(jobs, ImportHttpTest.LIMIT));
        cadastre = new Cadastre(db);
    }

    @AfterEach
    void stop() {
        http.close();
        jobs.close();
        db.close();
    }

    /** Two streets near the Duomo and, when {@code withABadOne}, a line whose two points are one: invalid. */
    Path streets(boolean withABadOne) throws IOException {
        String good = """
                {"type": "Feature", "properties": {"osm_id": 1, "name": "Via dei Calzaiuoli", "highway": "pedestrian"},
                 "geometry": {"type": "LineString", "coordinates": [[11.2550, 43.7720], [11.2552, 43.7710]]}},
                {"type": "Feature", "properties": {"osm_id": 2, "name": "Via del Corso", "highway": "residential"},
                 "geometry": {"type": "LineString", "coordinates": [[11.2552, 43.7715], [11.2570, 43.7716]]}}""";
        String bad = """
                ,{"type": "Feature", "properties": {"osm_id": 3, "name": "Via Roma", "highway": "residential"},
                 "geometry": {"type": "LineString", "coordinates": [[11.2540, 43.7725], [11.2540, 43.7725]]}}""";
        Path shp = Gdal.shapefile(tmp, "streets", "{\"type\": \"FeatureCollection\", \"features\": ["
                + good + (withABadOne ? bad : "") + "]}");
        return Gdal.zipLayer(shp, shp.resolveSibling("streets.zip"));
    }

    /** Uploads the streets with the given form fields; the job's id. */
    long upload(boolean withABadOne, Map<String, String> fields) throws IOException {
        var created = ImportHttpTest.upload(http, streets(withABadOne), fields);
        assertEquals(202, created.statusCode(), created.body());
        return TestHttp.json(created).get("id").asLong();
    }

    /**
     * Polls the job until it is committed, failed or discarded, or validated with an error saying why it stopped: on
     * its way to committing it passes through validated without one.
     */
    JsonNode awaitEnd(long id) throws InterruptedException {
        return ImportHttpTest.awaitJob(http, id, job -> List.of("committed", "failed", "discarded")
                .contains(job.get("state").asText()) || job.get("state").asText().equals("validated") && job.hasNonNull("error"));
    }

    @Test
    void anUploadAskedToCommitIsCommittedOnceValidatedWithoutASecondRequest() throws Exception {
        // Given an upload of two good streets with commit=true
        long id = upload(false, Map.of("mapping", "osm", "commit", "true"));

        // When nothing else is sent, then the job ends committed with its report, and the cadastre holds both streets
        JsonNode done = awaitEnd(id);
        assertEquals("committed", done.get("state").asText(), done.toString());
        assertEquals(2, done.at("/report/committed/inserted").asLong());
        assertEquals(0, done.at("/report/counts/invalid").asLong());
        assertEquals(2, cadastre.count("SELECT count(*) FROM road_element"));
        // and the commit is audited as the technician's, asked by the upload
        JsonNode audited = http.audit("collection=import_job&id=" + id).getFirst();
        assertEquals("import.commit", audited.get("action").asText());
        assertEquals("test technician", audited.get("principalName").asText());
        assertEquals("POST /imports", audited.get("via").asText());
    }

    @Test
    void aCommittedJobSaysItsFollowUpRunsUntilItHasEndedThenWhenItEnded() throws Exception {
        // Given import jobs whose check's follow-up waits until it is let go
        CountDownLatch letGo = new CountDownLatch(1);
        PreCommitCheck waiting = new PreCommitCheck() {
            @Override
            public List<StagedFinding> check(Connection transaction, String stagingTable, int storageSrid) {
                return List.of();
            }

            @Override
            public void committed(Database database, Envelope changed) throws SQLException {
                try {
                    letGo.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public boolean readsOnlyTheStagedLines() {
                return true;
            }
        };
        http.close();
        jobs.close();
        jobs = new ImportJobs(db, List.of(waiting), 2);
        http = TestHttp.withKey(db, Role.TECHNICIAN, new ImportHttpModule(jobs, ImportHttpTest.LIMIT));

        // When an upload asked to commit is committed (beside its check), then its follow-up is running, with no end
        long id = upload(false, Map.of("mapping", "osm", "commit", "true"));
        JsonNode committed = ImportHttpTest.awaitJob(http, id, job -> job.get("state").asText().equals("committed"));
        assertEquals("running", committed.get("followUp").asText(), committed.toString());
        assertTrue(committed.get("followedUpAt").isNull());
        Thread.sleep(300);
        assertEquals("running", ImportHttpTest.awaitJob(http, id, job -> true).get("followUp").asText());

        // When the follow-up ends, then the job says so, and when
        letGo.countDown();
        JsonNode ended = ImportHttpTest.awaitJob(http, id, job -> job.get("followUp").asText().equals("ended"));
        assertTrue(ended.hasNonNull("followedUpAt"), ended.toString());
        // and a job not committed has no follow-up to speak of
        JsonNode validated = ImportHttpTest.awaitJob(http, upload(false, Map.of("mapping", "osm")), "queued", "staging");
        assertEquals("validated", validated.get("state").asText());
        assertTrue(validated.get("followUp").isNull(), validated.toString());
    }

    @Test
    void anUploadWithInvalidFeaturesStaysValidatedSayingWhyUnlessItMaySkipThem() throws Exception {
        // Given an upload with an invalid line, asked to commit but not to skip invalid features
        long id = upload(true, Map.of("mapping", "osm", "commit", "true"));

        // Then it stays validated, its error saying why it was not committed, and nothing is written
        JsonNode held = awaitEnd(id);
        assertEquals("validated", held.get("state").asText(), held.toString());
        assertEquals(1, held.at("/report/counts/invalid").asLong());
        assertTrue(held.get("error").asText().startsWith("Not committed: 1 features of import " + id + " are invalid"),
                held.get("error").asText());
        assertEquals(0, cadastre.count("SELECT count(*) FROM road_element"));
        // and it can still be committed without them by the usual request
        assertEquals(202, ImportHttpTest.post(http, "/imports/" + id + "/commit?skipInvalid=true").statusCode());
        assertEquals("committed", awaitEnd(id).get("state").asText());
        assertEquals(2, cadastre.count("SELECT count(*) FROM road_element"));

        // Given the same upload asked to commit and to skip invalid features, then it is committed without the bad one
        JsonNode done = awaitEnd(upload(true, Map.of("mapping", "osm", "commit", "true", "skipInvalid", "true")));
        assertEquals("committed", done.get("state").asText(), done.toString());
        assertEquals(2, done.at("/report/committed/inserted").asLong());
        assertEquals(1, done.at("/report/committed/skippedInvalid").asLong());
        assertEquals(4, cadastre.count("SELECT count(*) FROM road_element"));
    }
}
