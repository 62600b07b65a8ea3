package it.firenze.streetcad.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static it.firenze.streetcad.testing.TestHttp.assertProblem;
import static it.firenze.streetcad.testing.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The abstract tests of OGC API – Features – Part 1 (17-069r4, Annex A) of the classes /conformance claims: Core,
 * GeoJSON, HTML and OpenAPI 3.0, one test per abstract test, named after it, against a running server over a real
 * port. Each says in its javadoc what the abstract test's method checks.
 */
class FeaturesPart1AtsTest extends OnAServedCadastre {

    static final String CONF = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/";

    static List<JsonNode> links(JsonNode doc, String rel) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode l : doc.get("links")) if (l.get("rel").asText().equals(rel)) found.add(l);
        return found;
    }

    static String contentType(HttpResponse<String> r) {
        return r.headers().firstValue("Content-Type").orElse("");
    }

    /** Every link is absolute on this server (no "//" after the authority) and its type a plain media type. */
    static void linksAreAbsoluteAndPlain(JsonNode doc) {
        for (JsonNode l : doc.get("links")) {
            String href = l.get("href").asText();
            assertTrue(href.startsWith(http.baseUrl() + "/"), href);
            assertFalse(href.substring("http://".length()).contains("//"), href);
            if (l.has("type") && !l.get("type").asText().startsWith("application/vnd.oai.openapi")) {
                assertFalse(l.get("type").asText().contains(";"), l.toString());
            }
        }
    }

    /** A.2.1 /conf/core/http: the server speaks HTTP 1.1. */
    @Test
    void ats_core_http() {
        HttpResponse<String> r = ok("/");
        assertEquals(java.net.http.HttpClient.Version.HTTP_1_1, r.version());
    }

    /** /conf/core/root-op: GET / answers 200. */
    @Test
    void ats_core_root_op() {
        ok("/");
        ok("/?f=json");
    }

    /** /conf/core/root-success: links to the API definition, the conformance declaration and the collections. */
    @Test
    void ats_core_root_success() {
        JsonNode root = okJson("/");
        assertNotNull(link(root, "self"));
        assertEquals(http.baseUrl() + "/api", link(root, "service-desc").get("href").asText());
        assertEquals(http.baseUrl() + "/conformance", link(root, "conformance").get("href").asText());
        assertEquals(http.baseUrl() + "/collections", link(root, "data").get("href").asText());
        linksAreAbsoluteAndPlain(root);
    }

    /** /conf/core/api-definition-op: the service-desc link answers with the API definition. */
    @Test
    void ats_core_api_definition_op() {
        String href = link(okJson("/"), "service-desc").get("href").asText();
        HttpResponse<String> r = ok(href.substring(http.baseUrl().length()));
        assertTrue(contentType(r).startsWith("application/vnd.oai.openapi+json;version=3.0"), contentType(r));
    }

    /** /conf/core/api-definition-success: an OpenAPI 3.0 document whose servers is this API's absolute base. */
    @Test
    void ats_core_api_definition_success() {
        JsonNode api = okJson("/api");
        assertTrue(api.get("openapi").asText().startsWith("3.0"));
        assertEquals(http.baseUrl(), api.at("/servers/0/url").asText());
        assertFalse(api.at("/servers/0/url").asText().endsWith("/"));
    }

    /** /conf/core/conformance-op: GET /conformance answers 200. */
    @Test
    void ats_core_conformance_op() {
        ok("/conformance");
    }

    /** /conf/core/conformance-success: conformsTo lists the Core class (and those this test class checks). */
    @Test
    void ats_core_conformance_success() {
        Set<String> classes = new HashSet<>();
        okJson("/conformance").get("conformsTo").forEach(c -> classes.add(c.asText()));
        for (String c : List.of("core", "geojson", "html", "oas30")) assertTrue(classes.contains(CONF + c), c);
    }

    /** /conf/core/query-param-unknown: an unknown query parameter is a 400. */
    @Test
    void ats_core_query_param_unknown() {
        assertProblem(http.get("/collections/road-elements/items?frobnicate=1"), 400, "frobnicate");
    }

    /** /conf/core/query-param-invalid: an invalid value of a known parameter is a 400. */
    @Test
    void ats_core_query_param_invalid() {
        assertProblem(http.get("/collections/road-elements/items?limit=lots"), 400, "limit");
        assertProblem(http.get("/collections/road-elements/items?bbox=1,2"), 400, "bbox");
    }

    /** /conf/core/crs84: geometries are in CRS84 (longitude first) unless another CRS is asked for. */
    @Test
    void ats_core_crs84() {
        HttpResponse<String> r = ok("/collections/road-elements/items/101");
        assertEquals("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>", r.headers().firstValue("Content-Crs").orElse(""));
        JsonNode first = json(r).at("/geometry/coordinates/0");
        assertEquals(11.2550, first.get(0).asDouble(), 1e-6);
        assertEquals(43.7700, first.get(1).asDouble(), 1e-6);
    }

    /** /conf/core/fc-md-op: GET /collections answers 200. */
    @Test
    void ats_core_fc_md_op() {
        ok("/collections");
    }

    /** /conf/core/fc-md-success: links (self) and collections. */
    @Test
    void ats_core_fc_md_success() {
        JsonNode c = okJson("/collections");
        assertNotNull(link(c, "self"));
        assertTrue(c.get("collections").isArray());
        linksAreAbsoluteAndPlain(c);
    }

    /** /conf/core/fc-md-links: self, and an alternate per other format. */
    @Test
    void ats_core_fc_md_links() {
        JsonNode c = okJson("/collections");
        assertEquals(http.baseUrl() + "/collections", link(c, "self").get("href").asText());
        assertEquals("text/html", link(c, "alternate").get("type").asText());
    }

    /** /conf/core/fc-md-items: every collection a client can address is in the list, each with an id and links. */
    @Test
    void ats_core_fc_md_items() {
        Set<String> ids = new HashSet<>();
        okJson("/collections").get("collections").forEach(c -> ids.add(c.get("id").asText()));
        assertEquals(Set.of("road-elements", "junctions", "roads", "element-events", "topology-issues",
                "viability-measures", "works", "ordinances"), ids);
    }

    /** /conf/core/fc-md-items-links: each collection links to its items, as GeoJSON. */
    @Test
    void ats_core_fc_md_items_links() {
        for (JsonNode c : okJson("/collections").get("collections")) {
            List<String> types = new ArrayList<>();
            links(c, "items").forEach(l -> types.add(l.get("type").asText()));
            assertTrue(types.contains("application/geo+json"), c.get("id") + ": " + types);
            linksAreAbsoluteAndPlain(c);
        }
    }

    /** /conf/core/fc-md-extent: a spatial extent in CRS84 that contains the data, and a temporal extent. */
    @Test
    void ats_core_fc_md_extent() {
        JsonNode c = okJson("/collections/road-elements");
        JsonNode bbox = c.at("/extent/spatial/bbox/0");
        assertTrue(bbox.get(0).asDouble() <= 11.2550 && bbox.get(2).asDouble() >= 11.2710, bbox.toString());
        assertTrue(bbox.get(1).asDouble() <= 43.7695 && bbox.get(3).asDouble() >= 43.7800, bbox.toString());
        assertEquals("http://www.opengis.net/def/crs/OGC/1.3/CRS84", c.at("/extent/spatial/crs").asText());
        assertTrue(c.at("/extent/temporal/interval/0").isArray());
    }

    /** /conf/core/sfc-md-op: each collection answers at /collections/{collectionId}. */
    @Test
    void ats_core_sfc_md_op() {
        for (JsonNode c : okJson("/collections").get("collections")) ok("/collections/" + c.get("id").asText());
        assertEquals(404, http.get("/collections/no-such-thing").statusCode());
    }

    /** /conf/core/sfc-md-success: the collection's description is the one in the list. */
    @Test
    void ats_core_sfc_md_success() {
        for (JsonNode c : okJson("/collections").get("collections")) {
            JsonNode one = okJson("/collections/" + c.get("id").asText());
            assertEquals(c.get("id"), one.get("id"));
            assertEquals(c.get("extent"), one.get("extent"));
        }
    }

    /** /conf/core/fc-op: GET the items of each collection answers 200. */
    @Test
    void ats_core_fc_op() {
        for (JsonNode c : okJson("/collections").get("collections")) {
            ok("/collections/" + c.get("id").asText() + "/items");
        }
    }

    /** /conf/core/fc-bbox-definition: bbox is in the API definition as the standard's fragment has it. */
    @Test
    void ats_core_fc_bbox_definition() {
        JsonNode bbox = okJson("/api").at("/components/parameters/bbox");
        assertEquals("query", bbox.get("in").asText());
        assertFalse(bbox.get("required").asBoolean());
        assertEquals("form", bbox.get("style").asText());
        assertFalse(bbox.get("explode").asBoolean());
        assertEquals("array", bbox.at("/schema/type").asText());
        assertEquals(2, bbox.at("/schema/oneOf").size());
        assertEquals("number", bbox.at("/schema/items/type").asText());
    }

    /** /conf/core/fc-bbox-response: only features whose geometry intersects the box, also across the antimeridian. */
    @Test
    void ats_core_fc_bbox_response() {
        assertEquals(List.of(104L), ids("/collections/road-elements/items?bbox=11.269,43.779,11.272,43.781"));
        assertEquals(List.of(), ids("/collections/road-elements/items?bbox=177,65,-177,70"));
    }

    /** /conf/core/fc-limit-definition: limit is an integer with minimum, maximum and default, form style. */
    @Test
    void ats_core_fc_limit_definition() {
        JsonNode limit = okJson("/api").at("/components/parameters/limit");
        assertEquals("form", limit.get("style").asText());
        assertFalse(limit.get("explode").asBoolean());
        assertFalse(limit.get("required").asBoolean());
        assertEquals("integer", limit.at("/schema/type").asText());
        assertEquals(1, limit.at("/schema/minimum").asInt());
        assertTrue(limit.at("/schema/maximum").asInt() >= limit.at("/schema/default").asInt());
    }

    /** /conf/core/fc-limit-response: no more features than limit; beyond the maximum, the maximum. */
    @Test
    void ats_core_fc_limit_response() {
        assertEquals(2, okJson("/collections/road-elements/items?limit=2").get("numberReturned").asInt());
        // Five live elements (106 was retired in 2021).
        assertEquals(5, okJson("/collections/road-elements/items?limit=1000000").get("numberReturned").asInt());
    }

    /** /conf/core/fc-time-definition: datetime is in the API definition as the standard's fragment has it. */
    @Test
    void ats_core_fc_time_definition() {
        JsonNode datetime = okJson("/api").at("/components/parameters/datetime");
        assertEquals("query", datetime.get("in").asText());
        assertFalse(datetime.get("required").asBoolean());
        assertEquals("form", datetime.get("style").asText());
        assertFalse(datetime.get("explode").asBoolean());
        assertEquals("string", datetime.at("/schema/type").asText());
    }

    /** /conf/core/fc-time-response: only features whose validity intersects the instant or interval. */
    @Test
    void ats_core_fc_time_response() {
        assertEquals(List.of(106L), ids("/collections/road-elements/items?datetime=2019-06-01T00:00:00Z"));
        assertEquals(List.of(104L, 106L), ids("/collections/road-elements/items?datetime=2020-06-01T00:00:00Z/2020-07-01T00:00:00Z"));
    }

    /** /conf/core/fc-response: a FeatureCollection of features. */
    @Test
    void ats_core_fc_response() {
        JsonNode fc = okJson("/collections/road-elements/items");
        assertEquals("FeatureCollection", fc.get("type").asText());
        fc.get("features").forEach(f -> assertEquals("Feature", f.get("type").asText()));
    }

    /** /conf/core/fc-links: self and alternate; next while there is more, and the next page continues the list. */
    @Test
    void ats_core_fc_links() {
        JsonNode first = okJson("/collections/road-elements/items?limit=4");
        assertEquals("application/geo+json", link(first, "self").get("type").asText());
        assertEquals("text/html", link(first, "alternate").get("type").asText());
        linksAreAbsoluteAndPlain(first);
        String next = link(first, "next").get("href").asText();
        JsonNode second = okJson(next.substring(http.baseUrl().length()));
        assertEquals(List.of(105L), ids(second));
        assertEquals(null, link(second, "next"));
    }

    /** /conf/core/fc-timeStamp: the time the response was generated. */
    @Test
    void ats_core_fc_timeStamp() {
        String stamp = okJson("/collections/road-elements/items").get("timeStamp").asText();
        java.time.Instant t = java.time.Instant.parse(stamp);
        assertTrue(Math.abs(java.time.Duration.between(t, java.time.Instant.now()).toSeconds()) < 60, stamp);
    }

    /** /conf/core/fc-numberMatched: when given, the number of features matching the request. */
    @Test
    void ats_core_fc_numberMatched() {
        assertEquals(5, okJson("/collections/road-elements/items?limit=2&numberMatched=exact").get("numberMatched").asInt());
        assertEquals(0, okJson("/collections/road-elements/items?bbox=-80,-5,-70,5&numberMatched=exact")
                .get("numberMatched").asInt());
    }

    /** /conf/core/fc-numberReturned: the number of features in the response. */
    @Test
    void ats_core_fc_numberReturned() {
        JsonNode fc = okJson("/collections/road-elements/items?limit=3");
        assertEquals(fc.get("features").size(), fc.get("numberReturned").asInt());
    }

    /** /conf/core/f-op: each feature answers at /collections/{collectionId}/items/{featureId}. */
    @Test
    void ats_core_f_op() {
        for (long id : ids("/collections/road-elements/items")) ok("/collections/road-elements/items/" + id);
        assertEquals(404, http.get("/collections/road-elements/items/999999").statusCode());
    }

    /** /conf/core/f-success: a Feature, the same as in the collection. */
    @Test
    void ats_core_f_success() {
        JsonNode f = okJson("/collections/road-elements/items/101");
        assertEquals("Feature", f.get("type").asText());
        assertEquals(101, f.get("id").asLong());
        assertEquals("Via dei Calzaiuoli", f.at("/properties/name").asText());
    }

    /** /conf/core/f-links: self (the feature, as GeoJSON), alternate and collection. */
    @Test
    void ats_core_f_links() {
        JsonNode f = okJson("/collections/road-elements/items/101");
        JsonNode self = link(f, "self");
        assertEquals(http.baseUrl() + "/collections/road-elements/items/101", self.get("href").asText());
        assertEquals("application/geo+json", self.get("type").asText());
        assertEquals(http.baseUrl() + "/collections/road-elements", link(f, "collection").get("href").asText());
        assertNotNull(link(f, "alternate"));
        linksAreAbsoluteAndPlain(f);
    }

    /** /conf/geojson/definition: GeoJSON is offered: items and a feature as application/geo+json. */
    @Test
    void ats_geojson_definition() {
        assertTrue(contentType(ok("/collections/roads/items", "Accept", "application/geo+json")).startsWith("application/geo+json"));
        assertTrue(contentType(ok("/collections/roads/items/1", "Accept", "application/geo+json")).startsWith("application/geo+json"));
    }

    /** /conf/geojson/content: valid GeoJSON with links in the collection and features carrying id and properties. */
    @Test
    void ats_geojson_content() {
        JsonNode fc = okJson("/collections/junctions/items");
        assertTrue(fc.get("links").isArray());
        for (JsonNode f : fc.get("features")) {
            assertEquals("Point", f.at("/geometry/type").asText());
            assertTrue(f.get("id").isNumber() && f.get("properties").isObject(), f.toString());
        }
    }

    /** /conf/html/definition: every resource is offered as HTML (f=html and a browser's Accept). */
    @Test
    void ats_html_definition() {
        for (String path : List.of("/?f=html", "/conformance?f=html", "/collections?f=html", "/collections/roads?f=html",
                "/collections/roads/items?f=html", "/collections/roads/items/1?f=html")) {
            assertTrue(contentType(ok(path)).startsWith("text/html"), path);
        }
        assertTrue(contentType(ok("/collections", "Accept", "text/html")).startsWith("text/html"));
    }

    /** /conf/html/content: HTML 5 with the resource's content and its links. */
    @Test
    void ats_html_content() {
        String page = ok("/collections/roads/items/1?f=html").body();
        assertTrue(page.startsWith("<!DOCTYPE html>"), page.substring(0, 40));
        assertTrue(page.contains("Via dei Calzaiuoli"), page);
        assertTrue(page.contains("href=\"" + http.baseUrl() + "/collections/roads"), page);
    }

    /** /conf/oas30/oas-definition-1: the definition is served as OpenAPI 3.0 JSON (and HTML documentation). */
    @Test
    void ats_oas30_oas_definition_1() {
        assertTrue(contentType(ok("/api")).startsWith("application/vnd.oai.openapi+json;version=3.0"));
        assertTrue(contentType(ok("/api.html")).startsWith("text/html"));
    }

    /** /conf/oas30/oas-definition-2: the definition is a valid OpenAPI 3.0 document with paths and components. */
    @Test
    void ats_oas30_oas_definition_2() {
        JsonNode api = okJson("/api");
        assertTrue(api.get("openapi").asText().matches("3\\.0\\.\\d+"));
        assertTrue(api.at("/info/title").isTextual() && api.at("/info/version").isTextual());
        assertTrue(api.get("paths").size() > 0);
    }

    /** /conf/oas30/oas-impl: every path of the definition that takes no parameter answers a GET as documented. */
    @Test
    void ats_oas30_oas_impl() {
        JsonNode api = okJson("/api");
        api.get("paths").fieldNames().forEachRemaining(path -> {
            if (path.contains("{") || !api.get("paths").get(path).has("get")) return;
            int status = http.get(path + (path.equals("/roads") ? "?q=via" : "")).statusCode();
            assertTrue(api.get("paths").get(path).get("get").get("responses").has(Integer.toString(status)),
                    path + " answered " + status);
        });
    }

    /** /conf/oas30/completeness: every resource of the Core, with its parameters, is in the definition. */
    @Test
    void ats_oas30_completeness() {
        JsonNode paths = okJson("/api").get("paths");
        for (String p : List.of("/", "/conformance", "/api", "/collections", "/collections/{collectionId}",
                "/collections/{collectionId}/items", "/collections/{collectionId}/items/{featureId}")) {
            assertTrue(paths.has(p), p);
        }
        List<String> parameters = new ArrayList<>();
        paths.at("/~1collections~1{collectionId}~1items/get/parameters").forEach(p -> parameters.add(p.get("$ref").asText()));
        for (String name : List.of("bbox", "datetime", "limit", "after")) {
            assertTrue(parameters.contains("#/components/parameters/" + name), name + " in " + parameters);
        }
    }

    /** /conf/oas30/exception-codes: errors are documented in the definition (400, 404) and answered as such. */
    @Test
    void ats_oas30_exception_codes() {
        JsonNode items = okJson("/api").at("/paths/~1collections~1{collectionId}~1items/get/responses");
        assertTrue(items.has("400") && items.has("404"));
        assertEquals(404, http.get("/collections/nothing/items").statusCode());
        assertEquals(400, http.get("/collections/roads/items?limit=0").statusCode());
    }

    /** /conf/oas30/security: the read API needs no credentials, and the definition asks for none on it. */
    @Test
    void ats_oas30_security() {
        JsonNode api = okJson("/api");
        assertFalse(api.at("/paths/~1collections~1{collectionId}~1items/get").has("security"));
        ok("/collections/roads/items");
    }
}
