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
import org.junit.jupiter.api.io.TempDir;
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

    @Test
    void givenEsriTextsGdalIdentifiesWhenLookedUpThenTheyAreFoundAsGdalFindsThem() throws IOException {
        // gdalsrsinfo -o wkt_esri EPSG:26713; GDAL identifies it as 26713 by its ESRI name, then its parameters
        assertEquals(OptionalInt.of(26713), PrjCrs.epsgCode(prj("esri-26713")));
        // WGS 84 with its datum written without ESRI's D_ prefix; gdalsrsinfo -e says EPSG:4326
        assertEquals(OptionalInt.of(4326), PrjCrs.epsgCode(prj("esri-4326").replace("D_WGS_1984", "WGS_1984")));
    }

    @Test
    void givenAnEsriNameWhoseParametersDifferWhenLookedUpThenTheNameAloneDoesNotDecide() throws IOException {
        String shifted = prj("esri-26713").replace("PARAMETER[\"False_Easting\",500000.0]", "PARAMETER[\"False_Easting\",400000.0]");
        assertTrue(PrjCrs.epsgCode(shifted).stream().noneMatch(code -> code == 26713), "a 26713 with another false easting");
    }

    @Test
    void givenATextIdentifiedOnceWhenANewProcessLooksItUpThenTheFileCacheAnswersWithoutSearching(@TempDir Path temp)
            throws IOException {
        String previous = System.getProperty(PrjCrs.CACHE_FILE_PROPERTY);
        Path file = temp.resolve("streetcad").resolve("prj-epsg.tsv");
        System.setProperty(PrjCrs.CACHE_FILE_PROPERTY, file.toString());
        try {
            // the same CRS with more zeros than any other test writes: a text the process has not identified yet
            String text = prj("esri-3003").replace("6378388.0", "6378388.0000000");
            assertEquals(OptionalInt.of(3003), PrjCrs.epsgCode(text));
            assertTrue(Files.readString(file).contains("3003\t" + text.strip()), Files.readString(file));

            PrjCrs.forgetInMemory(); // what a new process knows: only the file
            long searches = PrjCrs.searches();
            assertEquals(OptionalInt.of(3003), PrjCrs.epsgCode(text));
            assertEquals(searches, PrjCrs.searches(), "answered from the file, not identified again");
        } finally {
            if (previous == null) System.clearProperty(PrjCrs.CACHE_FILE_PROPERTY);
            else System.setProperty(PrjCrs.CACHE_FILE_PROPERTY, previous);
            PrjCrs.forgetInMemory();
        }
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
