package it.firenze.streetcad.topology;

import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.CoordinateXYM;
import org.locationtech.jts.geom.CoordinateXYZM;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKTReader;

import java.nio.charset.StandardCharsets;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Given any geometry, WktText writes exactly {@link Geometry#toText()} (fingerprints digest it, and accepted issues
 * are kept by fingerprint): JTS is the oracle, on millions of doubles of every range, every kind of geometry and
 * precision model; the Florence sample's are in {@link FlorenceNetworkTest}.
 */
class WktTextTest {

    static final GeometryFactory FLOATING = new GeometryFactory(new PrecisionModel(), 6707);
    /**
     * 2,800,000 doubles in all, a few seconds; 2,000,000 per range (28 million, about a minute) passed when the writer
     * was made (BENCHMARKS.md, issue 17, session 15), as did 30 million of Double.toString against DecimalFormat.
     */
    static final int PER_RANGE = 200_000;
    static final int POINTS_PER_GEOMETRY = 1000;

    @Test
    void ordinatesOfEveryRangeAreWrittenAsJtsWritesThem() {
        Random r = new Random(17);
        List<Range> ranges = List.of(
                new Range("EPSG:6707 eastings", () -> 600_000 + r.nextDouble() * 300_000),
                new Range("EPSG:6707 northings", () -> 4_800_000 + r.nextDouble() * 100_000),
                new Range("Florence in degrees", () -> 11 + r.nextDouble()),
                new Range("signed degrees", () -> (r.nextDouble() - 0.5) * 360),
                new Range("rounded to millimetres", () -> Math.round(r.nextDouble() * 9e8) / 1000.0),
                new Range("few decimals of every magnitude",
                        () -> (r.nextInt(2_000_001) - 1_000_000) / Math.pow(10, r.nextInt(12)) * Math.pow(10, r.nextInt(12))),
                new Range("integers", () -> (double) (r.nextLong() >> r.nextInt(64))),
                new Range("every binary exponent", () -> Math.scalb(r.nextDouble() - 0.5, r.nextInt(2098) - 1074)),
                new Range("scientific below 1e-3", () -> Math.scalb(r.nextDouble(), -r.nextInt(60) - 10)),
                new Range("scientific 1e7 to 1e16", () -> Math.pow(10, 7 + 9 * r.nextDouble()) * (r.nextBoolean() ? 1 : -1)),
                new Range("tiny and subnormal", () -> Double.longBitsToDouble(r.nextLong() & 0x001f_ffff_ffff_ffffL)),
                new Range("huge", () -> Math.pow(10, 15 + 293 * r.nextDouble())),
                new Range("any bit pattern", () -> Double.longBitsToDouble(r.nextLong())),
                new Range("around the edges of the fast path", () -> around(r)));
        WktText wkt = new WktText();
        for (Range range : ranges) {
            for (int done = 0; done < PER_RANGE; done += POINTS_PER_GEOMETRY) {
                Coordinate[] c = new Coordinate[POINTS_PER_GEOMETRY / 2];
                for (int k = 0; k < c.length; k++) c[k] = new Coordinate(range.next.getAsDouble(), range.next.getAsDouble());
                assertWrittenAsJts(range.name, wkt, FLOATING.createMultiPointFromCoords(c));
            }
        }
    }

    @Test
    void specialValuesAreWrittenAsJtsWritesThem() {
        double[] special = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE,
                -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE, 1e15, Math.nextDown(1e15),
                -Math.nextDown(1e15), 1e16, 1e-3, Math.nextDown(1e-3), 1e7, Math.nextDown(1e7), 1e-16, 1e-17, 5e-17,
                0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 9007199254740993.0, 4.35, 2e23, 8.41e21, 1e23};
        WktText wkt = new WktText();
        for (double x : special) {
            for (double y : special) assertWrittenAsJts("special", wkt, FLOATING.createPoint(new Coordinate(x, y)));
        }
    }

    @Test
    void everyKindOfGeometryIsWrittenAsJtsWritesIt() throws ParseException {
        WKTReader reader = new WKTReader(FLOATING);
        WktText wkt = new WktText();
        for (String text : List.of("POINT EMPTY", "POINT (681000.25 4849000.5)", "LINESTRING EMPTY",
                "LINESTRING (681000 4849000, 681010.125 4849003.0000001)", "LINEARRING (0 0, 1 0, 1 1, 0 0)",
                "MULTIPOINT EMPTY", "MULTIPOINT ((1 2), (3.5 -4.25))", "MULTILINESTRING EMPTY",
                "MULTILINESTRING ((1 2, 3 4), EMPTY, (5 6, 7 8.5))", "POLYGON ((0 0, 1 0, 1 1, 0 0))",
                "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))", "GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (1 2, 3 4))",
                "GEOMETRYCOLLECTION EMPTY", "POINT Z (1 2 3)", "LINESTRING M (1 2 3, 4 5 6)",
                "LINESTRING ZM (1 2 3 4, 5 6 7 8)")) {
            assertWrittenAsJts(text, wkt, reader.read(text));
        }
        LineString ring = FLOATING.createLinearRing(new Coordinate[]{new Coordinate(0, 0), new Coordinate(1, 0),
                new Coordinate(1, 1), new Coordinate(0, 0)});
        assertWrittenAsJts("a ring in a multiline", wkt, FLOATING.createMultiLineString(new LineString[]{ring}));
        assertWrittenAsJts("an empty point in a multipoint", wkt,
                FLOATING.createMultiPoint(new Point[]{FLOATING.createPoint(new Coordinate(1, 2)), FLOATING.createPoint()}));
        assertWrittenAsJts("XYM", wkt, FLOATING.createLineString(new Coordinate[]{new CoordinateXYM(1, 2, 3),
                new CoordinateXYM(4.5, 5, 6)}));
        assertWrittenAsJts("XYZM", wkt, FLOATING.createPoint(new CoordinateXYZM(1, 2, 3, 4)));
    }

    @Test
    void otherPrecisionModelsAreWrittenAsJtsWritesThem() {
        Random r = new Random(15);
        WktText wkt = new WktText();
        for (PrecisionModel model : List.of(new PrecisionModel(PrecisionModel.FLOATING_SINGLE), new PrecisionModel(1000),
                new PrecisionModel(0.01))) {
            GeometryFactory factory = new GeometryFactory(model, 6707);
            Coordinate[] c = new Coordinate[POINTS_PER_GEOMETRY];
            for (int k = 0; k < c.length; k++) {
                c[k] = new Coordinate(600_000 + r.nextDouble() * 300_000, (r.nextDouble() - 0.5) * 360);
            }
            assertWrittenAsJts(model.toString(), wkt, factory.createLineString(c));
        }
    }

    @Test
    void inEveryLocaleTheTextIsJtss() {
        Locale before = Locale.getDefault(Locale.Category.FORMAT);
        Geometry g = FLOATING.createLineString(new Coordinate[]{new Coordinate(-681000.25, 4849000.5),
                new Coordinate(1e-5, -12), new Coordinate(-1e300, Double.NaN)});
        try {
            for (Locale locale : DecimalFormatSymbols.getAvailableLocales()) {
                Locale.setDefault(Locale.Category.FORMAT, locale);
                assertWrittenAsJts(locale.toLanguageTag(), new WktText(), g);
            }
        } finally {
            Locale.setDefault(Locale.Category.FORMAT, before);
        }
    }

    /** The same bytes as toText, or the first ordinate that differs. */
    static void assertWrittenAsJts(String what, WktText wkt, Geometry g) {
        String expected = g.toText();
        String actual = new String(wkt.of(g), StandardCharsets.UTF_8);
        if (expected.equals(actual)) return;
        String[] e = expected.split("[ ,()]+"), a = actual.split("[ ,()]+");
        for (int k = 0; k < Math.min(e.length, a.length); k++) {
            if (!e[k].equals(a[k])) fail(what + ": JTS writes " + e[k] + ", WktText " + a[k]);
        }
        assertEquals(expected, actual, what);
    }

    /** Doubles near the fast path's limits: 16 fraction digits, 1e15, and Double.toString's switch to exponents. */
    static double around(Random r) {
        double[] edges = {1e15, 1e-3, 1e7, 1e-16, 1.0};
        double edge = edges[r.nextInt(edges.length)];
        double d = edge;
        for (int k = r.nextInt(200); k > 0; k--) d = r.nextBoolean() ? Math.nextUp(d) : Math.nextDown(d);
        return r.nextBoolean() ? d : -d;
    }

    record Range(String name, DoubleSupplier next) {
    }
}
