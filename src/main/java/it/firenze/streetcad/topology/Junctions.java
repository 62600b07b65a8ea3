package it.firenze.streetcad.topology;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;

/**
 * Keeping junctions true to the elements that meet at them, for edits made outside a network build: after elements
 * moved on or off some junctions, those left with no live element are retired and the others get their degree and
 * kind from the elements as stored, in the caller's transaction.
 */
public final class Junctions {

    private Junctions() {
    }

    public static void settle(Connection c, Collection<Long> junctions) throws SQLException {
        if (junctions.isEmpty()) return;
        TopologyStore.retireOrphanJunctions(c, junctions);
        TopologyStore.recomputeJunctions(c, junctions);
    }
}
