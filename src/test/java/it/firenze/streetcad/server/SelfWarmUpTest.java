package it.firenze.streetcad.server;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.features.SmallNetwork;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server started with a warm-up asks itself its common requests before it says it is ready: a load balancer that
 * follows {@code /ready} sends it traffic only once the request paths are compiled.
 */
class SelfWarmUpTest {

    private static final String ITEMS_ROUTE = "/collections/{collectionId}/items";

    @Test
    void readySays503WarmingUpUntilTheServerHasAskedItselfItsCommonRequests() throws Exception {
        // Given a cadastre with road elements and a server that warms up for at most 20 s on a known port
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        try (Database db = Database.connect(url, DatabaseSettings.DEFAULT_STORAGE_SRID, 4)) {
            db.migrate();
            SmallNetwork.insert(db);
        }
        String dbUrl = TestPostgis.withCredentials(url);
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ServerSettings settings = new ServerSettings(new DatabaseSettings(dbUrl, Path.of("target"),
                DatabaseSettings.DEFAULT_STORAGE_SRID, 4), "127.0.0.1", port, 5_000, null, null, null, null,
                Duration.ofSeconds(20));
        double itemsBefore = itemsRequestsServed();

        // When it starts, /ready is asked every 20 ms until the start has returned
        CompletableFuture<StreetCadServer> starting = CompletableFuture.supplyAsync(() -> StreetCadServer.start(settings));
        HttpClient client = HttpClient.newHttpClient();
        List<HttpResponse<String>> whileStarting = new ArrayList<>();
        while (!starting.isDone()) {
            try {
                whileStarting.add(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            } catch (ConnectException notListeningYet) {
                // before the HTTP port is open
            }
            Thread.sleep(20);
        }
        try (StreetCadServer server = starting.join()) {
            // Then while it warmed up /ready said 503 "Warming up" (and never 200), the warm-up asked for pages of
            // road elements, and once started /ready says 200
            assertTrue(whileStarting.stream().anyMatch(r -> r.statusCode() == 503 && r.body().contains("Warming up")),
                    "a 503 Warming up while starting; got " + whileStarting.stream().map(HttpResponse::statusCode).toList());
            assertTrue(whileStarting.stream().allMatch(r -> r.statusCode() == 503), "never ready before the warm-up ended");
            assertTrue(itemsRequestsServed() - itemsBefore >= 3, "the warm-up asked for item pages");
            HttpResponse<String> ready = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), ready.body());
        }
    }

    @Test
    void aCadastreWithoutRoadElementsIsNotWarmedAndIsReadyAtOnce() throws Exception {
        // Given an empty cadastre and a server that may warm up for 20 s
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        String dbUrl = TestPostgis.withCredentials(url);
        double itemsBefore = itemsRequestsServed();
        try (StreetCadServer server = StreetCadServer.start(new ServerSettings(new DatabaseSettings(dbUrl,
                Path.of("target"), DatabaseSettings.DEFAULT_STORAGE_SRID, 4), "127.0.0.1", 0, 5_000, null, null, null,
                null, Duration.ofSeconds(20)))) {
            // Then it asked itself for no page (there is nothing to page through) and is ready
            assertEquals(itemsBefore, itemsRequestsServed());
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), ready.body());
        }
    }

    /** Item pages served by every server in this JVM so far (the registry is the process's). */
    private static double itemsRequestsServed() {
        return Metrics.globalRegistry.find("http.server.requests").tag("route", ITEMS_ROUTE).timers().stream()
                .mapToDouble(Timer::count).sum();
    }
}
