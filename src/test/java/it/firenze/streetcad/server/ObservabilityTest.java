package it.firenze.streetcad.server;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.testing.StreetCadProcess;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operator's view of a running server: Prometheus metrics at /metrics, a request id on every answer and in every
 * log line of its request, JSON log lines on request.
 */
class ObservabilityTest {

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void metricsRequestIdsAndJsonLogs() throws Exception {
        Path dataDir = Path.of("target", "observability-" + System.nanoTime()).toAbsolutePath();
        Path log = Files.createDirectories(dataDir).resolve("serve.log");
        StreetCadProcess server = StreetCadProcess.serve(Map.of(), dataDir, log, "--log-format", "json").awaitReady();
        try {
            // A request with the proxy's id keeps it; one without gets one
            HttpResponse<String> items = get(server, "/collections/road-elements/items?limit=1", "X-Request-Id", "proxy-id-42");
            assertEquals(200, items.statusCode());
            assertEquals("proxy-id-42", items.headers().firstValue("X-Request-Id").orElse(null));
            String made = get(server, "/ready").headers().firstValue("X-Request-Id").orElse("");
            assertTrue(made.matches("[0-9a-f-]{36}"));
            // A random UUID (version 4, the IETF variant), a new one per request
            assertEquals(4, java.util.UUID.fromString(made).version());
            assertEquals(2, java.util.UUID.fromString(made).variant());
            assertNotEquals(made, get(server, "/ready").headers().firstValue("X-Request-Id").orElse(""));
            assertEquals(200, get(server, "/tiles/road-elements/15/17408/11944.mvt").statusCode());
            assertEquals(200, get(server, "/jobs").statusCode());

            HttpResponse<String> metrics = get(server, "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            String text = metrics.body();
            for (String expected : List.of(
                    "http_server_requests_seconds_count{application=\"streetcad\",method=\"GET\",route=\"/collections/{collectionId}/items\",status=\"200\"}",
                    "http_server_requests_seconds_bucket{",
                    "hikaricp_connections_active{",
                    "streetcad_jobs{application=\"streetcad\",kind=\"import\",state=\"running\"}",
                    "streetcad_tiles_cache_requests_total{application=\"streetcad\",result=\"miss\"}",
                    "streetcad_tiles_cache_bytes",
                    "streetcad_import_rows_total",
                    "streetcad_topology_findings_open{application=\"streetcad\",severity=\"error\"}")) {
                assertTrue(text.contains(expected), "no " + expected + " in\n" + text.lines().filter(l -> l.startsWith("http_server_requests_seconds_count")
                        || l.startsWith("streetcad")).toList());
            }
        } finally {
            server.stop();
        }
        // Every line is a JSON object; the request's line names its id and client
        List<JsonNode> lines = Files.readAllLines(log).stream().filter(l -> l.startsWith("{")).map(ObservabilityTest::json).toList();
        assertTrue(lines.size() > 3, "JSON log lines: " + Files.readString(log));
        JsonNode request = lines.stream().filter(l -> l.path("mdc").path("request_id").asText().equals("proxy-id-42"))
                .findFirst().orElseThrow(() -> new AssertionError("no log line of the request: " + lines));
        assertEquals("127.0.0.1", request.path("mdc").path("client").asText(), request.toString());
        assertTrue(request.path("message").asText().matches("GET /collections/road-elements/items\\?limit=1 200 \\d+\\.\\dms"),
                "method, path and query, status, milliseconds to a tenth: " + request);
    }

    @Test
    void textLogLinesNameTheirRequestAndOnlyTheirs() throws Exception {
        // Given a server with the default text log
        Path dataDir = Path.of("target", "observability-text-" + System.nanoTime()).toAbsolutePath();
        Path log = Files.createDirectories(dataDir).resolve("serve.log");
        StreetCadProcess server = StreetCadProcess.serve(Map.of(), dataDir, log).awaitReady();
        try {
            // When a request comes with a proxy's id
            assertEquals(200, get(server, "/ready", "X-Request-Id", "proxy-id-43").statusCode());
        } finally {
            server.stop();
        }
        // Then its line carries the id and the client in brackets, and a line written outside any request neither
        List<String> lines = Files.readAllLines(log);
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* \\[INFO\\] http - \\[proxy-id-43 127\\.0\\.0\\.1\\] GET /ready 200 \\d+\\.\\dms")),
                "the request's line: " + lines);
        String serving = lines.stream().filter(l -> l.contains("StreetCad serving on")).findFirst()
                .orElseThrow(() -> new AssertionError("no start line in " + lines));
        assertTrue(serving.contains("StreetCadServer - StreetCad serving on"), serving);
    }

    private HttpResponse<String> get(StreetCadProcess server, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path));
        if (headers.length > 0) b.headers(headers);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String line) {
        try {
            return Json.mapper().readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }
}
