package it.firenze.streetcad.viability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.Database;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given Florence's network, measures in force change routes at their instants and only then. */
class FlorenceRoutingTest {

    static final String CALZAIUOLI = "{\"road\": \"Via dei Calzaiuoli\", \"from_road\": \"Piazza del Duomo\", "
            + "\"to_road\": \"Via del Corso\"}";

    static Database db;
    static Viability viability;
    static Routing routing;

    @BeforeAll
    static void florence() {
        db = Florence.database();
        viability = new Viability(db, Viability.DEFAULT_CONFLICT_DISTANCE);
        routing = new Routing(db);
    }

    static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text);
    }

    static ObjectNode measure(String kind, String from, String to, String location) throws Exception {
        return viability.createMeasure(Florence.operator(), json("{\"type\": \"Feature\", \"geometry\": null, "
                + "\"properties\": {\"kind\": \"" + kind + "\", \"status\": \"in_force\", \"valid_from\": \"" + from
                + "\", \"valid_to\": \"" + to + "\", \"location\": " + location + "}}"));
    }

    static List<Stretch> resolve(String location) throws Exception {
        try (Connection c = db.connection()) {
            return LocationResolver.resolve(c, json(location));
        }
    }

    static List<Long> elements(Router.Route r) {
        return r.elements();
    }

    @Test
    void viaDeiCalzaiuoliBetweenPiazzaDelDuomoAndViaDelCorsoIsItsStretchesBetweenThem() throws Exception {
        List<Stretch> stretches = resolve(CALZAIUOLI);
        assertFalse(stretches.isEmpty());
        try (Connection c = db.connection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT DISTINCT r.name FROM road_element e JOIN road r ON r.id = e.road_id "
                     + "WHERE e.id IN (" + String.join(",", stretches.stream().map(s -> "" + s.elementId()).toList()) + ")")) {
            assertTrue(rs.next());
            assertEquals("Via dei Calzaiuoli", rs.getString(1));
            assertFalse(rs.next());
        }
        assertTrue(stretches.stream().allMatch(s -> s.fromM() == 0 && s.direction().equals("both")));
        // Written the way people type it: the abbreviations and case do not matter.
        assertEquals(stretches, resolve("{\"road\": \"via dei calzaiuoli\", \"from_road\": \"P.za del Duomo\", "
                + "\"to_road\": \"v. del corso\"}"));
    }

    @Test
    void aLocationThatCannotBeResolvedNamesWhatWasNotFound() {
        var noStreet = assertThrows(ViabilityException.class, () -> resolve("{\"road\": \"Via dei Calzaiuoli\", "
                + "\"from_road\": \"Via Inesistente Qualunque\", \"to_road\": \"Via del Corso\"}"));
        assertEquals(ViabilityException.Reason.UNRESOLVED, noStreet.reason());
        assertEquals("location.from_road", noStreet.field());
        var notMeeting = assertThrows(ViabilityException.class, () -> resolve("{\"road\": \"Via dei Calzaiuoli\", "
                + "\"from_road\": \"Piazza del Duomo\", \"to_road\": \"Viale Europa\"}"));
        assertEquals("location.to_road", notMeeting.field());
        assertTrue(notMeeting.getMessage().contains("does not meet"), notMeeting.getMessage());
        var noElement = assertThrows(ViabilityException.class, () -> resolve("{\"elements\": [{\"id\": 999999999}]}"));
        assertEquals("location.elements[0].id", noElement.field());
    }

    /** The state's measures with their works' permit (null without works). */
    static Map<Long, String> stateMeasures(Instant t) throws Exception {
        Map<Long, String> out = new HashMap<>();
        for (JsonNode f : json(viability.networkState(t)).get("features")) {
            for (JsonNode m : f.get("properties").get("measures")) {
                out.put(m.get("id").asLong(), m.get("source").isNull() ? null : m.get("source").get("permit").asText());
            }
        }
        return out;
    }

    @Test
    void theNetworkStateKeptBetweenQuestionsFollowsEveryChangeOfWhatItShows() throws Exception {
        Instant during = Instant.parse("2032-07-15T10:00:00Z");
        long id = measure("closure", "2032-07-10T00:00:00+02:00", "2032-07-20T00:00:00+02:00", CALZAIUOLI)
                .get("id").asLong();
        assertTrue(stateMeasures(during).containsKey(id));
        assertFalse(stateMeasures(Instant.parse("2032-07-09T10:00:00Z")).containsKey(id), "not yet in force");
        assertEquals(viability.networkState(during), viability.networkState(during), "asked again, the same answer");

        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            // Given to a works site: the state names its permit at once...
            long works;
            try (ResultSet rs = st.executeQuery("INSERT INTO works (organisation, permit, status) "
                    + "VALUES ('Publiacqua', 'PA-1', 'approved') RETURNING id")) {
                rs.next();
                works = rs.getLong(1);
            }
            st.executeUpdate("UPDATE measure SET works_id = " + works + " WHERE id = " + id);
            assertEquals("PA-1", stateMeasures(during).get(id));
            // ...and a change of the works alone (no measure changed) shows too.
            st.executeUpdate("UPDATE works SET permit = 'PA-2' WHERE id = " + works);
            assertEquals("PA-2", stateMeasures(during).get(id));
            // Revoked: gone from the state at once.
            st.executeUpdate("UPDATE measure SET status = 'revoked' WHERE id = " + id);
            assertFalse(stateMeasures(during).containsKey(id));
        }
    }

    @Test
    void closingViaDeiCalzaiuoliMakesTheWalkBetweenItsEndsDetourWhileInForceAndNotTheDayBefore() throws Exception {
        List<Stretch> closed = resolve(CALZAIUOLI);
        ObjectNode created = measure("closure", "2031-05-10T00:00:00+02:00", "2031-05-20T00:00:00+02:00", CALZAIUOLI);
        assertEquals(closed.size(), created.get("properties").get("elements").size());
        long[] ends = endsOf(closed);
        Set<Long> closedIds = new HashSet<>(closed.stream().map(Stretch::elementId).toList());

        Router.Route dayBefore = routing.routeBetweenJunctions(ends[0], ends[1], Instant.parse("2031-05-09T10:00:00Z"),
                Profile.PEDESTRIAN);
        Router.Route during = routing.routeBetweenJunctions(ends[0], ends[1], Instant.parse("2031-05-15T10:00:00Z"),
                Profile.PEDESTRIAN);
        assertNotNull(dayBefore);
        assertNotNull(during);
        assertEquals(closedIds, new HashSet<>(elements(dayBefore)), "the day before, straight along Via dei Calzaiuoli");
        assertTrue(elements(during).stream().noneMatch(closedIds::contains), "in force: around it");
        assertTrue(during.lengthM() > dayBefore.lengthM() + 10, during.lengthM() + " vs " + dayBefore.lengthM());
        assertFalse(during.streets().contains("Via dei Calzaiuoli"), during.streets().toString());
    }

    /** The two outer junctions of consecutive stretches. */
    static long[] endsOf(List<Stretch> stretches) throws Exception {
        try (Connection c = Florence.database().connection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT j FROM road_element e, unnest(ARRAY[e.from_junction, e.to_junction]) j "
                     + "WHERE e.id IN (" + String.join(",", stretches.stream().map(s -> "" + s.elementId()).toList())
                     + ") GROUP BY j HAVING count(*) = 1 ORDER BY j")) {
            List<Long> ends = new ArrayList<>();
            while (rs.next()) ends.add(rs.getLong(1));
            assertEquals(2, ends.size(), "a continuous stretch has two ends: " + ends);
            return new long[]{ends.get(0), ends.get(1)};
        }
    }

    @Test
    void reversingAOneWayStreetChangesTheCarRouteAgainstItsOldDirection() throws Exception {
        Instant before = Instant.parse("2031-06-15T10:00:00Z"), during = Instant.parse("2031-07-15T10:00:00Z");
        // A one-way street of the centre that a car going against it must drive around.
        long element = -1, from = -1, to = -1;
        double length = 0;
        try (Connection c = db.connection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT e.id, e.from_junction, e.to_junction, e.length_m FROM road_element e "
                     + "WHERE e.direction = 'forward' AND e.element_type = 'carriageway' AND e.functional_class = 'F' "
                     + "AND e.length_m > 60 AND ST_DWithin(e.geom, ST_Transform(ST_SetSRID(ST_MakePoint(11.2560, 43.7731), "
                     + "4326), 6707), 1500) ORDER BY e.id")) {
            while (rs.next()) {
                Router.Route against = routing.routeBetweenJunctions(rs.getLong(3), rs.getLong(2), before, Profile.CAR);
                if (against != null && against.lengthM() > 3 * rs.getDouble(4)) {
                    element = rs.getLong(1);
                    from = rs.getLong(2);
                    to = rs.getLong(3);
                    length = rs.getDouble(4);
                    break;
                }
            }
        }
        assertTrue(element > 0, "a one-way street to reverse");
        measure("one_way", "2031-07-01T00:00:00+02:00", "2031-08-01T00:00:00+02:00",
                "{\"elements\": [{\"id\": " + element + ", \"direction\": \"backward\"}]}");

        Router.Route aroundBefore = routing.routeBetweenJunctions(to, from, before, Profile.CAR);
        Router.Route reversed = routing.routeBetweenJunctions(to, from, during, Profile.CAR);
        assertTrue(aroundBefore.lengthM() > 3 * length);
        assertEquals(List.of(element), elements(reversed), "reversed: straight down the street");
        assertEquals(length, reversed.lengthM(), 0.001);
        Router.Route alongOld = routing.routeBetweenJunctions(from, to, during, Profile.CAR);
        assertTrue(alongOld == null || !elements(alongOld).contains(element), "the old direction is closed now");
    }

    @Test
    void twoHundredRandomCarRoutesAgreeWithPgRoutingWithinATenthOfAPercent() throws Exception {
        Instant t = Instant.parse("2020-01-01T12:00:00Z");
        String edges = "SELECT id, from_junction AS source, to_junction AS target, "
                + "CASE WHEN direction IN ('both', 'forward') THEN length_m ELSE -1 END AS cost, "
                + "CASE WHEN direction IN ('both', 'backward') THEN length_m ELSE -1 END AS reverse_cost "
                + "FROM road_element WHERE status = 'in_use' AND functional_class IS DISTINCT FROM 'F-bis' "
                + "AND element_type NOT IN ('pedestrian', 'cycleway') AND (valid_to IS NULL OR valid_to > now())";
        List<long[]> pairs = new ArrayList<>();
        List<Double> oracle = new ArrayList<>();
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pgrouting");
            st.execute("CREATE TEMP TABLE pair AS WITH j AS (SELECT DISTINCT source AS id FROM (" + edges
                    + ") e), picked AS (SELECT id, row_number() OVER (ORDER BY md5(id::text || 'seed')) AS n FROM j) "
                    + "SELECT a.id AS source, b.id AS target FROM picked a JOIN picked b ON b.n = a.n + 200 WHERE a.n <= 200");
            try (ResultSet rs = st.executeQuery("SELECT p.source, p.target, d.agg_cost FROM pair p LEFT JOIN "
                    + "pgr_dijkstraCost($$" + edges + "$$, 'SELECT source, target FROM pair', directed => true) d "
                    + "ON d.start_vid = p.source AND d.end_vid = p.target ORDER BY p.source")) {
                while (rs.next()) {
                    pairs.add(new long[]{rs.getLong(1), rs.getLong(2)});
                    double cost = rs.getDouble(3);
                    oracle.add(rs.wasNull() ? null : cost);
                }
            }
        }
        assertEquals(200, pairs.size());
        int routed = 0;
        for (int i = 0; i < pairs.size(); i++) {
            Router.Route r = routing.routeBetweenJunctions(pairs.get(i)[0], pairs.get(i)[1], t, Profile.CAR);
            Double expected = oracle.get(i);
            if (expected == null) {
                assertEquals(null, r, "pgRouting finds no route for pair " + i);
                continue;
            }
            assertNotNull(r, "pgRouting finds a route of " + expected + " m for pair " + i);
            assertEquals(expected, r.lengthM(), expected * 0.001, "pair " + i);
            routed++;
        }
        assertTrue(routed > 150, routed + " of 200 pairs routed");
    }
}
