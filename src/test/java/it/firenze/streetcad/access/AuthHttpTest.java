package it.firenze.streetcad.access;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import it.firenze.streetcad.topology.TopologyModule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static it.firenze.streetcad.testing.TestHttp.assertProblem;
import static it.firenze.streetcad.testing.TestHttp.assertUnauthorized;
import static it.firenze.streetcad.testing.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** People sign in with a password and act through a session cookie that another site cannot use. */
class AuthHttpTest {

    static final String PASSWORD = "correct horse battery staple";
    static Database db;
    static TestHttp http;
    static Accounts accounts;

    @BeforeAll
    static void start() throws Exception {
        db = TestPostgis.newCadastre();
        AccessHttp access = new AccessHttp(db, AccessSettings.defaults());
        accounts = access.accounts();
        accounts.add("anna", "Anna Rossi", "Ufficio Strade", Set.of(Role.TECHNICIAN), PASSWORD, Actor.system("test setup"));
        http = TestHttp.withAccess(access, new TopologyModule(db));
    }

    @AfterAll
    static void stop() {
        http.close();
        db.close();
    }

    static HttpResponse<String> login(TestHttp http, String username, String password, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.baseUrl() + "/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\": \"" + username + "\", \"password\": \"" + password + "\"}"));
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build());
    }

    /** The session cookie's value, from a login's Set-Cookie. */
    static String cookie(HttpResponse<String> login) {
        assertEquals(200, login.statusCode(), login.body());
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    }

    static JsonNode me(TestHttp http, String cookie) {
        return json(http.get("/auth/me", "Cookie", AccessHttp.SESSION_COOKIE + "=" + cookie));
    }

    static HttpResponse<String> validate(TestHttp http, String cookie, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.baseUrl() + "/topology/validations"))
                .header("Cookie", AccessHttp.SESSION_COOKIE + "=" + cookie).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"bbox\": [11.0, 43.0, 11.01, 43.01]}"));
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build());
    }

    @Test
    void aLoginSetsAnHttpOnlyStrictCookieAndMeTellsTheRolesAndTheCsrfToken() {
        HttpResponse<String> login = login(http, "anna", PASSWORD);
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.contains("; HttpOnly") && setCookie.contains("; SameSite=Strict") && setCookie.contains("; Path=/")
                && setCookie.contains("; Max-Age="), setCookie);
        assertFalse(setCookie.contains("Secure"), "plain HTTP on loopback: a Secure cookie would never come back");
        JsonNode me = me(http, cookie(login));
        assertTrue(me.get("authenticated").asBoolean(), me.toString());
        assertEquals("account:anna", me.get("id").asText());
        assertEquals("Ufficio Strade", me.get("organisation").asText());
        assertEquals(List.of("viewer", "technician"), listOf(me.get("roles")));
        assertEquals(43, me.get("csrfToken").asText().length());
        assertFalse(json(http.get("/auth/me")).get("authenticated").asBoolean());
    }

    @Test
    void behindHttpsTheCookieIsSecure() throws Exception {
        AccessHttp access = new AccessHttp(db, AccessSettings.defaults());
        try (var server = new it.firenze.streetcad.api.HttpServer("127.0.0.1", 0, 1_000,
                new it.firenze.streetcad.api.PublicBaseUrl("https://strade.comune.fi.it", List.of()), List.of(access));
             var client = java.net.http.HttpClient.newHttpClient()) {
            server.start();
            var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/auth/login"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\": \"anna\", \"password\": \"" + PASSWORD + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(r.headers().firstValue("Set-Cookie").orElseThrow().endsWith("; Secure"), r.headers().toString());
        }
    }

    @Test
    void aNewLoginRotatesTheSessionAndLogoutEndsIt() {
        String first = cookie(login(http, "anna", PASSWORD));
        String second = cookie(login(http, "anna", PASSWORD, "Cookie", AccessHttp.SESSION_COOKIE + "=" + first));
        assertNotEquals(first, second);
        assertFalse(me(http, first).get("authenticated").asBoolean(), "the session a login replaced is over");
        assertTrue(me(http, second).get("authenticated").asBoolean());
        var out = http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/auth/logout"))
                .header("Cookie", AccessHttp.SESSION_COOKIE + "=" + second).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(204, out.statusCode());
        assertTrue(out.headers().firstValue("Set-Cookie").orElseThrow().contains("Max-Age=0"));
        assertFalse(me(http, second).get("authenticated").asBoolean());
    }

    @Test
    void aCookieWriteNeedsThisServersOriginAndTheSessionsToken() throws Exception {
        String cookie = cookie(login(http, "anna", PASSWORD));
        String token = me(http, cookie).get("csrfToken").asText();
        String origin = http.baseUrl();
        assertProblem(validate(http, cookie), 403, null);
        assertProblem(validate(http, cookie, "Origin", origin), 403, null);
        assertProblem(validate(http, cookie, "X-CSRF-Token", token), 403, null);
        String wrong = (token.startsWith("x") ? "y" : "x") + token.substring(1);
        assertProblem(validate(http, cookie, "Origin", origin, "X-CSRF-Token", wrong), 403, null);
        assertProblem(validate(http, cookie, "Origin", "http://evil.example.org", "X-CSRF-Token", token), 403, null);
        var accepted = validate(http, cookie, "Origin", origin, "X-CSRF-Token", token);
        assertEquals(202, accepted.statusCode(), accepted.body());
        long id = json(accepted).get("id").asLong();
        JsonNode row = http.audit("collection=topology_validation&id=" + id).getFirst();
        assertEquals("account:anna", row.get("principal").asText());
        assertEquals("Ufficio Strade", row.get("organisation").asText());
    }

    @Test
    void keysAreNeverTakenFromTheQueryStringOrACookie() {
        String key = http.key(Role.TECHNICIAN);
        assertUnauthorized(http.postAs(null, "/topology/validations?access_token=" + key, "{}"));
        assertUnauthorized(http.postAs(null, "/topology/validations?api_key=" + key, "{}"));
        assertUnauthorized(http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/topology/validations"))
                .header("Cookie", AccessHttp.SESSION_COOKIE + "=" + key + "; Authorization=Bearer " + key)
                .header("Origin", http.baseUrl()).POST(HttpRequest.BodyPublishers.noBody()).build()));
    }

    @Test
    void anUnknownNameAndAWrongPasswordGetTheSameAnswerAndRepeatedFailuresLockTheName() throws Exception {
        accounts.add("bruno", "Bruno", null, Set.of(Role.EDITOR), PASSWORD, Actor.system("test setup"));
        HttpResponse<String> unknown = login(http, "nobody-here", "wrong password 1");
        HttpResponse<String> wrong = login(http, "bruno", "wrong password 1");
        assertProblem(unknown, 401, null);
        assertEquals(unknown.statusCode(), wrong.statusCode());
        assertEquals(json(unknown).get("detail"), json(wrong).get("detail"));
        for (int i = 2; i <= LoginThrottle.ACCOUNT_LIMIT; i++) assertProblem(login(http, "bruno", "wrong password " + i), 401, null);
        HttpResponse<String> locked = login(http, "bruno", PASSWORD);
        assertProblem(locked, 429, null);
        assertTrue(Long.parseLong(locked.headers().firstValue("Retry-After").orElseThrow()) > 60, locked.headers().toString());
        for (int i = 1; i <= LoginThrottle.ACCOUNT_LIMIT; i++) login(http, "nobody-else", "guess " + i);
        assertProblem(login(http, "nobody-else", "guess"), 429, null);
        assertEquals(LoginThrottle.ACCOUNT_LIMIT, http.audit("principal=anonymous&limit=1000").stream()
                .filter(e -> e.get("action").asText().equals("login.failure") && e.at("/details/username").asText().equals("bruno"))
                .count(), "every failure is in the audit log");
        assertEquals(200, login(http, "anna", PASSWORD).statusCode(), "other names are not locked");
    }

    @Test
    void aSessionEndsWhenIdleWhenTooOldAndWhenItsAccountIsDisabled() throws Exception {
        Accounts.Account carla = accounts.add("carla", null, null, Set.of(Role.VIEWER), PASSWORD, Actor.system("test setup"));
        try (TestHttp idle = TestHttp.withAccess(new AccessHttp(db, new AccessSettings(true, Duration.ofSeconds(2),
                Duration.ofHours(1), List.of(), null)));
             TestHttp old = TestHttp.withAccess(new AccessHttp(db, new AccessSettings(true, Duration.ofHours(1),
                     Duration.ofSeconds(2), List.of(), null)))) {
            String idleCookie = cookie(login(idle, "carla", PASSWORD));
            String oldCookie = cookie(login(old, "carla", PASSWORD));
            assertTrue(me(idle, idleCookie).get("authenticated").asBoolean());
            Thread.sleep(3_000);
            assertFalse(me(idle, idleCookie).get("authenticated").asBoolean(), "idle for longer than allowed");
            assertFalse(me(old, oldCookie).get("authenticated").asBoolean(), "older than allowed");
        }
        String cookie = cookie(login(http, "carla", PASSWORD));
        accounts.disable(carla.username(), Actor.system("test"));
        assertFalse(me(http, cookie).get("authenticated").asBoolean());
        assertProblem(login(http, "carla", PASSWORD), 401, null);
    }

    @Test
    void withoutPublicReadsEveryRouteButHealthAndSigningInNeedsAViewer() throws Exception {
        try (TestHttp closed = TestHttp.withAccess(new AccessHttp(db, false), new it.firenze.streetcad.api.HealthModule(db),
                new TopologyModule(db))) {
            assertUnauthorized(closed.get("/topology/issues"));
            assertEquals(200, closed.get("/health").statusCode());
            assertEquals(200, closed.get("/ready").statusCode());
            assertEquals(200, closed.get("/auth/me").statusCode());
            String viewer = closed.key(Role.VIEWER);
            assertEquals(200, closed.sendAs(viewer, HttpRequest.newBuilder(URI.create(closed.baseUrl() + "/topology/issues"))
                    .build()).statusCode());
        }
    }

    static List<String> listOf(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
