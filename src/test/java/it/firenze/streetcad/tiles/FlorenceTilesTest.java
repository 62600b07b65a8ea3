package it.firenze.streetcad.tiles;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sebasbaumh.mapbox.vectortile.adapt.jts.MvtReader;
import io.github.sebasbaumh.mapbox.vectortile.adapt.jts.TagKeyValueMapConverter;
import io.github.sebasbaumh.mapbox.vectortile.adapt.jts.model.JtsLayer;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given the Florence OSM sample (33,089 lines) in a real PostGIS, the tiles over the city are valid GeoJSON
 * within their buffer, lose no element at their seams, decode as MVT to the same features, stay small at
 * overview zooms, and an edit changes the ETags of exactly the tiles it touches.
 */
class FlorenceTilesTest {

    static Florence.Served florence;
    static Database db;
    static TileService tiles;
    static TestHttp http;
    static final HttpClient CLIENT = HttpClient.newHttpClient();
    static final TileSettings SETTINGS = new TileSettings(15, 256, 20_000, 1_000_000, 64L << 20, "public, no-cache", 50);

    @BeforeAll
    static void start() throws Exception {
        florence = Florence.serve(SETTINGS);
        db = florence.db();
        tiles = florence.tiles();
        http = florence.http();
    }

    @AfterAll
    static void stop() {
        florence.close();
    }

    static JsonNode geojson(TileAddress t) {
        var r = http.get("/tiles/road-elements/" + t + ".geojson");
        assertEquals(200, r.statusCode(), t + " " + r.body());
        return TestHttp.json(r);
    }

    static HttpResponse<byte[]> mvt(TileAddress t) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/tiles/road-elements/" + t + ".mvt")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static Set<Long> ids(JsonNode collection) {
        Set<Long> ids = new TreeSet<>();
        collection.get("features").forEach(f -> ids.add(f.get("id").asLong()));
        return ids;
    }

    /** The tiles of a zoom in a square of side n tiles centred on the Duomo. */
    static List<TileAddress> block(int z, int n) {
        TileAddress c = Florence.tileAt(z, Florence.DUOMO_LON, Florence.DUOMO_LAT);
        List<TileAddress> block = new ArrayList<>();
        for (int dx = -n / 2; dx < n - n / 2; dx++) {
            for (int dy = -n / 2; dy < n - n / 2; dy++) block.add(new TileAddress(z, c.x() + dx, c.y() + dy));
        }
        return block;
    }

    static Set<Long> elementIds(String sql, Object... params) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) st.setObject(i + 1, params[i]);
            Set<Long> ids = new TreeSet<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) ids.add(rs.getLong(1));
            }
            return ids;
        }
    }

    @Test
    void geoJsonTilesAreRfc7946AndEveryCoordinateLiesInTheTilePlusItsBuffer() {
        for (int z = 12; z <= 17; z++) {
            for (TileAddress t : block(z, 2)) {
                JsonNode fc = geojson(t);
                assertEquals("FeatureCollection", fc.get("type").asText());
                assertFalse(fc.has("crs"), "RFC 7946 has no crs member");
                double margin = t.size() * SETTINGS.bufferRatio();
                // Rounding to the zoom's decimals may move a coordinate by half a unit of the last place.
                double slack = Math.pow(10, -TileQueries.decimals(z));
                double west = Florence.lon(t.minX() - margin) - slack, east = Florence.lon(t.maxX() + margin) + slack;
                double south = Florence.lat(t.minY() - margin) - slack, north = Florence.lat(t.maxY() + margin) + slack;
                for (JsonNode f : fc.get("features")) {
                    assertEquals("Feature", f.get("type").asText());
                    assertTrue(f.get("id").isIntegralNumber(), f.toString());
                    assertTrue(f.get("properties").isObject());
                    JsonNode g = f.get("geometry");
                    List<JsonNode> lines = new ArrayList<>();
                    switch (g.get("type").asText()) {
                        case "LineString" -> lines.add(g.get("coordinates"));
                        case "MultiLineString" -> g.get("coordinates").forEach(lines::add);
                        default -> throw new AssertionError("not a line: " + g);
                    }
                    for (JsonNode line : lines) {
                        assertTrue(line.size() >= 2, "a LineString has two or more positions: " + g);
                        for (JsonNode position : line) {
                            assertEquals(2, position.size());
                            double lon = position.get(0).asDouble(), lat = position.get(1).asDouble();
                            assertTrue(lon >= west && lon <= east && lat >= south && lat <= north,
                                    "tile " + t + ": position " + position + " outside " + west + "," + south + "," + east + "," + north);
                        }
                    }
                }
            }
        }
    }

    @Test
    void theTilesOfOneZoomTogetherHoldEveryElementOfTheirArea() throws SQLException {
        for (int z : new int[]{13, 16}) {
            List<TileAddress> block = block(z, 4);
            Set<Long> served = new TreeSet<>();
            block.forEach(t -> served.addAll(ids(geojson(t))));
            TileAddress first = block.getFirst(), last = block.getLast();
            String filter = z >= SETTINGS.detailZoom() ? "true"
                    : "(e.functional_class IN ('A', 'B', 'C', 'D') OR (e.functional_class = 'E' AND r.name IS NOT NULL))";
            // A line shorter than two cells of the tile grid (OSM has 2 cm segments) snaps to a single point, which
            // no map can draw at this zoom: it is left out, as it is of every vector tile server's tiles.
            Set<Long> expected = elementIds("SELECT e.id FROM road_element e LEFT JOIN road r ON r.id = e.road_id "
                    + "WHERE ST_Intersects(ST_Transform(e.geom, 3857), ST_MakeEnvelope(?, ?, ?, ?, 3857)) "
                    + "AND ST_Length(ST_Transform(e.geom, 3857)) >= ? AND " + filter,
                    first.minX(), last.minY(), last.maxX(), first.maxY(), 2 * first.size() / TileSettings.EXTENT);
            assertFalse(expected.isEmpty());
            Set<Long> lost = new TreeSet<>(expected);
            lost.removeAll(served);
            assertTrue(lost.isEmpty(), "z" + z + ": elements in no tile: " + lost);
        }
    }

    @Test
    void mvtTilesDecodeToTheSameFeaturesAsTheGeoJsonTiles() throws IOException {
        for (TileAddress t : List.of(block(12, 1).getFirst(), block(14, 1).getFirst(), block(16, 1).getFirst())) {
            Map<Long, JsonNode> geojson = new HashMap<>();
            geojson(t).get("features").forEach(f -> geojson.put(f.get("id").asLong(), f));
            JtsLayer layer = MvtReader.loadMvt(new ByteArrayInputStream(mvt(t).body()), new GeometryFactory(),
                    new TagKeyValueMapConverter(true, "mvt_id")).getLayer("road-elements");
            Map<Long, Geometry> decoded = new HashMap<>();
            for (Geometry g : layer.getGeometries()) decoded.put(((Number) ((Map<?, ?>) g.getUserData()).get("mvt_id")).longValue(), g);
            assertEquals(geojson.keySet(), decoded.keySet(), "tile " + t);
            decoded.forEach((id, g) -> {
                JsonNode f = geojson.get(id);
                Map<?, ?> props = (Map<?, ?>) g.getUserData();
                assertEquals(f.get("properties").get("functional_class").asText(null), props.get("functional_class"), "element " + id);
                assertEquals(f.get("properties").get("name").asText(null), props.get("name"), "element " + id);
                int positions = 0;
                JsonNode coordinates = f.get("geometry").get("coordinates");
                if (f.get("geometry").get("type").asText().equals("LineString")) positions = coordinates.size();
                else for (JsonNode line : coordinates) positions += line.size();
                assertEquals(positions, g.getNumPoints(), "the same vertices in both encodings, element " + id);
            });
        }
    }

    @Test
    void theOverviewTilesFromTheWorldDownToZoom3ShowFlorencesMainRoadsInBothEncodings() throws IOException {
        for (int z = 0; z <= 3; z++) {
            TileAddress t = Florence.tileAt(z, Florence.DUOMO_LON, Florence.DUOMO_LAT);
            int features = geojson(t).get("features").size();
            assertTrue(features > 0, "the z" + z + " tile " + t + " holding Florence is empty");
            JtsLayer layer = MvtReader.loadMvt(new ByteArrayInputStream(mvt(t).body()), new GeometryFactory(),
                    new TagKeyValueMapConverter(true, "mvt_id")).getLayer("road-elements");
            assertEquals(features, layer.getGeometries().size(), "both encodings keep the same roads at z" + z);
        }
    }

    @Test
    void aZ14TileOverTheHistoricCentreStaysUnder150KilobytesOfGeoJson() {
        var r = http.get("/tiles/road-elements/" + block(14, 1).getFirst() + ".geojson");
        assertTrue(r.body().length() <= 150_000, "z14 over the Duomo: " + r.body().length() + " bytes");
        assertTrue(TestHttp.json(r).get("features").size() > 50);
    }

    @Test
    void fromZoom13TheStreetsLayerHoldsEveryNamedStreetOfTheOldTownOncePerTileWithItsName() throws SQLException {
        TileAddress overview = block(12, 1).getFirst();
        assertEquals(0, TestHttp.json(http.get("/tiles/streets/" + overview + ".geojson")).get("features").size(),
                "below zoom 13 the overview shows the main network only");

        TileAddress t = block(14, 1).getFirst();
        var r = http.get("/tiles/streets/" + t + ".geojson");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().length() <= 150_000, "z14 streets over the Duomo: " + r.body().length() + " bytes");
        JsonNode streets = TestHttp.json(r);
        Map<Long, String> served = new HashMap<>();
        Set<String> classes = new TreeSet<>();
        for (JsonNode f : streets.get("features")) {
            assertEquals(null, served.put(f.get("id").asLong(), f.get("properties").get("name").asText()), "one feature per street: " + f.get("id"));
            classes.add(f.get("properties").get("functional_class").asText());
        }
        assertTrue(served.containsValue("Via dei Calzaiuoli"), "the old town's pedestrian streets: " + served.values());
        assertTrue(classes.containsAll(List.of("F", "F-bis")), "local and pedestrian streets, which road-elements leaves out until z15: " + classes);
        // Every named road with an element long enough to draw at this zoom (two cells of the grid) in the tile.
        Set<Long> expected = elementIds("SELECT DISTINCT r.id FROM road_element e JOIN road r ON r.id = e.road_id "
                + "WHERE ST_Intersects(ST_Transform(e.geom, 3857), ST_MakeEnvelope(?, ?, ?, ?, 3857)) "
                + "AND ST_Length(ST_Transform(e.geom, 3857)) >= ?", t.minX(), t.minY(), t.maxX(), t.maxY(),
                2 * t.size() / TileSettings.EXTENT);
        Set<Long> lost = new TreeSet<>(expected);
        lost.removeAll(served.keySet());
        assertTrue(lost.isEmpty(), "named streets in no feature: " + lost);
    }

    @Test
    void aTileOverItsSizeCapKeepsItsMostImportantElements() {
        TileService capped = TileService.start(db, new TileSettings(15, 256, 20_000, 16_384, 0, "no-store", 1000));
        try (TestHttp small = new TestHttp(new TilesModule(capped))) {
            TileAddress t = block(15, 1).getFirst();
            var full = geojson(t);
            var r = small.get("/tiles/road-elements/" + t + ".geojson");
            assertEquals(200, r.statusCode());
            assertTrue(r.body().length() <= 16_384, r.body().length() + " bytes");
            assertEquals("true", r.headers().firstValue("StreetCad-Tile-Thinned").orElseThrow());
            JsonNode thinned = TestHttp.json(r);
            assertTrue(thinned.get("features").size() > 0 && thinned.get("features").size() < full.get("features").size());
            // What is left out is never more important than what is kept.
            String worstKept = "A";
            for (JsonNode f : thinned.get("features")) {
                String c = f.get("properties").get("functional_class").asText("~");
                if (c.compareTo(worstKept) > 0) worstKept = c;
            }
            Set<Long> kept = ids(thinned);
            for (JsonNode f : full.get("features")) {
                String c = f.get("properties").get("functional_class").asText("~");
                if (!kept.contains(f.get("id").asLong())) assertTrue(c.compareTo(worstKept) >= 0, "dropped class " + c + " kept " + worstKept);
            }
        } finally {
            capped.close();
        }
    }

    @Test
    void anEditChangesTheETagsOfExactlyTheTilesItTouchesAtEveryZoom() throws SQLException {
        // A long diagonal element near the centre: its bounding box covers tiles it never enters.
        long element;
        try (Connection c = db.connection(); PreparedStatement st = c.prepareStatement("""
                SELECT id FROM road_element
                WHERE ST_DWithin(geom, ST_Transform(ST_SetSRID(ST_MakePoint(?, ?), 4326), ?), 1500)
                  AND abs(ST_XMax(geom) - ST_XMin(geom)) > 250 AND abs(ST_YMax(geom) - ST_YMin(geom)) > 250
                  AND ST_Length(geom) < 1000
                ORDER BY ST_Length(geom) DESC LIMIT 1""")) {
            st.setDouble(1, Florence.DUOMO_LON);
            st.setDouble(2, Florence.DUOMO_LAT);
            st.setInt(3, db.storageSrid());
            try (ResultSet rs = st.executeQuery()) {
                assertTrue(rs.next());
                element = rs.getLong(1);
            }
        }
        Map<TileAddress, Boolean> touches = new HashMap<>();
        Map<TileAddress, String> before = new HashMap<>();
        try (Connection c = db.connection(); PreparedStatement st = c.prepareStatement("""
                SELECT z, x, y, ST_Intersects(ST_Transform(e.geom, 3857), ST_TileEnvelope(z, x, y, margin => ?))
                FROM road_element e, generate_series(12, 17) AS z,
                     LATERAL (SELECT ST_Transform(e.geom, 3857) AS m) AS m,
                     LATERAL generate_series(floor((ST_XMin(m.m) + 20037508.342789244) / (40075016.68557849 / 2 ^ z))::int - 1,
                                             floor((ST_XMax(m.m) + 20037508.342789244) / (40075016.68557849 / 2 ^ z))::int + 1) AS x,
                     LATERAL generate_series(floor((20037508.342789244 - ST_YMax(m.m)) / (40075016.68557849 / 2 ^ z))::int - 1,
                                             floor((20037508.342789244 - ST_YMin(m.m)) / (40075016.68557849 / 2 ^ z))::int + 1) AS y
                WHERE e.id = ?""")) {
            st.setDouble(1, SETTINGS.bufferRatio());
            st.setLong(2, element);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) touches.put(new TileAddress(rs.getInt(1), rs.getInt(2), rs.getInt(3)), rs.getBoolean(4));
            }
        }
        assertTrue(touches.containsValue(false) && touches.containsValue(true));
        touches.keySet().forEach(t -> before.put(t, geojsonEtag(t, null)));

        try (Connection c = db.connection(); PreparedStatement st = c.prepareStatement(
                "UPDATE road_element SET surface = 'cobblestone' WHERE id = ?")) {
            st.setLong(1, element);
            assertEquals(1, st.executeUpdate());
        }
        tiles.poll();

        touches.forEach((t, touched) -> {
            String now = geojsonEtag(t, before.get(t));
            if (touched) assertNotEquals(before.get(t), now, "tile " + t + " meets the element: new ETag");
            else assertEquals(before.get(t), now, "tile " + t + " is beside the element: same ETag");
        });
    }

    /** The tile's current ETag; with a validator, also checks that the server answers 304 exactly when it still holds. */
    static String geojsonEtag(TileAddress t, String validator) {
        String path = "/tiles/road-elements/" + t + ".geojson";
        var r = validator == null ? http.get(path) : http.get(path, "If-None-Match", validator);
        String etag = r.headers().firstValue("ETag").orElseThrow();
        assertEquals(etag.equals(validator) ? 304 : 200, r.statusCode(), "tile " + t);
        return etag;
    }
}
