package it.firenze.streetcad.tiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given Florence, StreetCad's tiles agree with two outside references from npm: {@code @mapbox/vector-tile} (the
 * decoder MapLibre uses) reads the MVT tiles as the same features as the GeoJSON tiles, and {@code geojson-vt}
 * (MapLibre's own GeoJSON tiler) cuts the same elements into tiles holding about as many features.
 * The packages are installed from the npm registry into {@code target/tiles-node}, for tests only.
 */
class TilesReferenceTest {

    static final Path NODE = Path.of("target", "tiles-node");
    static final TileSettings SETTINGS = new TileSettings(15, 256, 20_000, 1_000_000, 64L << 20, "no-cache", 1000);

    static Florence.Served florence;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isDirectory(NODE.resolve("node_modules/geojson-vt"))) {
            run(List.of("npm", "install", "--prefix", NODE.toString(), "--no-audit", "--no-fund", "--loglevel=error",
                    "geojson-vt@5.0.3", "@mapbox/vector-tile@3.0.0", "pbf@5.1.2"), null);
        }
        // Node resolves packages from the script's own folder up, hence the copy beside node_modules.
        Files.copy(Path.of("src/test/resources/tiles/reference.mjs"), NODE.resolve("reference.mjs"), StandardCopyOption.REPLACE_EXISTING);
        florence = Florence.serve(SETTINGS);
    }

    @AfterAll
    static void stop() {
        florence.close();
    }

    static String run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError(command + " failed: " + out);
        return out;
    }

    static byte[] bytes(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(florence.http().baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), path);
        return r.body();
    }

    /** The elements a zoom shows around the tiles, in CRS84, as the source both tilers cut. */
    static ObjectNode source(List<TileAddress> block, boolean detail) throws SQLException, IOException {
        TileAddress first = block.getFirst(), last = block.getLast();
        double margin = first.size();
        ArrayNode features = Json.mapper().createArrayNode();
        try (Connection c = florence.db().connection(); PreparedStatement st = c.prepareStatement("""
                SELECT json_build_object('type', 'Feature', 'id', e.id, 'properties', json_build_object('id', e.id),
                                         'geometry', ST_AsGeoJSON(ST_Transform(e.geom, 4326), 9)::json)::text
                FROM road_element e LEFT JOIN road r ON r.id = e.road_id
                WHERE ST_Transform(e.geom, 3857) && ST_MakeEnvelope(?, ?, ?, ?, 3857)
                  AND (? OR e.functional_class IN ('A', 'B', 'C', 'D') OR (e.functional_class = 'E' AND r.name IS NOT NULL))""")) {
            st.setDouble(1, Math.min(first.minX(), last.minX()) - margin);
            st.setDouble(2, Math.min(first.minY(), last.minY()) - margin);
            st.setDouble(3, Math.max(first.maxX(), last.maxX()) + margin);
            st.setDouble(4, Math.max(first.maxY(), last.maxY()) + margin);
            st.setBoolean(5, detail);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) features.add(Json.mapper().readTree(rs.getString(1)));
            }
        }
        ObjectNode fc = Json.mapper().createObjectNode();
        fc.put("type", "FeatureCollection");
        fc.set("features", features);
        return fc;
    }

    /** Runs the references over a block of tiles and returns their findings by tile. */
    static Map<TileAddress, JsonNode> references(List<TileAddress> block, boolean detail) throws Exception {
        ObjectNode input = Json.mapper().createObjectNode();
        input.set("source", source(block, detail));
        input.put("buffer", SETTINGS.bufferPixels());
        ArrayNode list = input.putArray("tiles");
        for (TileAddress t : block) {
            ObjectNode o = list.addObject();
            o.put("z", t.z()).put("x", t.x()).put("y", t.y());
            o.put("mvt", Base64.getEncoder().encodeToString(bytes("/tiles/road-elements/" + t + ".mvt")));
        }
        String out = run(List.of("node", NODE.resolve("reference.mjs").toString()), Json.mapper().writeValueAsString(input));
        Map<TileAddress, JsonNode> byTile = new HashMap<>();
        for (JsonNode r : Json.mapper().readTree(out)) {
            byTile.put(new TileAddress(r.get("z").asInt(), r.get("x").asInt(), r.get("y").asInt()), r);
        }
        return byTile;
    }

    static List<TileAddress> block(int z, int n) {
        return FlorenceTilesTest.block(z, n);
    }

    @Test
    void theMapboxDecoderReadsEachMvtTileAsTheFeaturesOfItsGeoJsonTile() throws Exception {
        List<TileAddress> block = new ArrayList<>(block(13, 1));
        block.addAll(block(16, 2));
        for (var entry : references(block, true).entrySet()) {
            TileAddress t = entry.getKey();
            JsonNode decoded = entry.getValue();
            assertEquals("[\"road-elements\"]", decoded.get("layers").toString(), "tile " + t);
            assertEquals(TileSettings.EXTENT, decoded.get("extent").asInt());
            Map<Long, JsonNode> geojson = new HashMap<>();
            TestHttp.json(florence.http().get("/tiles/road-elements/" + t + ".geojson")).get("features")
                    .forEach(f -> geojson.put(f.get("id").asLong(), f));
            Set<Long> ids = new TreeSet<>();
            for (JsonNode f : decoded.get("features")) {
                long id = f.get("id").asLong();
                ids.add(id);
                assertEquals(2, f.get("type").asInt(), "element " + id + " is a line");
                JsonNode expected = geojson.get(id);
                if (expected == null) continue;
                assertEquals(id, f.get("properties").get("id").asLong());
                assertEquals(expected.get("properties").get("functional_class").asText(null),
                        f.get("properties").path("functional_class").asText(null), "element " + id);
                JsonNode g = expected.get("geometry");
                int positions = 0;
                if (g.get("type").asText().equals("LineString")) positions = g.get("coordinates").size();
                else for (JsonNode line : g.get("coordinates")) positions += line.size();
                assertEquals(positions, f.get("positions").asInt(), "element " + id + " has the same vertices");
            }
            assertEquals(geojson.keySet(), ids, "tile " + t);
        }
    }

    @Test
    void geojsonVtCutsTheSameElementsIntoTilesOfComparableCounts() throws Exception {
        for (int z : new int[]{14, 16, 17}) {
            boolean detail = z >= SETTINGS.detailZoom();
            Map<TileAddress, JsonNode> reference = references(block(z, 2), detail);
            reference.forEach((t, r) -> {
                Set<Long> ours = new TreeSet<>();
                TestHttp.json(florence.http().get("/tiles/road-elements/" + t + ".geojson")).get("features").forEach(f -> ours.add(f.get("id").asLong()));
                Set<Long> theirs = new TreeSet<>();
                r.get("geojsonVt").forEach(id -> theirs.add(id.asLong()));
                // The tilers round and drop slivers at the buffer's edge differently: a few features either way.
                Set<Long> onlyOurs = new TreeSet<>(ours);
                onlyOurs.removeAll(theirs);
                Set<Long> onlyTheirs = new TreeSet<>(theirs);
                onlyTheirs.removeAll(ours);
                int allowed = Math.max(3, theirs.size() / 20);
                assertTrue(Math.abs(ours.size() - theirs.size()) <= allowed && onlyOurs.size() + onlyTheirs.size() <= 2 * allowed,
                        "tile " + t + ": StreetCad " + ours.size() + ", geojson-vt " + theirs.size()
                                + "; only ours " + onlyOurs + ", only geojson-vt " + onlyTheirs);
            });
        }
    }
}
