package it.firenze.streetcad.server;

import it.firenze.streetcad.testing.StreetCadProcess;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static it.firenze.streetcad.cli.CommandLineTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server and a CLI on one data directory (the README's way: `streetcad serve` in one terminal, `streetcad import`
 * in another): the CLI uses the server's cluster and leaves it running; `streetcad status` tells who runs what.
 */
class SharedClusterTest {

    @Test
    void aCommandBesideARunningServerUsesItsClusterAndNeverStopsIt() throws Exception {
        Path dataDir = Path.of("target", "shared-" + System.nanoTime()).toAbsolutePath();
        Path log = Files.createDirectories(dataDir).resolve("serve.log");
        // Given a server serving on the data directory
        StreetCadProcess server = StreetCadProcess.serve(dataDir, log).awaitReady();
        try {
            var status = run("status", "--data-dir", dataDir.toString());
            assertEquals(0, status.exitCode(), status.err());
            assertTrue(status.out().contains("started for StreetCad process " + server.pid()), status.out());
            assertTrue(status.out().contains("used by StreetCad process " + server.pid()), status.out());

            // When a command runs beside it on the same data directory and ends
            var migrate = run("migrate", "--data-dir", dataDir.toString());
            assertEquals(0, migrate.exitCode(), migrate.err());

            // Then the server's database is still there
            var ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), ready.body());
        } finally {
            server.stop();
        }
        // And once the server stopped, so did its cluster
        assertFalse(Files.exists(dataDir.resolve("postgres/postmaster.pid")), Files.readString(log));
        assertTrue(run("status", "--data-dir", dataDir.toString()).out().contains("embedded PostgreSQL: stopped"));
    }
}
