package it.firenze.streetcad.server;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.ApiKeys;
import it.firenze.streetcad.access.Role;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;

import static it.firenze.streetcad.testing.TestHttp.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Ids in paths on the whole server: an id no resource can have (not a number, or a number past any id) is a
 * resource that does not exist, 404 problem+json, on every route that takes one, as OGC API Features answers a
 * path parameter with an incorrect value; never 400 on some routes and 404 on others.
 */
class UnknownIdsTest {

    /** Method, path with {id} for the id, and a JSON body for the writes. */
    private static final List<String[]> ROUTES = List.of(
            new String[]{"GET", "/jobs/{id}", null},
            new String[]{"DELETE", "/jobs/{id}", null},
            new String[]{"GET", "/imports/{id}", null},
            new String[]{"POST", "/imports/{id}/commit", "{}"},
            new String[]{"DELETE", "/imports/{id}", null},
            new String[]{"GET", "/network/builds/{id}", null},
            new String[]{"GET", "/network/builds/{id}/changes", null},
            new String[]{"GET", "/topology/validations/{id}", null},
            new String[]{"POST", "/topology/issues/{id}/accept", "{}"},
            new String[]{"GET", "/network/elements/{id}/point?m=1", null},
            new String[]{"GET", "/network/junctions/{id}", null},
            new String[]{"GET", "/viability/measures/{id}", null},
            new String[]{"GET", "/viability/measures/{id}/impact", null},
            new String[]{"GET", "/viability/works/{id}", null},
            new String[]{"PATCH", "/collections/viability-measures/items/{id}", "{\"status\": \"expired\"}"},
            new String[]{"GET", "/collections/road-elements/items/{id}", null},
            new String[]{"GET", "/collections/road-elements/items/{id}/history", null},
            new String[]{"DELETE", "/collections/road-elements/items/{id}", null});

    @Test
    void givenTheWholeServer_whenAnIdNoResourceCanHaveIsAsked_thenEveryRouteAnswersNotFound() throws Exception {
        try (StreetCadServer server = WholeServer.onANewDatabase()) {
            String key = new ApiKeys(server.store().database()).create("ids", Set.of(Role.ADMIN), "Comune di Firenze",
                    null, Actor.system("test")).secret();
            HttpClient client = HttpClient.newHttpClient();
            for (String[] route : ROUTES) {
                for (String id : List.of("abc", "12x", "99999999999999999999999", "999999")) {
                    String path = route[1].replace("{id}", id);
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                            .header("Authorization", "Bearer " + key).header("If-Match", "\"1\"")
                            .method(route[0], route[2] == null ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(route[2]));
                    if (route[2] != null) b.header("Content-Type", "application/json");
                    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(404, r.statusCode(), route[0] + " " + path + ": " + r.body());
                    assertProblem(r, 404, null);
                }
            }
        }
    }
}
