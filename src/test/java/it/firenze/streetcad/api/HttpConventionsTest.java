package it.firenze.streetcad.api;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given a StreetCad HTTP server over a real PostGIS, health, readiness and errors follow the conventions. */
class HttpConventionsTest {

    static Database db;
    static TestHttp http;

    @BeforeAll
    static void start() {
        db = TestPostgis.newCadastre();
        http = new TestHttp(new HealthModule(db), routes -> {
            routes.get("/test/bad", ctx -> {
                throw ProblemException.badRequest("limit", "limit must be a positive integer");
            });
            routes.get("/test/boom", ctx -> {
                throw new IllegalStateException("secret internals");
            });
            routes.get("/test/things/{id}", ctx -> {
                if (!ctx.pathParam("id").equals("1")) throw ProblemException.notFound("There is no thing " + ctx.pathParam("id") + ".");
                ctx.header("ETag", "\"7\"").contentType("application/geo+json").result("{\"type\":\"Feature\"}");
            });
        });
    }

    @AfterAll
    static void stop() {
        http.close();
        db.close();
    }

    @Test
    void healthSaysAliveWithoutTouchingTheDatabase() {
        var r = http.get("/health");
        assertEquals(200, r.statusCode());
        assertEquals("alive", TestHttp.json(r).get("status").asText());
    }

    @Test
    void readyReportsTheDatabaseVersions() {
        var r = http.get("/ready");
        assertEquals(200, r.statusCode());
        var body = TestHttp.json(r);
        assertEquals("ready", body.get("status").asText());
        assertTrue(body.get("postgresql").asText().matches("\\d+.*"), body.toString());
        assertTrue(body.get("postgis").asText().startsWith("3."), body.toString());
        assertEquals(db.schemaVersion(), body.get("schemaVersion").asText());
        assertEquals("EPSG:6707", body.get("storageCrs").asText());
    }

    @Test
    void anUnknownPathIsAProblemJson404() {
        var r = http.get("/no/such/thing");
        assertEquals(404, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith(Problem.MEDIA_TYPE));
        var body = TestHttp.json(r);
        assertEquals(404, body.get("status").asInt());
        assertEquals("/no/such/thing", body.get("instance").asText());
    }

    @Test
    void aBadParameterIsA400NamingIt() {
        var r = http.get("/test/bad");
        assertEquals(400, r.statusCode());
        assertEquals("limit", TestHttp.json(r).get("parameter").asText());
    }

    @Test
    void anUnexpectedFailureIsA500ThatLeaksNothing() {
        var r = http.get("/test/boom");
        assertEquals(500, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith(Problem.MEDIA_TYPE));
        assertTrue(!r.body().contains("secret internals"), r.body());
    }

    /** RFC 9110 §9.3.2: HEAD answers what GET would, status and header fields, without the content. */
    @Test
    void headAnswersGetsStatusAndHeadersWithoutABody() {
        var found = http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/test/things/1"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, found.statusCode());
        assertEquals("application/geo+json", found.headers().firstValue("Content-Type").orElse(""));
        assertEquals("\"7\"", found.headers().firstValue("ETag").orElse(""));
        assertEquals("", found.body());

        var missing = http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/test/things/2"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(404, missing.statusCode(), "not the 200 Javalin gives a HEAD it does not route");
        assertTrue(missing.headers().firstValue("Content-Type").orElse("").startsWith(Problem.MEDIA_TYPE));
        assertEquals("", missing.body());
    }

    @Test
    void stoppingLetsARequestInFlightFinish() throws Exception {
        TestHttp slow = new TestHttp(routes -> routes.get("/slow", ctx -> {
            Thread.sleep(1_500);
            ctx.result("done");
        }));
        CompletableFuture<HttpResponse<String>> inFlight = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create(slow.baseUrl() + "/slow")).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        slow.close();
        var r = inFlight.get();
        assertEquals(200, r.statusCode());
        assertEquals("done", r.body());
    }
}
