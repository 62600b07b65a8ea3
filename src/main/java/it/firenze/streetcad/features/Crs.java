package it.firenze.streetcad.features;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A coordinate reference system offered by reference (OGC API – Features Part 2). {@code northFirst} records
 * the axis order of the EPSG definition: EPSG:4326 is latitude–longitude and EPSG:6707 northing–easting, so
 * coordinates in those CRSs are swapped on the way out and on the way in; PostGIS itself always keeps x = east.
 */
public record Crs(String uri, int srid, boolean northFirst, boolean geographic) {

    public static final String CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
    public static final Crs CRS84 = new Crs(CRS84_URI, 4326, false, true);

    private static final List<Crs> EPSG = List.of(
            new Crs(epsgUri(4326), 4326, true, true),
            new Crs(epsgUri(3857), 3857, false, false),
            new Crs(epsgUri(3003), 3003, false, false),
            new Crs(epsgUri(6707), 6707, true, false),
            new Crs(epsgUri(7791), 7791, false, false),
            new Crs(epsgUri(25832), 25832, false, false),
            new Crs(epsgUri(32632), 32632, false, false));

    static String epsgUri(int code) {
        return "http://www.opengis.net/def/crs/EPSG/0/" + code;
    }

    /** Every CRS the API answers in: CRS84 first (the default), then the storage CRS, then the others. */
    public static List<Crs> offered(int storageSrid) {
        List<Crs> all = new ArrayList<>();
        all.add(CRS84);
        all.add(storage(storageSrid));
        for (Crs c : EPSG) if (c.srid != storageSrid) all.add(c);
        return all;
    }

    public static Crs storage(int storageSrid) {
        return EPSG.stream().filter(c -> c.srid == storageSrid).findFirst()
                .orElse(new Crs(epsgUri(storageSrid), storageSrid, false, false));
    }

    /** The offered CRS a client named by URI or by its safe CURIE ([EPSG:4326]), if it is one. */
    public static Optional<Crs> find(String text, int storageSrid) {
        String uri = text.strip();
        if (uri.startsWith("[") && uri.endsWith("]")) uri = uri.substring(1, uri.length() - 1);
        if (uri.equalsIgnoreCase("OGC:CRS84")) uri = CRS84_URI;
        else if (uri.regionMatches(true, 0, "EPSG:", 0, 5)) uri = epsgUri(parseCode(uri.substring(5)));
        String wanted = uri;
        return offered(storageSrid).stream().filter(c -> c.uri.equals(wanted)).findFirst();
    }

    private static int parseCode(String digits) {
        return digits.matches("\\d{1,6}") ? Integer.parseInt(digits) : -1;
    }

    /** Decimal places that keep about a millimetre: degrees need 8, metres 3. */
    public int decimals() {
        return geographic ? 8 : 3;
    }
}
