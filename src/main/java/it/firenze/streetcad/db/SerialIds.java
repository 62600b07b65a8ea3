package it.firenze.streetcad.db;

/**
 * SQL that draws the next identifier of a table's serial {@code id}, for statements that draw one per row (a commit
 * numbering its elements, a network build its junctions and pieces).
 */
public final class SerialIds {

    private SerialIds() {
    }

    /**
     * {@code nextval} of {@code table}'s {@code id} sequence, looked up once per statement: written as
     * {@code nextval(pg_get_serial_sequence(…))} the lookup (a catalogue search) and the text-to-regclass cast ran
     * for every row, 170–220 ms of a Florence commit's 33,089 rows against 13 ms for the draws themselves
     * (BENCHMARKS.md, issue 17, session 16).
     */
    public static String next(String table) {
        return "nextval((SELECT pg_get_serial_sequence('" + table + "', 'id')::regclass))";
    }
}
