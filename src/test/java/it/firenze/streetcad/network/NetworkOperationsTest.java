package it.firenze.streetcad.network;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.features.SmallNetwork;
import it.firenze.streetcad.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given the small hand-made network in a real PostGIS behind a real HTTP port, the road-network operations. */
class NetworkOperationsTest {

    static SmallNetwork.Served network;
    static TestHttp http;

    @BeforeAll
    static void start() {
        network = SmallNetwork.serve(db -> List.of(new NetworkModule(db)));
        http = network.http();
    }

    @AfterAll
    static void stop() {
        network.close();
    }

    static JsonNode ok(String path) {
        HttpResponse<String> r = http.get(path);
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        return TestHttp.json(r);
    }

    static List<String> names(JsonNode search) {
        List<String> names = new ArrayList<>();
        search.get("roads").forEach(r -> names.add(r.get("name").asText()));
        return names;
    }

    @Test
    void nearestSnapsAPointToTheClosestElementWithDistanceAndMeasure() {
        // 11 m north of the middle of Via dei Calzaiuoli (element 101, 80.4 m long, drawn west to east).
        JsonNode fc = ok("/network/nearest?point=11.2555,43.7701");
        assertEquals(1, fc.get("features").size());
        JsonNode f = fc.get("features").get(0);
        assertEquals(101, f.get("id").asInt());
        assertEquals("Point", f.at("/geometry/type").asText());
        assertEquals(11.2555, f.at("/geometry/coordinates/0").asDouble(), 1e-6);
        assertEquals(43.7700, f.at("/geometry/coordinates/1").asDouble(), 1e-6);
        assertEquals(11.1, f.at("/properties/distance_m").asDouble(), 0.3);
        assertEquals(40.2, f.at("/properties/measure_m").asDouble(), 0.5);
        assertEquals("Via dei Calzaiuoli", f.at("/properties/name").asText());
    }

    @Test
    void nearestListsSeveralElementsNearestFirstWithinTheDistance() {
        JsonNode fc = ok("/network/nearest?point=11.2559,43.7702&limit=3");
        List<Integer> ids = new ArrayList<>();
        fc.get("features").forEach(f -> ids.add(f.get("id").asInt()));
        assertEquals(102, ids.getFirst());
        assertEquals(3, ids.size());
        double previous = 0;
        for (JsonNode f : fc.get("features")) {
            assertTrue(f.at("/properties/distance_m").asDouble() >= previous);
            previous = f.at("/properties/distance_m").asDouble();
        }
        assertEquals(0, ok("/network/nearest?point=11.2559,43.7702&max-distance=1").get("features").size());
        assertEquals(0, ok("/network/nearest?point=12.5,41.9").get("features").size(), "Rome is beyond 500 m");
    }

    @Test
    void measureAndPointAreInverseAlongTheElement() {
        JsonNode m = ok("/network/elements/101/measure?point=11.2553,43.76995");
        double measure = m.at("/properties/measure_m").asDouble();
        assertEquals(24.1, measure, 0.5);
        JsonNode p = ok("/network/elements/101/point?m=" + measure);
        assertEquals(m.at("/geometry/coordinates/0").asDouble(), p.at("/geometry/coordinates/0").asDouble(), 1e-7);
        assertEquals(m.at("/geometry/coordinates/1").asDouble(), p.at("/geometry/coordinates/1").asDouble(), 1e-7);
        assertEquals(11.2550, ok("/network/elements/101/point?m=0").at("/geometry/coordinates/0").asDouble(), 1e-7);
    }

    @Test
    void substringReturnsTheStretchBetweenTwoMeasures() {
        JsonNode s = ok("/network/elements/101/substring?from=10&to=30");
        assertEquals("LineString", s.at("/geometry/type").asText());
        assertEquals(20.0, s.at("/properties/length_m").asDouble(), 1e-9);
        double x0 = s.at("/geometry/coordinates/0/0").asDouble();
        double x1 = s.at("/geometry/coordinates/1/0").asDouble();
        // 80.4 m span 0.001° of longitude here: 10 m and 30 m from the west end.
        assertEquals(11.2550 + 0.001 * 10 / 80.4, x0, 2e-6);
        assertEquals(11.2550 + 0.001 * 30 / 80.4, x1, 2e-6);
    }

    @Test
    void aJunctionListsItsIncidentElements() {
        JsonNode j = ok("/network/junctions/2");
        assertEquals("Point", j.at("/geometry/type").asText());
        List<String> incident = new ArrayList<>();
        j.at("/properties/elements").forEach(e -> incident.add(e.get("id").asInt() + ":" + e.get("end").asText()));
        assertEquals(List.of("101:end", "102:start", "103:start"), incident);
        JsonNode retiredOneLeft = ok("/network/junctions/4").at("/properties/elements");
        assertEquals(1, retiredOneLeft.size(), "element 106 was retired in 2021: " + retiredOneLeft);
        assertEquals(103, retiredOneLeft.get(0).get("id").asInt());
    }

    @Test
    void streetSearchFoldsAccentsApostrophesAndAbbreviations() {
        assertEquals("Via dell’Agnolo", names(ok("/roads?q=via%20dell%20agnolo")).getFirst());
        assertEquals("Via dell’Agnolo", names(ok("/roads?q=VIA%20DELL'%C3%80GNOLO")).getFirst());
        assertEquals("Viale Giacomo Matteotti", names(ok("/roads?q=v.le%20matteotti")).getFirst());
        assertEquals("Piazza della Signoria", names(ok("/roads?q=p.za%20della%20signoria")).getFirst());
        assertEquals("Via dei Calzaiuoli", names(ok("/roads?q=calzaiuoli")).getFirst());
        assertEquals(List.of(), names(ok("/roads?q=zzzzqqq")));
    }

    @Test
    void aFoundRoadCarriesItsExtentAndElementCount() {
        JsonNode r = ok("/roads?q=via%20dell%27agnolo&limit=1").get("roads").get(0);
        assertEquals(2, r.get("id").asInt());
        assertEquals(2, r.get("elementCount").asInt());
        assertEquals(11.2560, r.at("/bbox/0").asDouble(), 1e-6);
        assertEquals(43.7700, r.at("/bbox/1").asDouble(), 1e-6);
        assertEquals(11.2570, r.at("/bbox/2").asDouble(), 1e-6);
        assertEquals(43.7710, r.at("/bbox/3").asDouble(), 1e-6);
        assertTrue(r.get("score").asDouble() > 0.5);
        JsonNode noElements = ok("/roads?q=borgo%20san%20frediano").get("roads").get(0);
        assertEquals(0, noElements.get("elementCount").asInt());
        assertTrue(noElements.get("bbox").isNull());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/network/nearest| point",
            "/network/nearest?point=11.25| point",
            "/network/nearest?point=11.25;DROP%20TABLE%20road,43.77| point",
            "/network/nearest?point=200,43.77| point",
            "/network/nearest?point=11.25,43.77&limit=0| limit",
            "/network/nearest?point=11.25,43.77&max-distance=-1| max-distance",
            "/network/nearest?point=11.25,43.77&radius=5| radius",
            "/network/elements/101/point?m=81| m",
            "/network/elements/101/point?m=-1| m",
            "/network/elements/101/point| m",
            "/network/elements/101/substring?from=30&to=10| to",
            "/network/elements/101/substring?from=abc&to=10| from",
            "/network/elements/101/measure?point=x,y| point",
            "/roads| q",
            "/roads?q=%20| q",
            "/roads?q=via&limit=-3| limit",
    })
    void badInputIsA400NamingTheParameter(String path, String parameter) {
        HttpResponse<String> r = http.get(path);
        assertEquals(400, r.statusCode(), path + " -> " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        assertEquals(parameter, TestHttp.json(r).get("parameter").asText());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/network/elements/999/point?m=1", "/network/elements/abc/point?m=1",
            "/network/elements/999/measure?point=11.25,43.77", "/network/junctions/999", "/network/junctions/1%27"})
    void unknownElementsAndJunctionsAre404(String path) {
        assertEquals(404, http.get(path).statusCode(), path);
    }

    @Test
    void injectionInTheSearchIsJustText() {
        assertEquals(List.of(), names(ok("/roads?q=%27%3B%20DROP%20TABLE%20road%3B%20--")));
        assertEquals("Via dei Calzaiuoli", names(ok("/roads?q=calzaiuoli")).getFirst());
    }
}
