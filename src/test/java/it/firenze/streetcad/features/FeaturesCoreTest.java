package it.firenze.streetcad.features;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.cql2.Queryable;
import it.firenze.streetcad.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given the small network in a real PostGIS behind a real HTTP port, OGC API – Features Part 1 Core and GeoJSON
 * behave as their abstract tests (Annex A of 17-069r4) require, and bad input is a 400/404 problem naming it.
 */
class FeaturesCoreTest {

    /** A datetime that every record of the small network meets, live or retired. */
    static final String EVERY_RECORD = "datetime=1900-01-01T00:00:00Z/..";

    static SmallNetwork.Served network;
    static TestHttp http;

    @BeforeAll
    static void start() {
        network = SmallNetwork.serve(db -> List.of(new FeaturesModule(db, ctx -> ctx.html("<p>the web map</p>"))));
        http = network.http();
    }

    @AfterAll
    static void stop() {
        network.close();
    }

    static JsonNode ok(String path, String... headers) {
        HttpResponse<String> r = http.get(path, headers);
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        return TestHttp.json(r);
    }

    static JsonNode problem(String path, int status, String parameter) {
        HttpResponse<String> r = http.get(path);
        assertEquals(status, r.statusCode(), path + " -> " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), path);
        JsonNode body = TestHttp.json(r);
        if (parameter != null) assertEquals(parameter, body.path("parameter").asText(), body.toString());
        return body;
    }

    static List<Long> ids(JsonNode collection) {
        List<Long> ids = new ArrayList<>();
        collection.get("features").forEach(f -> ids.add(f.get("id").asLong()));
        return ids;
    }

    static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static String href(JsonNode doc, String rel) {
        for (JsonNode l : doc.get("links")) if (l.get("rel").asText().equals(rel)) return l.get("href").asText();
        return null;
    }

    @Test
    void theLandingPageLinksToTheApiTheConformanceAndTheData() {
        JsonNode landing = ok("/?f=json");
        for (String rel : List.of("self", "alternate", "service-desc", "service-doc", "conformance", "data")) {
            assertTrue(href(landing, rel) != null, rel + " missing in " + landing);
        }
        assertTrue(href(landing, "data").endsWith("/collections"));
        assertEquals(200, http.get(href(landing, "conformance").replace(http.baseUrl(), "")).statusCode());
    }

    @Test
    void aBrowserAskingForTheHomePageGetsTheWebMapButFHtmlGetsTheLandingPage() {
        var map = http.get("/", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
        assertEquals("<p>the web map</p>", map.body());
        var landing = http.get("/?f=html");
        assertTrue(landing.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(landing.body().contains("StreetCad"), landing.body());
        assertTrue(ok("/", "Accept", "application/json").has("links"));
    }

    @Test
    void conformanceDeclaresExactlyTheClassesTheseTestsCheck() {
        JsonNode c = ok("/conformance");
        Set<String> classes = new TreeSet<>();
        c.get("conformsTo").forEach(x -> classes.add(x.asText()));
        String f = "http://www.opengis.net/spec/ogcapi-features-";
        String cql = "http://www.opengis.net/spec/cql2/1.0/conf/";
        assertEquals(new TreeSet<>(List.of(f + "1/1.0/conf/core", f + "1/1.0/conf/geojson", f + "1/1.0/conf/html",
                f + "1/1.0/conf/oas30", f + "2/1.0/conf/crs", f + "3/1.0/conf/queryables",
                f + "3/1.0/conf/queryables-query-parameters", f + "3/1.0/conf/filter", f + "3/1.0/conf/features-filter",
                cql + "cql2-text", cql + "cql2-json", cql + "basic-cql2", cql + "advanced-comparison-operators",
                cql + "basic-spatial-functions", cql + "basic-spatial-functions-plus", cql + "spatial-functions",
                cql + "temporal-functions",
                // Part 4, checked by editing.EditingHttpTest
                f + "4/1.0/conf/create-replace-delete", f + "4/1.0/conf/update")),
                classes);
    }

    @Test
    void collectionsListTheCadastreLayersWithExtentAndItemsLinks() {
        JsonNode c = ok("/collections");
        List<String> ids = new ArrayList<>();
        c.get("collections").forEach(x -> ids.add(x.get("id").asText()));
        assertEquals(List.of("road-elements", "junctions", "roads", "element-events", "topology-issues", "viability-measures", "works",
                "ordinances"), ids);
        JsonNode elements = ok("/collections/road-elements");
        assertEquals("road-elements", elements.get("id").asText());
        JsonNode bbox = elements.at("/extent/spatial/bbox/0");
        assertEquals(11.255, bbox.get(0).asDouble(), 1e-7);
        assertEquals(43.7695, bbox.get(1).asDouble(), 1e-7);
        assertEquals(11.271, bbox.get(2).asDouble(), 1e-7);
        assertEquals(43.780, bbox.get(3).asDouble(), 1e-7);
        assertTrue(href(elements, "items").endsWith("/collections/road-elements/items"));
        assertEquals("http://www.opengis.net/def/crs/EPSG/0/6707", elements.get("storageCrs").asText());
    }

    @Test
    void itemsAreAGeoJsonFeatureCollectionInCrs84WithTheContractProperties() {
        var r = http.get("/collections/road-elements/items");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/geo+json"));
        assertEquals("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>", r.headers().firstValue("Content-Crs").orElse(""));
        JsonNode fc = TestHttp.json(r);
        assertEquals("FeatureCollection", fc.get("type").asText());
        // 106 was retired in 2021: the items are the live ones unless datetime asks for others.
        assertEquals(List.of(101L, 102L, 103L, 104L, 105L), ids(fc));
        assertEquals(5, fc.get("numberReturned").asInt());
        assertTrue(fc.get("timeStamp").asText().endsWith("Z"));
        JsonNode first = fc.get("features").get(0);
        assertEquals("LineString", first.at("/geometry/type").asText());
        assertEquals(11.2550, first.at("/geometry/coordinates/0/0").asDouble(), 1e-7);
        assertEquals(43.7700, first.at("/geometry/coordinates/0/1").asDouble(), 1e-7);
        assertEquals(List.of("id", "name", "road_id", "functional_class", "element_type", "level", "layer", "direction",
                "status", "lanes", "width_m", "surface", "speed_limit", "length_m", "from_junction", "to_junction",
                "source_attributes", "version", "valid_from", "valid_to"), names(first.get("properties")));
        JsonNode p = first.get("properties");
        assertEquals("Via dei Calzaiuoli", p.get("name").asText());
        assertEquals("E", p.get("functional_class").asText());
        assertEquals(80.4, p.get("length_m").asDouble(), 1.0);
        assertEquals(7.5, p.get("width_m").asDouble());
    }

    @ParameterizedTest
    @ValueSource(strings = {"road-elements", "junctions", "roads", "element-events"})
    void everyPropertyIsWhatPostgresqlsOwnJsonGivesForTheRow(String collection) throws Exception {
        FeatureType type = FeatureType.byId(collection).orElseThrow();
        StringBuilder oracle = new StringBuilder("SELECT " + type.idSql() + ", json_build_object(");
        for (var p : type.properties()) {
            oracle.append(oracle.charAt(oracle.length() - 1) == '(' ? "" : ", ").append('\'').append(p.name())
                    .append("', ").append(p.sql());
        }
        oracle.append(")::text FROM ").append(type.from());
        var expected = new java.util.HashMap<Long, JsonNode>();
        try (var c = network.db().connection();
             var rs = c.createStatement().executeQuery(Rows.LIVE.resolve(oracle.toString()))) {
            while (rs.next()) expected.put(rs.getLong(1), Json.mapper().readTree(rs.getString(2)));
        }
        JsonNode features = ok("/collections/" + collection + "/items?limit=1000").get("features");
        assertEquals(expected.size(), features.size());
        assertFalse(expected.isEmpty());
        for (JsonNode f : features) {
            JsonNode want = expected.get(f.get("id").asLong());
            JsonNode got = f.get("properties");
            assertEquals(names(want), names(got));
            for (var p : type.properties()) {
                JsonNode w = want.get(p.name()), g = got.get(p.name());
                if (p.type() == Queryable.Type.TIMESTAMP && !w.isNull()) {
                    assertEquals(java.time.OffsetDateTime.parse(w.asText()).toInstant(),
                            java.time.OffsetDateTime.parse(g.asText()).toInstant(), collection + " " + p.name());
                } else {
                    assertEquals(w, g, collection + " " + f.get("id") + " " + p.name());
                }
            }
        }
    }

    @Test
    void bboxSelectsTheElementsThatIntersectIt() {
        assertEquals(List.of(104L), ids(ok("/collections/road-elements/items?bbox=11.269,43.779,11.272,43.781")));
        assertEquals(List.of(101L, 102L, 103L, 105L, 106L),
                ids(ok("/collections/road-elements/items?bbox=11.2540,43.7690,11.2580,43.7720&" + EVERY_RECORD)));
        assertEquals(List.of(), ids(ok("/collections/road-elements/items?bbox=0,0,1,1")));
        assertEquals(List.of(5L, 6L), ids(ok("/collections/junctions/items?bbox=11.269,43.779,11.272,43.781")));
    }

    @Test
    void pagesFollowNextAndPrevLinksAndVisitEveryFeatureOnce() {
        List<Long> seen = new ArrayList<>();
        String next = "/collections/road-elements/items?limit=4&" + EVERY_RECORD;
        JsonNode page = null;
        while (next != null) {
            page = ok(next);
            seen.addAll(ids(page));
            String n = href(page, "next");
            next = n == null ? null : n.replace(http.baseUrl(), "");
        }
        assertEquals(List.of(101L, 102L, 103L, 104L, 105L, 106L), seen);
        assertEquals(List.of(101L, 102L, 103L, 104L), ids(ok(href(page, "prev").replace(http.baseUrl(), ""))));
        assertEquals(null, href(ok("/collections/road-elements/items?limit=4&" + EVERY_RECORD), "prev"));
    }

    @Test
    void numberMatchedIsExactOnRequestAndAnEstimateOtherwise() {
        JsonNode exact = ok("/collections/road-elements/items?limit=2&numberMatched=exact&functional_class=F");
        assertEquals(2, exact.get("numberMatched").asInt());
        JsonNode estimated = ok("/collections/road-elements/items?limit=2");
        assertFalse(estimated.has("numberMatched"));
        assertTrue(estimated.get("numberMatchedEstimate").asLong() >= 2);
    }

    @Test
    void aHugeLimitIsClampedToTheDocumentedMaximum() {
        JsonNode all = ok("/collections/road-elements/items?limit=99999999999&" + EVERY_RECORD);
        assertEquals(6, all.get("numberReturned").asInt());
        assertTrue(href(all, "self").contains("limit=99999999999"));
        JsonNode page = ok("/collections/road-elements/items?limit=100000&offset=0&numberMatched=exact&" + EVERY_RECORD);
        assertEquals(6, page.get("numberMatched").asInt());
    }

    @Test
    void datetimeSelectsByValidity() {
        assertEquals(List.of(104L, 106L), ids(ok("/collections/road-elements/items?datetime=2020-06-01T00:00:00Z")));
        assertEquals(List.of(106L), ids(ok("/collections/road-elements/items?datetime=../2019-06-01")));
        assertEquals(List.of(104L, 106L), ids(ok("/collections/road-elements/items?datetime=2019-06-01/2020-06-01")));
    }

    /**
     * A date (RFC 3339 full-date) in datetime is its whole day (/req/core/fc-time-response: what intersects it), not
     * its first instant: the elements recorded today are valid at some time today.
     */
    @Test
    void aDateInDatetimeIsTheWholeDay() {
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        assertTrue(ids(ok("/collections/road-elements/items?datetime=" + today)).contains(101L));
        assertTrue(ids(ok("/collections/road-elements/items?datetime=2019-06-01/" + today)).contains(101L));
        assertEquals(List.of(104L, 106L), ids(ok("/collections/road-elements/items?datetime=2020-01-01")),
                "104 begins at that day's first instant, 106 holds all day");
        assertEquals(List.of(106L), ids(ok("/collections/road-elements/items?datetime=2019-12-31")));
    }

    @Test
    void propertiesChooseTheFieldsAndSortbyTheOrder() {
        JsonNode fc = ok("/collections/road-elements/items?properties=name,functional_class&sortby=-length_m");
        List<String> keys = new ArrayList<>();
        fc.at("/features/0/properties").fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("name", "functional_class"), keys);
        assertEquals(105L, ids(fc).getFirst());
        assertEquals(List.of(104L, 101L, 102L, 103L, 105L, 106L),
                ids(ok("/collections/road-elements/items?sortby=+functional_class,id&" + EVERY_RECORD)).stream().toList());
    }

    @Test
    void simplePropertyFiltersAreEqualities() {
        assertEquals(List.of(102L, 103L), ids(ok("/collections/road-elements/items?functional_class=F")));
        assertEquals(List.of(104L), ids(ok("/collections/road-elements/items?lanes=4")));
        assertEquals(List.of(101L), ids(ok("/collections/road-elements/items?name=Via%20dei%20Calzaiuoli")));
    }

    @Test
    void anItemIsAFeatureWithLinksAndUnknownOnesAre404() {
        JsonNode f = ok("/collections/road-elements/items/104");
        assertEquals("Feature", f.get("type").asText());
        assertEquals(104, f.get("id").asInt());
        assertEquals("Viale Giacomo Matteotti", f.at("/properties/name").asText());
        assertTrue(href(f, "self").endsWith("/collections/road-elements/items/104"));
        assertTrue(href(f, "collection").endsWith("/collections/road-elements"));
        assertEquals(1, ok("/collections/roads/items/1").get("id").asInt());
        assertEquals("MultiLineString", ok("/collections/roads/items/2").at("/geometry/type").asText());
        assertEquals("LineString", ok("/collections/element-events/items/1").at("/geometry/type").asText());
        problem("/collections/road-elements/items/999", 404, null);
        problem("/collections/road-elements/items/abc", 404, null);
        problem("/collections/road-elements/items/1'%20OR%20'1'='1", 404, null);
        problem("/collections/nope/items", 404, null);
        problem("/collections/nope", 404, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=-5", "limit=ten", "limit=1.5", "bbox=1,2,3",
            // West above east is a box across the antimeridian in CRS84 (Part 1, 7.15.3), but wrong in a projected CRS.
            "bbox=3000,0,1000,1000&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3003", "bbox=181,0,1,1",
            "bbox=0,3,1,1", "bbox=a,b,c,d", "bbox=1,2,3,4,5", "bbox=0,-95,1,1", "datetime=yesterday",
            "datetime=2021-01-01/2020-01-01", "datetime=../..", "offset=-1", "properties=nope", "sortby=nope",
            "sortby=geometry", "lanes=two", "width_m=wide", "numberMatched=some", "f=xml", "colour=red",
            "bbox-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            // Instants Java reads and PostgreSQL cannot hold (RFC 3339's year has four digits, and there is no year 0):
            // once a 500 from the database.
            "datetime=%2B300000-01-01T00:00:00Z", "datetime=-300000-01-01T00:00:00Z/..", "as-of=0000-01-01T00:00:00Z",
            "as-of=-300000-01-01T00:00:00Z", "filter=valid_from%3ETIMESTAMP('%2B300000-01-01T00:00:00Z')"})
    void badParametersAre400sNamingTheParameter(String query) {
        String parameter = query.substring(0, query.indexOf('='));
        problem("/collections/road-elements/items?" + query, 400, parameter);
    }

    @Test
    void injectionAttemptsInParametersAreRefusedOrHarmless() {
        problem("/collections/road-elements/items?limit=1;DROP%20TABLE%20road_element", 400, "limit");
        problem("/collections/road-elements/items?sortby=id;DROP%20TABLE%20road", 400, "sortby");
        problem("/collections/road-elements/items?properties=name,(SELECT%201)", 400, "properties");
        assertEquals(List.of(), ids(ok("/collections/road-elements/items?name=x'%20OR%20'1'='1")));
        assertEquals(6, ok("/collections/road-elements/items?numberMatched=exact&" + EVERY_RECORD).get("numberMatched").asInt());
    }

    @Test
    void responsesCarryAnETagThatAnswers304AndAreGzippedAndOpenToOtherOrigins() {
        var first = http.get("/collections/road-elements/items");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertEquals(304, http.get("/collections/road-elements/items", "If-None-Match", etag).statusCode());
        assertEquals(200, http.get("/collections/road-elements/items", "If-None-Match", "\"other\"").statusCode());
        assertEquals("*", first.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        var gz = http.get("/collections/road-elements/items", "Accept-Encoding", "gzip");
        assertEquals("gzip", gz.headers().firstValue("Content-Encoding").orElse(""));
        var preflight = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(http.baseUrl() + "/collections/road-elements/items"))
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://example.org").header("Access-Control-Request-Method", "GET").build());
        assertEquals(200, preflight.statusCode());
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("GET"));
        assertEquals("GET, HEAD, OPTIONS", preflight.headers().firstValue("Allow").orElse(""), "only reads here");
    }

    /** Accept is weighed by quality (RFC 9110 §12.5.1), not by where a type appears in it. */
    @Test
    void acceptChoosesHtmlOnlyWhenItRanksHtmlAboveJson() {
        String items = "/collections/road-elements/items?limit=1";
        assertTrue(http.get(items, "Accept", "text/html;q=0.5, application/geo+json").headers()
                .firstValue("Content-Type").orElse("").startsWith("application/geo+json"));
        assertTrue(http.get(items, "Accept", "application/json;q=0.2, text/html").headers()
                .firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(http.get("/api", "Accept", "application/vnd.oai.openapi+json;version=3.0, text/html;q=0.1")
                .headers().firstValue("Content-Type").orElse("").startsWith("application/vnd.oai.openapi+json"));
        assertTrue(http.get(items, "Accept", "application/xml").headers().firstValue("Content-Type").orElse("")
                .startsWith("application/geo+json"), "none acceptable: the default, as RFC 9110 allows");
    }

    @Test
    void browsersGetHtmlFromTheSameHandlers() {
        var r = http.get("/collections/road-elements/items?limit=2", "Accept", "text/html");
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(r.body().contains("Via dei Calzaiuoli"), r.body());
        assertTrue(r.body().contains("Via dell&#39;Agnolo") || r.body().contains("Via dell’Agnolo"), r.body());
        var item = http.get("/collections/road-elements/items/101?f=html");
        assertTrue(item.body().contains("<table>"), item.body());
        assertTrue(http.get("/collections?f=html").body().contains("Road elements"));
    }
}
