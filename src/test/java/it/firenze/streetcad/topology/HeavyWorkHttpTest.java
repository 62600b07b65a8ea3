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
}
