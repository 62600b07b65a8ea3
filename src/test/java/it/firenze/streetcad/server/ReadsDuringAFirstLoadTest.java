package it.firenze.streetcad.server;

import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.api.HealthModule;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.editing.EditingHttp;
import it.firenze.streetcad.features.FeaturesModule;
import it.firenze.streetcad.features.SmallNetwork;
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
 * Given a transaction holding it so, when three times as many requests for road elements as the read pool has
 * connections arrive at once, then each gives its connection back soon and answers 503 naming the import, with
 * Retry-After, while a read of another collection and /ready answer 200 meanwhile; an edit made meanwhile waits for
 * the load on the work pool and is written once it ends.
 */
class ReadsDuringAFirstLoadTest {

    /** Each pool's connections, as TestPostgis opens them. */
    private static final int POOL = 8;

    static Database db;
    static TestHttp http;

    @BeforeAll
    static void start() throws SQLException {
        db = TestPostgis.newCadastre();
        SmallNetwork.insert(db);
        http = TestHttp.withKey(db, Role.EDITOR, new FeaturesModule(db), new HealthModule(db), new EditingHttp(db));
    }

    @AfterAll
    static void stop() {
        http.close();
        db.close();
    }

    @Test
    void blockedReadersAnswer503SoonWhileOtherReadsGoOnAndAnEditWaitsToBeWritten() throws Exception {
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
}
