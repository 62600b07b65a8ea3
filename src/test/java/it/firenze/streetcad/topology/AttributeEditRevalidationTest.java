package it.firenze.streetcad.topology;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.editing.EditableType;
import it.firenze.streetcad.editing.Edits;
import it.firenze.streetcad.features.ItemResponses.Expected;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given the Florence sample with the open issues of a validation of the whole city recorded, edits of road elements'
 * attributes are re-validated at the elements' ends only ({@link EditReach.Ends}); the open issues they leave must be
 * exactly those a new validation of the whole city finds.
 */
class AttributeEditRevalidationTest {

    static Database db;
    static final EditableType ELEMENTS = EditableType.byCollection("road-elements").orElseThrow();
    static final Actor EDITOR = Actor.system("test");

    @BeforeAll
    static void load() throws Exception {
        db = FlorenceSample.newCadastre();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void attributeEditsReValidatedAtTheirEndsLeaveTheIssuesAWholeValidationFinds() throws Exception {
        TopologyValidation validation = new TopologyValidation(db);
        ValidationOptions all = ValidationOptions.defaults();
        validation.complete(validation.begin(null, all, EDITOR), null, all);
        Edits edits = new Edits(db);
        int raised = 0, closed = 0;

        // Elements that differ from the one they meet at a pseudo-node take its attributes: the junction could now go.
        for (List<Long> pair : pseudoNodePairs(12)) {
            Map<String, Object> like = attributes(pair.get(1));
            ObjectNode patch = JsonNodeFactory.instance.objectNode();
            like.forEach((k, v) -> {
                if (v != null) patch.set(k, Json.mapper().valueToTree(v));
            });
            TopologyValidation.Around around = edit(edits, pair.get(0), patch);
            raised += around.raised().size();
            closed += around.closed().size();
        }
        // Elements across the centre change class, direction, speed limit or surface.
        List<Long> centre = centreElements();
        for (int k = 0; k < centre.size(); k++) {
            ObjectNode patch = JsonNodeFactory.instance.objectNode();
            switch (k % 4) {
                case 0 -> patch.put("functional_class", k % 8 == 0 ? "E" : "F");
                case 1 -> patch.put("direction", k % 8 == 1 ? "forward" : "backward");
                case 2 -> patch.put("speed_limit", 20 + k);
                default -> patch.put("surface", "sett");
            }
            TopologyValidation.Around around = edit(edits, centre.get(k), patch);
            raised += around.raised().size();
            closed += around.closed().size();
        }
        assertTrue(raised > 10 && closed > 10, "the edits changed findings: raised " + raised + ", closed " + closed);

        List<String> whole = new ArrayList<>();
        validation.run(null, all, p -> { }).findings().forEach(f -> whole.add(said(f.rule().id(), f.fingerprint(),
                f.elementIds().toString())));
        List<String> open = openIssues();
        assertEquals(List.of(), without(whole, open), "found by a validation of the whole city but not open");
        assertEquals(List.of(), without(open, whole), "open but not found by a validation of the whole city");
    }

    /** What {@code all} has beyond {@code these}, each as many times more as it has it. */
    private static List<String> without(List<String> all, List<String> these) {
        Map<String, Integer> left = new java.util.HashMap<>();
        these.forEach(s -> left.merge(s, 1, Integer::sum));
        List<String> rest = new ArrayList<>();
        for (String s : all) {
            if (left.getOrDefault(s, 0) > 0) left.merge(s, -1, Integer::sum);
            else rest.add(s);
        }
        return rest;
    }

    private static TopologyValidation.Around edit(Edits edits, long id, ObjectNode patch)
            throws SQLException {
        Edits.Outcome done = edits.patch(ELEMENTS, id, Expected.of(version(id)), new Edits.Input(patch, null, 4326, false), EDITOR);
        assertInstanceOf(EditReach.Ends.class, done.reach(), "an edit of " + patch + " reaches the element's ends only");
        TopologyValidation.Around around = done.validated();
        assertEquals("succeeded", around.status(), "re-validated in the edit's own transaction");
        return around;
    }

    private static String said(String rule, String fingerprint, String elements) {
        return rule + " " + fingerprint + " " + elements;
    }

    private static List<String> openIssues() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement st = c.prepareStatement(
                "SELECT rule, fingerprint, element_ids FROM open_topology_issue")) {
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    List<Long> ids = new ArrayList<>();
                    for (Object o : (Object[]) rs.getArray(3).getArray()) ids.add(((Number) o).longValue());
                    out.add(said(rs.getString(1), rs.getString(2), ids.toString()));
                }
            }
        }
        return out;
    }

    /** Pairs of elements at a pseudo-node in the centre whose attributes differ, no element in two pairs. */
    private static List<List<Long>> pseudoNodePairs(int n) throws SQLException {
        List<List<Long>> pairs = new ArrayList<>();
        java.util.Set<Long> used = new java.util.HashSet<>();
        for (List<Long> ids : longs("SELECT element_ids FROM topology_issue WHERE rule = 'pseudo-node' AND location && "
                + "ST_Transform(ST_MakeEnvelope(11.245, 43.765, 11.265, 43.778, 4326), 6707) ORDER BY id")) {
            if (pairs.size() == n) break;
            if (ids.size() != 2 || used.contains(ids.get(0)) || used.contains(ids.get(1))) continue;
            used.addAll(ids);
            pairs.add(ids);
        }
        return pairs;
    }

    private static List<Long> centreElements() throws SQLException {
        List<Long> out = new ArrayList<>();
        longs("SELECT ARRAY[id] FROM road_element WHERE geom && ST_Transform(ST_MakeEnvelope(11.25, 43.768, "
                + "11.26, 43.775, 4326), 6707) AND id % 9 = 0 ORDER BY id LIMIT 40").forEach(a -> out.add(a.get(0)));
        return out;
    }

    private static List<List<Long>> longs(String sql) throws SQLException {
        List<List<Long>> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement st = c.prepareStatement(sql);
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                List<Long> ids = new ArrayList<>();
                for (Object o : (Object[]) rs.getArray(1).getArray()) ids.add(((Number) o).longValue());
                out.add(ids);
            }
        }
        return out;
    }

    /** The element's attributes that the end rules compare, as a patch would set them. */
    private static Map<String, Object> attributes(long id) throws SQLException {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        try (Connection c = db.connection(); PreparedStatement st = c.prepareStatement("SELECT road_id, "
                + "functional_class::text, element_type, carriageways, lanes, width_m, surface, direction, status, "
                + "speed_limit FROM road_element WHERE id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    out.put(rs.getMetaData().getColumnName(i).replace("::text", ""), rs.getObject(i));
                }
            }
        }
        return out;
    }

    private static long version(long id) throws SQLException {
        return ((Number) TestPostgis.single(db, "SELECT version FROM road_element WHERE id = ?", id)).longValue();
    }
}
