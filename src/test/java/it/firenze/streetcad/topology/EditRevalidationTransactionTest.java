package it.firenze.streetcad.topology;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.locationtech.jts.geom.Envelope;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given road elements in an empty cadastre, an edit and the re-validation of where it reaches are one transaction:
 * saved together or not at all, and judged after every edit over the same ground that committed before them.
 */
class EditRevalidationTransactionTest {

    static Database db;
    static final EditableType ELEMENTS = EditableType.byCollection("road-elements").orElseThrow();
    static final Actor EDITOR = Actor.system("test");

    @BeforeAll
    static void start() {
        db = TestPostgis.newCadastre();
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @Test
    void twoEditorsChangingTheTwoElementsOfAPseudoNodeAtOnceLeaveTheFindingTheirJointResultHas() throws Exception {
        Edits edits = new Edits(db);
        long a = create(edits, "[[11.3000, 43.8000], [11.3010, 43.8000]]", 30);
        long b = create(edits, "[[11.3010, 43.8000], [11.3020, 43.8000]]", 50);
        ExecutorService editors = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 12; round++) {
                int limitA = speedLimit(a), limitB = speedLimit(b);
                // Swapped, both alike, both new and unlike: in the first two each edit alone would judge the
                // junction wrongly if it did not see the other's.
                int[] next = switch (round % 3) {
                    case 0 -> new int[]{limitB, limitA};
                    case 1 -> new int[]{60 + round, 60 + round};
                    default -> new int[]{80 + round, 100 + round};
                };
                CyclicBarrier together = new CyclicBarrier(2);
                Future<?> first = editors.submit(() -> setSpeedLimit(edits, a, next[0], together));
                Future<?> second = editors.submit(() -> setSpeedLimit(edits, b, next[1], together));
                first.get();
                second.get();
                boolean alike = next[0] == next[1];
                assertEquals(List.of(alike ? "mergeable-pseudo-node" : "pseudo-node"), openAtJunction(a, b),
                        "round " + round + ": speed limits " + next[0] + " and " + next[1]);
            }
        } finally {
            editors.shutdownNow();
        }
    }

    @Test
    void aLineMovedWhoseReValidationCannotBeRecordedIsNotSavedEither() throws Exception {
        Edits edits = new Edits(db);
        long id = create(edits, "[[11.3100, 43.8000], [11.3110, 43.8000]]", 30);
        long version = version(id);
        String line = wkt(id);
        TestPostgis.execute(db, "CREATE FUNCTION refuse_validation() RETURNS trigger LANGUAGE plpgsql AS "
                + "$$ BEGIN RAISE EXCEPTION 'validations refused for the test'; END $$");
        TestPostgis.execute(db, "CREATE TRIGGER refuse_validation BEFORE INSERT ON topology_validation "
                + "FOR EACH ROW EXECUTE FUNCTION refuse_validation()");
        try {
            assertThrows(SQLException.class, () -> edits.patch(ELEMENTS, id, Expected.of(version), moved(), EDITOR));
            assertEquals(version, version(id), "the edit was rolled back with its re-validation");
            assertEquals(line, wkt(id));
        } finally {
            TestPostgis.execute(db, "DROP TRIGGER refuse_validation ON topology_validation");
            TestPostgis.execute(db, "DROP FUNCTION refuse_validation()");
        }
        Edits.Outcome done = edits.patch(ELEMENTS, id, Expected.of(version), moved(), EDITOR);
        assertEquals("succeeded", done.validated().status());
        assertEquals(version + 1, version(id));
    }

    @Test
    void groundLockedForOneEditWaitsOnlyEditsMeetingItsCellsOrAWideEditsDistricts() throws Exception {
        double x = 680_000, y = 4_850_000;
        Envelope cell = new Envelope(x + 10, x + 20, y + 10, y + 20);
        Envelope sameCell = new Envelope(x + 100, x + 110, y + 100, y + 110);
        Envelope nextCell = new Envelope(x + 300, x + 310, y + 10, y + 20);
        Envelope wide = new Envelope(x - 5_000, x + 5_000, y - 5_000, y + 5_000);
        Envelope farAway = new Envelope(x + 50_000, x + 50_010, y, y + 10);
        try (Connection holder = db.connection()) {
            holder.setAutoCommit(false);
            GroundLocks.lockGround(holder, cell);
            assertFalse(locks(sameCell), "another edit in the same cell waits");
            assertTrue(locks(nextCell), "an edit in the next cell goes on");
            assertFalse(locks(wide), "a wide edit over the cell waits");
            holder.rollback();
            GroundLocks.lockGround(holder, wide);
            try (Statement st = holder.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_locks "
                    + "WHERE locktype = 'advisory' AND pid = pg_backend_pid()")) {
                rs.next();
                assertTrue(rs.getInt(1) <= GroundLocks.MOST_CELLS, "10 km square held by " + rs.getInt(1) + " locks");
            }
            assertFalse(locks(nextCell), "an edit inside a wide edit's ground waits");
            assertTrue(locks(farAway), "an edit away from it goes on");
            holder.rollback();
            assertTrue(locks(sameCell), "nothing waits once the transaction has ended");
        }
    }

    /**
     * Given ground of an edit across Italy (a line from Aosta to Lecce, which the storage CRS covers), when it is
     * locked, then it holds one lock, not one per district (31,250 of them, past PostgreSQL's lock table: a 500), and
     * every other edit waits for it.
     */
    @Test
    void groundAcrossItalyIsLockedWholeWithOneLockAndEveryOtherEditWaits() throws Exception {
        double x = 680_000, y = 4_850_000;
        Envelope acrossItaly = new Envelope(x - 250_000, x + 250_000, y - 900_000, y + 100_000);
        try (Connection holder = db.connection()) {
            holder.setAutoCommit(false);
            GroundLocks.lockGround(holder, acrossItaly);
            try (Statement st = holder.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_locks "
                    + "WHERE locktype = 'advisory' AND pid = pg_backend_pid()")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
            assertFalse(locks(new Envelope(x + 10, x + 20, y + 10, y + 20)), "an edit in one cell waits");
            assertFalse(locks(new Envelope(x - 5_000, x + 5_000, y - 5_000, y + 5_000)), "a wide edit waits");
            holder.rollback();
            assertTrue(locks(new Envelope(x + 10, x + 20, y + 10, y + 20)), "nothing waits once it has ended");
        }
    }

    /** Whether the ground locks at once (a wait is cut after 300 ms). */
    private static boolean locks(Envelope area) throws SQLException {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL lock_timeout = '300ms'");
            }
            try {
                GroundLocks.lockGround(c, area);
                return true;
            } catch (SQLException e) {
                if ("55P03".equals(e.getSQLState())) return false;
                throw e;
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    private static Edits.Input moved() {
        return new Edits.Input(null, line("[[11.3100, 43.8001], [11.3110, 43.8001]]"), 4326, false);
    }

    private static void setSpeedLimit(Edits edits, long id, int limit, CyclicBarrier together) {
        try {
            ObjectNode patch = JsonNodeFactory.instance.objectNode().put("speed_limit", limit);
            long version = version(id);
            together.await();
            Edits.Outcome done = edits.patch(ELEMENTS, id, Expected.of(version), new Edits.Input(patch, null, 4326, false), EDITOR);
            assertEquals("succeeded", done.validated().status());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long create(Edits edits, String coordinates, int speedLimit) throws SQLException {
        ObjectNode properties = JsonNodeFactory.instance.objectNode().put("functional_class", "F")
                .put("speed_limit", speedLimit);
        return edits.create(ELEMENTS, new Edits.Input(properties, line(coordinates), 4326, false), EDITOR).id();
    }

    /** A GeoJSON LineString of these lon/lat coordinates. */
    private static ObjectNode line(String coordinates) {
        ObjectNode geometry = JsonNodeFactory.instance.objectNode().put("type", "LineString");
        geometry.set("coordinates", parse(coordinates));
        return geometry;
    }

    /** The rules of the open issues about both elements (their shared junction's). */
    private static List<String> openAtJunction(long a, long b) throws SQLException {
        List<String> rules = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement st = c.prepareStatement(
                "SELECT rule FROM topology_issue WHERE element_ids @> ARRAY[?, ?]::bigint[] ORDER BY rule")) {
            st.setLong(1, a);
            st.setLong(2, b);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) rules.add(rs.getString(1));
            }
        }
        return rules;
    }

    private static int speedLimit(long id) throws SQLException {
        return ((Number) TestPostgis.single(db, "SELECT speed_limit FROM road_element WHERE id = ?", id)).intValue();
    }

    private static long version(long id) throws SQLException {
        return ((Number) TestPostgis.single(db, "SELECT version FROM road_element WHERE id = ?", id)).longValue();
    }

    private static String wkt(long id) throws SQLException {
        return (String) TestPostgis.single(db, "SELECT ST_AsText(geom) FROM road_element WHERE id = ?", id);
    }

    private static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
