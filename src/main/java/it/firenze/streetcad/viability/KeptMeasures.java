package it.firenze.streetcad.viability;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The measures of some statuses as of a measures revision (V11), kept until the revision moves: routes, the network
 * state and the viability tiles ask many times between two changes of the measures, and each asks with the
 * revision it has just read, so a question costs that one small read instead of reading every measure again.
 */
final class KeptMeasures {

    private record Kept(long revision, List<Measure> measures) {
    }

    private final ViabilityStore store;
    private final String statuses;
    private volatile Kept kept;

    /** @param statuses an SQL list of statuses, {@link ViabilityStore#BINDING} or {@link ViabilityStore#PLANNED_OR_BINDING} */
    KeptMeasures(ViabilityStore store, String statuses) {
        this.store = store;
        this.statuses = statuses;
    }

    /** The measures at measures revision {@code revision}, read on {@code c} when not kept already. */
    List<Measure> at(Connection c, long revision) throws SQLException {
        Kept k = kept;
        if (k == null || k.revision() != revision) {
            k = new Kept(revision, store.measures(c, "m.status IN " + statuses));
            kept = k;
        }
        return k.measures();
    }
}
