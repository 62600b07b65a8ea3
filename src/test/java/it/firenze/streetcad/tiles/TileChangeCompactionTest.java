package it.firenze.streetcad.tiles;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static it.firenze.streetcad.testing.TestPostgis.execute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tile change log says where the cadastre changed, in the tiles' CRS, and does not grow with the cadastre's
 * history: changes past their retention are compacted into
 * one row per grid cell, and two instances over the database keep serving the same ETags through a compaction.
 */
class TileChangeCompactionTest {

    /** The z15 tile over the Duomo, and one over the hills north of Fiesole where the cadastre has nothing. */
    private static final TileAddress DUOMO = new TileAddress(15, 17408, 11943);
    private static final TileAddress EMPTY = new TileAddress(15, 17420, 11930);
    private static final TileSettings SETTINGS = new TileSettings(15, 256, 20_000, 1_000_000, 16L << 20,
            "public, no-cache", 50, TileSettings.DEFAULT_CHANGE_RETENTION);

    @Test
    void changesPastTheirRetentionBecomeOneRowPerCellAndEveryInstanceAgreesOnTheNewEtags() throws Exception {
        try (Database db = TestPostgis.newCadastre();
             TileService a = TileService.start(db, SETTINGS);
             TileService b = TileService.start(db, SETTINGS)) {
            // Given an element by the Duomo edited 300 times, a long history of changes in one place
            execute(db, "INSERT INTO road (id, name) VALUES (1, 'Via dei Calzaiuoli')");
            execute(db, "INSERT INTO road_element (road_id, functional_class, geom) VALUES (1, 'C', ST_Transform("
                    + "ST_SetSRID(ST_MakeLine(ST_MakePoint(11.252, 43.7731), ST_MakePoint(11.260, 43.7731)), 4326), 6707))");
            for (int i = 0; i < 300; i++) execute(db, "UPDATE road_element SET lanes = " + (1 + i % 3) + " WHERE road_id = 1");
            long history = count(db, "SELECT count(*) FROM tile_change");
            assertTrue(history >= 300, "every edit logs its place: " + history);
            Tile before = a.tile(TileLayer.ROAD_ELEMENTS, TileFormat.MVT, DUOMO, null);
            String emptyBefore = a.etag(TileLayer.ROAD_ELEMENTS, TileFormat.MVT, EMPTY, null);
            assertEquals(before.etag(), b.etag(TileLayer.ROAD_ELEMENTS, TileFormat.MVT, DUOMO, null));

            // When that history is past its retention and compacted (as any instance does every few minutes)
            execute(db, "UPDATE tile_change SET changed_at = now() - interval '2 days'");
            assertEquals(history, a.compact());

            // Then the log holds one row per 1 km cell the element met, whatever the number of edits
            List<Long> cells = ids(db);
            assertTrue(cells.size() <= 4, "a 650 m line meets at most a few cells: " + cells.size());
            assertEquals(0, count(db, "SELECT count(*) FROM tile_change WHERE source <> 'compacted'"));
            // and every instance purged the tile and serves the same new ETag, also one that never cached it
            String after = awaitNewEtag(a, DUOMO, before.etag());
            assertEquals(after, awaitNewEtag(b, DUOMO, before.etag()));
            try (TileService fresh = TileService.start(db, SETTINGS)) {
                assertEquals(after, fresh.etag(TileLayer.ROAD_ELEMENTS, TileFormat.MVT, DUOMO, null));
            }
            assertArrayEquals(before.body(), a.tile(TileLayer.ROAD_ELEMENTS, TileFormat.MVT, DUOMO, null).body(),
                    "a compaction changes no tile's content");
            // while a tile away from every compacted cell keeps its ETag (its clients keep getting 304s)
            assertEquals(emptyBefore, b.etag(TileLayer.ROAD_ELEMENTS, TileFormat.MVT, EMPTY, null));

            // When nothing new is old enough, a compaction leaves the log as it is (no cell is announced again)
            assertEquals(0, a.compact());
            assertEquals(cells, ids(db));

            // When the element is edited again and that edit too is compacted
            execute(db, "UPDATE road_element SET lanes = 4 WHERE road_id = 1");
            String edited = awaitNewEtag(a, DUOMO, after);
            execute(db, "UPDATE tile_change SET changed_at = now() - interval '2 days' WHERE source <> 'compacted'");
            assertTrue(b.compact() > 0);

            // Then its cells are replaced, not added to, and the ETag is again one never served before
            List<Long> recompacted = ids(db);
            assertEquals(cells.size(), recompacted.size());
            assertTrue(recompacted.getFirst() > cells.getLast(), "the cells come back with new ids: " + recompacted);
            String again = awaitNewEtag(b, DUOMO, edited);
            assertEquals(again, awaitNewEtag(a, DUOMO, edited));
            assertEquals(4, Set.copyOf(List.of(before.etag(), after, edited, again)).size());
        }
    }

    private static String awaitNewEtag(TileService service, TileAddress address, String old) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String now = service.tile(TileLayer.ROAD_ELEMENTS, TileFormat.MVT, address, null).etag();
        while (now.equals(old) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            now = service.tile(TileLayer.ROAD_ELEMENTS, TileFormat.MVT, address, null).etag();
        }
        assertNotEquals(old, now, "the tile was not purged");
        return now;
    }

    /** The log holds where a change is in the tiles' CRS, whether an element was edited or its road renamed. */
    @Test
    void anEditAndARenameLogThePlaceOfTheElementInTheTilesCrs() throws Exception {
        try (Database db = TestPostgis.newCadastre()) {
            execute(db, "INSERT INTO road (id, name) VALUES (1, 'Via dei Calzaiuoli')");
            execute(db, "INSERT INTO road_element (road_id, functional_class, geom) VALUES (1, 'C', ST_Transform("
                    + "ST_SetSRID(ST_MakeLine(ST_MakePoint(11.2551, 43.7700), ST_MakePoint(11.2555, 43.7731)), 4326), 6707))");
            execute(db, "DELETE FROM tile_change");
            execute(db, "UPDATE road_element SET speed_limit = 30 WHERE road_id = 1");
            execute(db, "UPDATE road SET name = 'Via Calzaiuoli' WHERE id = 1");
            String logged = "SELECT count(*) FROM tile_change c, road_element e WHERE c.source = '%s' "
                    + "AND ST_SRID(c.extent) = 3857 AND ST_OrderingEquals(c.extent, ST_Transform(e.geom, 3857))";
            assertEquals(1, count(db, logged.formatted("road_element")), "the edit: the element, once (as it was and is)");
            assertEquals(1, count(db, logged.formatted("road")), "the rename: the road's element");
            assertEquals(2, count(db, "SELECT count(*) FROM tile_change"));
        }
    }

    private static long count(Database db, String sql) throws SQLException {
        return ((Number) TestPostgis.single(db, sql)).longValue();
    }


    private static List<Long> ids(Database db) throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT id FROM tile_change ORDER BY id")) {
            List<Long> ids = new java.util.ArrayList<>();
            while (rs.next()) ids.add(rs.getLong(1));
            assertEquals(ids.size(), new HashSet<>(ids).size());
            return ids;
        }
    }
}
