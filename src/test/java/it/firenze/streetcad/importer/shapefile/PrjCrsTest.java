package it.firenze.streetcad.importer.shapefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The .prj texts in src/test/resources/prj are what GDAL 3.6 writes: esri-N.prj as ArcGIS and ogr2ogr write
 * shapefile .prj files (ESRI WKT, no axis order), ogc-N.prj as OGC WKT 1 (with axes and authority).
 */
class PrjCrsTest {
    private static final Path PRJ = Path.of("src/test/resources/prj");

    @BeforeAll
    static void warmUp() {
        PrjCrs.warmUp();
    }

    @ParameterizedTest(name = "EPSG:{0}")
    @ValueSource(ints = {4326, 4258, 6706, 3003, 3004, 6707, 6708, 7791, 7792, 25832, 32632, 32633, 23032, 3857})
    void givenTheEsriPrjOfACrsWhenLookedUpThenItsEpsgCodeIsFound(int code) throws IOException {
        OptionalInt found = PrjCrs.epsgCode(prj("esri-" + code));
        assertTrue(found.isPresent(), "EPSG:" + code + " not found");
        // ESRI WKT has no axis order: RDN2008's N-E and E-N variants are the same CRS for a shapefile, whose x is
        // always the easting, and PostGIS transforms both alike.
        assertTrue(sameForShapefiles(code).contains(found.getAsInt()), "EPSG:" + code + " found as " + found);
    }

    @ParameterizedTest(name = "EPSG:{0}")
    @ValueSource(ints = {4326, 4258, 6706, 3003, 3004, 6707, 6708, 7791, 7792, 25832, 32632, 32633, 23032, 3857})
    void givenTheOgcWktOfACrsWhenLookedUpThenExactlyItsEpsgCodeIsFound(int code) throws IOException {
        assertEquals(OptionalInt.of(code), PrjCrs.epsgCode(prj("ogc-" + code)));
    }

    @Test
    void givenTextThatIsNoCrsWhenLookedUpThenNothingIsFound() {
        assertEquals(OptionalInt.empty(), PrjCrs.epsgCode("this is not WKT"));
        assertEquals(OptionalInt.empty(), PrjCrs.epsgCode(""));
        assertEquals(OptionalInt.empty(), PrjCrs.epsgCode("LOCAL_CS[\"Cassini-Soldner local origin\",UNIT[\"metre\",1]]"));
    }

    private static Set<Integer> sameForShapefiles(int code) {
        return switch (code) {
            case 6707, 7791 -> Set.of(6707, 7791);
            case 6708, 7792 -> Set.of(6708, 7792);
            default -> Set.of(code);
        };
    }

    private static String prj(String name) throws IOException {
        return Files.readString(PRJ.resolve(name + ".prj"), StandardCharsets.UTF_8);
    }
}
