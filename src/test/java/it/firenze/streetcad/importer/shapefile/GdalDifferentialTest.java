package it.firenze.streetcad.importer.shapefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import it.firenze.streetcad.importer.report.Note;
import it.firenze.streetcad.importer.report.ReportCode;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;

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
        assertEquals(Arrays.asList(LocalDate.of(1961, 5, 2), null, null, null, new NotOfItsType("20230230", 'D'),
                new NotOfItsType("19610500", 'D'), new NotOfItsType("02/05/1961", 'D')), opened);
    }

    @Test
    void givenLogicalsOtherThanTrueFalseOrUnknownWhenReadThenTheirLetterIsKept() throws Exception {
        Path shp = layer("logicals", List.of("lit:L:1"),
                List.of(List.of("T"), List.of("n"), List.of("?"), List.of(" "), List.of("1"), List.of("0")));

        List<Object> lit = attributes(shp).stream().map(r -> r.get("lit")).toList();

        assertEquals(Arrays.asList(true, false, null, null, new NotOfItsType("1", 'L'), new NotOfItsType("0", 'L')), lit);
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
    void givenAShpHeaderDeclaringAWrongFileLengthWhenReadThenTheRecordsTheShxListsAreReadAsByGdal() throws Exception {
        for (int wrongBy : List.of(50, -20)) {
            Path shp = threeLines("declared" + (wrongBy > 0 ? "longer" : "shorter"));
            int declaredWords = ByteBuffer.wrap(Files.readAllBytes(shp)).getInt(24);
            Fixtures.patch(shp, 24, Fixtures.bigEndian(declaredWords + wrongBy / 2));

            assertEquals(3, lines(shp).size());
            assertTrue(ogrinfo(shp).contains("LINESTRING (1680020 4850000,1680025 4850010)"), ogrinfo(shp));
        }
    }

    @Test
    void givenRecordsOfAnotherLineTypeThanTheLayersWhenReadThenTheyAreReadAsTheLayersTypeAsByGdal() throws Exception {
        Path lines = threeLines("measured");
        Fixtures.patch(lines, (int) entry(lines, 2)[0] + 8, Fixtures.littleEndian(ShapeType.POLYLINE_M.code()));
        Path bridges = Fixtures.shapefile(temp, "bridges", Fixtures.ROADS_Z, "UTF-8");
        Fixtures.patch(bridges, 100 + 8, Fixtures.littleEndian(ShapeType.POLYLINE.code()));

        assertEquals("LINESTRING (1680010 4850000, 1680015 4850010, 1680020 4850020)", lines(lines).get(1));
        Geometry flat = LineLayerTest.readAll(ShapefileLayer.open(bridges, null, ReadOptions.defaults()))
                .getFirst().geometry();
        assertEquals(List.of(0.0, 0.0), Arrays.stream(flat.getCoordinates()).map(Coordinate::getZ).toList());
        assertTrue(ogrinfo(lines).contains("LINESTRING (1680010 4850000,1680015 4850010,1680020 4850020)"),
                ogrinfo(lines));
        assertTrue(ogrinfo(bridges).contains("LINESTRING ZM (1676000 4850000 0 0,1676500 4850100 0 0)"), ogrinfo(bridges));
    }

    @Test
    void givenARecordOfAnotherKindOfShapeWhenReadThenItIsStillRefusedByName() throws Exception {
        Path lines = threeLines("pointed");
        Fixtures.patch(lines, (int) entry(lines, 2)[0] + 8, Fixtures.littleEndian(ShapeType.POLYGON.code()));

        ShapefileException error = assertThrows(ShapefileException.class, () -> lines(lines));
        assertTrue(error.getMessage().endsWith("pointed.shp record 2 is a Polygon in a PolyLine layer"),
                error.getMessage());
    }

    @Test
    void givenUtf8TextCutToItsFieldWidthInsideACharacterWhenReadThenTheHalfCharacterIsDropped() throws Exception {
        // "Via Niccolò" is 12 bytes in UTF-8: a writer cutting it to 11 by bytes leaves the first byte of "ò"
        List<List<String>> rows = List.of(List.of(utf8("Via Niccolò").substring(0, 11), "ok"),
                List.of(utf8("Località"), "x"));
        Path declared = layer("declared", List.of("name:C:11", "k:C:2"), rows);
        Path undeclared = layer("undeclared", List.of("name:C:11", "k:C:2"), rows);
        Files.delete(Fixtures.sibling(undeclared, "cpg"));

        for (Path shp : List.of(declared, undeclared)) {
            ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());
            assertEquals("UTF-8", layer.charset().name(), layer.charsetSource());
            assertEquals(List.of("Via Niccol", "Località"),
                    attributes(shp).stream().map(r -> r.get("name")).toList());
        }
    }

    @Test
    void givenAValueCutInsideACharacterThatDoesNotFillItsFieldWhenReadThenTheEncodingIsStillQuestioned() throws Exception {
        Path shp = layer("notcut", List.of("name:C:12"), List.of(List.of(utf8("Via Niccolò").substring(0, 11))));

        ShapefileException error = assertThrows(ShapefileException.class, () -> attributes(shp));
        assertTrue(error.getMessage().endsWith("record 1, field name: bytes not valid in UTF-8 (UTF-8, from"
                + " notcut.cpg ('UTF-8')); give the right encoding explicitly"), error.getMessage());
    }

    @Test
    void givenARepeatedFieldNameWhenReadThenTheRepeatIsRenamedAndEveryOtherFieldKeepsItsName() throws Exception {
        Path shp = layer("repeated", List.of("name:C:5", "name:C:5", "name_2:C:5"), List.of(List.of("a", "b", "c")));

        // GDAL keeps both "name"s, and a client asking for "name" gets the first: here no value is hidden
        assertEquals(Map.of("name", "a", "name_3", "b", "name_2", "c"), attributes(shp).getFirst());
    }

    @Test
    void givenADbfHeaderWhoseRecordCountIsStaleWhenReadThenTheRecordsTheFileHoldsAreReadAndTheReportSaysSo()
            throws Exception {
        for (int announced : List.of(3, 0)) {
            Path shp = layer("stale" + announced, List.of("name:C:5"), List.of(List.of("a"), List.of("b")));
            Fixtures.patch(Fixtures.sibling(shp, "dbf"), 4, Fixtures.littleEndian(announced));

            ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());

            // GDAL reads both rows when the header says 3, and no feature at all when it says 0
            assertEquals(List.of("a", "b"), attributes(shp).stream().map(r -> r.get("name")).toList());
            assertEquals(List.of(new Note(ReportCode.DBF_RECORD_COUNT_STALE, Fixtures.sibling(shp, "dbf") + "'s header "
                    + "announces " + announced + " records, but the file holds the 2 the .shx lists: they are read")),
                    layer.notices());
        }
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

    @Test
    void givenALineRewrittenShorterInPlaceWhenReadThenTheGapItLeftIsSkippedAsByGdal() throws Exception {
        Path shp = threeLines("shorter");
        // record 2 (three points) rewritten as its first two, as shapelib does in place: 16 dead bytes follow it
        long[] second = entry(shp, 2);
        ByteBuffer content = ByteBuffer.wrap(Files.readAllBytes(shp)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(3, content.getInt((int) second[0] + 8 + 40));
        Fixtures.patch(shp, (int) second[0] + 8 + 40, Fixtures.littleEndian(2));
        Fixtures.patch(shp, (int) second[0] + 4, Fixtures.bigEndian(40));
        Fixtures.patch(Fixtures.sibling(shp, "shx"), 100 + 8 + 4, Fixtures.bigEndian(40));

        assertEquals(List.of("LINESTRING (1680000 4850000, 1680005 4850010)",
                "LINESTRING (1680010 4850000, 1680015 4850010)",
                "LINESTRING (1680020 4850000, 1680025 4850010)"), lines(shp));
        assertTrue(ogrinfo(shp).contains("LINESTRING (1680020 4850000,1680025 4850010)"), ogrinfo(shp));
    }

    @Test
    void givenALineRewrittenLongerAtTheEndOfTheFileWhenReadThenTheShxPlaceIsReadAsByGdal() throws Exception {
        Path shp = threeLines("longer");
        // record 2 given a fourth point and written after record 3, as shapelib does; its old bytes stay in place
        long[] second = entry(shp, 2);
        byte[] bytes = Files.readAllBytes(shp);
        ByteBuffer moved = ByteBuffer.allocate(8 + 112);
        moved.putInt(2).putInt(56).order(ByteOrder.LITTLE_ENDIAN);
        moved.put(bytes, (int) second[0] + 8, 40).putInt(4).putInt(0);
        moved.put(bytes, (int) second[0] + 8 + 48, 48).putDouble(1680025).putDouble(4850030);
        byte[] edited = Arrays.copyOf(bytes, bytes.length + moved.capacity());
        System.arraycopy(moved.array(), 0, edited, bytes.length, moved.capacity());
        ByteBuffer.wrap(edited).putInt(24, edited.length / 2);
        Files.write(shp, edited);
        Fixtures.patch(Fixtures.sibling(shp, "shx"), 100 + 8, Fixtures.bigEndian(bytes.length / 2));
        Fixtures.patch(Fixtures.sibling(shp, "shx"), 100 + 8 + 4, Fixtures.bigEndian(56));

        assertEquals(List.of("LINESTRING (1680000 4850000, 1680005 4850010)",
                "LINESTRING (1680010 4850000, 1680015 4850010, 1680020 4850020, 1680025 4850030)",
                "LINESTRING (1680020 4850000, 1680025 4850010)"), lines(shp));
        assertTrue(ogrinfo(shp).contains("LINESTRING (1680010 4850000,1680015 4850010,1680020 4850020,1680025 4850030)"),
                ogrinfo(shp));
    }

    @Test
    void givenAShxWhoseLengthIsShortOfTheShpsWhenReadThenTheShpRecordHeaderDecides() throws Exception {
        Path shp = threeLines("short-index");
        Fixtures.patch(Fixtures.sibling(shp, "shx"), 100 + 8 + 4, Fixtures.bigEndian(44)); // the .shp says 48 words

        // GDAL 3.6 reports the shape corrupted and reads it as no geometry; the .shp's own header is whole
        assertEquals("LINESTRING (1680010 4850000, 1680015 4850010, 1680020 4850020)", lines(shp).get(1));
    }

    @Test
    void givenAnEmptyPrjWhenOpenedThenTheCrsIsUnknownAndTheReportSaysTheFileIsEmpty() throws Exception {
        Path shp = layer("blank", List.of("name:C:5"), List.of(List.of("a")));
        Files.writeString(Fixtures.sibling(shp, "prj"), "\r\n");

        ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());

        assertTrue(layer.srid().isEmpty());
        assertEquals("unknown: blank.prj is empty", layer.sridSource());
        assertTrue(ogrinfo(shp).contains("Layer SRS WKT:\n(unknown)"), ogrinfo(shp));
    }

    @Test
    void givenMeasuresAndHeightsOnTheVerticesWhenReadThenEachRecordKeepsThemPartByPartAsOgrinfoReadsThem()
            throws Exception {
        // kilometre points (progressive chilometriche) as M, the last vertex's "no data"; and heights as Z
        Path measured = wktLayer("measured", "MULTILINESTRINGM",
                "LINESTRING M (1680000 4850000 0,1680100 4850050 112.5,1680200 4850020 -1e39)",
                "MULTILINESTRING M ((1681000 4851000 5,1681010 4851010 6),(1681010 4851010 6,1681030 4851000 7.25))");
        Path heights = wktLayer("heights", "MULTILINESTRINGZM",
                "LINESTRING ZM (1680000 4850000 41.5 0,1680100 4850050 42 112.5)",
                "LINESTRING Z (1681000 4851000 30,1681010 4851010 29)");

        List<VertexValues> m = vertexValues(measured);
        List<VertexValues> zm = vertexValues(heights);

        assertEquals(List.of(List.of(0.0, 112.5, Double.NaN)), values(m.get(0).m()));
        assertEquals(List.of(List.of(5.0, 6.0), List.of(6.0, 7.25)), values(m.get(1).m()));
        assertNull(m.get(0).z());
        assertEquals(List.of(List.of(41.5, 42.0)), values(zm.get(0).z()));
        assertEquals(List.of(List.of(0.0, 112.5)), values(zm.get(0).m()));
        assertEquals(List.of(List.of(30.0, 29.0)), values(zm.get(1).z()));
        assertNull(zm.get(1).m(), "only 'no data' measures: the record has none");
        // a PolyLineZ written without measures: its records end after the Z values
        Path heightsOnly = wktLayer("heightsonly", "MULTILINESTRINGZ", "LINESTRING Z (1681000 4851000 30,1681010 4851010 29)");
        assertEquals(List.of(List.of(30.0, 29.0)), values(vertexValues(heightsOnly).getFirst().z()));
        assertNull(vertexValues(heightsOnly).getFirst().m());
        assertFalse(ShapefileLayer.open(heightsOnly, null, ReadOptions.defaults()).hasM());
        String ogrinfo = ogrinfo(measured) + ogrinfo(heights);
        // GDAL passes the "no data" measures on as numbers (-1e39, and -DBL_MAX for a record written without M)
        for (String wkt : List.of("LINESTRING M (1680000 4850000 0,1680100 4850050 112.5,1680200 4850020 -1E+39)",
                "MULTILINESTRING M ((1681000 4851000 5,1681010 4851010 6),(1681010 4851010 6,1681030 4851000 7.25))",
                "LINESTRING ZM (1680000 4850000 41.5 0,1680100 4850050 42 112.5)",
                "LINESTRING ZM (1681000 4851000 30 -1.79769313486232E+308,1681010 4851010 29 -1.79769313486232E+308)")) {
            assertTrue(ogrinfo.contains(wkt), wkt + " in " + ogrinfo);
        }
    }

    @Test
    void givenNumericValuesThatAreNoNumberWhenReadThenTheirTextIsKeptWhereGdalInventsANumber() throws Exception {
        Path shp = layer("unreadable", List.of("lanes:N:5:0", "width:F:8:2"),
                List.of(List.of("2", "1.5"), List.of("x2", "3x"), List.of("12abc", ""), List.of("4", "3f"), List.of("5", "2.5d"), List.of("6", "1e400")));

        List<Map<String, Object>> rows = attributes(shp);

        assertEquals(Arrays.asList(2L, 1.5), new ArrayList<>(rows.get(0).values()));
        assertEquals(List.of(new NotOfItsType("x2", 'N'), new NotOfItsType("3x", 'F')), new ArrayList<>(rows.get(1).values()));
        assertEquals(Arrays.asList(new NotOfItsType("12abc", 'N'), null), new ArrayList<>(rows.get(2).values()));
        // Java's own number syntax is not a dBase number: its float and double suffixes are text like any other
        assertEquals(List.of(4L, new NotOfItsType("3f", 'F')), new ArrayList<>(rows.get(3).values()));
        assertEquals(List.of(5L, new NotOfItsType("2.5d", 'F')), new ArrayList<>(rows.get(4).values()));
        assertEquals(List.of(6L, new BigDecimal("1e400")), new ArrayList<>(rows.get(5).values()), "a number past a double's range");
        // GDAL reads 0, 3, 12, 3 and 2.5, with a warning for each
        String ogrinfo = ogrinfo(shp);
        for (String said : List.of("Value 'x2' of field unreadable.lanes parsed incompletely to integer 0",
                "Value '3x' of field unreadable.width parsed incompletely to real 3",
                "Value '12abc' of field unreadable.lanes parsed incompletely to integer 12",
                "Value '3f' of field unreadable.width parsed incompletely to real 3",
                "Value '2.5d' of field unreadable.width parsed incompletely to real 2.5")) {
            assertTrue(ogrinfo.contains(said), said + " in " + ogrinfo);
        }
    }

    @Test
    void givenFieldNamesThatDifferOnlyByCaseWhenReadThenEachIsAFieldOfItsOwnAsInOgrinfo() throws Exception {
        Path shp = layer("cased", List.of("NAME:C:5", "name:C:5", "Name:C:5"), List.of(List.of("A", "a", "Aa")));

        ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());

        assertEquals(List.of("NAME", "name", "Name"), layer.fields().stream().map(DbfField::name).toList());
        assertEquals(List.of("A", "a", "Aa"), new ArrayList<>(attributes(shp).getFirst().values()));
        assertTrue(ogrinfo(shp).contains("  NAME (String) = A\n  name (String) = a\n  Name (String) = Aa\n"),
                ogrinfo(shp));
    }

    @Test
    void givenADbfWithFewerRecordsThanTheShxWhenReadThenTheShapesPastItAreKeptWithoutAttributesAndTheCountsNamed()
            throws Exception {
        Path shp = threeLines("fewer");
        Path dbf = Fixtures.sibling(shp, "dbf");
        Files.write(dbf, ShapefileBytes.dbf(List.of("name:C:5"), List.of(List.of("a"), List.of("b"))));

        ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());

        assertEquals(List.of(Map.of("name", "a"), Map.of("name", "b"), Map.of()), attributes(shp));
        assertEquals("LINESTRING (1680020 4850000, 1680025 4850010)", lines(shp).get(2));
        assertEquals(List.of(new Note(ReportCode.DBF_FEWER_RECORDS, dbf + " has 2 records but " + Fixtures.sibling(shp, "shx")
                + " lists 3 shapes: shapes 3 to 3 are read without attributes (GDAL leaves them out); check that the files "
                + "belong together")), layer.notices());
        // GDAL reads the two shapes the .dbf names, and no third
        String ogrinfo = ogrinfo(shp);
        assertTrue(ogrinfo.contains("OGRFeature(fewer):1\n  name (String) = b"), ogrinfo);
        assertFalse(ogrinfo.contains("OGRFeature(fewer):2"), ogrinfo);
    }

    @Test
    void givenADbfCutShortOfTheRecordsItsHeaderAnnouncesWhenReadThenItsWholeRecordsAreReadAsByGdal() throws Exception {
        Path shp = threeLines("cut");
        Path dbf = Fixtures.sibling(shp, "dbf");
        byte[] twoRecords = ShapefileBytes.dbf(List.of("name:C:5"), List.of(List.of("a"), List.of("b")));
        Files.write(dbf, Arrays.copyOf(twoRecords, twoRecords.length - 1 + 3)); // no end marker, 3 bytes of a third
        Fixtures.patch(dbf, 4, Fixtures.littleEndian(3));

        ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());

        assertEquals(List.of(Map.of("name", "a"), Map.of("name", "b"), Map.of()), attributes(shp));
        assertEquals(List.of(ReportCode.DBF_TRUNCATED, ReportCode.DBF_FEWER_RECORDS),
                layer.notices().stream().map(Note::code).toList(), layer.notices().toString());
        String truncated = layer.notices().getFirst().message();
        assertTrue(truncated.startsWith(dbf + " is truncated: its header announces 3 records"), truncated);
        assertTrue(truncated.endsWith("room for 2 records: they are read"), truncated);
        assertTrue(layer.notices().get(1).message().startsWith(dbf + " has 2 records but "), layer.notices().get(1).message());
        String ogrinfo = ogrinfo(shp);
        assertTrue(ogrinfo.contains("OGRFeature(cut):1\n  name (String) = b"), ogrinfo);
        assertFalse(ogrinfo.contains("OGRFeature(cut):2"), ogrinfo);
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

    /** Three one-part lines, the second of three points, with a name each. */
    private Path threeLines(String name) throws Exception {
        return Fixtures.shapefile(temp, name, """
                {"type":"FeatureCollection","features":[
                 {"type":"Feature","properties":{"name":"a"},"geometry":{"type":"LineString",
                  "coordinates":[[1680000,4850000],[1680005,4850010]]}},
                 {"type":"Feature","properties":{"name":"b"},"geometry":{"type":"LineString",
                  "coordinates":[[1680010,4850000],[1680015,4850010],[1680020,4850020]]}},
                 {"type":"Feature","properties":{"name":"c"},"geometry":{"type":"LineString",
                  "coordinates":[[1680020,4850000],[1680025,4850010]]}}]}""", "UTF-8");
    }

    /** A line layer written by ogr2ogr from WKT (GeoJSON cannot carry M), of the given OGR geometry type. */
    private Path wktLayer(String name, String type, String... wkts) throws Exception {
        Path csv = temp.resolve(name + ".csv");
        StringBuilder rows = new StringBuilder("id,WKT\n");
        for (int i = 0; i < wkts.length; i++) {
            rows.append(i + 1).append(",\"").append(wkts[i]).append("\"\n");
        }
        Files.writeString(csv, rows);
        Path shp = temp.resolve(name + ".shp");
        Gdal.run("ogr2ogr", "-a_srs", "EPSG:3003", "-nlt", type, shp.toString(), csv.toString());
        return shp;
    }

    private static List<VertexValues> vertexValues(Path shp) {
        return LineLayerTest.readAll(ShapefileLayer.open(shp, null, ReadOptions.defaults())).stream()
                .map(ShapeRecord::vertexValues).toList();
    }

    /** Per part, as lists: NaN equals NaN there, and a failure shows the numbers. */
    private static List<List<Double>> values(double[][] parts) {
        return Arrays.stream(parts).map(p -> Arrays.stream(p).boxed().toList()).toList();
    }

    /** The .shx entry of record {@code number}: its offset and content length, in bytes. */
    private static long[] entry(Path shp, int number) throws Exception {
        ByteBuffer index = ByteBuffer.wrap(Files.readAllBytes(Fixtures.sibling(shp, "shx")));
        return new long[] {2L * index.getInt(100 + 8 * (number - 1)), 2L * index.getInt(104 + 8 * (number - 1))};
    }

    private static List<String> lines(Path shp) {
        return LineLayerTest.readAll(ShapefileLayer.open(shp, null, ReadOptions.defaults())).stream()
                .map(r -> r.geometry().toText()).toList();
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
