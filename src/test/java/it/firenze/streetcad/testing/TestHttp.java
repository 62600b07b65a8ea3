package it.firenze.streetcad.testing;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.api.HttpModule;
import it.firenze.streetcad.api.HttpServer;
import it.firenze.streetcad.api.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * A real StreetCad HTTP server on a free loopback port with the given modules, and a client for it.
 * Tests speak HTTP over a socket, exactly as a city system or QGIS would.
 */
public final class TestHttp implements AutoCloseable {

    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    public TestHttp(HttpModule... modules) {
        this.server = new HttpServer("127.0.0.1", 0, 5_000, List.of(modules)).start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public HttpResponse<String> get(String pathAndQuery, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + pathAndQuery)).GET();
        if (headers.length > 0) b.headers(headers);
        return send(b.build());
    }

    /** POSTs a JSON body. */
    public HttpResponse<String> post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
