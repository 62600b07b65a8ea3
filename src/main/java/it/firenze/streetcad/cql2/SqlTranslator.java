package it.firenze.streetcad.cql2;

import it.firenze.streetcad.db.AreaOfUse;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKTWriter;

import java.util.List;
import java.util.Map;

/**
 * Translates a CQL2 tree into a PostgreSQL boolean expression. Property names are looked up in the queryables
 * (whose SQL StreetCad wrote); every literal becomes a bound parameter; geometry literals are written as WKT by
 * JTS from the parsed coordinates and transformed by PostGIS from the filter CRS into the storage CRS.
 *
 * <p>A member of a JSON-object property is named {@code object.member} ({@code source_attributes.bicycle}, the
 * source fields an import kept per element): its name is bound like a literal, and it takes the type of what it is
 * compared with (a number compares only with members stored as numbers); alone (LIKE, IS NULL) it is text.
 */
public final class SqlTranslator {

    private static final Map<String, String> SPATIAL = Map.of(
            "s_intersects", "ST_Intersects", "s_equals", "ST_Equals", "s_disjoint", "ST_Disjoint",
            "s_touches", "ST_Touches", "s_within", "ST_Within", "s_overlaps", "ST_Overlaps",
            "s_crosses", "ST_Crosses", "s_contains", "ST_Contains");

    private final Map<String, Queryable> queryables;
    private final int storageSrid;
    private final int filterSrid;
    private final boolean filterNorthFirst;

    /**
     * @param filterSrid       the EPSG code of geometry literals (4326 for CRS84)
     * @param filterNorthFirst whether literals are written northing/latitude first (EPSG:4326, EPSG:6707)
     */
    public SqlTranslator(Map<String, Queryable> queryables, int storageSrid, int filterSrid, boolean filterNorthFirst) {
        this.queryables = queryables;
        this.storageSrid = storageSrid;
        this.filterSrid = filterSrid;
        this.filterNorthFirst = filterNorthFirst;
    }

    public Sql translate(Node.Predicate p) {
        Sql sql = new Sql();
        predicate(p, sql);
        return sql;
    }

    private void predicate(Node.Predicate p, Sql sql) {
        switch (p) {
            case Node.And and -> join(and.terms(), " AND ", sql);
            case Node.Or or -> join(or.terms(), " OR ", sql);
            case Node.Not not -> {
                sql.append("NOT (");
                predicate(not.term(), sql);
                sql.append(")");
            }
            case Node.Bool b -> sql.append(b.value() ? "TRUE" : "FALSE");
            case Node.Comparison c -> {
                Queryable.Type type = comparable(c.left(), c.right(), "=".equals(c.op()) || "<>".equals(c.op()));
                scalar(c.left(), type, sql);
                sql.append(" " + c.op() + " ");
                scalar(c.right(), type, sql);
            }
            case Node.Like like -> {
                if (type(like.value()) != Queryable.Type.STRING || !(like.pattern() instanceof Node.Text)) {
                    throw new Cql2Exception("LIKE compares a string property with a string pattern", 0);
                }
                scalar(like.value(), Queryable.Type.STRING, sql);
                sql.append(like.negated() ? " NOT LIKE " : " LIKE ");
                scalar(like.pattern(), Queryable.Type.STRING, sql);
            }
            case Node.Between between -> {
                for (Node.Value v : List.of(between.value(), between.low(), between.high())) {
                    if (!type(v).isNumeric() && member(v) == null) throw new Cql2Exception("BETWEEN works on numbers only", 0);
                }
                scalar(between.value(), Queryable.Type.NUMBER, sql);
                sql.append(between.negated() ? " NOT BETWEEN " : " BETWEEN ");
                scalar(between.low(), Queryable.Type.NUMBER, sql);
                sql.append(" AND ");
                scalar(between.high(), Queryable.Type.NUMBER, sql);
            }
            case Node.In in -> {
                Queryable.Type type = in.list().isEmpty() ? type(in.value()) : comparable(in.value(), in.list().getFirst(), true);
                for (Node.Value v : in.list()) comparable(in.value(), v, true);
                scalar(in.value(), type, sql);
                sql.append(in.negated() ? " NOT IN (" : " IN (");
                for (int i = 0; i < in.list().size(); i++) {
                    if (i > 0) sql.append(", ");
                    scalar(in.list().get(i), type, sql);
                }
                sql.append(")");
            }
            case Node.IsNull isNull -> {
                if (isNull.value() instanceof Node.GeometryLiteral g) geometry(g, sql);
                else scalar(isNull.value(), type(isNull.value()), sql);
                sql.append(isNull.negated() ? " IS NOT NULL" : " IS NULL");
            }
            case Node.Spatial s -> {
                String function = SPATIAL.get(s.function());
                if (function == null) throw new Cql2Exception("Unknown spatial function " + s.function(), 0);
                sql.append(function + "(");
                geometryOperand(s.left(), sql);
                sql.append(", ");
                geometryOperand(s.right(), sql);
                sql.append(")");
            }
            case Node.Temporal t -> temporal(t, sql);
        }
    }

    private void join(List<Node.Predicate> terms, String operator, Sql sql) {
        sql.append("(");
        for (int i = 0; i < terms.size(); i++) {
            if (i > 0) sql.append(operator);
            predicate(terms.get(i), sql);
        }
        sql.append(")");
    }

    /** The common type of two operands that are compared, or a meaning error naming both. */
    private Queryable.Type comparable(Node.Value a, Node.Value b, boolean equality) {
        Queryable.Type ta = type(a);
        Queryable.Type tb = type(b);
        if (member(a) != null && member(b) == null) ta = tb;
        if (member(b) != null && member(a) == null) tb = ta;
        boolean ok = ta == tb || (ta.isNumeric() && tb.isNumeric());
        if (!ok || ta == Queryable.Type.GEOMETRY || ta == Queryable.Type.INTERVAL
                || (ta == Queryable.Type.BOOLEAN && !equality)) {
            throw new Cql2Exception("Cannot compare " + describe(a, ta) + " with " + describe(b, tb), 0);
        }
        return ta.isNumeric() && tb.isNumeric() ? Queryable.Type.NUMBER : ta;
    }

    private static String describe(Node.Value v, Queryable.Type t) {
        return (v instanceof Node.Property p ? "property " + p.name() + " (" : "a literal (")
                + t.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }

    private Queryable.Type type(Node.Value v) {
        return switch (v) {
            case Node.Property p -> queryable(p).type();
            case Node.Text t -> Queryable.Type.STRING;
            case Node.Number n -> Queryable.Type.NUMBER;
            case Node.Bool b -> Queryable.Type.BOOLEAN;
            case Node.Instant i -> Queryable.Type.TIMESTAMP;
            case Node.GeometryLiteral g -> Queryable.Type.GEOMETRY;
            case Node.Interval i -> throw new Cql2Exception("An interval can only be used in a temporal function", 0);
        };
    }

    private Queryable queryable(Node.Property p) {
        Queryable q = queryables.get(p.name());
        if (q == null && member(p) != null) return new Queryable(p.name(), null, Queryable.Type.STRING);
        if (q == null) {
            String shown = p.name().length() <= 60 ? p.name() : p.name().substring(0, 57) + "...";
            throw new Cql2Exception("Unknown property '" + shown + "'; the queryables are " + queryables.keySet(), 0);
        }
        return q;
    }

    /** The object property and the member's name when {@code v} names a member of a JSON-object queryable. */
    private Member member(Node.Value v) {
        if (!(v instanceof Node.Property p) || queryables.containsKey(p.name())) return null;
        int dot = p.name().indexOf('.');
        if (dot <= 0 || dot == p.name().length() - 1) return null;
        Queryable object = queryables.get(p.name().substring(0, dot));
        return object == null || object.type() != Queryable.Type.OBJECT ? null
                : new Member(object, p.name().substring(dot + 1));
    }

    private record Member(Queryable object, String name) {
        /** The member as SQL of {@code type}: NULL where the stored value is of another JSON type. */
        void sql(Queryable.Type type, Sql sql) {
            String jsonType = switch (type) {
                case INTEGER, NUMBER -> "number";
                case BOOLEAN -> "boolean";
                default -> null;
            };
            if (jsonType == null) {
                sql.append("(" + object.sql() + " ->> ").bind(name).append("::text)");
                return;
            }
            sql.append("(CASE WHEN jsonb_typeof(" + object.sql() + " -> ").bind(name).append("::text) = '" + jsonType + "' THEN ("
                    + object.sql() + " ->> ").bind(name).append("::text)::" + (jsonType.equals("number") ? "numeric" : "boolean")
                    + " END)");
        }
    }

    private void scalar(Node.Value v, Queryable.Type type, Sql sql) {
        Member member = member(v);
        if (member != null) {
            member.sql(type, sql);
            return;
        }
        switch (v) {
            case Node.Property p -> sql.append(queryable(p).sql());
            case Node.Text t -> sql.bind(t.value());
            case Node.Number n -> sql.bind(n.value());
            case Node.Bool b -> sql.bind(b.value());
            case Node.Instant i -> sql.bind(i.value());
            default -> throw new Cql2Exception("Not a scalar value in a " + type.name().toLowerCase(java.util.Locale.ROOT)
                    + " comparison", 0);
        }
    }

    private void geometryOperand(Node.Value v, Sql sql) {
        if (v instanceof Node.GeometryLiteral g) {
            geometry(g, sql);
        } else if (v instanceof Node.Property p && queryable(p).type() == Queryable.Type.GEOMETRY) {
            sql.append(queryable(p).sql());
        } else {
            throw new Cql2Exception("Spatial functions take geometries: a geometry property or a geometry literal", 0);
        }
    }

    private void geometry(Node.GeometryLiteral g, Sql sql) {
        if (g.acrossAntimeridian() && (filterSrid != 4326 || filterNorthFirst)) {
            throw new Cql2Exception("A BBOX whose first minimum lies above its maximum is read as a box across the "
                    + "antimeridian in CRS84 (longitude first) only; in this filter-crs it is not a box", 0);
        }
        check(g.geometry());
        String literal = "ST_GeomFromText(?, " + filterSrid + ")";
        if (filterNorthFirst) literal = "ST_FlipCoordinates(" + literal + ")";
        // Cut to the storage CRS's area of use before the transform (see AreaOfUse): a world BBOX then finds
        // every feature instead of none, and a literal far from the storage zone cannot fail the transform.
        literal = AreaOfUse.toStorage(literal, filterSrid, storageSrid);
        String[] parts = literal.split("\\?", 2);
        sql.append(parts[0]).bind(new WKTWriter().write(g.geometry())).append(parts[1]);
    }

    /** Coordinates a CRS cannot have are the client's mistake, not the database's: finite, and in degrees in range. */
    private void check(Geometry g) {
        for (Coordinate c : g.getCoordinates()) {
            if (!Double.isFinite(c.x) || !Double.isFinite(c.y)) {
                throw new Cql2Exception("A geometry literal has a coordinate that is not a finite number", 0);
            }
            if (filterSrid == 4326) {
                double lon = filterNorthFirst ? c.y : c.x;
                double lat = filterNorthFirst ? c.x : c.y;
                if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
                    throw new Cql2Exception("A geometry literal has a position (" + lon + ", " + lat + ") outside "
                            + "longitude ±180°, latitude ±90°", 0);
                }
            }
        }
    }

    /**
     * The temporal functions as Allen's relations between two intervals [start, end]: an instant is an interval
     * whose ends are equal, an open end ("..") is -infinity or infinity, and an interval queryable (a
     * tstzrange such as validity, open above while it lasts) gives its bounds.
     */
    private void temporal(Node.Temporal t, Sql sql) {
        if (!INSTANT_OR_INTERVAL.contains(t.function()) && (!interval(t.left()) || !interval(t.right()))) {
            // CQL2 7.8.3, table 2: these relate intervals only; "using these functions with instants will result
            // in a client error".
            throw new Cql2Exception(t.function().toUpperCase(java.util.Locale.ROOT) + " relates two intervals "
                    + "(INTERVAL(…) or an interval property); an instant takes T_AFTER, T_BEFORE, T_DISJOINT, "
                    + "T_EQUALS or T_INTERSECTS", 0);
        }
        Sql[] a = bounds(t.left());
        Sql[] b = bounds(t.right());
        Sql aS = a[0], aE = a[1], bS = b[0], bE = b[1];
        sql.append("(");
        switch (t.function()) {
            case "t_after" -> cmp(sql, aS, ">", bE);
            case "t_before" -> cmp(sql, aE, "<", bS);
            case "t_contains" -> cmp(cmp(sql, aS, "<", bS).append(" AND "), aE, ">", bE);
            case "t_during" -> cmp(cmp(sql, aS, ">", bS).append(" AND "), aE, "<", bE);
            case "t_disjoint" -> cmp(cmp(sql, aE, "<", bS).append(" OR "), aS, ">", bE);
            case "t_equals" -> cmp(cmp(sql, aS, "=", bS).append(" AND "), aE, "=", bE);
            case "t_finishedby" -> cmp(cmp(sql, aS, "<", bS).append(" AND "), aE, "=", bE);
            case "t_finishes" -> cmp(cmp(sql, aS, ">", bS).append(" AND "), aE, "=", bE);
            case "t_intersects" -> cmp(cmp(sql, aS, "<=", bE).append(" AND "), aE, ">=", bS);
            case "t_meets" -> cmp(sql, aE, "=", bS);
            case "t_metby" -> cmp(sql, aS, "=", bE);
            case "t_overlappedby" -> cmp(cmp(cmp(sql, aS, ">", bS).append(" AND "), aS, "<", bE).append(" AND "), aE, ">", bE);
            case "t_overlaps" -> cmp(cmp(cmp(sql, aS, "<", bS).append(" AND "), aE, ">", bS).append(" AND "), aE, "<", bE);
            case "t_startedby" -> cmp(cmp(sql, aS, "=", bS).append(" AND "), aE, ">", bE);
            case "t_starts" -> cmp(cmp(sql, aS, "=", bS).append(" AND "), aE, "<", bE);
            default -> throw new Cql2Exception("Unknown temporal function " + t.function(), 0);
        }
        sql.append(")");
    }

    /** CQL2's table 1: the temporal functions defined for instants and intervals alike. */
    private static final java.util.Set<String> INSTANT_OR_INTERVAL = java.util.Set.of("t_after", "t_before",
            "t_disjoint", "t_equals", "t_intersects");

    private boolean interval(Node.Value v) {
        return v instanceof Node.Interval
                || v instanceof Node.Property p && queryable(p).type() == Queryable.Type.INTERVAL;
    }

    private static Sql cmp(Sql sql, Sql left, String op, Sql right) {
        return sql.append(left).append(" " + op + " ").append(right);
    }

    /** Start and end of a temporal operand as SQL timestamptz expressions. */
    private Sql[] bounds(Node.Value v) {
        return switch (v) {
            case Node.Interval i -> new Sql[]{end(i.start(), "-infinity"), end(i.end(), "infinity")};
            case Node.Instant i -> new Sql[]{instantSql(v), instantSql(v)};
            case Node.Property p when queryable(p).type() == Queryable.Type.TIMESTAMP ->
                    new Sql[]{instantSql(v), instantSql(v)};
            case Node.Property p when queryable(p).type() == Queryable.Type.INTERVAL -> new Sql[]{
                    new Sql().append("lower(" + queryable(p).sql() + ")"),
                    new Sql().append("coalesce(upper(" + queryable(p).sql() + "), 'infinity'::timestamptz)")};
            default -> throw new Cql2Exception("Temporal functions take timestamp or interval properties, DATE, "
                    + "TIMESTAMP or INTERVAL literals", 0);
        };
    }

    private Sql end(Node.Value v, String open) {
        if (v == null) return new Sql().append("'" + open + "'::timestamptz");
        if (v instanceof Node.Interval || type(v) != Queryable.Type.TIMESTAMP) {
            throw new Cql2Exception("An interval's ends are instants or timestamp properties", 0);
        }
        // A property's null end is open, as the interval queryables take it: valid_to is null while a row lasts, so
        // INTERVAL(valid_from, valid_to) is the validity queryable.
        if (v instanceof Node.Property) {
            return new Sql().append("coalesce(").append(instantSql(v)).append(", '" + open + "'::timestamptz)");
        }
        return instantSql(v);
    }

    private Sql instantSql(Node.Value v) {
        Sql s = new Sql();
        scalar(v, Queryable.Type.TIMESTAMP, s);
        return s;
    }
}
