package it.firenze.streetcad.topology;

import java.sql.Connection;
import java.sql.PreparedStatement;
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
        retireOrphanJunctions(c, junctions);
        recomputeJunctions(c, junctions);
    }

    /** Sets degree and kind of the junctions from the elements as stored now. */
    static void recomputeJunctions(Connection c, Collection<Long> junctions) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(RECOMPUTE_JUNCTIONS)) {
            Object[] ids = junctions.toArray();
            st.setArray(1, c.createArrayOf("bigint", ids));
            st.setArray(2, c.createArrayOf("bigint", ids));
            st.executeUpdate();
        }
    }

    /** Retires the junctions among these that no live element starts or ends at any more. */
    static void retireOrphanJunctions(Connection c, Collection<Long> junctions) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE live_junction j SET valid_to = retirement(valid_from, "
                + "valid_to) WHERE j.id = ANY (?) "
                + "AND NOT EXISTS (SELECT 1 FROM live_road_element e WHERE e.from_junction = j.id) "
                + "AND NOT EXISTS (SELECT 1 FROM live_road_element e WHERE e.to_junction = j.id)")) {
            st.setArray(1, c.createArrayOf("bigint", junctions.toArray()));
            st.executeUpdate();
        }
    }

    /** Degree = element ends at the junction; kind from the degree, a roundabout where one meets it. */
    private static final String RECOMPUTE_JUNCTIONS = """
            WITH ends AS (
                SELECT from_junction AS id, element_type FROM live_road_element WHERE from_junction = ANY (?)
                UNION ALL
                SELECT to_junction, element_type FROM live_road_element WHERE to_junction = ANY (?)),
            counted AS (SELECT id, count(*)::int AS degree, bool_or(element_type = 'roundabout') AS roundabout
                        FROM ends GROUP BY id),
            computed AS (
                SELECT j.id, c.degree,
                       CASE WHEN j.kind IN ('boundary', 'level_crossing') THEN j.kind
                            WHEN c.roundabout AND c.degree >= 3 THEN 'roundabout'
                            WHEN c.degree = 1 THEN 'end'
                            WHEN c.degree = 2 THEN 'pseudo'
                            ELSE 'intersection' END AS kind
                FROM junction j JOIN counted c ON c.id = j.id)
            UPDATE junction j SET degree = n.degree, kind = n.kind FROM computed n
            WHERE j.id = n.id AND (j.degree, j.kind) IS DISTINCT FROM (n.degree, n.kind)""";
}
