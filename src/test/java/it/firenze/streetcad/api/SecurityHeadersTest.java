package it.firenze.streetcad.api;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every answer, Jetty's own refusals included, carries the security headers; those refusals are problem+json. */
class SecurityHeadersTest {

    static HttpServer server;

    @BeforeAll
    static void start() {
        server = new HttpServer("127.0.0.1", 0, 1_000, PublicBaseUrl.fromConnection(),
                SecurityHeaders.withBasemap("https://tiles.example.org/{z}/{x}/{y}.png"),
                List.of(routes -> routes.get("/hello", ctx -> ctx.result("hello")))).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Sends raw bytes (Jetty's refusals come from requests no HTTP client would send) and returns the whole answer. */
    static String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) answer.write(buffer, 0, n);
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    static void assertHardened(String answer) {
        String lower = answer.toLowerCase();
        assertTrue(lower.contains("content-security-policy: default-src 'self'; script-src 'self';"), answer);
        assertTrue(lower.contains("frame-ancestors 'none'"), answer);
        assertTrue(lower.contains("x-content-type-options: nosniff"), answer);
        assertTrue(lower.contains("referrer-policy: same-origin"), answer);
    }

    @Test
    void anOrdinaryAnswerAndA404CarryTheHeadersAndTheBasemapIsAllowedToLoad() throws IOException {
        String ok = raw("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(ok.startsWith("HTTP/1.1 200"), ok);
        assertHardened(ok);
        assertTrue(ok.contains("img-src 'self' data: blob: https://tiles.example.org;"), ok);
        assertTrue(ok.contains("connect-src 'self' https://tiles.example.org;"), ok);
        assertHardened(raw("GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    }

    @Test
    void jettysOwn400And414And431AreProblemsWithTheHeaders() throws IOException {
        String bad = raw("GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\nConnection: close\r\n\r\n");
        String longUri = raw("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        String bigHeader = raw("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\nConnection: close\r\n\r\n");
        for (var expected : List.of(List.of("400", bad), List.of("414", longUri), List.of("431", bigHeader))) {
            String answer = expected.get(1);
            assertTrue(answer.startsWith("HTTP/1.1 " + expected.get(0)), answer);
            assertTrue(answer.toLowerCase().contains("content-type: application/problem+json"), answer);
            assertTrue(answer.contains("\"status\":" + expected.get(0)), answer);
            assertHardened(answer);
            assertFalse(answer.contains("nope") || answer.contains("aaaa") || answer.contains("bbbb"), "nothing sent is echoed");
        }
    }

    @Test
    void aConfiguredBasemapWithoutOneLeavesOnlyThisServer() {
        assertEquals("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                        + "connect-src 'self'; worker-src 'self' blob:; child-src blob:; font-src 'self'; object-src 'none'; "
                        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
                SecurityHeaders.defaults().headers().get("Content-Security-Policy"));
    }
}
