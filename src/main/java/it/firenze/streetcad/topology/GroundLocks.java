package it.firenze.streetcad.topology;

import org.locationtech.jts.geom.Envelope;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Set;

/**
 * Transaction advisory locks on the ground an edit re-validates, so that two re-validations of the same ground are
 * judged one after the other (each then reads the other's commit) while edits in different streets go on at once.
 */
final class GroundLocks {

    private GroundLocks() {
    }

    /**
     * The advisory lock classes of the ground an edit re-validates: its cells ("SCRV"), their districts ("SCRD") and the
     * whole ground ("SCRW", one key).
     */
    private static final int GROUND_LOCK_CLASS = 0x53435256, DISTRICT_LOCK_CLASS = 0x53435244,
            WHOLE_LOCK_CLASS = 0x53435257;
    /** The side (metres) of the cells of ground: small enough that editors in different streets rarely share one. */
    static final double GROUND_CELL = 250;
    /** The side (metres) of a district of cells, what ground of more than {@link #MOST_CELLS} cells locks instead. */
    static final double DISTRICT = 4000;
    static final int MOST_CELLS = 64;

    /**
     * Locks, until the caller's transaction ends, the ground an area (storage CRS) covers: the {@link #GROUND_CELL}
     * cells it meets, each for itself, with the districts they lie in shared; or, for an area of more than
     * {@link #MOST_CELLS} cells (a long street retired), its districts for itself, so that the locks stay few. So two
     * areas meeting the same cell or district never hold their locks at once, unless both hold it shared. Every
     * transaction takes districts before cells and each in one order, so none waits on another in a circle. Two cells
     * or districts whose keys collide are one for this lock: a wait for nothing, never a missed one. Ground of more
     * than {@link #MOST_CELLS} districts (a line drawn across Italy) locks the whole ground for itself, which every
     * other lock holds shared first: one district's key each would exhaust PostgreSQL's lock table, a 500.
     */
    static void lockGround(Connection c, Envelope area) throws SQLException {
        boolean whole = cells(area, DISTRICT) > MOST_CELLS;
        lock(c, whole ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared", WHOLE_LOCK_CLASS, Set.of(0));
        if (whole) return;
        boolean large = cells(area, GROUND_CELL) > MOST_CELLS;
        lock(c, large ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared", DISTRICT_LOCK_CLASS,
                keys(area, DISTRICT));
        if (!large) lock(c, "pg_advisory_xact_lock", GROUND_LOCK_CLASS, keys(area, GROUND_CELL));
    }

    /** How many square cells of this side an area meets. */
    private static long cells(Envelope area, double side) {
        return (cell(area.getMaxX(), side) - cell(area.getMinX(), side) + 1)
                * (cell(area.getMaxY(), side) - cell(area.getMinY(), side) + 1);
    }

    /** The keys of the square cells of this side an area meets, in order. */
    private static Set<Integer> keys(Envelope area, double side) {
        long x0 = cell(area.getMinX(), side), x1 = cell(area.getMaxX(), side);
        long y0 = cell(area.getMinY(), side), y1 = cell(area.getMaxY(), side);
        java.util.TreeSet<Integer> keys = new java.util.TreeSet<>();
        for (long x = x0; x <= x1; x++) for (long y = y0; y <= y1; y++) keys.add(Long.hashCode(x * 1_000_003L + y));
        return keys;
    }

    /** The index of the cell of this side a coordinate falls in. */
    private static long cell(double coordinate, double side) {
        return (long) Math.floor(coordinate / side);
    }

    private static void lock(Connection c, String function, int lockClass, Set<Integer> keys) throws SQLException {
        // unnest returns the array in its order, and the locks are taken row by row in it.
        try (PreparedStatement st = c.prepareStatement("SELECT " + function + "(?, k) FROM unnest(?::int[]) AS k")) {
            st.setInt(1, lockClass);
            st.setArray(2, c.createArrayOf("int4", keys.toArray()));
            st.execute();
        }
    }
}
