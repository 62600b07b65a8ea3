package it.firenze.streetcad.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static it.firenze.streetcad.testing.TestHttp.assertProblem;
import static it.firenze.streetcad.testing.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read API's defects found by the OGC test suites and by hand (issue 15), one regression test each: boxes far
 * from the storage CRS's zone, input that made the server fail instead of naming the mistake, and a swapped point.
 */
class ReadApiDefectsTest extends OnAServedCadastre {

    /** The live elements: 106 was retired in 2021, and items without datetime are the live ones. */
    static final List<Long> LIVE = List.of(101L, 102L, 103L, 104L, 105L);

    @Test
    void aBoxFarFromTheStorageZoneIsEmptyNotAServerError() {
        // UTM 32N cannot project the Andes: the box is cut to the zone first, and nothing is left of it.
        assertEquals(List.of(), ids("/collections/road-elements/items?bbox=-80,-5,-70,5"));
    }

    @Test
    void theWorldBoxFindsEveryFeature() {
        assertEquals(LIVE, ids("/collections/road-elements/items?bbox=-180,-90,180,90&limit=100"));
        assertEquals(LIVE, ids("/collections/road-elements/items?limit=100&filter="
                + q("S_INTERSECTS(geometry, BBOX(-180,-90,180,90))")));
        assertEquals(LIVE, ids("/collections/road-elements/items?limit=100&filter-lang=cql2-json&filter="
                + q("{\"op\":\"s_intersects\",\"args\":[{\"property\":\"geometry\"},{\"bbox\":[-180,-90,180,90]}]}")));
    }

    @Test
    void aBoxAcrossTheAntimeridianIsAcceptedAsTheStandardAllows() {
        assertEquals(List.of(), ids("/collections/road-elements/items?bbox=177,65,-177,70"));
        // West of the east edge but east of the west edge: Florence lies in the part east of the antimeridian.
        assertEquals(LIVE, ids("/collections/road-elements/items?bbox=170,-90,12,90&limit=100"));
        // EPSG:4326 is latitude first: the same box.
        assertEquals(LIVE, ids("/collections/road-elements/items?limit=100&bbox=-90,170,90,12&bbox-crs="
                + q("http://www.opengis.net/def/crs/EPSG/0/4326")));
    }

    /**
     * CQL2 7.4.2: "In cases where the bounding box spans the antimeridian of a geographic coordinate reference
     * system, the lower-left value (west-most box edge) is larger than the upper-right value" – in CQL2 text and JSON
     * as in bbox; in a projected filter-crs such a BBOX is no box, a 400.
     */
    @Test
    void aFilterBboxAcrossTheAntimeridianIsAcceptedInCrs84() {
        assertEquals(List.of(), ids("/collections/road-elements/items?filter=" + q("S_INTERSECTS(geometry, BBOX(177, 65, -177, 70))")));
        assertEquals(LIVE, ids("/collections/road-elements/items?limit=100&filter="
                + q("S_INTERSECTS(geometry, BBOX(170, -90, 12, 90))")));
        assertEquals(LIVE, ids("/collections/road-elements/items?limit=100&filter-lang=cql2-json&filter="
                + q("{\"op\": \"s_intersects\", \"args\": [{\"property\": \"geometry\"}, {\"bbox\": [170, -90, 12, 90]}]}")));
        assertProblem(http.get("/collections/road-elements/items?filter=" + q("S_INTERSECTS(geometry, BBOX(700000, 4800000, "
                + "600000, 4900000))") + "&filter-crs=" + q("http://www.opengis.net/def/crs/EPSG/0/7791")), 400, "filter");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-181,40,12,45", "11,40,181,45"})
    void aLongitudeOffTheGlobeIsABadRequestLikeALatitude(String bbox) {
        HttpResponse<String> r = http.get("/collections/road-elements/items?bbox=" + bbox);
        assertProblem(r, 400, "bbox");
        assertTrue(json(r).get("detail").asText().contains("longitude"), r.body());
    }

    @Test
    void tilesAtOverviewZoomsFarBeyondTheZoneAnswer() {
        for (String tile : List.of("0/0/0", "1/1/0", "2/2/1", "3/4/2", "2/0/3")) {
            HttpResponse<String> r = http.get("/tiles/road-elements/" + tile + ".geojson");
            assertEquals(200, r.statusCode(), tile + " -> " + r.body());
        }
        String z = "/collections/road-elements/tiles/WebMercatorQuad/2/1/2";
        assertEquals(200, http.get(z).statusCode(), z);
    }

    @Test
    void topologyBoxesAreCutToTheZoneToo() throws InterruptedException {
        JsonNode world = http.runJob("/topology/validations", "{\"bbox\": [-180, -90, 180, 90]}",
                v -> !v.get("status").asText().equals("running"));
        assertEquals("succeeded", world.get("status").asText(), world.toString());
        JsonNode far = http.runJob("/topology/validations", "{\"bbox\": [-80, -5, -70, 5]}",
                v -> !v.get("status").asText().equals("running"));
        assertEquals("succeeded", far.get("status").asText(), far.toString());
        assertEquals(200, http.get("/topology/issues?bbox=-80,-5,-70,5").statusCode());
        assertEquals(200, http.get("/topology/issues?bbox=-180,-90,180,90").statusCode());
    }

    @Test
    void aFilterNestedHundredsOfLevelsIsABadRequestNotAStackOverflow() {
        String deep = "(".repeat(400) + "lanes=1" + ")".repeat(400);
        HttpResponse<String> r = http.get("/collections/road-elements/items?filter=" + q(deep));
        assertProblem(r, 400, "filter");
        assertTrue(json(r).get("detail").asText().contains("nests deeper"), r.body());
        String deepJson = "{\"op\":\"not\",\"args\":[".repeat(100) + "true" + "]}".repeat(100);
        assertProblem(http.get("/collections/road-elements/items?filter-lang=cql2-json&filter=" + q(deepJson)), 400, "filter");
        // Real filters nest a few levels; those still work.
        assertEquals(List.of(101L), ids("/collections/road-elements/items?filter=" + q("((((lanes=2))))")));
    }

    @Test
    void aNulByteIsABadRequestNamingTheParameter() {
        assertProblem(http.get("/collections/road-elements/items?name=Via%00"), 400, "name");
        assertProblem(http.get("/collections/road-elements/items?filter=" + q("name='Via\0'")), 400, "filter");
        assertProblem(http.get("/roads?q=via%00"), 400, "q");
    }

    @Test
    void numbersBeyondADoubleAndPositionsOffTheGlobeInFiltersAreBadRequests() {
        assertProblem(http.get("/collections/road-elements/items?filter-lang=cql2-json&filter="
                + q("{\"op\":\"=\",\"args\":[{\"property\":\"lanes\"},1e999]}")), 400, "filter");
        assertProblem(http.get("/collections/road-elements/items?filter="
                + q("S_INTERSECTS(geometry, POINT(11 1e308))")), 400, "filter");
    }

    @Test
    void aHugeOffsetIsNamedAsTooLargeNotAsUnreadable() {
        HttpResponse<String> r = http.get("/collections/road-elements/items?offset=2147483647");
        assertProblem(r, 400, "offset");
        assertTrue(json(r).get("detail").asText().contains("at most"), r.body());
    }

    @Test
    void aMultipartFieldLargerThanTheServerReadsIsABadRequestNamingIt() {
        String boundary = "streetcad-test-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"layer\"\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes("a".repeat(5_600_000).getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.zip\"\r\n"
                + "Content-Type: application/zip\r\n\r\nPK\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/imports"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
        assertProblem(r, 400, "layer");
        assertEquals("close", r.headers().firstValue("Connection").orElse(""), r.headers().toString());
    }

    @Test
    void nearestWithLatitudeAndLongitudeSwappedSaysThePointIsOutsideTheCadastre() {
        JsonNode swapped = json(http.get("/network/nearest?point=43.7700,11.2550"));
        assertEquals(0, swapped.get("features").size());
        String hint = swapped.path("hint").asText();
        assertTrue(hint.contains("outside the cadastre's extent") && hint.contains("longitude,latitude"), swapped.toString());
        // Inside the storage zone but kilometres from any element: the same hint.
        assertTrue(json(http.get("/network/nearest?point=10.5,44.5")).has("hint"));
        assertFalse(json(http.get("/network/nearest?point=11.2555,43.7720&max-distance=1")).has("hint"),
                "near the cadastre, nothing within a metre is an ordinary empty answer");
        assertEquals(101L, json(http.get("/network/nearest?point=11.2555,43.7700")).get("features").get(0)
                .get("properties").get("element_id").asLong());
    }

    static HttpResponse<String> send(String method, String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.baseUrl() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build());
    }

    static void sql(String statement) {
        try (var c = served.db.connection(); var st = c.createStatement()) {
            st.execute(statement);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(statement, e);
        }
    }

    @Test
    void everyAddressableCollectionIsListedAndAnEmptyOnesCountIsExact() {
        List<String> ids = new ArrayList<>();
        json(http.get("/collections")).get("collections").forEach(c -> ids.add(c.get("id").asText()));
        assertEquals(List.of("road-elements", "junctions", "roads", "element-events", "topology-issues",
                "viability-measures", "works", "ordinances"), ids);
        JsonNode events = json(http.get("/collections/element-events/items?filter=" + q("kind='none'")));
        assertEquals(0, events.get("numberMatchedEstimate").asLong(), events.toString());
        assertEquals(200, http.get("/collections/topology-issues").statusCode());
        assertEquals(200, http.get("/collections/topology-issues/items").statusCode());
    }

    @Test
    void theItemsEtagFollowsTheDataNotTheClock() throws InterruptedException {
        String path = "/collections/road-elements/items?limit=2";
        String etag = http.get(path).headers().firstValue("ETag").orElseThrow();
        Thread.sleep(1_100);
        // A second later the body's timeStamp differs, the data does not: still valid.
        assertEquals(304, http.get(path, "If-None-Match", etag).statusCode());
        sql("UPDATE road SET name = 'Via dei Calzaiuoli ' WHERE id = 1");
        try {
            HttpResponse<String> changed = http.get(path, "If-None-Match", etag);
            assertEquals(200, changed.statusCode());
            assertTrue(!changed.headers().firstValue("ETag").orElseThrow().equals(etag));
        } finally {
            sql("UPDATE road SET name = 'Via dei Calzaiuoli' WHERE id = 1");
        }
    }

    @Test
    void aRevalidationIsAnsweredWithoutRunningThePageQuery() throws Exception {
        String path = "/collections/element-events/items?limit=5";
        String etag = http.get(path).headers().firstValue("ETag").orElseThrow();
        // Another transaction holds the events' table locked: the page query would wait for it; the 304 never runs it.
        try (var c = served.db.connection(); var st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("LOCK TABLE element_event IN ACCESS EXCLUSIVE MODE");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + path))
                    .header("If-None-Match", etag).timeout(java.time.Duration.ofSeconds(5)).GET().build());
            assertEquals(304, r.statusCode());
            c.rollback();
        }
    }

    @Test
    void headOnAnItemAnswersGetsHeadersWithoutABody() {
        HttpResponse<String> get = http.get("/collections/road-elements/items/101");
        HttpResponse<String> head = send("HEAD", "/collections/road-elements/items/101");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals("application/geo+json", head.headers().firstValue("Content-Type").orElse(""));
        assertEquals(get.headers().firstValue("ETag"), head.headers().firstValue("ETag"));
        assertEquals("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>", head.headers().firstValue("Content-Crs").orElse(""));
    }

    /**
     * HEAD on every resource answers GET's status and Content-Type (RFC 9110 §9.3.2, required by /req/core/http):
     * Javalin answered a HEAD on a GET route it had no HEAD route for with 200 text/plain without running it, so a
     * missing collection was "200".
     */
    @Test
    void headOnEveryResourceAnswersWhatGetWould() {
        for (String path : List.of("/", "/conformance", "/api", "/collections", "/collections/road-elements",
                "/collections/road-elements/queryables", "/collections/nope", "/collections/nope/items",
                "/collections/road-elements/items?limit=0")) {
            HttpResponse<String> get = http.get(path);
            HttpResponse<String> head = send("HEAD", path);
            assertEquals(get.statusCode(), head.statusCode(), "HEAD " + path);
            assertEquals(get.headers().firstValue("Content-Type"), head.headers().firstValue("Content-Type"), "HEAD " + path);
            assertEquals("", head.body(), "HEAD " + path);
        }
    }

    @Test
    void nextLinksCarryAKeysetAndWalkEveryFeatureOnce() {
        List<Long> seen = new ArrayList<>();
        String next = "/collections/road-elements/items?limit=1";
        while (next != null) {
            JsonNode page = json(http.get(next));
            page.get("features").forEach(f -> seen.add(f.get("id").asLong()));
            next = null;
            for (JsonNode l : page.get("links")) {
                if (l.get("rel").asText().equals("next")) {
                    assertTrue(l.get("href").asText().contains("after="), l.toString());
                    next = l.get("href").asText().substring(http.baseUrl().length());
                }
            }
        }
        assertEquals(LIVE, seen);
        // sortby pages by offset: a keyset over another order would skip or repeat features.
        assertProblem(http.get("/collections/road-elements/items?sortby=name&after=3"), 400, "after");
    }

    @Test
    void linksAndTheApiDefinitionAreAbsoluteWithPlainMediaTypes() {
        JsonNode api = json(http.get("/api"));
        assertEquals(http.baseUrl(), api.at("/servers/0/url").asText());
        assertEquals(".collection.vector.getTile", api.at("/paths/~1collections~1{collectionId}~1tiles~1{tileMatrixSetId}"
                + "~1{tileMatrix}~1{tileRow}~1{tileCol}/get/operationId").asText());
        for (String path : List.of("/", "/collections", "/collections/road-elements/items/101",
                "/collections/road-elements/tiles", "/tileMatrixSets")) {
            String body = http.get(path).body();
            assertFalse(body.contains("charset"), path + ": " + body);
            assertFalse(body.contains("\"href\":\"/"), "relative link in " + path + ": " + body);
            assertFalse(body.replace("http://", "").contains("//"), path + ": " + body);
        }
        JsonNode feature = json(http.get("/collections/road-elements/items/101"));
        for (JsonNode l : feature.get("links")) {
            if (l.get("rel").asText().equals("self")) assertEquals("application/geo+json", l.get("type").asText());
        }
    }
}
