package it.firenze.streetcad.importer.shapefile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * Times {@link PrjCrs#warmUp()} in a fresh JVM, then the first lookup of each .prj given (a cache miss each) and a
 * second one (a cache hit). Run by bench/prj.sh.
 */
public final class PrjLookupTimes {
    private PrjLookupTimes() {
    }

    public static void main(String[] args) throws IOException {
        long start = System.nanoTime();
        PrjCrs.warmUp();
        System.out.printf("warmUp %d ms%n", (System.nanoTime() - start) / 1_000_000);
        List<Path> files;
        try (Stream<Path> list = Files.list(Path.of(args[0]))) {
            files = list.filter(p -> p.toString().endsWith(".prj")).sorted().toList();
        }
        for (Path file : files) {
            String wkt = Files.readString(file);
            long first = System.nanoTime();
            OptionalInt code = PrjCrs.epsgCode(wkt);
            long second = System.nanoTime();
            PrjCrs.epsgCode(wkt);
            long end = System.nanoTime();
            System.out.printf("%-16s -> %-6s first %6d ms, cached %d µs%n", file.getFileName(),
                    code.isPresent() ? code.getAsInt() : "none", (second - first) / 1_000_000, (end - second) / 1_000);
        }
    }
}
