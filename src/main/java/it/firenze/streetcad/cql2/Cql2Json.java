package it.firenze.streetcad.cql2;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses the CQL2 JSON encoding (OGC 21-065r2, its JSON Schema) into the same tree as the text encoding. JSON has
 * its own grammar, so Jackson reads it; this class maps the documented shapes ({"op":…, "args":[…]}, {"property":…},
 * {"date":…}, {"timestamp":…}, {"interval":[…]}, {"bbox":[…]}, GeoJSON geometries) and rejects anything else.
 */
public final class Cql2Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final GeometryFactory GEOMETRIES = new GeometryFactory();
    private static final Set<String> COMPARISONS = Set.of("=", "<>", "<", ">", "<=", ">=");

    private Cql2Json() {
    }

    public static Node.Predicate parse(String json) {
        Nesting.check(json);
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            int position = e.getLocation() == null ? 0 : (int) e.getLocation().getCharOffset() + 1;
            throw new Cql2Exception("CQL2 JSON syntax error at character " + position + ": " + e.getOriginalMessage(),
                    Math.max(position, 0));
        }
        if (root == null) throw new Cql2Exception("The CQL2 JSON filter is empty", 0);
        return predicate(root);
    }

    private static Node.Predicate predicate(JsonNode n) {
        if (n.isBoolean()) return new Node.Bool(n.booleanValue());
        if (!n.isObject() || !n.path("op").isTextual() || !n.path("args").isArray()) {
            throw fail("a predicate must be {\"op\": …, \"args\": […]}, not " + brief(n));
        }
        String op = n.get("op").asText().toLowerCase(Locale.ROOT);
        JsonNode args = n.get("args");
        if (op.equals("and") || op.equals("or")) {
            if (args.size() < 2) throw fail(op + " needs at least two arguments");
            List<Node.Predicate> terms = new ArrayList<>();
            args.forEach(a -> terms.add(predicate(a)));
            return op.equals("and") ? new Node.And(terms) : new Node.Or(terms);
        }
        if (op.equals("not")) return new Node.Not(predicate(arity(op, args, 1).get(0)));
        if (COMPARISONS.contains(op)) return new Node.Comparison(op, value(arity(op, args, 2).get(0)), value(args.get(1)));
        return switch (op) {
            case "like" -> new Node.Like(value(arity(op, args, 2).get(0)), value(args.get(1)), false);
            case "between" -> new Node.Between(value(arity(op, args, 3).get(0)), value(args.get(1)), value(args.get(2)), false);
            case "in" -> {
                arity(op, args, 2);
                if (!args.get(1).isArray()) throw fail("the second argument of in must be an array");
                List<Node.Value> list = new ArrayList<>();
                args.get(1).forEach(v -> list.add(value(v)));
                if (list.isEmpty()) throw fail("in needs at least one value");
                yield new Node.In(value(args.get(0)), list, false);
            }
            case "isnull" -> new Node.IsNull(value(arity(op, args, 1).get(0)), false);
            default -> {
                if (op.startsWith("s_")) yield new Node.Spatial(op, value(arity(op, args, 2).get(0)), value(args.get(1)));
                if (op.startsWith("t_")) yield new Node.Temporal(op, value(arity(op, args, 2).get(0)), value(args.get(1)));
                throw fail("unknown operator '" + op + "'");
            }
        };
    }

    private static JsonNode arity(String op, JsonNode args, int count) {
        if (args.size() != count) throw fail(op + " takes " + count + " argument(s), not " + args.size());
        return args;
    }

    private static Node.Value value(JsonNode n) {
        if (n == null || n.isNull()) throw fail("null is not a value; use isNull");
        if (n.isTextual()) return new Node.Text(n.asText());
        if (n.isNumber()) {
            // A number beyond double's range (1e999) reads as infinity, which SQL cannot compare with.
            if ((n.isDouble() || n.isFloat()) && !Double.isFinite(n.doubleValue())) {
                throw fail("a number is beyond the range of a double (about 1.8e308)");
            }
            return new Node.Number(n.decimalValue());
        }
        if (n.isBoolean()) return new Node.Bool(n.booleanValue());
        if (n.isObject()) {
            if (n.has("property")) return new Node.Property(n.get("property").asText());
            if (n.has("date")) return new Node.Instant(Cql2Text.instant(n.get("date").asText(), 0));
            if (n.has("timestamp")) return new Node.Instant(Cql2Text.instant(n.get("timestamp").asText(), 0));
            if (n.has("interval")) {
                JsonNode ends = n.get("interval");
                if (!ends.isArray() || ends.size() != 2) throw fail("an interval has two ends");
                return new Node.Interval(intervalEnd(ends.get(0)), intervalEnd(ends.get(1)));
            }
            if (n.has("bbox")) {
                List<Double> numbers = new ArrayList<>();
                n.get("bbox").forEach(v -> numbers.add(v.asDouble()));
                return Cql2Text.bbox(numbers, 0);
            }
            if (n.has("type") && (n.has("coordinates") || n.has("geometries"))) {
                Geometry g;
                try {
                    g = geometry(n);
                } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                    throw fail("the GeoJSON geometry is not valid: " + e.getMessage());
                }
                String invalid = Cql2Text.invalidity(g);
                if (invalid != null) throw fail("the GeoJSON geometry is not valid: " + invalid);
                return new Node.GeometryLiteral(g);
            }
            if (n.has("op")) throw fail("a predicate cannot stand where a value is expected");
        }
        throw fail("not a CQL2 value: " + brief(n));
    }

    private static Node.Value intervalEnd(JsonNode n) {
        if (n.isTextual()) return n.asText().equals("..") ? null : new Node.Instant(Cql2Text.instant(n.asText(), 0));
        return value(n);
    }

    private static Geometry geometry(JsonNode g) {
        JsonNode c = g.get("coordinates");
        return switch (g.path("type").asText()) {
            case "Point" -> GEOMETRIES.createPoint(coordinate(c));
            case "LineString" -> GEOMETRIES.createLineString(coordinates(c));
            case "Polygon" -> polygon(c);
            case "MultiPoint" -> GEOMETRIES.createMultiPointFromCoords(coordinates(c));
            case "MultiLineString" -> {
                List<LineString> lines = new ArrayList<>();
                c.forEach(l -> lines.add(GEOMETRIES.createLineString(coordinates(l))));
                yield GEOMETRIES.createMultiLineString(lines.toArray(LineString[]::new));
            }
            case "MultiPolygon" -> {
                List<Polygon> polygons = new ArrayList<>();
                c.forEach(p -> polygons.add(polygon(p)));
                yield GEOMETRIES.createMultiPolygon(polygons.toArray(Polygon[]::new));
            }
            case "GeometryCollection" -> {
                List<Geometry> parts = new ArrayList<>();
                g.get("geometries").forEach(p -> parts.add(geometry(p)));
                yield GEOMETRIES.createGeometryCollection(parts.toArray(Geometry[]::new));
            }
            default -> throw new IllegalArgumentException("unknown geometry type " + g.path("type").asText());
        };
    }

    private static Polygon polygon(JsonNode rings) {
        List<LinearRing> list = new ArrayList<>();
        rings.forEach(r -> list.add(GEOMETRIES.createLinearRing(coordinates(r))));
        return GEOMETRIES.createPolygon(list.getFirst(), list.subList(1, list.size()).toArray(LinearRing[]::new));
    }

    private static Coordinate[] coordinates(JsonNode array) {
        if (array == null || !array.isArray()) throw new IllegalArgumentException("coordinates must be an array");
        List<Coordinate> list = new ArrayList<>();
        array.forEach(p -> list.add(coordinate(p)));
        return list.toArray(Coordinate[]::new);
    }

    private static Coordinate coordinate(JsonNode p) {
        if (p == null || !p.isArray() || p.size() < 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
            throw new IllegalArgumentException("a position is an array of two or three numbers");
        }
        Coordinate c = new Coordinate(p.get(0).asDouble(), p.get(1).asDouble());
        if (!Double.isFinite(c.x) || !Double.isFinite(c.y)) throw new IllegalArgumentException("a coordinate is not finite");
        return c;
    }

    private static Cql2Exception fail(String message) {
        return new Cql2Exception("CQL2 JSON: " + message, 0);
    }

    private static String brief(JsonNode n) {
        String s = n.toString();
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

}
