package it.firenze.streetcad.importer.shapefile;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A zip read in place, never extracted: entries are checked against the limits before anything is read, and
 * every entry stream stops at the size the archive declared, so a lying header cannot expand further.
 */
final class ZipContainer extends Container {
    /** Below this, a high ratio is only a small file of repeated bytes, not a bomb. */
    private static final long RATIO_CHECK_MIN_BYTES = 64 * 1024;

    private final Path path;
    private final ZipFile zip;
    private final Map<String, ZipEntry> entries = new LinkedHashMap<>();

    ZipContainer(Path path, ArchiveLimits limits) {
        this.path = path;
        this.zip = open(path);
        try {
            check(limits);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Entry names not flagged as UTF-8 are read as UTF-8 when they are (Linux and macOS write them so), else as
     * IBM437, the zip standard's and GDAL's default: Windows' own "compressed folder" writes "Località.shp" in the
     * OEM code page, which a UTF-8 reading refuses as a bad entry name.
     */
    private static ZipFile open(Path path) {
        try {
            try {
                return new ZipFile(path.toFile());
            } catch (ZipException e) {
                return new ZipFile(path.toFile(), ZipFile.OPEN_READ, Charset.forName("IBM437"));
            }
        } catch (IOException e) {
            throw new ShapefileException(path + " is not a readable zip archive: " + e.getMessage(), e);
        }
    }

    private void check(ArchiveLimits limits) {
        if (zip.size() > limits.maxEntries()) {
            throw new ShapefileException(path + " has " + zip.size() + " entries, more than the limit of "
                    + limits.maxEntries());
        }
        long total = 0;
        long totalCompressed = 0;
        Enumeration<? extends ZipEntry> all = zip.entries();
        while (all.hasMoreElements()) {
            ZipEntry entry = all.nextElement();
            String name = entry.getName().replace('\\', '/');
            if (name.startsWith("/") || name.matches("^[A-Za-z]:.*") || List.of(name.split("/")).contains("..")) {
                throw new ShapefileException(path + " is refused: entry '" + entry.getName()
                        + "' points outside the archive (absolute path or ../)");
            }
            if (entry.isDirectory()) {
                continue;
            }
            long size = entry.getSize();
            long compressed = entry.getCompressedSize();
            if (size < 0 || compressed < 0) {
                throw new ShapefileException(path + " is refused: entry '" + name + "' does not declare its size");
            }
            total += size;
            totalCompressed += compressed;
            if (total > limits.maxTotalBytes()) {
                throw new ShapefileException(path + " is refused as a zip bomb: it expands to more than "
                        + limits.maxTotalBytes() + " bytes");
            }
            if (size > RATIO_CHECK_MIN_BYTES && size > limits.maxRatio() * compressed) {
                throw new ShapefileException(path + " is refused as a zip bomb: entry '" + name + "' expands "
                        + ratio(size, compressed) + " times, more than the limit of " + limits.maxRatio());
            }
            entries.put(name, entry);
        }
        if (total > RATIO_CHECK_MIN_BYTES && total > limits.maxRatio() * totalCompressed) {
            throw new ShapefileException(path + " is refused as a zip bomb: it expands "
                    + ratio(total, totalCompressed) + " times, more than the limit of " + limits.maxRatio());
        }
    }

    private static String ratio(long size, long compressed) {
        return compressed == 0 ? "infinitely many" : String.valueOf(size / compressed);
    }

    @Override
    List<String> members() {
        return new ArrayList<>(entries.keySet());
    }

    @Override
    long size(String member) {
        return entries.get(member).getSize();
    }

    @Override
    InputStream open(String member) throws IOException {
        ZipEntry entry = entries.get(member);
        return new DeclaredSizeStream(zip.getInputStream(entry), entry.getSize(), describe(member));
    }

    @Override
    String describe(String member) {
        return path + "!/" + member;
    }

    @Override
    public void close() {
        try {
            zip.close();
        } catch (IOException ignored) {
            // read-only: nothing to lose
        }
    }

    /** Refuses to give more bytes than the entry declared. */
    private static final class DeclaredSizeStream extends FilterInputStream {
        private final long declared;
        private final String name;
        private long read;

        DeclaredSizeStream(InputStream in, long declared, String name) {
            super(in);
            this.declared = declared;
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            read += n;
            if (read > declared) {
                throw new ShapefileException(name + " is refused as a zip bomb: it expands beyond the "
                        + declared + " bytes its archive declares");
            }
        }
    }
}
