package it.firenze.streetcad.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.router.Endpoint;
import it.firenze.streetcad.testing.TestHttp;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole server as it starts: the OpenAPI document at {@code /api} (the service description every OGC client and
 * city system reads) describes every route the server answers, with its methods, and nothing it does not answer.
 * Only the web map's own files and the document's viewer are left out: they are pages, not the API.
 */
class ApiDocumentCoverageTest {

    /** The web map's pages and files, and Swagger UI's: served to browsers, not part of the API. */
    private static final Pattern NOT_API = Pattern.compile("/map.*|/web/.*|/api\\.html|/api/swagger-ui.*|/favicon\\.ico");

    @Test
    void givenTheWholeServer_whenItsApiDocumentIsRead_thenEveryRouteAndMethodItAnswersIsDescribed() throws Exception {
        try (StreetCadServer server = WholeServer.onANewDatabase()) {
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            List<String> answered = new ArrayList<>();
            for (Endpoint e : server.http().registeredEndpoints()) {
                // HEAD answers as GET does (a twin of every GET route); OPTIONS is CORS's.
                if (!e.method.isHttpMethod() || e.method.name().equals("HEAD") || e.method.name().equals("OPTIONS")) continue;
                if (NOT_API.matcher(e.path).matches()) continue;
                // A route that only says which methods a resource takes (405) is not an operation of the API.
                String example = PARAMETER.matcher(e.path).replaceAll("1");
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(base + example))
                        .method(e.method.name(), HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() != 405) answered.add(e.method.name() + " " + e.path);
            }

            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api?f=json")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            JsonNode paths = TestHttp.json(r).get("paths");
            List<String> described = new ArrayList<>();
            paths.fieldNames().forEachRemaining(path -> paths.get(path).fieldNames().forEachRemaining(method -> {
                if (Set.of("get", "post", "put", "patch", "delete").contains(method)) {
                    described.add(method.toUpperCase(Locale.ROOT) + " " + path);
                }
            }));

            assertEquals(List.of(), unmatched(answered, described), "answered by the server, not described in /api");
            assertTrue(answered.size() > 60 && described.size() > 60, answered.size() + " answered, " + described.size() + " described");
            assertEquals(List.of(), unmatched(described, answered),
                    "described in /api, not answered by the server");
        }
    }

    private static final Pattern PARAMETER = Pattern.compile("\\{[^}]*}");

    /** The routes of {@code routes} that no route of {@code others} can take a request of (same method, same path). */
    private static List<String> unmatched(List<String> routes, List<String> others) {
        return routes.stream().filter(route -> others.stream().noneMatch(other -> overlap(route, other))).sorted().toList();
    }

    /**
     * Whether a request could match both: the same method and, segment by segment, the same text or a parameter on
     * either side (a document's {@code /collections/{collectionId}/items} takes the server's per-collection
     * {@code /collections/road-elements/items}; the server's {@code /tiles/{file}} serves the document's
     * {@code /tiles/{layer}.json}).
     */
    private static boolean overlap(String a, String b) {
        String[] x = a.split(" ", 2), y = b.split(" ", 2);
        if (!x[0].equals(y[0])) return false;
        String[] p = x[1].split("/", -1), q = y[1].split("/", -1);
        if (p.length != q.length) return false;
        for (int i = 0; i < p.length; i++) {
            if (!p[i].equals(q[i]) && !p[i].contains("{") && !q[i].contains("{")) return false;
        }
        return true;
    }
}
