package it.firenze.streetcad.viability;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.ApiKeys;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.Database;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static it.firenze.streetcad.testing.TestHttp.assertProblem;
import static it.firenze.streetcad.testing.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The viability interface over HTTP on Florence, as other city systems call it: operators and utilities with their
 * API keys, closures by street names, the network at an instant, routes, conflicts, rights and the DATEX II feed.
 */
class ViabilityHttpTest {

    static Database db;
    static String base;
    static String operator, publiacqua, toscanaEnergia, viewer;
    static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void florence() throws Exception {
        db = Florence.database();
        base = "http://127.0.0.1:" + Florence.server().port();
        ApiKeys keys = new ApiKeys(db);
        Actor setup = Actor.system("test setup");
        operator = keys.create("control room", Set.of(Role.OPERATOR), "Comune di Firenze", null, setup).secret();
        publiacqua = keys.create("water", Set.of(Role.EDITOR), "Publiacqua", null, setup).secret();
        toscanaEnergia = keys.create("gas", Set.of(Role.EDITOR), "Toscana Energia", null, setup).secret();
        viewer = keys.create("reader", Set.of(Role.VIEWER), null, null, setup).secret();
    }

    static HttpResponse<String> send(String key, String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (key != null) b.header("Authorization", "Bearer " + key);
        if (headers.length > 0) b.headers(headers);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return send(null, "GET", path, null);
    }

    static String measure(String kind, String status, String from, String to, String extra, String location) {
        return "{\"type\": \"Feature\", \"geometry\": null, \"properties\": {\"kind\": \"" + kind + "\", \"status\": \""
                + status + "\", \"valid_from\": \"" + from + "\", \"valid_to\": \"" + to + "\"" + extra
                + ", \"location\": " + location + "}}";
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static List<Long> stateElements(String instant) throws Exception {
        HttpResponse<String> r = get("/network/state?datetime=" + q(instant));
        assertEquals(200, r.statusCode(), r.body());
        List<Long> ids = new ArrayList<>();
        for (JsonNode f : json(r).get("features")) ids.add(f.get("id").asLong());
        return ids;
    }

    @Test
    void anOperatorClosesViaDeiCalzaiuoliByNameAndTheNetworkRoutesAndFeedFollow() throws Exception {
        HttpResponse<String> created = send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "in_force",
                "2033-05-10T00:00:00+02:00", "2033-05-20T00:00:00+02:00", ", \"exemptions\": [\"emergency\"]",
                FlorenceRoutingTest.CALZAIUOLI));
        assertEquals(201, created.statusCode(), created.body());
        JsonNode m = json(created);
        long id = m.get("id").asLong();
        assertEquals(ViabilityModule.MEASURES + "/" + id, created.headers().firstValue("Location").orElseThrow());
        assertEquals("MultiLineString", m.get("geometry").get("type").asText());
        JsonNode elements = m.get("properties").get("elements");
        assertTrue(elements.size() >= 1);
        elements.forEach(e -> assertEquals("Via dei Calzaiuoli", e.get("road").asText()));
        assertTrue(m.get("properties").get("conflicts").isArray());

        // The network at an instant: the closed elements while in force, not the day before.
        List<Long> closed = new ArrayList<>();
        elements.forEach(e -> closed.add(e.get("id").asLong()));
        assertTrue(stateElements("2033-05-15T10:00:00Z").containsAll(closed));
        assertTrue(stateElements("2033-05-09T10:00:00Z").stream().noneMatch(closed::contains));
        JsonNode state = json(get("/network/state?datetime=2033-05-15T10:00:00Z"));
        JsonNode onCalzaiuoli = null;
        for (JsonNode f : state.get("features")) if (f.get("id").asLong() == closed.getFirst()) onCalzaiuoli = f;
        assertEquals("closure", onCalzaiuoli.get("properties").get("measures").get(0).get("kind").asText());

        // A walk from one end of the closed stretch to the other detours in the range, not the day before.
        double[][] ends = endsLonLat(closed);
        String route = "/network/route?profile=pedestrian&from=" + ends[0][0] + "," + ends[0][1] + "&to=" + ends[1][0]
                + "," + ends[1][1] + "&datetime=";
        JsonNode before = json(get(route + q("2033-05-09T10:00:00Z")));
        JsonNode during = json(get(route + q("2033-05-15T10:00:00Z")));
        assertEquals("Feature", during.get("type").asText());
        assertEquals("LineString", during.get("geometry").get("type").asText());
        assertTrue(during.get("properties").get("length_m").asDouble() > before.get("properties").get("length_m").asDouble());
        assertTrue(during.get("properties").get("duration_s").asDouble() > 0);
        assertTrue(before.get("properties").get("streets").toString().contains("Via dei Calzaiuoli"));
        assertFalse(during.get("properties").get("streets").toString().contains("Via dei Calzaiuoli"));

        // The impact at its start: a detour between the ends of the closed stretch, longer than the way through.
        JsonNode impact = json(get("/viability/measures/" + id + "/impact?profile=pedestrian"));
        JsonNode detour = impact.get("detours").get(0);
        assertTrue(detour.get("extra_m").asDouble() > 0, impact.toString());
        assertEquals("Feature", detour.get("detour").get("type").asText());

        // Published in DATEX II, located by coordinates in Florence.
        HttpResponse<String> feed = get("/viability/datex2");
        assertEquals(200, feed.statusCode());
        Document xml = parse(feed.body());
        XPath x = XPathFactory.newInstance().newXPath();
        x.setNamespaceContext(new Datex2Namespaces());
        String situation = "//sit:situation[@id='streetcad-measure-" + id + "']";
        assertEquals("sit:SituationPublication", x.evaluate("/d2:payload/@xsi:type", xml));
        assertEquals("roadClosed", x.evaluate(situation + "/sit:situationRecord/sit:roadOrCarriagewayOrLaneManagementType", xml));
        String[] posList = x.evaluate(situation + "//loc:posList", xml).split(" ");
        assertTrue(posList.length >= 4 && posList.length % 2 == 0);
        assertEquals(43.77, Double.parseDouble(posList[0]), 0.01, "latitude first");
        assertEquals("0", x.evaluate("count(" + situation + "//sit:generalPublicComment)", xml),
                "a measure of no ordinance or works, without a description, has no comment (not a bare 'Ordinanza ')");
        assertEquals(11.25, Double.parseDouble(posList[1]), 0.01);
        assertTrue(Datex2Schema.validate(feed.body()).isEmpty(), Datex2Schema.validate(feed.body()).toString());
        assertFalse(Datex2Schema.validate(feed.body().replace("roadClosed", "roadShut")).isEmpty(), "the schema bites");

        // Every measure change is audited.
        assertEquals(1, count("SELECT count(*) FROM audit_log WHERE action = 'measure.create' AND " + id + " = ANY (ids) "
                + "AND organisation = 'Comune di Firenze' AND via = 'POST " + ViabilityModule.MEASURES + "'"));
    }

    static double[][] endsLonLat(List<Long> elements) throws Exception {
        List<Stretch> s = elements.stream().map(e -> new Stretch(e, 0, 0, "both")).toList();
        long[] ends = FlorenceRoutingTest.endsOf(s);
        return new double[][]{junctionLonLat(ends[0]), junctionLonLat(ends[1])};
    }

    static long count(String sql) throws Exception {
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    /** OPTIONS on the viability collections names what they take: POST on the items, PATCH on one (Part 4 options). */
    @Test
    void optionsNamesTheMethodsOfTheViabilityCollections() throws Exception {
        for (String items : List.of(ViabilityModule.MEASURES, ViabilityModule.WORKS, ViabilityModule.ORDINANCES)) {
            HttpResponse<String> list = send(null, "OPTIONS", items, null);
            assertEquals(200, list.statusCode());
            assertEquals("GET, HEAD, POST, OPTIONS", list.headers().firstValue("Allow").orElse(""), items);
            assertTrue(list.headers().firstValue("Accept-Post").orElse("").contains("application/json"), items);
            HttpResponse<String> one = send(null, "OPTIONS", items + "/1", null);
            assertEquals("GET, HEAD, PATCH, OPTIONS", one.headers().firstValue("Allow").orElse(""), items);
            assertEquals("application/json", one.headers().firstValue("Accept-Patch").orElse(""), items);
        }
    }

    @Test
    void anUnresolvableLocationIs422NamingWhatWasNotFound() throws Exception {
        HttpResponse<String> r = send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "draft",
                "2033-06-01T00:00:00+02:00", "2033-06-02T00:00:00+02:00", "", "{\"road\": \"Via dei Calzaiuoli\", "
                        + "\"from_road\": \"Via Che Non Esiste\", \"to_road\": \"Via del Corso\"}"));
        assertProblem(r, 422, "location.from_road");
        assertTrue(json(r).get("detail").asText().contains("Via Che Non Esiste"));
        assertProblem(send(operator, "POST", ViabilityModule.MEASURES, measure("teleport", "draft",
                "2033-06-01T00:00:00+02:00", "2033-06-02T00:00:00+02:00", "", "{}")), 400, "kind");
        assertProblem(send(null, "POST", ViabilityModule.MEASURES, measure("closure", "draft",
                "2033-06-01T00:00:00+02:00", "2033-06-02T00:00:00+02:00", "", FlorenceRoutingTest.CALZAIUOLI)), 401, null);
        assertProblem(send(viewer, "POST", ViabilityModule.MEASURES, measure("closure", "draft",
                "2033-06-01T00:00:00+02:00", "2033-06-02T00:00:00+02:00", "", FlorenceRoutingTest.CALZAIUOLI)), 403, null);
    }

    /**
     * Given an operator, when a measure is sent whose numbers or instants cannot be held (a measure that is text, a
     * stretch of no length, a limit past a double read as infinite, a year PostgreSQL cannot hold, a NUL in a street's
     * name), or whose body does not say it is JSON or has text after its JSON, then each is refused naming the member
     * (never a 500, never a measure of infinite km/h), and no measure, version or audit row is recorded.
     */
    @Test
    void aMeasureWhoseValuesCannotBeHeldOrWhoseBodyIsNotJsonIsRefusedAndRecordsNothing() throws Exception {
        long element = count("SELECT min(id) FROM live_road_element WHERE length_m > 20");
        long measures = count("SELECT count(*) FROM measure"), audit = count("SELECT count(*) FROM audit_log");
        String from = "2034-06-01T00:00:00+02:00", to = "2034-06-02T00:00:00+02:00";

        assertProblem(send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "draft", from, to, "",
                "{\"elements\": [{\"id\": " + element + ", \"from_m\": \"abc\"}]}")), 400, "location.elements[0].from_m");
        assertProblem(send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "draft", from, to, "",
                "{\"elements\": [{\"id\": " + element + ", \"from_m\": 3, \"to_m\": 3}]}")), 422, "location.elements[0].to_m");
        assertProblem(send(operator, "POST", ViabilityModule.MEASURES, measure("speed_limit", "draft", from, to,
                ", \"value\": 1e400", FlorenceRoutingTest.CALZAIUOLI)), 400, "value");
        assertProblem(send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "draft", from,
                "+300000-01-01T00:00:00Z", "", FlorenceRoutingTest.CALZAIUOLI)), 400, "valid_to");
        assertProblem(send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "draft", from, to, "",
                "{\"road\": \"Via dei Calzaiuoli\\u0000\", \"from_road\": \"Piazza del Duomo\", \"to_road\": "
                        + "\"Via del Corso\"}")), 400, "properties.location.road");
        String valid = measure("closure", "draft", from, to, "", FlorenceRoutingTest.CALZAIUOLI);
        assertProblem(send(operator, "POST", ViabilityModule.MEASURES, valid + " x"), 400, "body");
        for (String type : new String[]{null, "text/plain"}) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + ViabilityModule.MEASURES))
                    .POST(HttpRequest.BodyPublishers.ofString(valid)).header("Authorization", "Bearer " + operator);
            if (type != null) b.header("Content-Type", type);
            assertProblem(client.send(b.build(), HttpResponse.BodyHandlers.ofString()), type == null ? 400 : 415,
                    type == null ? "Content-Type" : null);
        }
        assertProblem(get("/viability/conflicts?datetime=" + q("+300000-01-01T00:00:00Z/..")), 400, "datetime");

        assertEquals(measures, count("SELECT count(*) FROM measure"), "no measure recorded");
        assertEquals(audit, count("SELECT count(*) FROM audit_log"), "no audit row");
    }

    /**
     * Given an operator, when a works site's footprint crosses itself or lies far outside Florence's CRS, or a phase's
     * lanes are no array, or an ordinance's year is one the schema refuses or its document no web address, then each is
     * a 400 naming the field (once a 500 from the database's check), and no works site, ordinance or audit row is
     * recorded.
     */
    @Test
    void aWorksSiteOrOrdinanceTheSchemasChecksRefuseIs400NamingTheFieldAndRecordsNothing() throws Exception {
        long works = count("SELECT count(*) FROM works"), ordinances = count("SELECT count(*) FROM ordinance");
        long audit = count("SELECT count(*) FROM audit_log");
        String phases = "\"phases\": [{\"valid_from\": \"2034-07-01T00:00:00Z\", \"valid_to\": \"2034-07-02T00:00:00Z\"";
        String square = "[[[11.2550, 43.7700], [11.2560, 43.7700], [11.2560, 43.7710], [11.2550, 43.7710], [11.2550, 43.7700]]]";
        String bowTie = "[[[11.2550, 43.7700], [11.2560, 43.7710], [11.2560, 43.7700], [11.2550, 43.7710], [11.2550, 43.7700]]]";

        assertProblem(send(operator, "POST", ViabilityModule.WORKS, "{\"type\": \"Feature\", \"geometry\": {\"type\": "
                + "\"Polygon\", \"coordinates\": " + bowTie + "}, \"properties\": {\"organisation\": \"Publiacqua\", "
                + "\"permit\": \"2034/1\", " + phases + "}]}}"), 400, "geometry");
        assertProblem(send(operator, "POST", ViabilityModule.WORKS, "{\"type\": \"Feature\", \"geometry\": {\"type\": "
                + "\"Polygon\", \"coordinates\": " + square + "}, \"properties\": {\"organisation\": \"Publiacqua\", "
                + "\"permit\": \"2034/1\", " + phases + ", \"lanes\": 99999999999}]}}"), 400, "phases[0].lanes");
        // a footprint in Chile (or with its axes swapped): ground the cadastre's CRS is not defined for
        String chile = "[[[-70.65, -33.45], [-70.64, -33.45], [-70.64, -33.44], [-70.65, -33.44], [-70.65, -33.45]]]";
        assertProblem(send(operator, "POST", ViabilityModule.WORKS, "{\"type\": \"Feature\", \"geometry\": {\"type\": "
                + "\"Polygon\", \"coordinates\": " + chile + "}, \"properties\": {\"organisation\": \"Publiacqua\", "
                + "\"permit\": \"2034/1\", " + phases + "}]}}"), 400, "geometry");
        assertProblem(send(operator, "POST", ViabilityModule.ORDINANCES, "{\"type\": \"Feature\", \"properties\": "
                + "{\"number\": 501, \"year\": 99999, \"office\": \"Mobilità\", \"reason\": \"lavori\"}}"), 400, "year");
        // a document that is no web address (a script would run wherever the ordinance is shown as a link)
        for (String url : List.of("javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ordinanza.pdf")) {
            assertProblem(send(operator, "POST", ViabilityModule.ORDINANCES, "{\"type\": \"Feature\", \"properties\": "
                    + "{\"number\": 502, \"year\": 2034, \"office\": \"Mobilità\", \"reason\": \"lavori\", "
                    + "\"document_url\": \"" + url + "\"}}"), 400, "document_url");
        }

        assertEquals(works, count("SELECT count(*) FROM works"), "no works site recorded");
        assertEquals(ordinances, count("SELECT count(*) FROM ordinance"), "no ordinance recorded");
        assertEquals(audit, count("SELECT count(*) FROM audit_log"), "no audit row");
    }

    /** The point (lon, lat) at a fraction of a live element's length. */
    static double[] along(long element, double fraction) throws Exception {
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_LineInterpolatePoint(geom, " + fraction + "), 4326) p "
                        + "FROM road_element WHERE id = " + element + ") x")) {
            rs.next();
            return new double[]{rs.getDouble(1), rs.getDouble(2)};
        }
    }

    static double lengthOf(long element) throws Exception {
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT length_m FROM road_element WHERE id = " + element)) {
            rs.next();
            return rs.getDouble(1);
        }
    }

    static List<Stretch> calzaiuoli() throws Exception {
        try (Connection c = db.connection()) {
            return LocationResolver.resolve(c, it.firenze.streetcad.api.Json.mapper().readTree(FlorenceRoutingTest.CALZAIUOLI));
        }
    }

    /** The stretch runs from the picked point (at {@code fraction} of the element) to the junction it shares with {@code next}. */
    static void assertCutAt(JsonNode stretch, double fraction, long next) throws Exception {
        long id = stretch.get("id").asLong();
        double length = lengthOf(id);
        boolean towardsEnd = count("SELECT count(*) FROM road_element e, road_element n WHERE e.id = " + id + " AND n.id = "
                + next + " AND e.to_junction IN (n.from_junction, n.to_junction)") > 0;
        assertEquals(towardsEnd ? fraction * length : 0, stretch.get("from_m").asDouble(), 0.05, stretch.toString());
        assertEquals(towardsEnd ? length : fraction * length, stretch.get("to_m").asDouble(), 0.05, stretch.toString());
    }

    static String points(double[] a, double[] b) {
        return "{\"points\": [[" + a[0] + ", " + a[1] + "], [" + b[0] + ", " + b[1] + "]]}";
    }

    @Test
    void twoPointsPickedAlongViaDeiCalzaiuoliLocateTheStreetBetweenThem() throws Exception {
        // Given the junction-to-junction elements of Via dei Calzaiuoli between Piazza del Duomo and Via del Corso,
        List<Stretch> street = calzaiuoli();
        assertTrue(street.size() >= 2, street.toString());
        long first = street.getFirst().elementId(), last = street.getLast().elementId();
        double[] a = along(first, 0.25), b = along(last, 0.75);

        // when an operator picks a point a quarter along the first and one three quarters along the last,
        HttpResponse<String> r = send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "draft",
                "2038-03-01T00:00:00+01:00", "2038-03-02T00:00:00+01:00", "", points(a, b)));

        // then the closure runs from the first point to the second: part of each end element, all of those between.
        assertEquals(201, r.statusCode(), r.body());
        JsonNode elements = json(r).get("properties").get("elements");
        assertEquals(street.size(), elements.size(), elements.toString());
        elements.forEach(e -> assertEquals("Via dei Calzaiuoli", e.get("road").asText()));
        Set<Long> expected = new java.util.HashSet<>();
        street.forEach(s -> expected.add(s.elementId()));
        Set<Long> got = new java.util.HashSet<>();
        elements.forEach(e -> got.add(e.get("id").asLong()));
        assertEquals(expected, got);
        JsonNode head = elements.get(0), tail = elements.get(elements.size() - 1);
        assertEquals(first, head.get("id").asLong());
        assertEquals(last, tail.get("id").asLong());
        // Each end element is cut at its point and kept on the side that faces the rest of the street.
        assertCutAt(head, 0.25, elements.get(1).get("id").asLong());
        assertCutAt(tail, 0.75, elements.get(elements.size() - 2).get("id").asLong());
        for (int i = 1; i < elements.size() - 1; i++) {
            assertEquals(0, elements.get(i).get("from_m").asDouble(), 0.001);
            assertEquals(lengthOf(elements.get(i).get("id").asLong()), elements.get(i).get("to_m").asDouble(), 0.01);
        }

        // Both points on one element: one stretch between their measures.
        double firstLength = lengthOf(first);
        HttpResponse<String> one = send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "draft",
                "2038-03-01T00:00:00+01:00", "2038-03-02T00:00:00+01:00", "", points(along(first, 0.8), along(first, 0.2))));
        assertEquals(201, one.statusCode(), one.body());
        JsonNode only = json(one).get("properties").get("elements");
        assertEquals(1, only.size());
        assertEquals(firstLength * 0.2, only.get(0).get("from_m").asDouble(), 0.5);
        assertEquals(firstLength * 0.8, only.get(0).get("to_m").asDouble(), 0.5);

        // What is on this street: from any element of Via dei Calzaiuoli, both planned closures, not yet current.
        long closure = json(r).get("id").asLong(), short_ = json(one).get("id").asLong();
        HttpResponse<String> onStreet = get("/viability/measures?element=" + street.get(street.size() / 2).elementId());
        assertEquals(200, onStreet.statusCode(), onStreet.body());
        List<Long> listed = new ArrayList<>();
        for (JsonNode f : json(onStreet).get("features")) {
            listed.add(f.get("id").asLong());
            if (f.get("id").asLong() == closure) assertFalse(f.get("properties").get("current").asBoolean());
        }
        assertTrue(listed.containsAll(List.of(closure, short_)), listed.toString());
        long elsewhere = count("SELECT min(e.id) FROM live_road_element e JOIN road r ON r.id = e.road_id "
                + "WHERE r.name <> 'Via dei Calzaiuoli' AND e.id <> ALL (ARRAY(SELECT element_id FROM measure_element))");
        assertTrue(json(get("/viability/measures?element=" + elsewhere)).get("features").findValues("id").stream()
                .noneMatch(v -> v.asLong() == closure));
        assertProblem(get("/viability/measures?element=via"), 400, "element");
    }

    @Test
    void pointsNotOnOneStreetAre422NamingThePoint() throws Exception {
        List<Stretch> street = calzaiuoli();
        double[] onCalzaiuoli = along(street.getFirst().elementId(), 0.5);
        // A point on another street, well away from Via dei Calzaiuoli.
        long elsewhere = count("SELECT min(e.id) FROM live_road_element e JOIN road r ON r.id = e.road_id, road_element c "
                + "WHERE c.id = " + street.getFirst().elementId() + " AND r.name <> 'Via dei Calzaiuoli' "
                + "AND e.from_junction IS NOT NULL AND ST_DWithin(e.geom, c.geom, 600) AND NOT ST_DWithin(e.geom, c.geom, 300)");
        HttpResponse<String> r = send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "draft",
                "2038-04-01T00:00:00+02:00", "2038-04-02T00:00:00+02:00", "", points(onCalzaiuoli, along(elsewhere, 0.5))));
        assertProblem(r, 422, "location.points[1]");
        assertTrue(json(r).get("detail").asText().contains("same street"), r.body());

        // In the Arno, far from any street: the first point is named.
        assertProblem(send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "draft",
                "2038-04-01T00:00:00+02:00", "2038-04-02T00:00:00+02:00", "", points(new double[]{11.2540, 43.7675},
                        onCalzaiuoli))), 422, "location.points[0]");
        assertProblem(send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "draft",
                "2038-04-01T00:00:00+02:00", "2038-04-02T00:00:00+02:00", "", "{\"points\": [[11.25, 43.77]]}")),
                400, "location.points");
    }

    static String works(String organisation, double lon, double lat, String from, String to, String windows) {
        double d = 0.0002;
        String ring = "[[" + (lon - d) + "," + (lat - d) + "],[" + (lon + d) + "," + (lat - d) + "],[" + (lon + d) + ","
                + (lat + d) + "],[" + (lon - d) + "," + (lat + d) + "],[" + (lon - d) + "," + (lat - d) + "]]";
        return "{\"type\": \"Feature\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [" + ring + "]}, "
                + "\"properties\": {" + (organisation == null ? "" : "\"organisation\": \"" + organisation + "\", ")
                + "\"permit\": \"P-" + Math.abs((lon + lat + from).hashCode()) + "\", \"phases\": [{\"valid_from\": \""
                + from + "\", \"valid_to\": \"" + to + "\", \"windows\": " + windows + ", \"lanes\": [\"right\"]}]}}";
    }

    @Test
    void aUtilityProposesItsOwnWorksButCannotApproveThemNorTouchAnothers() throws Exception {
        HttpResponse<String> own = send(publiacqua, "POST", ViabilityModule.WORKS, works(null, 11.2400, 43.7800,
                "2034-09-01T07:00:00+02:00", "2034-09-10T18:00:00+02:00", "[]"));
        assertEquals(201, own.statusCode(), own.body());
        long worksId = json(own).get("id").asLong();
        assertEquals("Publiacqua", json(own).get("properties").get("organisation").asText());
        assertEquals("proposed", json(own).get("properties").get("status").asText());

        assertProblem(send(publiacqua, "POST", ViabilityModule.WORKS, works("Toscana Energia", 11.2401, 43.7801,
                "2034-09-01T07:00:00+02:00", "2034-09-10T18:00:00+02:00", "[]")), 403, "organisation");
        assertProblem(send(publiacqua, "PATCH", ViabilityModule.WORKS + "/" + worksId, "{\"status\": \"approved\"}"), 403, "status");
        assertProblem(send(toscanaEnergia, "PATCH", ViabilityModule.WORKS + "/" + worksId, "{\"status\": \"cancelled\"}"), 403, null);

        // Its measure is a draft until an operator approves the works; the utility cannot put it in force itself.
        long element = anyCarriageway();
        String location = "{\"elements\": [{\"id\": " + element + "}]}";
        assertProblem(send(publiacqua, "POST", ViabilityModule.MEASURES, measure("lane_closure", "in_force",
                "2034-09-01T07:00:00+02:00", "2034-09-10T18:00:00+02:00", ", \"works_id\": " + worksId, location)), 403, "status");
        assertProblem(send(toscanaEnergia, "POST", ViabilityModule.MEASURES, measure("lane_closure", "draft",
                "2034-09-01T07:00:00+02:00", "2034-09-10T18:00:00+02:00", ", \"works_id\": " + worksId, location)), 403, "works_id");
        HttpResponse<String> draft = send(publiacqua, "POST", ViabilityModule.MEASURES, measure("lane_closure", "draft",
                "2034-09-01T07:00:00+02:00", "2034-09-10T18:00:00+02:00", ", \"works_id\": " + worksId, location));
        assertEquals(201, draft.statusCode(), draft.body());
        long measureId = json(draft).get("id").asLong();

        HttpResponse<String> approved = send(operator, "PATCH", ViabilityModule.WORKS + "/" + worksId,
                "{\"status\": \"approved\"}", "If-Match", "\"1\"");
        assertEquals(200, approved.statusCode(), approved.body());
        assertEquals("in_force", json(get("/viability/measures/" + measureId)).get("properties").get("status").asText());
        assertProblem(send(operator, "PATCH", ViabilityModule.WORKS + "/" + worksId, "{\"status\": \"completed\"}",
                "If-Match", "\"1\""), 412, null);

        // Every transition is audited, with its author.
        assertEquals(1, count("SELECT count(*) FROM audit_log WHERE action = 'works.create' AND " + worksId
                + " = ANY (ids) AND organisation = 'Publiacqua'"));
        assertEquals(1, count("SELECT count(*) FROM audit_log WHERE action = 'works.status' AND " + worksId
                + " = ANY (ids) AND organisation = 'Comune di Firenze' AND details ->> 'to' = 'approved'"));
        assertEquals(1, count("SELECT count(*) FROM audit_log WHERE action = 'measure.status' AND " + measureId
                + " = ANY (ids) AND details ->> 'to' = 'in_force'"));
        // And versioned: the draft is history, the version in force names the operator's organisation.
        assertEquals(1, count("SELECT count(*) FROM measure_history WHERE id = " + measureId + " AND status = 'draft' "
                + "AND changed_by_org = 'Publiacqua'"));
        assertEquals(1, count("SELECT count(*) FROM measure WHERE id = " + measureId + " AND version = 2 "
                + "AND changed_by_org = 'Comune di Firenze'"));

        // The ETag read in another CRS names the same version: "2-3003" is version 2 (not 23003), a weak one none.
        assertProblem(send(operator, "PATCH", ViabilityModule.WORKS + "/" + worksId, "{\"status\": \"completed\"}",
                "If-Match", "W/\"2\""), 412, null);
        HttpResponse<String> completed = send(operator, "PATCH", ViabilityModule.WORKS + "/" + worksId,
                "{\"status\": \"completed\"}", "If-Match", "\"2-3003\"");
        assertEquals(200, completed.statusCode(), completed.body());
        // No measure comes into force for a completed works site any more, the utility's draft nor the operator's.
        long before = count("SELECT count(*) FROM measure");
        assertProblem(send(publiacqua, "POST", ViabilityModule.MEASURES, measure("lane_closure", "draft",
                "2034-09-01T07:00:00+02:00", "2034-09-10T18:00:00+02:00", ", \"works_id\": " + worksId, location)), 400, "works_id");
        assertProblem(send(operator, "POST", ViabilityModule.MEASURES, measure("lane_closure", "in_force",
                "2034-09-01T07:00:00+02:00", "2034-09-10T18:00:00+02:00", ", \"works_id\": " + worksId, location)), 400, "works_id");
        assertEquals(before, count("SELECT count(*) FROM measure"), "nothing recorded");
    }

    /**
     * Given a works site approved with its closure of Via dei Calzaiuoli in force since yesterday for a week, and a
     * draft measure the utility entered since, when the operator completes the works, then the closure expires then
     * and the draft, which can never come into force for a finished site, is revoked, never having held — completion
     * changed no measure, and the street stayed closed in the network state, routes and the DATEX II feed until the
     * end the closure stated —; an hour ago the street was closed, and stays so in the record, an hour on it is open.
     */
    @Test
    void aWorksSiteCompletedExpiresItsClosureFromThenOnAndRevokesItsDrafts() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String from = now.minus(Duration.ofDays(1)).toString(), to = now.plus(Duration.ofDays(6)).toString();
        String hourAgo = now.minus(Duration.ofHours(1)).toString(), inAnHour = now.plus(Duration.ofHours(1)).toString();
        HttpResponse<String> proposed = send(publiacqua, "POST", ViabilityModule.WORKS, works(null, 11.2556, 43.7712,
                from, to, "[]"));
        assertEquals(201, proposed.statusCode(), proposed.body());
        long worksId = json(proposed).get("id").asLong();
        HttpResponse<String> drafted = send(publiacqua, "POST", ViabilityModule.MEASURES, measure("closure", "draft", from,
                to, ", \"works_id\": " + worksId, FlorenceRoutingTest.CALZAIUOLI));
        assertEquals(201, drafted.statusCode(), drafted.body());
        long closure = json(drafted).get("id").asLong();
        List<Long> closed = new ArrayList<>();
        json(drafted).get("properties").get("elements").forEach(e -> closed.add(e.get("id").asLong()));
        assertEquals(200, send(operator, "PATCH", ViabilityModule.WORKS + "/" + worksId, "{\"status\": \"approved\"}")
                .statusCode());
        long laterDraft = json(send(publiacqua, "POST", ViabilityModule.MEASURES, measure("lane_closure", "draft", from,
                to, ", \"works_id\": " + worksId, "{\"elements\": [{\"id\": " + closed.getFirst() + "}]}"))).get("id").asLong();
        double[][] ends = endsLonLat(closed);
        String walk = "/network/route?profile=pedestrian&from=" + ends[0][0] + "," + ends[0][1] + "&to=" + ends[1][0]
                + "," + ends[1][1] + "&datetime=";
        assertFalse(json(get(walk + q(inAnHour))).get("properties").get("streets").toString().contains("Via dei Calzaiuoli"),
                "closed while the works go on");
        assertTrue(datex2Situations().contains(closure));

        // when the operator completes the works
        HttpResponse<String> completed = send(operator, "PATCH", ViabilityModule.WORKS + "/" + worksId,
                "{\"status\": \"completed\"}");
        assertEquals(200, completed.statusCode(), completed.body());

        // then the closure has expired, the draft is revoked without ever having held, and both are audited
        assertEquals("expired", statusOf(closure), "a completed works site's closure no longer binds");
        assertEquals("revoked", statusOf(laterDraft), "a draft can never come into force for a finished works site");
        assertEquals(0, count("SELECT count(*) FROM measure WHERE id = " + laterDraft + " AND NOT isempty(validity)"));
        assertEquals(1, count("SELECT count(*) FROM audit_log WHERE action = 'measure.status' AND " + closure
                + " = ANY (ids) AND details ->> 'to' = 'expired' AND details ->> 'works_id' = '" + worksId + "'"));
        // and the street was closed an hour ago, as the record keeps, and is open from now on: in the network state,
        // for a walk along it and in the feed
        assertTrue(stateMeasures(hourAgo, closed::contains).contains(closure), "the record of an hour ago stays");
        assertFalse(stateMeasures(inAnHour, closed::contains).contains(closure));
        assertFalse(json(get(walk + q(hourAgo))).get("properties").get("streets").toString().contains("Via dei Calzaiuoli"));
        assertTrue(json(get(walk + q(inAnHour))).get("properties").get("streets").toString().contains("Via dei Calzaiuoli"));
        assertFalse(datex2Situations().contains(closure), "the feed no longer publishes the closure");
        assertEquals(1, count("SELECT count(*) FROM measure_history WHERE id = " + closure + " AND status = 'in_force' "
                + "AND valid_to = '" + to + "'"), "the end the closure stated stays in its history");
    }

    /** The measures the DATEX II feed publishes now. */
    private static Set<Long> datex2Situations() throws Exception {
        HttpResponse<String> feed = get("/viability/datex2");
        assertEquals(200, feed.statusCode(), feed.body());
        Set<Long> ids = new java.util.HashSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("id=\"streetcad-measure-(\\d+)\"").matcher(feed.body());
        while (m.find()) ids.add(Long.parseLong(m.group(1)));
        return ids;
    }

    /**
     * Given a works site at work from 1 to 10 March and from 20 to 30 March 2037, when its utility enters a closure
     * for it running to the end of the year, one beginning in February, one across the gap between the phases, or
     * one within the gap, then each is refused with 400 naming the date outside the phases and nothing is recorded —
     * one was accepted, and put in force with the site, closed the street for the year —; one within either phase is
     * placed.
     */
    @Test
    void aWorksSitesMeasureOutsideItsPhasesIsRefusedNamingTheDate() throws Exception {
        String second = "{\"valid_from\": \"2037-03-20T07:00:00+01:00\", \"valid_to\": \"2037-03-30T18:00:00+02:00\"}";
        HttpResponse<String> proposed = send(publiacqua, "POST", ViabilityModule.WORKS, works(null, 11.2300, 43.7900,
                "2037-03-01T07:00:00+01:00", "2037-03-10T18:00:00+01:00", "[]").replace("]}]}}", "]}, " + second + "]}}"));
        assertEquals(201, proposed.statusCode(), proposed.body());
        long worksId = json(proposed).get("id").asLong();
        String location = "{\"elements\": [{\"id\": " + anyCarriageway() + "}]}";
        long before = count("SELECT count(*) FROM measure");
        for (String[] outside : new String[][]{{"2037-03-01T07:00:00+01:00", "2037-12-31T00:00:00+01:00", "valid_to"},
                {"2037-02-20T07:00:00+01:00", "2037-03-05T18:00:00+01:00", "valid_from"},
                {"2037-03-05T07:00:00+01:00", "2037-03-25T18:00:00+01:00", "valid_to"},
                {"2037-03-12T07:00:00+01:00", "2037-03-14T18:00:00+01:00", "valid_from"}}) {
            HttpResponse<String> r = send(publiacqua, "POST", ViabilityModule.MEASURES, measure("closure", "draft",
                    outside[0], outside[1], ", \"works_id\": " + worksId, location));
            assertProblem(r, 400, outside[2]);
            assertTrue(json(r).get("detail").asText().contains("phases"), r.body());
        }
        assertEquals(before, count("SELECT count(*) FROM measure"), "nothing recorded");
        for (String[] within : new String[][]{{"2037-03-02T07:00:00+01:00", "2037-03-10T18:00:00+01:00"},
                {"2037-03-20T07:00:00+01:00", "2037-03-30T18:00:00+02:00"}}) {
            HttpResponse<String> r = send(publiacqua, "POST", ViabilityModule.MEASURES, measure("lane_closure", "draft",
                    within[0], within[1], ", \"works_id\": " + worksId, location));
            assertEquals(201, r.statusCode(), r.body());
        }
    }

    /**
     * If-Match {@code *} (RFC 9110 §13.1.1) admits whatever version a record has: given an ordinance, an operator moves
     * it with {@code *}; an ordinance, measure or works site no record is stays the 404 it is without the condition.
     */
    @Test
    void aStatusChangeWithIfMatchStarMovesARecordThatExistsAndAMissingOneIs404() throws Exception {
        long id = ordinance(418, "mercato");

        HttpResponse<String> inForce = send(operator, "PATCH", ViabilityModule.ORDINANCES + "/" + id,
                "{\"status\": \"in_force\"}", "If-Match", "*");
        assertEquals(200, inForce.statusCode(), inForce.body());
        assertEquals(1, count("SELECT count(*) FROM ordinance WHERE id = " + id + " AND status = 'in_force'"));
        for (String items : List.of(ViabilityModule.ORDINANCES, ViabilityModule.MEASURES, ViabilityModule.WORKS)) {
            assertProblem(send(operator, "PATCH", items + "/987654", "{\"status\": \"revoked\"}", "If-Match", "*"),
                    404, null);
        }
    }

    /** An ordinance of 2039 made by the control room; its id. */
    private static long ordinance(int number, String reason) throws Exception {
        return json(issueOrdinance(number, reason)).get("id").asLong();
    }

    /**
     * Given an ordinance read at its first version with a draft measure, when an operator puts it in force and a
     * second one, who read it before that, revokes it with the ETag read, then the revocation is 412 and the ordinance
     * and its measure stay in force (once it was revoked whatever version was read); with the current ETag it is.
     */
    @Test
    void anOrdinanceChangedWithAStaleETagIsRefusedAsAMeasureOrWorksSiteIs() throws Exception {
        long id = ordinance(417, "trasloco");
        String read = get(ViabilityModule.ORDINANCES + "/" + id).headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> draft = send(operator, "POST", ViabilityModule.MEASURES, measure("no_parking", "draft",
                "2039-06-01T07:00:00+02:00", "2039-06-01T18:00:00+02:00", ", \"ordinance_id\": " + id,
                "{\"elements\": [{\"id\": " + anyCarriageway() + "}]}"));
        assertEquals(201, draft.statusCode(), draft.body());
        long measure = json(draft).get("id").asLong();

        HttpResponse<String> inForce = send(operator, "PATCH", ViabilityModule.ORDINANCES + "/" + id,
                "{\"status\": \"in_force\"}", "If-Match", read);
        assertEquals(200, inForce.statusCode(), inForce.body());
        assertProblem(send(operator, "PATCH", ViabilityModule.ORDINANCES + "/" + id, "{\"status\": \"revoked\"}",
                "If-Match", read), 412, null);
        assertEquals(1, count("SELECT count(*) FROM ordinance WHERE id = " + id + " AND status = 'in_force'"));
        assertEquals(1, count("SELECT count(*) FROM measure WHERE id = " + measure + " AND status = 'in_force'"));

        String current = get(ViabilityModule.ORDINANCES + "/" + id).headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> revoked = send(operator, "PATCH", ViabilityModule.ORDINANCES + "/" + id,
                "{\"status\": \"revoked\"}", "If-Match", current);
        assertEquals(200, revoked.statusCode(), revoked.body());
        assertEquals(1, count("SELECT count(*) FROM measure WHERE id = " + measure + " AND status = 'revoked'"));
    }

    /**
     * Given a draft ordinance with a draft measure, one put in force and since expired, and one revoked, when the
     * operator puts the ordinance in force, then only the draft follows it: expired and revoked are final (once the
     * expired measure was put back in force); and when the ordinance is then revoked, the measure in force is revoked
     * with it while the expired one stays expired, as a measure's own change allows.
     */
    @Test
    void anOrdinanceChangingStatusMovesOnlyTheMeasuresThatMayTakeThatStep() throws Exception {
        long ordinance = ordinance(421, "cantiere");
        long draft = ordinanceMeasure(ordinance, "draft", anyCarriageway());
        long expired = ordinanceMeasure(ordinance, "in_force", anyCarriageway());
        long revoked = ordinanceMeasure(ordinance, "in_force", anyCarriageway());
        assertEquals(200, send(operator, "PATCH", ViabilityModule.MEASURES + "/" + expired, "{\"status\": \"expired\"}")
                .statusCode());
        assertEquals(200, send(operator, "PATCH", ViabilityModule.MEASURES + "/" + revoked, "{\"status\": \"revoked\"}")
                .statusCode());

        HttpResponse<String> inForce = send(operator, "PATCH", ViabilityModule.ORDINANCES + "/" + ordinance,
                "{\"status\": \"in_force\"}");
        assertEquals(200, inForce.statusCode(), inForce.body());
        assertEquals("in_force", statusOf(draft), "a draft measure follows its ordinance into force");
        assertEquals("expired", statusOf(expired), "an expired measure is final");
        assertEquals("revoked", statusOf(revoked), "a revoked measure is final");

        HttpResponse<String> revocation = send(operator, "PATCH", ViabilityModule.ORDINANCES + "/" + ordinance,
                "{\"status\": \"revoked\"}");
        assertEquals(200, revocation.statusCode(), revocation.body());
        assertEquals("revoked", statusOf(draft), "a measure in force is revoked with its ordinance");
        assertEquals("expired", statusOf(expired), "an expired measure is not revoked after it ended");
    }

    /**
     * Given an ordinance in force with a measure in force and a draft, and a draft ordinance with a draft, when the
     * first expires and the second is revoked, then the measure in force expires and each draft, which can never come
     * into force under an ended ordinance, is revoked, never having held — a draft stayed a draft for good when its
     * ordinance expired, and could still be put in force after it — and the change is audited with its ordinance;
     * and a measure is refused under either, as it was not.
     */
    @Test
    void anOrdinanceThatEndsRevokesItsDraftMeasures() throws Exception {
        long expiring = ordinance(423, "cantiere");
        long inForce = ordinanceMeasure(expiring, "in_force", anyCarriageway());
        assertEquals(200, send(operator, "PATCH", ViabilityModule.ORDINANCES + "/" + expiring,
                "{\"status\": \"in_force\"}").statusCode());
        long draft = ordinanceMeasure(expiring, "draft", anyCarriageway());
        long revoking = ordinance(424, "trasloco");
        long draftOfRevoked = ordinanceMeasure(revoking, "draft", anyCarriageway());

        assertEquals(200, send(operator, "PATCH", ViabilityModule.ORDINANCES + "/" + expiring,
                "{\"status\": \"expired\"}").statusCode());
        assertEquals(200, send(operator, "PATCH", ViabilityModule.ORDINANCES + "/" + revoking,
                "{\"status\": \"revoked\"}").statusCode());

        assertEquals("expired", statusOf(inForce), "a measure in force expires with its ordinance");
        assertEquals("revoked", statusOf(draft), "a draft of an expired ordinance can never come into force");
        assertEquals("revoked", statusOf(draftOfRevoked), "a draft of a revoked ordinance can never come into force");
        assertEquals(0, count("SELECT count(*) FROM measure WHERE id IN (" + draft + ", " + draftOfRevoked
                + ") AND NOT isempty(validity)"), "a draft never held");
        assertProblem(send(operator, "PATCH", ViabilityModule.MEASURES + "/" + draft, "{\"status\": \"in_force\"}"),
                400, "status");
        assertEquals(1, count("SELECT count(*) FROM audit_log WHERE action = 'measure.status' AND " + draft
                + " = ANY (ids) AND details ->> 'to' = 'revoked' AND details ->> 'ordinance_id' = '" + expiring + "'"));
        // and no measure is placed under an ended ordinance any more, in force or as a draft (one was, and stayed)
        long before = count("SELECT count(*) FROM measure");
        for (long ended : List.of(expiring, revoking)) {
            for (String status : List.of("draft", "in_force")) {
                assertProblem(send(operator, "POST", ViabilityModule.MEASURES, measure("no_parking", status,
                        "2039-07-01T07:00:00+02:00", "2039-07-01T18:00:00+02:00", ", \"ordinance_id\": " + ended,
                        "{\"elements\": [{\"id\": " + anyCarriageway() + "}]}")), 400, "ordinance_id");
            }
        }
        assertEquals(before, count("SELECT count(*) FROM measure"), "nothing recorded");
    }

    /**
     * Given an ordinance with measures on two carriageways, when the operator issues it and puts it in force, then
     * each answer is the item as a read of it gives it, body and ETag (OGC API Features Part 4): its geometry the
     * MultiLineString of its measures' lines, where the write once answered with a GeometryCollection of them.
     */
    @Test
    void anOrdinanceWrittenIsAnsweredAsAReadOfItGivesIt() throws Exception {
        HttpResponse<String> created = issueOrdinance(422, "mercato");
        long ordinance = json(created).get("id").asLong();
        assertAnswersAsRead(created, ordinance);
        // In UTF-8, as JSON is (RFC 8259): every item read once sent its text in Jetty's ISO-8859-1, and a client
        // read the office as "Mobilit\uFFFD" (the web map's record panel a street "della Libert\uFFFD").
        assertEquals("Mobilità", json(created).get("properties").get("office").asText());
        ordinanceMeasure(ordinance, "draft", anyCarriageway());
        ordinanceMeasure(ordinance, "draft", count("SELECT max(id) FROM road_element WHERE element_type = "
                + "'carriageway' AND length_m > 50"));

        HttpResponse<String> inForce = send(operator, "PATCH", ViabilityModule.ORDINANCES + "/" + ordinance,
                "{\"status\": \"in_force\"}");
        assertEquals(200, inForce.statusCode(), inForce.body());
        assertEquals("MultiLineString", json(inForce).get("geometry").get("type").asText(), inForce.body());
        assertEquals(2, json(inForce).get("geometry").get("coordinates").size(), "one line per measure's stretch");
        assertAnswersAsRead(inForce, ordinance);
    }

    static void assertAnswersAsRead(HttpResponse<String> answer, long ordinance) throws Exception {
        assertAnswersAsRead(answer, ViabilityModule.ORDINANCES + "/" + ordinance);
    }

    /** The answer of a write is, byte for byte and ETag included, what a read of {@code path} gives next. */
    static void assertAnswersAsRead(HttpResponse<String> answer, String path) throws Exception {
        HttpResponse<String> read = get(path);
        assertEquals(200, read.statusCode(), read.body());
        assertEquals(read.body(), answer.body(), "the answer is the item as read");
        assertTrue(answer.headers().firstValue("ETag").isPresent(), "the answer has an ETag to send back");
        assertEquals(read.headers().firstValue("ETag"), answer.headers().firstValue("ETag"));
    }

    /**
     * Given a closure an operator creates, when he puts it in force with the ETag the creation answered and then
     * revokes it with the ETag that change answered, reading nothing in between, then both changes are made, and
     * each answer is what a read of the measure gives next, body and ETag (once the creation answered the bare
     * version and a change a digest no If-Match takes: the second change was 412).
     */
    @Test
    void aMeasureWrittenIsAnsweredAsAReadOfItGivesItAndItsETagChainsTheNextChange() throws Exception {
        HttpResponse<String> created = send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "draft",
                "2039-09-01T07:00:00+02:00", "2039-09-01T18:00:00+02:00", "", "{\"elements\": [{\"id\": "
                        + anyCarriageway() + "}]}"));
        assertEquals(201, created.statusCode(), created.body());
        HttpResponse<String> revoked = changedInTurn(created, "/viability/measures/" + json(created).get("id").asLong(),
                "in_force", "revoked");
        assertEquals("revoked", json(revoked).get("properties").get("status").asText());
    }

    /**
     * Checks that {@code created} is what a read of {@code read} gives, then has the operator move the record through
     * {@code statuses}, each change sent with the ETag the answer before it carried, reading nothing in between, and
     * checks each answer likewise; the last one.
     */
    private static HttpResponse<String> changedInTurn(HttpResponse<String> created, String read, String... statuses)
            throws Exception {
        assertAnswersAsRead(created, read);
        HttpResponse<String> last = created;
        for (String status : statuses) {
            last = send(operator, "PATCH", created.headers().firstValue("Location").orElseThrow(), "{\"status\": \""
                    + status + "\"}", "If-Match", last.headers().firstValue("ETag").orElseThrow());
            assertEquals(200, last.statusCode(), status + ": " + last.body());
            assertAnswersAsRead(last, read);
        }
        return last;
    }

    /**
     * Given a works site a utility proposes, when the operator approves it with the ETag the proposal answered and
     * completes it with the ETag the approval answered, then both are made, each answer being what a read of the
     * site gives next, body and ETag.
     */
    @Test
    void aWorksSiteWrittenIsAnsweredAsAReadOfItGivesItAndItsETagChainsTheNextChange() throws Exception {
        HttpResponse<String> proposed = send(publiacqua, "POST", ViabilityModule.WORKS, works(null, 11.2480, 43.7830,
                "2039-10-01T07:00:00+02:00", "2039-10-10T18:00:00+02:00", "[]").replace("\"phases\"",
                "\"description\": \"scavo in località Le Cure\", \"phases\""));
        assertEquals(201, proposed.statusCode(), proposed.body());
        // In UTF-8, as JSON is (RFC 8259): the text once went out in Jetty's ISO-8859-1, read as "localit\uFFFD".
        assertEquals("scavo in località Le Cure", json(proposed).get("properties").get("description").asText());
        changedInTurn(proposed, "/viability/works/" + json(proposed).get("id").asLong(), "approved", "completed");
    }

    /** Ordinance {@code number} of 2039, issued by the operator; the answer, checked to be 201. */
    static HttpResponse<String> issueOrdinance(int number, String reason) throws Exception {
        HttpResponse<String> r = send(operator, "POST", ViabilityModule.ORDINANCES, "{\"type\": \"Feature\", "
                + "\"geometry\": null, \"properties\": {\"number\": " + number + ", \"year\": 2039, "
                + "\"office\": \"Mobilità\", \"reason\": \"" + reason + "\"}}");
        assertEquals(201, r.statusCode(), r.body());
        return r;
    }

    /** A measure of {@code ordinance} on {@code element}, created by the operator with {@code status}; its id. */
    static long ordinanceMeasure(long ordinance, String status, long element) throws Exception {
        HttpResponse<String> r = send(operator, "POST", ViabilityModule.MEASURES, measure("no_parking", status,
                "2039-07-01T07:00:00+02:00", "2039-07-01T18:00:00+02:00", ", \"ordinance_id\": " + ordinance,
                "{\"elements\": [{\"id\": " + element + "}]}"));
        assertEquals(201, r.statusCode(), r.body());
        return json(r).get("id").asLong();
    }

    static String statusOf(long measure) throws Exception {
        return json(get(ViabilityModule.MEASURES + "/" + measure)).get("properties").get("status").asText();
    }

    static long anyCarriageway() throws Exception {
        return count("SELECT min(id) FROM road_element WHERE element_type = 'carriageway' AND length_m > 50");
    }

    @Test
    void twoUtilitiesOverlappingWorksConflictAndTheSameWorksInDisjointWindowsDoNot() throws Exception {
        String mornings = "[{\"days\": [\"MO\", \"WE\"], \"from\": \"08:00\", \"to\": \"12:00\"}]";
        String afternoons = "[{\"days\": [\"MO\", \"WE\"], \"from\": \"13:00\", \"to\": \"17:00\"}]";
        HttpResponse<String> water = send(publiacqua, "POST", ViabilityModule.WORKS, works(null, 11.2600, 43.7700,
                "2035-03-02T00:00:00+01:00", "2035-03-20T00:00:00+01:00", mornings));
        assertEquals(201, water.statusCode(), water.body());
        long waterId = json(water).get("id").asLong();
        HttpResponse<String> gas = send(toscanaEnergia, "POST", ViabilityModule.WORKS, works(null, 11.2601, 43.7701,
                "2035-03-09T00:00:00+01:00", "2035-03-30T00:00:00+01:00", "[]"));
        assertEquals(201, gas.statusCode(), gas.body());
        long gasId = json(gas).get("id").asLong();
        JsonNode conflicts = json(gas).get("properties").get("conflicts");
        assertEquals(1, conflicts.size(), conflicts.toString());
        assertEquals(waterId, conflicts.get(0).get("b").get("works_id").asLong());
        assertEquals("works-nearby", conflicts.get(0).get("code").asText(), conflicts.toString());
        assertTrue(conflicts.get(0).get("distance_m").isNumber(), "the distance a client says it with: " + conflicts);

        // The same footprint in the afternoons of the same days does not meet the water works' mornings.
        HttpResponse<String> fibre = send(toscanaEnergia, "POST", ViabilityModule.WORKS, works(null, 11.2600, 43.7700,
                "2035-03-02T00:00:00+01:00", "2035-03-06T00:00:00+01:00", afternoons));
        JsonNode fibreConflicts = json(fibre).get("properties").get("conflicts");
        assertTrue(fibreConflicts.findValues("works_id").stream().noneMatch(n -> n.asLong() == waterId), fibreConflicts.toString());

        HttpResponse<String> listed = get("/viability/conflicts?datetime=" + q("2035-03-01T00:00:00Z/2035-04-01T00:00:00Z"));
        assertEquals(200, listed.statusCode(), listed.body());
        String pairs = json(listed).get("conflicts").toString();
        assertTrue(pairs.contains("\"works_id\":" + Math.min(waterId, gasId)) && pairs.contains("\"works_id\":" + Math.max(waterId, gasId)), pairs);
        long fibreId = json(fibre).get("id").asLong();
        for (JsonNode c : json(listed).get("conflicts")) {
            Set<Long> pair = Set.of(c.get("a").get("works_id").asLong(), c.get("b").get("works_id").asLong());
            assertFalse(pair.equals(Set.of(waterId, fibreId)), "disjoint windows listed as a conflict");
        }
        // Outside both works' dates nothing is listed for them.
        String later = json(get("/viability/conflicts?datetime=" + q("2035-05-01T00:00:00Z/2035-06-01T00:00:00Z"))).toString();
        assertFalse(later.contains("\"works_id\":" + gasId), later);
    }

    /**
     * Given a works site at work last week and again next week, a site beside it at work only last week, and a site
     * beside it at work next week, then a site's conflicts are those still to come: the first and the third name each
     * other, while the second, whose clash with the first is over, names none and is named by none — each named the
     * phases that had ended —; /viability/conflicts still lists the first two at last week's instants; and once the
     * third is completed it names the first no more (it is no longer at work), as the first no longer names it.
     */
    @Test
    void aWorksSitesConflictsAreThoseStillToComeAndThePastOnesAreListedAtTheirInstants() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        java.util.function.IntFunction<String> day = d -> now.plus(Duration.ofDays(d)).toString();
        String nextWeek = "{\"valid_from\": \"" + day.apply(2) + "\", \"valid_to\": \"" + day.apply(5) + "\"}";
        HttpResponse<String> twice = send(publiacqua, "POST", ViabilityModule.WORKS, works(null, 11.2350, 43.7650,
                day.apply(-10), day.apply(-5), "[]").replace("]}]}}", "]}, " + nextWeek + "]}}"));
        assertEquals(201, twice.statusCode(), twice.body());
        long first = json(twice).get("id").asLong();
        assertEquals(2, json(twice).get("properties").get("phases").size(), twice.body());
        HttpResponse<String> lastWeek = send(toscanaEnergia, "POST", ViabilityModule.WORKS, works(null, 11.2351, 43.7650,
                day.apply(-9), day.apply(-6), "[]"));
        assertEquals(201, lastWeek.statusCode(), lastWeek.body());
        long past = json(lastWeek).get("id").asLong();
        HttpResponse<String> coming = send(toscanaEnergia, "POST", ViabilityModule.WORKS, works(null, 11.2349, 43.7650,
                day.apply(3), day.apply(4), "[]"));
        assertEquals(201, coming.statusCode(), coming.body());
        long next = json(coming).get("id").asLong();

        assertEquals(Set.of(), worksConflictsIn(lastWeek, past), "a clash wholly past is over");
        assertEquals(Set.of(first), worksConflictsIn(coming, next));
        assertEquals(Set.of(next), worksConflictsOf(first), "the first names the clash to come, not the one past");
        assertEquals(Set.of(), worksConflictsOf(past));
        String listed = json(get("/viability/conflicts?datetime=" + q(day.apply(-8)))).get("conflicts").toString();
        assertTrue(listed.contains("\"works_id\":" + first) && listed.contains("\"works_id\":" + past), listed);

        for (String status : List.of("approved", "completed")) {
            assertEquals(200, send(operator, "PATCH", ViabilityModule.WORKS + "/" + next, "{\"status\": \"" + status
                    + "\"}").statusCode());
        }
        assertEquals(Set.of(), worksConflictsOf(next), "a completed works site is at work no more");
        assertEquals(Set.of(), worksConflictsOf(first));
    }

    /**
     * Given two works sites side by side, at work since five days ago and for five days more, when the operator
     * approves and completes one of them today, then yesterday's conflicts still list the pair and the works
     * collection still has the site at work yesterday — completion took the site out of every past instant, as if it
     * had never been at work —, and from now on the pair is listed no more and the collection no longer has the site
     * at work, as it did until its last phase's end.
     */
    @Test
    void aWorksSiteCompletedTodayWasAtWorkYesterdayAndIsNoMore() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String from = now.minus(Duration.ofDays(5)).toString(), to = now.plus(Duration.ofDays(5)).toString();
        String yesterday = now.minus(Duration.ofDays(1)).toString(), tomorrow = now.plus(Duration.ofDays(1)).toString();
        HttpResponse<String> water = send(publiacqua, "POST", ViabilityModule.WORKS, works(null, 11.2420, 43.7600, from,
                to, "[]"));
        HttpResponse<String> gas = send(toscanaEnergia, "POST", ViabilityModule.WORKS, works(null, 11.2421, 43.7600, from,
                to, "[]"));
        long completed = json(water).get("id").asLong(), going = json(gas).get("id").asLong();
        assertEquals(Set.of(completed), worksConflictsIn(gas, going));

        for (String status : List.of("approved", "completed")) {
            assertEquals(200, send(operator, "PATCH", ViabilityModule.WORKS + "/" + completed, "{\"status\": \""
                    + status + "\"}").statusCode());
        }

        assertTrue(worksPairs(yesterday).contains(Set.of(completed, going)), "the record of yesterday stays");
        assertFalse(worksPairs(tomorrow).contains(Set.of(completed, going)));
        assertTrue(worksAt(yesterday).contains(completed), "it was at work yesterday");
        assertFalse(worksAt(tomorrow + "/..").contains(completed), "it is at work no more");
        assertTrue(worksAt(tomorrow + "/..").contains(going));
    }

    @Test
    void aWorksSiteWithdrawnBeforeItsFirstPhaseWasAtWorkAtNoTime() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String from = now.plus(Duration.ofDays(30)).toString(), to = now.plus(Duration.ofDays(40)).toString();
        long withdrawn = json(send(publiacqua, "POST", ViabilityModule.WORKS, works(null, 11.2430, 43.7610, from, to,
                "[]"))).get("id").asLong();
        assertTrue(worksAt(now + "/..").contains(withdrawn), "planned from now on");

        assertEquals(200, send(publiacqua, "PATCH", ViabilityModule.WORKS + "/" + withdrawn,
                "{\"status\": \"cancelled\"}").statusCode());

        // Its time at work is empty: no instant and no interval meets it, though an interval holds its first day.
        assertFalse(worksAt(now + "/..").contains(withdrawn), "withdrawn before it began, it is planned no more");
        assertFalse(worksAt(from).contains(withdrawn));
        assertFalse(worksAt("../" + to).contains(withdrawn));
        assertTrue(worksAt(null).contains(withdrawn), "the record itself stays, without datetime");
    }

    /** The pairs of works sites /viability/conflicts lists for {@code datetime}. */
    private static Set<Set<Long>> worksPairs(String datetime) throws Exception {
        HttpResponse<String> r = get("/viability/conflicts?datetime=" + q(datetime));
        assertEquals(200, r.statusCode(), r.body());
        Set<Set<Long>> pairs = new java.util.HashSet<>();
        for (JsonNode c : json(r).get("conflicts")) {
            if (c.get("type").asText().equals("works")) {
                pairs.add(Set.of(c.get("a").get("works_id").asLong(), c.get("b").get("works_id").asLong()));
            }
        }
        return pairs;
    }

    /** The works sites of the collection at {@code datetime} (all of them when null). */
    private static Set<Long> worksAt(String datetime) throws Exception {
        HttpResponse<String> r = get(ViabilityModule.WORKS + "?limit=1000"
                + (datetime == null ? "" : "&datetime=" + q(datetime)));
        assertEquals(200, r.statusCode(), r.body());
        Set<Long> ids = new java.util.HashSet<>();
        for (JsonNode f : json(r).get("features")) ids.add(f.get("id").asLong());
        return ids;
    }

    /** The works sites other than {@code id} that the conflicts of works {@code id} as read name. */
    private static Set<Long> worksConflictsOf(long id) throws Exception {
        return worksConflictsIn(get("/viability/works/" + id), id);
    }

    /** The works sites other than {@code id} that the conflicts in {@code answer}, a works site's, name. */
    private static Set<Long> worksConflictsIn(HttpResponse<String> answer, long id) throws Exception {
        assertTrue(answer.statusCode() == 200 || answer.statusCode() == 201, answer.body());
        Set<Long> others = new java.util.HashSet<>();
        for (JsonNode c : json(answer).get("properties").get("conflicts")) {
            for (String side : List.of("a", "b")) others.add(c.get(side).get("works_id").asLong());
        }
        others.remove(id);
        return others;
    }

    @Test
    void aConflictIntervalHoldsItsEndInstantAndClosuresThatOnlyTouchNeverConflict() throws Exception {
        // Given on one element closures from 08:00 to 10:00, from 10:00 to 12:00 and from 09:59 to 10:01 (UTC+2)
        long element = count("SELECT id FROM road_element WHERE element_type = 'carriageway' AND length_m > 50 "
                + "ORDER BY md5(id::text || 'boundaries') LIMIT 1");
        long morning = closure(element, "2041-05-06T08:00:00+02:00", "2041-05-06T10:00:00+02:00", "");
        long noon = closure(element, "2041-05-06T10:00:00+02:00", "2041-05-06T12:00:00+02:00", "");
        long across = closure(element, "2041-05-06T09:59:00+02:00", "2041-05-06T10:01:00+02:00", "");
        // when the conflicts of the instant 10:00 are asked, as an instant or as the interval from it to itself,
        // then the closures holding then conflict, and the one that ended at 10:00 meets neither
        for (String at : List.of("2041-05-06T10:00:00+02:00", "2041-05-06T10:00:00+02:00/2041-05-06T10:00:00+02:00")) {
            assertEquals(Set.of(List.of(noon, across)), conflictPairs(at), at);
        }
        // and an interval ending at 10:00 holds 10:00
        assertEquals(Set.of(List.of(morning, across), List.of(noon, across)),
                conflictPairs("2041-05-06T09:00:00+02:00/2041-05-06T10:00:00+02:00"));
        assertEquals(Set.of(List.of(morning, across)), conflictPairs("2041-05-06T09:00:00+02:00/2041-05-06T09:59:59+02:00"));
    }

    @Test
    void aMeasureExpiredEarlyStillBoundAtThePastInstantsAndNoLongerAfter() throws Exception {
        // Given two closures in force on one element since yesterday and for six days more (so they conflict)
        long element = count("SELECT id FROM road_element WHERE element_type = 'carriageway' AND length_m > 50 "
                + "ORDER BY md5(id::text || 'expired early') LIMIT 1");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String from = now.minus(Duration.ofDays(1)).toString(), to = now.plus(Duration.ofDays(6)).toString();
        String hourAgo = now.minus(Duration.ofHours(1)).toString();
        String inAnHour = now.plus(Duration.ofHours(1)).toString();
        long early = closure(element, from, to, ""), kept = closure(element, from, to, "");
        assertEquals(Set.of(early, kept), stateMeasures(hourAgo, e -> e == element));
        assertEquals(Set.of(List.of(early, kept)), conflictPairs(hourAgo));
        assertTrue(conflictsOf(kept).contains(early));
        assertTrue(conflictsOf(early).contains(kept));

        // when the operator expires one of them today, days before its validity ends
        HttpResponse<String> expired = send(operator, "PATCH", ViabilityModule.MEASURES + "/" + early, "{\"status\": \"expired\"}");
        assertEquals(200, expired.statusCode(), expired.body());

        // then what bound an hour ago still did, conflict included, and from now on only the other one binds
        assertEquals(Set.of(early, kept), stateMeasures(hourAgo, e -> e == element));
        assertEquals(Set.of(List.of(early, kept)), conflictPairs(hourAgo));
        assertEquals(Set.of(kept), stateMeasures(inAnHour, e -> e == element));
        assertEquals(Set.of(), conflictPairs(inAnHour));
        // and neither record names the other among its conflicts, which are those still to come: the expired one
        // binds at none of them (the kept one's record named it for good, and so did the expiry's answer)
        assertFalse(conflictsOf(kept).contains(early), "an expired measure is no conflict of what still binds");
        assertFalse(conflictsOf(early).contains(kept), "an expired measure has no conflict still to come");
        assertTrue(json(expired).get("properties").get("conflicts").isEmpty(), expired.body());
        assertTrue(json(get(viabilityTile(element) + ".geojson?datetime=" + q(hourAgo))).get("features")
                .findValues("id").stream().anyMatch(v -> v.asLong() == early), "the tile of an hour ago draws it");
        // and the end the order stated is kept in the measure's history
        assertEquals(1, count("SELECT count(*) FROM measure_history WHERE id = " + early + " AND status = 'in_force' "
                + "AND valid_to = '" + to + "'"));
    }

    /** The measures {@code measure}'s record names among its conflicts. */
    private static Set<Long> conflictsOf(long measure) throws Exception {
        HttpResponse<String> r = get("/viability/measures/" + measure);
        assertEquals(200, r.statusCode(), r.body());
        Set<Long> others = new java.util.HashSet<>();
        for (JsonNode c : json(r).get("properties").get("conflicts")) {
            for (String side : List.of("a", "b")) others.add(c.get(side).get("measure_id").asLong());
        }
        others.remove(measure);
        return others;
    }

    @Test
    void aRevocationOrAnOrdinancesExpiryEndsItsMeasuresFromThenOnAndARevokedDraftNeverBound() throws Exception {
        // Given an ordinance in force with a closure in force since yesterday, another closure in force, and a draft,
        // each on an element of its own, all valid from yesterday for a week
        List<Long> elements = new ArrayList<>();
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT id FROM road_element WHERE element_type = 'carriageway' AND length_m > 50 "
                        + "ORDER BY md5(id::text || 'ended from then on') LIMIT 3")) {
            while (rs.next()) elements.add(rs.getLong(1));
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String from = now.minus(Duration.ofDays(1)).toString(), to = now.plus(Duration.ofDays(6)).toString();
        String hourAgo = now.minus(Duration.ofHours(1)).toString();
        String inAnHour = now.plus(Duration.ofHours(1)).toString();
        HttpResponse<String> ordinance = send(operator, "POST", ViabilityModule.ORDINANCES, "{\"type\": \"Feature\", "
                + "\"properties\": {\"number\": " + (now.getEpochSecond() % 100_000 + 1) + ", \"year\": 2026, "
                + "\"office\": \"Mobilità (history)\", \"reason\": \"trasloco\"}}");
        assertEquals(201, ordinance.statusCode(), ordinance.body());
        long order = json(ordinance).get("id").asLong();
        HttpResponse<String> ordered = send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "in_force", from,
                to, ", \"ordinance_id\": " + order, "{\"elements\": [{\"id\": " + elements.get(0) + "}]}"));
        assertEquals(201, ordered.statusCode(), ordered.body());
        long byOrder = json(ordered).get("id").asLong();
        assertEquals(200, send(operator, "PATCH", ViabilityModule.ORDINANCES + "/" + order, "{\"status\": \"in_force\"}").statusCode());
        long revoked = closure(elements.get(1), from, to, "");
        HttpResponse<String> drafted = send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "draft", from, to,
                "", "{\"elements\": [{\"id\": " + elements.get(2) + "}]}"));
        long draft = json(drafted).get("id").asLong();

        // when the ordinance expires, the other closure is revoked and so is the draft
        assertEquals(200, send(operator, "PATCH", ViabilityModule.ORDINANCES + "/" + order, "{\"status\": \"expired\"}").statusCode());
        for (long id : List.of(revoked, draft)) {
            HttpResponse<String> r = send(operator, "PATCH", ViabilityModule.MEASURES + "/" + id, "{\"status\": \"revoked\"}");
            assertEquals(200, r.statusCode(), r.body());
        }

        // then the two closures bound an hour ago and bind no more (a revocation acts from then on), and the draft,
        // never in force, binds at no instant
        assertEquals(Set.of(byOrder, revoked), stateMeasures(hourAgo, elements::contains));
        assertEquals(Set.of(), stateMeasures(inAnHour, elements::contains));
        assertEquals(0, count("SELECT count(*) FROM measure WHERE id = " + draft + " AND NOT isempty(validity)"));
    }

    /** An in-force closure of the whole of {@code element}; {@code extra} adds properties such as windows. */
    private long closure(long element, String from, String to, String extra) throws Exception {
        HttpResponse<String> r = send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "in_force", from, to,
                extra, "{\"elements\": [{\"id\": " + element + "}]}"));
        assertEquals(201, r.statusCode(), r.body());
        return json(r).get("id").asLong();
    }

    /** The pairs of measures (lower id first) /viability/conflicts lists for {@code datetime}. */
    private static Set<List<Long>> conflictPairs(String datetime) throws Exception {
        HttpResponse<String> r = get("/viability/conflicts?datetime=" + q(datetime));
        assertEquals(200, r.statusCode(), r.body());
        Set<List<Long>> pairs = new java.util.HashSet<>();
        for (JsonNode c : json(r).get("conflicts")) {
            if (!c.get("type").asText().equals("measures")) continue;
            assertEquals("same-stretch", c.get("code").asText(), "a code the web map says in Italian: " + c);
            long a = c.get("a").get("measure_id").asLong(), b = c.get("b").get("measure_id").asLong();
            pairs.add(List.of(Math.min(a, b), Math.max(a, b)));
        }
        return pairs;
    }

    @Test
    void aTuesdayMarketClosureHoldsFromSixToTwoLocalTimeOnBothSidesOfTheClockChanges() throws Exception {
        long element = count("SELECT max(id) FROM road_element WHERE element_type = 'carriageway' AND length_m > 50");
        HttpResponse<String> market = send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "in_force",
                "2036-01-01T00:00:00+01:00", "2037-01-01T00:00:00+01:00",
                ", \"windows\": [{\"days\": [\"TU\"], \"from\": \"06:00\", \"to\": \"14:00\"}]",
                "{\"elements\": [{\"id\": " + element + "}]}"));
        assertEquals(201, market.statusCode(), market.body());
        // 2036: clocks go forward on Sunday 30 March and back on Sunday 26 October.
        assertTrue(stateElements("2036-03-25T05:30:00Z").contains(element), "Tue 25 March 06:30 CET");
        assertFalse(stateElements("2036-03-25T04:30:00Z").contains(element), "Tue 25 March 05:30 CET");
        assertTrue(stateElements("2036-04-01T04:30:00Z").contains(element), "Tue 1 April 06:30 CEST");
        assertFalse(stateElements("2036-04-01T12:30:00Z").contains(element), "Tue 1 April 14:30 CEST");
        assertTrue(stateElements("2036-10-21T04:30:00Z").contains(element), "Tue 21 October 06:30 CEST");
        assertFalse(stateElements("2036-10-28T04:30:00Z").contains(element), "Tue 28 October 05:30 CET");
        assertTrue(stateElements("2036-10-28T12:30:00Z").contains(element), "Tue 28 October 13:30 CET");
        assertFalse(stateElements("2036-10-29T08:00:00Z").contains(element), "a Wednesday");
    }

    @Test
    void onTheDaysTheClocksChangeANightWindowHoldsWhileTheWallClockReadsInsideIt() throws Exception {
        // Given two night closures on one street, 01:30–02:30 and 02:30–03:30 local time, over both clock changes of
        // 2038 (forward on Sunday 28 March at 02:00 CET = 01:00Z, back on Sunday 31 October at 03:00 CEST = 01:00Z)
        long element = count("SELECT min(id) FROM road_element WHERE element_type = 'carriageway' AND length_m > 50");
        long early = night(element, "01:30", "02:30"), late = night(element, "02:30", "03:30");
        java.util.function.LongPredicate onIt = e -> e == element;
        // when the network is asked at the instants around each change, then a closure is in force exactly when the
        // clocks read inside its window: 02:00–03:00 is never read in March and 02:00–03:00 is read twice in October
        assertEquals(Set.of(early), stateMeasures("2038-03-28T01:59:00+01:00", onIt), "01:59 CET");
        assertEquals(Set.of(late), stateMeasures("2038-03-28T03:15:00+02:00", onIt), "03:15 CEST: the clock skipped 02:00–03:00");
        assertEquals(Set.of(late), stateMeasures("2038-03-28T01:15:00Z", onIt), "the same instant in UTC");
        assertEquals(Set.of(), stateMeasures("2038-03-28T03:45:00+02:00", onIt), "03:45 CEST");
        assertEquals(Set.of(early), stateMeasures("2038-10-31T02:15:00+02:00", onIt), "the first 02:15 (CEST)");
        assertEquals(Set.of(late), stateMeasures("2038-10-31T02:45:00+02:00", onIt), "the first 02:45 (CEST)");
        assertEquals(Set.of(early), stateMeasures("2038-10-31T02:15:00+01:00", onIt), "the second 02:15 (CET)");
        assertEquals(Set.of(early), stateMeasures("2038-10-31T01:15:00Z", onIt), "the same instant in UTC");
        assertEquals(Set.of(late), stateMeasures("2038-10-31T02:45:00+01:00", onIt), "the second 02:45 (CET)");
        assertEquals(Set.of(late), stateMeasures("2038-10-31T03:15:00+01:00", onIt), "03:15 CET");
        assertEquals(Set.of(), stateMeasures("2038-10-31T03:30:00+01:00", onIt), "03:30 CET: over");
    }

    @Test
    void aWeekdayMorningClosureIsJudgedAtItsFirstMorningAndPublishedWithItsWindows() throws Exception {
        // Given a closure of Via dei Calzaiuoli from Monday 2 May 2039 at midnight, on weekdays from 09:00 to 12:00
        HttpResponse<String> created = send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "in_force",
                "2039-05-02T00:00:00+02:00", "2039-05-14T00:00:00+02:00",
                ", \"windows\": [{\"days\": [\"MO\", \"TU\", \"WE\", \"TH\", \"FR\"], \"from\": \"09:00\", \"to\": \"12:00\"}]",
                FlorenceRoutingTest.CALZAIUOLI));
        assertEquals(201, created.statusCode(), created.body());
        long id = json(created).get("id").asLong();

        // when its impact is asked, then it is taken when the street first closes, 09:00, not at midnight when it is open
        JsonNode impact = json(get("/viability/measures/" + id + "/impact?profile=pedestrian"));
        assertEquals("2039-05-02T07:00:00Z", impact.get("datetime").asText(), impact.toString());
        assertTrue(impact.get("detours").get(0).get("extra_m").asDouble() > 0, impact.toString());

        // and the DATEX II record says when in the day and on which days it holds, in local time
        HttpResponse<String> feed = get("/viability/datex2");
        Document xml = parse(feed.body());
        XPath x = XPathFactory.newInstance().newXPath();
        x.setNamespaceContext(new Datex2Namespaces());
        String period = "//sit:situation[@id='streetcad-measure-" + id + "']/sit:situationRecord[1]/sit:validity"
                + "/com:validityTimeSpecification/com:validPeriod";
        assertEquals("09:00:00", x.evaluate(period + "/com:recurringTimePeriodOfDay/com:startTimeOfPeriod", xml));
        assertEquals("12:00:00", x.evaluate(period + "/com:recurringTimePeriodOfDay/com:endTimeOfPeriod", xml));
        assertEquals("5", x.evaluate("count(" + period + "/com:recurringDayWeekMonthPeriod/com:applicableDay)", xml));
        assertEquals("monday", x.evaluate(period + "/com:recurringDayWeekMonthPeriod/com:applicableDay[1]", xml));
        assertTrue(Datex2Schema.validate(feed.body()).isEmpty(), Datex2Schema.validate(feed.body()).toString());
    }

    @Test
    void windowsThatNeverOccurInTheValidityAreRefusedNamingThem() throws Exception {
        // Given a closure from Monday to Friday whose only window is on Sunday, when it is posted, then 400 names windows
        String sundays = ", \"windows\": [{\"days\": [\"SU\"], \"from\": \"09:00\", \"to\": \"12:00\"}]";
        assertProblem(send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "in_force",
                "2039-05-02T00:00:00+02:00", "2039-05-07T00:00:00+02:00", sundays, FlorenceRoutingTest.CALZAIUOLI)),
                400, "windows");
        // and so is a works phase of the same kind, naming the phase
        assertProblem(send(operator, "POST", ViabilityModule.WORKS, works("Publiacqua", 11.2450, 43.7750,
                "2039-05-02T00:00:00+02:00", "2039-05-07T00:00:00+02:00",
                "[{\"days\": [\"SU\"], \"from\": \"09:00\", \"to\": \"12:00\"}]")), 400, "phases[0].windows");
        // while a Sunday night window running into Monday morning does occur in a validity starting on Monday
        assertEquals(201, send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "draft",
                "2039-05-02T00:00:00+02:00", "2039-05-07T00:00:00+02:00",
                ", \"windows\": [{\"days\": [\"SU\"], \"from\": \"22:00\", \"to\": \"06:00\"}]",
                FlorenceRoutingTest.CALZAIUOLI)).statusCode());
    }

    @Test
    void carRoutesAroundTheClosuresInForceAgreeWithPgRoutingToTheMillimetre() throws Exception {
        // Given three closures in force at noon on 15 January 2040 on car streets of the centre: a two-way element
        // closed both ways, a two-way element closed along its digitised direction only, and 10 m of a one-way element
        String car = "status = 'in_use' AND functional_class IS DISTINCT FROM 'F-bis' "
                + "AND element_type NOT IN ('pedestrian', 'cycleway') AND from_junction IS NOT NULL AND to_junction IS NOT NULL";
        String central = " AND length_m > 40 AND ST_DWithin(geom, ST_Transform(ST_SetSRID(ST_MakePoint(11.2480, 43.7750), "
                + "4326), ST_SRID(geom)), 1500) ORDER BY md5(id::text) LIMIT 1";
        long whole = count("SELECT id FROM live_road_element WHERE " + car + " AND direction = 'both'" + central);
        long alongOnly = count("SELECT id FROM live_road_element WHERE " + car + " AND direction = 'both' AND id <> "
                + whole + central);
        long part = count("SELECT id FROM live_road_element WHERE " + car + " AND direction = 'forward'" + central);
        String instant = "2040-01-15T12:00:00Z";
        Set<Long> closures = new java.util.HashSet<>();
        for (String element : List.of("{\"id\": " + whole + "}", "{\"id\": " + alongOnly + ", \"direction\": \"forward\"}",
                "{\"id\": " + part + ", \"from_m\": 10, \"to_m\": 20}")) {
            HttpResponse<String> r = send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "in_force",
                    "2040-01-15T00:00:00+01:00", "2040-01-16T00:00:00+01:00", "", "{\"elements\": [" + element + "]}"));
            assertEquals(201, r.statusCode(), r.body());
            closures.add(json(r).get("id").asLong());
        }
        for (long m : stateMeasures(instant, e -> true)) assertTrue(closures.contains(m), "only these closures hold then: " + m);

        // when cars are routed then between the ends of each closed element, both ways, and between 30 random junctions
        List<long[]> pairs = new ArrayList<>();
        for (long e : List.of(whole, alongOnly, part)) {
            long from = count("SELECT from_junction FROM road_element WHERE id = " + e);
            long to = count("SELECT to_junction FROM road_element WHERE id = " + e);
            pairs.add(new long[]{from, to});
            pairs.add(new long[]{to, from});
        }
        try (Connection c = db.connection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT from_junction FROM live_road_element WHERE " + car
                     + " GROUP BY from_junction ORDER BY md5(from_junction::text || 'closures') LIMIT 60")) {
            List<Long> junctions = new ArrayList<>();
            while (rs.next()) junctions.add(rs.getLong(1));
            for (int i = 0; i + 1 < junctions.size(); i += 2) pairs.add(new long[]{junctions.get(i), junctions.get(i + 1)});
        }

        // then each route is as long as pgRouting's shortest path over the live car elements without the closed
        // directions, to the millimetre, and there is none exactly when pgRouting finds none
        String edges = "SELECT id, from_junction AS source, to_junction AS target, "
                + "CASE WHEN direction IN ('both', 'forward') AND id NOT IN (" + whole + ", " + alongOnly + ", " + part
                + ") THEN length_m ELSE -1 END AS cost, "
                + "CASE WHEN direction IN ('both', 'backward') AND id NOT IN (" + whole + ", " + part
                + ") THEN length_m ELSE -1 END AS reverse_cost FROM live_road_element WHERE " + car;
        int routed = 0;
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pgrouting");
            for (long[] pair : pairs) {
                Double oracle = null;
                try (ResultSet rs = st.executeQuery("SELECT agg_cost FROM pgr_dijkstraCost($$" + edges + "$$, "
                        + pair[0] + ", " + pair[1] + ", directed => true)")) {
                    if (rs.next()) oracle = rs.getDouble(1);
                }
                double[] from = junctionLonLat(pair[0]), to = junctionLonLat(pair[1]);
                HttpResponse<String> r = get("/network/route?from=" + from[0] + "," + from[1] + "&to=" + to[0] + ","
                        + to[1] + "&datetime=" + q(instant));
                String which = pair[0] + " → " + pair[1];
                if (oracle == null) {
                    assertProblem(r, 404, "to");
                    continue;
                }
                assertEquals(200, r.statusCode(), which + ": " + r.body());
                JsonNode p = json(r).get("properties");
                assertEquals(pair[0], p.get("from_junction").asLong(), which);
                assertEquals(pair[1], p.get("to_junction").asLong(), which);
                assertEquals(oracle, p.get("length_m").asDouble(), 0.001, which);
                for (JsonNode e : p.get("elements")) assertTrue(e.asLong() != whole && e.asLong() != part, which);
                routed++;
            }
        }
        assertTrue(routed >= 30, routed + " of " + pairs.size() + " pairs routed");
    }

    static double[] junctionLonLat(long junction) throws Exception {
        try (Connection c = db.connection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT ST_X(g), ST_Y(g) FROM (SELECT ST_Transform(geom, 4326) g FROM junction "
                     + "WHERE id = " + junction + ") j")) {
            rs.next();
            return new double[]{rs.getDouble(1), rs.getDouble(2)};
        }
    }

    /** The ids of the measures /network/state lists at {@code instant} on the elements {@code on} accepts. */
    static Set<Long> stateMeasures(String instant, java.util.function.LongPredicate on) throws Exception {
        HttpResponse<String> r = get("/network/state?datetime=" + q(instant));
        assertEquals(200, r.statusCode(), r.body());
        Set<Long> ids = new java.util.TreeSet<>();
        for (JsonNode f : json(r).get("features")) {
            if (!on.test(f.get("id").asLong())) continue;
            for (JsonNode m : f.get("properties").get("measures")) ids.add(m.get("id").asLong());
        }
        return ids;
    }


    @Test
    void anInstantWhoseOffsetPlusWasNotEscapedInTheUrlIsThatInstant() throws Exception {
        // Given a closure from 08:00 to 10:00 (UTC+2) on 7 May 2041
        long element = count("SELECT id FROM road_element WHERE element_type = 'carriageway' AND length_m > 50 "
                + "ORDER BY md5(id::text || 'unescaped') LIMIT 1");
        long closure = closure(element, "2041-05-07T08:00:00+02:00", "2041-05-07T10:00:00+02:00", "");
        // when a client writes 09:00+02:00 in its URL without escaping the '+' (which then arrives as a space)
        HttpResponse<String> state = get("/network/state?datetime=2041-05-07T09:00:00+02:00");
        HttpResponse<String> items = get("/collections/viability-measures/items?datetime=2041-05-07T09:00:00+02:00");
        // then it is read as that offset, not refused nor taken for another instant
        assertEquals(200, state.statusCode(), state.body());
        assertEquals("2041-05-07T07:00:00Z", json(state).get("datetime").asText());
        assertEquals(Set.of(closure), stateMeasures("2041-05-07T09:00:00+02:00", e -> e == element));
        assertEquals(200, items.statusCode(), items.body());
        List<Long> listed = new ArrayList<>();
        json(items).get("features").forEach(f -> listed.add(f.get("id").asLong()));
        assertTrue(listed.contains(closure), listed.toString());
    }

    /** An in-force closure of {@code element} every night of March to October 2038, from {@code from} to {@code to}. */
    private long night(long element, String from, String to) throws Exception {
        return closure(element, "2038-03-20T00:00:00+01:00", "2038-11-05T00:00:00+01:00",
                ", \"windows\": [{\"from\": \"" + from + "\", \"to\": \"" + to + "\"}]");
    }


    /** The path (without its suffix) of the viability tile at zoom 16 that holds the middle of {@code element}. */
    static String viabilityTile(long element) throws Exception {
        double[] mid = new double[2];
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_LineInterpolatePoint(geom, 0.5), 4326) p "
                        + "FROM road_element WHERE id = " + element + ") x")) {
            rs.next();
            mid[0] = rs.getDouble(1);
            mid[1] = rs.getDouble(2);
        }
        int z = 16, n = 1 << z;
        int x = (int) Math.floor((mid[0] + 180) / 360 * n);
        double lat = Math.toRadians(mid[1]);
        int y = (int) Math.floor((1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2 * n);
        return "/tiles/viability/" + z + "/" + x + "/" + y;
    }

    @Test
    void theViabilityTileLayerShowsAMeasureUntilItIsRevoked() throws Exception {
        long element = count("SELECT min(id) FROM road_element WHERE element_type = 'carriageway' AND length_m > 80 "
                + "AND ST_DWithin(geom, ST_Transform(ST_SetSRID(ST_MakePoint(11.2560, 43.7731), 4326), 6707), 2000)");
        HttpResponse<String> created = send(operator, "POST", ViabilityModule.MEASURES, measure("narrowing", "in_force",
                "2037-02-01T00:00:00+01:00", "2037-02-10T00:00:00+01:00", "", "{\"elements\": [{\"id\": " + element + "}]}"));
        assertEquals(201, created.statusCode(), created.body());
        long id = json(created).get("id").asLong();
        String tileAt16 = viabilityTile(element);
        String tile = tileAt16 + ".geojson?datetime=" + q("2037-02-05T12:00:00Z");
        HttpResponse<String> before = get(tile);
        assertEquals(200, before.statusCode(), before.body());
        assertTrue(json(before).get("features").findValues("id").stream().anyMatch(v -> v.asLong() == id), before.body());

        // The layer shows what holds at its datetime: not before the measure's validity, not now (the default).
        String dayBefore = tileAt16 + ".geojson?datetime=" + q("2037-01-31T12:00:00Z");
        assertTrue(json(get(dayBefore)).get("features").findValues("id").stream().noneMatch(v -> v.asLong() == id));
        HttpResponse<String> now = get(tileAt16 + ".geojson");
        assertEquals(200, now.statusCode(), now.body());
        assertTrue(json(now).get("features").findValues("id").stream().noneMatch(v -> v.asLong() == id), now.body());
        assertEquals("no-cache", now.headers().firstValue("Cache-Control").orElseThrow(), "now moves on without a write");
        HttpResponse<byte[]> mvt = client.send(HttpRequest.newBuilder(URI.create(base + tileAt16
                + ".mvt?datetime=" + q("2037-02-05T12:00:00Z"))).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, mvt.statusCode());
        assertTrue(Integer.parseInt(mvt.headers().firstValue("StreetCad-Tile-Features").orElseThrow()) >= 1);
        assertProblem(get(tileAt16 + ".geojson?datetime=tomorrow"), 400, "datetime");
        assertProblem(get(tileAt16.replace("viability", "road-elements") + ".geojson?datetime=" + q("2037-02-05T12:00:00Z")),
                400, "datetime");

        assertEquals(200, send(operator, "PATCH", ViabilityModule.MEASURES + "/" + id, "{\"status\": \"revoked\"}").statusCode());
        boolean gone = false;
        for (int i = 0; i < 100 && !gone; i++) {  // the tile cache is purged from the change log within its poll
            gone = json(get(tile)).get("features").findValues("id").stream().noneMatch(v -> v.asLong() == id);
            if (!gone) Thread.sleep(100);
        }
        assertTrue(gone, "the revoked measure left the tile");
    }

    @Test
    void aMeasureOnAnElementRetiredWhileItIsPlacedIsRefusedAndNeverLiesOnTheRetiredElement() throws Exception {
        // Given an element of its own (out of the way of the other tests) that a transaction is retiring ...
        long element;
        try (Connection c = db.connection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("INSERT INTO road_element (geom, functional_class) VALUES (ST_Transform("
                     + "ST_GeomFromText('LINESTRING(11.1500 43.7000, 11.1510 43.7000)', 4326), " + db.storageSrid()
                     + "), 'F') RETURNING id")) {
            rs.next();
            element = rs.getLong(1);
        }
        java.util.concurrent.CompletableFuture<HttpResponse<String>> placed;
        try (Connection retiring = db.connection(); Statement st = retiring.createStatement()) {
            retiring.setAutoCommit(false);
            st.execute("UPDATE road_element SET valid_to = retirement(valid_from, valid_to) WHERE id = " + element);
            // ... when an operator places a closure on it meanwhile
            String location = "{\"elements\": [{\"id\": " + element + ", \"from_m\": 0, \"to_m\": 20}]}";
            placed = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "draft",
                            "2034-01-10T08:00:00Z", "2034-01-11T08:00:00Z", "", location));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int i = 0; i < 200 && !placed.isDone() && !waitsOnALock(); i++) Thread.sleep(25);
            retiring.commit();
        }
        // then the closure is refused as on any retired element, and none lies on it
        HttpResponse<String> r = placed.get();
        assertProblem(r, 422, "location.elements[0].id");
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM measure_element WHERE element_id = " + element)) {
            rs.next();
            assertEquals(0, rs.getLong(1), "a measure lies on the retired element " + element);
        }
    }

    private static boolean waitsOnALock() throws Exception {
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    /**
     * Given the network at an instant and the DATEX II feed, when asked with a parameter they do not take (a client's
     * misspelt datetime), then each is a 400 naming it, as every other route answers, not the answer for now.
     */
    @Test
    void aParameterTheNetworkStateOrTheFeedDoesNotTakeIs400NamingIt() throws Exception {
        assertProblem(get("/network/state?date=2034-06-01T10:00:00Z"), 400, "date");
        assertProblem(get("/viability/datex2?datetime=2034-06-01T10:00:00Z"), 400, "datetime");
        assertEquals(200, get("/network/state?datetime=2034-06-01T10:00:00Z").statusCode());
    }

    /**
     * Given a dead-end street whose only way in is one element, when that element is closed, then a walk to the
     * dead end at that time is 404 cut-off-by-measures, and the length and time of the way without the measures, which
     * the English detail states, are members of the problem (a client says them in its language without parsing).
     */
    @Test
    void aDestinationCutOffByAClosureIs404WithTheFreeRoutesLengthAndTimeAsMembers() throws Exception {
        String from = "11.2560,43.7731";
        String when = "&profile=pedestrian&datetime=";
        for (long[] pair : deadEndsAndTheirWayIn(from)) {
            String to = middleLonLat(pair[1]);
            HttpResponse<String> free = get("/network/route?from=" + from + "&to=" + to + when + q("2044-01-05T10:00:00Z"));
            if (free.statusCode() != 200 || !elementsOf(json(free)).contains(pair[0])) continue;
            HttpResponse<String> closure = send(operator, "POST", ViabilityModule.MEASURES, measure("closure", "in_force",
                    "2044-01-10T00:00:00+01:00", "2044-01-20T00:00:00+01:00", "", "{\"elements\": [{\"id\": " + pair[0] + "}]}"));
            assertEquals(201, closure.statusCode(), closure.body());

            HttpResponse<String> cut = get("/network/route?from=" + from + "&to=" + to + when + q("2044-01-15T10:00:00Z"));
            assertProblem(cut, 404, "to");
            JsonNode problem = json(cut);
            assertEquals(Routing.CUT_OFF_BY_MEASURES, problem.get("code").asText(), cut.body());
            JsonNode way = json(free).get("properties");
            assertEquals(Math.round(way.get("length_m").asDouble()), problem.get("length_m").asLong(), cut.body());
            assertEquals(way.get("duration_s").asLong(), problem.get("duration_s").asLong(), cut.body());
            assertEquals("pedestrian", problem.get("profile").asText(), cut.body());
            assertFalse(problem.has("members"), "members are the problem's own: " + cut.body());
            assertTrue(problem.get("detail").asText().contains(problem.get("length_m").asLong() + " m"), cut.body());
            return;
        }
        fail("the Florence sample has a dead end reached through one element");
    }

    /** Pairs (element in, dead-end element) of local streets whose dead end is reached only through the first. */
    private static List<long[]> deadEndsAndTheirWayIn(String near) throws Exception {
        List<long[]> pairs = new ArrayList<>();
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT x.id, y.id FROM live_road_element y
                JOIN junction dead ON dead.id IN (y.from_junction, y.to_junction) AND dead.degree = 1
                JOIN junction j ON j.id IN (y.from_junction, y.to_junction) AND j.id <> dead.id AND j.degree = 2
                JOIN live_road_element x ON x.id <> y.id AND j.id IN (x.from_junction, x.to_junction)
                WHERE y.functional_class IN ('E', 'F') AND y.length_m > 20
                ORDER BY ST_Transform(y.geom, 4326) <-> ST_SetSRID(ST_MakePoint(%s), 4326) LIMIT 30""".formatted(near))) {
            while (rs.next()) pairs.add(new long[]{rs.getLong(1), rs.getLong(2)});
        }
        return pairs;
    }

    private static List<Long> elementsOf(JsonNode route) {
        List<Long> ids = new ArrayList<>();
        route.at("/properties/elements").forEach(e -> ids.add(e.asLong()));
        return ids;
    }

    private static String middleLonLat(long element) throws Exception {
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT ST_X(p) || ',' || ST_Y(p) FROM (SELECT ST_Transform(ST_LineInterpolatePoint(geom, 0.5), 4326) p "
                        + "FROM road_element WHERE id = " + element + ") m")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Given a carriageway no other element meets (a street apart in the sample), when a car route is asked from the
     * centre to its middle, then the answer is 404 not-connected with where the network comes nearest to joining
     * them, as members beside the English: the junction reached from the centre and the street's own end, and the
     * metres between them as the cadastre measures them — where it said only that they are not connected.
     */
    @Test
    void aDestinationTheNetworkDoesNotReachIsSaidWithTheGapBetweenThem() throws Exception {
        String from = "11.2560,43.7731";
        long element;
        Set<Long> ends;
        double nearestOther;
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT e.id, e.from_junction, e.to_junction,
                       (SELECT min(ST_Distance(j.geom, o.geom)) FROM junction j, junction o
                        WHERE j.id IN (e.from_junction, e.to_junction) AND o.id NOT IN (e.from_junction, e.to_junction)
                          AND EXISTS (SELECT 1 FROM live_road_element x WHERE o.id IN (x.from_junction, x.to_junction)))
                FROM live_road_element e
                WHERE e.status = 'in_use' AND e.element_type = 'carriageway' AND e.direction = 'both'
                  AND e.functional_class::text IS DISTINCT FROM 'F-bis' AND e.length_m > 30
                  AND NOT EXISTS (SELECT 1 FROM live_road_element o WHERE o.id <> e.id
                                  AND (o.from_junction IN (e.from_junction, e.to_junction)
                                       OR o.to_junction IN (e.from_junction, e.to_junction)))
                ORDER BY e.id LIMIT 1""")) {
            assertTrue(rs.next(), "the Florence sample has a carriageway no other element meets");
            element = rs.getLong(1);
            ends = Set.of(rs.getLong(2), rs.getLong(3));
            nearestOther = rs.getDouble(4);
        }

        HttpResponse<String> r = get("/network/route?from=" + from + "&to=" + middleLonLat(element));
        assertProblem(r, 404, "to");
        JsonNode problem = json(r);
        assertEquals(Routing.NOT_CONNECTED, problem.get("code").asText(), r.body());
        long reached = problem.get("gap_junctions").get(0).asLong(), reaching = problem.get("gap_junctions").get(1).asLong();
        assertTrue(ends.contains(reaching), "the gap ends at the street's own end: " + r.body());
        double gap = problem.get("gap_m").asDouble();
        assertEquals(count("SELECT round(ST_Distance(a.geom, b.geom) * 1000) FROM junction a, junction b WHERE a.id = "
                + reached + " AND b.id = " + reaching) / 1000.0, gap, 0.051, "in metres, to the decimetre: " + r.body());
        assertTrue(gap >= nearestOther - 0.05, "no junction is nearer to the street than any junction: " + r.body());
        assertTrue(problem.get("detail").asText().contains(gap + " m"), r.body());
        // and the near side of the gap is reached from the centre
        double[] near = junctionLonLat(reached);
        assertEquals(200, get("/network/route?from=" + from + "&to=" + near[0] + "," + near[1]).statusCode());
    }

    @Test
    void noRouteIs404SayingWhyInWordsAndByCode() throws Exception {
        HttpResponse<String> sea = get("/network/route?from=11.2560,43.7731&to=10.0,42.0");
        assertProblem(sea, 404, "to");
        assertEquals(Routing.NO_STREET_NEAR, json(sea).get("code").asText(), sea.body());
        assertTrue(json(sea).get("detail").asText().contains("500 m of to"), "the English words stay: " + sea.body());
        assertProblem(get("/network/route?from=11.2560,43.7731&to=11.25,43.77&profile=tram"), 400, "profile");
    }

    @Test
    void aClosureOfADeadEndHasNoDetourSaidByCodeAndInWords() throws Exception {
        // Given a closure of the whole of a dead-end carriageway: one of its ends meets no other element
        long deadEnd = count("SELECT e.id FROM live_road_element e WHERE e.element_type = 'carriageway' "
                + "AND e.direction = 'both' AND e.length_m > 20 AND (SELECT count(*) FROM live_road_element o "
                + "WHERE e.to_junction IN (o.from_junction, o.to_junction)) = 1 ORDER BY md5(e.id::text) LIMIT 1");
        long id = closure(deadEnd, "2043-03-01T00:00:00+01:00", "2043-03-02T00:00:00+01:00", "");
        // when its impact is asked
        HttpResponse<String> r = get("/viability/measures/" + id + "/impact");
        // then its stretch has no detour, said by the code no-detour beside the English reason
        assertEquals(200, r.statusCode(), r.body());
        JsonNode detour = json(r).get("detours").get(0);
        assertTrue(detour.get("detour").isNull(), r.body());
        assertEquals(Routing.NO_DETOUR, detour.get("code").asText(), r.body());
        assertTrue(detour.get("reason").asText().startsWith("no way around"), r.body());
    }

    /** The DATEX II namespaces the feed uses, for XPath. */
    static final class Datex2Namespaces implements javax.xml.namespace.NamespaceContext {
        @Override
        public String getNamespaceURI(String prefix) {
            return switch (prefix) {
                case "d2" -> Datex2.D2;
                case "com" -> Datex2.COM;
                case "sit" -> Datex2.SIT;
                case "loc" -> Datex2.LOC;
                case "xsi" -> Datex2.XSI;
                default -> null;
            };
        }

        @Override
        public String getPrefix(String uri) {
            return null;
        }

        @Override
        public java.util.Iterator<String> getPrefixes(String uri) {
            return null;
        }
    }
}
