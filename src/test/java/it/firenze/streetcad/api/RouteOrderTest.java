package it.firenze.streetcad.api;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hot routes go first only ahead of routes that no path can match together with them. */
class RouteOrderTest {

    @Test
    void patternsAreDisjointOnlyWhenNoPathCanMatchBoth() {
        assertTrue(RouteOrder.disjoint("/collections/{c}/items", "/collections/{c}"), "2 segments against 3");
        assertTrue(RouteOrder.disjoint("/network/nearest", "/network/state"), "different plain segments");
        assertTrue(RouteOrder.disjoint("/network/nearest", "/collections/{c}"));
        assertFalse(RouteOrder.disjoint("/collections/{c}/items", "/collections/road-elements/items"),
                "a parameter matches the other's plain segment");
        assertFalse(RouteOrder.disjoint("/tiles/{file}", "/tiles/{layer}"));
        assertFalse(RouteOrder.disjoint("/tiles/{z}.pbf", "/tiles/x"), "a segment with a parameter may match anything");
        assertFalse(RouteOrder.disjoint("/a.b", "/axb"), "a literal's characters are a regex for Javalin");
        assertFalse(RouteOrder.disjoint("/network/*", "/network/nearest/x"), "a wildcard spans segments");
        assertFalse(RouteOrder.disjoint("/files/<path>", "/files/a/b"), "a slash-accepting parameter spans segments");
        assertFalse(RouteOrder.disjoint("*", "/network/nearest"));
        assertFalse(RouteOrder.disjoint("/network/nearest", "/network/nearest"));
    }

    @Test
    void overARealPortTheRouteThatAnsweredInRegistrationOrderStillAnswers() throws Exception {
        HttpModule earlier = routes -> {
            routes.get("/collections/{collectionId}/items/{featureId}/history", ctx -> ctx.result("history"));
            routes.get("/collections/special/items", ctx -> ctx.result("special"));  // overlaps the hot items route
            routes.get("/network/state", ctx -> ctx.result("state"));
        };
        HttpModule hot = routes -> {
            routes.get("/collections/{collectionId}/items", ctx -> ctx.result("items"));
            routes.get("/collections/{collectionId}/items/{featureId}", ctx -> ctx.result("item"));
            routes.get("/network/nearest", ctx -> ctx.result("nearest"));
        };
        try (HttpServer server = new HttpServer("127.0.0.1", 0, 5_000, List.of(earlier, hot)).start()) {
            assertEquals(List.of("GET /collections/{collectionId}/items/{featureId}", "GET /network/nearest",
                            "GET /collections/{collectionId}/items/{featureId}/history",
                            "GET /collections/special/items", "GET /network/state", "GET /collections/{collectionId}/items"),
                    server.orderedEndpoints().stream().map(RouteOrder::key).toList(),
                    "item and nearest first; items stays behind the route it shares /collections/special/items with");
            assertEquals("special", get(server, "/collections/special/items"));
            assertEquals("items", get(server, "/collections/other/items"));
            assertEquals("item", get(server, "/collections/special/items/7"));
            assertEquals("history", get(server, "/collections/special/items/7/history"));
            assertEquals("nearest", get(server, "/network/nearest"));
            assertEquals("state", get(server, "/network/state"));
        }
    }

    private static String get(HttpServer server, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }
}
