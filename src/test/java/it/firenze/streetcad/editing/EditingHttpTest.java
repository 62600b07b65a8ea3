package it.firenze.streetcad.editing;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.features.FeaturesModule;
import it.firenze.streetcad.features.ItemResponses;
import it.firenze.streetcad.features.SmallNetwork;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given the small network and an editor's API key, OGC API – Features Part 4 edits each collection with optimistic
 * locking, keeps the network consistent, and serves history, revert and as-of.
 */
class EditingHttpTest {

    static Database db;
    static TestHttp http;

    @BeforeAll
    static void start() throws SQLException {
        db = TestPostgis.newCadastre();
        SmallNetwork.insert(db);
        try (Connection c = db.connection(); var st = c.createStatement()) {
            // The small network's rows carry explicit ids; new rows take theirs from the sequences after them.
            for (String t : List.of("road", "junction", "road_element", "element_event")) {
                st.execute("SELECT setval(pg_get_serial_sequence('" + t + "', 'id'), 1000)");
            }
        }
        http = TestHttp.withKey(db, Role.EDITOR, new FeaturesModule(db, ctx -> ctx.html("")), new EditingHttp(db));
    }

    @AfterAll
    static void stop() {
        http.close();
        db.close();
    }

    @Test
    void renamingARoadChangesTheEtagOfItsElementsSoThatNoCacheKeepsTheOldName() {
        // given an element of a road, read with its ETag
        HttpResponse<String> road = send("POST", "/collections/roads/items", """
                {"type": "Feature", "geometry": null, "properties": {"name": "Via Vecchia", "admin_class": "comunale"}}""",
                null, "application/geo+json");
        assertEquals(201, road.statusCode(), road.body());
        String roadPath = URI.create(road.headers().firstValue("Location").orElseThrow()).getPath();
        HttpResponse<String> element = send("POST", "/collections/road-elements/items", """
                {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[11.2700, 43.7750], [11.2710, 43.7750]]},
                 "properties": {"functional_class": "F", "road_id": %d}}""".formatted(TestHttp.json(road).get("id").asLong()),
                null, "application/geo+json");
        assertEquals(201, element.statusCode(), element.body());
        String path = URI.create(element.headers().firstValue("Location").orElseThrow()).getPath();
        HttpResponse<String> before = http.get(path);
        assertEquals("Via Vecchia", TestHttp.json(before).at("/properties/name").asText());
        String etag = before.headers().firstValue("ETag").orElseThrow();

        // when the road is renamed (the element's own row, and its version, do not change)
        HttpResponse<String> renamed = send("PATCH", roadPath, "{\"properties\": {\"name\": \"Via Nuova del Ponte\"}}",
                road.headers().firstValue("ETag").orElseThrow(), "application/merge-patch+json");
        assertEquals(200, renamed.statusCode(), renamed.body());

        // then a cache revalidating the element with the ETag it holds gets the element anew, with the new name
        HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + path))
                .header("If-None-Match", etag).build());
        assertEquals(200, again.statusCode(), "the old ETag no longer names what a read shows");
        assertEquals("Via Nuova del Ponte", TestHttp.json(again).at("/properties/name").asText());
        assertNotEquals(etag, again.headers().firstValue("ETag").orElseThrow());
        assertEquals(version(before), version(again), "the element's version is the same");
        // and an edit of the element made with the ETag read before the rename is not stale: its row did not change
        HttpResponse<String> edited = send("PATCH", path, "{\"properties\": {\"speed_limit\": 30}}", etag,
                "application/merge-patch+json");
        assertEquals(200, edited.statusCode(), edited.body());
    }

    /** The version an answer's ETag names. */
    private static long version(HttpResponse<String> answer) {
        return ItemResponses.expected(answer.headers().firstValue("ETag").orElseThrow()).orElseThrow().version()
                .orElseThrow();
    }

    // ---- each verb on each collection

    @Test
    void eachVerbOnEachCollectionCreatesReadsUpdatesReplacesAndRetires() {
        verbs("road-elements", """
                {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[11.2600, 43.7750], [11.2610, 43.7750]]},
                 "properties": {"functional_class": "F", "lanes": 1}}""", "{\"properties\": {\"speed_limit\": 30}}",
                "speed_limit", 30);
        verbs("junctions", """
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [11.2650, 43.7750]},
                 "properties": {"kind": "boundary"}}""", "{\"geometry\": {\"type\": \"Point\", \"coordinates\": [11.2651, 43.7751]}}",
                "kind", "boundary");
        verbs("roads", """
                {"type": "Feature", "geometry": null, "properties": {"name": "Via Nuova", "admin_class": "comunale"}}""",
                "{\"properties\": {\"owner\": \"Comune di Firenze\"}}", "owner", "Comune di Firenze");
        verbs("element-events", """
                {"type": "Feature", "geometry": null, "properties": {"element_id": 104, "from_m": 5, "to_m": 20,
                 "kind": "works", "attributes": {"permit": "2026/1"}}}""",
                "{\"properties\": {\"to_m\": 40}}", "to_m", 40);
    }

    private void verbs(String collection, String feature, String patch, String patched, Object expected) {
        String items = "/collections/" + collection + "/items";
        HttpResponse<String> created = send("POST", items, feature, null, "application/geo+json");
        assertEquals(201, created.statusCode(), collection + ": " + created.body());
        String location = created.headers().firstValue("Location").orElseThrow();
        String path = URI.create(location).getPath();
        assertEquals(1, version(created), collection);

        HttpResponse<String> read = http.get(path);
        assertEquals(200, read.statusCode());
        assertEquals(created.headers().firstValue("ETag"), read.headers().firstValue("ETag"), "the item as created is the item read");
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + path))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, head.statusCode());
        assertEquals(read.headers().firstValue("ETag"), head.headers().firstValue("ETag"));

        HttpResponse<String> updated = send("PATCH", path, patch, "\"1\"", "application/merge-patch+json");
        assertEquals(200, updated.statusCode(), collection + ": " + updated.body());
        assertEquals(2, version(updated));
        assertEquals(String.valueOf(expected), TestHttp.json(updated).at("/properties/" + patched).asText(), collection);

        // A replacement is the feature as read back, changed: what it leaves out is reset, computed members ignored.
        JsonNode current = TestHttp.json(http.get(path));
        HttpResponse<String> replaced = send("PUT", path, current.toString(), "\"2\"", "application/geo+json");
        assertEquals(200, replaced.statusCode(), collection + ": " + replaced.body());
        assertEquals(3, version(replaced));
        assertEquals(String.valueOf(expected), TestHttp.json(replaced).at("/properties/" + patched).asText(), collection);

        HttpResponse<String> retired = send("DELETE", path, null, "\"3\"", null);
        assertEquals(200, retired.statusCode(), collection + ": " + retired.body());
        assertFalse(TestHttp.json(retired).at("/properties/valid_to").isNull(), "retired: " + retired.body());
        long id = Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
        assertFalse(ids(TestHttp.json(http.get(items + "?limit=1000"))).contains(id), collection + ": no longer live");
        TestHttp.assertProblem(http.get(path), 404, null);
        assertEquals(200, http.get(path + "/history").statusCode(), collection + ": its record stays");
    }

    // ---- a deleted item (OGC API – Features Part 4, /conf/create-replace-delete/delete)

    /**
     * Given a road element edited once, when an editor deletes it, then the current view no longer has it — a GET or
     * HEAD of it is 404 (Part 4's abstract test), saying when it was retired and linking to its history and to the
     * as-of read of it before its retirement, both of which answer — and no edit but a revert takes it: the revert to
     * its version before the retirement brings it back, at a new version.
     */
    @Test
    void aDeletedItemLeavesTheCurrentViewKeepsItsRecordAndARevertBringsItBack() {
        long id = element("[[11.3400, 43.7800], [11.3412, 43.7801]]", "{\"functional_class\": \"F\", \"lanes\": 1}");
        String path = "/collections/road-elements/items/" + id;
        assertEquals(200, send("PATCH", path, "{\"properties\": {\"lanes\": 2}}", "\"1\"",
                "application/merge-patch+json").statusCode());

        HttpResponse<String> deleted = send("DELETE", path, null, "\"2\"", null);
        assertEquals(200, deleted.statusCode(), deleted.body());
        String validTo = TestHttp.json(deleted).at("/properties/valid_to").asText();

        HttpResponse<String> read = http.get(path);
        TestHttp.assertProblem(read, 404, null);
        JsonNode problem = TestHttp.json(read);
        assertEquals("retired", problem.path("code").asText(), read.body());
        assertEquals(validTo, problem.path("valid_to").asText(), read.body());
        assertTrue(problem.path("detail").asText().contains("retired at " + validTo), read.body());
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + path))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(404, head.statusCode());

        HttpResponse<String> history = http.get(URI.create(link(problem, "version-history")).getRawPath());
        assertEquals(200, history.statusCode(), history.body());
        assertEquals(3, TestHttp.json(history).get("versions").size(), history.body());
        URI before = URI.create(link(problem, "predecessor-version"));
        HttpResponse<String> asOf = http.get(before.getRawPath() + "?" + before.getRawQuery());
        assertEquals(200, asOf.statusCode(), asOf.body());
        assertEquals(2, TestHttp.json(asOf).at("/properties/version").asLong(), "as published before the DELETE");
        assertTrue(TestHttp.json(asOf).at("/properties/valid_to").isNull(), asOf.body());

        // Every edit of it is an edit of nothing the current view has, whatever its If-Match.
        for (String ifMatch : List.of("\"3\"", "*", "\"xyz\"")) {
            assertRetired(send("PATCH", path, "{\"properties\": {\"lanes\": 3}}", ifMatch, "application/merge-patch+json"));
            assertRetired(send("PUT", path, TestHttp.json(asOf).toString(), ifMatch, "application/geo+json"));
            assertRetired(send("DELETE", path, null, ifMatch, null));
            assertRetired(send("POST", path + "/split", "{\"measure\": 10}", ifMatch, "application/json"));
        }
        assertEquals(3, TestHttp.json(http.get(path + "/history")).get("versions").size(), "nothing written");

        HttpResponse<String> reverted = send("POST", path + "/revert?version=2", null, "\"3\"", null);
        assertEquals(200, reverted.statusCode(), reverted.body());
        HttpResponse<String> back = http.get(path);
        assertEquals(200, back.statusCode(), back.body());
        assertEquals(4, TestHttp.json(back).at("/properties/version").asLong());
        assertTrue(TestHttp.json(back).at("/properties/valid_to").isNull(), back.body());
        assertTrue(ids(TestHttp.json(http.get("/collections/road-elements/items?limit=1000"))).contains(id), "live again");
    }

    /**
     * Given element 106 of the small network, entered already ended (valid 2019–2021), then a read of it is the 404 of
     * a retired item with its history only: no instant's current view ever held it.
     */
    @Test
    void anItemRecordedAlreadyEndedIsRetiredWithItsHistoryOnly() {
        HttpResponse<String> read = http.get("/collections/road-elements/items/106");
        TestHttp.assertProblem(read, 404, null);
        JsonNode problem = TestHttp.json(read);
        assertEquals("2021-01-01T00:00:00+00:00", problem.path("valid_to").asText(), "as the feature writes it: " + read.body());
        assertEquals(List.of("version-history"), problem.get("links").findValuesAsText("rel"), read.body());
        assertEquals(200, http.get("/collections/road-elements/items/106?as-of=" + Instant.now()).statusCode(),
                "as recorded, whatever its validity");
    }

    private static void assertRetired(HttpResponse<String> r) {
        TestHttp.assertProblem(r, 404, null);
        assertEquals("retired", TestHttp.json(r).path("code").asText(), r.body());
    }

    private static String link(JsonNode problem, String rel) {
        for (JsonNode l : problem.path("links")) if (rel.equals(l.path("rel").asText())) return l.path("href").asText();
        throw new AssertionError("no " + rel + " link in " + problem);
    }

    // ---- optimistic locking

    @Test
    void ofTwoEditorsOnOneElementOneWinsAndTheOtherGets412WithTheCurrentItem() {
        String path = "/collections/road-elements/items/102";
        String etag = http.get(path).headers().firstValue("ETag").orElseThrow();
        String anna = http.key(Role.EDITOR);
        String bruno = http.key(Role.EDITOR);

        HttpResponse<String> first = sendAs(anna, "PATCH", path, "{\"properties\": {\"surface\": \"asphalt\"}}", etag);
        HttpResponse<String> second = sendAs(bruno, "PATCH", path, "{\"properties\": {\"surface\": \"sett\"}}", etag);

        assertEquals(200, first.statusCode(), first.body());
        assertTrue(TestHttp.json(first).has("validation"), "an attribute edit is re-validated around too: " + first.body());
        assertEquals(412, second.statusCode(), second.body());
        assertEquals(first.headers().firstValue("ETag"), second.headers().firstValue("ETag"));
        assertEquals("asphalt", TestHttp.json(second).at("/properties/surface").asText(), "the change that won");
        assertEquals("asphalt", TestHttp.json(http.get(path)).at("/properties/surface").asText());
    }

    /**
     * RFC 9110 §13.1.1: If-Match {@code *} is true when the item has a current representation. Given a road, when an
     * editor patches, replaces and retires it with {@code *}, then each edit is made; given an id no road has, the
     * answer is the 404 it would be without the condition (§13.2.1), and a weak ETag still matches nothing.
     */
    @Test
    void ifMatchStarEditsAnItemThatExistsAndAMissingOneIs404() {
        HttpResponse<String> created = send("POST", "/collections/roads/items", """
                {"type": "Feature", "geometry": null, "properties": {"name": "Via Qualunque", "admin_class": "comunale"}}""",
                null, "application/geo+json");
        assertEquals(201, created.statusCode(), created.body());
        String path = URI.create(created.headers().firstValue("Location").orElseThrow()).getPath();

        HttpResponse<String> patched = send("PATCH", path, "{\"properties\": {\"owner\": \"Comune di Firenze\"}}", "*",
                "application/merge-patch+json");
        assertEquals(200, patched.statusCode(), patched.body());
        assertEquals(2, version(patched));
        HttpResponse<String> replaced = send("PUT", path, TestHttp.json(http.get(path)).toString(), " * ",
                "application/geo+json");
        assertEquals(200, replaced.statusCode(), replaced.body());
        assertEquals(3, version(replaced));
        assertEquals(412, send("PATCH", path, "{\"properties\": {\"owner\": \"ANAS\"}}", "W/\"3\"",
                "application/merge-patch+json").statusCode());
        HttpResponse<String> retired = send("DELETE", path, null, "*", null);
        assertEquals(200, retired.statusCode(), retired.body());
        assertFalse(TestHttp.json(retired).at("/properties/valid_to").isNull(), retired.body());

        // A split and a merge are conditional writes too: `*` splits an element, and merges it back (with_etag too).
        long element = element("[[11.2900, 43.7950], [11.2920, 43.7950]]", "{\"functional_class\": \"F\", \"lanes\": 1}");
        String elementPath = "/collections/road-elements/items/" + element;
        HttpResponse<String> split = send("POST", elementPath + "/split", "{\"measure\": 50}", "*", "application/json");
        assertEquals(200, split.statusCode(), split.body());
        long second = TestHttp.json(split).at("/features/1/id").asLong();
        HttpResponse<String> merged = send("POST", elementPath + "/merge", "{\"with\": " + second + ", \"with_etag\": \"*\"}",
                "*", "application/json");
        assertEquals(200, merged.statusCode(), merged.body());
        assertEquals(second, TestHttp.json(merged).get("retired").asLong());

        TestHttp.assertProblem(send("PATCH", "/collections/roads/items/987654", "{\"properties\": {\"owner\": \"ANAS\"}}",
                "*", "application/merge-patch+json"), 404, null);
        TestHttp.assertProblem(send("DELETE", "/collections/road-elements/items/987654", null, "*", null), 404, null);
    }

    @Test
    void anEditWithoutIfMatchIs428AndAReaderMayNotEdit() {
        String path = "/collections/road-elements/items/105";
        HttpResponse<String> noIfMatch = send("PATCH", path, "{\"properties\": {\"lanes\": 1}}", null, "application/json");
        TestHttp.assertProblem(noIfMatch, 428, null);
        String viewer = http.key(Role.VIEWER);
        HttpResponse<String> forbidden = sendAs(viewer, "PATCH", path, "{\"properties\": {\"lanes\": 1}}", "\"1\"");
        assertEquals(403, forbidden.statusCode());
        HttpResponse<String> anonymous = http.sendAs(null, HttpRequest.newBuilder(URI.create(http.baseUrl() + path))
                .header("If-Match", "\"1\"").header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{}")).build());
        TestHttp.assertUnauthorized(anonymous);
    }

    @Test
    void domainViolationsAre422NamingTheProperty() {
        String path = "/collections/road-elements/items/101";
        String etag = http.get(path).headers().firstValue("ETag").orElseThrow();
        TestHttp.assertProblem(send("PATCH", path, "{\"properties\": {\"lanes\": 99}}", etag, "application/json"), 422, "lanes");
        TestHttp.assertProblem(send("PATCH", path, "{\"properties\": {\"functional_class\": \"Z\"}}", etag,
                "application/json"), 422, "functional_class");
        TestHttp.assertProblem(send("PATCH", path, "{\"properties\": {\"colour\": \"red\"}}", etag, "application/json"),
                422, "colour");
        TestHttp.assertProblem(send("PATCH", path, "{\"properties\": {\"length_m\": 3}}", etag, "application/json"),
                422, "length_m");
        TestHttp.assertProblem(send("PATCH", path, "{\"properties\": {\"valid_to\": \"1999-01-01\"}}", etag,
                "application/json"), 422, "valid_to");
        TestHttp.assertProblem(send("PATCH", path, "{\"geometry\": {\"type\": \"Point\", \"coordinates\": [11, 43]}}",
                etag, "application/json"), 422, "geometry");
        String event = "/collections/element-events/items/1";
        String eventTag = http.get(event).headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> beyond = send("PATCH", event, "{\"properties\": {\"to_m\": 5000}}", eventTag, "application/json");
        TestHttp.assertProblem(beyond, 422, "to_m");
        assertFalse(beyond.body().contains("ERROR:") || beyond.body().contains("SQL"), beyond.body());
        assertEquals(etag, http.get(path).headers().firstValue("ETag").orElseThrow(), "nothing was written");
    }

    /**
     * Given an element, when values its columns cannot hold are sent (past a smallint, past numeric(5, 2), a number
     * past a double read as infinite, a year PostgreSQL cannot hold), then each is a 422 naming the property, not a
     * 500, and nothing is written: no version, no history, no audit row.
     */
    @Test
    void valuesTheColumnsCannotHoldAre422NamingThePropertyAndWriteNothing() throws SQLException {
        String path = "/collections/road-elements/items/101";
        String etag = http.get(path).headers().firstValue("ETag").orElseThrow();
        long history = count("SELECT count(*) FROM road_element_history");
        long audit = count("SELECT count(*) FROM audit_log");

        for (String[] sent : new String[][]{{"lanes", "40000"}, {"speed_limit", "99999"}, {"layer", "-40000"},
                {"width_m", "1000000"}, {"width_m", "1e400"}, {"valid_to", "\"+300000-01-01T00:00:00Z\""},
                {"valid_from", "\"0000-01-01T00:00:00Z\""}}) {
            patchRefused(path, etag, "{\"properties\": {\"" + sent[0] + "\": " + sent[1] + "}}", 422, sent[0]);
        }

        assertUnchanged(path, etag, audit);
        assertEquals(history, count("SELECT count(*) FROM road_element_history"));
    }

    /**
     * Given an element, when its line is sent degenerate (two equal points), far outside the area the storage CRS is
     * defined for (the far side of the Earth, which once failed as a 500 locking ground from Florence to Chile), or
     * with a coordinate past a double (read as infinite, which once ran the server out of memory and committed a line
     * no reader could read), then each is a 422 naming the geometry, and nothing is written.
     */
    @Test
    void aLineThatIsInvalidOrFarOutsideTheCadastresCrsIs422AndWritesNothing() throws SQLException {
        String path = "/collections/road-elements/items/104";
        String etag = http.get(path).headers().firstValue("ETag").orElseThrow();
        long junctions = count("SELECT count(*) FROM junction");
        long audit = count("SELECT count(*) FROM audit_log");

        for (String line : List.of("[[11.2600, 43.7700], [11.2600, 43.7700]]", "[[-70.0, -40.0], [-70.1, -40.0]]",
                "[[1e400, 43.7700], [11.2610, 43.7700]]")) {
            patchRefused(path, etag, "{\"geometry\": {\"type\": \"LineString\", \"coordinates\": " + line + "}}", 422,
                    "geometry");
        }
        HttpResponse<String> created = send("POST", "/collections/road-elements/items", "{\"type\": \"Feature\", "
                + "\"geometry\": {\"type\": \"LineString\", \"coordinates\": [[-70.0, -40.0], [-70.1, -40.0]]}, "
                + "\"properties\": {}}", null, "application/geo+json");
        TestHttp.assertProblem(created, 422, "geometry");

        assertUnchanged(path, etag, audit);
        assertEquals(junctions, count("SELECT count(*) FROM junction"), "no junction made for an end");
    }

    /**
     * Given an element, when a body is sent that is not what it seems (text after the JSON document, bytes that are
     * not UTF-8, a NUL escaped in a string, which PostgreSQL text cannot hold), then it is a 400 naming the body or
     * the member holding the NUL, and nothing is written: not the document before the garbage, not a U+FFFD in place
     * of the bytes sent.
     */
    @Test
    void aBodyWithTextAfterItsJsonOrBytesThatAreNotUtf8OrANulIs400AndWritesNothing() throws SQLException {
        String path = "/collections/road-elements/items/105";
        String etag = http.get(path).headers().firstValue("ETag").orElseThrow();
        long audit = count("SELECT count(*) FROM audit_log");

        patchRefused(path, etag, "{\"properties\": {\"lanes\": 2}} xx", 400, "body");
        byte[] latin1 = "{\"properties\": {\"surface\": \"pav\u00e9\"}}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        TestHttp.assertProblem(http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + path))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(latin1)).header("If-Match", etag)
                .header("Content-Type", "application/merge-patch+json").build()), 400, "body");
        patchRefused(path, etag, "{\"properties\": {\"surface\": \"as\\u0000phalt\"}}", 400, "properties.surface");

        assertUnchanged(path, etag, audit);
    }

    private static void patchRefused(String path, String etag, String patch, int status, String member) {
        TestHttp.assertProblem(send("PATCH", path, patch, etag, "application/merge-patch+json"), status, member);
    }

    /** The item is as it was read (its ETag) and readable, and no change of anything was audited. */
    private static void assertUnchanged(String path, String etag, long audit) throws SQLException {
        HttpResponse<String> now = http.get(path);
        assertEquals(200, now.statusCode(), now.body());
        assertEquals(etag, now.headers().firstValue("ETag").orElseThrow(), "nothing was written");
        assertEquals(audit, count("SELECT count(*) FROM audit_log"), "no change audited");
    }

    @Test
    void writeVerbsWhereNoneIsTakenAre405NamingWhatIs() {
        HttpResponse<String> r = send("PUT", "/collections/road-elements/items", "{}", "\"1\"", "application/json");
        assertEquals(405, r.statusCode());
        assertEquals("GET, HEAD, POST, OPTIONS", r.headers().firstValue("Allow").orElseThrow());
        HttpResponse<String> post = send("POST", "/collections/road-elements/items/101", "{}", null, "application/json");
        assertEquals(405, post.statusCode());
        assertTrue(post.headers().firstValue("Allow").orElseThrow().contains("PATCH"));
    }

    /**
     * OGC API – Features Part 4 /conf/create-replace-delete/options and /conf/update/options: OPTIONS on a mutable
     * resource is 200 with the methods it allows, Accept-Post where it takes POST and Accept-Patch where it takes
     * PATCH; a read-only collection allows reads only.
     */
    @Test
    void optionsNamesTheMethodsEachResourceAllows() {
        HttpResponse<String> items = send("OPTIONS", "/collections/road-elements/items", null, null, null);
        assertEquals(200, items.statusCode());
        assertEquals("GET, HEAD, POST, OPTIONS", items.headers().firstValue("Allow").orElse(""));
        assertTrue(items.headers().firstValue("Accept-Post").orElse("").contains("application/geo+json"));
        HttpResponse<String> item = send("OPTIONS", "/collections/road-elements/items/101", null, null, null);
        assertEquals(200, item.statusCode());
        assertEquals("GET, HEAD, PUT, PATCH, DELETE, OPTIONS", item.headers().firstValue("Allow").orElse(""));
        assertTrue(item.headers().firstValue("Accept-Patch").orElse("").contains("application/merge-patch+json"),
                "/req/update/options-accept-patch");
        HttpResponse<String> readOnly = send("OPTIONS", "/collections/topology-issues/items", null, null, null);
        assertEquals("GET, HEAD, OPTIONS", readOnly.headers().firstValue("Allow").orElse(""));
        assertTrue(readOnly.headers().firstValue("Accept-Post").isEmpty());
    }

    /** Part 4 /req/create-replace-delete/post-content-type B (and PUT's): a body without Content-Type is a 400. */
    @Test
    void aBodyWithoutContentTypeIsABadRequest() {
        String feature = "{\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [11.25, 43.77]}, "
                + "\"properties\": {}}";
        TestHttp.assertProblem(send("POST", "/collections/junctions/items", feature, null, null), 400, "Content-Type");
        String etag = http.get("/collections/junctions/items/1").headers().firstValue("ETag").orElseThrow();
        TestHttp.assertProblem(send("PUT", "/collections/junctions/items/1", feature, etag, null), 400, "Content-Type");
        assertEquals(etag, http.get("/collections/junctions/items/1").headers().firstValue("ETag").orElseThrow(),
                "nothing was written");
    }

    // ---- the regression of issue 13 over HTTP: a planned closure keeps its validity when its measures move

    @Test
    void aPlannedClosureKeepsItsValidFromWhenItsMeasuresMove() {
        HttpResponse<String> created = send("POST", "/collections/element-events/items", """
                {"type": "Feature", "geometry": null, "properties": {"element_id": 101, "from_m": 5, "to_m": 20,
                 "kind": "closure", "valid_from": "2030-03-01T00:00:00Z", "valid_to": "2030-03-08T00:00:00Z"}}""",
                null, "application/geo+json");
        assertEquals(201, created.statusCode(), created.body());
        String path = URI.create(created.headers().firstValue("Location").orElseThrow()).getPath();
        HttpResponse<String> moved = send("PATCH", path, "{\"properties\": {\"from_m\": 10, \"to_m\": 30}}", "\"1\"",
                "application/merge-patch+json");
        assertEquals(200, moved.statusCode(), moved.body());
        assertEquals(Instant.parse("2030-03-01T00:00:00Z"),
                Instant.parse(TestHttp.json(moved).at("/properties/valid_from").asText().replace("+00:00", "Z")));
    }

    // ---- what an edit's answer says about the findings around it

    @Test
    void anAttributeEditThatMakesTwoElementsDifferAnswersTheFindingItRaisedAndTheOneItClosed() {
        String items = "/collections/road-elements/items";
        String line = """
                {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[%s, 43.7437], [%s, 43.7437]]},
                 "properties": {"functional_class": "F", "speed_limit": 30}}""";
        HttpResponse<String> west = send("POST", items, line.formatted("11.3137", "11.3147"), null, "application/geo+json");
        HttpResponse<String> east = send("POST", items, line.formatted("11.3147", "11.3157"), null, "application/geo+json");
        assertEquals(201, east.statusCode(), east.body());
        assertTrue(rules(TestHttp.json(east).at("/validation/raised")).contains("mergeable-pseudo-node"),
                "two elements alike meeting end to end could be one: " + east.body());
        String path = URI.create(east.headers().firstValue("Location").orElseThrow()).getPath();

        HttpResponse<String> slower = send("PATCH", path, "{\"properties\": {\"speed_limit\": 20}}",
                east.headers().firstValue("ETag").orElseThrow(), "application/merge-patch+json");

        JsonNode validation = TestHttp.json(slower).get("validation");
        assertEquals("succeeded", validation.get("status").asText(), slower.body());
        assertEquals(List.of("pseudo-node"), rules(validation.get("raised")), slower.body());
        assertEquals(List.of("mergeable-pseudo-node"), rules(validation.get("closed")), slower.body());
        long westId = TestHttp.json(west).get("id").asLong();
        assertTrue(validation.at("/raised/0/elementIds").toString().contains(String.valueOf(westId)), slower.body());
        assertEquals(List.of("pseudo-node"), pseudoNodeIssues(westId), "the issues recorded say the same");
    }

    @Test
    void movingOrRetiringAnElementWithoutJunctionsClosesItsEnds() throws Exception {
        // Two elements as an import without a network build leaves them (no junctions), validated: their ends are
        // open issues. Since V28 these are derived from the cadastre, not stored; the answers name them as before.
        long moving = unjoined("LINESTRING(11.3300 43.7600, 11.3310 43.7600)");
        long retiring = unjoined("LINESTRING(11.3400 43.7600, 11.3410 43.7600)");
        var topology = new it.firenze.streetcad.topology.TopologyValidation(db);
        var options = it.firenze.streetcad.topology.ValidationOptions.defaults();
        topology.complete(topology.begin(null, options, null), null, options);
        List<String> both = List.of("the element's end has no to junction", "the element's start has no from junction");

        // A moved line is given its junctions: its two ends are closed, none raised
        String path = "/collections/road-elements/items/" + moving;
        HttpResponse<String> moved = send("PATCH", path, """
                {"geometry": {"type": "LineString", "coordinates": [[11.3300, 43.7600], [11.3312, 43.7601]]}}""",
                http.get(path).headers().firstValue("ETag").orElseThrow(), "application/merge-patch+json");
        assertEquals(200, moved.statusCode(), moved.body());
        JsonNode validation = TestHttp.json(moved).get("validation");
        assertEquals(both, junctionEnds(validation.get("closed"), moving), moved.body());
        assertEquals(List.of(), junctionEnds(validation.get("raised"), moving), moved.body());

        // A retired one closes its two ends
        path = "/collections/road-elements/items/" + retiring;
        HttpResponse<String> retired = send("DELETE", path, null,
                http.get(path).headers().firstValue("ETag").orElseThrow(), null);
        assertEquals(200, retired.statusCode(), retired.body());
        validation = TestHttp.json(retired).get("validation");
        assertEquals(both, junctionEnds(validation.get("closed"), retiring), retired.body());
        assertEquals(List.of(), junctionEnds(validation.get("raised"), retiring), retired.body());
    }

    /** An element inserted without junctions, as an import without a network build leaves it. */
    private static long unjoined(String wkt) throws SQLException {
        try (Connection c = db.connection(); var st = c.prepareStatement("INSERT INTO road_element (geom, functional_class) "
                + "VALUES (ST_Transform(ST_GeomFromText(?, 4326), ?), 'F') RETURNING id")) {
            st.setString(1, wkt);
            st.setInt(2, db.storageSrid());
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The explanations of the endpoint-off-junction findings of an element among some, sorted. */
    private static List<String> junctionEnds(JsonNode issues, long element) {
        List<String> out = new ArrayList<>();
        issues.forEach(i -> {
            if (i.get("rule").asText().equals("endpoint-off-junction") && i.get("elementIds").toString().equals("[" + element + "]")) {
                out.add(i.get("explanation").asText());
            }
        });
        out.sort(null);
        return out;
    }

    private static List<String> rules(JsonNode issues) {
        List<String> rules = new ArrayList<>();
        issues.forEach(i -> rules.add(i.get("rule").asText()));
        return rules;
    }

    private static List<String> pseudoNodeIssues(long element) {
        List<String> rules = new ArrayList<>();
        try (Connection c = db.connection(); var st = c.prepareStatement("SELECT rule FROM topology_issue WHERE rule "
                + "LIKE '%pseudo-node' AND element_ids @> ARRAY[?::bigint] ORDER BY rule")) {
            st.setLong(1, element);
            try (var rs = st.executeQuery()) {
                while (rs.next()) rules.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rules;
    }

    // ---- history, revert, as-of

    @Test
    void asOfHistoryAndRevertTellWhatTheCadastreSaidAfterThreeEdits() throws Exception {
        String path = "/collections/road-elements/items/104";
        List<Instant> after = new ArrayList<>();
        for (int limit : new int[]{40, 30, 20}) {
            String etag = http.get(path).headers().firstValue("ETag").orElseThrow();
            HttpResponse<String> r = http.send(request("PATCH", path, "{\"properties\": {\"speed_limit\": " + limit + "}}",
                    etag, "application/json").header("X-Change-Reason", "limit " + limit).build());
            assertEquals(200, r.statusCode(), r.body());
            Thread.sleep(20);
            after.add(Instant.now());
            Thread.sleep(20);
        }
        assertEquals(40, TestHttp.json(http.get(path + "?as-of=" + after.get(0))).at("/properties/speed_limit").asInt());
        assertEquals(30, TestHttp.json(http.get(path + "?as-of=" + after.get(1))).at("/properties/speed_limit").asInt());
        assertEquals(20, TestHttp.json(http.get(path + "?as-of=" + after.get(2))).at("/properties/speed_limit").asInt());
        JsonNode page = TestHttp.json(http.get("/collections/road-elements/items?limit=100&as-of=" + after.get(0)));
        for (JsonNode f : page.get("features")) {
            if (f.get("id").asLong() == 104) assertEquals(40, f.at("/properties/speed_limit").asInt());
        }

        JsonNode history = TestHttp.json(http.get(path + "/history"));
        JsonNode versions = history.get("versions");
        assertEquals(4, versions.size(), history.toString());
        assertEquals("limit 30", versions.get(2).get("reason").asText());
        assertTrue(versions.get(2).at("/author/id").asText().startsWith("key:"), history.toString());
        assertEquals(40, versions.get(2).at("/changes/speed_limit/from").asInt());
        assertEquals(30, versions.get(2).at("/changes/speed_limit/to").asInt());
        assertTrue(versions.get(3).get("recorded_to").isNull());

        HttpResponse<String> reverted = send("POST", path + "/revert?version=1", null, "\"4\"", null);
        assertEquals(200, reverted.statusCode(), reverted.body());
        assertEquals(50, TestHttp.json(reverted).at("/properties/speed_limit").asInt());
        assertEquals(5, version(reverted));
    }

    // ---- the network stays consistent

    @Test
    void anElementDrawnFromAJunctionJoinsItAndAMovedJunctionDragsItsElements() {
        HttpResponse<String> created = send("POST", "/collections/road-elements/items", """
                {"type": "Feature", "geometry": {"type": "LineString",
                 "coordinates": [[11.2560001, 43.7700001], [11.2565, 43.7690]]}, "properties": {"functional_class": "F"}}""",
                null, "application/geo+json");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode element = TestHttp.json(created);
        assertEquals(2, element.at("/properties/from_junction").asLong(), "snapped onto junction 2");
        JsonNode junction = TestHttp.json(http.get("/collections/junctions/items/2"));
        assertEquals(4, junction.at("/properties/degree").asInt());
        assertEquals("intersection", junction.at("/properties/kind").asText());

        String etag = http.get("/collections/junctions/items/2").headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> moved = send("PATCH", "/collections/junctions/items/2",
                "{\"geometry\": {\"type\": \"Point\", \"coordinates\": [11.2561, 43.7701]}}", etag, "application/json");
        assertEquals(200, moved.statusCode(), moved.body());
        JsonNode dragged = TestHttp.json(http.get("/collections/road-elements/items/102"));
        assertEquals(11.2561, dragged.at("/geometry/coordinates/0/0").asDouble(), 1e-6);
        assertEquals(43.7701, dragged.at("/geometry/coordinates/0/1").asDouble(), 1e-6);
        assertTrue(TestHttp.json(moved).has("validation"), "an edit of the network re-validates around it");
    }

    @Test
    void aSplitMakesTwoElementsAndAJunctionAndCarriesTheEventsWithMeasuresFromEachPiece() {
        HttpResponse<String> event = send("POST", "/collections/element-events/items", """
                {"type": "Feature", "geometry": null, "properties": {"element_id": 105, "from_m": 10, "to_m": 60,
                 "kind": "lanes", "attributes": {"lanes": 2}}}""", null, "application/geo+json");
        assertEquals(201, event.statusCode(), event.body());
        long eventId = TestHttp.json(event).get("id").asLong();
        String path = "/collections/road-elements/items/105";
        String etag = http.get(path).headers().firstValue("ETag").orElseThrow();
        double length = TestHttp.json(http.get(path)).at("/properties/length_m").asDouble();

        HttpResponse<String> split = send("POST", path + "/split", "{\"measure\": 40}", etag, "application/json");

        assertEquals(200, split.statusCode(), split.body());
        JsonNode pieces = TestHttp.json(split).get("features");
        assertEquals(105, pieces.get(0).get("id").asLong(), "the element keeps its id for the first piece");
        long second = pieces.get(1).get("id").asLong();
        long junction = TestHttp.json(split).get("junction").asLong();
        assertEquals(40, pieces.get(0).at("/properties/length_m").asDouble(), 0.01);
        assertEquals(length - 40, pieces.get(1).at("/properties/length_m").asDouble(), 0.01);
        assertEquals(junction, pieces.get(0).at("/properties/to_junction").asLong());
        assertEquals(junction, pieces.get(1).at("/properties/from_junction").asLong());
        assertEquals("pseudo", TestHttp.json(http.get("/collections/junctions/items/" + junction)).at("/properties/kind").asText());
        JsonNode kept = TestHttp.json(http.get("/collections/element-events/items/" + eventId)).get("properties");
        assertEquals(List.of(105.0, 10.0, 40.0), List.of(kept.get("element_id").asDouble(), kept.get("from_m").asDouble(),
                kept.get("to_m").asDouble()));
        JsonNode carried = TestHttp.json(http.get("/collections/element-events/items?element_id=" + second)).get("features");
        assertEquals(1, carried.size(), carried.toString());
        assertEquals(0, carried.get(0).at("/properties/from_m").asDouble(), 1e-9);
        assertEquals(20, carried.get(0).at("/properties/to_m").asDouble(), 1e-9);
        assertEquals(2, carried.get(0).at("/properties/attributes/lanes").asInt());
        TestHttp.assertProblem(send("POST", path + "/split", "{\"measure\": 400}", split.headers().firstValue("ETag")
                .orElseThrow(), "application/json"), 422, "measure");
    }

    @Test
    void aMergeAtAJunctionOfDegreeTwoLeavesOneElementCarryingTheEventsAndRetiresTheOtherAndTheJunction() throws Exception {
        // Given two elements drawn head to head onto one junction (B runs from its far end back to A's end), with an
        // event on each: 10-20 m along A, and the first 10 m of B from its far end.
        long a = element("[[11.2800, 43.7900], [11.2810, 43.7900]]", "{\"functional_class\": \"F\", \"lanes\": 1}");
        long b = element("[[11.2820, 43.7900], [11.2810, 43.7900]]", "{\"functional_class\": \"F\", \"lanes\": 1}");
        JsonNode elementA = TestHttp.json(http.get("/collections/road-elements/items/" + a)).get("properties");
        JsonNode elementB = TestHttp.json(http.get("/collections/road-elements/items/" + b)).get("properties");
        long between = elementA.get("to_junction").asLong();
        long farEnd = elementB.get("from_junction").asLong();
        assertEquals(between, elementB.get("to_junction").asLong(), "B ends on A's end junction");
        assertEquals("pseudo", TestHttp.json(http.get("/collections/junctions/items/" + between)).at("/properties/kind").asText());
        double lengthA = elementA.get("length_m").asDouble(), lengthB = elementB.get("length_m").asDouble();
        long onA = event(a, 10, 20), onB = event(b, 0, 10);
        long tileChanges = count("SELECT count(*) FROM tile_change");

        // When an editor merges B into A, naming both versions.
        String path = "/collections/road-elements/items/" + a;
        HttpResponse<String> merged = send("POST", path + "/merge", "{\"with\": " + b + ", \"with_etag\": " + quoted(etag(b)) + "}",
                etag(a), "application/json");

        // Then A is one element over both, from its own start to B's far end, and keeps its id and direction.
        assertEquals(200, merged.statusCode(), merged.body());
        JsonNode answer = TestHttp.json(merged);
        JsonNode element = answer.get("features").get(0);
        assertEquals(a, element.get("id").asLong());
        assertEquals(b, answer.get("retired").asLong());
        assertEquals(between, answer.get("junction").asLong());
        assertTrue(answer.has("validation"), "the merge re-validated its neighbourhood: " + answer);
        assertEquals(lengthA + lengthB, element.at("/properties/length_m").asDouble(), 0.01);
        assertEquals(farEnd, element.at("/properties/to_junction").asLong());
        JsonNode coordinates = element.at("/geometry/coordinates");
        assertEquals(11.2800, coordinates.get(0).get(0).asDouble(), 1e-6);
        assertEquals(11.2820, coordinates.get(coordinates.size() - 1).get(0).asDouble(), 1e-6);
        assertEquals(merged.headers().firstValue("ETag").orElseThrow(), etag(a));
        // B and the junction are retired, B naming A as what it was merged into.
        assertFalse(TestHttp.json(http.get("/collections/road-elements/items/" + b)).at("/properties/valid_to").isNull());
        assertFalse(ids(TestHttp.json(http.get("/collections/road-elements/items?limit=1000"))).contains(b), "B no longer live");
        assertEquals(a, count("SELECT merged_into FROM road_element WHERE id = " + b));
        assertFalse(TestHttp.json(http.get("/collections/junctions/items/" + between)).at("/properties/valid_to").isNull());
        // The events lie on A, B's measured anew from A's start (B ran the other way, so its first 10 m are A's last).
        JsonNode keptEvent = TestHttp.json(http.get("/collections/element-events/items/" + onA)).get("properties");
        assertEquals(List.of((double) a, 10.0, 20.0), List.of(keptEvent.get("element_id").asDouble(),
                keptEvent.get("from_m").asDouble(), keptEvent.get("to_m").asDouble()));
        JsonNode moved = TestHttp.json(http.get("/collections/element-events/items/" + onB)).get("properties");
        assertEquals(a, moved.get("element_id").asLong());
        assertEquals(lengthA + lengthB - 10, moved.get("from_m").asDouble(), 0.01);
        assertEquals(lengthA + lengthB, moved.get("to_m").asDouble(), 0.01);
        // Audited, in history, and the tiles over it purged through the change log.
        JsonNode audit = http.audit("collection=road_element&id=" + b).getFirst();
        assertEquals("feature.merge", audit.get("action").asText());
        JsonNode versions = TestHttp.json(http.get(path + "/history")).get("versions");
        assertTrue(versions.get(versions.size() - 1).get("geometry_changed").asBoolean(), versions.toString());
        assertTrue(count("SELECT count(*) FROM tile_change") > tileChanges, "the tiles over the merge are purged");
    }

    @Test
    void aMergeIsRefusedWhereItWouldCutTheNetworkOrJoinUnequalElementsAndWithoutBothVersions() {
        // Given A and B meeting at a junction of degree 2 and C, of other lanes, continuing B beyond it.
        long a = element("[[11.2900, 43.7900], [11.2910, 43.7900]]", "{\"functional_class\": \"F\", \"lanes\": 1}");
        long b = element("[[11.2910, 43.7900], [11.2920, 43.7900]]", "{\"functional_class\": \"F\", \"lanes\": 1}");
        long c = element("[[11.2920, 43.7900], [11.2930, 43.7900]]", "{\"functional_class\": \"F\", \"lanes\": 2}");
        String path = "/collections/road-elements/items/";
        String body = "{\"with\": %d, \"with_etag\": %s}";

        TestHttp.assertProblem(send("POST", path + b + "/merge", body.formatted(c, quoted(etag(c))), etag(b), "application/json"),
                422, "lanes");
        TestHttp.assertProblem(send("POST", path + a + "/merge", body.formatted(c, quoted(etag(c))), etag(a), "application/json"),
                422, "with");
        TestHttp.assertProblem(send("POST", path + a + "/merge", body.formatted(a, quoted(etag(a))), etag(a), "application/json"),
                422, "with");
        TestHttp.assertProblem(send("POST", path + a + "/merge", "{\"with\": " + b + "}", etag(a), "application/json"),
                428, "with_etag");
        TestHttp.assertProblem(send("POST", path + a + "/merge", body.formatted(b, "\"\\\"99\\\"\""), etag(a),
                "application/json"), 412, "with_etag");
        TestHttp.assertProblem(send("POST", path + a + "/merge", body.formatted(b, quoted(etag(b))), null, "application/json"),
                428, null);
        // A third element at the junction between A and B: merging there would cut it off.
        long d = element("[[11.2910, 43.7900], [11.2910, 43.7910]]", "{\"functional_class\": \"F\", \"lanes\": 1}");
        TestHttp.assertProblem(send("POST", path + a + "/merge", body.formatted(b, quoted(etag(b))), etag(a), "application/json"),
                422, "with");
        assertEquals(200, http.get(path + d).statusCode());
        assertTrue(ids(TestHttp.json(http.get("/collections/road-elements/items?limit=1000"))).containsAll(List.of(a, b, c, d)),
                "nothing was merged");
    }

    // ---- helpers
    /** A new road element drawn through these CRS84 coordinates, with these properties. */
    private static long element(String coordinates, String properties) {
        HttpResponse<String> r = send("POST", "/collections/road-elements/items", "{\"type\": \"Feature\", \"geometry\": "
                + "{\"type\": \"LineString\", \"coordinates\": " + coordinates + "}, \"properties\": " + properties + "}",
                null, "application/geo+json");
        assertEquals(201, r.statusCode(), r.body());
        return TestHttp.json(r).get("id").asLong();
    }

    private static long event(long element, double from, double to) {
        HttpResponse<String> r = send("POST", "/collections/element-events/items", "{\"type\": \"Feature\", \"geometry\": null, "
                + "\"properties\": {\"element_id\": " + element + ", \"from_m\": " + from + ", \"to_m\": " + to
                + ", \"kind\": \"works\", \"attributes\": {}}}", null, "application/geo+json");
        assertEquals(201, r.statusCode(), r.body());
        return TestHttp.json(r).get("id").asLong();
    }

    /** An element's ETag now, as a JSON string for a body and as it goes in If-Match. */
    private static String etag(long element) {
        return http.get("/collections/road-elements/items/" + element).headers().firstValue("ETag").orElseThrow();
    }

    /** A text as a JSON string. */
    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = db.connection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }


    private static HttpRequest.Builder request(String method, String path, String body, String ifMatch, String type) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (ifMatch != null) b.header("If-Match", ifMatch);
        if (type != null) b.header("Content-Type", type);
        return b;
    }

    private static HttpResponse<String> send(String method, String path, String body, String ifMatch, String type) {
        return http.send(request(method, path, body, ifMatch, type).build());
    }

    private static HttpResponse<String> sendAs(String key, String method, String path, String body, String ifMatch) {
        return http.sendAs(key, request(method, path, body, ifMatch, "application/merge-patch+json").build());
    }

    private static List<Long> ids(JsonNode fc) {
        List<Long> ids = new ArrayList<>();
        fc.get("features").forEach(f -> ids.add(f.get("id").asLong()));
        return ids;
    }
}
