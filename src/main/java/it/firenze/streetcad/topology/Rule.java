package it.firenze.streetcad.topology;

import java.util.Arrays;
import java.util.Optional;

/** The topology rules, each with a stable id (used in the API, the CLI and topology_issue.rule) and a severity. */
public enum Rule {
    INVALID_GEOMETRY("invalid-geometry", Severity.ERROR),
    SELF_INTERSECTION("self-intersection", Severity.ERROR),
    SELF_OVERLAP("self-overlap", Severity.ERROR),
    DUPLICATE_VERTEX("duplicate-vertex", Severity.WARNING),
    ZERO_LENGTH("zero-length", Severity.ERROR),
    TOO_SHORT("too-short", Severity.WARNING),
    MULTIPART("multipart", Severity.ERROR),
    DUPLICATE_ELEMENT("duplicate-element", Severity.ERROR),
    OVERLAPPING_ELEMENTS("overlapping-elements", Severity.ERROR),
    DEAD_END("dead-end", Severity.INFO),
    UNDERSHOOT("undershoot", Severity.WARNING),
    OVERSHOOT("overshoot", Severity.WARNING),
    CROSSING_WITHOUT_JUNCTION("crossing-without-junction", Severity.ERROR),
    ENDPOINT_ON_INTERIOR("endpoint-on-interior", Severity.ERROR),
    MERGEABLE_PSEUDO_NODE("mergeable-pseudo-node", Severity.WARNING),
    PSEUDO_NODE("pseudo-node", Severity.INFO),
    ENDPOINT_OFF_JUNCTION("endpoint-off-junction", Severity.ERROR),
    ORPHAN_JUNCTION("orphan-junction", Severity.WARNING),
    ISLAND("island", Severity.WARNING),
    ONE_WAY_DEAD_END("one-way-dead-end", Severity.WARNING),
    SPIKE("spike", Severity.WARNING);

    private final String id;
    private final Severity severity;

    Rule(String id, Severity severity) {
        this.id = id;
        this.severity = severity;
    }

    public String id() {
        return id;
    }

    public Severity severity() {
        return severity;
    }

    public static Optional<Rule> byId(String id) {
        return Arrays.stream(values()).filter(r -> r.id.equals(id)).findFirst();
    }
}
