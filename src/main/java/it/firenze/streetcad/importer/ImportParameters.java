package it.firenze.streetcad.importer;

import it.firenze.streetcad.importer.shapefile.ArchiveLimits;
import it.firenze.streetcad.importer.shapefile.ReadOptions;
import org.locationtech.jts.geom.Envelope;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.Path;

/**
 * The options of an import as a user writes them (CLI flags, HTTP form fields), checked and turned into an
 * {@link ImportRequest}. A wrong one is an {@link InvalidParameterException} naming it.
 */
public final class ImportParameters {

    private ImportParameters() {
    }

    /**
     * A preset name or a mapping file; {@code osm} when not given.
     */
    public static Mapping mapping(String mapping) {
        try {
            return Mapping.presetOrFile(mapping == null || mapping.isBlank() ? "osm" : mapping);
        } catch (Mapping.MappingException e) {
            throw new InvalidParameterException("mapping", e.getMessage());
        }
    }

    public static ImportRequest request(String source, Path path, String layer, Mapping mapping, String srid,
                                        String encoding, String mode, String area, ArchiveLimits limits, Runnable cleanup) {
        ImportMode importMode;
        try {
            importMode = mode == null || mode.isBlank() ? ImportMode.APPEND : ImportMode.parse(mode.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException("mode", e.getMessage());
        }
        Envelope box;
        try {
            box = ImportOptions.parseArea(area);
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException("area", e.getMessage());
        }
        ImportOptions options;
        try {
            options = new ImportOptions(mapping, importMode, box);
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException(box != null && importMode != ImportMode.REPLACE ? "area" : "mode", e.getMessage());
        }
        ReadOptions read = new ReadOptions(charset(encoding), srid(srid), limits);
        return new ImportRequest(source, path, layer == null || layer.isBlank() ? null : layer, read, options, cleanup);
    }

    private static Integer srid(String text) {
        if (text == null || text.isBlank()) return null;
        String digits = text.strip().replaceFirst("(?i)^EPSG:", "");
        try {
            int srid = Integer.parseInt(digits);
            if (srid > 0) return srid;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidParameterException("srid", "srid is an EPSG code such as 3003 or EPSG:3003, not '" + text + "'");
    }

    /** A Java charset name, or a code-page number as .cpg files write them (1252 = windows-1252). */
    private static Charset charset(String text) {
        if (text == null || text.isBlank()) return null;
        String name = text.strip();
        if (name.matches("\\d{3,4}")) name = name.length() == 4 && name.startsWith("125") ? "windows-" + name : "IBM" + name;
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new InvalidParameterException("encoding", "encoding '" + text + "' is not known; use a name such as "
                    + "UTF-8, windows-1252 or ISO-8859-15");
        }
    }

    /** A user-given import option is wrong; {@link #parameter()} names it. */
    public static final class InvalidParameterException extends RuntimeException {
        private final String parameter;

        public InvalidParameterException(String parameter, String message) {
            super(message);
            this.parameter = parameter;
        }

        public String parameter() {
            return parameter;
        }
    }
}
