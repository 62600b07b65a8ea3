package it.firenze.streetcad.server;

import it.firenze.streetcad.testing.StreetCadProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given `streetcad serve` running as its own process, SIGTERM stops it cleanly: the embedded cluster too. */
class SigtermTest {

    @Test
    void sigtermStopsServerAndClusterAndTheNextStartIsReady() throws Exception {
        Path dataDir = Path.of("target", "sigterm-" + System.nanoTime()).toAbsolutePath();
        Path log = Files.createDirectories(dataDir).resolve("serve.log");

        StreetCadProcess first = StreetCadProcess.serve(dataDir, log).awaitReady();
        first.stop();
        assertFalse(Files.exists(dataDir.resolve("postgres/postmaster.pid")),
                "the embedded cluster must be stopped, not left running: " + Files.readString(log));
        assertTrue(Files.readString(log).contains("embedded PostgreSQL stopped"), Files.readString(log));

        StreetCadProcess second = StreetCadProcess.serve(dataDir, log);
        try {
            second.awaitReady();
        } finally {
            second.stop();
        }
    }
}
