package it.firenze.streetcad.importer.shapefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each bad input is a good layer (line, two-part line, null shape) with some bytes damaged. */
class BadInputTest {
    /** Where records start in the good layer's .shp, from its .shx. */
    private static final int FIRST_RECORD = 100;

    @TempDir
    Path temp;
    private Path shp;
    private Path shx;
    private Path dbf;

    @BeforeEach
    void givenAGoodLayer() throws Exception {
        shp = Fixtures.shapefile(temp, "roads", Fixtures.ROADS, "CP1252");
        shx = Fixtures.sibling(shp, "shx");
        dbf = Fixtures.sibling(shp, "dbf");
        assertEquals(3, LineLayerTest.readAll(open()).size());
    }

    @Test
    void whenTheShpIsTruncatedThenTheRecordItCutsAndTheEndAreNamed() throws Exception {
        long size = Files.size(shp);
        Fixtures.truncate(shp, 10); // the last record, a null shape, is 12 bytes
        assertRefusedWhileReading(shx + " places record 3 at byte " + (size - 12) + " but " + shp + " ends at byte "
                + (size - 10) + ": the .shx disagrees with the .shp, or the .shp is truncated");
    }

    @Test
    void whenTheShxIsTruncatedThenTheDeclaredAndActualLengthsAreNamed() throws Exception {
        long size = Files.size(shx);
        Fixtures.truncate(shx, 4);
        assertRefused(shx + " is truncated: its header declares " + size + " bytes but the file has " + (size - 4));
    }

    @Test
    void whenTheShpIsShorterThanItsHeaderThenItIsCalledTruncated() throws Exception {
        Fixtures.truncate(shp, (int) Files.size(shp) - 60);
        assertRefused(shp + " is truncated: it has 60 bytes, less than the 100-byte shapefile header");
    }

    @Test
    void whenTheFileCodeIsWrongThenTheFileIsNotAShapefile() throws Exception {
        Fixtures.patch(shp, 0, Fixtures.bigEndian(1234));
        assertRefused(shp + " is not a shapefile: its file code is 1234, expected 9994");
    }

    @Test
    void whenARecordLengthRunsPastTheEndThenTheRecordIsNamed() throws Exception {
        Fixtures.patch(shp, FIRST_RECORD + 4, Fixtures.bigEndian(100_000));
        assertRefusedWhileReading(shp + " record 1, at byte 100 where " + shx + " places it: its declared length of"
                + " 200000 bytes runs past the end of the file at byte " + Files.size(shp) + " (the .shx disagrees with"
                + " the .shp, a record length lies or the file is truncated)");
    }

    @Test
    void whenARecordLengthIsTooShortInBothShpAndShxThenTheRecordIsNamed() throws Exception {
        Fixtures.patch(shp, FIRST_RECORD + 4, Fixtures.bigEndian(30));
        Fixtures.patch(shx, 100 + 4, Fixtures.bigEndian(30));
        assertRefusedWhileReading(shp + " record 1: its declared length of 60 bytes is too short for 1 parts and"
                + " 3 points (96 bytes) (a record length lies)");
    }

    @Test
    void whenTheShxIsMissingThenItIsNamed() throws Exception {
        Files.delete(shx);
        assertRefused(shp + " has no .shx beside it: the index is part of a shapefile and is needed to check the .shp"
                + " (GDAL rebuilds one beside it: ogrinfo --config SHAPE_RESTORE_SHX YES roads.shp)");
        Gdal.run("ogrinfo", "-q", "--config", "SHAPE_RESTORE_SHX", "YES", shp.toString());
        assertEquals(3, LineLayerTest.readAll(open()).size());
    }

    @Test
    void whenTheShxPlacesARecordWhereTheShpHasNoneThenTheRecordAndItsPlaceAreNamed() throws Exception {
        int secondOffsetWords = ByteBuffer.wrap(Files.readAllBytes(shx)).order(ByteOrder.BIG_ENDIAN).getInt(108);
        Fixtures.patch(shx, 108, Fixtures.bigEndian(secondOffsetWords + 4));
        assertRefusedWhileReading(shp + " record 2, at byte " + (2 * secondOffsetWords + 8) + " where " + shx
                + " places it: its declared length of 0 bytes runs short of the shape type (the .shx disagrees with"
                + " the .shp, a record length lies or the file is truncated)");
    }

    @Test
    void whenTheShxPlacesARecordInsideTheShpHeaderThenItIsCalledDamaged() throws Exception {
        Fixtures.patch(shx, 108, Fixtures.bigEndian(10));
        assertRefusedWhileReading(shx + " places record 2 at byte 20, inside the header of " + shp
                + ": the .shx is damaged");
    }

    @Test
    void whenTheShxListsFewerRecordsThanTheShpThenBothCountsAreNamed() throws Exception {
        Fixtures.truncate(shx, 8);
        Fixtures.patch(shx, 24, Fixtures.bigEndian((int) Files.size(shx) / 2));
        Fixtures.patch(dbf, 4, Fixtures.littleEndian(2));
        assertRefusedWhileReading(shp + " has more records than the 2 that " + shx
                + " lists: the .shx disagrees with the .shp at record 3");
    }

    @Test
    void whenTheShpEndsBeforeTheRecordsTheShxListsThenBothAreNamed() throws Exception {
        int thirdOffsetWords = ByteBuffer.wrap(Files.readAllBytes(shx)).order(ByteOrder.BIG_ENDIAN).getInt(116);
        Fixtures.truncate(shp, (int) Files.size(shp) - 2 * thirdOffsetWords);
        Fixtures.patch(shp, 24, Fixtures.bigEndian(thirdOffsetWords));
        assertRefusedWhileReading(shx + " places record 3 at byte " + 2 * thirdOffsetWords + " but " + shp
                + " ends at byte " + 2 * thirdOffsetWords + ": the .shx disagrees with the .shp, or the .shp is truncated");
    }

    @Test
    void whenTheDbfHasMoreRecordsThanTheShpThenBothCountsAreNamed() throws Exception {
        byte[] bytes = Files.readAllBytes(dbf);
        ByteBuffer little = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = little.getShort(8), recordLength = little.getShort(10);
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + recordLength);
        System.arraycopy(bytes, headerLength, longer, headerLength + 3 * recordLength, recordLength); // a 4th row
        longer[longer.length - 1] = 0x1A;
        Files.write(dbf, longer);
        Fixtures.patch(dbf, 4, Fixtures.littleEndian(4));
        assertRefused(dbf + " has 4 records but " + shx + " lists 3 shapes: the files do not belong together"
                + " or one is damaged");
    }

    @Test
    void whenARecordIsOfAnotherShapeTypeThenItIsNamed() throws Exception {
        Fixtures.patch(shp, FIRST_RECORD + 8, Fixtures.littleEndian(1));
        assertRefusedWhileReading(shp + " record 1 is a Point in a PolyLine layer");
    }

    private ShapefileLayer open() {
        return ShapefileLayer.open(shp, null, ReadOptions.defaults());
    }

    private void assertRefused(String message) {
        ShapefileException error = assertThrows(ShapefileException.class, this::open);
        assertEquals(message, error.getMessage());
    }

    private void assertRefusedWhileReading(String message) {
        ShapeRecords records = open().records();
        ShapefileException error = assertThrows(ShapefileException.class, () -> records.forEachRemaining(r -> { }));
        records.close();
        assertEquals(message, error.getMessage());
    }
}
