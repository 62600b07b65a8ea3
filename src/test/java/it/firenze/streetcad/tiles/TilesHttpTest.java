package it.firenze.streetcad.tiles;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sebasbaumh.mapbox.vectortile.adapt.jts.MvtReader;
import io.github.sebasbaumh.mapbox.vectortile.adapt.jts.TagKeyValueMapConverter;
import io.github.sebasbaumh.mapbox.vectortile.adapt.jts.model.JtsLayer;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
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
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given a small network around the Duomo in a real PostGIS and a real HTTP server, the tile endpoints answer
 * the OGC API – Tiles and XYZ paths, validate their input, and follow the data with their ETags.
 */
class TilesHttpTest {

    static Database db;
    static TileService tiles;
    static TestHttp http;
    static final HttpClient CLIENT = HttpClient.newHttpClient();
    static long arterial;
    static long alley;

    @BeforeAll
    static void start() throws SQLException {
        db = TestPostgis.newCadastre();
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO road (id, name) VALUES (1, 'Via dei Calzaiuoli'), (2, 'Vicolo del Panico')");
        }
        // A named arterial across the centre and a short unnamed-class alley beside it.
        arterial = element(1, "C", Florence.DUOMO_LON - 0.004, Florence.DUOMO_LAT, Florence.DUOMO_LON + 0.004, Florence.DUOMO_LAT);
        alley = element(2, "F", Florence.DUOMO_LON, Florence.DUOMO_LAT - 0.0005, Florence.DUOMO_LON, Florence.DUOMO_LAT - 0.0015);
        tiles = TileService.start(db, new TileSettings(15, 256, 20_000, 1_000_000, 16L << 20, "public, max-age=30", 50));
        http = new TestHttp(new TilesModule(tiles));
    }

    static long element(long road, String functionalClass, double lon0, double lat0, double lon1, double lat1) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement st = c.prepareStatement(
                "INSERT INTO road_element (road_id, functional_class, geom) VALUES (?, ?::functional_class, "
                        + "ST_Transform(ST_SetSRID(ST_MakeLine(ST_MakePoint(?, ?), ST_MakePoint(?, ?)), 4326), ?)) RETURNING id")) {
            st.setLong(1, road);
            st.setString(2, functionalClass);
            st.setDouble(3, lon0);
            st.setDouble(4, lat0);
            st.setDouble(5, lon1);
            st.setDouble(6, lat1);
            st.setInt(7, db.storageSrid());
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @AfterAll
    static void stop() {
        http.close();
        tiles.close();
        db.close();
    }

    static TileAddress duomo(int z) {
        return Florence.tileAt(z, Florence.DUOMO_LON, Florence.DUOMO_LAT);
    }

    static HttpResponse<byte[]> bytes(String path, String... headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.baseUrl() + path));
            if (headers.length > 0) b.headers(headers);
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Set<Long> ids(JsonNode collection) {
        Set<Long> ids = new TreeSet<>();
        collection.get("features").forEach(f -> ids.add(f.get("id").asLong()));
        return ids;
    }

    @Test
    void badTileCoordinatesAre400ProblemsNamingTheParameter() {
        Map<String, String> cases = Map.of(
                "/tiles/road-elements/23/0/0.mvt", "z",
                "/tiles/road-elements/2/4/0.mvt", "x",
                "/tiles/road-elements/2/0/-1.geojson", "y",
                "/tiles/road-elements/ten/0/0.mvt", "z",
                "/tiles/road-elements/1/0.5/0.mvt", "x",
                "/collections/road-elements/tiles/WebMercatorQuad/3/8/0?f=mvt", "tileRow",
                "/collections/road-elements/tiles/WebMercatorQuad/3/0/8", "tileCol",
                "/collections/road-elements/tiles/WebMercatorQuad/-1/0/0", "tileMatrix",
                "/collections/road-elements/tiles/WebMercatorQuad/1/0/0?f=png", "f");
        cases.forEach((path, parameter) -> {
            var r = http.get(path);
            assertEquals(400, r.statusCode(), path + " " + r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), path);
            assertEquals(parameter, TestHttp.json(r).get("parameter").asText(), path);
        });
    }

    @Test
    void unknownLayersAndTileMatrixSetsAre404Problems() {
        for (String path : new String[]{"/tiles/roads-and-rivers/1/0/0.mvt", "/tiles/nothing.json",
                "/collections/nothing/tiles", "/tileMatrixSets/WorldCRS84Quad",
                "/collections/road-elements/tiles/WorldCRS84Quad/1/0/0", "/tiles/road-elements/1/0/0.png"}) {
            var r = http.get(path);
            assertEquals(404, r.statusCode(), path + " " + r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), path);
        }
    }

    @Test
    void theTileMatrixSetAndTilesetMetadataDescribeWebMercatorQuad() {
        JsonNode list = TestHttp.json(http.get("/tileMatrixSets"));
        assertEquals("WebMercatorQuad", list.get("tileMatrixSets").get(0).get("id").asText());
        JsonNode tms = TestHttp.json(http.get("/tileMatrixSets/WebMercatorQuad"));
        assertEquals(25, tms.get("tileMatrices").size(), "the registered set: tile matrices 0 to 24");
        assertEquals(1 << 22, tms.get("tileMatrices").get(22).get("matrixWidth").asLong());
        JsonNode tilesets = TestHttp.json(http.get("/collections/road-elements/tiles"));
        JsonNode tileset = tilesets.get("tilesets").get(0);
        assertEquals("vector", tileset.get("dataType").asText());
        assertTrue(tileset.toString().contains("/collections/road-elements/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}?f=mvt"));
        JsonNode tileJson = TestHttp.json(http.get("/tiles/road-elements.json"));
        assertEquals("3.0.0", tileJson.get("tilejson").asText());
        assertTrue(tileJson.get("tiles").get(0).asText().endsWith("/tiles/road-elements/{z}/{x}/{y}.mvt"));
        assertEquals("road-elements", tileJson.get("vector_layers").get(0).get("id").asText());
        double[] bounds = new double[4];
        for (int i = 0; i < 4; i++) bounds[i] = tileJson.get("bounds").get(i).asDouble();
        assertTrue(bounds[0] < Florence.DUOMO_LON && Florence.DUOMO_LON < bounds[2], tileJson.toString());
    }

    /**
     * From the detail zoom on, a road element carries what a map draws, filters, labels and selects it by; the rest
     * of its record is one click away in the features API (the web map's record panel reads it from there).
     */
    static final Set<String> DETAIL_PROPERTIES = Set.of("id", "name", "road_id", "functional_class", "level", "status");

    @Test
    void aDetailTileCarriesEveryElementWithTheContractProperties() {
        TileAddress t = duomo(16);
        var r = http.get("/tiles/road-elements/" + t + ".geojson");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/geo+json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("public, max-age=30", r.headers().firstValue("Cache-Control").orElseThrow());
        JsonNode fc = TestHttp.json(r);
        assertEquals(Set.of(arterial, alley), ids(fc));
        for (JsonNode f : fc.get("features")) {
            JsonNode p = f.get("properties");
            Set<String> keys = new TreeSet<>();
            p.fieldNames().forEachRemaining(keys::add);
            assertEquals(new TreeSet<>(DETAIL_PROPERTIES), keys, p.toString());
            assertEquals(f.get("id").asLong(), p.get("id").asLong());
        }
        // The tileset's metadata declares exactly those fields.
        JsonNode fields = TestHttp.json(http.get("/tiles/road-elements.json")).get("vector_layers").get(0).get("fields");
        Set<String> declared = new TreeSet<>();
        fields.fieldNames().forEachRemaining(declared::add);
        assertEquals(new TreeSet<>(DETAIL_PROPERTIES), declared, fields.toString());
    }

    @Test
    void theOgcPathServesTheSameTileAsTheShortForm() {
        TileAddress t = duomo(16);
        var ogc = http.get("/collections/road-elements/tiles/WebMercatorQuad/" + t.z() + "/" + t.y() + "/" + t.x() + "?f=geojson");
        assertEquals(200, ogc.statusCode(), ogc.body());
        assertEquals(http.get("/tiles/road-elements/" + t + ".geojson").body(), ogc.body());
    }

    @Test
    void overviewZoomsKeepTheMainNamedRoadsWithFewerAttributes() {
        JsonNode fc = TestHttp.json(http.get("/tiles/road-elements/" + duomo(12) + ".geojson"));
        assertEquals(Set.of(arterial), ids(fc));
        JsonNode p = fc.get("features").get(0).get("properties");
        assertEquals("Via dei Calzaiuoli", p.get("name").asText());
        assertEquals("C", p.get("functional_class").asText());
        assertTrue(p.has("level"));
        assertFalse(p.has("surface"), p.toString());
    }

    @Test
    void mvtDecodesWithAStandardDecoderToTheFeaturesOfTheGeoJsonTile() throws IOException {
        TileAddress t = duomo(16);
        var mvt = bytes("/tiles/road-elements/" + t + ".mvt");
        assertEquals(200, mvt.statusCode());
        assertEquals("application/vnd.mapbox-vector-tile", mvt.headers().firstValue("Content-Type").orElseThrow());
        JtsLayer layer = MvtReader.loadMvt(new ByteArrayInputStream(mvt.body()), new GeometryFactory(),
                new TagKeyValueMapConverter(true, "mvt_id")).getLayer("road-elements");
        Set<Long> mvtIds = new TreeSet<>();
        for (Geometry g : layer.getGeometries()) {
            Map<?, ?> props = (Map<?, ?>) g.getUserData();
            assertEquals(((Number) props.get("mvt_id")).longValue(), ((Number) props.get("id")).longValue());
            mvtIds.add(((Number) props.get("id")).longValue());
            assertTrue(g.getNumPoints() >= 2);
        }
        assertEquals(ids(TestHttp.json(http.get("/tiles/road-elements/" + t + ".geojson"))), mvtIds);
    }

    @Test
    void gzipIsServedToClientsThatAcceptIt() throws IOException {
        TileAddress t = duomo(16);
        var plain = bytes("/tiles/road-elements/" + t + ".geojson");
        var zipped = bytes("/tiles/road-elements/" + t + ".geojson", "Accept-Encoding", "gzip");
        assertEquals("gzip", zipped.headers().firstValue("Content-Encoding").orElseThrow());
        try (var in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
            assertArrayEquals(plain.body(), in.readAllBytes());
        }
        assertNotEquals(plain.headers().firstValue("ETag").orElseThrow(), zipped.headers().firstValue("ETag").orElseThrow());
    }

    @Test
    void anEditChangesTheETagsOfTheTilesItTouchesAndNoOthers() throws SQLException {
        TileAddress touched = Florence.tileAt(17, Florence.DUOMO_LON, Florence.DUOMO_LAT - 0.001);
        // The alley runs south of the Duomo: a z17 tile well to the north does not see it.
        TileAddress north = new TileAddress(17, touched.x(), touched.y() - 4);
        String touchedPath = "/tiles/road-elements/" + touched + ".geojson";
        String northPath = "/tiles/road-elements/" + north + ".geojson";
        String before = http.get(touchedPath).headers().firstValue("ETag").orElseThrow();
        String northBefore = http.get(northPath).headers().firstValue("ETag").orElseThrow();
        assertEquals(304, http.get(touchedPath, "If-None-Match", before).statusCode());

        try (Connection c = db.connection(); PreparedStatement st = c.prepareStatement(
                "UPDATE road_element SET status = 'under_construction' WHERE id = ?")) {
            st.setLong(1, alley);
            st.executeUpdate();
        }
        tiles.poll();

        var after = http.get(touchedPath, "If-None-Match", before);
        assertEquals(200, after.statusCode());
        assertNotEquals(before, after.headers().firstValue("ETag").orElseThrow());
        JsonNode edited = null;
        for (JsonNode f : TestHttp.json(after).get("features")) if (f.get("id").asLong() == alley) edited = f;
        assertEquals("under_construction", edited.get("properties").get("status").asText(), after.body());
        assertEquals(304, http.get(northPath, "If-None-Match", northBefore).statusCode());
    }

    @Test
    void aMovedElementIsDrawnWhereItNowLiesInTheNextTile() throws SQLException {
        // Given a lane well east of the Duomo (outside every tile the other tests read), drawn in its z17 tile.
        double lon = Florence.DUOMO_LON + 0.02;
        long lane = element(2, "F", lon, Florence.DUOMO_LAT, lon + 0.0003, Florence.DUOMO_LAT);
        TileAddress there = Florence.tileAt(17, lon + 0.00015, Florence.DUOMO_LAT);
        TileAddress north = new TileAddress(17, there.x(), there.y() - 3);
        String therePath = "/tiles/road-elements/" + there + ".geojson";
        String northPath = "/tiles/road-elements/" + north + ".geojson";
        assertTrue(ids(TestHttp.json(http.get(therePath))).contains(lane));
        assertFalse(ids(TestHttp.json(http.get(northPath))).contains(lane));

        // When an edit moves it three tiles north (tiles read the element's geometry kept in EPSG:3857, V22),
        try (Connection c = db.connection(); PreparedStatement st = c.prepareStatement(
                "UPDATE road_element SET geom = ST_Transform(ST_Translate(ST_Transform(geom, 3857), 0, ?), ST_SRID(geom)) WHERE id = ?")) {
            st.setDouble(1, 3 * north.size());
            st.setLong(2, lane);
            st.executeUpdate();
        }
        tiles.poll();

        // then the next tiles draw it where it now lies, in both encodings, and no longer where it was.
        assertFalse(ids(TestHttp.json(http.get(therePath))).contains(lane));
        assertTrue(ids(TestHttp.json(http.get(northPath))).contains(lane));
        var mvt = bytes("/tiles/road-elements/" + north + ".mvt");
        try {
            JtsLayer layer = MvtReader.loadMvt(new ByteArrayInputStream(mvt.body()), new GeometryFactory(),
                    new TagKeyValueMapConverter(true, "mvt_id")).getLayer("road-elements");
            assertTrue(layer.getGeometries().stream().anyMatch(g -> ((Number) ((Map<?, ?>) g.getUserData()).get("id")).longValue() == lane));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void emptyTilesAnswerWithAnEmptyCollection() {
        var r = http.get("/tiles/road-elements/10/0/0.geojson");
        assertEquals(200, r.statusCode());
        assertEquals(0, TestHttp.json(r).get("features").size());
        var mvt = bytes("/tiles/road-elements/10/0/0.mvt");
        assertEquals(200, mvt.statusCode());
        assertEquals(0, mvt.body().length);
    }
}
