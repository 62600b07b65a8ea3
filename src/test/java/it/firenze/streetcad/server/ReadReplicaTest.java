package it.firenze.streetcad.server;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.AccessHttp;
import it.firenze.streetcad.access.Accounts;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.db.EmbeddedPostgres;
import it.firenze.streetcad.features.SmallNetwork;
import it.firenze.streetcad.testing.StreamingReplica;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --db-read-url}: with a real streaming replica of the primary on loopback, what requests read (features,
 * tiles) comes from the replica, and every write (here a sign-in) and what must see it (the session) from the primary.
 * Pausing the replica's replay tells the two apart: the primary moves on, the replica's answers do not.
 */
class ReadReplicaTest {

    private static final String ITEM = "/collections/road-elements/items/101";
    private static final String TILE = "/tiles/road-elements/15/17408/11944.mvt";
    private static final String DATABASE = "replicated";
    private static final String PASSWORD = "a long enough password";
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void readsComeFromTheReplicaAndWritesGoToThePrimary() throws Exception {
        Path dir = Path.of("target", "replica-" + System.nanoTime()).toAbsolutePath();
        EmbeddedPostgres primary = EmbeddedPostgres.start(dir.resolve("primary"));
        try {
            primary.createDatabase(DATABASE);
            try (Database db = Database.connect(primary.url(DATABASE), DatabaseSettings.DEFAULT_STORAGE_SRID, 2)) {
                db.migrate();
                SmallNetwork.insert(db);
                new Accounts(db).add("anna", "Anna Rossi", "Ufficio Strade", Set.of(Role.TECHNICIAN), PASSWORD,
                        Actor.system("test setup"));
            }
            try (StreamingReplica replica = StreamingReplica.of(primary, dir.resolve("replica"));
                 StreetCadServer server = StreetCadServer.start(new ServerSettings(new DatabaseSettings(
                         withCredentials(primary.url(DATABASE)), dir, DatabaseSettings.DEFAULT_STORAGE_SRID, 4,
                         withCredentials(replica.url(DATABASE))), "127.0.0.1", 0, 5_000))) {
                String base = "http://127.0.0.1:" + server.port();
                // Given a served cadastre whose replica has caught up
                awaitJson(base + ITEM, item -> item.at("/properties/lanes").asInt() == 2);
                String tileBefore = get(base + TILE).headers().firstValue("ETag").orElseThrow();

                // When the replica stops replaying and an element changes on the primary
                replica.pauseReplay(DATABASE);
                try (Database db = Database.connect(primary.url(DATABASE), DatabaseSettings.DEFAULT_STORAGE_SRID, 1);
                     Connection c = db.connection(); var st = c.createStatement()) {
                    st.execute("UPDATE road_element SET lanes = 3 WHERE id = 101");
                }
                Thread.sleep(1_500);

                // Then items and tiles still answer from the replica
                assertEquals(2, json(get(base + ITEM)).at("/properties/lanes").asInt(), "read from the primary");
                assertEquals(tileBefore, get(base + TILE).headers().firstValue("ETag").orElseThrow());

                // while a sign-in (a write: the session and the audit) succeeds, so it went to the primary, and the
                // session is found there at once
                HttpResponse<String> login = client.send(HttpRequest.newBuilder(URI.create(base + "/auth/login"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                                "{\"username\": \"anna\", \"password\": \"" + PASSWORD + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, login.statusCode(), login.body());
                String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
                String cookie = setCookie.substring(0, setCookie.indexOf(';'));
                HttpResponse<String> me = client.send(HttpRequest.newBuilder(URI.create(base + "/auth/me"))
                        .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
                assertTrue(json(me).path("authenticated").asBoolean(), me.body());
                assertTrue(cookie.startsWith(AccessHttp.SESSION_COOKIE + "="));

                // When the replica replays again, the change reaches items and tiles (purged from the replica's log)
                replica.resumeReplay(DATABASE);
                awaitJson(base + ITEM, item -> item.at("/properties/lanes").asInt() == 3);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                String tileAfter = tileBefore;
                while (tileAfter.equals(tileBefore) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    tileAfter = get(base + TILE).headers().firstValue("ETag").orElseThrow();
                }
                assertTrue(!tileAfter.equals(tileBefore), "the tile was not purged after the replica caught up");
            }
        } finally {
            primary.close();
        }
    }

    private static String withCredentials(DatabaseUrl url) {
        return url.jdbcUrl() + "?user=" + url.user() + "&password=" + url.password();
    }

    private HttpResponse<String> get(String url) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return r;
    }

    private void awaitJson(String url, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode last = json(get(url));
        while (!done.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            last = json(get(url));
        }
        assertTrue(done.test(last), url + " never answered as expected: " + last);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.mapper().readTree(r.body());
    }
}
