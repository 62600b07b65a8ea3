package it.firenze.streetcad.server;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.AccessHttp;
import it.firenze.streetcad.access.Accounts;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.ApiKeys;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.features.SmallNetwork;
import it.firenze.streetcad.testing.StreetCadProcess;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two StreetCad instances over one PostgreSQL, as behind a load balancer: the same ETags, a change purges the tile on
 * both, of two builds asked of both at once exactly one runs, and a browser signed in through one is signed in on both.
 */
class MultiInstanceTest {

    private static final String TILE = "/tiles/road-elements/15/17408/11944.mvt";
    private static final String PASSWORD = "a long enough password";
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void twoInstancesServeTheSameTilesPurgeTogetherRunOneBuildAndShareSessions() throws Exception {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        String dbUrl = url.jdbcUrl() + "?user=" + url.user() + "&password=" + url.password();
        Path dir = Files.createDirectories(Path.of("target", "multi-" + System.nanoTime()).toAbsolutePath());
        try (Database db = Database.connect(url, 6707, 2)) {
            db.migrate();
            SmallNetwork.insert(db);
            new Accounts(db).add("anna", "Anna Rossi", "Ufficio Strade", Set.of(Role.TECHNICIAN), PASSWORD, Actor.system("test"));
            StreetCadProcess a = StreetCadProcess.serve(Map.of(), dir, dir.resolve("a.log"), "--db-url", dbUrl);
            StreetCadProcess b = StreetCadProcess.serve(Map.of(), dir, dir.resolve("b.log"), "--db-url", dbUrl);
            try {
                a.awaitReady();
                b.awaitReady();
                // The same ETag from both, cached or not
                String before = etag(a, TILE);
                assertEquals(before, etag(b, TILE));
                assertEquals(before, etag(a, TILE));

                // A change written through either (here straight to the database) purges the tile on both
                try (Connection c = db.connection(); var st = c.createStatement()) {
                    st.execute("UPDATE road_element SET lanes = 3 WHERE id = 101");
                }
                String afterA = awaitNewEtag(a, before);
                assertEquals(afterA, awaitNewEtag(b, before));

                // Two builds asked of the two instances at once: one runs, the other is told to follow it
                String key = new ApiKeys(db).create("multi", Set.of(Role.TECHNICIAN), "test", null, Actor.system("test")).secret();
                var first = post(a, "/network/builds", key);
                var second = post(b, "/network/builds", key);
                List<Integer> statuses = List.of(first.get().statusCode(), second.get().statusCode());
                assertEquals(Set.of(202, 409), Set.copyOf(statuses), statuses.toString());

                // A browser signs in through one instance; the balancer sends its next requests to the other
                HttpResponse<String> login = send(a, HttpRequest.newBuilder(URI.create(a.baseUrl() + "/auth/login"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"username\": \"anna\", \"password\": \"" + PASSWORD + "\"}")));
                assertEquals(200, login.statusCode(), login.body());
                String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
                String cookie = setCookie.substring(0, setCookie.indexOf(';'));
                String csrf = Json.mapper().readTree(login.body()).path("csrfToken").asText();
                JsonNode me = me(b, cookie);
                assertTrue(me.path("authenticated").asBoolean(), me.toString());
                // and its writes are accepted there with the token the first instance gave (404: past access, no such issue)
                assertEquals(404, acceptIssue(b, cookie, csrf).statusCode());
                assertEquals(403, acceptIssue(b, cookie, "not-the-token").statusCode());
                // Signing out through the second ends the session on the first too
                assertEquals(204, send(b, HttpRequest.newBuilder(URI.create(b.baseUrl() + "/auth/logout"))
                        .header("Cookie", cookie).header("Origin", b.baseUrl())
                        .POST(HttpRequest.BodyPublishers.noBody())).statusCode());
                assertFalse(me(a, cookie).path("authenticated").asBoolean());
            } finally {
                a.stop();
                b.stop();
            }
        }
    }

    private HttpResponse<String> send(StreetCadProcess server, HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode me(StreetCadProcess server, String cookie) throws Exception {
        return Json.mapper().readTree(send(server, HttpRequest.newBuilder(URI.create(server.baseUrl() + "/auth/me"))
                .header("Cookie", cookie)).body());
    }

    /** A cookie write as the web map makes it: its Origin (behind a balancer, the one public origin) and CSRF token. */
    private HttpResponse<String> acceptIssue(StreetCadProcess server, String cookie, String csrf) throws Exception {
        return send(server, HttpRequest.newBuilder(URI.create(server.baseUrl() + "/topology/issues/999999/accept"))
                .header("Cookie", cookie).header("Origin", server.baseUrl()).header(AccessHttp.CSRF_HEADER, csrf)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")));
    }

    private String etag(StreetCadProcess server, String path) throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        return r.headers().firstValue("ETag").orElseThrow();
    }

    private String awaitNewEtag(StreetCadProcess server, String old) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String now = etag(server, TILE);
            if (!now.equals(old)) return now;
            Thread.sleep(100);
        }
        assertNotEquals(old, etag(server, TILE), "the tile was not purged on " + server.baseUrl());
        return old;
    }

    private CompletableFuture<HttpResponse<String>> post(StreetCadProcess server, String path, String key) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"apply\": true}")).build(), HttpResponse.BodyHandlers.ofString());
    }
}
