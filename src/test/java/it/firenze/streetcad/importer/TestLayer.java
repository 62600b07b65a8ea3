package it.firenze.streetcad.importer;

import it.firenze.streetcad.importer.shapefile.ShapeRecord;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/** A source layer built in a test: features in lon/lat (EPSG:4326) unless told otherwise. */
final class TestLayer implements SourceLayer {

    static final GeometryFactory GEOMETRY = new GeometryFactory();

    private final List<ShapeRecord> features = new ArrayList<>();
    private final String geometryType;
    private final Integer srid;

    TestLayer() {
        this("PolyLine", 4326);
    }

    TestLayer(String geometryType, Integer srid) {
        this.geometryType = geometryType;
        this.srid = srid;
    }

    /** Adds a feature: a line through the given lon/lat pairs and attributes as key, value, key, value… */
    TestLayer line(double[] lonLats, Object... keyValues) {
        Coordinate[] cs = new Coordinate[lonLats.length / 2];
        for (int i = 0; i < cs.length; i++) cs[i] = new Coordinate(lonLats[2 * i], lonLats[2 * i + 1]);
        return feature(GEOMETRY.createLineString(cs), keyValues);
    }

    TestLayer feature(Geometry geometry, Object... keyValues) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) attributes.put((String) keyValues[i], keyValues[i + 1]);
        features.add(new ShapeRecord(features.size() + 1, geometry, attributes));
        return this;
    }

    /** A short street near the Duomo, shifted east by {@code i} × 100 m or so. */
    static double[] street(int i) {
        double lon = 11.2550 + i * 0.0013;
        return new double[]{lon, 43.7730, lon + 0.0010, 43.7735};
    }

    @Override
    public String name() {
        return "test";
    }

    @Override
    public String geometryType() {
        return geometryType;
    }

    @Override
    public boolean holdsLines() {
        return geometryType.startsWith("PolyLine");
    }

    @Override
    public boolean hasZ() {
        return false;
    }

    @Override
    public boolean hasM() {
        return false;
    }

    @Override
    public OptionalInt srid() {
        return srid == null ? OptionalInt.empty() : OptionalInt.of(srid);
    }

    @Override
    public String sridSource() {
        return srid == null ? "no .prj" : "given by the test";
    }

    @Override
    public String charset() {
        return "UTF-8";
    }

    @Override
    public String charsetSource() {
        return "Java strings";
    }

    @Override
    public long featureCount() {
        return features.size();
    }

    @Override
    public long deletedFeatures() {
        return 0;
    }

    @Override
    public Features features() {
        Iterator<ShapeRecord> it = features.iterator();
        return new Features() {
            public boolean hasNext() {
                return it.hasNext();
            }

            public ShapeRecord next() {
                return it.next();
            }

            public void close() {
            }
        };
    }
}
