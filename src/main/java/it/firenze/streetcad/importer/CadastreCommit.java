package it.firenze.streetcad.importer;

import org.locationtech.jts.geom.Envelope;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes a validated staging table into the cadastre in one transaction: the roads (strade) by name, then the
 * road elements in the import's mode. An advisory lock makes concurrent commits queue instead of interleaving
 * (two imports finding the same new road name would otherwise create it twice).
 */
final class CadastreCommit {

    /** First key of the advisory locks the importer takes (the second is 0 for commits). */
    static final int LOCK_CLASS = 0x53434944; // "SCID"

    /**
     * The road_element columns a commit writes from the staging table: every mapped field but the road's name, and
     * the source fields no rule read ({@code source_attributes}), so that nothing of the source is lost.
     */
    private static final List<String> ELEMENT_COLUMNS = Stream.concat(
            List.of(TargetField.values()).stream().filter(f -> f != TargetField.ROAD_NAME).map(TargetField::column),
            Stream.of(StagingTable.SOURCE_ATTRIBUTES)).toList();
    private static final String COLUMNS = String.join(", ", ELEMENT_COLUMNS);
    private static final String STAGED_VALUES = ELEMENT_COLUMNS.stream().map(c -> "s." + c).collect(Collectors.joining(", "));

    /** How far (metres, all along) a staged line may lie from a live element and still be that element, replaced. */
    private static final double MATCH_TOLERANCE = 0.5;

    private CadastreCommit() {
    }

    /**
     * What a commit wrote, and the extent (storage CRS) of every element it added, changed or removed, old and new
     * geometries alike: the neighbourhood whose topology the commit may have changed. Null when nothing changed.
     */
    record Result(ImportReport.Committed committed, Envelope changed) {
    }

    /**
     * Runs in the caller's transaction (auto-commit off); the caller commits or rolls back.
     *
     * @param area         for REPLACE, the lon/lat area whose existing elements are replaced; null = all of them
     * @param startedNanos when the commit began, for the duration it reports
     */
    static Result apply(Connection c, StagingTable staging, ImportMode mode, Envelope area, int storageSrid,
                        long startedNanos) throws SQLException {
        String s = staging.name();
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?, 0)")) {
            lock.setInt(1, LOCK_CLASS);
            lock.execute();
        }
        long roadsCreated = update(c, "INSERT INTO road (name) SELECT DISTINCT s.road_name FROM " + s + " s "
                + "WHERE NOT s.rejected AND s.road_name IS NOT NULL "
                + "AND NOT EXISTS (SELECT 1 FROM live_road r WHERE r.name = s.road_name)");
        String staged = "FROM " + s + " s LEFT JOIN (SELECT name, min(id) AS id FROM live_road GROUP BY name) r "
                + "ON r.name = s.road_name WHERE NOT s.rejected";
        // One pass over the staging table: the rejected features are counted (skipped), the others bound the change.
        Reach stagedRows = reach(c, "", "SELECT count(*) FILTER (WHERE rejected), ST_Extent(geom) FILTER (WHERE NOT "
                + "rejected) FROM " + s, null, storageSrid);
        Envelope changed = stagedRows.extent();
        long deleted = 0;
        long updated = 0;
        long unchanged = 0;
        if (mode == ImportMode.REPLACE) {
            // Identities are kept: a live element wholly inside the area that a staged feature continues (the same
            // source key, or the same line within MATCH_TOLERANCE all along) is updated in place; the others there
            // are retired, never deleted (their ids and events stay), with their events and any road left without
            // a live element. Elements reaching out of the area are left whole.
            String inArea = area == null ? "true" : "ST_CoveredBy(e.geom, ST_Transform(ST_MakeEnvelope(?, ?, ?, ?, 4326), ?))";
            update(c, "CREATE TEMP TABLE import_match (feature_number bigint PRIMARY KEY, id bigint NOT NULL UNIQUE) "
                    + "ON COMMIT DROP");
            try (PreparedStatement st = c.prepareStatement("INSERT INTO import_match SELECT DISTINCT ON (id) "
                    + "feature_number, id FROM (SELECT DISTINCT ON (s.feature_number) s.feature_number, e.id, "
                    + "e.source_key IS NOT DISTINCT FROM s.source_key AS by_key FROM " + s + " s JOIN live_road_element e "
                    + "ON (e.source_key = s.source_key OR (ST_DWithin(e.geom, s.geom, " + MATCH_TOLERANCE + ") "
                    + "AND ST_HausdorffDistance(e.geom, s.geom) <= " + MATCH_TOLERANCE + ")) WHERE NOT s.rejected AND "
                    + inArea + " ORDER BY s.feature_number, by_key DESC, e.id) m ORDER BY id, by_key DESC, feature_number")) {
                if (area != null) bindArea(st, area, storageSrid);
                st.executeUpdate();
            }
            String set = ELEMENT_COLUMNS.stream().map(column -> column + " = s." + column).collect(Collectors.joining(", "));
            String compared = ELEMENT_COLUMNS.stream().map(column -> "e." + column).collect(Collectors.joining(", "));
            Reach matched = reach(c, "", "SELECT count(*), ST_Extent(e.geom) FROM import_match m JOIN road_element e "
                    + "ON e.id = m.id", null, storageSrid);
            changed.expandToInclude(matched.extent());
            updated = update(c, "UPDATE live_road_element e SET road_id = r.id, geom = s.geom, " + set + " FROM "
                    + "import_match m, " + staged.substring("FROM ".length()) + " AND m.feature_number = s.feature_number "
                    + "AND e.id = m.id AND (e.road_id, e.geom, " + compared + ") IS DISTINCT FROM (r.id, s.geom, "
                    + STAGED_VALUES + ")");
            unchanged = matched.rows() - updated;
            Reach gone = reach(c, "WITH gone AS (UPDATE live_road_element e SET valid_to = retirement(valid_from, valid_to) "
                    + "WHERE " + inArea + " AND NOT EXISTS (SELECT 1 FROM import_match m WHERE m.id = e.id) "
                    + "RETURNING id, geom, road_id), "
                    + "events AS (UPDATE live_element_event SET valid_to = retirement(valid_from, valid_to) "
                    + "WHERE element_id IN (SELECT id FROM gone)), "
                    + "roads AS (UPDATE live_road r SET valid_to = retirement(valid_from, valid_to) WHERE r.id IN "
                    + "(SELECT road_id FROM gone) AND NOT EXISTS (SELECT 1 FROM live_road_element x WHERE x.road_id = r.id "
                    + "AND x.id NOT IN (SELECT id FROM gone)) AND NOT EXISTS (SELECT 1 FROM " + s + " n WHERE NOT n.rejected "
                    + "AND n.road_name = r.name)) ",
                    "SELECT count(*), ST_Extent(geom) FROM gone", area, storageSrid);
            deleted = gone.rows();
            changed.expandToInclude(gone.extent());
            staged += " AND NOT EXISTS (SELECT 1 FROM import_match m WHERE m.feature_number = s.feature_number)";
        }
        if (mode == ImportMode.UPSERT) {
            String set = ELEMENT_COLUMNS.stream().map(column -> column + " = s." + column).collect(Collectors.joining(", "));
            String compared = ELEMENT_COLUMNS.stream().map(column -> "e." + column).collect(Collectors.joining(", "));
            // Where an updated element was matters as much as where it goes; unchanged ones widen this harmlessly.
            Reach matched = reach(c, "", "SELECT count(*), ST_Extent(e.geom) FROM " + s + " s JOIN live_road_element e "
                    + "ON e.source_key = s.source_key WHERE NOT s.rejected", null, storageSrid);
            changed.expandToInclude(matched.extent());
            updated = update(c, "UPDATE live_road_element e SET road_id = r.id, geom = s.geom, " + set + " " + staged
                    + " AND e.source_key = s.source_key AND (e.road_id, e.geom, " + compared + ") IS DISTINCT FROM (r.id, s.geom, "
                    + STAGED_VALUES + ")");
            unchanged = matched.rows() - updated;
            staged += " AND NOT EXISTS (SELECT 1 FROM live_road_element e WHERE e.source_key = s.source_key)";
        }
        long inserted = update(c, "INSERT INTO road_element (road_id, geom, " + COLUMNS + ") SELECT r.id, s.geom, "
                + STAGED_VALUES + " " + staged + " ORDER BY s.feature_number");
        staging.drop(c);
        return new Result(new ImportReport.Committed(mode.label(), inserted, updated, unchanged, deleted, roadsCreated,
                stagedRows.rows(), (System.nanoTime() - startedNanos) / 1e9), changed.isNull() ? null : changed);
    }

    private static void bindArea(PreparedStatement st, Envelope area, int storageSrid) throws SQLException {
        st.setDouble(1, area.getMinX());
        st.setDouble(2, area.getMinY());
        st.setDouble(3, area.getMaxX());
        st.setDouble(4, area.getMaxY());
        st.setInt(5, storageSrid);
    }

    /** A count of rows and the extent of their geometries (a null envelope when there are none). */
    private record Reach(long rows, Envelope extent) {
    }

    /**
     * Runs {@code countAndExtent}, a query of one row (a count, an ST_Extent), after {@code with}: a data-modifying
     * WITH (a DELETE … RETURNING) may only stand at the top of a statement. {@code area}, when given, is bound first.
     */
    private static Reach reach(Connection c, String with, String countAndExtent, Envelope area, int storageSrid)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement(with + "SELECT n, ST_XMin(b), ST_XMax(b), ST_YMin(b), ST_YMax(b) "
                + "FROM (" + countAndExtent + ") AS q(n, b)")) {
            if (area != null) bindArea(st, area, storageSrid);
            try (var rs = st.executeQuery()) {
                rs.next();
                Envelope extent = rs.getObject(2) == null ? new Envelope()
                        : new Envelope(rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), rs.getDouble(5));
                return new Reach(rs.getLong(1), extent);
            }
        }
    }

    private static long update(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            return st.executeLargeUpdate(sql);
        }
    }
}
