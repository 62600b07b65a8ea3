package it.firenze.streetcad.topology;

import org.locationtech.jts.geom.Envelope;

import java.util.Set;

/**
 * Where an edit can have changed what the topology rules find, and so where it is re-validated
 * ({@link TopologyValidation#revalidateEdit}). Most edits of a road element's record leave its line, its plane and
 * its validity as they were: then only the findings at its two ends can change (whether the element it meets there
 * has the same attributes, whether one-way traffic can leave), and re-validating its whole neighbourhood for them was
 * most of an edit's cost.
 */
public sealed interface EditReach {

    /** The line, the plane (level, layer) or the validity changed: everything around this extent, storage CRS. */
    record Around(Envelope changed) implements EditReach {
    }

    /**
     * Only attributes that the rules compare where elements meet changed: the findings at the element's two ends;
     * {@code extent} is its line's (storage CRS).
     */
    record Ends(long elementId, Envelope extent) implements EditReach {
    }

    /** Nothing that a rule reads changed. */
    record Nowhere() implements EditReach {
    }

    /** Around an extent, or nowhere when there is none (an edit of what has no line, a road's name). */
    static EditReach around(Envelope changed) {
        return changed == null || changed.isNull() ? new Nowhere() : new Around(changed);
    }

    /**
     * The reach of an edit of a road element that set these columns and left its line as it was; {@code extent} is
     * its line's extent.
     */
    static EditReach ofAttributes(long elementId, Set<String> columns, Envelope extent) {
        if (columns.stream().allMatch(EditReach::notRead)) return new Nowhere();
        boolean atEnds = columns.stream().allMatch(c -> notRead(c) || comparedAtEnds(c));
        return atEnds ? new Ends(elementId, extent) : around(extent);
    }

    /** No rule reads a stored element's source key (it names the findings of staged lines only). */
    private static boolean notRead(String column) {
        return column.equals("source_key");
    }

    /**
     * Whether two elements meeting at an end could be one depends on these; the plane (level, layer) is one of them,
     * but lines cross with a junction only within one plane, so a change of plane reaches the crossings around.
     */
    private static boolean comparedAtEnds(String column) {
        return TopologyReader.MERGE_ATTRIBUTES.contains(column) && !column.equals("level") && !column.equals("layer");
    }
}
