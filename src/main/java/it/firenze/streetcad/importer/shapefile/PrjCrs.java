package it.firenze.streetcad.importer.shapefile;

import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.sis.metadata.iso.citation.Citations;
import org.apache.sis.referencing.CRS;
import org.apache.sis.referencing.IdentifiedObjects;
import org.apache.sis.referencing.factory.IdentifiedObjectFinder;
import org.opengis.metadata.Identifier;
import org.opengis.referencing.IdentifiedObject;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.opengis.util.FactoryException;

/**
 * Finds the EPSG code of a .prj text (ESRI or OGC WKT 1) with Apache SIS and its embedded EPSG database.
 *
 * <p>ESRI WKT declares no axis order, so the search ignores axes; when several EPSG codes then match (6707 N-E and
 * 7791 E-N for RDN2008 / UTM 32N), SIS prefers the one whose axis order equals the text's.
 */
public final class PrjCrs {
    private static final Map<String, OptionalInt> CACHE = new ConcurrentHashMap<>();

    /**
     * ESRI names of datums whose EPSG names SIS cannot match (it does match D_Monte_Mario, D_RDN2008…), as in
     * GDAL's ESRI dictionary.
     */
    private static final Map<String, String> ESRI_DATUMS = Map.of(
            "D_WGS_1984", "World Geodetic System 1984",
            "D_ETRS_1989", "European Terrestrial Reference System 1989",
            "D_European_Terrestrial_Reference_System_1989", "European Terrestrial Reference System 1989",
            "D_European_1950", "European Datum 1950",
            "D_ED_1950", "European Datum 1950");

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
        OptionalInt code = CACHE.computeIfAbsent(wkt.strip(), PrjCrs::lookup);
        return code == null ? OptionalInt.empty() : code;
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

    /** OGC WKT names its code (AUTHORITY["EPSG",…]): trusted as written, like GDAL does. */
    private static Integer declaredEpsg(CoordinateReferenceSystem crs) {
        Identifier id = IdentifiedObjects.getIdentifier(crs, Citations.EPSG);
        return id != null && id.getCode().matches("\\d+") ? Integer.valueOf(id.getCode()) : null;
    }

    static String fromEsri(String wkt) {
        String text = ESRI_WEB_MERCATOR.matcher(wkt)
                .replaceFirst("PROJECTION[\"Popular_Visualisation_Pseudo_Mercator\"]$1");
        for (Map.Entry<String, String> datum : ESRI_DATUMS.entrySet()) {
            text = text.replace("DATUM[\"" + datum.getKey() + "\"", "DATUM[\"" + datum.getValue() + "\"");
        }
        return text;
    }
}
