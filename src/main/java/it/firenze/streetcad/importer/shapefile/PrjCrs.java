package it.firenze.streetcad.importer.shapefile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sis.metadata.iso.citation.Citations;
import org.apache.sis.referencing.CRS;
import org.apache.sis.referencing.IdentifiedObjects;
import org.apache.sis.util.ComparisonMode;
import org.apache.sis.util.Utilities;
import org.apache.sis.referencing.factory.IdentifiedObjectFinder;
import org.opengis.metadata.Identifier;
import org.opengis.referencing.IdentifiedObject;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.opengis.util.FactoryException;

/**
 * Finds the EPSG code of a .prj text (ESRI or OGC WKT 1) with Apache SIS and its embedded EPSG database, the way
 * GDAL does: an authority code written in the text is trusted; an ESRI text's datum is renamed to its EPSG name and
 * its CRS name looked up among the ESRI names PROJ knows ({@code esri-names.tsv}, from PROJ's proj.db), a candidate
 * being accepted only when its parameters are those of the text; then the usual Italian CRSs are compared, then
 * SIS searches its whole EPSG database by parameters.
 *
 * <p>ESRI WKT declares no axis order, so the search ignores axes; when several EPSG codes then match (6707 N-E and
 * 7791 E-N for RDN2008 / UTM 32N), SIS prefers the one whose axis order equals the text's.
 *
 * <p>Every text identified is kept, in memory and in a file ({@link #cacheFile()}), so that a new process (each
 * CLI import) does not pay for opening the EPSG database to identify a text seen before.
 */
public final class PrjCrs {
    private static final Map<String, OptionalInt> CACHE = new ConcurrentHashMap<>();
    private static final AtomicLong SEARCHES = new AtomicLong();
    private static final String CACHE_HEADER = "# StreetCad: .prj texts and their EPSG codes, v1";
    /** Where the file cache lives; else $XDG_CACHE_HOME/streetcad, else ~/.cache/streetcad. */
    public static final String CACHE_FILE_PROPERTY = "streetcad.prjCache";
    private static volatile Path loaded;

    /**
     * The CRSs Italian road data comes in, compared first: creating a dozen CRSs by code takes milliseconds once the
     * EPSG database is open, while SIS's search over the whole database took 15-25 s per new text on a loaded
     * machine. Within a pair that differs only in axis order (6707 N-E / 7791 E-N) the exact match wins, as in the
     * full search.
     */
    private static final int[] USUAL_EPSG_CODES = {
        4326, 4258, 6706, 3003, 3004, 6707, 7791, 6708, 7792, 25832, 25833, 32632, 32633, 23032, 23033, 3857};

    /** ESRI datum names (without their "D_" prefix, folded) → EPSG names; ESRI CRS names → EPSG codes. */
    private static final Map<String, String> ESRI_DATUMS = new HashMap<>();
    private static final Map<String, List<Integer>> ESRI_CRS = new HashMap<>();
    private static final Pattern DATUM = Pattern.compile("DATUM\\[\"([^\"]*)\"");
    private static final Pattern CRS_NAME = Pattern.compile("^\\s*(?:PROJCS|GEOGCS)\\[\"([^\"]*)\"");

    static {
        try (InputStream in = PrjCrs.class.getResourceAsStream("esri-names.tsv");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] f = line.split("\t");
                if (f.length != 3 || line.startsWith("#")) continue;
                // PROJ names WGS 84's datum as the ensemble; SIS's EPSG database as the datum
                if (f[0].equals("datum")) ESRI_DATUMS.putIfAbsent(folded(f[1]), f[2].replaceFirst(" ensemble$", ""));
                else ESRI_CRS.computeIfAbsent(f[1], k -> new ArrayList<>()).add(Integer.valueOf(f[2]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ESRI's Web Mercator: the auxiliary sphere of type 0 is EPSG's Popular Visualisation Pseudo Mercator. */
    private static final Pattern ESRI_WEB_MERCATOR = Pattern.compile("PROJECTION\\[\"Mercator_Auxiliary_Sphere\"\\]"
            + "(.*?),\\s*PARAMETER\\[\"Standard_Parallel_1\",\\s*0(?:\\.0*)?\\]"
            + ",\\s*PARAMETER\\[\"Auxiliary_Sphere_Type\",\\s*0(?:\\.0*)?\\]", Pattern.DOTALL);

    /** A .prj text, a shapefile CRS and OGC WKT 1 of the sample; the first lookups pay for what SIS caches. */
    private static final String[] WARM_UP_WKT = {
        "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],"
            + "PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]",
        "PROJCS[\"WGS_1984_UTM_Zone_32N\",GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\","
            + "6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],"
            + "PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"False_Easting\",500000.0],"
            + "PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",9.0],"
            + "PARAMETER[\"Scale_Factor\",0.9996],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]"};

    static {
        // Derby (under SIS's EPSG database) otherwise writes derby.log into the working directory
        if (System.getProperty("derby.stream.error.file") == null
                && System.getProperty("derby.stream.error.field") == null
                && System.getProperty("derby.stream.error.method") == null) {
            System.setProperty("derby.stream.error.method", "java.io.OutputStream.nullOutputStream");
        }
    }


    private PrjCrs() {
    }

    /**
     * The EPSG code, or empty when the text is not WKT or matches no EPSG CRS. Codes found are cached by text; a
     * search that finds nothing is not, because SIS also finds nothing when the search was cut short (an interrupted
     * warm-up at server stop once left WGS 84 unknown for the rest of the JVM).
     */
    public static OptionalInt epsgCode(String wkt) {
        loadCacheFile();
        String text = wkt.strip();
        OptionalInt cached = CACHE.get(text);
        if (cached != null) return cached;
        OptionalInt code = CACHE.computeIfAbsent(text, t -> {
            SEARCHES.incrementAndGet();
            return lookup(t);
        });
        if (code == null) return OptionalInt.empty();
        if (code.isPresent()) remember(text, code.getAsInt());
        return code;
    }

    /** How many texts this process has identified with SIS (not from a cache): for tests of the order of checks. */
    static long searches() {
        return SEARCHES.get();
    }

    /** The file the identified texts are kept in across processes. */
    static Path cacheFile() {
        String given = System.getProperty(CACHE_FILE_PROPERTY);
        if (given != null && !given.isBlank()) return Path.of(given);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("streetcad").resolve("prj-epsg.tsv");
    }

    /** Forgets what this process identified, as a new process would start; the file stays. For tests. */
    static void forgetInMemory() {
        CACHE.clear();
        loaded = null;
    }

    /** Reads the file cache once per process (again when {@link #cacheFile()} changes); a bad file is ignored. */
    private static void loadCacheFile() {
        Path file = cacheFile();
        if (file.equals(loaded)) return;
        synchronized (PrjCrs.class) {
            if (file.equals(loaded)) return;
            try {
                if (Files.isRegularFile(file)) {
                    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                    if (!lines.isEmpty() && lines.getFirst().equals(CACHE_HEADER)) {
                        for (String line : lines.subList(1, lines.size())) {
                            int tab = line.indexOf('\t');
                            if (tab <= 0 || !line.substring(0, tab).matches("\\d{1,9}")) continue;
                            CACHE.putIfAbsent(unescape(line.substring(tab + 1)), OptionalInt.of(Integer.parseInt(line.substring(0, tab))));
                        }
                    }
                }
            } catch (IOException | RuntimeException unreadable) {
                // a cache: without it the texts are identified again
            }
            loaded = file;
        }
    }

    /** Appends an identified text to the file cache; one line per text, so concurrent writers do not mix lines. */
    private static void remember(String text, int code) {
        Path file = cacheFile();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            String line = code + "\t" + escape(text) + "\n";
            if (!Files.exists(file)) line = CACHE_HEADER + "\n" + line;
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException unwritable) {
            // a read-only home: the next process identifies the text again
        }
    }

    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }

    private static String unescape(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch != '\\' || i + 1 == text.length()) {
                b.append(ch);
                continue;
            }
            char next = text.charAt(++i);
            b.append(switch (next) {
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                default -> next;
            });
        }
        return b.toString();
    }

    /**
     * Opens SIS's EPSG database (about 3.5 s the first time) so that no import waits for it; call it once at start,
     * off the request path.
     */
    public static void warmUp() {
        for (String wkt : WARM_UP_WKT) {
            epsgCode(wkt);
        }
    }

    /** Null when nothing was found by searching, so that the next call searches again. */
    private static OptionalInt lookup(String wkt) {
        CoordinateReferenceSystem crs;
        try {
            crs = CRS.fromWKT(fromEsri(wkt));
        } catch (FactoryException | RuntimeException e) {
            return OptionalInt.empty(); // not WKT: no search will ever find it
        }
        Integer declared = declaredEpsg(crs);
        if (declared != null) {
            return OptionalInt.of(declared);
        }
        OptionalInt named = esriNamed(wkt, crs);
        if (named.isPresent()) {
            return named;
        }
        OptionalInt usual = usualCode(crs);
        if (usual.isPresent()) {
            return usual;
        }
        try {
            IdentifiedObjectFinder finder = IdentifiedObjects.newFinder("EPSG");
            finder.setIgnoringAxes(true);
            IdentifiedObject found = finder.findSingleton(crs);
            Integer code = found == null ? null : IdentifiedObjects.lookupEPSG(found);
            return code == null || Thread.currentThread().isInterrupted() ? null : OptionalInt.of(code);
        } catch (FactoryException | RuntimeException e) {
            return null;
        }
    }

    /** The EPSG CRS whose ESRI name the text bears, when its parameters are the text's (GDAL's first guess). */
    private static OptionalInt esriNamed(String wkt, CoordinateReferenceSystem crs) {
        Matcher name = CRS_NAME.matcher(wkt);
        if (!name.find()) return OptionalInt.empty();
        for (int code : ESRI_CRS.getOrDefault(name.group(1), List.of())) {
            try {
                if (Utilities.deepEquals(CRS.forCode("EPSG:" + code), crs, ComparisonMode.ALLOW_VARIANT)) {
                    return OptionalInt.of(code);
                }
            } catch (FactoryException | RuntimeException unavailable) {
                return OptionalInt.empty();
            }
        }
        return OptionalInt.empty();
    }

    private static OptionalInt usualCode(CoordinateReferenceSystem crs) {
        for (ComparisonMode mode : new ComparisonMode[] {ComparisonMode.APPROXIMATE, ComparisonMode.ALLOW_VARIANT}) {
            for (int code : USUAL_EPSG_CODES) {
                try {
                    if (Utilities.deepEquals(CRS.forCode("EPSG:" + code), crs, mode)) {
                        return OptionalInt.of(code);
                    }
                } catch (FactoryException | RuntimeException unavailable) {
                    return OptionalInt.empty(); // the full search below reports or retries
                }
            }
        }
        return OptionalInt.empty();
    }

    /** OGC WKT names its code (AUTHORITY["EPSG",…]): trusted as written, like GDAL does. */
    private static Integer declaredEpsg(CoordinateReferenceSystem crs) {
        Identifier id = IdentifiedObjects.getIdentifier(crs, Citations.EPSG);
        return id != null && id.getCode().matches("\\d+") ? Integer.valueOf(id.getCode()) : null;
    }

    /**
     * ESRI WKT with its datum renamed to the EPSG name, with or without ESRI's "D_" prefix ({@code WGS_1984} and
     * {@code D_WGS_1984} alike): SIS tells datums apart by name, and matches few ESRI ones by itself.
     */
    static String fromEsri(String wkt) {
        String text = ESRI_WEB_MERCATOR.matcher(wkt)
                .replaceFirst("PROJECTION[\"Popular_Visualisation_Pseudo_Mercator\"]$1");
        return DATUM.matcher(text).replaceAll(m -> {
            String epsg = ESRI_DATUMS.get(folded(m.group(1)));
            return Matcher.quoteReplacement("DATUM[\"" + (epsg == null ? m.group(1) : epsg) + "\"");
        });
    }

    /** A datum name without ESRI's "D_" prefix, case and punctuation. */
    private static String folded(String datum) {
        return datum.replaceFirst("^D_", "").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }
}
