package it.firenze.streetcad.topology;

import it.firenze.streetcad.access.Role;
import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;

import static it.firenze.streetcad.testing.TestHttp.assertProblem;
import static it.firenze.streetcad.testing.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given raw road elements, a network build job over HTTP previews the build, then applies it in one transaction. */
class NetworkBuildHttpTest {

    Database db;
    Cadastre cadastre;
    TestHttp http;

    @BeforeEach
    void open() throws Exception {
        db = TestPostgis.newCadastre();
        cadastre = new Cadastre(db);
        // A cross, a T, a street stopping 30 cm short and a bridge over the main street.
        cadastre.element("main", "LINESTRING(0 0, 100 0, 200 0)");
        cadastre.element("cross", "LINESTRING(50 -50, 50 50)");
        cadastre.element("tee", "LINESTRING(150 0, 150 60)");
        cadastre.element("short", "LINESTRING(120 -0.3, 120 -40)");
        cadastre.element("bridge", "LINESTRING(80 -50, 80 50)", "bridge", 1, "both");
        http = TestHttp.withKey(db, Role.TECHNICIAN, new TopologyModule(db));
    }

    @AfterEach
    void close() {
        http.close();
        db.close();
    }

    /** Starts a build job and follows it until it has run. */
    JsonNode build(String body) throws InterruptedException {
        return http.runJob("/network/builds", body,
                b -> List.of("previewed", "applied", "failed").contains(b.get("state").asText()));
    }

    @Test
    void aPreviewJobSaysWhatTheBuildWouldDoAndShowsTheChangesThenAnApplyJobDoesExactlyThat() throws Exception {
        JsonNode preview = build("");
        assertEquals("previewed", preview.get("state").asText(), preview.toString());
        assertEquals(1.0, preview.get("progress").asDouble());
        assertFalse(preview.get("apply").asBoolean());
        JsonNode summary = preview.get("summary");
        // main splits at 50 (cross), 120 (short, snapped onto it) and 150 (tee): 4 pieces; cross 2 pieces.
        assertEquals(5, summary.get("source_elements").asInt());
        assertEquals(9, summary.get("elements").asInt());
        assertEquals(2, summary.get("split_elements").asInt());
        assertEquals(4, summary.get("added_elements").asInt());
        assertEquals(1, summary.get("snapped_endpoints").asInt());
        assertEquals("{\"end\":8,\"intersection\":3}", summary.get("new_junctions_by_kind").toString());
        assertEquals(0, cadastre.count("SELECT count(*) FROM junction"), "a preview changes nothing");
        assertEquals(5, cadastre.count("SELECT count(*) FROM road_element"));

        HttpResponse<String> changes = http.get(preview.get("changes").asText());
        assertEquals(200, changes.statusCode(), changes.body());
        assertTrue(changes.headers().firstValue("Content-Type").orElse("").startsWith("application/geo+json"));
        JsonNode fc = json(changes);
        assertEquals("FeatureCollection", fc.get("type").asText());
        assertEquals(4, count(fc, "insert"), "the new pieces");
        assertEquals(3, count(fc, "update"), "main and cross shortened to their first piece, short snapped");

        JsonNode applied = build("{\"apply\": true}");
        assertEquals("applied", applied.get("state").asText(), applied.toString());
        assertEquals(preview.get("summary"), applied.get("summary"));
        assertEquals(9, cadastre.count("SELECT count(*) FROM road_element"));
        assertEquals(11, cadastre.count("SELECT count(*) FROM junction"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM road_element WHERE from_junction IS NULL OR to_junction IS NULL"));
        assertEquals(fc.get("features"), json(http.get(applied.get("changes").asText())).get("features"),
                "the apply made the changes the preview showed");

        JsonNode validation = json(http.get(applied.get("validation").asText()));
        assertEquals("succeeded", validation.get("status").asText(), validation.toString());
        assertTrue(json(http.get("/topology/issues?rule=dead-end")).get("features").size() > 0,
                "the re-validation recorded the new network's issues");

        JsonNode again = build("{\"apply\": true}");
        assertEquals(0, again.get("summary").get("added_elements").asInt(), "a built network builds to itself");
        assertTrue(again.get("validation_id").isNull(), "nothing changed, nothing re-validated");
        assertFalse(again.has("validation"));
    }

    @Test
    void aSecondBuildWhileOneIsRunningIs409AndABuildLeftByADeadProcessIsMarkedFailed() throws Exception {
        try (Connection other = db.connection();
             PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_lock(?)");
             PreparedStatement unlock = other.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            // Another instance's build holds the lock.
            lock.setLong(1, BuildJobStore.NETWORK_BUILD_LOCK);
            lock.execute();
            cadastre.execute("INSERT INTO network_build (apply, tolerance, state) VALUES (true, 0.5, 'building')");
            long running = cadastre.count("SELECT max(id) FROM network_build");
            HttpResponse<String> refused = http.post("/network/builds", "{\"apply\": true}");
            assertEquals(409, refused.statusCode(), refused.body());
            assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
            assertTrue(json(refused).get("detail").asText().contains("/network/builds/" + running), refused.body());
            // That instance dies: its session, and the lock with it, ends (a pooled connection stays open: unlock).
            unlock.setLong(1, BuildJobStore.NETWORK_BUILD_LOCK);
            unlock.execute();
        }
        JsonNode done = build("");
        assertEquals("previewed", done.get("state").asText(), done.toString());
        assertEquals(List.of("failed Interrupted: the StreetCad instance running this build stopped or lost its database "
                + "before it wrote anything; nothing was written."), cadastre.strings(
                "SELECT state || ' ' || error FROM network_build WHERE id <> " + done.get("id").asLong()));
    }

    @Test
    void badParametersAre400ProblemsNamingTheParameterAndUnknownBuildsOrIdsNoBuildCanHave404() {
        assertProblem(http.post("/network/builds", "{\"bbox\": [11.2, 43.7]}"), 400, "bbox");
        assertProblem(http.post("/network/builds?bbox=11.2,95,11.3,96", ""), 400, "bbox");
        assertProblem(http.post("/network/builds", "{\"tolerance\": 1000}"), 400, "tolerance");
        assertProblem(http.post("/network/builds", "{\"apply\": \"yes\"}"), 400, "apply");
        assertProblem(http.post("/network/builds?apply=maybe", ""), 400, "apply");
        assertProblem(http.post("/network/builds", "{"), 400, "body");
        assertProblem(http.get("/network/builds/999999"), 404, null);
        assertProblem(http.get("/network/builds/999999/changes"), 404, null);
        assertProblem(http.get("/network/builds/latest"), 404, null);
    }

    static long count(JsonNode fc, String action) {
        long n = 0;
        for (JsonNode f : fc.get("features")) if (f.get("properties").get("action").asText().equals(action)) n++;
        return n;
    }
}
