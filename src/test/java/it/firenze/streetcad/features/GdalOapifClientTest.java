package it.firenze.streetcad.features;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given the Florence sample served over HTTP, an OGC API – Features client that StreetCad's authors did not write,
 * GDAL's OAPIF driver (the one QGIS's own provider follows), lists the collections and loads the road elements of
 * an area, page after page, exactly as StreetCad's own JSON reports them.
 */
class GdalOapifClientTest {

    static TestHttp http;

    @BeforeAll
    static void start() {
        http = new TestHttp(new FeaturesModule(FlorenceSample.database()));
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    @Test
    void gdalListsEveryCollectionWithItsGeometryType() throws Exception {
        String listing = gdal("ogrinfo", "-ro", "OAPIF:" + http.baseUrl() + "/");
        assertTrue(listing.matches("(?s).*\\d+: road-elements \\(title: [^)]+\\)+ \\(Line String\\)\n.*"), listing);
        assertTrue(listing.matches("(?s).*\\d+: junctions \\(title: [^)]+\\)+ \\(Point\\)\n.*"), listing);
        assertTrue(listing.matches("(?s).*\\d+: roads \\(title: [^)]+\\)+ \\(Multi Line String\\)\n.*"), listing);
    }

    @Test
    void gdalLoadsTheElementsAroundTheDuomoThroughEveryPage() throws Exception {
        // Smaller pages than the area holds, so that the client must follow the "next" links.
        String geojson = gdal("ogr2ogr", "-f", "GeoJSON", "/vsistdout/",
                "OAPIF:" + http.baseUrl() + "/", "road-elements", "-oo", "PAGE_SIZE=50",
                "-spat", "11.2529", "43.7708", "11.2591", "43.7754");
        JsonNode loaded = Json.mapper().readTree(geojson);
        JsonNode served = TestHttp.json(http.get("/collections/road-elements/items?limit=10000&bbox="
                + FlorenceTest.DUOMO_BBOX));
        assertTrue(served.get("numberReturned").asInt() > 100, "the area spans several pages");
        assertEquals(ids(served), ids(loaded));
        JsonNode first = loaded.get("features").get(0);
        assertEquals("LineString", first.at("/geometry/type").asText());
        assertTrue(first.get("properties").has("functional_class"), first.toString());
    }

    private static TreeSet<Long> ids(JsonNode collection) {
        TreeSet<Long> ids = new TreeSet<>();
        collection.get("features").forEach(f -> ids.add(f.has("id") ? f.get("id").asLong() : f.at("/properties/id").asLong()));
        return ids;
    }

    private static String gdal(String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(command));
        Process p = new ProcessBuilder(args).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "gdal did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", args) + ": " + err);
        return new String(out, StandardCharsets.UTF_8);
    }
}
