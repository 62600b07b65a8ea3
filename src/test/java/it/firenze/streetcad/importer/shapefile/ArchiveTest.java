package it.firenze.streetcad.importer.shapefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Zips are read in place; what they may expand to, and where their entries may point, is checked first. */
class ArchiveTest {
    @TempDir
    Path temp;
    private Map<String, byte[]> roads;

    @BeforeEach
    void givenALayer() throws Exception {
        Path dir = Files.createDirectory(temp.resolve("source"));
        Path shp = Fixtures.shapefile(dir, "roads", Fixtures.ROADS, "CP1252");
        roads = new LinkedHashMap<>();
        for (String extension : List.of("shp", "shx", "dbf", "prj", "cpg")) {
            roads.put(extension, Files.readAllBytes(Fixtures.sibling(shp, extension)));
        }
    }

    @Test
    void givenAZipWithLayersInNestedFoldersWhenOneIsChosenByNameThenItIsRead() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        roads.forEach((extension, bytes) -> entries.put("delivery/2024/roads." + extension, bytes));
        roads.forEach((extension, bytes) -> entries.put("delivery/old/ROADS_1998." + extension.toUpperCase(), bytes));
        Path zip = zip(entries);

        assertEquals(List.of("delivery/2024/roads", "delivery/old/ROADS_1998"), ShapefileLayer.listLayers(zip));
        ShapefileException ambiguous = assertThrows(ShapefileException.class,
                () -> ShapefileLayer.open(zip, null, ReadOptions.defaults()));
        assertEquals(zip + " holds several layers, choose one by name: delivery/2024/roads, delivery/old/ROADS_1998",
                ambiguous.getMessage());
        ShapefileException unknown = assertThrows(ShapefileException.class,
                () -> ShapefileLayer.open(zip, "rivers", ReadOptions.defaults()));
        assertEquals(zip + " has no layer 'rivers'; its layers: delivery/2024/roads, delivery/old/ROADS_1998",
                unknown.getMessage());

        ShapefileLayer layer = ShapefileLayer.open(zip, "roads_1998", ReadOptions.defaults());
        assertEquals("delivery/old/ROADS_1998", layer.name());
        assertEquals(List.of("Località Ponte a Greve", "Piazza Niccolò Tommaseo", "Via dell’Agnolo"),
                LineLayerTest.readAll(layer).stream().map(r -> r.attributes().get("name")).toList());
        assertEquals("delivery/2024/roads",
                ShapefileLayer.open(zip, "delivery/2024/roads.shp", ReadOptions.defaults()).name());
    }

    @Test
    void givenAZipMadeOnAMacWhenOpenedThenItsResourceForksAreNoLayers() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        byte[] appleDouble = "\0\5\26\7\0\2\0\0Mac OS X        ".getBytes(StandardCharsets.ISO_8859_1);
        roads.forEach((extension, bytes) -> entries.put("consegna/roads." + extension, bytes));
        roads.keySet().forEach(extension -> entries.put("__MACOSX/consegna/._roads." + extension, appleDouble));
        entries.put("consegna/._roads.shp", appleDouble); // as copied to a FAT disk
        Path zip = zip(entries);

        assertEquals(List.of("consegna/roads"), ShapefileLayer.listLayers(zip));
        assertEquals(3, LineLayerTest.readAll(ShapefileLayer.open(zip, null, ReadOptions.defaults())).size());
    }

    @Test
    void givenAZipMadeByWindowsWithAnAccentedNameInItsOemCodePageWhenOpenedThenTheLayerIsReadAsByGdal()
            throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        roads.forEach((extension, bytes) -> entries.put("StradeLocalità." + extension, bytes));
        // as Windows writes it: the name in IBM437/850 (à is the byte 0x85), without the UTF-8 flag
        Path zip = zip(entries, Charset.forName("IBM437"));

        assertEquals(List.of("StradeLocalità"), ShapefileLayer.listLayers(zip));
        assertEquals(3, LineLayerTest.readAll(ShapefileLayer.open(zip, null, ReadOptions.defaults())).size());
        Process ogrinfo = new ProcessBuilder("ogrinfo", "-ro", "-so", "/vsizip/" + zip.toAbsolutePath())
                .redirectErrorStream(true).start();
        String listed = new String(ogrinfo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(listed.contains("1: StradeLocalità (Line String)"), listed);
    }

    @Test
    void givenAZipWithoutShapefileWhenOpenedThenItSaysSo() throws Exception {
        Path zip = zip(Map.of("readme.txt", "nothing here".getBytes()));
        assertRefused(zip, ReadOptions.defaults(), zip + " holds no shapefile (.shp)");
    }

    @Test
    void givenEntriesPointingOutsideTheArchiveWhenOpenedThenTheZipIsRefused() throws Exception {
        Path parent = zip(Map.of("data/../../roads.shp", roads.get("shp")));
        assertRefused(parent, ReadOptions.defaults(),
                parent + " is refused: entry 'data/../../roads.shp' points outside the archive (absolute path or ../)");
        Path absolute = zip(Map.of("/etc/roads.shp", roads.get("shp")));
        assertRefused(absolute, ReadOptions.defaults(),
                absolute + " is refused: entry '/etc/roads.shp' points outside the archive (absolute path or ../)");
    }

    @Test
    void givenAZipBombWhenOpenedThenItIsRefusedByRatio() throws Exception {
        Map<String, byte[]> entries = entries();
        entries.put("roads.dbf", new byte[20 << 20]);
        Path zip = zip(entries);
        ShapefileException error = assertThrows(ShapefileException.class,
                () -> ShapefileLayer.open(zip, null, ReadOptions.defaults()));
        assertTrue(error.getMessage().startsWith(zip + " is refused as a zip bomb: entry 'roads.dbf' expands "),
                error.getMessage());
        assertTrue(error.getMessage().endsWith("times, more than the limit of 200.0"), error.getMessage());
    }

    @Test
    void givenLimitsOnSizeAndEntriesWhenAZipExceedsThemThenItIsRefused() throws Exception {
        Path zip = zip(entries());
        assertRefused(zip, new ReadOptions(null, null, new ArchiveLimits(1000, 200, 100)),
                zip + " is refused as a zip bomb: it expands to more than 1000 bytes");
        assertRefused(zip, new ReadOptions(null, null, new ArchiveLimits(1 << 20, 200, 3)),
                zip + " has 5 entries, more than the limit of 3");
    }

    @Test
    void givenAnEntryThatLiesAboutItsSizeWhenReadThenReadingStopsAtTheDeclaredSize() throws Exception {
        byte[] noise = new byte[100_000];
        new Random(7).nextBytes(noise);
        Path zip = zip(Map.of("noise.dbf", noise));
        byte[] bytes = Files.readAllBytes(zip);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 4 < bytes.length; i++) {
            if (buffer.getInt(i) == 0x04034b50) {
                buffer.putInt(i + 22, 1000);
            } else if (buffer.getInt(i) == 0x02014b50) {
                buffer.putInt(i + 24, 1000);
            }
        }
        Files.write(zip, bytes);

        try (ZipContainer container = new ZipContainer(zip, ArchiveLimits.defaults());
             InputStream in = container.open("noise.dbf")) {
            ShapefileException error = assertThrows(ShapefileException.class, in::readAllBytes);
            assertEquals(zip + "!/noise.dbf is refused as a zip bomb: it expands beyond the 1000 bytes its archive"
                    + " declares", error.getMessage());
        }
    }

    private Map<String, byte[]> entries() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        roads.forEach((extension, bytes) -> entries.put("roads." + extension, bytes));
        return entries;
    }

    private static void assertRefused(Path zip, ReadOptions options, String message) {
        ShapefileException error = assertThrows(ShapefileException.class,
                () -> ShapefileLayer.open(zip, null, options));
        assertEquals(message, error.getMessage());
    }

    private Path zip(Map<String, byte[]> entries) throws IOException {
        return zip(entries, StandardCharsets.UTF_8);
    }

    private Path zip(Map<String, byte[]> entries, Charset names) throws IOException {
        Path zip = Files.createTempFile(temp, "upload", ".zip");
        try (OutputStream out = Files.newOutputStream(zip);
             ZipOutputStream stream = new ZipOutputStream(out, names)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                stream.putNextEntry(new ZipEntry(entry.getKey()));
                stream.write(entry.getValue());
                stream.closeEntry();
            }
        }
        return zip;
    }
}
