package it.firenze.streetcad.importer.shapefile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Runs GDAL's command-line tools (Debian gdal-bin), the oracle the hand-written reader is checked against. */
final class Gdal {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Gdal() {
    }

    static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + " failed: " + output);
    }

    /** ogr2ogr's GeoJSON of a layer, all digits kept, in the layer's own CRS. */
    static Path geoJson(Path shp, Path out) throws IOException, InterruptedException {
        run("ogr2ogr", "-f", "GeoJSON", "-lco", "SIGNIFICANT_FIGURES=17", out.toString(), shp.toString());
        return out;
    }

    /** Feeds the features of a GeoJSON file one at a time (the Florence one is too big for one tree). */
    static void eachFeature(Path geoJson, Consumer<JsonNode> consumer) throws IOException {
        try (JsonParser parser = JSON.createParser(geoJson.toFile())) {
            while (parser.nextToken() != null) {
                if (parser.currentToken() == JsonToken.FIELD_NAME && "features".equals(parser.currentName())
                        && parser.getParsingContext().getParent().inRoot()) {
                    parser.nextToken();
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        consumer.accept(parser.readValueAsTree());
                    }
                    return;
                }
            }
        }
    }

    static List<JsonNode> features(Path geoJson) throws IOException {
        List<JsonNode> features = new ArrayList<>();
        eachFeature(geoJson, features::add);
        return features;
    }
}
