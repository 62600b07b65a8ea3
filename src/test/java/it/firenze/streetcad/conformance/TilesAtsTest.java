package it.firenze.streetcad.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sebasbaumh.mapbox.vectortile.adapt.jts.MvtReader;
import io.github.sebasbaumh.mapbox.vectortile.adapt.jts.TagKeyValueMapConverter;
import io.github.sebasbaumh.mapbox.vectortile.adapt.jts.model.JtsLayer;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.GeometryFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Set;

import static it.firenze.streetcad.testing.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The abstract tests of OGC API – Tiles – Part 1 (20-057, Annex A) of the classes /conformance claims: Core, TileSet,
 * TileSets List, GeoData TileSets, Mapbox Vector Tiles and GeoJSON, one test per abstract test, named after it,
 * against a running server. The tile over the Duomo at zoom 16 holds the small network's element 101.
 */
class TilesAtsTest extends OnAServedCadastre {

    static final String CONF = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/";
    static final String TILESETS_VECTOR = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector";
    /** Zoom 16, column and row of the tile holding 11.2555, 43.7700. */
    static final int Z = 16, COL = 34817, ROW = 23888;

    static String path(String href) {
        assertTrue(href.startsWith(http.baseUrl() + "/"), "absolute link: " + href);
        return href.substring(http.baseUrl().length());
    }

    static HttpResponse<byte[]> bytes(String path) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(http.baseUrl() + path))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String tile(int z, int row, int col) {
        return "/collections/road-elements/tiles/WebMercatorQuad/" + z + "/" + row + "/" + col;
    }

    static Set<String> conformsTo() {
        Set<String> classes = new HashSet<>();
        okJson("/conformance").get("conformsTo").forEach(c -> classes.add(c.asText()));
        return classes;
    }

    /** /conf/core/conformance-success (and each class's conformance-success): the Tiles classes are declared. */
    @Test
    void ats_core_conformance_success() {
        Set<String> classes = conformsTo();
        for (String c : Set.of("core", "tileset", "tilesets-list", "geodata-tilesets", "dataset-tilesets", "mvt", "geojson")) {
            assertTrue(classes.contains(CONF + c), c);
        }
    }

    /** /conf/dataset-tilesets/landingpage: the landing page links to the dataset's tilesets (rel tilesets-vector). */
    @Test
    void ats_dataset_tilesets_landingpage() {
        JsonNode l = link(okJson("/"), TILESETS_VECTOR);
        assertNotNull(l, "the landing page links to the dataset's vector tilesets");
        assertEquals(http.baseUrl() + "/tiles", l.get("href").asText());
    }

    /**
     * /conf/dataset-tilesets/operation: {@code /tiles} under the root lists the dataset's tileset, whose templated
     * link gives one MVT tile holding every layer, with a strong ETag that revalidates.
     */
    @Test
    void ats_dataset_tilesets_operation() throws IOException {
        JsonNode list = okJson(path(link(okJson("/"), TILESETS_VECTOR).get("href").asText()));
        JsonNode summary = list.get("tilesets").get(0);
        assertEquals("vector", summary.get("dataType").asText());
        JsonNode tileset = okJson(path(link(summary, "self").get("href").asText()));
        Set<String> declared = new HashSet<>();
        tileset.get("layers").forEach(l -> declared.add(l.get("id").asText()));
        assertTrue(declared.containsAll(Set.of("road-elements", "junctions", "topology-issues")), declared.toString());
        String template = link(tileset, "item").get("href").asText();
        String url = path(template.replace("{tileMatrix}", "" + Z).replace("{tileRow}", "" + ROW).replace("{tileCol}", "" + COL));
        HttpResponse<byte[]> r = bytes(url);
        assertEquals(200, r.statusCode());
        assertEquals("application/vnd.mapbox-vector-tile", r.headers().firstValue("Content-Type").orElse(""));
        var mvt = MvtReader.loadMvt(new ByteArrayInputStream(r.body()), new GeometryFactory(),
                new TagKeyValueMapConverter(true, "mvt_id"));
        Set<String> layers = new HashSet<>();
        mvt.getLayers().forEach(l -> layers.add(l.getName()));
        assertTrue(layers.containsAll(Set.of("road-elements", "junctions")), "one tile, every layer: " + layers);
        assertEquals(mvtIds(bytes(tile(Z, ROW, COL)).body()), idsOf(mvt.getLayer("road-elements")),
                "the dataset's road-elements layer is the collection's tile");

        // The dataset's tile holds the viability layer of "now" and its ETag names the minute: a revalidation that
        // crosses into the next minute is rightly answered anew, so it is made once more with the new minute's tag.
        int revalidated = revalidate(url, r.headers().firstValue("ETag").orElseThrow());
        if (revalidated == 200) revalidated = revalidate(url, bytes(url).headers().firstValue("ETag").orElseThrow());
        assertEquals(304, revalidated);
        assertEquals(400, http.get(url.replace("?f=mvt", "") + "?f=geojson").statusCode(), "GeoJSON has no layers");
    }

    /** /conf/core/tc-op: a tile answers at its templated URL. */
    @Test
    void ats_core_tc_op() {
        assertEquals(200, bytes(tile(Z, ROW, COL)).statusCode());
    }

    /** /conf/core/tc-tilematrix-definition: tileMatrix is a tile matrix of the set; others are 400. */
    @Test
    void ats_core_tc_tilematrix_definition() {
        assertEquals(200, bytes(tile(0, 0, 0)).statusCode());
        assertEquals(400, bytes(tile(23, 0, 0)).statusCode());
        assertEquals(400, bytes(tile(-1, 0, 0)).statusCode());
    }

    /** /conf/core/tc-tilerow-definition: tileRow counts from the top within the matrix height. */
    @Test
    void ats_core_tc_tilerow_definition() {
        assertEquals(200, bytes(tile(1, 1, 0)).statusCode());
        assertEquals(400, bytes(tile(1, 2, 0)).statusCode());
    }

    /** /conf/core/tc-tilecol-definition: tileCol counts from the left within the matrix width. */
    @Test
    void ats_core_tc_tilecol_definition() {
        assertEquals(200, bytes(tile(1, 0, 1)).statusCode());
        assertEquals(400, bytes(tile(1, 0, 2)).statusCode());
    }

    /** /conf/core/tc-success: the tile in the negotiated or asked format, with the data of its area. */
    @Test
    void ats_core_tc_success() throws IOException {
        HttpResponse<byte[]> r = bytes(tile(Z, ROW, COL));
        assertEquals("application/vnd.mapbox-vector-tile", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(mvtIds(r.body()).contains(101L));
        // B: "consistent with the format requested via HTTP content negotiation": Accept chooses without f.
        HttpResponse<String> geojson = http.get(tile(Z, ROW, COL), "Accept", "application/geo+json");
        assertEquals("application/geo+json", geojson.headers().firstValue("Content-Type").orElse(""));
        assertEquals("FeatureCollection", json(geojson).get("type").asText());
        assertTrue(geojson.headers().firstValue("Vary").orElse("").contains("Accept"));
        assertEquals("application/vnd.mapbox-vector-tile", http.get(tile(Z, ROW, COL), "Accept",
                "application/geo+json;q=0.5, application/vnd.mapbox-vector-tile").headers().firstValue("Content-Type").orElse(""));
    }

    /** /conf/core/tc-error: out of range is 400/404; an empty tile within range is 200 with an empty body. */
    @Test
    void ats_core_tc_error() {
        assertEquals(404, bytes("/collections/no-such-layer/tiles/WebMercatorQuad/0/0/0").statusCode());
        assertEquals(404, bytes("/collections/road-elements/tiles/NoSuchMatrixSet/0/0/0").statusCode());
        HttpResponse<byte[]> empty = bytes(tile(16, 0, 0));
        assertTrue(empty.statusCode() == 200 || empty.statusCode() == 204);
        assertEquals(0, empty.body().length);
    }

    /** /conf/tileset/description: the tileset's metadata, its tiling scheme link and templated tile links. */
    @Test
    void ats_tileset_description() {
        JsonNode tileset = okJson("/collections/road-elements/tiles/WebMercatorQuad");
        assertEquals("vector", tileset.get("dataType").asText());
        assertEquals("http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad", tileset.get("tileMatrixSetURI").asText());
        JsonNode scheme = okJson(path(link(tileset, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme").get("href").asText()));
        assertEquals("WebMercatorQuad", scheme.get("id").asText());
        // The registered WebMercatorQuad whole (0 to 24) under its URI; the tileset's limits say 0 to 22 are served.
        assertEquals(25, scheme.get("tileMatrices").size());
        JsonNode limits = tileset.get("tileMatrixSetLimits");
        assertEquals(23, limits.size());
        assertEquals("22", limits.get(22).get("tileMatrix").asText());
        assertEquals((1 << 22) - 1, limits.get(22).get("maxTileCol").asLong());
        assertEquals(400, bytes(tile(23, 0, 0)).statusCode(), "beyond the limits: /req/core/tc-error");
        int items = 0;
        for (JsonNode l : tileset.get("links")) {
            if (!l.get("rel").asText().equals("item")) continue;
            items++;
            String template = l.get("href").asText();
            assertTrue(template.contains("{tileMatrix}") && template.contains("{tileRow}") && template.contains("{tileCol}"));
            assertTrue(l.get("templated").asBoolean());
            String url = path(template.replace("{tileMatrix}", "" + Z).replace("{tileRow}", "" + ROW).replace("{tileCol}", "" + COL));
            HttpResponse<byte[]> t = bytes(url);
            assertEquals(200, t.statusCode(), url);
            assertEquals(l.get("type").asText(), t.headers().firstValue("Content-Type").orElse(""));
        }
        assertEquals(2, items);
    }

    /** /conf/tilesets-list/tileset-links: .../tiles lists the tilesets, each with dataType, crs, self and tiling scheme. */
    @Test
    void ats_tilesets_list_tileset_links() {
        JsonNode list = okJson("/collections/road-elements/tiles");
        assertEquals(1, list.get("tilesets").size());
        JsonNode tileset = list.get("tilesets").get(0);
        assertEquals("vector", tileset.get("dataType").asText());
        assertEquals("http://www.opengis.net/def/crs/EPSG/0/3857", tileset.get("crs").asText());
        assertNotNull(link(tileset, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"));
        String self = link(tileset, "self").get("href").asText();
        assertEquals(http.baseUrl() + "/collections/road-elements/tiles/WebMercatorQuad", self);
        okJson(path(self));
    }

    /** /conf/geodata-tilesets/desc-links: a collection with tiles links to its tilesets list (rel tilesets-vector). */
    @Test
    void ats_geodata_tilesets_desc_links() {
        for (String id : Set.of("road-elements", "junctions", "topology-issues")) {
            JsonNode l = link(okJson("/collections/" + id), TILESETS_VECTOR);
            assertNotNull(l, id);
            assertEquals(http.baseUrl() + "/collections/" + id + "/tiles", l.get("href").asText());
        }
        assertEquals(null, link(okJson("/collections/roads"), TILESETS_VECTOR), "roads have no tiles");
    }

    /** /conf/geodata-tilesets/operation: the linked tilesets list answers, and its tilesets are the collection's. */
    @Test
    void ats_geodata_tilesets_operation() {
        for (String id : Set.of("road-elements", "junctions", "topology-issues")) {
            JsonNode list = okJson(path(link(okJson("/collections/" + id), TILESETS_VECTOR).get("href").asText()));
            assertEquals(id, list.at("/tilesets/0/layers/0/id").asText());
        }
    }

    /** /conf/mvt/content: a valid Mapbox Vector Tile (version 2) whose layer is the collection. */
    @Test
    void ats_mvt_content() throws IOException {
        HttpResponse<byte[]> r = bytes(tile(Z, ROW, COL) + "?f=mvt");
        assertEquals("application/vnd.mapbox-vector-tile", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(mvtIds(r.body()).contains(101L));
    }

    /** /conf/geojson/content: a GeoJSON FeatureCollection of the tile's features. */
    @Test
    void ats_geojson_content() {
        HttpResponse<String> r = http.get(tile(Z, ROW, COL) + "?f=geojson");
        assertEquals("application/geo+json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode fc = json(r);
        assertEquals("FeatureCollection", fc.get("type").asText());
        Set<Long> ids = new HashSet<>();
        fc.get("features").forEach(f -> ids.add(f.get("id").asLong()));
        assertTrue(ids.contains(101L), ids.toString());
    }

    static Set<Long> mvtIds(byte[] tile) throws IOException {
        Set<Long> ids = new HashSet<>();
        var mvt = MvtReader.loadMvt(new ByteArrayInputStream(tile), new GeometryFactory(),
                new TagKeyValueMapConverter(true, "mvt_id"));
        for (JtsLayer layer : mvt.getLayers()) {
            assertEquals("road-elements", layer.getName());
            ids.addAll(idsOf(layer));
        }
        return ids;
    }

    static Set<Long> idsOf(JtsLayer layer) {
        Set<Long> ids = new HashSet<>();
        layer.getGeometries().forEach(g -> ids.add(((Number) ((java.util.Map<?, ?>) g.getUserData()).get("mvt_id")).longValue()));
        return ids;
    }

    /** The status of a conditional GET of {@code url} with {@code etag}. */
    private int revalidate(String url, String etag) throws IOException {
        try {
            return java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(http.baseUrl() + url))
                    .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
