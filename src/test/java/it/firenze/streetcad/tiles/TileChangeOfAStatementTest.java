package it.firenze.streetcad.tiles;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.Test;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static it.firenze.streetcad.testing.TestPostgis.execute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The tile-change rule is one (V34): a statement's trigger reads the changed geometries from its transition table,
 * record_tile_changes from an array, and both log the same rows for the same geometries, in each of the rule's
 * cases (up to 256 geometries one by one; more, in the tiles' CRS or in the storage CRS, merged per cell).
 */
class TileChangeOfAStatementTest {

    /** {@code n} short lines over 6 km × 4 km of Florence, in EPSG:6707. */
    private static String lines(int n) {
        return "SELECT ST_Transform(ST_SetSRID(ST_MakeLine(ST_MakePoint(x, y), ST_MakePoint(x + 0.0004, y + 0.0002)), "
                + "4326), 6707) AS g FROM (SELECT 11.20 + 0.075 * ((i * 7919) % 1000) / 1000.0 AS x, "
                + "43.75 + 0.036 * ((i * 104729) % 997) / 997.0 AS y FROM generate_series(1, " + n + ") AS i) p";
    }

    @Test
    void anInsertOfFewElementsLogsWhatTheRuleLogsForTheirGeometries() throws Exception {
        try (Database db = TestPostgis.newCadastre()) {
            // When 200 road elements are inserted in one statement
            List<String> logged = insertElements(db, 200);
            // Then the log holds each one's tile geometry, as the rule logs an array of them
            assertEquals(200, logged.size());
            assertEquals(logged, ruleOfElements(db));
        }
    }

    @Test
    void anInsertOfManyElementsLogsWhatTheRuleLogsForTheirGeometries() throws Exception {
        try (Database db = TestPostgis.newCadastre()) {
            // When 2,000 road elements are inserted in one statement (their tile geometries in EPSG:3857)
            List<String> logged = insertElements(db, 2000);
            // Then the log holds the same cells as the rule logs for an array of them
            assertFalse(logged.isEmpty());
            assertEquals(logged, ruleOfElements(db));
            // and an UPDATE of them all logs where they were and where they are, as the rule does for both sets
            execute(db, "CREATE TABLE was AS SELECT geom_3857 FROM road_element");
            List<String> moved = logOf(db, "UPDATE road_element SET geom = ST_Translate(geom, 500, 0)");
            assertEquals(moved, logOf(db, "SELECT record_tile_changes('road_element', ARRAY(SELECT geom_3857 FROM was) "
                    + "|| ARRAY(SELECT geom_3857 FROM road_element))"));
        }
    }

    @Test
    void aDeleteOfManyIssuesInTheStorageCrsLogsWhatTheRuleLogsForTheirPlaces() throws Exception {
        try (Database db = TestPostgis.newCadastre()) {
            execute(db, "INSERT INTO topology_issue (rule, severity, explanation, location, fingerprint) SELECT "
                    + "'dead-end', 'info', 'an end', ST_StartPoint(g), 'f' || row_number() OVER () FROM (" + lines(3000) + ") l");
            List<String> places = logOf(db, "SELECT record_tile_changes('topology_issue', ARRAY(SELECT location FROM "
                    + "topology_issue))");
            // When the 3,000 issues (points in EPSG:6707) are closed in one statement
            List<String> logged = logOf(db, "DELETE FROM topology_issue");
            // Then the log holds the same boxes as the rule logs for an array of their places
            assertFalse(logged.isEmpty());
            assertEquals(places, logged);
        }
    }

    /** Inserts {@code n} road elements of one road in one statement; what that logged. */
    private static List<String> insertElements(Database db, int n) throws SQLException {
        execute(db, "INSERT INTO road (id, name) VALUES (1, 'Via di prova')");
        return logOf(db, "INSERT INTO road_element (road_id, functional_class, geom) SELECT 1, 'E', g FROM (" + lines(n)
                + ") l");
    }

    /** What record_tile_changes logs for an array of the road elements' tile geometries. */
    private static List<String> ruleOfElements(Database db) throws SQLException {
        return logOf(db, "SELECT record_tile_changes('road_element', ARRAY(SELECT geom_3857 FROM road_element))");
    }

    /** What {@code sql} adds to the tile change log: source and extent (EWKT, 1 mm), sorted. */
    private static List<String> logOf(Database db, String sql) throws SQLException {
        long before = ((Number) TestPostgis.single(db, "SELECT coalesce(max(id), 0) FROM tile_change")).longValue();
        execute(db, sql);
        List<String> out = new ArrayList<>();
        try (var c = db.connection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT source || ' ' || ST_AsEWKT(extent, 3) FROM tile_change WHERE id > "
                     + before + " ORDER BY 1")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
