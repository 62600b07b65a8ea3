package it.firenze.streetcad.topology;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

import static it.firenze.streetcad.testing.TestHttp.assertProblem;
import static it.firenze.streetcad.testing.TestHttp.assertUnauthorized;
import static it.firenze.streetcad.testing.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every topology and network route that changes the cadastre (or loads all of it) is a technician's, and names them. */
class TopologyAccessTest {

    static final List<String> WRITE_ROUTES = List.of("/topology/validations", "/topology/issues/1/accept",
            "/topology/fixes/delete-duplicates/preview", "/topology/fixes/delete-duplicates/apply", "/network/builds");

    Database db;
    Cadastre cadastre;
    TestHttp http;

    @BeforeEach
    void open() throws Exception {
        db = TestPostgis.newCadastre();
        cadastre = new Cadastre(db);
        cadastre.oneDefectForEachSafeFix();
        http = TestHttp.withKey(db, Role.TECHNICIAN, new TopologyModule(db));
    }

    @AfterEach
    void close() {
        http.close();
        db.close();
    }

    @Test
    void givenNoCredentialsOrALesserRoleEveryWriteRouteRefusesAndNothingChanges() throws Exception {
        for (String route : WRITE_ROUTES) {
            assertUnauthorized(http.postAs(null, route, "{\"apply\": true}"));
            for (Role lesser : List.of(Role.VIEWER, Role.EDITOR, Role.OPERATOR)) {
                var refused = http.postAs(http.key(lesser), route, "{\"apply\": true}");
                assertProblem(refused, 403, null);
                assertTrue(json(refused).get("detail").asText().contains("technician"), refused.body());
            }
        }
        assertEquals(0, cadastre.count("SELECT count(*) FROM road_element_history"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM topology_validation"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM network_build"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM audit_log WHERE action NOT LIKE 'key.%'"));
    }

    @Test
    void aKeyThatIsNotValidIsRefusedEvenOnAReadAndANonBearerSchemeIsNotUnderstood() {
        assertUnauthorized(http.sendAs("sck_not-a-key", HttpRequest.newBuilder(URI.create(http.baseUrl() + "/topology/issues")).build()));
        var basic = http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/topology/issues"))
                .header("Authorization", "Basic YW5uYTpzZWNyZXQ=").build());
        assertUnauthorized(basic);
        assertEquals(200, http.get("/topology/issues").statusCode(), "a valid key reads");
    }

    @Test
    void aTechniciansChangesLeaveAuditRowsAndHistoryRowsNamingThem() throws Exception {
        JsonNode validation = http.runJob("/topology/validations", "", v -> !v.get("status").asText().equals("running"));
        List<JsonNode> started = http.audit("collection=topology_validation&id=" + validation.get("id").asLong());
        assertEquals(1, started.size(), started.toString());
        assertEquals("validation.start", started.getFirst().get("action").asText());
        assertEquals("test technician", started.getFirst().get("principalName").asText());
        String technician = started.getFirst().get("principal").asText();
        assertTrue(technician.matches("key:\\d+"), technician);
        assertEquals("POST /topology/validations", started.getFirst().get("via").asText());

        var applied = http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/topology/fixes/delete-duplicates/apply"))
                .header("X-Change-Reason", "the survey was imported twice").POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, applied.statusCode(), applied.body());
        JsonNode fix = http.audit("collection=road_element").getFirst();
        assertEquals("fix.apply", fix.get("action").asText());
        assertEquals(technician, fix.get("principal").asText());
        assertEquals("the survey was imported twice", fix.get("reason").asText());
        assertEquals("delete-duplicates", fix.get("details").get("operation").asText());
        assertEquals(1, fix.get("ids").size(), fix.toString());
        long retired = fix.get("ids").get(0).asLong();
        assertEquals(fix, http.audit("collection=road_element&id=" + retired).getFirst(), "found by the element's id");
        assertEquals(List.of(technician + "|test|POST /topology/fixes/{fix}/apply|the survey was imported twice"),
                cadastre.strings("SELECT concat_ws('|', changed_by, changed_by_org, changed_via, change_reason) "
                        + "FROM road_element WHERE id = " + retired + " AND valid_to IS NOT NULL"),
                "the retired version names its author");
        assertEquals(List.of("db:streetcad"), cadastre.strings("SELECT changed_by FROM road_element_history WHERE id = "
                + retired), "the version it replaced keeps the author it had (the test's plain SQL)");

        long issue = json(http.get("/topology/issues?rule=crossing-without-junction")).get("features").get(0).get("id").asLong();
        var accepted = http.post("/topology/issues/" + issue + "/accept", "{\"note\": \"a tram line\", \"reason\": \"agreed with ATAF\"}");
        assertEquals(200, accepted.statusCode(), accepted.body());
        JsonNode accept = http.audit("collection=topology_issue&id=" + issue).getFirst();
        assertEquals("issue.accept", accept.get("action").asText());
        assertEquals("agreed with ATAF", accept.get("reason").asText());

        JsonNode build = http.runJob("/network/builds", "{\"apply\": true}", b -> b.get("state").asText().matches("applied|failed"));
        assertEquals("applied", build.get("state").asText(), build.toString());
        JsonNode built = http.audit("principal=" + technician).getFirst();
        assertEquals("network.build", built.get("action").asText());
        assertEquals("POST /network/builds", built.get("via").asText());
        assertEquals(4, http.audit("principal=" + technician).size(), "validation, fix, acceptance, build");
    }
}
