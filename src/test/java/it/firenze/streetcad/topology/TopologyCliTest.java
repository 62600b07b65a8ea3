package it.firenze.streetcad.topology;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.cli.CommandLineTest.Run;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static it.firenze.streetcad.cli.CommandLineTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The topology commands as a technician types them, against a real cadastre. */
class TopologyCliTest {

    Database db;
    Cadastre cadastre;
    String dbUrl;

    @BeforeEach
    void open() {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        db = Database.connect(url, 6707, 4);
        db.migrate();
        cadastre = new Cadastre(db);
        dbUrl = url.jdbcUrl() + "?user=" + url.user() + (url.password() == null ? "" : "&password=" + url.password());
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void networkBuildDryRunPreviewsAndBuildApplies() throws Exception {
        cadastre.element("a", "LINESTRING(0 0, 100 0)");
        cadastre.element("b", "LINESTRING(50 -50, 50 50)");
        Run preview = run("network", "build", "--dry-run", "--db-url", dbUrl);
        assertEquals(0, preview.exitCode(), preview.err());
        assertTrue(preview.out().contains("preview (nothing changed): 2 road elements read, 4 after the build"), preview.out());
        assertEquals(2, cadastre.count("SELECT count(*) FROM road_element"));

        Run build = run("network", "build", "--tolerance", "0.2", "--db-url", dbUrl);
        assertEquals(0, build.exitCode(), build.err());
        assertTrue(build.out().contains("network built: 2 road elements read, 4 after the build"), build.out());
        assertEquals(4, cadastre.count("SELECT count(*) FROM road_element"));
    }

    @Test
    void givenANetworkLargerThanTheHeapValidateSaysHowMuchItNeedsInsteadOfRunningOutOfMemory() throws Exception {
        // 100,000 five-vertex elements want about 110 MB by the heap budget; the JVM below has 48 MB.
        cadastre.execute("INSERT INTO road_element (geom) SELECT ST_MakeLine(ARRAY[ST_MakePoint(x, y), "
                + "ST_MakePoint(x + 1, y), ST_MakePoint(x + 2, y), ST_MakePoint(x + 3, y), ST_MakePoint(x + 4, y)])::geometry(LineString, 6707) "
                + "FROM generate_series(1, 100000) i, LATERAL (SELECT (i % 300) * 10.0 AS x, (i / 300) * 10.0 AS y) p");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m",
                "-cp", System.getProperty("java.class.path"), "it.firenze.streetcad.cli.Main", "validate", "--db-url", dbUrl)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), err);
        assertTrue(err.contains("100,000 lines") && err.contains("-Xmx") && !err.contains("OutOfMemoryError"), err);
    }

    @Test
    void validateReportsEachFindingAndExits1OnlyWhenThereIsAnError() throws Exception {
        cadastre.element("a", "LINESTRING(0 0, 100 0)");
        cadastre.element("b", "LINESTRING(50 -50, 50 50)");
        Run text = run("validate", "--db-url", dbUrl);
        assertEquals(1, text.exitCode(), text.err());
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("error   crossing-without-junction at 11.")
                && l.contains("two elements cross at the same level with no junction")), text.out());
        assertTrue(text.out().contains("errors (5 open)"), text.out());

        Run deadEnds = run("validate", "--rules", "dead-end", "--format", "csv", "--db-url", dbUrl);
        assertEquals(0, deadEnds.exitCode(), deadEnds.err());
        assertEquals("rule,severity,accepted,element_ids,junction_ids,lon,lat,explanation,parameters",
                deadEnds.out().lines().findFirst().orElseThrow());
        assertEquals(4, deadEnds.out().lines().filter(l -> l.startsWith("dead-end,info,false,")).count(), deadEnds.out());

        Run geojson = run("validate", "--rules", "crossing-without-junction", "--format", "geojson", "--db-url", dbUrl);
        var fc = it.firenze.streetcad.api.Json.mapper().readTree(geojson.out());
        assertEquals(1, fc.get("features").size());
        assertEquals("crossing-without-junction", fc.get("features").get(0).get("properties").get("rule").asText());
        assertEquals(2, cadastre.count("SELECT count(*) FROM road_element"), "validate changes nothing");
        assertEquals(0, cadastre.count("SELECT count(*) FROM topology_issue"), "validate stores nothing");

        new NetworkBuild(db).apply(null, NetworkBuilder.DEFAULT_TOLERANCE, Actor.system("test"));
        Run clean = run("validate", "--db-url", dbUrl);
        assertEquals(0, clean.exitCode(), clean.out());
    }

    @Test
    void fixPreviewsAsGeoJsonAndAppliesOnlyWithApply() throws Exception {
        cadastre.element("v", "LINESTRING(0 0, 5 0, 5 0, 10 0)");
        Run preview = run("fix", "remove-duplicate-vertices", "--db-url", dbUrl);
        assertEquals(0, preview.exitCode(), preview.err());
        assertTrue(preview.out().contains("\"action\":\"update\""), preview.out());
        assertTrue(preview.err().contains("preview (nothing changed): {update=1}"), preview.err());
        assertEquals(4, cadastre.count("SELECT ST_NPoints(geom) FROM road_element"));
        Run applied = run("fix", "remove-duplicate-vertices", "--apply", "--db-url", dbUrl);
        assertEquals(List.of("remove-duplicate-vertices applied: {update=1}",
                "open issues around the change re-validated: validation 1"), applied.out().lines().toList());
        assertEquals(3, cadastre.count("SELECT ST_NPoints(geom) FROM road_element"));
        assertEquals(1, run("fix", "paint-it-blue", "--db-url", dbUrl).exitCode());
    }

    @Test
    void anUnknownRuleIsNamedWithTheKnownOnes() {
        Run r = run("validate", "--rules", "dead-end,nonsense", "--db-url", dbUrl);
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("streetcad: --rules: unknown rule 'nonsense'; the rules are invalid-geometry,"),
                r.err());
    }

    @Test
    void aMalformedBboxIsOneLineAndExit1() {
        Run r = run("network", "build", "--bbox", "11.2,43.7,x,43.8", "--db-url", dbUrl);
        assertEquals(1, r.exitCode());
        assertEquals("streetcad: --bbox: bbox value 'x' is not a number", r.err().strip());
    }
}
