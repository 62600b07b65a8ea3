package it.firenze.streetcad.tiles;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static it.firenze.streetcad.testing.TestPostgis.execute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A statement that changes many rows in the storage CRS (an import's findings recorded as open issues) logs, in the
 * tiles' CRS, boxes of about 1 km that together cover every changed geometry, a few hundred rows and not one a row.
 */
class TileChangeOfLargeChangesTest {

    /** 5,000 points in EPSG:6707 spread over 6 km × 4 km of Florence, in one INSERT. */
    private static final String SCATTERED = "SELECT 'endpoint-off-junction', 'info', 'an end', ST_Transform(ST_SetSRID("
            + "ST_MakePoint(11.20 + 0.075 * ((i * 7919) % 1000) / 1000.0, 43.75 + 0.036 * ((i * 104729) % 997) / 997.0), "
            + "4326), 6707), 'f' || i FROM generate_series(1, 5000) AS i";

    @Test
    void aLargeChangeInTheStorageCrsIsLoggedAsKilometreBoxesCoveringEveryGeometry() throws Exception {
        try (Database db = TestPostgis.newCadastre()) {
            long before = count(db, "SELECT coalesce(max(id), 0) FROM tile_change");

            // When 5,000 open issues are recorded in one statement
            execute(db, "INSERT INTO topology_issue (rule, severity, explanation, location, fingerprint) " + SCATTERED);

            // Then the log holds boxes per cell of about 1 km (6 km × 4 km: a few dozen), not a row per issue
            long rows = count(db, "SELECT count(*) FROM tile_change WHERE id > " + before);
            assertTrue(rows >= 24 && rows <= 120, "boxes of about 1 km over 6 km x 4 km: " + rows);
            double widest = number(db, "SELECT max(greatest(ST_XMax(extent) - ST_XMin(extent), ST_YMax(extent) "
                    + "- ST_YMin(extent))) FROM tile_change WHERE id > " + before);
            assertTrue(widest <= 2_100, "no box much wider than a 1 km cell of EPSG:3857: " + widest + " m");
            assertEquals(3857, count(db, "SELECT DISTINCT ST_SRID(extent) FROM tile_change WHERE id > " + before));
            // and every issue's place in the tiles' CRS is inside one of them
            assertEquals(0, count(db, "SELECT count(*) FROM topology_issue i WHERE NOT EXISTS (SELECT 1 FROM tile_change t "
                    + "WHERE t.id > " + before + " AND ST_Covers(t.extent, ST_Transform(i.location, 3857)))"));

            // When they are all closed in one statement, their places are logged the same way
            long recorded = count(db, "SELECT max(id) FROM tile_change");
            execute(db, "DELETE FROM topology_issue");
            assertTrue(count(db, "SELECT count(*) FROM tile_change WHERE id > " + recorded) == rows,
                    "the same cells as when they were recorded");
        }
    }

    @Test
    void aLargeChangeOfRoadElementsIsLoggedAsKilometreBoxesOfTheirTileGeometry() throws Exception {
        try (Database db = TestPostgis.newCadastre()) {
            execute(db, "INSERT INTO road (id, name) VALUES (1, 'Via di prova')");
            long before = count(db, "SELECT coalesce(max(id), 0) FROM tile_change");
            // When 1,000 short road elements over 6 km × 4 km are inserted in one statement (an import's commit)
            execute(db, "INSERT INTO road_element (road_id, functional_class, geom) SELECT 1, 'E', ST_Transform(ST_SetSRID("
                    + "ST_MakeLine(ST_MakePoint(x, y), ST_MakePoint(x + 0.0004, y + 0.0002)), 4326), 6707) FROM (SELECT "
                    + "11.20 + 0.075 * ((i * 7919) % 1000) / 1000.0 AS x, 43.75 + 0.036 * ((i * 104729) % 997) / 997.0 "
                    + "AS y FROM generate_series(1, 1000) AS i) p");
            // Then boxes of about 1 km in EPSG:3857 cover every element's tile geometry
            long rows = count(db, "SELECT count(*) FROM tile_change WHERE id > " + before);
            assertTrue(rows >= 24 && rows <= 120, "boxes of about 1 km over 6 km x 4 km: " + rows);
            assertEquals(0, count(db, "SELECT count(*) FROM road_element e WHERE NOT EXISTS (SELECT 1 FROM tile_change t "
                    + "WHERE t.id > " + before + " AND ST_Covers(t.extent, e.geom_3857))"));
        }
    }

    @Test
    void aChangeOfOnePlaceRepeatedManyTimesIsOneBox() throws Exception {
        try (Database db = TestPostgis.newCadastre()) {
            long before = count(db, "SELECT coalesce(max(id), 0) FROM tile_change");
            // When 300 issues at one and the same point are recorded in one statement (no extent to size cells from)
            execute(db, "INSERT INTO topology_issue (rule, severity, explanation, location, fingerprint) SELECT 'dead-end', "
                    + "'info', 'a dead end', ST_Transform(ST_SetSRID(ST_MakePoint(11.2558, 43.7731), 4326), 6707), 'd' || i "
                    + "FROM generate_series(1, 300) AS i");
            // Then one box, around that point in EPSG:3857
            assertEquals(1, count(db, "SELECT count(*) FROM tile_change WHERE id > " + before));
            assertEquals(1, count(db, "SELECT count(*) FROM tile_change WHERE id > " + before + " AND ST_Covers(extent, "
                    + "ST_Transform(ST_SetSRID(ST_MakePoint(11.2558, 43.7731), 4326), 3857))"));
        }
    }

    private static long count(Database db, String sql) throws SQLException {
        return ((Number) TestPostgis.single(db, sql)).longValue();
    }

    private static double number(Database db, String sql) throws SQLException {
        return ((Number) TestPostgis.single(db, sql)).doubleValue();
    }

}
