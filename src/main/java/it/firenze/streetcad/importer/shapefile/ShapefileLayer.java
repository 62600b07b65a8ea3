package it.firenze.streetcad.importer.shapefile;

import it.firenze.streetcad.importer.report.Note;
import it.firenze.streetcad.importer.report.ReportCode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.PrecisionModel;

/**
 * One shapefile layer (.shp with its .shx, .dbf, .prj, .cpg) in a folder or a zip. Opening reads and checks the
 * headers only; {@link #records()} streams the features, so memory does not grow with the file.
 */
public final class ShapefileLayer {
    private static final int MAX_SIDECAR_BYTES = 64 * 1024;
    /** How much of a .dbf's records is looked at to tell UTF-8 from a single-byte code page. */
    private static final int ENCODING_SAMPLE_BYTES = 16 << 20;

    private final Path source;
    private final ArchiveLimits limits;
    private final String name;
    private final String shp;
    private final String shx;
    private final String dbf;
    private final MainFileHeader header;
    private final int recordCount;
    private final DbfTable.Header dbfHeader;
    private final List<DbfField> fields;
    private final Charset charset;
    private final String charsetSource;
    private final List<Note> notices = new java.util.ArrayList<>();
    /** The .prj's text (null without one) and the EPSG code given instead; the CRS is identified on first use. */
    private final String prjName;
    private final String prjText;
    private final Integer sridOverride;
    private OptionalInt srid;
    private String sridSource;

    private ShapefileLayer(Path source, ReadOptions options, Container container, String shp) throws IOException {
        this.source = source;
        this.limits = options.limits();
        this.shp = shp;
        String base = shp.substring(0, shp.length() - 4);
        this.name = base;
        this.shx = container.sidecar(base, "shx");
        this.dbf = container.sidecar(base, "dbf");
        try (InputStream in = container.open(shp)) {
            this.header = MainFileHeader.read(in, container.describe(shp), container.size(shp));
        }
        if (shx == null) {
            throw new ShapefileException(container.describe(shp) + " has no .shx beside it: the index is part of"
                    + " a shapefile and is needed to check the .shp (GDAL rebuilds one beside it: ogrinfo --config"
                    + " SHAPE_RESTORE_SHX YES " + fileName(shp) + ")");
        }
        try (ShxIndex index = ShxIndex.open(container.open(shx), container.describe(shx), container.size(shx))) {
            this.recordCount = index.count();
        }
        if (dbf == null) {
            this.dbfHeader = null;
        } else {
            try (InputStream in = container.open(dbf)) {
                this.dbfHeader = DbfTable.readHeader(in, container.describe(dbf), container.size(dbf), recordCount);
            }
            if (dbfHeader.countNotice() != null) {
                notices.add(dbfHeader.countNotice());
            }
            if (dbfHeader.recordCount() > recordCount) {
                throw new ShapefileException(container.describe(dbf) + " has " + dbfHeader.recordCount()
                        + " records but " + container.describe(shx) + " lists " + recordCount
                        + " shapes: the files do not belong together or one is damaged");
            }
            // A .dbf cut short after its header was written (a copy that stopped, a writer that crashed) still names
            // the first shapes: GDAL reads those and leaves the others out without a word; they are kept, bare.
            if (dbfHeader.recordCount() < recordCount) {
                notices.add(new Note(ReportCode.DBF_FEWER_RECORDS, container.describe(dbf) + " has "
                        + dbfHeader.recordCount() + " records but " + container.describe(shx) + " lists " + recordCount
                        + " shapes: shapes " + (dbfHeader.recordCount() + 1) + " to " + recordCount + " are read without"
                        + " attributes (GDAL leaves them out); check that the files belong together"));
            }
        }
        String cpg = container.sidecar(base, "cpg");
        Charset chosen;
        String why;
        if (options.encodingOverride() != null) {
            chosen = options.encodingOverride();
            why = "given explicitly";
        } else if (cpg != null && !text(container, cpg, StandardCharsets.ISO_8859_1).isBlank()) {
            String label = text(container, cpg, StandardCharsets.ISO_8859_1).strip();
            chosen = Encodings.fromCpgLabel(label);
            if (chosen == null) {
                throw new ShapefileException(container.describe(cpg) + " names the encoding '" + label
                        + "', which is not known: give the encoding explicitly");
            }
            why = "from " + fileName(cpg) + " ('" + label + "')";
        } else if (dbfHeader != null && Encodings.fromLanguageDriver(dbfHeader.languageDriver()) != null) {
            chosen = Encodings.fromLanguageDriver(dbfHeader.languageDriver());
            why = String.format("from the language driver byte 0x%02X of %s", dbfHeader.languageDriver(),
                    fileName(dbf));
        } else if (dbfHeader != null && looksLikeUtf8(container, dbf, dbfHeader)) {
            chosen = StandardCharsets.UTF_8;
            why = "detected: there is no .cpg and no language driver, and the text is valid UTF-8 with multi-byte "
                    + "characters";
        } else {
            chosen = Encodings.WINDOWS_1252;
            why = "the default for data without .cpg or language driver";
        }
        this.charset = chosen;
        this.charsetSource = chosen.name() + ", " + why;
        this.fields = dbfHeader == null ? List.of() : dbfHeader.fields(charset);
        if (dbf == null) {
            notices.add(new Note(ReportCode.DBF_MISSING, "there is no .dbf beside " + fileName(shp) + ": the features "
                    + "have no attributes (no names, no classes), so every mapped field takes its default; text would "
                    + "have been read as " + charsetSource));
        }
        String prj = container.sidecar(base, "prj");
        this.sridOverride = options.sridOverride();
        this.prjName = prj == null ? null : fileName(prj);
        this.prjText = prj == null || sridOverride != null ? null : text(container, prj, StandardCharsets.UTF_8);
    }

    /**
     * Identifies the CRS, once: from the override, else the .prj. Not at opening, since identifying an unusual .prj
     * can take seconds, and a layer refused for what its header says (points, polygons) should be refused at once.
     */
    private synchronized void identifyCrs() {
        if (srid != null) return;
        if (sridOverride != null) {
            srid = OptionalInt.of(sridOverride);
            sridSource = "EPSG:" + sridOverride + ", given explicitly";
        } else if (prjText == null) {
            srid = OptionalInt.empty();
            sridSource = "unknown: there is no .prj beside " + fileName(shp);
        } else if (prjText.isBlank()) {
            srid = OptionalInt.empty();
            sridSource = "unknown: " + prjName + " is empty";
        } else {
            srid = PrjCrs.epsgCode(prjText);
            sridSource = srid.isPresent() ? "EPSG:" + srid.getAsInt() + ", from " + prjName
                    : "unknown: " + prjName + " matches no EPSG CRS ("
                    + (prjText.length() > 80 ? prjText.substring(0, 80) + "…" : prjText.strip()) + ")";
        }
    }

    /**
     * Whether the text of the start of the table's records is valid UTF-8 holding at least one multi-byte
     * character: text that windows-1252 would turn into "Â°" and "Ã¨". Pure ASCII says nothing (both read it alike);
     * the sample ends on a record boundary, and a character a field's width cut short is read as the reader reads it.
     */
    private static boolean looksLikeUtf8(Container container, String dbf, DbfTable.Header header) throws IOException {
        long records = Math.min(header.recordCount(), Math.max(1, ENCODING_SAMPLE_BYTES / header.recordLength()));
        try (InputStream in = container.open(dbf)) {
            in.skipNBytes(header.headerLength());
            byte[] data = in.readNBytes((int) (records * header.recordLength()));
            boolean multiByte = false;
            for (byte b : data) {
                if (b < 0) {
                    multiByte = true;
                    break;
                }
            }
            return multiByte && DbfTable.textDecodesBeyondAscii(header, data, StandardCharsets.UTF_8);
        }
    }

    /**
     * Opens a layer.
     *
     * @param path      a folder, a .shp or a .zip
     * @param layerName the layer's name (as in {@link #listLayers}, or just its file name without .shp); null when
     *                  there is only one
     */
    public static ShapefileLayer open(Path path, String layerName, ReadOptions options) {
        ReadOptions effective = options == null ? ReadOptions.defaults() : options;
        try (Container container = Container.open(path, effective.limits())) {
            String shp = select(path, container, layerName);
            return new ShapefileLayer(path, effective, container, shp);
        } catch (IOException e) {
            throw new ShapefileException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Names of the layers in a folder (searched 8 levels deep), a .shp or a .zip. */
    public static List<String> listLayers(Path path) {
        try (Container container = Container.open(path, ArchiveLimits.defaults())) {
            return shpMembers(path, container).stream().map(m -> m.substring(0, m.length() - 4)).toList();
        }
    }

    private static List<String> shpMembers(Path path, Container container) {
        if (!Files.isDirectory(path) && path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".shp")) {
            return List.of(path.getFileName().toString());
        }
        return container.members().stream()
                .filter(m -> m.toLowerCase(Locale.ROOT).endsWith(".shp") && !isMacMetadata(m)).toList();
    }

    /**
     * The resource forks macOS puts into the zips it makes (__MACOSX/._roads.shp) and beside files copied to a FAT
     * disk (._roads.shp): not shapefiles, and GDAL does not offer them as layers.
     */
    private static boolean isMacMetadata(String member) {
        return member.startsWith("__MACOSX/") || member.contains("/__MACOSX/")
                || member.substring(member.lastIndexOf('/') + 1).startsWith("._");
    }

    private static String select(Path path, Container container, String layerName) {
        List<String> all = shpMembers(path, container);
        if (all.isEmpty()) {
            throw new ShapefileException(path + " holds no shapefile (.shp)");
        }
        List<String> candidates = all;
        if (layerName != null) {
            String wanted = layerName.toLowerCase(Locale.ROOT).replaceFirst("\\.shp$", "");
            List<String> exact = all.stream().filter(m -> withoutShp(m).equals(wanted)).toList();
            candidates = !exact.isEmpty() ? exact : all.stream()
                    .filter(m -> withoutShp(m.substring(m.lastIndexOf('/') + 1)).equals(wanted)).toList();
            if (candidates.isEmpty()) {
                throw new ShapefileException(path + " has no layer '" + layerName + "'; its layers: " + names(all));
            }
        }
        if (candidates.size() > 1) {
            throw new ShapefileException(path + " holds several layers, choose one by name: " + names(candidates));
        }
        return candidates.get(0);
    }

    private static String withoutShp(String member) {
        return member.toLowerCase(Locale.ROOT).substring(0, member.length() - 4);
    }

    private static String names(List<String> members) {
        return String.join(", ", members.stream().map(m -> m.substring(0, m.length() - 4)).toList());
    }

    private static String fileName(String member) {
        return member.substring(member.lastIndexOf('/') + 1);
    }

    /** A .cpg's or .prj's text, without the UTF-8 byte order mark Windows editors put before it (GDAL skips it). */
    private static String text(Container container, String member, Charset charset) throws IOException {
        try (InputStream in = container.open(member)) {
            byte[] bytes = in.readNBytes(MAX_SIDECAR_BYTES);
            int bom = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                    && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
            return new String(bytes, bom, bytes.length - bom, charset);
        }
    }

    /** The layer's name: its .shp path inside the folder or zip, without extension. */
    public String name() {
        return name;
    }

    public ShapeType shapeType() {
        return header.shapeType();
    }

    public boolean hasZ() {
        return header.shapeType().hasZ();
    }

    /**
     * M types, and Z types whose header gives a measure range: one that reaches above "no data" (GDAL counts a
     * vertex's "no data" in the range it writes, which then starts at -1e39 or below).
     */
    public boolean hasM() {
        ShapeType type = header.shapeType();
        if (!type.mayHaveM()) {
            return false;
        }
        boolean range = Double.isFinite(header.mMin()) && Double.isFinite(header.mMax())
                && header.mMax() >= VertexValues.NO_DATA_BELOW && !(header.mMin() == 0 && header.mMax() == 0);
        return !type.hasZ() || range;
    }

    /** From the .shp header. */
    public Envelope bounds() {
        return new Envelope(header.bounds());
    }

    /** The .dbf columns; empty when the layer has no .dbf. */
    public List<DbfField> fields() {
        return fields;
    }

    /** The EPSG code from the .prj or the override; empty when unknown. The first call identifies the .prj. */
    public OptionalInt srid() {
        identifyCrs();
        return srid;
    }

    /** Where {@link #srid()} comes from, as a sentence for the import report. */
    public String sridSource() {
        identifyCrs();
        return sridSource;
    }

    /** What the report should say about the files as a whole (a missing .dbf, shapes the .dbf has no record for). */
    public List<Note> notices() {
        return List.copyOf(notices);
    }

    public Charset charset() {
        return charset;
    }

    /** Where {@link #charset()} comes from, as a sentence for the import report. */
    public String charsetSource() {
        return charsetSource;
    }

    /** Shapes in the .shp (null shapes and deleted rows included). */
    public int recordCount() {
        return recordCount;
    }

    /** Streams the features; close it when done (try-with-resources). Each call reads the files anew. */
    public ShapeRecords records() {
        Container container = Container.open(source, limits);
        try {
            GeometryFactory factory = new GeometryFactory(new PrecisionModel(), srid().orElse(0));
            ShapeDecoder decoder = new ShapeDecoder(container.describe(shp), header.shapeType(), factory);
            ShpRecordStream shapes = new ShpRecordStream(() -> container.open(shp), header);
            ShxIndex index = ShxIndex.open(container.open(shx), container.describe(shx), container.size(shx));
            DbfTable table = dbf == null ? null
                    : new DbfTable(container.open(dbf), dbfHeader, charset, charsetSource);
            return new ShapeRecords(container, shapes, index, table, decoder);
        } catch (IOException | RuntimeException e) {
            container.close();
            throw e instanceof ShapefileException se ? se
                    : new ShapefileException("cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return name + " (" + shapeType().label() + ", " + recordCount + " records, " + charsetSource + ", "
                + sridSource() + ")";
    }
}
