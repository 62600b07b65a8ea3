package it.firenze.streetcad.api;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Links point where clients reach the server, never where a request's Host header says. */
class PublicBaseUrlTest {

    static String base(PublicBaseUrl links, String... headers) throws Exception {
        try (HttpServer server = new HttpServer("127.0.0.1", 0, 1_000, links,
                List.of(routes -> routes.get("/base", ctx -> ctx.result(PublicBaseUrl.of(ctx))))).start()) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/base"));
            if (headers.length > 0) b.headers(headers);
            try (HttpClient client = HttpClient.newHttpClient()) {
                // The client closes its connection before the server stops, which would otherwise wait for it.
                String body = client.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
                return body.replace(":" + server.port(), ":PORT");
            }
        }
    }

    @Test
    void givenNothingConfiguredLinksUseTheAddressTheConnectionReachedNotTheHostHeader() throws Exception {
        assertEquals("http://127.0.0.1:PORT", base(PublicBaseUrl.fromConnection(), "X-Forwarded-Host", "evil.example.org"));
    }

    @Test
    void givenAPublicUrlLinksUseItWhateverTheRequestSays() throws Exception {
        assertEquals("https://gis.example.org/streetcad", base(new PublicBaseUrl("https://gis.example.org/streetcad/", List.of()),
                "Forwarded", "host=evil.example.org;proto=http"));
    }

    @Test
    void givenATrustedProxyItsForwardingHeadersAreBelievedAndAnUntrustedOnesAreNot() throws Exception {
        PublicBaseUrl trusted = new PublicBaseUrl(null, List.of("127.0.0.1"));
        assertEquals("https://maps.comune.fi.it", base(trusted, "Forwarded", "for=10.0.0.1;proto=https;host=maps.comune.fi.it"));
        assertEquals("https://maps.comune.fi.it:8443/cad", base(trusted, "X-Forwarded-Proto", "https",
                "X-Forwarded-Host", "maps.comune.fi.it", "X-Forwarded-Port", "8443", "X-Forwarded-Prefix", "/cad/"));
        assertEquals("http://127.0.0.1:PORT", base(trusted, "X-Forwarded-Host", "bad host/<script>"),
                "a host that is not a host name is ignored");
        PublicBaseUrl other = new PublicBaseUrl(null, List.of("10.9.9.9"));
        assertEquals("http://127.0.0.1:PORT", base(other, "X-Forwarded-Host", "maps.comune.fi.it"));
    }

    @Test
    void aPublicUrlThatIsNotHttpIsRefusedAtStart() {
        assertThrows(IllegalArgumentException.class, () -> new PublicBaseUrl("ftp://gis.example.org", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new PublicBaseUrl("https://gis.example.org/?a=1", List.of()));
    }
}
