package it.firenze.streetcad.importer;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.testing.TestPostgis;
import it.firenze.streetcad.topology.TopologyPreCommitCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17: a first load (the table empty) builds the table's secondary indexes after its rows, and checks its foreign
 * keys over them in one query where setting a key aside locks no one out, in the commit's transaction; the import runs
 * as the server does, as a role that reads and writes rows and owns no index.
 */
class FirstLoadTest {

    private static final AtomicInteger ROLES = new AtomicInteger();
    private static final int SRID = DatabaseSettings.DEFAULT_STORAGE_SRID;
    /** Lines around the Duomo (about 600), and its western and eastern halves. */
    private static final double WEST = 11.2530, MIDDLE = 11.2555, EAST = 11.2580, SOUTH = 43.7715, NORTH = 43.7745;

    @TempDir
    Path tmp;
    /** The schema's owner: migrations, and the faults a test injects. */
    Database owner;
    /** The server's kind of role (the README's grants for an existing PostGIS). */
    Database app;
    /** app's role */
    String role;
    Cadastre cadastre;

    @BeforeEach
    void open() throws SQLException {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        owner = Database.connect(url, SRID, 4);
        owner.migrate();
        role = "first_load_" + ProcessHandle.current().pid() + "_" + ROLES.incrementAndGet();
        String password = UUID.randomUUID().toString().replace("-", "");
        for (String grant : List.of("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'",
                "GRANT USAGE, CREATE ON SCHEMA public TO " + role,
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role,
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + role)) {
            TestPostgis.execute(owner, grant);
        }
        app = Database.connect(new DatabaseUrl(url.jdbcUrl(), role, password), SRID, 8);
        cadastre = new Cadastre(owner);
    }

    @AfterEach
    void close() {
        app.close();
        owner.close();
    }

    /** The tables' indexes, each as its name and definition. */
    static List<String> indexes(Cadastre cadastre) {
        return cadastre.rows("SELECT c.relname || ': ' || pg_get_indexdef(i.indexrelid) FROM pg_index i "
                + "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid::regclass::text IN ('road_element', "
                + "'topology_issue') ORDER BY 1");
    }

    /** The tables' indexes, each as its name and object id: a dropped and recreated index has a new one. */
    List<String> indexObjects() {
        return cadastre.rows("SELECT c.relname || '=' || c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                + "WHERE i.indrelid::regclass::text IN ('road_element', 'topology_issue') ORDER BY 1");
    }

    /** The secondary indexes a first load rebuilds: neither primary key nor unique. */
    List<String> secondary() {
        return cadastre.rows("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE "
                + "i.indrelid::regclass::text IN ('road_element', 'topology_issue') AND NOT i.indisunique ORDER BY 1");
    }

    /**
     * What {@code count} (an SQL count) answers through the index {@code index} only, and with every index set aside,
     * on one connection; fails when the planner does not read {@code index} for it.
     */
    List<Long> throughIndexAndWithout(String index, String count) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = owner.connection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SET LOCAL enable_seqscan = off");
            StringBuilder plan = new StringBuilder();
            try (var rs = st.executeQuery("EXPLAIN " + count)) {
                while (rs.next()) plan.append(rs.getString(1)).append('\n');
            }
            assertTrue(plan.toString().contains(index), plan.toString());
            out.add(single(st, count));
            st.execute("SET LOCAL enable_seqscan = on");
            st.execute("SET LOCAL enable_indexscan = off");
            st.execute("SET LOCAL enable_bitmapscan = off");
            out.add(single(st, count));
            c.rollback();
        }
        return out;
    }

    private static long single(Statement st, String sql) throws SQLException {
        try (var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aFirstLoadRebuildsTheMigrationsIndexesOverItsRows() throws SQLException {
        // Given an empty cadastre
        List<String> migrated;
        try (Database fresh = TestPostgis.newCadastre()) {
            migrated = indexes(new Cadastre(fresh));
        }
        List<String> before = indexObjects();

        // When the lines around the Duomo are imported by the server's role, committed and their findings recorded
        FlorenceBoxes.importBox(app, tmp, "duomo", WEST, SOUTH, EAST, NORTH);
        long elements = cadastre.count("SELECT count(*) FROM road_element");
        long issues = cadastre.count("SELECT count(*) FROM topology_issue");
        assertTrue(elements > 100 && issues > 50, elements + " elements, " + issues + " issues");

        // Then both tables' secondary indexes were built after the rows (new objects), their primary keys kept
        assertEquals(secondary(), renewed(before, indexObjects()));
        // and the indexes are exactly the migrations', names and definitions
        assertEquals(migrated, indexes(cadastre));
        // and they hold every row: a box query through each GiST finds what a scan of the table finds
        String box = "ST_Transform(ST_MakeEnvelope(11.2540, 43.7720, 11.2570, 43.7740, 4326), " + SRID + ")";
        List<Long> lines = throughIndexAndWithout("road_element_geom", "SELECT count(*) FROM road_element WHERE geom && " + box);
        assertTrue(lines.getFirst() > 50 && lines.getFirst() < elements, "lines in the box: " + lines);
        assertEquals(lines.getFirst(), lines.getLast());
        List<Long> located = throughIndexAndWithout("topology_issue_location",
                "SELECT count(*) FROM topology_issue WHERE location && " + box);
        assertTrue(located.getFirst() > 10 && located.getFirst() < issues, "issues in the box: " + located);
        assertEquals(located.getFirst(), located.getLast());
    }

    @Test
    void aCommitIntoACadastreWithRowsLeavesItsIndexesAsTheyAre() {
        // Given the lines of the western half imported, with their open issues recorded
        FlorenceBoxes.importBox(app, tmp, "west", WEST, SOUTH, MIDDLE, NORTH);
        assertTrue(cadastre.count("SELECT count(*) FROM topology_issue") > 0);
        List<String> before = indexObjects();

        // When the eastern half is imported beside them
        FlorenceBoxes.importBox(app, tmp, "east", MIDDLE, SOUTH, EAST, NORTH);

        // Then neither table's indexes were dropped: the very same objects
        assertEquals(before, indexObjects());
    }

    /** road_element's foreign keys, each as its name and definition. */
    static List<String> keys(Cadastre cadastre) {
        return cadastre.rows("SELECT conname || ': ' || pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' "
                + "ELSE ' (not validated)' END FROM pg_constraint WHERE conrelid = 'road_element'::regclass "
                + "AND contype = 'f' ORDER BY 1");
    }

    /** road_element's foreign keys, each as its name and object id: a key set aside and added back has a new one. */
    List<String> keyObjects() {
        return cadastre.rows("SELECT conname || '=' || oid FROM pg_constraint WHERE conrelid = 'road_element'::regclass "
                + "AND contype = 'f' ORDER BY 1");
    }

    /** The objects of {@code after} that are not those of {@code before}, by name: those dropped and made again. */
    private static List<String> renewed(List<String> before, List<String> after) {
        return after.stream().filter(o -> !before.contains(o)).map(o -> o.substring(0, o.indexOf('='))).toList();
    }

    /** What the server's role is refused when it writes an element of a road that does not exist. */
    private String refusedForAMissingRoad() {
        try (Connection c = app.connection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO road_element (road_id, geom) VALUES (987654321, ST_Transform("
                    + "'SRID=4326;LINESTRING(11.25 43.77, 11.26 43.77)'::geometry, " + SRID + "))");
            return "written";
        } catch (SQLException e) {
            return e.getSQLState() + " " + e.getMessage();
        }
    }

    @Test
    void aFirstLoadChecksTheKeysOfEmptyTablesOverAllItsRowsAndCommitsThemAsMigrated() {
        // Given an empty cadastre
        List<String> migrated = keys(cadastre);
        List<String> before = keyObjects();
        assertEquals(5, before.size(), before.toString());

        // When the lines around the Duomo are imported by the server's role
        FlorenceBoxes.importBox(app, tmp, "duomo", WEST, SOUTH, EAST, NORTH);
        long ofARoad = cadastre.count("SELECT count(*) FROM road_element WHERE road_id IS NOT NULL");
        assertTrue(ofARoad > 50, ofARoad + " elements of a road");

        // Then every key was set aside and added back (new objects): its road, its junctions (both tables empty) and
        // the elements it was split from and merged into (road_element itself)
        assertEquals(List.of("road_element_from_junction_fkey", "road_element_merged_into_fkey", "road_element_road_id_fkey",
                "road_element_split_from_fkey", "road_element_to_junction_fkey"), renewed(before, keyObjects()));
        // and they are the migrations' keys, validated
        assertEquals(migrated, keys(cadastre));
        // and they hold: an element of a road that does not exist is refused
        String refused = refusedForAMissingRoad();
        assertTrue(refused.startsWith("23503") && refused.contains("road_element_road_id_fkey"), refused);
    }

    @Test
    void aKeyToATableInUseOrWithRowsIsCheckedRowByRowAndTheLoadDoesNotWait() throws Exception {
        // Given a road with no element yet (the roads' table has a row)
        cadastre.execute("INSERT INTO road (name) VALUES ('Via senza elementi')");
        List<String> before = keyObjects();
        // and a reader of the junctions in the middle of its transaction, which ends when the import is done or after
        // 30 s: a load that waited for the junctions' table would have it after the reader, and set its keys aside
        CountDownLatch reading = new CountDownLatch(1), imported = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().start(() -> {
            try (Connection c = owner.connection(); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.executeQuery("SELECT count(*) FROM junction").close();
                reading.countDown();
                imported.await(30, TimeUnit.SECONDS);
                c.rollback();
            } catch (SQLException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(reading.await(30, TimeUnit.SECONDS));

        // When the lines around the Duomo are imported into the empty road_element
        FlorenceBoxes.importBox(app, tmp, "duomo", WEST, SOUTH, EAST, NORTH);
        imported.countDown();
        reader.join();

        // Then the keys to the roads (a row) and to the junctions (in use) were kept, checked row by row; the two to
        // road_element itself were set aside
        assertEquals(List.of("road_element_merged_into_fkey", "road_element_split_from_fkey"), renewed(before, keyObjects()));
        String refused = refusedForAMissingRoad();
        assertTrue(refused.startsWith("23503") && refused.contains("road_element_road_id_fkey"), refused);
    }

    @Test
    void aRowThatBreaksAKeySetAsideFailsTheLoadAndLeavesTheKeyAsItWas() throws SQLException {
        List<String> before = keyObjects();
        try (Connection c = app.connection(); Statement st = c.createStatement()) {
            // Given a first load into road_element with its keys set aside
            c.setAutoCommit(false);
            assertTrue(single(st, "SELECT first_load_drop_indexes('road_element')") > 0);
            assertEquals(5, single(st, "SELECT first_load_set_aside_keys('road_element')"));
            // When it writes an element of a road that does not exist
            st.execute("INSERT INTO road_element (road_id, geom) VALUES (987654321, ST_Transform("
                    + "'SRID=4326;LINESTRING(11.25 43.77, 11.26 43.77)'::geometry, " + SRID + "))");
            // Then adding the keys back refuses it, naming the key
            SQLException refused = assertThrows(SQLException.class,
                    () -> st.execute("SELECT first_load_restore_indexes('road_element')"));
            assertEquals("23503", refused.getSQLState(), refused.getMessage());
            assertTrue(refused.getMessage().contains("road_element_road_id_fkey"), refused.getMessage());
            c.rollback();
            c.setAutoCommit(true);
        }
        // and the keys are as they were, the same objects, and nothing was written
        assertEquals(before, keyObjects());
        assertEquals(0, cadastre.count("SELECT count(*) FROM road_element"));
    }

    /** What PostgreSQL says of each index a first load of {@code table}, in {@code fill}, builds (DEBUG1 notices). */
    private List<String> rebuildNotices(String table, String fill) throws SQLException {
        List<String> said = new ArrayList<>();
        try (Connection c = app.connection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            assertTrue(single(st, "SELECT first_load_drop_indexes('" + table + "')") > 0);
            st.execute(fill);
            st.execute("SET LOCAL client_min_messages = debug1");
            st.execute("SELECT first_load_restore_indexes('" + table + "')");
            for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                if (w.getMessage().startsWith("building index")) said.add(w.getMessage());
            }
            c.rollback();
            c.setAutoCommit(true);
        }
        return said;
    }

    @Test
    void aFirstLoadBuildsALargeTablesBTreesWithParallelWorkersAndACitysAlone() throws SQLException {
        // Given a table of about 80 MB with a B-tree, and an empty road_element
        cadastre.execute("CREATE TABLE first_load_large (id bigint PRIMARY KEY, code bigint, padding text)");
        cadastre.execute("CREATE INDEX first_load_large_code ON first_load_large (code)");
        cadastre.execute("GRANT SELECT, INSERT ON first_load_large TO " + role);

        // When each is loaded first, the large one with 600,000 rows, road_element with a city's share of lines
        List<String> large = rebuildNotices("first_load_large", "INSERT INTO first_load_large SELECT i, i % 977, "
                + "repeat('x', 100) FROM generate_series(1, 600000) i");
        List<String> city = rebuildNotices("road_element", "INSERT INTO road_element (geom) SELECT ST_Transform(ST_SetSRID("
                + "ST_MakeLine(ST_MakePoint(11.25 + i * 1e-5, 43.77), ST_MakePoint(11.25 + i * 1e-5, 43.771))::geometry, 4326), "
                + SRID + ") FROM generate_series(1, 2000) i");

        // Then the large table's B-tree is built with workers, and road_element's indexes on the backend alone
        assertEquals(1, large.size(), large.toString());
        assertTrue(large.getFirst().contains("first_load_large_code") && large.getFirst().contains("parallel workers"),
                large.toString());
        assertEquals(secondary().stream().filter(i -> i.startsWith("road_element")).count(), city.size(), city.toString());
        assertTrue(city.stream().allMatch(m -> m.endsWith("serially")), city.toString());
    }

    @Test
    void aFirstLoadThatFailsAfterItsIndexesWereDroppedLeavesThemAllAndNoRow() {
        // Given a fault in the INSERT of the elements, which notes (in a sequence: not rolled back) how many indexes
        // road_element had when it struck
        List<String> before = indexObjects();
        cadastre.execute("CREATE SEQUENCE indexes_at_fault MINVALUE 0");
        cadastre.execute("CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN "
                + "PERFORM setval('indexes_at_fault', (SELECT count(*) FROM pg_index WHERE indrelid = 'road_element'::regclass)); "
                + "RAISE EXCEPTION 'injected fault'; END $$");
        cadastre.execute("CREATE TRIGGER fault AFTER INSERT ON road_element FOR EACH STATEMENT EXECUTE FUNCTION fault()");

        // When the lines around the Duomo are imported into the empty cadastre, the commit fails
        try (ImportJobs jobs = new ImportJobs(app, List.of(TopologyPreCommitCheck.allRules()), 1)) {
            ImportJobs.Job job = FlorenceBoxes.stageAndCommit(jobs, FlorenceBoxes.box(tmp, "duomo", WEST, SOUTH, EAST, NORTH));
            assertEquals("validated", job.state(), "the commit failed and can be retried");
        }

        // Then it struck after the secondary indexes were dropped
        long all = cadastre.count("SELECT count(*) FROM pg_index WHERE indrelid = 'road_element'::regclass");
        assertEquals(all - secondary().stream().filter(i -> i.startsWith("road_element")).count(),
                cadastre.count("SELECT last_value FROM indexes_at_fault"));
        // and every index is back as it was, the same objects, and nothing was written
        assertEquals(before, indexObjects());
        assertEquals("0/0/0", cadastre.one("SELECT (SELECT count(*) FROM road_element) || '/' || (SELECT count(*) FROM road) "
                + "|| '/' || (SELECT count(*) FROM topology_issue)"));
    }

    @Test
    void aTransactionThatDroppedTheIndexesCannotCommitWithoutThem() throws SQLException {
        List<String> before = indexObjects();
        try (Connection c = app.connection(); Statement st = c.createStatement()) {
            // Given the server's role, which cannot drop an index itself
            SQLException notOwner = assertThrows(SQLException.class, () -> st.execute("DROP INDEX road_element_geom"));
            assertTrue(notOwner.getMessage().contains("must be owner"), notOwner.getMessage());
            // When it has road_element's secondary indexes dropped for a first load and commits without recreating them
            c.setAutoCommit(false);
            assertEquals(secondary().stream().filter(i -> i.startsWith("road_element")).count(),
                    single(st, "SELECT first_load_drop_indexes('road_element')"));
            SQLException refused = assertThrows(SQLException.class, c::commit);
            // Then the commit is refused, and the indexes are as they were
            assertTrue(refused.getMessage().contains("would commit without its index"), refused.getMessage());
            c.setAutoCommit(true);
        }
        assertEquals(before, indexObjects());
    }

    @Test
    void theIndexesOfATableWithRowsAreNeverDropped() throws SQLException {
        // Given a road element
        cadastre.execute("INSERT INTO road_element (geom) VALUES (ST_Transform('SRID=4326;LINESTRING(11.25 43.77, 11.26 43.77)'::geometry, " + SRID + "))");
        List<String> before = indexObjects();
        try (Connection c = app.connection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            // When a load into road_element asks for its indexes to be dropped, even after it deleted every row
            st.execute("DELETE FROM road_element");
            // Then none is: the others still see the row until this transaction commits
            assertEquals(0, single(st, "SELECT first_load_drop_indexes('road_element')"));
            c.rollback();
            c.setAutoCommit(true);
        }
        assertEquals(before, indexObjects());
        assertNotEquals(List.of(), before);
    }
}
