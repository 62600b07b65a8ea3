package it.firenze.streetcad.topology;

import org.locationtech.jts.geom.CoordinateSequence;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.MultiLineString;
import org.locationtech.jts.geom.MultiPoint;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.io.OrdinateFormat;
import org.locationtech.jts.io.WKTWriter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * {@link Geometry#toText()}'s text, byte for byte, as UTF-8 bytes, written several times faster for the shapes a
 * validation fingerprints: points, lines and their multis in floating precision. A finding's fingerprint digests the
 * WKT of its place and of its elements, and accepted issues are kept by fingerprint across validations (README
 * "Topology", sql/V30), so the text can never change: JTS stays the oracle and writes everything this does not.
 * <p>
 * JTS writes each ordinate with a {@code DecimalFormat} (pattern "0", at most 16 fraction digits, half-even), which
 * was most of a fingerprint's cost. Below 1e15, an ordinate whose shortest decimal ({@link Double#toString}) has at
 * most 16 fraction digits needs no rounding, and that decimal written plainly is DecimalFormat's text (WktTextTest
 * checks it on millions of doubles of every range). From 1e16 up the two differ: since JDK 19 Double.toString gives
 * the shortest digits, DecimalFormat still the older, sometimes longer ones. Those ordinates, ordinates that need
 * rounding, NaN and the infinities are written by JTS's own {@link OrdinateFormat}.
 * <p>
 * One per thread: it keeps a buffer and JTS's formats, which are not shared.
 */
final class WktText {

    /** FLOATING precision's maximum significant digits, which JTS uses as the maximum fraction digits. */
    private static final int FRACTION_DIGITS = 16;

    /** Below this, {@link Double#toString}'s digits are DecimalFormat's (see the class comment). */
    private static final double SHORTEST_DIGITS_AGREE = 1e15;

    /**
     * JTS's format for the ordinates this does not write. It takes the default locale's symbols, yet writes an ASCII
     * minus and ASCII digits in every locale the JDK has, as this does (WktTextTest checks each).
     */
    private final OrdinateFormat ordinates = OrdinateFormat.create(FRACTION_DIGITS);
    /** JTS's writers for what this does not write, one per precision model (a writer keeps its model's format). */
    private final Map<PrecisionModel, WKTWriter> writers = new HashMap<>();
    private byte[] out = new byte[256];
    private int size;

    /** The geometry's {@link Geometry#toText()}, in UTF-8. */
    byte[] of(Geometry g) {
        if (g.getPrecisionModel().getType() != PrecisionModel.FLOATING || !written(g)) {
            return jts(g).getBytes(StandardCharsets.UTF_8);
        }
        return Arrays.copyOf(out, size);
    }

    /** Writes the geometry as JTS does and returns true, or returns false for a kind JTS alone writes. */
    private boolean written(Geometry g) {
        size = 0;
        if (g instanceof Point p) {
            ascii("POINT ");
            sequence(p.getCoordinateSequence());
        } else if (g instanceof LineString l && !(g instanceof LinearRing)) {
            ascii("LINESTRING ");
            sequence(l.getCoordinateSequence());
        } else if (g instanceof MultiPoint) {
            ascii("MULTIPOINT ");
            parts(g);
        } else if (g instanceof MultiLineString) {
            ascii("MULTILINESTRING ");
            parts(g);
        } else {
            return false;
        }
        return true;
    }

    /** A multi's parts, each a point's or a line's sequence (a ring inside a multiline is written as its sequence). */
    private void parts(Geometry multi) {
        list(multi.getNumGeometries(), i -> sequence(multi.getGeometryN(i) instanceof Point p ? p.getCoordinateSequence()
                : ((LineString) multi.getGeometryN(i)).getCoordinateSequence()));
    }

    /** x and y of each coordinate: toText's writer has two output dimensions, whatever the sequence holds. */
    private void sequence(CoordinateSequence seq) {
        list(seq.size(), i -> {
            ordinate(seq.getX(i));
            ascii(" ");
            ordinate(seq.getY(i));
        });
    }

    /** "EMPTY", or the items in parentheses, separated by ", ". */
    private void list(int items, IntConsumer item) {
        if (items == 0) {
            ascii("EMPTY");
            return;
        }
        ascii("(");
        for (int i = 0; i < items; i++) {
            if (i > 0) ascii(", ");
            item.accept(i);
        }
        ascii(")");
    }

    private void ordinate(double d) {
        // Also false for NaN and the infinities.
        if (Math.abs(d) < SHORTEST_DIGITS_AGREE && plain(Double.toString(d))) return;
        ascii(ordinates.format(d));
    }

    /**
     * Writes a {@link Double#toString} as a plain decimal (no exponent, no ".0" for an integer) and returns true, or
     * writes nothing and returns false when that decimal has more than 16 fraction digits (JTS would round it).
     */
    private boolean plain(String s) {
        int exponentAt = s.indexOf('E');
        if (exponentAt < 0) {
            // "681234.5678" or "-12.0": Double.toString's only trailing zero is an integer's ".0".
            int dot = s.indexOf('.');
            if (s.length() - dot - 1 > FRACTION_DIGITS) return false;
            ascii(s, 0, s.endsWith(".0") ? dot : s.length());
            return true;
        }
        // "d.dddE±n" (below 1e-3 or from 1e7): the digits without the dot, trailing zeros dropped ("1.0E-5": "1").
        int exponent = Integer.parseInt(s, exponentAt + 1, s.length(), 10);
        int first = s.charAt(0) == '-' ? 1 : 0;
        int last = exponentAt - 1;
        while (last > first + 2 && s.charAt(last) == '0') last--;
        int digits = s.charAt(last) == '0' ? 1 : last - first;
        if (exponent < 0 && digits - exponent - 1 > FRACTION_DIGITS) return false;
        ascii(s, 0, first);
        if (exponent < 0) {
            ascii("0.");
            for (int k = 1; k < -exponent; k++) ascii("0");
            for (int k = 0; k < digits; k++) ascii(s, digit(first, k), digit(first, k) + 1);
        } else {
            for (int k = 0; k <= exponent; k++) {
                if (k < digits) ascii(s, digit(first, k), digit(first, k) + 1);
                else ascii("0");
            }
            if (digits > exponent + 1) {
                ascii(".");
                for (int k = exponent + 1; k < digits; k++) ascii(s, digit(first, k), digit(first, k) + 1);
            }
        }
        return true;
    }

    /** Where the k-th digit of "d.ddd" starting at first is. */
    private static int digit(int first, int k) {
        return k == 0 ? first : first + 1 + k;
    }

    private void ascii(String s) {
        ascii(s, 0, s.length());
    }

    private void ascii(String s, int from, int to) {
        if (size + to - from > out.length) out = Arrays.copyOf(out, Math.max(out.length * 2, size + to - from));
        for (int i = from; i < to; i++) out[size++] = (byte) s.charAt(i);
    }

    private String jts(Geometry g) {
        return writers.computeIfAbsent(g.getPrecisionModel(), model -> {
            WKTWriter writer = new WKTWriter();
            writer.setPrecisionModel(model);
            return writer;
        }).write(g);
    }
}
