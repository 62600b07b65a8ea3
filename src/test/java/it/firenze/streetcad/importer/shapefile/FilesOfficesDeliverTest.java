package it.firenze.streetcad.importer.shapefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import it.firenze.streetcad.importer.report.Note;
import it.firenze.streetcad.importer.report.ReportCode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files real offices deliver that the reader once misread or refused, each made at test time by ogr2ogr and then
 * changed the way the delivered file differed; ogrinfo (GDAL) is the oracle of what they hold.
 */
class FilesOfficesDeliverTest {

    @TempDir
    Path temp;

    static final String UTF8_ROAD = """
            {"type":"FeatureCollection","features":[
             {"type":"Feature","properties":{"name":"VITTORIO EMANUELE III°"},
              "geometry":{"type":"LineString","coordinates":[[1680000,4850000],[1680100,4850050]]}},
             {"type":"Feature","properties":{"name":"Località Ponte a Greve"},
              "geometry":{"type":"LineString","coordinates":[[1680100,4850050],[1680200,4850020]]}}
            ]}""";

    @Test
    void givenAUtf8DbfWithNoCpgAndNoLanguageDriverWhenReadThenItIsReadAsUtf8AndTheReportSaysWhy() throws Exception {
        ShapefileLayer layer = withNoCodePage("UTF-8");

        assertEquals(List.of("VITTORIO EMANUELE III°", "Località Ponte a Greve"), names(layer));
        assertTrue(layer.charsetSource().startsWith("UTF-8, detected: there is no .cpg and no language driver"),
                layer.charsetSource());
    }

    @Test
    void givenALatin1DbfWithNoCpgAndNoLanguageDriverWhenReadThenWindows1252StillApplies() throws Exception {
        ShapefileLayer layer = withNoCodePage("ISO-8859-1");

        assertEquals(List.of("VITTORIO EMANUELE III°", "Località Ponte a Greve"), names(layer));
        assertTrue(layer.charsetSource().startsWith("windows-1252, the default"), layer.charsetSource());
    }

    @Test
    void givenZeroPaddingAfterTheLastRecordWhenReadThenTheShxCountDecidesAsInGdal() throws Exception {
        Path shp = Fixtures.shapefile(temp, "padded", UTF8_ROAD, "UTF-8");
        byte[] bytes = Files.readAllBytes(shp);
        byte[] padded = java.util.Arrays.copyOf(bytes, bytes.length + 64); // zeros after record 2
        ByteBuffer.wrap(padded).order(ByteOrder.BIG_ENDIAN).putInt(24, padded.length / 2);
        Files.write(shp, padded);
        String ogrinfo = ogrinfo(shp);
        assertTrue(ogrinfo.contains("Feature Count: 2"), ogrinfo);

        ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());

        assertEquals(2, LineLayerTest.readAll(layer).size());
    }

    @Test
    void givenBytesThatAreNotPaddingAfterTheLastIndexedRecordWhenReadThenTheDisagreementIsStillNamed() throws Exception {
        Path shp = Fixtures.shapefile(temp, "extra", UTF8_ROAD, "UTF-8");
        byte[] bytes = Files.readAllBytes(shp);
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 8);
        longer[longer.length - 1] = 7;
        ByteBuffer.wrap(longer).order(ByteOrder.BIG_ENDIAN).putInt(24, longer.length / 2);
        Files.write(shp, longer);

        ShapefileException e = org.junit.jupiter.api.Assertions.assertThrows(ShapefileException.class,
                () -> LineLayerTest.readAll(ShapefileLayer.open(shp, null, ReadOptions.defaults())));
        assertTrue(e.getMessage().contains("has more records than the 2 that"), e.getMessage());
    }

    @Test
    void givenNoDbfWhenOpenedThenTheNoticeSaysThereAreNoAttributesAndWhichEncodingWouldApply() throws Exception {
        Path shp = Fixtures.shapefile(temp, "bare", UTF8_ROAD, "UTF-8");
        Files.delete(Fixtures.sibling(shp, "dbf"));

        ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());

        assertEquals(List.of(ReportCode.DBF_MISSING), layer.notices().stream().map(Note::code).toList());
        String notice = layer.notices().getFirst().message();
        assertTrue(notice.startsWith("there is no .dbf beside bare.shp: the features have no attributes"), notice);
        assertTrue(notice.endsWith("read as UTF-8, from bare.cpg ('UTF-8')"), notice);
        assertEquals(2, LineLayerTest.readAll(layer).size());
    }

    @Test
    void givenAPointLayerWithAnUnusualPrjWhenOpenedForImportThenItIsRefusedBeforeThePrjIsIdentified() throws Exception {
        Path shp = Fixtures.shapefile(temp, "stops", """
                {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Fermata"},
                 "geometry":{"type":"Point","coordinates":[500000,4000000]}}]}""", "UTF-8");
        // NAD 1927 / UTM 13N as ArcGIS writes it (seconds to identify), with zeros no other test writes, and a
        // cache file of its own: a text nothing has identified yet
        String nad27 = Files.readString(Path.of("src/test/resources/prj/esri-26713.prj"))
                .replace("6378206.4", "6378206.400000");
        Files.writeString(Fixtures.sibling(shp, "prj"), nad27);
        String previous = System.getProperty(PrjCrs.CACHE_FILE_PROPERTY);
        System.setProperty(PrjCrs.CACHE_FILE_PROPERTY, temp.resolve("prj-cache.tsv").toString());
        long searches = PrjCrs.searches();

        it.firenze.streetcad.importer.ImportException e;
        try {
            e = org.junit.jupiter.api.Assertions.assertThrows(it.firenze.streetcad.importer.ImportException.class,
                    () -> it.firenze.streetcad.importer.ImportJobs.open(it.firenze.streetcad.importer.ImportParameters.request(
                            "stops.shp", shp, null, it.firenze.streetcad.importer.Mapping.preset("osm"), null, null, null,
                            null, ArchiveLimits.defaults(), null)));
        } finally {
            if (previous == null) System.clearProperty(PrjCrs.CACHE_FILE_PROPERTY);
            else System.setProperty(PrjCrs.CACHE_FILE_PROPERTY, previous);
        }

        assertEquals("file", e.parameter());
        assertTrue(e.getMessage().contains("holds MultiPoint geometries"), e.getMessage());
        assertEquals(searches, PrjCrs.searches(), "the .prj was not identified");
    }

    /** The two roads written in {@code encoding}, with no .cpg and no language driver to say so. */
    private ShapefileLayer withNoCodePage(String encoding) throws Exception {
        Path shp = Fixtures.shapefile(temp, encoding.toLowerCase(java.util.Locale.ROOT), UTF8_ROAD, encoding);
        Files.delete(Fixtures.sibling(shp, "cpg"));
        Fixtures.patch(Fixtures.sibling(shp, "dbf"), 29, (byte) 0);
        return ShapefileLayer.open(shp, null, ReadOptions.defaults());
    }

    private static List<Object> names(ShapefileLayer layer) {
        return LineLayerTest.readAll(layer).stream().map(r -> r.attributes().get("name")).toList();
    }

    private static String ogrinfo(Path shp) throws Exception {
        Process p = new ProcessBuilder("ogrinfo", "-so", "-al", shp.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
