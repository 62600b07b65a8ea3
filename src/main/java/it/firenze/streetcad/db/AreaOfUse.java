package it.firenze.streetcad.db;

import org.apache.sis.referencing.CRS;
import org.opengis.metadata.extent.GeographicBoundingBox;
import org.opengis.util.FactoryException;

import java.util.Locale;
import java.util.Map;

/**
 * Where a CRS may be used (its EPSG area of use, in CRS84 degrees), and the SQL that takes a client's box or geometry
 * into the storage CRS through it. A projection such as UTM 32N is defined only near its zone: PROJ refuses points
 * far from it ("Point outside of projection domain", a 500) or, worse, folds them back into wrong coordinates (a
 * world box that silently matched nothing). So every box or literal is first intersected with the storage CRS's
 * area of use, in its own CRS, and only then transformed; what lies outside that area cannot hold stored data.
 */
public final class AreaOfUse {

    /**
     * The areas of the CRSs StreetCad offers, from the EPSG dataset (a test compares them with Apache SIS's copy of
     * it): looking one up in SIS opens its EPSG database, which costs seconds at start.
     */
    private static final Map<Integer, double[]> KNOWN = Map.of(
            6707, new double[]{5.93, 36.53, 12.0, 47.04},
            7791, new double[]{5.93, 36.53, 12.0, 47.04},
            3003, new double[]{5.93, 36.53, 12.0, 47.04},
            25832, new double[]{6.0, 36.53, 12.01, 84.01},
            32632, new double[]{6.0, 0.0, 12.0, 84.0},
            3857, new double[]{-180.0, -85.06, 180.0, 85.06},
            4326, new double[]{-180.0, -90.0, 180.0, 90.0});

    private AreaOfUse() {
    }

    /** {west, south, east, north} in degrees for EPSG:{@code srid}. */
    public static double[] of(int srid) {
        double[] known = KNOWN.get(srid);
        return known != null ? known.clone() : lookUp(srid);
    }

    static double[] lookUp(int srid) {
        try {
            GeographicBoundingBox b = CRS.getGeographicBoundingBox(CRS.forCode("EPSG:" + srid));
            if (b == null) return KNOWN.get(4326).clone();
            return new double[]{b.getWestBoundLongitude(), b.getSouthBoundLatitude(), b.getEastBoundLongitude(),
                    b.getNorthBoundLatitude()};
        } catch (FactoryException e) {
            throw new IllegalStateException("EPSG:" + srid + " is not in the EPSG database: " + e.getMessage(), e);
        }
    }

    /**
     * SQL for {@code geometrySql} (a geometry in EPSG:{@code fromSrid}) in the storage CRS, cut to the storage CRS's
     * area of use first. The area's numbers are written into the text: they come from the EPSG dataset, never from a
     * request. A geometry wholly outside becomes empty, which intersects nothing.
     */
    public static String toStorage(String geometrySql, int fromSrid, int storageSrid) {
        if (fromSrid == storageSrid) return geometrySql;
        double[] a = of(storageSrid);
        String area = String.format(Locale.ROOT, "ST_MakeEnvelope(%s, %s, %s, %s, 4326)", a[0], a[1], a[2], a[3]);
        if (fromSrid != 4326) area = "ST_Transform(" + area + ", " + fromSrid + ")";
        return "ST_Transform(ST_Intersection(" + geometrySql + ", " + area + "), " + storageSrid + ")";
    }
}
