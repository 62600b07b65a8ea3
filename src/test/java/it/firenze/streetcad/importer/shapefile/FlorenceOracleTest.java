package it.firenze.streetcad.importer.shapefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader gives what GDAL's ogr2ogr gives on the Florence sample (33,089 OSM lines, EPSG:4326, UTF-8) and on
 * a Gauss-Boaga (EPSG:3003) windows-1252 copy that ogr2ogr makes at test time.
 */
class FlorenceOracleTest {
    static final Path FLORENCE = Path.of("geodata/florence-osm/florence_highways.shp");
    private static final int FLORENCE_LINES = 33_089;

    @TempDir
    Path temp;

    @Test
    void givenTheFlorenceSampleWhenReadThenEveryFeatureEqualsOgr2ogrsGeoJson() throws Exception {
        ShapefileLayer layer = ShapefileLayer.open(FLORENCE.getParent(), null, ReadOptions.defaults());

        assertEquals("florence_highways", layer.name());
        assertEquals(ShapeType.POLYLINE, layer.shapeType());
        assertEquals(OptionalInt.of(4326), layer.srid());
        assertEquals(StandardCharsets.UTF_8, layer.charset());
        assertEquals(FLORENCE_LINES, layer.recordCount());
        assertEquals(FLORENCE_LINES, compareWithOgr2ogr(layer, FLORENCE, null));
    }

    @Test
    void givenAWindows1252GaussBoagaCopyWhenReadThenCoordinatesEqualOgr2ogrsAndNamesEqualTheOriginal()
            throws Exception {
        Path copy = temp.resolve("gauss_boaga.shp");
        Gdal.run("ogr2ogr", "-t_srs", "EPSG:3003", "-lco", "ENCODING=CP1252", copy.toString(), FLORENCE.toString());
        ShapefileLayer original = ShapefileLayer.open(FLORENCE, null, ReadOptions.defaults());
        ShapefileLayer layer = ShapefileLayer.open(copy, null, ReadOptions.defaults());

        assertEquals(OptionalInt.of(3003), layer.srid(), layer.sridSource());
        assertEquals(Encodings.WINDOWS_1252, layer.charset(), layer.charsetSource());
        assertTrue(layer.charsetSource().contains("gauss_boaga.cpg"), layer.charsetSource());
        List<String> names = new ArrayList<>();
        try (ShapeRecords records = original.records()) {
            records.forEachRemaining(r -> names.add((String) r.attributes().get("name")));
        }
        assertEquals(FLORENCE_LINES, compareWithOgr2ogr(layer, copy, names));
        assertTrue(names.contains("Passerella dell'Isolotto “Alexander Langer”"), "bytes 0x93/0x94 of windows-1252");
        assertTrue(names.contains("Ponte San Niccolò"));
    }

    /** Compares feature by feature; when names is given, the name attributes must equal it too. */
    private int compareWithOgr2ogr(ShapefileLayer layer, Path shp, List<String> names) throws Exception {
        Path geoJson = Gdal.geoJson(shp, temp.resolve(shp.getFileName() + ".geojson"));
        int[] count = {0};
        try (ShapeRecords records = layer.records()) {
            Gdal.eachFeature(geoJson, feature -> {
                assertTrue(records.hasNext(), "ogr2ogr has more features than the reader");
                ShapeRecord record = records.next();
                String where = "feature " + record.featureNumber();
                assertEquals(++count[0], record.featureNumber());
                ShapefileCasesTest.assertNumbersClose(feature.get("geometry"),
                        ShapefileCasesTest.geoJson(record.geometry()), where);
                assertEquals(feature.get("properties"), propertiesWithNulls(record.attributes()), where);
                if (names != null) {
                    assertEquals(names.get(count[0] - 1), record.attributes().get("name"), where);
                }
            });
            assertFalse(records.hasNext(), "the reader has more features than ogr2ogr");
            assertEquals(0, records.deletedRecords());
        }
        return count[0];
    }

    private static ObjectNode propertiesWithNulls(Map<String, Object> attributes) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        attributes.forEach((key, value) -> node.put(key, (String) value));
        return node;
    }
}
