package it.firenze.streetcad.editing;

import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.Database;
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
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Given an edit whose database connection is ended under it (an administrator's pg_terminate_backend, a failover),
 * the editor is told to try again (503, not a 500 whose cause only the log knows), nothing of the edit is written,
 * and the same edit with the same If-Match succeeds once retried.
 */
class EditConnectionLostTest {

    static Database db;
    static TestHttp http;

    @BeforeAll
    static void start() {
        db = TestPostgis.newCadastre();
        SmallNetwork.insert(db);
        http = TestHttp.withKey(db, Role.EDITOR, new FeaturesModule(db, ctx -> ctx.html("")), new EditingHttp(db));
    }

    @AfterAll
    static void stop() {
        http.close();
        db.close();
    }

    @Test
    void anEditWhoseConnectionIsTerminatedIs503WritesNothingAndSucceedsWhenRetried() throws Exception {
        String path = "/collections/road-elements/items/103";
        String etag = http.get(path).headers().firstValue("ETag").orElseThrow();
        CompletableFuture<HttpResponse<String>> edit;
        // Given the element locked by another transaction, so that the edit waits in the database ...
        try (Connection holder = db.connection(); var st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("SELECT id FROM road_element WHERE id = 103 FOR UPDATE");
            edit = CompletableFuture.supplyAsync(() -> patch(path, etag));
            Object backend = awaitEditWaitingOnTheLock();
            // ... when its backend is terminated meanwhile
            assertEquals(true, TestPostgis.single(db, "SELECT pg_terminate_backend(?)", backend));
            holder.rollback();
        }

        // then the editor is told the database failed and to retry, as a problem
        HttpResponse<String> lost = edit.get();
        TestHttp.assertProblem(lost, 503, null);
        assertEquals("Database unavailable", TestHttp.json(lost).get("title").asText(), lost.body());
        assertEquals("2", lost.headers().firstValue("Retry-After").orElse(""), lost.headers().toString());
        // and nothing was written
        assertEquals(etag, http.get(path).headers().firstValue("ETag").orElseThrow());
        assertEquals(0L, TestPostgis.single(db, "SELECT count(*) FROM road_element WHERE id = 103 AND speed_limit = 20"));
        // and the same edit, retried as it was, succeeds
        HttpResponse<String> retried = patch(path, etag);
        assertEquals(200, retried.statusCode(), retried.body());
        assertEquals(20, TestHttp.json(retried).at("/properties/speed_limit").asInt(), retried.body());
    }

    private static HttpResponse<String> patch(String path, String etag) {
        return http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + path)).header("If-Match", etag)
                .header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"properties\": {\"speed_limit\": 20}}")).build());
    }

    /** The backend of the edit, once it waits for the element's lock. */
    private static Object awaitEditWaitingOnTheLock() throws SQLException, InterruptedException {
        for (int i = 0; i < 200; i++) {
            Object waiting = TestPostgis.single(db, "SELECT pid FROM pg_stat_activity "
                    + "WHERE datname = current_database() AND wait_event_type = 'Lock'");
            if (waiting != null) return waiting;
            Thread.sleep(25);
        }
        throw new AssertionError("the edit never waited on the element's lock");
    }
}
