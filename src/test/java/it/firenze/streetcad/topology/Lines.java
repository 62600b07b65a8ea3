package it.firenze.streetcad.topology;

import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKTReader;

/** Hand-made lines in metres (EPSG:6707 coordinates around Florence) for topology specifications. */
final class Lines {
    static final GeometryFactory FACTORY = new GeometryFactory(new PrecisionModel(), 6707);
    private static final double X = 681000, Y = 4849000;

    private Lines() {
    }

    /** A WKT geometry whose coordinates are offsets in metres from a point in Florence. */
    static Geometry wkt(String text) {
        try {
            Geometry g = new WKTReader(FACTORY).read(text);
            g.apply((org.locationtech.jts.geom.CoordinateFilter) c -> {
                c.x += X;
                c.y += Y;
            });
            g.geometryChanged();
            return g;
        } catch (ParseException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static TopologyLine line(String key, String wkt) {
        return TopologyLine.raw(key, wkt(wkt));
    }
}
