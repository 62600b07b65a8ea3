package it.firenze.streetcad.cql2;

import org.locationtech.jts.geom.Geometry;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A parsed CQL2 filter, the same tree whether it came as text or as JSON. Predicates are boolean; values are what
 * predicates compare. Literals keep the client's values typed, to be bound as SQL parameters later.
 */
public sealed interface Node {

    sealed interface Predicate extends Node {
    }

    sealed interface Value extends Node {
    }

    record And(List<Predicate> terms) implements Predicate {
    }

    record Or(List<Predicate> terms) implements Predicate {
    }

    record Not(Predicate term) implements Predicate {
    }

    /** op is one of = <> < > <= >= */
    record Comparison(String op, Value left, Value right) implements Predicate {
    }

    record Like(Value value, Value pattern, boolean negated) implements Predicate {
    }

    record Between(Value value, Value low, Value high, boolean negated) implements Predicate {
    }

    record In(Value value, List<Value> list, boolean negated) implements Predicate {
    }

    record IsNull(Value value, boolean negated) implements Predicate {
    }

    /** function is lower case, e.g. s_intersects */
    record Spatial(String function, Value left, Value right) implements Predicate {
    }

    /** function is lower case, e.g. t_after */
    record Temporal(String function, Value left, Value right) implements Predicate {
    }

    record Bool(boolean value) implements Predicate, Value {
    }

    record Property(String name) implements Value {
    }

    record Text(String value) implements Value {
    }

    record Number(BigDecimal value) implements Value {
    }

    record Instant(OffsetDateTime value) implements Value {
    }

    /** An interval; a null end is open (".."). Ends are instants or properties. */
    record Interval(Value start, Value end) implements Value {
    }

    /**
     * A geometry literal, in the filter CRS, with x first as written; {@code acrossAntimeridian} marks a BBOX whose
     * west edge lies east of its east edge, made of the boxes either side of ±180°: CQL2 reads it so in a
     * geographic CRS, the translator allows it in CRS84 only.
     */
    record GeometryLiteral(Geometry geometry, boolean acrossAntimeridian) implements Value {
        GeometryLiteral(Geometry geometry) {
            this(geometry, false);
        }
    }
}
