package it.firenze.streetcad.topology;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Role;
import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static it.firenze.streetcad.testing.TestHttp.assertProblem;
import static it.firenze.streetcad.testing.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given a built network and a street added across it without a junction, the topology API finds and explains it. */
class TopologyHttpTest {

    Database db;
    Cadastre cadastre;
    TestHttp http;
    long added;

    @BeforeEach
    void open() throws Exception {
        db = TestPostgis.newCadastre();
        cadastre = new Cadastre(db);
        cadastre.element("main", "LINESTRING(0 0, 100 0)");
        cadastre.element("cross", "LINESTRING(50 -50, 50 50)");
        new NetworkBuild(db).apply(null, NetworkBuilder.DEFAULT_TOLERANCE, Actor.system("test"));
        added = cadastre.element("added", "LINESTRING(80 -50, 80 50)");
        http = TestHttp.withKey(db, Role.TECHNICIAN, new TopologyModule(db));
    }

    @AfterEach
    void close() {
        http.close();
        db.close();
    }

    /** The build in {@link #open} already recorded the issues of its neighbourhood: these tests follow the crossing. */
    static final String CROSSINGS = "/topology/issues?rule=crossing-without-junction";

    JsonNode validate(String body) throws InterruptedException {
        return http.runJob("/topology/validations", body, v -> !v.get("status").asText().equals("running"));
    }

    @Test
    void aFindingsExplanationGoesOutInUtf8() throws Exception {
        cadastre.element("spike", "LINESTRING(200 0, 210 0, 200 1)");
        assertEquals("succeeded", validate("").get("status").asText());
        var r = http.get("/topology/issues?rule=spike");
        assertEquals(200, r.statusCode());
        // Read as UTF-8, as every JSON reader does: the degree sign was the single byte 0xB0 (ISO-8859-1).
        JsonNode spike = json(r).get("features").get(0).get("properties");
        assertTrue(spike.get("explanation").asText().matches(".*sharp \\d+\\.\\d° angle.*"), spike.toString());
    }

    @Test
    void aValidationJobFindsTheCrossingAndListsItAsGeoJsonInCrs84() throws Exception {
        JsonNode done = validate("");
        assertEquals("succeeded", done.get("status").asText(), done.toString());
        assertEquals(1.0, done.get("progress").asDouble());
        assertEquals(3, done.get("counts").get("error").asInt(), "one crossing and two ends off any junction");

        JsonNode issues = json(http.get("/topology/issues?rule=crossing-without-junction"));
        assertEquals("FeatureCollection", issues.get("type").asText());
        assertEquals(1, issues.get("features").size());
        JsonNode f = issues.get("features").get(0);
        assertEquals("Point", f.get("geometry").get("type").asText());
        double lon = f.get("geometry").get("coordinates").get(0).asDouble();
        double lat = f.get("geometry").get("coordinates").get(1).asDouble();
        assertTrue(lon > 6 && lon < 19 && lat > 36 && lat < 48, "lon/lat in Italy: " + lon + "," + lat);
        JsonNode p = f.get("properties");
        assertEquals("error", p.get("severity").asText());
        assertEquals(false, p.get("accepted").asBoolean());
        assertTrue(p.get("explanation").asText().contains("cross"));
        long eastOfCross = cadastre.count("SELECT id FROM road_element WHERE source_key = 'main' AND ST_XMax(geom) > "
                + Lines.wkt("POINT(60 0)").getCoordinate().x);
        assertEquals("[" + eastOfCross + "," + added + "]", p.get("element_ids").toString());
        assertEquals("at_grade", p.get("parameters").get("level").asText());

        assertEquals(2, json(http.get("/topology/issues?severity=error&element=" + added + "&rule=endpoint-off-junction"))
                .get("features").size());
        assertEquals(0, json(http.get("/topology/issues?bbox=0,0,1,1")).get("features").size());
    }

    @Test
    void anAcceptedIssueStaysAcceptedWhileItsGeometryIsUnchanged() throws Exception {
        validate("{\"rules\": [\"crossing-without-junction\"]}");
        long id = json(http.get(CROSSINGS)).get("features").get(0).get("id").asLong();
        HttpResponse<String> accepted = http.post("/topology/issues/" + id + "/accept", "{\"note\": \"a tramway crossing\"}");
        assertEquals(200, accepted.statusCode(), accepted.body());

        validate("{\"rules\": [\"crossing-without-junction\"]}");
        JsonNode again = json(http.get(CROSSINGS)).get("features").get(0);
        assertEquals(id, again.get("id").asLong(), "found again as it stands: the same issue, its id kept");
        assertEquals(true, again.get("properties").get("accepted").asBoolean());

        cadastre.execute("UPDATE road_element SET geom = ST_Translate(geom, 5, 0) WHERE id = " + added);
        validate("{\"rules\": [\"crossing-without-junction\"]}");
        assertEquals(false, json(http.get(CROSSINGS)).get("features").get(0).get("properties")
                .get("accepted").asBoolean(), "the element moved: the exception no longer applies");
    }

    @Test
    void aValidationOfAnAreaReplacesTheIssuesThereWithoutDuplicatingOthers() throws Exception {
        validate("");
        int all = json(http.get("/topology/issues")).get("features").size();
        JsonNode done = validate("{\"bbox\": [" + cadastre.bboxAround("POINT(80 0)", 5) + "]}");
        assertEquals("succeeded", done.get("status").asText(), done.toString());
        assertEquals(4, done.get("bbox").size());
        assertEquals(all, json(http.get("/topology/issues")).get("features").size());
    }

    @Test
    void aValidationOfAnAreaReplacesTheIssuesOfTheElementsItJudgedWhereverTheyLie() throws Exception {
        long street = cadastre.element("long", "LINESTRING(0 200, 5 200, 300 200)");
        validate("");
        JsonNode crossing = json(http.get("/topology/issues?rule=crossing-without-junction")).get("features").get(0);
        assertEquals(List.of("dead-end", "dead-end", "endpoint-off-junction", "endpoint-off-junction", "island"),
                rulesOf(street));

        // An edit near one end changes the street's geometry, so its findings at both far ends get new fingerprints.
        cadastre.execute("UPDATE road_element SET geom = ST_SetPoint(geom, 1, ST_Translate(ST_PointN(geom, 2), 0, 1)) "
                + "WHERE id = " + street);
        validate("{\"bbox\": [" + cadastre.bboxAround("POINT(5 201)", 2) + "], "
                + "\"rules\": [\"dead-end\", \"endpoint-off-junction\"]}");

        assertEquals(List.of("dead-end", "dead-end", "endpoint-off-junction", "endpoint-off-junction", "island"),
                rulesOf(street), "the far ends' issues replaced, not doubled; the island, a rule not run, kept");
        assertEquals(crossing.get("id"), json(http.get("/topology/issues?rule=crossing-without-junction"))
                .get("features").get(0).get("id"), "an issue outside the area keeps its row");
    }

    List<String> rulesOf(long element) {
        List<String> rules = new ArrayList<>();
        json(http.get("/topology/issues?element=" + element)).get("features")
                .forEach(f -> rules.add(f.get("properties").get("rule").asText()));
        return rules.stream().sorted().toList();
    }

    @Test
    void badParametersAre400ProblemsNamingTheParameterAndUnknownIssues404() {
        assertProblem(http.get("/topology/issues?severity=grave"), 400, "severity");
        assertProblem(http.get("/topology/issues?rule=nonsense"), 400, "rule");
        assertProblem(http.get("/topology/issues?bbox=1,2,3"), 400, "bbox");
        assertProblem(http.get("/topology/issues?element=abc"), 400, "element");
        assertProblem(http.post("/topology/validations", "{\"tolerance\": -1}"), 400, "tolerance");
        assertProblem(http.post("/topology/validations", "{\"rules\": [\"x\"]}"), 400, "rules");
        assertProblem(http.post("/topology/validations", "not json"), 400, "body");
        assertProblem(http.post("/topology/issues/999999/accept", ""), 404, null);
        assertProblem(http.get("/topology/validations/999999"), 404, null);
    }
}
