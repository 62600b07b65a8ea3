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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The abstract tests of OGC API – Features – Part 2 (18-058r1, CRS by reference) and of Part 3's claimed classes
 * (19-079r2: Queryables, Queryables as query parameters, Filter, Features Filter), one test per abstract test, named
 * after it, against a running server.
 */
class FeaturesPart2And3AtsTest extends OnAServedCadastre {

    static final String CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
    static final String EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326";
    static final String EPSG3003 = "http://www.opengis.net/def/crs/EPSG/0/3003";

    static String contentCrs(HttpResponse<String> r) {
        return r.headers().firstValue("Content-Crs").orElse("");
    }

    // --- Part 2: Coordinate Reference Systems by Reference ---

    /** /conf/crs/crs-uri: every CRS is given by a URI of the OGC registry. */
    @Test
    void ats_crs_crs_uri() {
        for (JsonNode crs : json(ok("/collections/road-elements")).get("crs")) {
            assertTrue(crs.asText().startsWith("http://www.opengis.net/def/crs/"), crs.asText());
        }
    }

    /** /conf/crs/default-crs (and fc-md-crs-list): the collections list the CRSs offered, CRS84 first. */
    @Test
    void ats_crs_default_crs() {
        for (JsonNode c : json(ok("/collections")).get("collections")) {
            assertEquals(CRS84, c.get("crs").get(0).asText(), c.get("id").asText());
        }
    }

    /** /conf/crs/storageCrs: storageCrs names the CRS the data is kept in, which is among those offered. */
    @Test
    void ats_crs_storageCrs() {
        JsonNode c = json(ok("/collections/road-elements"));
        Set<String> offered = new HashSet<>();
        c.get("crs").forEach(x -> offered.add(x.asText()));
        assertTrue(offered.contains(c.get("storageCrs").asText()), c.get("storageCrs").asText());
    }

    /** /conf/crs/crs-parameter: crs chooses the CRS of the geometries; Content-Crs says which. */
    @Test
    void ats_crs_crs_parameter() {
        HttpResponse<String> r = ok("/collections/road-elements/items/101?crs=" + q(EPSG4326));
        assertEquals("<" + EPSG4326 + ">", contentCrs(r));
        JsonNode first = json(r).at("/geometry/coordinates/0");
        assertEquals(43.7700, first.get(0).asDouble(), 1e-6, "EPSG:4326 is latitude first");
        assertEquals("<" + EPSG3003 + ">", contentCrs(ok("/collections/road-elements/items?crs=" + q(EPSG3003))));
    }

    /** /conf/crs/crs-parameter-invalid: a CRS that is not offered is a 400. */
    @Test
    void ats_crs_crs_parameter_invalid() {
        assertProblem(http.get("/collections/road-elements/items?crs=" + q("http://www.opengis.net/def/crs/EPSG/0/2000")), 400, "crs");
    }

    /** /conf/crs/crs-parameter-default: without crs, CRS84. */
    @Test
    void ats_crs_crs_parameter_default() {
        assertEquals("<" + CRS84 + ">", contentCrs(ok("/collections/road-elements/items")));
    }

    /** /conf/crs/crs-parameter-transform: the same feature in two CRSs is the same place. */
    @Test
    void ats_crs_crs_parameter_transform() {
        JsonNode crs84 = json(ok("/collections/junctions/items/1")).at("/geometry/coordinates");
        JsonNode lat = json(ok("/collections/junctions/items/1?crs=" + q(EPSG4326))).at("/geometry/coordinates");
        assertEquals(crs84.get(0).asDouble(), lat.get(1).asDouble(), 1e-8);
        assertEquals(crs84.get(1).asDouble(), lat.get(0).asDouble(), 1e-8);
        JsonNode metric = json(ok("/collections/junctions/items/1?crs=" + q(EPSG3003))).at("/geometry/coordinates");
        assertEquals(1_680_000, metric.get(0).asDouble(), 20_000, "Monte Mario zone 1 easting of Florence");
    }

    /** /conf/crs/bbox-crs-parameter: bbox in another CRS, in that CRS's axis order. */
    @Test
    void ats_crs_bbox_crs_parameter() {
        assertEquals(List.of(104L), ids("/collections/road-elements/items?bbox=43.779,11.269,43.781,11.272&bbox-crs=" + q(EPSG4326)));
    }

    /** /conf/crs/bbox-crs-parameter-invalid: a bbox-crs that is not offered is a 400. */
    @Test
    void ats_crs_bbox_crs_parameter_invalid() {
        assertProblem(http.get("/collections/road-elements/items?bbox=1,2,3,4&bbox-crs=" + q("urn:nothing")), 400, "bbox-crs");
    }

    /** /conf/crs/bbox-crs-parameter-default: without bbox-crs, bbox is CRS84. */
    @Test
    void ats_crs_bbox_crs_parameter_default() {
        assertEquals(List.of(104L), ids("/collections/road-elements/items?bbox=11.269,43.779,11.272,43.781"));
    }

    /** /conf/crs/crs-transform: a whole page in a projected CRS holds the same features as in CRS84. */
    @Test
    void ats_crs_crs_transform() {
        assertEquals(ids("/collections/road-elements/items"), ids("/collections/road-elements/items?crs=" + q(EPSG3003)));
    }

    // --- Part 3: Queryables, Queryables as query parameters, Filter, Features Filter ---

    /** /conf/queryables/get-queryables-uris: each collection links to its queryables (rel ogc queryables). */
    @Test
    void ats_queryables_get_queryables_uris() {
        for (JsonNode c : json(ok("/collections")).get("collections")) {
            boolean found = false;
            for (JsonNode l : c.get("links")) {
                found |= l.get("rel").asText().equals("http://www.opengis.net/def/rel/ogc/1.0/queryables")
                        && l.get("href").asText().equals(http.baseUrl() + "/collections/" + c.get("id").asText() + "/queryables");
            }
            assertTrue(found, c.get("id").asText());
        }
    }

    /** /conf/queryables/get-queryables-op: GET .../queryables answers a JSON Schema. */
    @Test
    void ats_queryables_get_queryables_op() {
        HttpResponse<String> r = ok("/collections/road-elements/queryables");
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/schema+json"));
    }

    /** /conf/queryables/get-queryables-response: an object schema with $id, properties with types, no others. */
    @Test
    void ats_queryables_get_queryables_response() {
        JsonNode schema = json(ok("/collections/road-elements/queryables"));
        assertEquals("https://json-schema.org/draft/2020-12/schema", schema.get("$schema").asText());
        assertEquals(http.baseUrl() + "/collections/road-elements/queryables", schema.get("$id").asText());
        assertEquals("object", schema.get("type").asText());
        assertEquals("integer", schema.at("/properties/lanes/type").asText());
        assertEquals("geometry-linestring", schema.at("/properties/geometry/format").asText());
        assertEquals("geometry-any", json(ok("/collections/topology-issues/queryables")).at("/properties/geometry/format").asText());
    }

    /** /conf/queryables-query-parameters/parameters: a queryable as a parameter filters by equality. */
    @Test
    void ats_queryables_query_parameters_parameters() {
        assertEquals(List.of(101L), ids("/collections/road-elements/items?lanes=2"));
        assertEquals(List.of(101L), ids("/collections/road-elements/items?name=" + q("Via dei Calzaiuoli")));
        assertProblem(http.get("/collections/road-elements/items?lanes=two"), 400, "lanes");
    }

    /** /conf/filter/filter-param: filter is accepted on items and a bad filter is a 400. */
    @Test
    void ats_filter_filter_param() {
        assertEquals(List.of(104L), ids("/collections/road-elements/items?filter=" + q("lanes >= 3")));
        assertProblem(http.get("/collections/road-elements/items?filter=" + q("lanes >=")), 400, "filter");
    }

    /** /conf/filter/filter-lang-param: cql2-text and cql2-json; other languages are a 400. */
    @Test
    void ats_filter_filter_lang_param() {
        assertEquals(List.of(104L), ids("/collections/road-elements/items?filter-lang=cql2-json&filter="
                + q("{\"op\":\">=\",\"args\":[{\"property\":\"lanes\"},3]}")));
        assertProblem(http.get("/collections/road-elements/items?filter-lang=sql&filter=x"), 400, "filter-lang");
    }

    /** /conf/filter/filter-crs-param: geometry literals in another CRS. */
    @Test
    void ats_filter_filter_crs_param() {
        assertEquals(List.of(104L), ids("/collections/road-elements/items?filter-crs=" + q(EPSG4326) + "&filter="
                + q("S_INTERSECTS(geometry, BBOX(43.779, 11.269, 43.781, 11.272))")));
        assertProblem(http.get("/collections/road-elements/items?filter=" + q("lanes=1") + "&filter-crs=nope"), 400, "filter-crs");
    }

    /** /conf/filter/response: only features for which the filter is true. */
    @Test
    void ats_filter_response() {
        assertEquals(List.of(102L, 103L, 105L), ids("/collections/road-elements/items?filter=" + q("functional_class IN ('F', 'F-bis')")));
    }

    /** /conf/features-filter/filter-param: the features resource documents filter, filter-lang and filter-crs. */
    @Test
    void ats_features_filter_filter_param() {
        List<String> parameters = new ArrayList<>();
        json(ok("/api")).at("/paths/~1collections~1{collectionId}~1items/get/parameters")
                .forEach(p -> parameters.add(p.get("$ref").asText()));
        for (String name : List.of("filter", "filter-lang", "filter-crs")) {
            assertTrue(parameters.contains("#/components/parameters/" + name), name);
        }
    }

    /** /conf/features-filter/response: filter combines (AND) with bbox, datetime and the other parameters. */
    @Test
    void ats_features_filter_response() {
        assertEquals(List.of(104L), ids("/collections/road-elements/items?bbox=11.25,43.76,11.28,43.79&datetime="
                + q("2020-06-01T00:00:00Z") + "&filter=" + q("lanes > 2")));
        assertEquals(List.of(), ids("/collections/road-elements/items?bbox=11.25,43.76,11.26,43.775&filter=" + q("lanes > 2")));
    }
}
