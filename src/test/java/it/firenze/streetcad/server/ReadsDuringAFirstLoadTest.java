package it.firenze.streetcad.server;

import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.api.HealthModule;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.editing.EditingHttp;
import it.firenze.streetcad.features.FeaturesModule;
import it.firenze.streetcad.features.SmallNetwork;
import it.firenze.streetcad.importer.ImportHttpModule;
import it.firenze.streetcad.importer.ImportJobs;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A first load holds road_element ACCESS EXCLUSIVE until it commits (a minute for a million lines; db.FirstLoad).
 * Given a transaction holding it so while the import jobs say one is committing, when three times as many requests
 * for road elements as the read pool has connections arrive at once, then each gives its connection back soon and
 * answers 503 naming the import, with Retry-After, while a read of another collection and /ready answer 200 meanwhile;
 * an edit made meanwhile waits for the load on the work pool and is written once it ends. Held by anyone else (a psql
 * LOCK, a migration), with no import committing, the readers are told the cadastre is locked, not that it is loaded.
 */
class ReadsDuringAFirstLoadTest {

    /** Each pool's connections, as TestPostgis opens them. */
    private static final int POOL = 8;

    /** The import jobs' state is read at most once a second by the refused readers (ImportJobs#committing). */
    private static final long STATE_READ_MILLIS = 1_100;

    static Database db;
    static ImportJobs jobs;
    static TestHttp http;

    @BeforeAll
    static void start() throws SQLException {
        db = TestPostgis.newCadastre();
        SmallNetwork.insert(db);
        jobs = new ImportJobs(db, List.of(), 1);
        http = TestHttp.withKey(db, Role.EDITOR, new FeaturesModule(db), new HealthModule(db), new EditingHttp(db),
                new ImportHttpModule(jobs, 1 << 20));
        // Warm, as a served instance is before it takes traffic (SelfWarmUp): a cold server's first reads are compiled
        // while they run, which on a busy machine took the blocked readers' turns past the pools' connection wait.
        for (int i = 0; i < 20; i++) {
            http.get("/collections/road-elements/items/" + (101 + i % 5));
            http.get("/collections/junctions/items?limit=5");
        }
        // and so is a refusal's way, which a served instance has taken before the test's first crowd comes
        try (Connection lock = db.connection(); var st = lock.createStatement()) {
            lock.setAutoCommit(false);
            st.execute("LOCK road_element IN ACCESS EXCLUSIVE MODE");
            for (int i = 0; i < 4; i++) http.get("/collections/road-elements/items/101");
            lock.rollback();
        }
    }

    @AfterAll
    static void stop() {
        http.close();
        jobs.close();
        db.close();
    }

    @Test
    void blockedReadersAnswer503SoonWhileOtherReadsGoOnAndAnEditWaitsToBeWritten() throws Exception {
        // The import jobs' state says one is committing, as the instance committing it writes it (its lease current).
        long committing = Long.parseLong(one("INSERT INTO import_job (state, source, mode, mapping, lease_owner, lease_until) "
                + "VALUES ('committing', 'florence.zip', 'append', '{}', 'another instance', now() + interval '1 hour') "
                + "RETURNING id"));
        Thread.sleep(STATE_READ_MILLIS);
        try {
            readersOfTheRoadElementsWhileTheLoadHoldsThemWhole();
        } finally {
            one("DELETE FROM import_job WHERE id = " + committing + " RETURNING id");
            Thread.sleep(STATE_READ_MILLIS);
        }
    }

    @Test
    void aLockHeldByAnotherOperationWhileNoImportCommitsIsSaidAsSuchNotAsALoad() throws Exception {
        // given the road elements held whole by a session of no import (a psql LOCK, a migration)
        try (Connection other = db.connection(); var st = other.createStatement()) {
            other.setAutoCommit(false);
            st.execute("LOCK road_element IN ACCESS EXCLUSIVE MODE");
            // when one is read, then the reader is told the cadastre is locked, not that it is being loaded
            HttpResponse<String> r = http.get("/collections/road-elements/items/101");
            TestHttp.assertProblem(r, 503, null);
            assertEquals("cadastre-locked", TestHttp.json(r).path("code").asText(), r.body());
            assertTrue(TestHttp.json(r).path("detail").asText().startsWith("The cadastre is locked by another operation"),
                    r.body());
            assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.headers().toString());
            other.rollback();
        }
    }

    /** The road elements held ACCESS EXCLUSIVE by a transaction of the test's own, as a first load holds them. */
    private static void readersOfTheRoadElementsWhileTheLoadHoldsThemWhole() throws Exception {
        // The clients are closed (waited for) after the load ends, as the edit waits for it.
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
             Connection load = db.connection(); var st = load.createStatement()) {
            load.setAutoCommit(false);
            st.execute("LOCK road_element IN ACCESS EXCLUSIVE MODE");

            long start = System.nanoTime();
            List<Future<HttpResponse<String>>> blocked = new ArrayList<>();
            for (int i = 0; i < 3 * POOL; i++) {
                String element = "/collections/road-elements/items/" + (101 + i % 5);
                blocked.add(clients.submit(() -> http.get(element)));
            }
            Future<HttpResponse<String>> edit = clients.submit(() -> http.send(HttpRequest.newBuilder(URI.create(
                    http.baseUrl() + "/collections/road-elements/items")).header("Content-Type", "application/geo+json")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[11.2700, 43.7800],
                             [11.2710, 43.7800]]}, "properties": {"functional_class": "F"}}""")).build()));
            Thread.sleep(100);  // the road elements' requests are in before the others

            HttpResponse<String> junctions = http.get("/collections/junctions/items?limit=5");
            assertEquals(200, junctions.statusCode(), "another collection is read meanwhile: " + junctions.body());
            HttpResponse<String> ready = http.get("/ready");
            assertEquals(200, ready.statusCode(), "ready meanwhile: " + ready.body());

            for (Future<HttpResponse<String>> f : blocked) {
                HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
                TestHttp.assertProblem(r, 503, null);
                assertEquals("import-in-progress", TestHttp.json(r).path("code").asText(), r.body());
                assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.headers().toString());
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue(seconds < 5, "the blocked readers gave up within " + seconds + " s, not the read timeout's 15 s");

            assertFalse(edit.isDone(), "the edit waits for the load");
            load.rollback();
            HttpResponse<String> created = edit.get(30, TimeUnit.SECONDS);
            assertEquals(201, created.statusCode(), created.body());
            assertEquals(200, http.get(URI.create(created.headers().firstValue("Location").orElseThrow()).getPath())
                    .statusCode(), "written");
        }
    }

    private static String one(String sql) throws SQLException {
        try (Connection c = db.connection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
