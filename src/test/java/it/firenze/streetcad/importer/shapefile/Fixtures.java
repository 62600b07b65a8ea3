package it.firenze.streetcad.importer.shapefile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small line shapefiles written by ogr2ogr at test time from GeoJSON, so the bytes are a real writer's. */
final class Fixtures {
    /** A line, a two-part line and a null shape, with the names the issue cares about; Z when asked. */
    static final String ROADS = """
            {"type":"FeatureCollection","features":[
             {"type":"Feature","properties":{"name":"Località Ponte a Greve","lanes":2,"width":7.5,"opened":"1961-05-02"},
              "geometry":{"type":"LineString","coordinates":[[1680000.5,4850000.25],[1680100,4850050],[1680200,4850020]]}},
             {"type":"Feature","properties":{"name":"Piazza Niccolò Tommaseo","lanes":1,"width":null,"opened":null},
              "geometry":{"type":"MultiLineString","coordinates":[[[1681000,4851000],[1681010,4851010]],[[1681020,4851020],[1681030,4851000],[1681040,4851010]]]}},
             {"type":"Feature","properties":{"name":"Via dell’Agnolo","lanes":null,"width":3.25,"opened":"2001-06-01"},
              "geometry":null}
            ]}""";

    static final String ROADS_Z = """
            {"type":"FeatureCollection","features":[
             {"type":"Feature","properties":{"name":"Viadotto dell’Indiano"},
              "geometry":{"type":"LineString","coordinates":[[1676000,4850000,41.5],[1676500,4850100,44.25]]}},
             {"type":"Feature","properties":{"name":"Sottopasso"},
              "geometry":{"type":"MultiLineString","coordinates":[[[1677000,4851000,30],[1677010,4851010,29]],[[1677020,4851020,28],[1677030,4851000,27]]]}}
            ]}""";

    private Fixtures() {
    }

    /** Writes the GeoJSON into dir/name.shp (with .shx, .dbf, .cpg; EPSG:3003 .prj) in the given encoding. */
    static Path shapefile(Path dir, String name, String geoJson, String encoding) throws Exception {
        Path source = dir.resolve(name + ".source.geojson");
        Files.writeString(source, geoJson, StandardCharsets.UTF_8);
        Path shp = dir.resolve(name + ".shp");
        Gdal.run("ogr2ogr", "-a_srs", "EPSG:3003", "-lco", "ENCODING=" + encoding, "-nlt", "PROMOTE_TO_MULTI",
                shp.toString(), source.toString());
        Files.delete(source);
        return shp;
    }

    static Path sibling(Path shp, String extension) {
        String name = shp.getFileName().toString();
        return shp.resolveSibling(name.substring(0, name.length() - 3) + extension);
    }

    /** Overwrites bytes of a file at an offset. */
    static void patch(Path file, int offset, byte... bytes) throws IOException {
        byte[] content = Files.readAllBytes(file);
        System.arraycopy(bytes, 0, content, offset, bytes.length);
        Files.write(file, content);
    }

    static void truncate(Path file, int bytesToCut) throws IOException {
        byte[] content = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(content, content.length - bytesToCut));
    }

    static byte[] bigEndian(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    static byte[] littleEndian(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }
}
