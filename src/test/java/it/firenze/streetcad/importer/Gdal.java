package it.firenze.streetcad.importer;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.api.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** GDAL's command-line tools (Debian gdal-bin) as the oracle the importer is checked against, plus zips of layers. */
public final class Gdal {

    static final Path FLORENCE = Path.of("geodata", "florence-osm", "florence_highways.shp");

    private Gdal() {
    }

    /** Runs ogr2ogr with the arguments; fails the test when it fails. */
    public static void ogr2ogr(String... args) {
        List<String> command = new ArrayList<>(List.of("ogr2ogr"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new AssertionError("ogr2ogr failed: " + command + "\n" + output);
        } catch (IOException e) {
            throw new AssertionError("ogr2ogr (Debian gdal-bin) is needed by this test", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The features of a layer as GDAL reads them, as GeoJSON (optionally reprojected by GDAL). */
    static JsonNode features(Path shp, Path workDir, String... extraArgs) throws IOException {
        Path out = workDir.resolve("gdal-" + System.nanoTime() + ".geojson");
        List<String> args = new ArrayList<>(List.of("-f", "GeoJSON", "-lco", "COORDINATE_PRECISION=6"));
        args.addAll(List.of(extraArgs));
        args.addAll(List.of(out.toString(), shp.toString()));
        ogr2ogr(args.toArray(String[]::new));
        return Json.mapper().readTree(out.toFile()).get("features");
    }

    /**
     * Layer {@code name} written by ogr2ogr (UTF-8) from the text of a GeoJSON FeatureCollection, in a directory of
     * its own under {@code dir}; its .shp.
     */
    public static Path shapefile(Path dir, String name, String featureCollection) throws IOException {
        Path own = Files.createTempDirectory(dir, name);
        Path geojson = Files.writeString(own.resolve("source.geojson"), featureCollection, StandardCharsets.UTF_8);
        Path shp = own.resolve(name + ".shp");
        ogr2ogr("-lco", "ENCODING=UTF-8", shp.toString(), geojson.toString());
        return shp;
    }

    /** Zips the files of layer {@code shp} (same base name, any extension) into {@code zip}. */
    public static Path zipLayer(Path shp, Path zip) throws IOException {
        String base = shp.getFileName().toString().replaceFirst("\\.shp$", "");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out);
             Stream<Path> files = Files.list(shp.getParent())) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(base + ".")).sorted().toList()) {
                z.putNextEntry(new ZipEntry(f.getFileName().toString()));
                Files.copy(f, z);
                z.closeEntry();
            }
        }
        return zip;
    }
}
