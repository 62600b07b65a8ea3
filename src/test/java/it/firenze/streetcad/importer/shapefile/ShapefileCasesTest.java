package it.firenze.streetcad.importer.shapefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryCollection;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.Polygon;

/** The cases of github.com/mbostock/shapefile read as the GeoJSON beside each (geometry within 1e-9, attributes exactly). */
class ShapefileCasesTest {
    static final Path CASES = Path.of("src/test/resources/shapefile-cases");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TOLERANCE = 1e-9;
    private static final Comparator<JsonNode> EXACT_NUMBERS = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue()) : (a.equals(b) ? 0 : 1);

    @TempDir
    Path temp;

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(CASES)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - 5)).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void givenACaseWhenReadThenItMatchesItsGeoJson(String name) throws IOException {
        Path shp = CASES.resolve(name + ".shp");
        if (!Files.exists(CASES.resolve(name + ".shx"))) {
            shp = copyWithRebuiltIndex(name);
        }
        JsonNode expected = JSON.readTree(CASES.resolve(name + ".json").toFile());
        ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());

        List<ShapeRecord> records = new ArrayList<>();
        try (ShapeRecords stream = layer.records()) {
            stream.forEachRemaining(records::add);
        }

        JsonNode features = expected.get("features");
        assertEquals(features.size(), records.size(), "feature count");
        boolean geometryOnly = layer.fields().stream().map(DbfField::name).toList().equals(List.of("FID"))
                && features.findValues("properties").stream().allMatch(JsonNode::isEmpty);
        for (int i = 0; i < records.size(); i++) {
            ShapeRecord record = records.get(i);
            JsonNode feature = features.get(i);
            assertEquals(i + 1, record.featureNumber());
            assertNumbersClose(feature.get("geometry"), geoJson(record.geometry()), name + " feature " + (i + 1));
            // The geometry-only cases were written from the .shp alone; their .dbf holds the FID counter GDAL shows too
            JsonNode properties = geometryOnly ? JSON.createObjectNode().put("FID", i) : feature.get("properties");
            assertTrue(properties.equals(EXACT_NUMBERS, properties(record.attributes())),
                    name + " feature " + (i + 1) + ": expected " + properties + " but was " + record.attributes());
        }
        if (expected.has("bbox") && records.size() > 0) {
            JsonNode bbox = expected.get("bbox");
            assertEquals(bbox.get(0).asDouble(), layer.bounds().getMinX(), TOLERANCE);
            assertEquals(bbox.get(3).asDouble(), layer.bounds().getMaxY(), TOLERANCE);
        }
    }

    @Test
    void givenACaseWithoutItsShxWhenOpenedThenTheMissingIndexIsNamed() {
        ShapefileException error = assertThrows(ShapefileException.class,
                () -> ShapefileLayer.open(CASES.resolve("polylinem.shp"), null, ReadOptions.defaults()));
        assertTrue(error.getMessage().contains("polylinem.shp has no .shx"), error.getMessage());
    }

    @Test
    void givenPointAndPolygonCasesWhenOpenedThenTheirShapeTypeSaysTheyAreNotLines() {
        assertEquals(ShapeType.POINT, ShapefileLayer.open(CASES.resolve("points.shp"), null, null).shapeType());
        assertEquals(ShapeType.POLYGON, ShapefileLayer.open(CASES.resolve("polygons.shp"), null, null).shapeType());
        assertEquals(ShapeType.MULTIPOINT, ShapefileLayer.open(CASES.resolve("multipoints.shp"), null, null).shapeType());
        assertTrue(ShapefileLayer.open(CASES.resolve("polylines.shp"), null, null).shapeType().isLine());
    }

    /** Some cases come without .shx; the reader requires one, so the test writes the index the .shp implies. */
    private Path copyWithRebuiltIndex(String name) throws IOException {
        try (Stream<Path> files = Files.list(CASES)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(name + ".")).toList()) {
                Files.copy(file, temp.resolve(file.getFileName()));
            }
        }
        Path shp = temp.resolve(name + ".shp");
        Files.write(temp.resolve(name + ".shx"), ShapefileBytes.indexFor(Files.readAllBytes(shp)));
        return shp;
    }

    static ObjectNode properties(Map<String, Object> attributes) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        attributes.forEach((key, value) -> {
            switch (value) {
                case null -> { }
                case String s -> node.put(key, s);
                case Long l -> node.put(key, l);
                case BigDecimal d -> node.put(key, d);
                case Double d -> node.put(key, d);
                case Boolean b -> node.put(key, b);
                case LocalDate d -> node.put(key, d.format(DateTimeFormatter.BASIC_ISO_DATE));
                default -> fail("unexpected attribute type " + value.getClass());
            }
        });
        return node;
    }

    static JsonNode geoJson(Geometry geometry) {
        if (geometry == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("type", geometry.getGeometryType());
        node.set("coordinates", coordinates(geometry));
        return node;
    }

    private static JsonNode coordinates(Geometry geometry) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        switch (geometry) {
            case Point p -> {
                return position(p.getCoordinate());
            }
            case LineString line -> {
                for (Coordinate c : line.getCoordinates()) {
                    array.add(position(c));
                }
            }
            case Polygon polygon -> {
                array.add(coordinates(polygon.getExteriorRing()));
                for (int i = 0; i < polygon.getNumInteriorRing(); i++) {
                    array.add(coordinates(polygon.getInteriorRingN(i)));
                }
            }
            case GeometryCollection collection -> {
                for (int i = 0; i < collection.getNumGeometries(); i++) {
                    array.add(coordinates(collection.getGeometryN(i)));
                }
            }
            default -> fail("unexpected geometry " + geometry.getGeometryType());
        }
        return array;
    }

    private static ArrayNode position(Coordinate c) {
        ArrayNode position = JsonNodeFactory.instance.arrayNode().add(c.getX()).add(c.getY());
        return Double.isNaN(c.getZ()) ? position : position.add(c.getZ());
    }

    static void assertNumbersClose(JsonNode expected, JsonNode actual, String where) {
        if (expected.isNumber()) {
            assertTrue(actual.isNumber(), where + ": expected a number, got " + actual);
            assertEquals(expected.asDouble(), actual.asDouble(), TOLERANCE, where);
        } else if (expected.isContainerNode()) {
            assertEquals(expected.size(), actual.size(), where + ": " + expected + " vs " + actual);
            if (expected.isArray()) {
                for (int i = 0; i < expected.size(); i++) {
                    assertNumbersClose(expected.get(i), actual.get(i), where);
                }
            } else {
                expected.fieldNames().forEachRemaining(f -> assertNumbersClose(expected.get(f), actual.get(f), where));
            }
        } else {
            assertEquals(expected, actual, where);
        }
    }
}
