package it.firenze.streetcad.topology;

import java.util.EnumSet;
import java.util.Set;

/**
 * The parameters of a validation, reported with each finding.
 *
 * @param tolerance         metres within which an end counts as an undershoot or an overshoot (default 0.5)
 * @param minLength         elements shorter than this many metres are too short (default 1)
 * @param spikeAngle        a vertex turning back by less than this many degrees is a spike (default 10)
 * @param islandMaxElements disconnected parts with fewer elements than this are islands (default 10)
 * @param rules             the rules to run
 */
public record ValidationOptions(double tolerance, double minLength, double spikeAngle, int islandMaxElements,
                                Set<Rule> rules) {

    /** An element end farther than this from its junction is off it (1 mm absorbs reprojection rounding). */
    static final double JUNCTION_TOLERANCE = 0.001;

    public ValidationOptions {
        rules = rules == null || rules.isEmpty() ? EnumSet.allOf(Rule.class) : EnumSet.copyOf(rules);
    }

    public static ValidationOptions defaults() {
        return new ValidationOptions(NetworkBuilder.DEFAULT_TOLERANCE, 1.0, 10.0, 10, null);
    }

    public ValidationOptions withRules(Set<Rule> only) {
        return new ValidationOptions(tolerance, minLength, spikeAngle, islandMaxElements, only);
    }

    public ValidationOptions withTolerance(double metres) {
        return new ValidationOptions(metres, minLength, spikeAngle, islandMaxElements, rules);
    }
}
