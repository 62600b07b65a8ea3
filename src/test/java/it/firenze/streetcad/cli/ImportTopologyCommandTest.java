package it.firenze.streetcad.cli;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.testing.TestPostgis;
import it.firenze.streetcad.topology.TopologyValidation;
import it.firenze.streetcad.topology.ValidationOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

import static it.firenze.streetcad.cli.CommandLineTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code streetcad import} with the topology engine: findings are reported and do not block unless asked
 * ({@code --fail-on}); {@code --build-network} turns raw lines into elements from junction to junction.
 */
class ImportTopologyCommandTest {

    @TempDir
    static Path tmp;
    static String dbUrl;
    static Database db;
    static Path crossing;

    /** Two streets crossing at grade in the middle of Florence, drawn as two raw lines with no junction. */
    @BeforeAll
    static void prepare() throws Exception {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        dbUrl = url.jdbcUrl() + "?user=" + url.user() + "&password=" + url.password();
        db = Database.connect(url, 6707, 2);
        db.migrate();
        Path geojson = tmp.resolve("crossing.geojson");
        Files.writeString(geojson, """
                {"type":"FeatureCollection","features":[
                 {"type":"Feature","properties":{"osm_id":1,"name":"Via Uno","highway":"residential"},
                  "geometry":{"type":"LineString","coordinates":[[11.2500,43.7700],[11.2520,43.7700]]}},
                 {"type":"Feature","properties":{"osm_id":2,"name":"Via Due","highway":"residential"},
                  "geometry":{"type":"LineString","coordinates":[[11.2510,43.7690],[11.2510,43.7710]]}}]}
                """);
        crossing = tmp.resolve("crossing.shp");
        Process p = new ProcessBuilder("ogr2ogr", crossing.toString(), geojson.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
    }

    @AfterAll
    static void close() {
        db.close();
    }

    long count(String sql) throws SQLException {
        try (var c = db.connection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void givenTwoStreetsCrossingWithoutAJunctionWhenFailingOnErrorsThenNothingIsWrittenAndWithoutItTheyAreBuiltIntoANetwork()
            throws Exception {
        var refused = run("import", crossing.toString(), "--db-url", dbUrl, "--fail-on", "error");
        assertEquals(1, refused.exitCode(), refused.out() + refused.err());
        assertTrue(refused.out().contains("crossing-without-junction"), refused.out());
        assertTrue(refused.err().contains("--fail-on error") && refused.err().contains("Nothing was written"), refused.err());
        assertEquals(0, count("SELECT count(*) FROM road_element"));

        var built = run("import", crossing.toString(), "--db-url", dbUrl, "--build-network");
        assertEquals(0, built.exitCode(), built.out() + built.err());
        assertTrue(built.out().contains("network built: 4 elements between 5 junctions"), built.out());
        assertEquals(4, count("SELECT count(*) FROM road_element"));
        assertEquals(1, count("SELECT count(*) FROM junction WHERE degree = 4"));
        assertEquals(4, count("SELECT count(*) FROM topology_issue WHERE rule = 'dead-end'"),
                "the four open ends are recorded as the cadastre's open issues");
        assertEquals(0, count("SELECT count(*) FROM topology_issue WHERE rule = 'crossing-without-junction'"));
    }

    @Test
    void givenAnIssueElsewhereWhenTheCrossingIsImportedAsItIsThenItsFindingsBecomeOpenIssuesAndTheOtherIssueKeepsItsRow()
            throws Exception {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        try (Database other = Database.connect(url, 6707, 2)) {
            other.migrate();
            try (var c = other.connection(); var st = c.createStatement()) {
                // A lone street in Prato, 15 km away: its two dead ends are open issues before the import.
                st.execute("INSERT INTO road_element (geom) VALUES (ST_Transform(ST_GeomFromText("
                        + "'LINESTRING(11.0900 43.8800, 11.0920 43.8800)', 4326), 6707))");
            }
            var validation = new TopologyValidation(other);
            validation.complete(validation.begin(null, ValidationOptions.defaults(), Actor.system("test")), null, ValidationOptions.defaults());
            String before = ids(other, "SELECT string_agg(id::text, ',' ORDER BY id) FROM topology_issue");

            var imported = run("import", crossing.toString(), "--db-url",
                    url.jdbcUrl() + "?user=" + url.user() + "&password=" + url.password());

            assertEquals(0, imported.exitCode(), imported.out() + imported.err());
            assertEquals("1", ids(other, "SELECT count(*)::text FROM topology_issue WHERE rule = 'crossing-without-junction'"),
                    "the import's own finding is kept as the cadastre's open issue");
            assertEquals(before, ids(other, "SELECT string_agg(i.id::text, ',' ORDER BY i.id) FROM topology_issue i "
                    + "WHERE NOT EXISTS (SELECT 1 FROM road_element e WHERE e.id = ANY (i.element_ids) "
                    + "AND ST_X(ST_Transform(ST_StartPoint(e.geom), 4326)) > 11.2)"),
                    "only the neighbourhood of the import was validated again");
        }
    }

    static String ids(Database database, String sql) throws SQLException {
        try (var c = database.connection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void anUnknownFailOnSeverityIsWrongUsage() {
        var wrong = run("import", crossing.toString(), "--db-url", dbUrl, "--fail-on", "sometimes");
        assertEquals(2, wrong.exitCode(), wrong.err());
        assertTrue(wrong.err().contains("--fail-on"), wrong.err());
    }
}
