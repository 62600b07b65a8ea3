package it.firenze.streetcad.importer.shapefile;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Where the files of a layer live: a folder (a .shp path means its folder) or a zip. Names use '/'. */
abstract class Container implements Closeable {
    private static final int MAX_FOLDER_DEPTH = 8;

    static Container open(Path path, ArchiveLimits limits) {
        if (!Files.exists(path)) {
            throw new ShapefileException(path + " does not exist");
        }
        if (Files.isDirectory(path)) {
            return new Folder(path, MAX_FOLDER_DEPTH);
        }
        String lower = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".shp")) {
            return new Folder(path.toAbsolutePath().getParent(), 1);
        }
        if (lower.endsWith(".zip")) {
            return new ZipContainer(path, limits);
        }
        throw new ShapefileException(path + " is neither a folder, a .shp nor a .zip");
    }

    /** Relative names of all files. */
    abstract List<String> members();

    abstract long size(String member);

    abstract InputStream open(String member) throws IOException;

    /** How messages name a member: a path, or archive!/entry. */
    abstract String describe(String member);

    /** The member named like {@code base.extension}, extension in any case, or null. */
    String sidecar(String base, String extension) {
        String wanted = (base + "." + extension).toLowerCase(Locale.ROOT);
        return members().stream().filter(m -> m.toLowerCase(Locale.ROOT).equals(wanted)).findFirst().orElse(null);
    }

    @Override
    public void close() {
    }

    private static final class Folder extends Container {
        private final Path root;
        private final List<String> members;

        Folder(Path root, int depth) {
            this.root = root;
            try (Stream<Path> files = Files.walk(root, depth)) {
                members = files.filter(Files::isRegularFile)
                        .map(p -> root.relativize(p).toString().replace('\\', '/'))
                        .sorted()
                        .toList();
            } catch (IOException | UncheckedIOException e) {
                throw new ShapefileException("cannot list " + root + ": " + e.getMessage(), e);
            }
        }

        @Override
        List<String> members() {
            return members;
        }

        @Override
        long size(String member) {
            try {
                return Files.size(root.resolve(member));
            } catch (IOException e) {
                throw new ShapefileException("cannot read " + describe(member) + ": " + e.getMessage(), e);
            }
        }

        @Override
        InputStream open(String member) throws IOException {
            return Files.newInputStream(root.resolve(member));
        }

        @Override
        String describe(String member) {
            return root.resolve(member).toString();
        }
    }
}
