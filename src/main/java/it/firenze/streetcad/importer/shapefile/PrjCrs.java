package it.firenze.streetcad.importer.shapefile;

import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sis.referencing.CRS;
import org.apache.sis.referencing.IdentifiedObjects;
import org.apache.sis.referencing.factory.IdentifiedObjectFinder;
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

    /** A .prj ArcGIS writes for WGS 84: parsing and searching it opens every part SIS needs. */
    private static final String WARM_UP_WKT = "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\","
            + "SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],"
            + "UNIT[\"Degree\",0.0174532925199433]]";

    private PrjCrs() {
    }

    /** The EPSG code, or empty when the text is not WKT or matches no EPSG CRS. Cached by text. */
    public static OptionalInt epsgCode(String wkt) {
        String key = wkt.strip();
        return CACHE.computeIfAbsent(key, PrjCrs::lookup);
    }

    /**
     * Opens SIS's EPSG database (about 3.5 s the first time) so that no import waits for it; call it once at start,
     * off the request path.
     */
    public static void warmUp() {
        epsgCode(WARM_UP_WKT);
    }

    private static OptionalInt lookup(String wkt) {
        if (wkt.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            CoordinateReferenceSystem crs = CRS.fromWKT(wkt);
            IdentifiedObjectFinder finder = IdentifiedObjects.newFinder("EPSG");
            finder.setIgnoringAxes(true);
            IdentifiedObject found = finder.findSingleton(crs);
            Integer code = found == null ? null : IdentifiedObjects.lookupEPSG(found);
            return code == null ? OptionalInt.empty() : OptionalInt.of(code);
        } catch (FactoryException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }
}
