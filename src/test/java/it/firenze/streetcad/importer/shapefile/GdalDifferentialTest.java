package it.firenze.streetcad.importer.shapefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files that GDAL's shapefile driver reads and that this reader once refused or misread, found by reading the same
 * bytes with both (session 9's differential sweep). Each file is a line layer written by ogr2ogr whose .dbf, .cpg
 * or .prj is then replaced by the bytes of the case; ogrinfo is the oracle where GDAL and the reader agree, and the
 * comments say why they do not where they do not.
 */
class GdalDifferentialTest {

    @TempDir
    Path temp;

    @Test
    void givenNumbersAsOtherWritersWriteThemWhenReadThenEachIsTheValueMeantOrNone() throws Exception {
        Path shp = layer("numbers", List.of("n:N:10:0", "share:N:12:3", "ratio:F:19:11"), List.of(
                List.of("1,5", "2,25", "0,5"),      // an Italian decimal comma: GDAL cuts it to 1, 2 and 0
                List.of("nan", "-inf", "NaN"),      // as GDAL writes NaN and infinities: no JSON number holds them
                List.of("-", ".", "-"),             // no digit at all: GDAL invents a 0
                List.of("*****", "**.***", "***"),  // dBase's overflow: null in GDAL too
                List.of("+3", "-0.001", "-1.25e+03")));

        List<Map<String, Object>> rows = attributes(shp);

        assertEquals(new BigDecimal("1.5"), rows.get(0).get("n"));
        assertEquals(new BigDecimal("2.25"), rows.get(0).get("share"));
        assertEquals(0.5, rows.get(0).get("ratio"));
        for (Map<String, Object> row : rows.subList(1, 4)) {
            assertEquals(Arrays.asList(null, null, null), new ArrayList<>(row.values()), row.toString());
        }
        assertEquals(3L, rows.get(4).get("n"));
        assertEquals(new BigDecimal("-0.001"), rows.get(4).get("share"));
        assertEquals(-1250.0, rows.get(4).get("ratio"));
        String ogrinfo = ogrinfo(shp);
        assertTrue(ogrinfo.contains("Value '2,25' of field numbers.share parsed incompletely to real 2"), ogrinfo);
    }

    @Test
    void givenDatesThatAreNoDayOfTheCalendarWhenReadThenTheyAreKeptAsTextAndEmptyOnesAreNull() throws Exception {
        Path shp = layer("dates", List.of("opened:D:10"), List.of(
                List.of("19610502"), List.of("00000000"), List.of("       0"), List.of("0"),
                List.of("20230230"), List.of("19610500"), List.of("02/05/1961")));

        List<Object> opened = attributes(shp).stream().map(r -> r.get("opened")).toList();

        // GDAL reads "20230230" as the date 2023/02/30 and "02/05/1961" as February 5th; an Italian office means
        // May 2nd: the text keeps what was written, refusing the file would lose everything else
        assertEquals(Arrays.asList(LocalDate.of(1961, 5, 2), null, null, null, "20230230", "19610500", "02/05/1961"),
                opened);
    }

    @Test
    void givenLogicalsOtherThanTrueFalseOrUnknownWhenReadThenTheirLetterIsKept() throws Exception {
        Path shp = layer("logicals", List.of("lit:L:1"),
                List.of(List.of("T"), List.of("n"), List.of("?"), List.of(" "), List.of("1"), List.of("0")));

        List<Object> lit = attributes(shp).stream().map(r -> r.get("lit")).toList();

        assertEquals(Arrays.asList(true, false, null, null, "1", "0"), lit);
    }

    @Test
    void givenTextWithBytesAfterANulWhenReadThenItEndsAtTheNulAsInGdal() throws Exception {
        // writers that pad with NULs leave whatever the buffer held behind them; PostgreSQL refuses a NUL in text
        Path shp = layer("padded", List.of("name:C:20", "code:N:5:0"),
                List.of(List.of("Via Senese\0\0old na", "\0\0\0\0\0"), List.of("\0", "7")));

        List<Map<String, Object>> rows = attributes(shp);

        assertEquals("Via Senese", rows.get(0).get("name"));
        assertNull(rows.get(0).get("code"));
        assertNull(rows.get(1).get("name"));
        assertTrue(ogrinfo(shp).contains("name (String) = Via Senese\n"), ogrinfo(shp));
    }

    @Test
    void givenACpgWithAByteOrderMarkWhenReadThenItsEncodingApplies() throws Exception {
        Path shp = layer("bom", List.of("name:C:20"), List.of(List.of(utf8("Niccolò €"))));
        Files.write(Fixtures.sibling(shp, "cpg"), "\uFEFFUTF-8\r\n".getBytes(StandardCharsets.UTF_8));

        ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());

        assertEquals("UTF-8, from bom.cpg ('UTF-8')", layer.charsetSource());
        assertEquals("Niccolò €", attributes(shp).getFirst().get("name"));
        assertTrue(ogrinfo(shp).contains("name (String) = Niccolò €"), ogrinfo(shp));
    }

    @Test
    void givenACpgSayingAnsiWhenReadThenTheSystemCodePageOfTheLanguageDriver0x57Applies() throws Exception {
        Path shp = layer("ansi", List.of("name:C:20"), List.of(List.of("Niccolò \u0092"))); // ’ in windows-1252
        Files.writeString(Fixtures.sibling(shp, "cpg"), "ANSI");

        ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());

        assertEquals("windows-1252, from ansi.cpg ('ANSI')", layer.charsetSource());
        assertEquals("Niccolò ’", attributes(shp).getFirst().get("name"));
    }

    @Test
    void givenAPrjWithAByteOrderMarkAndACrLfWhenOpenedThenItsCrsIsIdentifiedAsGdalDoes() throws Exception {
        Path shp = layer("bom", List.of("name:C:5"), List.of(List.of("a")));
        String esriWgs84 = "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137,"
                + "298.257223563]],PRIMEM[\"Greenwich\",0],UNIT[\"Degree\",0.017453292519943295]]";
        Files.write(Fixtures.sibling(shp, "prj"), ("\uFEFF" + esriWgs84 + "\r\n").getBytes(StandardCharsets.UTF_8));

        ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());

        assertEquals(4326, layer.srid().orElseThrow(), layer.sridSource());
        assertTrue(ogrinfo(shp).contains("ID[\"EPSG\",4326]"), ogrinfo(shp));
    }

    /** A line layer of as many lines as rows, whose .dbf is the given table (ASCII unless a test rewrites it). */
    private Path layer(String name, List<String> fields, List<List<String>> rows) throws Exception {
        String lines = String.join(",", IntStream.range(0, rows.size()).mapToObj(i -> """
                {"type":"Feature","properties":{},"geometry":{"type":"LineString",
                 "coordinates":[[%d,4850000],[%d,4850010]]}}""".formatted(1680000 + 10 * i, 1680005 + 10 * i))
                .toList());
        Path shp = Fixtures.shapefile(temp, name, "{\"type\":\"FeatureCollection\",\"features\":[" + lines + "]}",
                "UTF-8");
        Files.write(Fixtures.sibling(shp, "dbf"), ShapefileBytes.dbf(fields, rows));
        return shp;
    }

    /** The UTF-8 bytes of the text, one char per byte as the table builder takes them. */
    private static String utf8(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static List<Map<String, Object>> attributes(Path shp) {
        return LineLayerTest.readAll(ShapefileLayer.open(shp, null, ReadOptions.defaults())).stream()
                .map(ShapeRecord::attributes).toList();
    }

    private static String ogrinfo(Path shp) throws Exception {
        Process p = new ProcessBuilder("ogrinfo", "-ro", "-al", shp.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
