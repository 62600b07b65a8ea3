package it.firenze.streetcad.cql2;

import it.firenze.streetcad.api.Instants;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.operation.valid.IsValidOp;
import org.locationtech.jts.operation.valid.TopologyValidationError;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Parses the CQL2 text encoding with the ANTLR parser generated from {@code Cql2.g4}. */
public final class Cql2Text {

    private static final GeometryFactory GEOMETRIES = new GeometryFactory();

    private Cql2Text() {
    }

    public static Node.Predicate parse(String text) {
        Nesting.check(text);
        Cql2Lexer lexer = new Cql2Lexer(CharStreams.fromString(text));
        Cql2Parser parser = new Cql2Parser(new CommonTokenStream(lexer));
        var errors = new BaseErrorListener() {
            @Override
            public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int column, String msg,
                                    RecognitionException e) {
                int position = offending instanceof Token t ? t.getStartIndex() + 1 : column + 1;
                throw new Cql2Exception("CQL2 syntax error at character " + position + ": " + msg, position);
            }
        };
        lexer.removeErrorListeners();
        lexer.addErrorListener(errors);
        parser.removeErrorListeners();
        parser.addErrorListener(errors);
        return (Node.Predicate) new Builder().visit(parser.cql2Text());
    }

    static OffsetDateTime instant(String text, int position) {
        try {
            return Instants.dateOrDateTime(text);
        } catch (DateTimeParseException e) {
            throw new Cql2Exception("'" + text + "' at character " + position + " is not an RFC 3339 date or timestamp",
                    position);
        }
    }

    private static int position(ParserRuleContext ctx) {
        return ctx.getStart().getStartIndex() + 1;
    }

    private static final class Builder extends Cql2BaseVisitor<Node> {

        @Override
        public Node visitCql2Text(Cql2Parser.Cql2TextContext ctx) {
            return visit(ctx.booleanExpression());
        }

        @Override
        public Node visitBooleanExpression(Cql2Parser.BooleanExpressionContext ctx) {
            List<Node.Predicate> terms = ctx.booleanTerm().stream().map(t -> (Node.Predicate) visit(t)).toList();
            return terms.size() == 1 ? terms.getFirst() : new Node.Or(terms);
        }

        @Override
        public Node visitBooleanTerm(Cql2Parser.BooleanTermContext ctx) {
            List<Node.Predicate> terms = ctx.booleanFactor().stream().map(t -> (Node.Predicate) visit(t)).toList();
            return terms.size() == 1 ? terms.getFirst() : new Node.And(terms);
        }

        @Override
        public Node visitBooleanFactor(Cql2Parser.BooleanFactorContext ctx) {
            Node.Predicate p = (Node.Predicate) visit(ctx.booleanPrimary());
            return ctx.NOT() != null ? new Node.Not(p) : p;
        }

        @Override
        public Node visitBooleanPrimary(Cql2Parser.BooleanPrimaryContext ctx) {
            if (ctx.predicate() != null) return visit(ctx.predicate());
            if (ctx.booleanLiteral() != null) return visit(ctx.booleanLiteral());
            return visit(ctx.booleanExpression());
        }

        @Override
        public Node visitBinaryComparisonPredicate(Cql2Parser.BinaryComparisonPredicateContext ctx) {
            return new Node.Comparison(ctx.comparisonOperator().getText(), value(ctx.scalarExpression(0)),
                    value(ctx.scalarExpression(1)));
        }

        @Override
        public Node visitIsLikePredicate(Cql2Parser.IsLikePredicateContext ctx) {
            return new Node.Like(value(ctx.characterExpression()), value(ctx.patternExpression()), ctx.NOT() != null);
        }

        @Override
        public Node visitIsBetweenPredicate(Cql2Parser.IsBetweenPredicateContext ctx) {
            return new Node.Between(value(ctx.numericExpression(0)), value(ctx.numericExpression(1)),
                    value(ctx.numericExpression(2)), ctx.NOT() != null);
        }

        @Override
        public Node visitIsInListPredicate(Cql2Parser.IsInListPredicateContext ctx) {
            List<Node.Value> list = ctx.scalarExpression().stream().skip(1).map(this::value).toList();
            return new Node.In(value(ctx.scalarExpression(0)), list, ctx.NOT() != null);
        }

        @Override
        public Node visitIsNullPredicate(Cql2Parser.IsNullPredicateContext ctx) {
            return new Node.IsNull(value(ctx.isNullOperand()), ctx.NOT() != null);
        }

        @Override
        public Node visitSpatialPredicate(Cql2Parser.SpatialPredicateContext ctx) {
            return new Node.Spatial(ctx.SPATIAL_FUNCTION().getText().toLowerCase(java.util.Locale.ROOT),
                    value(ctx.geomExpression(0)), value(ctx.geomExpression(1)));
        }

        @Override
        public Node visitTemporalPredicate(Cql2Parser.TemporalPredicateContext ctx) {
            return new Node.Temporal(ctx.TEMPORAL_FUNCTION().getText().toLowerCase(java.util.Locale.ROOT),
                    value(ctx.temporalExpression(0)), value(ctx.temporalExpression(1)));
        }

        @Override
        public Node visitBooleanLiteral(Cql2Parser.BooleanLiteralContext ctx) {
            return new Node.Bool(ctx.TRUE() != null);
        }

        @Override
        public Node visitPropertyName(Cql2Parser.PropertyNameContext ctx) {
            String name = ctx.getText();
            return new Node.Property(ctx.QUOTED_IDENTIFIER() != null ? name.substring(1, name.length() - 1) : name);
        }

        @Override
        public Node visitCharacterLiteral(Cql2Parser.CharacterLiteralContext ctx) {
            String quoted = ctx.getText();
            return new Node.Text(quoted.substring(1, quoted.length() - 1).replace("''", "'"));
        }

        @Override
        public Node visitSignedNumber(Cql2Parser.SignedNumberContext ctx) {
            return new Node.Number(new BigDecimal(ctx.getText()));
        }

        @Override
        public Node visitDateInstant(Cql2Parser.DateInstantContext ctx) {
            return new Node.Instant(instant(text(ctx.characterLiteral()), position(ctx)));
        }

        @Override
        public Node visitTimestampInstant(Cql2Parser.TimestampInstantContext ctx) {
            return new Node.Instant(instant(text(ctx.characterLiteral()), position(ctx)));
        }

        @Override
        public Node visitIntervalLiteral(Cql2Parser.IntervalLiteralContext ctx) {
            return new Node.Interval(intervalEnd(ctx.instantParameter(0)), intervalEnd(ctx.instantParameter(1)));
        }

        private Node.Value intervalEnd(Cql2Parser.InstantParameterContext ctx) {
            if (ctx.characterLiteral() != null) {
                String s = text(ctx.characterLiteral());
                return s.equals("..") ? null : new Node.Instant(instant(s, position(ctx)));
            }
            return value(ctx);
        }

        @Override
        public Node visitSpatialInstance(Cql2Parser.SpatialInstanceContext ctx) {
            if (ctx.bboxTaggedText() != null) return bbox(numbers(ctx.bboxTaggedText()), position(ctx));
            Geometry g = geometry(ctx);
            String invalid = invalidity(g);
            if (invalid != null) {
                throw new Cql2Exception("The geometry at character " + position(ctx) + " is not valid: " + invalid,
                        position(ctx));
            }
            return new Node.GeometryLiteral(g);
        }

        private Node.Value value(ParserRuleContext ctx) {
            return (Node.Value) visit(ctx);
        }

        private static String text(Cql2Parser.CharacterLiteralContext ctx) {
            String quoted = ctx.getText();
            return quoted.substring(1, quoted.length() - 1).replace("''", "'");
        }

        private Geometry geometry(Cql2Parser.SpatialInstanceContext ctx) {
            try {
                if (ctx.pointTaggedText() != null) return GEOMETRIES.createPoint(coordinate(ctx.pointTaggedText().pointText().point()));
                if (ctx.linestringTaggedText() != null) {
                    return GEOMETRIES.createLineString(coordinates(ctx.linestringTaggedText().lineStringText()));
                }
                if (ctx.polygonTaggedText() != null) return polygon(ctx.polygonTaggedText().polygonText());
                if (ctx.multipointTaggedText() != null) {
                    var m = ctx.multipointTaggedText();
                    List<Coordinate> points = new ArrayList<>();
                    m.point().forEach(p -> points.add(coordinate(p)));
                    m.pointText().forEach(p -> points.add(coordinate(p.point())));
                    return GEOMETRIES.createMultiPointFromCoords(points.toArray(Coordinate[]::new));
                }
                if (ctx.multilinestringTaggedText() != null) {
                    return GEOMETRIES.createMultiLineString(ctx.multilinestringTaggedText().lineStringText().stream()
                            .map(l -> GEOMETRIES.createLineString(coordinates(l)))
                            .toArray(org.locationtech.jts.geom.LineString[]::new));
                }
                if (ctx.multipolygonTaggedText() != null) {
                    return GEOMETRIES.createMultiPolygon(ctx.multipolygonTaggedText().polygonText().stream()
                            .map(this::polygon).toArray(Polygon[]::new));
                }
                if (ctx.geometryCollectionTaggedText() != null) {
                    return GEOMETRIES.createGeometryCollection(ctx.geometryCollectionTaggedText().spatialInstance()
                            .stream().map(this::geometry).toArray(Geometry[]::new));
                }
                return bbox(numbers(ctx.bboxTaggedText()), position(ctx)).geometry();
            } catch (IllegalArgumentException e) {
                throw new Cql2Exception("The geometry at character " + position(ctx) + " is not valid: "
                        + e.getMessage(), position(ctx));
            }
        }

        private static List<Double> numbers(Cql2Parser.BboxTaggedTextContext ctx) {
            return ctx.signedNumber().stream().map(n -> new BigDecimal(n.getText()).doubleValue()).toList();
        }

        private Polygon polygon(Cql2Parser.PolygonTextContext ctx) {
            List<LinearRing> rings = ctx.lineStringText().stream()
                    .map(l -> GEOMETRIES.createLinearRing(coordinates(l))).toList();
            return GEOMETRIES.createPolygon(rings.getFirst(), rings.subList(1, rings.size()).toArray(LinearRing[]::new));
        }

        private static Coordinate[] coordinates(Cql2Parser.LineStringTextContext ctx) {
            return ctx.point().stream().map(Builder::coordinate).toArray(Coordinate[]::new);
        }

        private static Coordinate coordinate(Cql2Parser.PointContext ctx) {
            return new Coordinate(new BigDecimal(ctx.signedNumber(0).getText()).doubleValue(),
                    new BigDecimal(ctx.signedNumber(1).getText()).doubleValue());
        }
    }

    /**
     * Why a geometry literal is not a valid Simple Features geometry (a self-intersecting ring, say), or null when it
     * is: PostGIS cannot intersect an invalid polygon and would fail the request, where the filter is what is wrong.
     */
    static String invalidity(Geometry g) {
        TopologyValidationError error = new IsValidOp(g).getValidationError();
        return error == null ? null : error.getMessage() + " at (" + error.getCoordinate().x + " "
                + error.getCoordinate().y + ")";
    }

    /**
     * BBOX(minx, miny, maxx, maxy) or its 3-D form with six numbers, as a polygon; one whose first minimum lies above
     * its maximum spans the antimeridian (CQL2 7.4.2), the two boxes from it to 180 and from -180 to its maximum.
     */
    static Node.GeometryLiteral bbox(List<Double> n, int position) {
        if (n.size() != 4 && n.size() != 6) {
            throw new Cql2Exception("BBOX at character " + position + " needs 4 or 6 numbers, not " + n.size(), position);
        }
        double minX = n.get(0), minY = n.get(1);
        double maxX = n.size() == 4 ? n.get(2) : n.get(3), maxY = n.size() == 4 ? n.get(3) : n.get(4);
        if (minY > maxY) {
            throw new Cql2Exception("BBOX at character " + position + " has a minimum above its maximum", position);
        }
        if (minX <= maxX) {
            return new Node.GeometryLiteral(GEOMETRIES.toGeometry(new org.locationtech.jts.geom.Envelope(minX, maxX, minY, maxY)));
        }
        return new Node.GeometryLiteral(GEOMETRIES.createMultiPolygon(new Polygon[]{
                (Polygon) GEOMETRIES.toGeometry(new org.locationtech.jts.geom.Envelope(minX, 180, minY, maxY)),
                (Polygon) GEOMETRIES.toGeometry(new org.locationtech.jts.geom.Envelope(-180, maxX, minY, maxY))}), true);
    }
}
