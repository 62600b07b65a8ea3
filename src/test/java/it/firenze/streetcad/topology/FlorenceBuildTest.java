package it.firenze.streetcad.topology;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given the Florence OSM sample (ways not split at junctions, bridges and tunnels tagged) as raw road elements,
 * when the network is built, then it is a junction-to-junction network, checked by PostGIS and pgRouting.
 */
class FlorenceBuildTest {

    static Database db;
    static Cadastre cadastre;
    static NetworkBuild.Summary summary;
    static List<Finding> findings;

    @BeforeAll
    static void build() throws Exception {
        db = FlorenceSample.newCadastre();
        cadastre = new Cadastre(db);
        summary = new NetworkBuild(db).apply(null, NetworkBuilder.DEFAULT_TOLERANCE, Actor.system("test")).summary();
        TopologyReader store = new TopologyReader(db);
        try (Connection c = db.connection()) {
            var options = ValidationOptions.defaults();
            findings = new Validator(new ValidationOptions(options.tolerance(), options.minLength(),
                    options.spikeAngle(), Integer.MAX_VALUE, null))
                    .validate(store.elements(c, null), store.junctions(c, null), null, p -> { });
        }
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void theWaysAreSplitIntoElementsBetweenJunctions() throws Exception {
        assertEquals(33_089, summary.sourceElements());
        assertTrue(summary.elements() > 2 * summary.sourceElements(), summary.toString());
        assertEquals(summary.elements(), cadastre.count("SELECT count(*) FROM live_road_element"));
        assertEquals(summary.junctions(), cadastre.count("SELECT count(*) FROM junction"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM live_road_element e JOIN junction f ON f.id = e.from_junction "
                + "JOIN junction t ON t.id = e.to_junction "
                + "WHERE NOT ST_Equals(ST_StartPoint(e.geom), f.geom) OR NOT ST_Equals(ST_EndPoint(e.geom), t.geom)"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM live_road_element WHERE from_junction IS NULL OR to_junction IS NULL"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM live_road_element WHERE source_key IS NULL"), "lineage kept");
    }

    @Test
    void noElementsCrossAtTheSameLevelWhileBridgesStillCrossRoads() throws Exception {
        String crossings = "SELECT count(*) FROM live_road_element a JOIN live_road_element b ON a.id < b.id AND a.geom && b.geom "
                + "WHERE %s AND ST_Crosses(a.geom, b.geom)";
        assertEquals(0, cadastre.count(String.format(crossings, "a.level = b.level AND a.layer = b.layer")));
        assertTrue(cadastre.count(String.format(crossings, "a.level <> b.level")) > 100,
                "bridges and tunnels cross roads without a junction");
        assertEquals(0, count(Rule.CROSSING_WITHOUT_JUNCTION) + count(Rule.ENDPOINT_ON_INTERIOR)
                + count(Rule.ENDPOINT_OFF_JUNCTION) + count(Rule.ORPHAN_JUNCTION), byRule().toString());
    }

    /**
     * pgRouting's own topology (pgr_createTopology snaps ends within 1 mm into vertices, pgr_analyzeGraph counts the
     * edges at each) must see the same junctions and the same dead ends as the build, here on the centre: its
     * row-by-row PL/pgSQL would take minutes on the whole city.
     */
    @Test
    void junctionsAndDeadEndsAgreeWithPgRouting() throws Exception {
        cadastre.execute("CREATE EXTENSION IF NOT EXISTS pgrouting");
        cadastre.execute("CREATE TABLE centre AS SELECT id, geom, from_junction, to_junction, "
                + "NULL::bigint AS source, NULL::bigint AS target FROM live_road_element "
                + "WHERE geom && ST_Transform(ST_MakeEnvelope(11.245, 43.765, 11.265, 43.775, 4326), 6707)");
        cadastre.execute("SELECT pgr_createTopology('centre', 0.001, 'geom', 'id')");
        cadastre.execute("SELECT pgr_analyzeGraph('centre', 0.001, 'geom', 'id')");
        assertEquals(cadastre.count("SELECT count(*) FROM centre_vertices_pgr"), cadastre.count(
                "SELECT count(DISTINCT j) FROM (SELECT from_junction j FROM centre UNION SELECT to_junction FROM centre) t"));
        long deadEnds = cadastre.count("SELECT count(*) FROM centre_vertices_pgr WHERE cnt = 1");
        assertTrue(deadEnds > 10, deadEnds + " dead ends");
        assertEquals(deadEnds, cadastre.count("SELECT count(*) FROM (SELECT j FROM (SELECT from_junction j FROM centre "
                + "UNION ALL SELECT to_junction FROM centre) t GROUP BY j HAVING count(*) = 1) d"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM centre c JOIN centre_vertices_pgr s ON s.id = c.source "
                + "JOIN junction j ON j.id = c.from_junction WHERE NOT ST_Equals(s.the_geom, j.geom)"));
    }

    @Test
    void islandsAreThePgRoutingComponentsBesideTheLargest() throws Exception {
        cadastre.execute("CREATE EXTENSION IF NOT EXISTS pgrouting");
        long components = cadastre.count("SELECT count(DISTINCT component) FROM pgr_connectedComponents("
                + "'SELECT id, from_junction AS source, to_junction AS target, 1 AS cost, 1 AS reverse_cost "
                + "FROM live_road_element')");
        assertEquals(components - 1, count(Rule.ISLAND));
    }

    static long count(Rule rule) {
        return findings.stream().filter(f -> f.rule() == rule).count();
    }

    static Map<String, Long> byRule() {
        Map<String, Long> m = new TreeMap<>();
        findings.forEach(f -> m.merge(f.rule().id(), 1L, Long::sum));
        return m;
    }
}
