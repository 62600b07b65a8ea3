package it.firenze.streetcad.cli;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.testing.TestPostgis;
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

/** {@code streetcad import}: exit 0 only when committed or a clean dry run; wrong usage 2, refused input 1. */
class ImportCommandTest {

    static final Path CASES = Path.of("src", "test", "resources", "shapefile-cases");

    @TempDir
    static Path tmp;
    static String dbUrl;
    static Database db;
    static Path fiftyStreets;

    @BeforeAll
    static void prepare() throws Exception {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        dbUrl = url.jdbcUrl() + "?user=" + url.user() + "&password=" + url.password();
        db = Database.connect(url, 6707, 2);
        db.migrate();
        fiftyStreets = tmp.resolve("fifty.shp");
        Process p = new ProcessBuilder("ogr2ogr", "-limit", "50", fiftyStreets.toString(),
                "geodata/florence-osm/florence_highways.shp").inheritIO().start();
        assertEquals(0, p.waitFor());
    }

    @AfterAll
    static void close() {
        db.close();
    }

    long elements() throws SQLException {
        try (var c = db.connection(); var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM road_element")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aCleanDryRunExitsZeroAndWritesNothingThenTheImportCommits() throws Exception {
        long before = elements();
        var dry = run("import", fiftyStreets.toString(), "--db-url", dbUrl, "--dry-run");
        assertEquals(0, dry.exitCode(), dry.err() + dry.out());
        assertTrue(dry.out().contains("50 read") && dry.out().contains("dry run: clean"), dry.out());
        assertTrue(dry.err().contains("reading: 100%"), "plain progress lines when not on a terminal: " + dry.err());
        assertEquals(before, elements());

        var real = run("import", fiftyStreets.toString(), "--db-url", dbUrl, "--mapping", "osm");
        assertEquals(0, real.exitCode(), real.err() + real.out());
        assertTrue(real.out().contains("committed (append): 50 elements inserted"), real.out());
        assertEquals(before + 50, elements());
    }

    @Test
    void invalidFeaturesRefuseTheImportUnlessSkipped() throws Exception {
        long before = elements();
        String layer = CASES.resolve("polylines.shp").toString();
        var dry = run("import", layer, "--db-url", dbUrl, "--dry-run");
        assertEquals(1, dry.exitCode(), dry.out());
        assertTrue(dry.out().contains("feature 2, geometry, error"), dry.out());
        var refused = run("import", layer, "--db-url", dbUrl);
        assertEquals(1, refused.exitCode());
        assertTrue(refused.err().contains("invalid") && refused.err().contains("Nothing was written"), refused.err());
        assertEquals(before, elements());
        var skipped = run("import", layer, "--db-url", dbUrl, "--skip-invalid");
        assertEquals(0, skipped.exitCode(), skipped.err());
        assertEquals(before + 1, elements());
    }

    @Test
    void aPointLayerOrAMissingCrsIsRefusedWithExitCodeOne() throws Exception {
        var points = run("import", CASES.resolve("points.shp").toString(), "--db-url", dbUrl);
        assertEquals(1, points.exitCode());
        assertTrue(points.err().contains("Point") && points.err().contains("lines"), points.err());

        Path noPrj = Files.createDirectories(tmp.resolve("noprj"));
        for (String ext : new String[]{"shp", "shx", "dbf"}) {
            Files.copy(fiftyStreets.resolveSibling("fifty." + ext), noPrj.resolve("fifty." + ext));
        }
        var noCrs = run("import", noPrj.toString(), "--db-url", dbUrl);
        assertEquals(1, noCrs.exitCode());
        assertTrue(noCrs.err().contains("--srid"), noCrs.err());
        var unknown = run("import", noPrj.toString(), "--db-url", dbUrl, "--srid", "999999", "--dry-run");
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.err().contains("EPSG:999999") && unknown.err().contains("--srid"), unknown.err());
        var given = run("import", noPrj.toString(), "--db-url", dbUrl, "--srid", "4326", "--dry-run");
        assertEquals(0, given.exitCode(), given.err());
        assertTrue(given.out().contains("given explicitly"), given.out());
    }

    @Test
    void wrongOptionsAreUsageErrors() {
        String layer = fiftyStreets.toString();
        assertEquals(2, run("import", layer, "--db-url", dbUrl, "--mode", "merge").exitCode());
        assertEquals(2, run("import", layer, "--db-url", dbUrl, "--area", "11.2,43.7,11.3,43.8").exitCode());
        assertEquals(2, run("import", layer, "--db-url", dbUrl, "--mapping", "no-such-mapping").exitCode());
        assertEquals(2, run("import", tmp.resolve("missing.shp").toString(), "--db-url", dbUrl).exitCode());
        assertEquals(2, run("import", layer, "--no-such-option").exitCode());
    }
}
