package it.firenze.streetcad.testing;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.AccessHttp;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.api.HttpModule;
import it.firenze.streetcad.api.HttpServer;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.api.Problem;
import it.firenze.streetcad.db.Database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real StreetCad HTTP server on a free loopback port with the given modules, and a client for it.
 * Tests speak HTTP over a socket, exactly as a city system or QGIS would.
 */
public final class TestHttp implements AutoCloseable {

    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final AccessHttp access;
    /** Sent as {@code Authorization: Bearer} with every request that carries no Authorization of its own. */
    private final String key;
    private String adminKey;

    public TestHttp(HttpModule... modules) {
        this(null, null, modules);
    }

    private TestHttp(AccessHttp access, Role role, HttpModule... modules) {
        List<HttpModule> all = new ArrayList<>();
        if (access != null) all.add(access);
        all.addAll(List.of(modules));
        this.server = new HttpServer("127.0.0.1", 0, 5_000, all).start();
        this.access = access;
        this.key = role == null ? null : key(role);
    }

    /** A server with access control in front of the modules, whose requests carry an API key with this role. */
    public static TestHttp withKey(Database db, Role role, HttpModule... modules) {
        return new TestHttp(new AccessHttp(db, true), role, modules);
    }

    /** A server with this access control in front of the modules; requests carry no credentials unless given. */
    public static TestHttp withAccess(AccessHttp access, HttpModule... modules) {
        return new TestHttp(access, null, modules);
    }

    /** A new API key with this role, for requests that send it themselves ({@link #sendAs}). */
    public String key(Role role) {
        try {
            return access.keys().create("test " + role.id(), Set.of(role), "test", null, Actor.system("test setup")).secret();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public HttpResponse<String> get(String pathAndQuery, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + pathAndQuery)).GET();
        if (headers.length > 0) b.headers(headers);
        return send(b.build());
    }

    /** POSTs a JSON body with this API key, or with no credentials when {@code key} is null. */
    public HttpResponse<String> postAs(String key, String path, String json) {
        return sendAs(key, HttpRequest.newBuilder(URI.create(baseUrl() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** The newest audit rows matching the query (e.g. {@code principal=key:3}), read through GET /audit as an admin. */
    public List<JsonNode> audit(String query) {
        if (adminKey == null) adminKey = key(Role.ADMIN);
        HttpResponse<String> r = sendAs(adminKey, HttpRequest.newBuilder(URI.create(baseUrl() + "/audit?" + query)).build());
        assertEquals(200, r.statusCode(), r.body());
        List<JsonNode> entries = new ArrayList<>();
        json(r).get("entries").forEach(entries::add);
        return entries;
    }

    /** POSTs a JSON body. */
    public HttpResponse<String> post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        if (key == null || request.headers().firstValue("Authorization").isPresent()) return sendAs(null, request);
        return sendAs(key, request);
    }

    /** Sends the request with this API key, or with no credentials at all when {@code key} is null. */
    public HttpResponse<String> sendAs(String key, HttpRequest request) {
        if (key != null) request = HttpRequest.newBuilder(request, (name, value) -> true).header("Authorization", "Bearer " + key).build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * POSTs a JSON body that starts a job (202, Location {@code path/id}), then follows the job until {@code done} holds,
     * polling every 50 ms for at most 20 s.
     */
    public JsonNode runJob(String path, String json, Predicate<JsonNode> done) throws InterruptedException {
        HttpResponse<String> started = post(path, json);
        assertEquals(202, started.statusCode(), started.body());
        String location = started.headers().firstValue("Location").orElseThrow();
        assertEquals(path + "/" + json(started).get("id").asLong(), location);
        for (int i = 0; i < 400; i++) {
            JsonNode job = json(get(location));
            if (done.test(job)) return job;
            Thread.sleep(50);
        }
        throw new AssertionError("the job at " + location + " did not finish");
    }

    /** An RFC 9457 problem with this status, naming the wrong parameter (or none when {@code parameter} is null). */
    public static void assertProblem(HttpResponse<String> r, int status, String parameter) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith(Problem.MEDIA_TYPE), r.headers().toString());
        if (parameter != null) assertEquals(parameter, json(r).path("parameter").asText(), r.body());
        else assertFalse(json(r).has("parameter"), r.body());
    }

    /** A 401 problem that says how to authenticate (WWW-Authenticate: Bearer). */
    public static void assertUnauthorized(HttpResponse<String> r) {
        assertProblem(r, 401, null);
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), r.headers().toString());
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
