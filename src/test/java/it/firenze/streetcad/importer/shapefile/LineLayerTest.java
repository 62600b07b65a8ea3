package it.firenze.streetcad.importer.shapefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.MultiLineString;

class LineLayerTest {
    private static final List<String> NAMES = List.of("Località Ponte a Greve", "Piazza Niccolò Tommaseo",
            "Via dell’Agnolo");

    @TempDir
    Path temp;

    @Test
    void givenAWindows1252LayerWhenReadThenTypesGeometriesAndNamesArriveExactly() throws Exception {
        Path shp = Fixtures.shapefile(temp, "roads", Fixtures.ROADS, "CP1252");

        ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());
        List<ShapeRecord> records = readAll(layer);

        assertEquals(ShapeType.POLYLINE, layer.shapeType());
        assertFalse(layer.hasZ());
        assertEquals(3, layer.recordCount());
        assertEquals(List.of("name", "lanes", "width", "opened"), layer.fields().stream().map(DbfField::name).toList());
        assertEquals(new DbfField("opened", 'D', 8, 0), layer.fields().get(3));
        assertEquals(NAMES, records.stream().map(r -> r.attributes().get("name")).toList());
        ShapeRecord first = records.get(0);
        assertInstanceOf(LineString.class, first.geometry());
        assertEquals(1680000.5, first.geometry().getCoordinates()[0].x);
        assertEquals(3003, first.geometry().getSRID());
        assertEquals(2L, first.attributes().get("lanes"));
        assertEquals(0, new BigDecimal("7.5").compareTo((BigDecimal) first.attributes().get("width")));
        assertEquals(LocalDate.of(1961, 5, 2), first.attributes().get("opened"));
        assertInstanceOf(MultiLineString.class, records.get(1).geometry());
        assertEquals(2, records.get(1).geometry().getNumGeometries());
        assertNull(records.get(1).attributes().get("width"));
        assertNull(records.get(2).geometry(), "a null shape");
        assertEquals(List.of(1, 2, 3), records.stream().map(ShapeRecord::featureNumber).toList());
    }

    @Test
    void givenNoCpgWhenReadThenTheLanguageDriverOrElseWindows1252Decides() throws Exception {
        Path shp = Fixtures.shapefile(temp, "roads", Fixtures.ROADS, "CP1252");
        Files.delete(Fixtures.sibling(shp, "cpg"));

        ShapefileLayer byDefault = ShapefileLayer.open(shp, null, ReadOptions.defaults());
        assertEquals(NAMES, names(byDefault));
        assertTrue(byDefault.charsetSource().contains("default"), byDefault.charsetSource());

        Fixtures.patch(Fixtures.sibling(shp, "dbf"), 29, (byte) 0x57);
        ShapefileLayer byDriver = ShapefileLayer.open(shp, null, ReadOptions.defaults());
        assertEquals(NAMES, names(byDriver));
        assertEquals("windows-1252, from the language driver byte 0x57 of roads.dbf", byDriver.charsetSource());
    }

    @Test
    void givenCpgLabelsAsWrittenInTheWildWhenReadThenEachNamesItsCharset() {
        assertEquals(StandardCharsets.UTF_8, Encodings.fromCpgLabel("UTF-8"));
        assertEquals(StandardCharsets.UTF_8, Encodings.fromCpgLabel("utf8\r\n"));
        for (String label : List.of("1252", "ANSI 1252", "CP1252", "windows-1252", "8859-1", "88591", "ISO-8859-1",
                "ISO88591", "28591")) {
            assertEquals(Encodings.WINDOWS_1252, Encodings.fromCpgLabel(label), label);
        }
        assertEquals("ISO-8859-15", Encodings.fromCpgLabel("8859-15").name());
        assertEquals("IBM850", Encodings.fromCpgLabel("850").name());
        assertEquals("windows-1250", Encodings.fromCpgLabel("1250").name());
        assertNull(Encodings.fromCpgLabel("KLINGON"));
    }

    @Test
    void givenAUtf8LayerAndAWrongOverrideWhenReadThenTheOverrideWinsAndTheMismatchIsNamed() throws Exception {
        Path shp = Fixtures.shapefile(temp, "roads", Fixtures.ROADS, "UTF-8");
        assertEquals(NAMES, names(ShapefileLayer.open(shp, null, ReadOptions.defaults())));

        Path latin = Fixtures.shapefile(temp, "latin", Fixtures.ROADS, "CP1252");
        ReadOptions utf8 = new ReadOptions(StandardCharsets.UTF_8, null, null);
        ShapefileLayer layer = ShapefileLayer.open(latin, null, utf8);
        assertEquals("UTF-8, given explicitly", layer.charsetSource());
        ShapefileException error = assertThrows(ShapefileException.class, () -> readAll(layer));
        assertEquals(latin.resolveSibling("latin.dbf") + " record 1, field name: bytes not valid in UTF-8"
                + " (UTF-8, given explicitly); give the right encoding explicitly", error.getMessage());
    }

    @Test
    void givenACpgThatLiesWhenReadThenTheFirstUndecodableRecordAndFieldAreNamed() throws Exception {
        Path shp = Fixtures.shapefile(temp, "roads", Fixtures.ROADS, "CP1252");
        Files.writeString(Fixtures.sibling(shp, "cpg"), "UTF-8");

        ShapefileException error = assertThrows(ShapefileException.class,
                () -> readAll(ShapefileLayer.open(shp, null, ReadOptions.defaults())));
        assertTrue(error.getMessage().contains("roads.dbf record 1, field name: bytes not valid in UTF-8"),
                error.getMessage());
    }

    @Test
    void givenAPolyLineZLayerWhenReadThenZIsKeptInEveryPart() throws Exception {
        ShapefileLayer layer = ShapefileLayer.open(Fixtures.shapefile(temp, "bridges", Fixtures.ROADS_Z, "UTF-8"),
                null, ReadOptions.defaults());
        assertEquals(ShapeType.POLYLINE_Z, layer.shapeType());
        assertTrue(layer.hasZ());

        List<ShapeRecord> records = readAll(layer);

        assertEquals(44.25, records.get(0).geometry().getCoordinates()[1].getZ());
        assertEquals(List.of(30.0, 29.0, 28.0, 27.0), java.util.Arrays.stream(records.get(1).geometry()
                .getCoordinates()).map(c -> c.getZ()).toList());
        assertEquals("Viadotto dell’Indiano", records.get(0).attributes().get("name"));
    }

    @Test
    void givenDeletedRowsWhenReadThenTheyAreSkippedCountedAndTheOthersKeepTheirNumbers() throws Exception {
        Path shp = Fixtures.shapefile(temp, "roads", Fixtures.ROADS, "CP1252");
        Path dbf = Fixtures.sibling(shp, "dbf");
        byte[] bytes = Files.readAllBytes(dbf);
        int headerLength = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
        Fixtures.patch(dbf, headerLength, (byte) '*');

        ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());
        try (ShapeRecords records = layer.records()) {
            List<ShapeRecord> read = new ArrayList<>();
            records.forEachRemaining(read::add);
            assertEquals(List.of(2, 3), read.stream().map(ShapeRecord::featureNumber).toList());
            assertEquals(1, records.deletedRecords());
        }
    }

    @Test
    void givenAnSridOverrideWhenOpenedThenItWinsOverThePrj() throws Exception {
        Path shp = Fixtures.shapefile(temp, "roads", Fixtures.ROADS, "CP1252");
        ShapefileLayer layer = ShapefileLayer.open(shp, null, new ReadOptions(null, 6707, null));
        assertEquals(OptionalInt.of(6707), layer.srid());
        assertEquals("EPSG:6707, given explicitly", layer.sridSource());

        Files.writeString(Fixtures.sibling(shp, "prj"), "LOCAL_CS[\"Cassini-Soldner, Firenze\",UNIT[\"metre\",1]]");
        ShapefileLayer local = ShapefileLayer.open(shp, null, ReadOptions.defaults());
        assertEquals(OptionalInt.empty(), local.srid());
        assertEquals("unknown: roads.prj matches no EPSG CRS (LOCAL_CS[\"Cassini-Soldner, Firenze\",UNIT[\"metre\",1]])",
                local.sridSource());

        Files.delete(Fixtures.sibling(shp, "prj"));
        ShapefileLayer unknown = ShapefileLayer.open(shp, null, ReadOptions.defaults());
        assertEquals(OptionalInt.empty(), unknown.srid());
        assertEquals("unknown: there is no .prj beside roads.shp", unknown.sridSource());
    }

    @Test
    void givenABlankCpgWhenOpenedThenItIsIgnoredAndAnUnknownLabelIsRefused() throws Exception {
        Path shp = Fixtures.shapefile(temp, "roads", Fixtures.ROADS, "CP1252");
        Files.writeString(Fixtures.sibling(shp, "cpg"), " \r\n");
        assertEquals(NAMES, names(ShapefileLayer.open(shp, null, ReadOptions.defaults())));

        Files.writeString(Fixtures.sibling(shp, "cpg"), "KLINGON");
        ShapefileException error = assertThrows(ShapefileException.class,
                () -> ShapefileLayer.open(shp, null, ReadOptions.defaults()));
        assertEquals(Fixtures.sibling(shp, "cpg") + " names the encoding 'KLINGON', which is not known: give the"
                + " encoding explicitly", error.getMessage());
    }

    @Test
    void givenARepeatedFieldNameAndAFloatFieldWhenReadThenNoColumnIsHiddenAndFloatsAreDoubles() throws Exception {
        Path shp = Fixtures.shapefile(temp, "roads", Fixtures.ROADS, "CP1252");
        Path dbf = Fixtures.sibling(shp, "dbf");
        Fixtures.patch(dbf, 64, "name\0".getBytes(StandardCharsets.US_ASCII));
        Fixtures.patch(dbf, 96 + 11, (byte) 'F');

        ShapefileLayer layer = ShapefileLayer.open(shp, null, ReadOptions.defaults());

        assertEquals(List.of("name", "name_2", "width", "opened"), layer.fields().stream().map(DbfField::name).toList());
        ShapeRecord first = readAll(layer).get(0);
        assertEquals(2L, first.attributes().get("name_2"));
        assertEquals(7.5, first.attributes().get("width"));
    }

    static List<ShapeRecord> readAll(ShapefileLayer layer) {
        List<ShapeRecord> records = new ArrayList<>();
        try (ShapeRecords stream = layer.records()) {
            stream.forEachRemaining(records::add);
        }
        return records;
    }

    private static List<Object> names(ShapefileLayer layer) {
        return readAll(layer).stream().map(r -> r.attributes().get("name")).toList();
    }
}
