package it.firenze.streetcad.features;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static it.firenze.streetcad.features.FeaturesCoreTest.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OGC API – Features Part 3 and CQL2 (Annex A of 19-079r2 and 21-065r2): queryables, the filter parameter in
 * CQL2 text and JSON with basic CQL2, advanced comparison operators and the spatial functions, each against the
 * small network in a real PostGIS; and bad filters are 400s naming {@code filter} with the position.
 */
class FeaturesFilterTest {

    static SmallNetwork.Served network;
    static TestHttp http;

    @BeforeAll
    static void start() {
        network = SmallNetwork.serve(db -> List.of(new FeaturesModule(db)));
        http = network.http();
    }

    @AfterAll
    static void stop() {
        network.close();
    }

    /** Over every record (106 was retired in 2021), unless {@code extra} gives its own datetime. */
    static HttpResponse<String> filter(String filter, String extra) {
        return http.get("/collections/road-elements/items?limit=100&filter="
                + URLEncoder.encode(filter, StandardCharsets.UTF_8).replace("+", "%20") + extra
                + (extra.contains("datetime=") ? "" : "&" + FeaturesCoreTest.EVERY_RECORD));
    }

    static List<Long> matching(String filter, String extra) {
        HttpResponse<String> r = filter(filter, extra);
        assertEquals(200, r.statusCode(), filter + " -> " + r.body());
        return ids(TestHttp.json(r));
    }

    static List<Long> list(String ids) {
        return ids.isBlank() ? List.of() : Arrays.stream(ids.split(" ")).map(Long::valueOf).toList();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // basic CQL2
            "functional_class = 'F'                                  | 102 103",
            "lanes >= 2                                              | 101 104",
            "lanes <> 1                                              | 101 104",
            "width_m < 10.0 AND speed_limit = 30                     | 101 102",
            "width_m IS NULL                                         | 103 105 106",
            "road_id IS NOT NULL AND NOT (status = 'in_use')         | 103",
            "functional_class = 'F' AND direction = 'forward' OR lanes = 4 | 102 104",
            "valid_from < TIMESTAMP('2020-06-01T00:00:00Z')         | 104 106",
            "valid_to >= DATE('2020-01-01')                          | 106",
            "TRUE AND NOT FALSE AND id = 105                         | 105",
            "\"lanes\" = 1                                           | 102 103",
            "from_junction = to_junction                             | ''",
            // advanced comparison operators
            "name LIKE 'Via dell%'                                   | 102 103",
            "name NOT LIKE 'Via%'                                    | 105",
            "lanes BETWEEN 2 AND 4                                   | 101 104",
            "lanes NOT BETWEEN 2 AND 4                               | 102 103",
            "functional_class IN ('D', 'E')                          | 101 104",
            "id NOT IN (101, 102, 103)                               | 104 105 106",
            // spatial functions, literals in CRS84
            "S_INTERSECTS(geometry, BBOX(11.269, 43.779, 11.272, 43.781)) | 104",
            "S_WITHIN(geometry, POLYGON((11.254 43.769, 11.258 43.769, 11.258 43.772, 11.254 43.772, 11.254 43.769))) | 101 102 103 105 106",
            "S_DISJOINT(geometry, BBOX(11.254, 43.769, 11.258, 43.772)) | 104",
            "S_INTERSECTS(geometry, LINESTRING(11.2555 43.7695, 11.2555 43.7705)) | 101",
            "S_CROSSES(geometry, LINESTRING(11.2555 43.7695, 11.2555 43.7705)) | 101",
            "S_CONTAINS(BBOX(11.2699, 43.7799, 11.2711, 43.7801), geometry) | 104",
            // temporal functions on the validity instants
            "T_AFTER(valid_from, TIMESTAMP('2019-06-01T00:00:00Z'))   | 101 102 103 104 105",
            "T_BEFORE(valid_from, DATE('2020-06-01'))                 | 104 106",
            "T_INTERSECTS(valid_from, INTERVAL('2019-12-01', '2020-02-01')) | 104",
            "T_INTERSECTS(valid_from, INTERVAL('..', '2019-06-01'))    | 106",
            // temporal functions on validity: 104 valid since 2020, 106 from 2019 to 2021, the rest since today
            "T_INTERSECTS(validity, INTERVAL('2020-06-01', '2020-07-01')) | 104 106",
            "T_DURING(validity, INTERVAL('2018-01-01', '2022-01-01'))  | 106",
            "T_CONTAINS(validity, INTERVAL('2019-02-01', '2019-03-01')) | 106",
            "T_AFTER(validity, DATE('2018-12-31'))                     | 101 102 103 104 105 106",
            "T_BEFORE(validity, DATE('2021-06-01'))                    | 106",
            "T_DISJOINT(validity, INTERVAL('2019-06-01', '2019-07-01')) | 101 102 103 104 105",
            "T_EQUALS(validity, INTERVAL('2019-01-01T00:00:00Z', '2021-01-01T00:00:00Z')) | 106",
            "T_MEETS(validity, INTERVAL('2021-01-01T00:00:00Z', '..')) | 106",
            "T_METBY(validity, INTERVAL('2018-01-01', '2020-01-01T00:00:00Z')) | 104",
            "T_STARTS(validity, INTERVAL('2019-01-01T00:00:00Z', '2030-01-01')) | 106",
            "T_STARTEDBY(validity, INTERVAL('2020-01-01T00:00:00Z', '2020-02-01')) | 104",
            "T_FINISHES(validity, INTERVAL('2018-01-01', '2021-01-01T00:00:00Z')) | 106",
            "T_FINISHEDBY(validity, INTERVAL('2020-02-01', '..'))      | 104",
            "T_OVERLAPS(validity, INTERVAL('2020-06-01', '2022-01-01')) | 106",
            "T_OVERLAPPEDBY(validity, INTERVAL('2019-06-01', '2020-01-02')) | 104",
            "T_AFTER(valid_from, valid_to)                             | ''",
            // an interval of two properties (CQL2 /conf/temporal-functions-2): a null valid_to is open, as in validity
            "T_INTERSECTS(INTERVAL(valid_from, valid_to), INTERVAL('2020-06-01', '2020-07-01')) | 104 106",
            "T_DURING(INTERVAL(valid_from, valid_to), INTERVAL('2018-01-01', '2022-01-01')) | 106",
            "T_FINISHEDBY(INTERVAL(valid_from, valid_to), INTERVAL('2020-02-01', '..')) | 104",
    })
    void cql2TextFiltersSelectTheMatchingElements(String filter, String expected) {
        assertEquals(list(expected), matching(filter, ""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"op\": \"=\", \"args\": [{\"property\": \"functional_class\"}, \"F\"]} | 102 103",
            "{\"op\": \"and\", \"args\": [{\"op\": \">\", \"args\": [{\"property\": \"lanes\"}, 1]}, {\"op\": \"like\", \"args\": [{\"property\": \"name\"}, \"Via%\"]}]} | 101 104",
            "{\"op\": \"or\", \"args\": [{\"op\": \"isNull\", \"args\": [{\"property\": \"road_id\"}]}, {\"op\": \"=\", \"args\": [{\"property\": \"id\"}, 101]}]} | 101 106",
            "{\"op\": \"not\", \"args\": [{\"op\": \"in\", \"args\": [{\"property\": \"lanes\"}, [1, 4]]}]} | 101",
            "{\"op\": \"between\", \"args\": [{\"property\": \"width_m\"}, 4, 8]} | 101 102",
            "{\"op\": \"s_intersects\", \"args\": [{\"property\": \"geometry\"}, {\"bbox\": [11.269, 43.779, 11.272, 43.781]}]} | 104",
            "{\"op\": \"s_intersects\", \"args\": [{\"property\": \"geometry\"}, {\"type\": \"Polygon\", \"coordinates\": [[[11.2699, 43.7799], [11.2711, 43.7799], [11.2711, 43.7801], [11.2699, 43.7801], [11.2699, 43.7799]]]}]} | 104",
            "{\"op\": \"t_before\", \"args\": [{\"property\": \"valid_from\"}, {\"date\": \"2020-06-01\"}]} | 104 106",
            "{\"op\": \"t_intersects\", \"args\": [{\"property\": \"validity\"}, {\"interval\": [\"2020-06-01\", \"..\"]}]} | 101 102 103 104 105 106",
            "{\"op\": \"t_during\", \"args\": [{\"property\": \"validity\"}, {\"interval\": [\"2018-01-01\", \"2022-01-01\"]}]} | 106",
    })
    void cql2JsonFiltersSelectTheSameWay(String filter, String expected) {
        assertEquals(list(expected), matching(filter, "&filter-lang=cql2-json"));
    }

    @Test
    void filterCrsSaysInWhichCrsAndAxisOrderTheLiteralsAre() {
        assertEquals(List.of(104L), matching("S_INTERSECTS(geometry, BBOX(43.779, 11.269, 43.781, 11.272))",
                "&filter-crs=http://www.opengis.net/def/crs/EPSG/0/4326"));
        double x0 = 11.269 * 20037508.342789244 / 180;
        double x1 = 11.272 * 20037508.342789244 / 180;
        assertEquals(List.of(104L), matching("S_INTERSECTS(geometry, BBOX(" + x0 + ", 5429000, " + x1 + ", 5431500))",
                "&filter-crs=EPSG:3857"));
    }

    @Test
    void filterCombinesWithBboxDatetimeAndSimplePropertyFilters() {
        assertEquals(List.of(103L), matching("lanes = 1", "&status=under_construction"));
        assertEquals(List.of(102L, 103L), matching("lanes = 1", "&bbox=11.2540,43.7690,11.2580,43.7720"));
        assertEquals(List.of(104L), matching("lanes >= 1", "&datetime=2020-06-01T00:00:00Z"));
    }

    @Test
    void queryablesDescribeEveryPropertyAFilterMayName() {
        HttpResponse<String> r = http.get("/collections/road-elements/queryables");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/schema+json"));
        JsonNode q = TestHttp.json(r);
        assertEquals("https://json-schema.org/draft/2020-12/schema", q.get("$schema").asText());
        assertEquals("object", q.get("type").asText());
        assertEquals("integer", q.at("/properties/lanes/type").asText());
        assertEquals("string", q.at("/properties/functional_class/type").asText());
        assertEquals("date-time", q.at("/properties/valid_from/format").asText());
        assertEquals("array", q.at("/properties/validity/type").asText());
        assertEquals("geometry-linestring", q.at("/properties/geometry/format").asText());
        assertEquals("geometry-point",
                TestHttp.json(http.get("/collections/junctions/queryables")).at("/properties/geometry/format").asText());
        assertEquals(404, http.get("/collections/nope/queryables").statusCode());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "lanes >                         | filter | character 8",
            "lanes = = 1                     | filter | character 9",
            "name = 'unterminated            | filter | character",
            "colour = 'red'                  | filter | colour",
            "lanes = 'two'                   | filter | lanes",
            "name LIKE 5                     | filter | ",
            "lanes BETWEEN 'a' AND 'b'       | filter | ",
            "S_INTERSECTS(lanes, POINT(1 2)) | filter | ",
            "name = 'x'; DROP TABLE road     | filter | character 11",
            "T_AFTER(name, DATE('2020-01-01')) | filter | ",
            "validity = 1                    | filter | validity",
            "valid_from = TIMESTAMP('yesterday') | filter | yesterday",
            "S_INTERSECTS(geometry, BBOX(1, 2, 3)) | filter | BBOX",
            // CQL2 table 2: the interval-only functions refuse an instant ("will result in a client error")
            "T_DURING(valid_from, INTERVAL('2019-12-01', '2020-02-01')) | filter | T_DURING",
            "T_CONTAINS(validity, TIMESTAMP('2020-01-01T00:00:00Z')) | filter | T_CONTAINS",
            // an invalid geometry literal is the filter's fault, not a 500 from PostGIS
            "S_INTERSECTS(geometry, POLYGON((11.25 43.77, 11.26 43.77, 11.25 43.78, 11.26 43.78, 11.25 43.77))) | filter | Self-intersection",
    })
    void badFiltersAre400sThatSayWhatAndWhere(String filter, String parameter, String mentioned) {
        HttpResponse<String> r = filter(filter, "");
        assertEquals(400, r.statusCode(), filter + " -> " + r.body());
        JsonNode problem = TestHttp.json(r);
        assertEquals(parameter, problem.get("parameter").asText());
        if (mentioned != null) assertTrue(problem.get("detail").asText().contains(mentioned), problem.toString());
    }

    @Test
    void badFilterLanguageCrsOrJsonAre400s() {
        assertEquals("filter-lang", TestHttp.json(filter("lanes = 1", "&filter-lang=sql")).get("parameter").asText());
        assertEquals("filter-crs", TestHttp.json(filter("lanes = 1", "&filter-crs=EPSG:9999")).get("parameter").asText());
        for (String json : List.of("{\"op\": \"=\", \"args\": [", "{\"op\": \"drop\", \"args\": []}", "[1, 2]",
                "{\"op\": \"s_intersects\", \"args\": [{\"property\": \"geometry\"}, {\"type\": \"Polygon\", "
                        + "\"coordinates\": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}]}",
                "{\"op\": \"=\", \"args\": [{\"property\": \"nope\"}, 1]}")) {
            HttpResponse<String> r = filter(json, "&filter-lang=cql2-json");
            assertEquals(400, r.statusCode(), json + " -> " + r.body());
            assertEquals("filter", TestHttp.json(r).get("parameter").asText());
        }
    }

    @Test
    void literalsAreBoundSoInjectionIsJustAString() {
        assertEquals(List.of(), matching("name = 'x'' OR ''1''=''1'", ""));
        assertEquals(List.of(), matching("name LIKE '%'' OR 1=1 --'", ""));
        assertEquals(List.of(), matching("{\"op\": \"=\", \"args\": [{\"property\": \"name\"}, \"' OR 1=1 --\"]}",
                "&filter-lang=cql2-json"));
        HttpResponse<String> r = filter("\"name; DROP TABLE road\" = 'x'", "");
        assertEquals(400, r.statusCode());
        assertEquals(6, TestHttp.json(http.get("/collections/road-elements/items?numberMatched=exact&"
                + FeaturesCoreTest.EVERY_RECORD)).get("numberMatched").asInt());
    }
}
