package it.firenze.streetcad.features;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.network.NetworkModule;
import it.firenze.streetcad.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given the Florence OSM sample in a real PostGIS, the queries the benchmark runs and the street search. */
class FlorenceTest {

    /** 500 m by 500 m around the Duomo, as in bench/features.sh. */
    static final String DUOMO_BBOX = "11.2529,43.7708,11.2591,43.7754";
    /** Local streets (class F) within a kilometre square around the Duomo, as in bench/features.sh. */
    static final String FILTER = "functional_class = 'F' AND S_INTERSECTS(geometry, BBOX(11.2498, 43.7686, 11.2622, 43.7776))";
    static TestHttp http;

    @BeforeAll
    static void start() {
        var db = FlorenceSample.database();
        http = new TestHttp(new FeaturesModule(db), new NetworkModule(db));
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    static JsonNode ok(String path) {
        HttpResponse<String> r = http.get(path);
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        return TestHttp.json(r);
    }

    @Test
    void aBboxOfHalfAKilometreAroundTheDuomoPagesByAHundred() {
        JsonNode page = ok("/collections/road-elements/items?limit=100&bbox=" + DUOMO_BBOX);
        assertEquals(100, page.get("numberReturned").asInt());
        // The next page starts after this page's last id (a keyset), not at an offset.
        long last = page.get("features").get(99).get("id").asLong();
        assertTrue(FeaturesCoreTest.href(page, "next").contains("after=" + last), FeaturesCoreTest.href(page, "next"));
        long exact = ok("/collections/road-elements/items?limit=1&numberMatched=exact&bbox=" + DUOMO_BBOX)
                .get("numberMatched").asLong();
        assertTrue(exact > 100 && exact < 3000, "elements around the Duomo: " + exact);
        long estimate = page.get("numberMatchedEstimate").asLong();
        assertTrue(estimate > exact / 5 && estimate < exact * 5, "estimate " + estimate + " vs " + exact);
    }

    @Test
    void aCql2FilterOverTheCity() {
        String filter = URLEncoder.encode(FILTER, StandardCharsets.UTF_8);
        JsonNode page = ok("/collections/road-elements/items?limit=100&filter=" + filter);
        assertEquals(100, page.get("numberReturned").asInt());
        page.get("features").forEach(f -> assertEquals("F", f.at("/properties/functional_class").asText()));
    }

    @Test
    void theNearestElementToTheDuomoIsOnItsSquareAndItsJunctionsKnowIt() {
        JsonNode nearest = ok("/network/nearest?point=11.2558,43.7731&limit=5");
        assertEquals(5, nearest.get("features").size());
        JsonNode first = nearest.get("features").get(0);
        assertTrue(first.at("/properties/distance_m").asDouble() < 60, first.toString());
        long id = first.get("id").asLong();
        JsonNode element = ok("/collections/road-elements/items/" + id);
        long from = element.at("/properties/from_junction").asLong();
        JsonNode junction = ok("/network/junctions/" + from);
        boolean listed = false;
        for (JsonNode e : junction.at("/properties/elements")) listed |= e.get("id").asLong() == id;
        assertTrue(listed, junction.toString());
        double m = first.at("/properties/measure_m").asDouble();
        JsonNode point = ok("/network/elements/" + id + "/point?m=" + m);
        assertEquals(first.at("/geometry/coordinates/0").asDouble(), point.at("/geometry/coordinates/0").asDouble(), 1e-6);
    }

    @ParameterizedTest(name = "{0} finds {1}")
    @CsvSource(delimiter = '|', value = {
            "via dell agnolo       | Via dell'Agnolo",
            "Via dell’Agnolo       | Via dell'Agnolo",
            "v.le dei mille        | Viale dei Mille",
            "p.za della signoria   | Piazza della Signoria",
            "P.zza Signoria        | Piazza della Signoria",
            "via niccolo tommaseo  | Via Niccolò Tommaseo",
            "lung. corsini         | Lungarno Corsini",
            "calzaiuoli            | Via dei Calzaiuoli",
    })
    void streetSearchOnTheRealNames(String query, String expected) {
        JsonNode roads = ok("/roads?limit=5&q=" + URLEncoder.encode(query, StandardCharsets.UTF_8)).get("roads");
        JsonNode best = roads.get(0);
        assertEquals(expected, best.get("name").asText(), roads.toString());
        assertTrue(best.get("elementCount").asInt() > 0);
        assertTrue(best.at("/bbox/0").asDouble() > 11.1 && best.at("/bbox/3").asDouble() < 43.9, best.toString());
    }
}
