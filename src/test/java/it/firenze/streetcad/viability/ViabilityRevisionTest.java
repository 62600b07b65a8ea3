package it.firenze.streetcad.viability;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Given a cadastre with two elements, the network's revision (what the routing graph compares with its own) moves
 * with every committed change, never before it, and two editors of different elements never wait for each other.
 */
class ViabilityRevisionTest {

    static Database db;

    @BeforeAll
    static void start() throws SQLException {
        db = TestPostgis.newCadastre();
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO road_element (id, geom) VALUES "
                    + "(1, ST_GeomFromText('LINESTRING(681000 4849000, 681100 4849000)', 6707)), "
                    + "(2, ST_GeomFromText('LINESTRING(682000 4849000, 682100 4849000)', 6707))");
        }
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @Test
    void twoEditorsOfDifferentElementsDoNotWaitForEachOtherAndTheRevisionMovesAtEachCommit() throws SQLException {
        long before = network();
        try (Connection anna = db.connection(); Connection bruno = db.connection()) {
            anna.setAutoCommit(false);
            bruno.setAutoCommit(false);
            try (Statement a = anna.createStatement(); Statement b = bruno.createStatement()) {
                a.execute("UPDATE road_element SET speed_limit = 30 WHERE id = 1");
                // With a shared counter row Bruno's update waited for Anna's commit: here it would time out.
                b.execute("SET LOCAL lock_timeout = '2s'");
                b.execute("UPDATE road_element SET speed_limit = 50 WHERE id = 2");
                assertEquals(before, network(), "nothing committed yet, nothing to reload");
                bruno.commit();
                assertEquals(before + 1, network());
                anna.commit();
                assertEquals(before + 2, network());
                a.execute("UPDATE road_element SET speed_limit = 20 WHERE id = 1");
                anna.rollback();
                assertEquals(before + 2, network(), "a change rolled back is no change");
            }
        }
    }

    @Test
    void foldingFinishedChangesLeavesTheRevisionAsItWas() throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            for (int i = 0; i < 5; i++) st.execute("UPDATE road_element SET lanes = " + (i + 1) + " WHERE id = 2");
            long before = network();
            // The fold a writing transaction makes now and then (V21), made here at once.
            st.execute("SELECT fold_viability_changes()");
            assertEquals(0, count(st, "SELECT count(*) FROM viability_change WHERE subject = 'network'"));
            assertEquals(before, network());
        }
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long network() throws SQLException {
        try (Connection c = db.connection()) {
            return new ViabilityStore(db.storageSrid()).revisions(c)[0];
        }
    }
}
