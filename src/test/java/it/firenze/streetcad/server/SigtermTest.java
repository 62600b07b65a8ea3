package it.firenze.streetcad.server;

import it.firenze.streetcad.cli.Main;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given `streetcad serve` running as its own process, SIGTERM stops it cleanly: the embedded cluster too. */
class SigtermTest {

    @Test
    void sigtermStopsServerAndClusterAndTheNextStartIsReady() throws Exception {
        Path dataDir = Path.of("target", "sigterm-" + System.nanoTime()).toAbsolutePath();
        Path log = Files.createDirectories(dataDir).resolve("serve.log");

        Serving first = serve(dataDir, log);
        first.awaitReady(log);
        first.process().destroy(); // SIGTERM
        assertTrue(first.process().waitFor(60, TimeUnit.SECONDS), "serve did not stop on SIGTERM");
        assertFalse(Files.exists(dataDir.resolve("postgres/postmaster.pid")),
                "the embedded cluster must be stopped, not left running: " + Files.readString(log));
        assertTrue(Files.readString(log).contains("embedded PostgreSQL stopped"), Files.readString(log));

        Serving second = serve(dataDir, log);
        try {
            second.awaitReady(log);
        } finally {
            second.process().destroy();
            second.process().waitFor(60, TimeUnit.SECONDS);
        }
    }

    record Serving(Process process, int port) {
        void awaitReady(Path log) throws Exception {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) throw new AssertionError("serve exited: " + Files.readString(log));
                try {
                    var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) return;
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
            throw new AssertionError("not ready in 90 s: " + Files.readString(log));
        }
    }

    private static Serving serve(Path dataDir, Path log) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        return new Serving(new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "--host", "127.0.0.1", "--port", Integer.toString(port), "--data-dir", dataDir.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start(), port);
    }
}
