package it.firenze.streetcad.topology;

import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static it.firenze.streetcad.testing.TestHttp.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Whole-network operations past the configured limit are told to come back, not run side by side. */
class HeavyWorkHttpTest {

    @Test
    void aFixBeyondTheLimitIs503WithRetryAfterAndRunsOnceThereIsRoom() throws Exception {
        HeavyWork heavy = new HeavyWork(1);
        try (Database db = TestPostgis.newCadastre();
             TestHttp http = TestHttp.withKey(db, Role.TECHNICIAN, new TopologyModule(db, heavy))) {
            // Given the one permitted whole-network operation running
            try (HeavyWork.Permit running = heavy.tryStart().orElseThrow()) {
                // When a fix preview comes
                HttpResponse<String> busy = http.post("/topology/fixes/snap-endpoints/preview", "");
                // Then it is told to come back
                assertProblem(busy, 503, null);
                assertEquals("2", busy.headers().firstValue("Retry-After").orElse(null));
            }
            // And once that operation ended, it runs
            HttpResponse<String> preview = http.post("/topology/fixes/snap-endpoints/preview", "");
            assertEquals(200, preview.statusCode(), preview.body());
        }
    }

    @Test
    void validationsBeyondTheRunningAndTheQueuedAre503WithRetryAfterAndLeaveNoRecord() throws Exception {
        HeavyWork heavy = new HeavyWork(1, 1);
        try (Database db = TestPostgis.newCadastre();
             TestHttp http = TestHttp.withKey(db, Role.TECHNICIAN, new TopologyModule(db, heavy))) {
            HttpResponse<String> first, second;
            // Given the one permitted operation running (a fix), so that jobs cannot start
            try (HeavyWork.Permit running = heavy.tryStart().orElseThrow()) {
                // When three validations are asked for
                first = http.post("/topology/validations", "");
                second = http.post("/topology/validations", "");
                HttpResponse<String> third = http.post("/topology/validations", "");

                // Then one waits for the permit, one waits in the queue, and the third is told to come back
                assertEquals(202, first.statusCode(), first.body());
                assertEquals(202, second.statusCode(), second.body());
                assertProblem(third, 503, null);
                assertEquals("2", third.headers().firstValue("Retry-After").orElse(null));
                assertEquals(2, validations(db), "a refused validation is not recorded");
            }
            // And once the fix ended, the two run to their end and the queue takes new ones again
            for (HttpResponse<String> started : java.util.List.of(first, second)) {
                String location = started.headers().firstValue("Location").orElseThrow();
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (TestHttp.json(http.get(location)).path("status").asText().matches("queued|running")
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals("succeeded", TestHttp.json(http.get(location)).path("status").asText());
            }
            HttpResponse<String> later = http.post("/topology/validations", "");
            assertEquals(202, later.statusCode(), later.body());
        }
    }

    private static long validations(Database db) throws java.sql.SQLException {
        try (var c = db.connection(); var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM topology_validation")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
