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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17: a first load (the table empty) builds the table's secondary indexes after its rows, in the commit's
 * transaction; the import runs as the server does, as a role that reads and writes rows and owns no index.
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
    Cadastre cadastre;

    @BeforeEach
    void open() throws SQLException {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        owner = Database.connect(url, SRID, 4);
        owner.migrate();
        String role = "first_load_" + ProcessHandle.current().pid() + "_" + ROLES.incrementAndGet();
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
        List<String> after = indexObjects();
        List<String> rebuilt = before.stream().filter(o -> !after.contains(o)).map(o -> o.substring(0, o.indexOf('='))).toList();
        assertEquals(secondary(), rebuilt);
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
