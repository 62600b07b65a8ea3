package it.firenze.streetcad.importer;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.features.FeaturesModule;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import it.firenze.streetcad.tiles.TileService;
import it.firenze.streetcad.tiles.TileSettings;
import it.firenze.streetcad.tiles.TilesModule;
import it.firenze.streetcad.topology.NetworkBuild;
import it.firenze.streetcad.topology.NetworkBuilder;
import it.firenze.streetcad.topology.TopologyModule;
import it.firenze.streetcad.topology.TopologyPreCommitCheck;
import it.firenze.streetcad.importer.shapefile.ArchiveLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static it.firenze.streetcad.testing.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17: an end without a junction is derived from the cadastre (open_topology_issue, V28), not stored. Given
 * the lines around the Duomo imported with every rule checked and no network built, every NULL end is an open
 * issue in the API, the Features collection and the tiles, and none is a row of topology_issue.
 */
class DerivedJunctionEndsTest {

    @TempDir
    Path tmp;
    Database db;
    Cadastre cadastre;
    TileService tiles;
    TestHttp http;

    static final String NO_JUNCTION = "/topology/issues?rule=endpoint-off-junction&limit=100000";

    @BeforeEach
    void open() throws Exception {
        db = TestPostgis.newCadastre();
        cadastre = new Cadastre(db);
        importDuomo();
        tiles = TileService.start(db, TileSettings.fromEnvironment(Map.of()));
        http = TestHttp.withKey(db, Role.TECHNICIAN, new TopologyModule(db), new FeaturesModule(db), new TilesModule(tiles));
    }

    @AfterEach
    void close() throws Exception {
        http.close();
        tiles.close();
        db.close();
    }

    void importDuomo() {
        Path clipped = tmp.resolve("duomo_clipped.shp"), shp = tmp.resolve("duomo.shp");
        Gdal.ogr2ogr("-spat", "11.2530", "43.7715", "11.2580", "43.7745", "-clipsrc", "spat_extent",
                "-explodecollections", "-nlt", "LINESTRING", "-skipfailures", clipped.toString(), Gdal.FLORENCE.toString());
        Gdal.ogr2ogr("-dialect", "SQLite", "-sql", "SELECT * FROM duomo_clipped WHERE ST_Length(geometry) > 0.00002",
                "-explodecollections", shp.toString(), clipped.toString());
        ImportRequest request = ImportParameters.request("duomo.shp", shp, null, Mapping.preset("osm"), null, null,
                "append", null, ArchiveLimits.defaults(), null);
        try (ImportJobs jobs = new ImportJobs(db, List.of(TopologyPreCommitCheck.allRules()), 1)) {
            ImportJobs.Job staged = jobs.stageNow(request, ImportPipeline.Progress.NONE);
            ImportJobs.Job committed = jobs.commit(staged.id(), false, true, Actor.system("test"));
            assertEquals("committed", committed.state(), String.valueOf(committed.error()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Each issue listed as "element end", e.g. "12 start". */
    static List<String> ends(JsonNode collection) {
        List<String> out = new ArrayList<>();
        for (JsonNode f : collection.get("features")) {
            JsonNode p = f.get("properties");
            out.add(p.get("element_ids").get(0).asLong() + " " + p.get("parameters").get("end").asText());
        }
        return out;
    }

    List<String> nullEnds() {
        return cadastre.rows("SELECT id || ' start' FROM live_road_element WHERE from_junction IS NULL UNION ALL "
                + "SELECT id || ' end' FROM live_road_element WHERE to_junction IS NULL");
    }

    @Test
    void everyNullEndIsListedOnceAndNoneIsStored() {
        List<String> expected = nullEnds();
        long lines = cadastre.count("SELECT count(*) FROM live_road_element");
        assertTrue(lines > 100, "lines: " + lines);
        assertEquals(2 * lines, expected.size(), "no junction is built by an import that re-validates");

        JsonNode listed = json(http.get(NO_JUNCTION + "&severity=error"));
        List<String> got = ends(listed);
        assertEquals(new TreeSet<>(expected), new TreeSet<>(got));
        assertEquals(expected.size(), got.size(), "each end once");
        for (JsonNode f : listed.get("features")) {
            JsonNode p = f.get("properties");
            String which = p.get("parameters").get("end").asText();
            assertEquals("the element's " + which + " has no " + (which.equals("start") ? "from" : "to") + " junction",
                    p.get("explanation").asText());
            assertTrue(p.get("id").asLong() < 0, "derived ids are negative: " + p);
            assertEquals(32, p.get("fingerprint").asText().length());
            assertEquals("Point", f.get("geometry").get("type").asText());
        }
        assertEquals(0, cadastre.count("SELECT count(*) FROM topology_issue WHERE rule = 'endpoint-off-junction'"));
        // the element filter and the bbox filter reach them too
        String[] first = expected.getFirst().split(" ");
        assertEquals(2, json(http.get("/topology/issues?rule=endpoint-off-junction&element=" + first[0]))
                .get("features").size());
        assertFalse(json(http.get("/topology/issues?rule=endpoint-off-junction&bbox=11.2540,43.7720,11.2570,43.7740"))
                .get("features").isEmpty());
        // the validation that recorded the import counts them as before
        long errors = cadastre.count("SELECT (counts->>'error')::bigint FROM topology_validation ORDER BY id LIMIT 1");
        assertEquals(cadastre.count("SELECT count(*) FROM open_topology_issue WHERE severity = 'error'"), errors);
    }

    @Test
    void anAcceptedEndStaysAcceptedAfterARevalidationAndBuiltEndsDisappearWithoutOne() throws Exception {
        JsonNode first = json(http.get(NO_JUNCTION)).get("features").get(0);
        long id = first.get("id").asLong();
        String fingerprint = first.get("properties").get("fingerprint").asText();
        long changesBefore = cadastre.count("SELECT count(*) FROM tile_change");
        var accepted = http.post("/topology/issues/" + id + "/accept", "{\"note\": \"a dead end in the square\"}");
        assertEquals(200, accepted.statusCode(), accepted.body());
        assertTrue(cadastre.count("SELECT count(*) FROM tile_change") > changesBefore,
                "no row moved, yet the tiles showing it open are told");
        JsonNode after = json(http.get("/topology/issues?rule=endpoint-off-junction&accepted=true"));
        assertEquals(1, after.get("features").size());
        assertEquals(id, after.get("features").get(0).get("id").asLong());
        assertEquals(1, cadastre.count("SELECT count(*) FROM topology_exception WHERE fingerprint = '" + fingerprint + "'"));

        JsonNode done = http.runJob("/topology/validations", "", v -> !v.get("status").asText().equals("running"));
        assertEquals("succeeded", done.get("status").asText(), done.toString());
        after = json(http.get("/topology/issues?rule=endpoint-off-junction&accepted=true"));
        assertEquals(1, after.get("features").size(), "still accepted after a re-validation");
        assertEquals(fingerprint, after.get("features").get(0).get("properties").get("fingerprint").asText());
        assertEquals(0, cadastre.count("SELECT count(*) FROM topology_issue WHERE rule = 'endpoint-off-junction' "
                + "AND junction_ids = '{}'"), "the validation stored none either");

        long validations = cadastre.count("SELECT count(*) FROM topology_validation");
        long tileChanges = cadastre.count("SELECT count(*) FROM tile_change");
        // An element given its junctions by hand: its two ends leave the list at once, nothing re-validated
        long element = Long.parseLong(nullEnds().getLast().split(" ")[0]);
        try (var c = db.connection(); var st = c.createStatement()) {
            st.execute("INSERT INTO junction (geom) SELECT ST_StartPoint(geom) FROM road_element WHERE id = " + element);
            st.execute("INSERT INTO junction (geom) SELECT ST_EndPoint(geom) FROM road_element WHERE id = " + element);
            st.execute("UPDATE road_element SET from_junction = (SELECT j.id FROM junction j, road_element e WHERE "
                    + "e.id = " + element + " AND j.geom = ST_StartPoint(e.geom) LIMIT 1), to_junction = (SELECT j.id "
                    + "FROM junction j, road_element e WHERE e.id = " + element + " AND j.geom = ST_EndPoint(e.geom) "
                    + "LIMIT 1) WHERE id = " + element);
        }
        assertEquals(0, json(http.get("/topology/issues?rule=endpoint-off-junction&element=" + element))
                .get("features").size());
        assertEquals(validations, cadastre.count("SELECT count(*) FROM topology_validation"));
        assertTrue(cadastre.count("SELECT count(*) FROM tile_change") > tileChanges, "the element's tiles are told");

        // A built network: the list is the ends still without a junction, whatever the last validation said
        new NetworkBuild(db).apply(null, NetworkBuilder.DEFAULT_TOLERANCE, Actor.system("test"));
        assertEquals(new TreeSet<>(nullEnds()), new TreeSet<>(ends(json(http.get(NO_JUNCTION)))));
        assertEquals(0, nullEnds().size(), "the build gave every end a junction");
    }

    @Test
    void theFeaturesCollectionPagesThroughThemByKeysetWithoutDuplicates() {
        Set<Long> ids = new HashSet<>();
        List<Long> order = new ArrayList<>();
        String next = "/collections/topology-issues/items?limit=100";
        int pages = 0;
        while (next != null) {
            JsonNode page = json(http.get(next));
            for (JsonNode f : page.get("features")) {
                long id = f.get("id").asLong();
                assertTrue(ids.add(id), "feature " + id + " twice");
                order.add(id);
            }
            next = null;
            for (JsonNode link : page.get("links")) {
                if (link.get("rel").asText().equals("next")) {
                    String href = link.get("href").asText();
                    next = href.substring(href.indexOf("/collections/"));
                    assertTrue(URLDecoder.decode(href, StandardCharsets.UTF_8).contains("after="), href);
                }
            }
            pages++;
        }
        assertEquals(cadastre.count("SELECT count(*) FROM open_topology_issue"), ids.size());
        assertEquals(nullEnds().size(), ids.stream().filter(i -> i < 0).count());
        assertTrue(pages > 2, "pages: " + pages);
        List<Long> sorted = new ArrayList<>(order);
        sorted.sort(null);
        assertEquals(sorted, order, "in id order");
        // a derived issue is an item of its own
        long derived = order.getFirst();
        assertTrue(derived < 0);
        JsonNode item = json(http.get("/collections/topology-issues/items/" + derived));
        assertEquals(derived, item.get("id").asLong());
        assertEquals("endpoint-off-junction", item.get("properties").get("rule").asText());
    }

    @Test
    void theIssuesTileAtTheDuomoHoldsThem() {
        // The z16 tile of the Duomo (11.2559, 43.7731)
        int z = 16;
        double lon = 11.2559, lat = 43.7731;
        int x = (int) Math.floor((lon + 180) / 360 * (1 << z));
        double r = Math.toRadians(lat);
        int y = (int) Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * (1 << z));
        var response = http.get("/tiles/topology-issues/" + z + "/" + x + "/" + y + ".geojson");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode tile = json(response);
        long derived = 0;
        for (JsonNode f : tile.get("features")) {
            if (f.get("id").asLong() < 0) {
                derived++;
                assertEquals("endpoint-off-junction", f.get("properties").get("rule").asText());
            }
        }
        assertTrue(derived > 0, "derived ends in the tile: " + tile.get("features").size() + " features");
        assertNotNull(tile);
    }
}
