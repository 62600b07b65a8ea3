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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static it.firenze.streetcad.testing.TestHttp.assertProblem;
import static it.firenze.streetcad.testing.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The safe fixes over HTTP: each previewed as GeoJSON, then applied, and the issues refreshed only around it. */
class TopologyFixesHttpTest {

    Database db;
    Cadastre cadastre;
    TestHttp http;

    @BeforeEach
    void open() {
        db = TestPostgis.newCadastre();
        cadastre = new Cadastre(db);
        http = TestHttp.withKey(db, Role.TECHNICIAN, new TopologyModule(db));
    }

    @AfterEach
    void close() {
        http.close();
        db.close();
    }

    long history() throws Exception {
        return cadastre.count("SELECT count(*) FROM road_element_history");
    }

    @Test
    void eachFixPreviewsItsChangesAsGeoJsonChangingNothingThenAppliesExactlyThem() throws Exception {
        cadastre.oneDefectForEachSafeFix();

        Map<String, Map<String, Integer>> expected = new LinkedHashMap<>();
        expected.put("remove-duplicate-vertices", Map.of("update", 1));
        expected.put("delete-duplicates", Map.of("delete", 1));
        expected.put("split-at-crossings", Map.of("insert", 2, "update", 2));
        expected.put("snap-endpoints", Map.of("insert", 1, "update", 2));
        expected.put("merge-pseudo-nodes", Map.of("delete", 1, "update", 1));
        for (var fix : expected.entrySet()) {
            long before = history();
            HttpResponse<String> preview = http.post("/topology/fixes/" + fix.getKey() + "/preview", "");
            assertEquals(200, preview.statusCode(), preview.body());
            assertTrue(preview.headers().firstValue("Content-Type").orElse("").startsWith("application/geo+json"));
            JsonNode fc = json(preview);
            assertEquals("FeatureCollection", fc.get("type").asText());
            assertEquals(fix.getValue(), counts(fc.get("counts")), fix.getKey() + " preview: " + preview.body());
            assertEquals(fix.getValue().values().stream().mapToInt(Integer::intValue).sum(), fc.get("features").size());
            JsonNode lon = fc.get("features").get(0).get("geometry").get("coordinates").get(0).get(0);
            assertTrue(lon.asDouble() > 6 && lon.asDouble() < 19, "CRS84: " + lon);
            assertEquals(before, history(), fix.getKey() + ": a preview changes nothing");

            HttpResponse<String> applied = http.post("/topology/fixes/" + fix.getKey() + "/apply", "");
            assertEquals(200, applied.statusCode(), applied.body());
            assertEquals(fix.getValue(), counts(json(applied).get("counts")), fix.getKey() + " apply: " + applied.body());
            assertEquals("succeeded", json(applied).get("validation").get("status").asText(), applied.body());
            assertTrue(history() > before, fix.getKey() + ": the history records the change");
        }
        assertEquals(List.of("west 200"), cadastre.strings("SELECT source_key || ' ' || round(length_m) FROM live_road_element "
                + "WHERE source_key IN ('west', 'east')"));

        JsonNode nothingLeft = json(http.post("/topology/fixes/merge-pseudo-nodes/apply", ""));
        assertEquals(0, nothingLeft.get("counts").size());
        assertTrue(nothingLeft.get("validation").isNull(), "nothing changed, nothing to re-validate");
    }

    @Test
    void aFixAppliedInOneCornerRefreshesTheIssuesThereAndLeavesTheOthersAsTheyAre() throws Exception {
        // Given a connected network: west and east meet at a pseudo-node that merging removes; link (3 lanes) leads
        // a kilometre north to north and north2 (2 lanes), which meet at a pseudo-node of their own; and a street
        // added across north2 after the build, with no junction: a crossing the technician accepted.
        cadastre.element("west", "LINESTRING(0 0, 100 0)");
        cadastre.element("east", "LINESTRING(100 0, 200 0)");
        cadastre.element("link", "LINESTRING(200 0, 200 1000)");
        cadastre.element("north", "LINESTRING(200 1000, 400 1000)");
        cadastre.element("north2", "LINESTRING(400 1000, 600 1000)");
        cadastre.execute("UPDATE road_element SET lanes = CASE source_key WHEN 'link' THEN 3 ELSE 2 END "
                + "WHERE source_key IN ('link', 'north', 'north2')");
        new NetworkBuild(db).apply(null, NetworkBuilder.DEFAULT_TOLERANCE, Actor.system("test"));
        cadastre.element("added", "LINESTRING(500 950, 500 1050)");
        validateAll();
        long crossing = issues("rule=crossing-without-junction").getFirst().get("id").asLong();
        assertEquals(200, http.post("/topology/issues/" + crossing + "/accept", "{\"note\": \"a tram line\"}").statusCode());
        long west = cadastre.count("SELECT id FROM road_element WHERE source_key = 'west'");
        long east = cadastre.count("SELECT id FROM road_element WHERE source_key = 'east'");
        long link = cadastre.count("SELECT id FROM road_element WHERE source_key = 'link'");
        assertEquals(List.of("dead-end", "mergeable-pseudo-node"), rules(issues("element=" + west)));
        List<JsonNode> far = issues("").stream().filter(f -> {
            List<Long> elements = new ArrayList<>();
            f.get("properties").get("element_ids").forEach(e -> elements.add(e.asLong()));
            return elements.stream().noneMatch(e -> e == west || e == east || e == link);
        }).toList();
        assertEquals(List.of("crossing-without-junction", "dead-end", "dead-end", "dead-end", "endpoint-off-junction",
                "endpoint-off-junction", "mergeable-pseudo-node"), rules(far), "north2's and added's ends, the crossing, "
                + "north/north2's pseudo-node");
        Map<Long, Boolean> farAway = new HashMap<>();
        far.forEach(f -> farAway.put(f.get("id").asLong(), f.get("properties").get("accepted").asBoolean()));

        // When the pseudo-nodes in the south-west corner are merged
        JsonNode applied = json(http.post("/topology/fixes/merge-pseudo-nodes/apply",
                "{\"bbox\": \"" + cadastre.bboxAround("POINT(100 0)", 10) + "\"}"));

        // Then west runs to link, the corner's issues are judged again, and every other issue keeps its row and state
        assertEquals(Map.of("delete", 1, "update", 1), counts(applied.get("counts")), applied.toString());
        JsonNode validation = applied.get("validation");
        assertEquals("succeeded", validation.get("status").asText(), validation.toString());
        assertEquals(4, validation.get("bbox").size(), "the re-validation covered an area, not the cadastre");
        assertEquals(List.of("dead-end", "pseudo-node"), rules(issues("element=" + west)),
                "one dead end, not two; the pseudo-node where west now meets link, which differs from it");
        assertEquals(List.of(), issues("element=" + east));
        Map<Long, Boolean> after = new HashMap<>();
        issues("").forEach(f -> after.put(f.get("id").asLong(), f.get("properties").get("accepted").asBoolean()));
        farAway.forEach((id, accepted) -> assertEquals(accepted, after.get(id), "issue " + id + " untouched"));
        assertTrue(after.get(crossing), "the accepted crossing stays accepted");
    }

    @Test
    void anUnknownFixIs404AndBadParametersAre400NamingTheParameter() {
        HttpResponse<String> unknown = http.post("/topology/fixes/paint-it-blue/preview", "");
        assertProblem(unknown, 404, null);
        assertTrue(json(unknown).get("detail").asText().contains("merge-pseudo-nodes"), unknown.body());
        assertProblem(http.post("/topology/fixes/paint-it-blue/apply", ""), 404, null);
        assertProblem(http.post("/topology/fixes/snap-endpoints/preview", "{\"bbox\": [11.2, 43.7, 11.1]}"), 400, "bbox");
        assertProblem(http.post("/topology/fixes/snap-endpoints/apply?bbox=11.3,43.7,11.2,43.8", ""), 400, "bbox");
        assertProblem(http.post("/topology/fixes/snap-endpoints/preview", "{\"tolerance\": -1}"), 400, "tolerance");
        assertProblem(http.post("/topology/fixes/snap-endpoints/apply", "{\"tolerance\": \"wide\"}"), 400, "tolerance");
        assertProblem(http.post("/topology/fixes/snap-endpoints/preview?tolerance=abc", ""), 400, "tolerance");
        assertProblem(http.post("/topology/fixes/snap-endpoints/apply", "[1]"), 400, "body");
    }

    void validateAll() throws InterruptedException {
        http.runJob("/topology/validations", "", v -> !v.get("status").asText().equals("running"));
    }

    List<JsonNode> issues(String query) {
        List<JsonNode> out = new ArrayList<>();
        json(http.get("/topology/issues?" + query)).get("features").forEach(out::add);
        return out;
    }

    static List<String> rules(List<JsonNode> issues) {
        return issues.stream().map(f -> f.get("properties").get("rule").asText()).sorted().toList();
    }

    static Map<String, Integer> counts(JsonNode node) {
        Map<String, Integer> out = new HashMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asInt()));
        return out;
    }
}
