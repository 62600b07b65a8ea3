package it.firenze.streetcad.db;

import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given an empty PostGIS database, the cadastre migrations build a schema that refuses bad rows. */
class CadastreSchemaTest {

    static Database db;

    @BeforeAll
    static void migrate() {
        db = TestPostgis.newCadastre();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void migratingAgainChangesNothing() {
        String before = db.schemaVersion();
        var again = db.migrate();
        assertEquals(0, again.migrationsExecuted);
        assertEquals(before, db.schemaVersion());
    }

    @Test
    void theFourCadastreTablesHaveSpatialIndexes() throws SQLException {
        List<String> gist = query("SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%USING gist%' ORDER BY 1");
        assertTrue(gist.containsAll(List.of("junction", "road_element")), gist.toString());
        List<String> tables = query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
        assertTrue(tables.containsAll(List.of("road", "road_element", "junction", "element_event",
                "road_history", "road_element_history", "junction_history", "element_event_history")), tables.toString());
    }

    /**
     * Given a transaction cut by an Error its caller does not catch (an OutOfMemoryError in an edit, say), when its
     * connection's auto-commit is given back, then nothing of it is committed: JDBC's setAutoCommit(true) commits an
     * open transaction, which once saved half an edit whose geometry no reader could read.
     */
    @Test
    void aTransactionCutByAnErrorIsNotCommittedWhenItsConnectionIsGivenBack() throws SQLException {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                assertThrows(AssertionError.class, () -> {
                    try (var st = c.createStatement()) {
                        st.execute("INSERT INTO road (name) VALUES ('Via del Taglio')");
                    }
                    throw new AssertionError("cut off before the commit");
                });
            } finally {
                Database.restoreAutoCommit(c);
            }
        }
        assertEquals(List.of("0"), query("SELECT count(*) FROM road WHERE name = 'Via del Taglio'"));
    }

    @Test
    void anElementInAnotherSridIsRefused() {
        var e = assertThrows(SQLException.class, () -> exec(
                "INSERT INTO road_element (geom) VALUES (ST_GeomFromText('LINESTRING(11.25 43.77, 11.26 43.78)', 4326))"));
        assertTrue(e.getMessage().contains("SRID"), e.getMessage());
    }

    @Test
    void aPointIsNotARoadElement() {
        assertThrows(SQLException.class, () -> exec(
                "INSERT INTO road_element (geom) VALUES (ST_GeomFromText('POINT(681000 4849000)', 6707))"));
    }

    @Test
    void anUnknownFunctionalClassIsRefused() {
        var e = assertThrows(SQLException.class, () -> exec(
                "INSERT INTO road_element (geom, functional_class) VALUES "
                        + "(ST_GeomFromText('LINESTRING(681000 4849000, 681100 4849000)', 6707), 'G')"));
        assertEquals("22P02", e.getSQLState(), e.getMessage());
    }

    @Test
    void everyCodeOfTheCodiceDellaStradaIsAccepted() throws SQLException {
        for (String code : List.of("A", "B", "C", "D", "E", "E-bis", "F", "F-bis")) {
            exec("INSERT INTO road_element (geom, functional_class) VALUES "
                    + "(ST_GeomFromText('LINESTRING(681000 4849000, 681100 4849000)', 6707), '" + code + "')");
        }
    }

    @Test
    void anUnknownDirectionIsRefused() {
        var e = assertThrows(SQLException.class, () -> exec(
                "INSERT INTO road_element (geom, direction) VALUES "
                        + "(ST_GeomFromText('LINESTRING(681000 4849000, 681100 4849000)', 6707), 'sideways')"));
        assertEquals("23514", e.getSQLState());
    }

    @Test
    void anEventMeasureBeyondTheElementLengthIsRefused() throws SQLException {
        long element = insertElement100m();
        exec("INSERT INTO element_event (element_id, from_m, to_m, kind) VALUES (" + element + ", 10, 100, 'closure')");
        var e = assertThrows(SQLException.class, () -> exec(
                "INSERT INTO element_event (element_id, from_m, to_m, kind) VALUES (" + element + ", 10, 100.5, 'closure')"));
        assertEquals("23514", e.getSQLState());
        assertTrue(e.getMessage().contains("beyond the length"), e.getMessage());
        assertThrows(SQLException.class, () -> exec(
                "INSERT INTO element_event (element_id, from_m, to_m, kind) VALUES (" + element + ", 50, 20, 'closure')"));
        assertThrows(SQLException.class, () -> exec(
                "INSERT INTO element_event (element_id, from_m, to_m, kind) VALUES (" + element + ", -1, 20, 'closure')"));
    }

    @Test
    void shorteningAnElementUnderItsEventsIsRefused() throws SQLException {
        long element = insertElement100m();
        exec("INSERT INTO element_event (element_id, from_m, to_m, kind) VALUES (" + element + ", 0, 90, 'works')");
        var e = assertThrows(SQLException.class, () -> exec("UPDATE road_element SET geom = "
                + "ST_GeomFromText('LINESTRING(681000 4849000, 681050 4849000)', 6707) WHERE id = " + element));
        assertEquals("23514", e.getSQLState());
    }

    @Test
    void anUpdateBumpsTheVersionAndKeepsTheOldRowInHistoryWithItsRecordedEnd() throws SQLException {
        long element = insertElement100m();
        exec("UPDATE road_element SET speed_limit = 30 WHERE id = " + element);
        exec("UPDATE road_element SET speed_limit = 20 WHERE id = " + element);
        assertEquals(List.of("3"), query("SELECT version FROM road_element WHERE id = " + element));
        assertEquals(List.of("1|null|UPDATE", "2|30|UPDATE"), query(
                "SELECT version || '|' || coalesce(speed_limit::text, 'null') || '|' || operation FROM road_element_history "
                        + "WHERE id = " + element + " AND recorded_to IS NOT NULL ORDER BY version"));
        exec("DELETE FROM road_element WHERE id = " + element);
        assertEquals(List.of("DELETE"), query("SELECT operation FROM road_element_history WHERE id = " + element + " AND version = 3"));
    }

    @Test
    void lengthIsComputedInMetresOfTheStorageCrs() throws SQLException {
        long element = insertElement100m();
        assertEquals(List.of("100"), query("SELECT length_m::int FROM road_element WHERE id = " + element));
    }

    private long insertElement100m() throws SQLException {
        return Long.parseLong(query("INSERT INTO road_element (geom) VALUES "
                + "(ST_GeomFromText('LINESTRING(681000 4849000, 681100 4849000)', 6707)) RETURNING id").getFirst());
    }

    private void exec(String sql) throws SQLException {
        try (Connection c = db.connection(); var st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /**
     * Given the work connections (imports, jobs, edits), their statements are never JIT-compiled: PostGIS's function
     * costs lift an import's statements over PostgreSQL's jit_above_cost, and the compiling cost more than the
     * running (BENCHMARKS.md, issue 17, session 16).
     */
    @Test
    void workConnectionsRunWithoutPostgresJit() throws SQLException {
        assertEquals(List.of("off"), query("SHOW jit"));
    }

    private List<String> query(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
