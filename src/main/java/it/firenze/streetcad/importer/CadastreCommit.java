package it.firenze.streetcad.importer;

import it.firenze.streetcad.db.FirstLoad;
import it.firenze.streetcad.db.SerialIds;
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
     * {@code intoAnEmptyCadastre}: a first load ({@link FirstLoad}): road_element held no row before it, so every
     * live element is one it wrote.
     */
    record Result(ImportReport.Committed committed, Envelope changed, boolean intoAnEmptyCadastre) {
    }

    /**
     * Runs in the caller's transaction (auto-commit off); the caller drops the staging table, then commits, or rolls
     * back. (A commit written beside the checks may drop it only once their transaction has let it go.)
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
        // A first load (the cadastre empty) builds road_element's indexes and checks its keys after its rows; begun
        // before the roads are written, while their table is empty too and its key can be set aside (V46).
        FirstLoad load = FirstLoad.begin(c, "road_element");
        // The versions a replace or an upsert replaces (updated, retired or cut), each as the version it was before:
        // the check's rolled-back run of this commit records the same ones, so that the commit can tell whether an
        // edit reached any of them since (its row would then be replaced at another version, and the edit lost). An
        // append replaces nothing.
        if (mode != ImportMode.APPEND) {
            update(c, "CREATE TEMP TABLE import_replaced (id bigint NOT NULL, version int NOT NULL) ON COMMIT DROP");
        }
        long roadsCreated = update(c, "INSERT INTO road (name) SELECT DISTINCT s.road_name FROM " + s + " s "
                + "WHERE NOT s.rejected AND s.road_name IS NOT NULL "
                + "AND NOT EXISTS (SELECT 1 FROM live_road r WHERE r.name = s.road_name)");
        String staged = "FROM " + s + " s LEFT JOIN (SELECT name, min(id) AS id FROM live_road GROUP BY name) r "
                + "ON r.name = s.road_name WHERE NOT s.rejected";
        // One pass over the staging table: the rejected features are counted (skipped), the others bound the change.
        Reach stagedRows = reach(c, "", "SELECT count(*) FILTER (WHERE rejected), ST_Extent(geom) FILTER (WHERE NOT "
                + "rejected), 0 FROM " + s, storageSrid);
        Envelope changed = stagedRows.extent();
        // Which element each feature becomes, for the follow-up to record the checks' findings on: only when the
        // commit writes every feature that was checked (none left out as invalid).
        boolean mapped = stagedRows.rows() == 0 && staging.keepElements(c);
        String elements = staging.findings().elements();
        long deleted = 0;
        long updated = 0;
        long unchanged = 0;
        long cutElements = 0;
        long roadsRetired = 0;
        if (mode == ImportMode.REPLACE) {
            // Identities are kept: a live element inside the area that a staged feature continues (the same source
            // key, or the same line within MATCH_TOLERANCE all along) is updated in place; the others there are
            // retired, never deleted (their ids and events stay), with their events and any road left without a
            // live element. An element crossing the area's edge is cut there: its stretch outside lives on.
            String inArea = "true";
            if (area != null) {
                Reach cut = cutAtEdge(c, area, storageSrid);
                if (mapped) update(c, "INSERT INTO " + elements + " SELECT NULL, element_id FROM import_cut");
                cutElements = cut.rows();
                changed.expandToInclude(cut.extent());
                inArea = "e.id IN (SELECT id FROM import_reach WHERE inside)";
            }
            update(c, "CREATE TEMP TABLE import_match (feature_number bigint PRIMARY KEY, id bigint NOT NULL UNIQUE) "
                    + "ON COMMIT DROP");
            update(c, "INSERT INTO import_match SELECT DISTINCT ON (id) "
                    + "feature_number, id FROM (SELECT DISTINCT ON (s.feature_number) s.feature_number, e.id, "
                    + "e.source_key IS NOT DISTINCT FROM s.source_key AS by_key FROM " + s + " s JOIN live_road_element e "
                    + "ON (e.source_key = s.source_key OR (ST_DWithin(e.geom, s.geom, " + MATCH_TOLERANCE + ") "
                    + "AND ST_HausdorffDistance(e.geom, s.geom) <= " + MATCH_TOLERANCE + ")) WHERE NOT s.rejected AND "
                    + inArea + " ORDER BY s.feature_number, by_key DESC, e.id) m ORDER BY id, by_key DESC, feature_number");
            if (mapped) update(c, "INSERT INTO " + elements + " SELECT feature_number, id FROM import_match");
            String set = ELEMENT_COLUMNS.stream().map(column -> column + " = s." + column).collect(Collectors.joining(", "));
            String compared = ELEMENT_COLUMNS.stream().map(column -> "e." + column).collect(Collectors.joining(", "));
            Reach matched = reach(c, "", "SELECT count(*), ST_Extent(e.geom), 0 FROM import_match m JOIN road_element e "
                    + "ON e.id = m.id", storageSrid);
            changed.expandToInclude(matched.extent());
            updated = update(c, replacing("UPDATE live_road_element e SET road_id = r.id, geom = s.geom, " + set + " FROM "
                    + "import_match m, " + staged.substring("FROM ".length()) + " AND m.feature_number = s.feature_number "
                    + "AND e.id = m.id AND (e.road_id, e.geom, " + compared + ") IS DISTINCT FROM (r.id, s.geom, "
                    + STAGED_VALUES + ")"));
            unchanged = matched.rows() - updated;
            Reach gone = reach(c, "WITH gone AS (UPDATE live_road_element e SET valid_to = retirement(valid_from, valid_to) "
                    + "WHERE " + inArea + " AND NOT EXISTS (SELECT 1 FROM import_match m WHERE m.id = e.id) "
                    + "RETURNING id, geom, road_id, version), "
                    + "replaced AS (" + keepReplaced("gone") + "), "
                    + "events AS (UPDATE live_element_event SET valid_to = retirement(valid_from, valid_to) "
                    + "WHERE element_id IN (SELECT id FROM gone)), "
                    + "roads AS (UPDATE live_road r SET valid_to = retirement(valid_from, valid_to) WHERE r.id IN "
                    + "(SELECT road_id FROM gone) AND NOT EXISTS (SELECT 1 FROM live_road_element x WHERE x.road_id = r.id "
                    + "AND x.id NOT IN (SELECT id FROM gone)) AND NOT EXISTS (SELECT 1 FROM " + s + " n WHERE NOT n.rejected "
                    + "AND n.road_name = r.name) RETURNING r.id) "
                    + (mapped ? ", touched AS (INSERT INTO " + elements + " SELECT NULL, id FROM gone) " : ""),
                    "SELECT count(*), ST_Extent(geom), (SELECT count(*) FROM roads) FROM gone", storageSrid);
            deleted = gone.rows();
            roadsRetired = gone.more();
            changed.expandToInclude(gone.extent());
            staged += " AND NOT EXISTS (SELECT 1 FROM import_match m WHERE m.feature_number = s.feature_number)";
        }
        if (mode == ImportMode.UPSERT) {
            String set = ELEMENT_COLUMNS.stream().map(column -> column + " = s." + column).collect(Collectors.joining(", "));
            String compared = ELEMENT_COLUMNS.stream().map(column -> "e." + column).collect(Collectors.joining(", "));
            // Where an updated element was matters as much as where it goes; unchanged ones widen this harmlessly.
            Reach matched = reach(c, "", "SELECT count(*), ST_Extent(e.geom), 0 FROM " + s + " s JOIN live_road_element e "
                    + "ON e.source_key = s.source_key WHERE NOT s.rejected", storageSrid);
            changed.expandToInclude(matched.extent());
            if (mapped) update(c, "INSERT INTO " + elements + " SELECT s.feature_number, e.id FROM " + s + " s "
                    + "JOIN live_road_element e ON e.source_key = s.source_key WHERE NOT s.rejected");
            updated = update(c, replacing("UPDATE live_road_element e SET road_id = r.id, geom = s.geom, " + set + " "
                    + staged + " AND e.source_key = s.source_key AND (e.road_id, e.geom, " + compared + ") IS DISTINCT FROM "
                    + "(r.id, s.geom, " + STAGED_VALUES + ")"));
            unchanged = matched.rows() - updated;
            staged += " AND NOT EXISTS (SELECT 1 FROM live_road_element e WHERE e.source_key = s.source_key)";
        }
        String insert = mapped
                // The ids drawn first (in feature order), so that each feature's element is known
                ? "WITH numbered AS (SELECT " + SerialIds.next("road_element") + " AS id, q.* FROM "
                        + "(SELECT s.feature_number, r.id AS road_ref, s.geom, " + STAGED_VALUES + " " + staged
                        + " ORDER BY s.feature_number) q), added AS (INSERT INTO road_element (id, road_id, geom, " + COLUMNS
                        + ") SELECT id, road_ref, geom, " + COLUMNS + " FROM numbered) INSERT INTO " + elements
                        + " SELECT feature_number, id FROM numbered"
                : "INSERT INTO road_element (road_id, geom, " + COLUMNS + ") SELECT r.id, s.geom, " + STAGED_VALUES + " "
                        + staged + " ORDER BY s.feature_number";
        long inserted = update(c, insert);
        // the indexes back before the statements that follow read them
        load.finish();
        return new Result(new ImportReport.Committed(mode.label(), inserted, updated, unchanged, deleted, cutElements,
                roadsCreated, roadsRetired, stagedRows.rows(), mode == ImportMode.APPEND ? null : replacedVersions(c),
                (System.nanoTime() - startedNanos) / 1e9),
                changed.isNull() ? null : changed, load.first());
    }

    private static void bindArea(PreparedStatement st, Envelope area, int storageSrid) throws SQLException {
        st.setDouble(1, area.getMinX());
        st.setDouble(2, area.getMinY());
        st.setDouble(3, area.getMaxX());
        st.setDouble(4, area.getMaxY());
        st.setInt(5, storageSrid);
    }

    /** A count of rows, the extent of their geometries (a null envelope when there are none), and a second count. */
    private record Reach(long rows, Envelope extent, long more) {
    }

    /**
     * Runs {@code query}, of one row (a count, an ST_Extent, a second count), after {@code with}: a data-modifying
     * WITH (an UPDATE … RETURNING) may only stand at the top of a statement.
     */
    private static Reach reach(Connection c, String with, String query, int storageSrid) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(with + "SELECT n, ST_XMin(b), ST_XMax(b), ST_YMin(b), ST_YMax(b), m "
                + "FROM (" + query + ") AS q(n, b, m)");
             var rs = st.executeQuery()) {
            rs.next();
            Envelope extent = rs.getObject(2) == null ? new Envelope()
                    : new Envelope(rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), rs.getDouble(5));
            return new Reach(rs.getLong(1), extent, rs.getLong(6));
        }
    }

    /** The shortest stretch (metres) a cut leaves as an element of its own; shorter ones go with the area. */
    private static final double MIN_PIECE = 0.01;

    /**
     * Sorts the live elements that have a stretch inside the area into {@code import_reach}: inside (all of it, but
     * for less than {@link #MIN_PIECE}), or crossing its edge. A crossing element is cut at the edge and keeps its
     * stretches outside: the first (along the line) keeps its id, each further one becomes an element of its own
     * whose {@code split_from} names it. A piece keeps the junction of an original end it reaches; at the edge it has
     * none until the network is built. Events that have not ended follow the stretch they lie on, measured from its
     * start (one across a gap in the area is cut in two, one wholly inside is retired), as a split carries them.
     *
     * @return the elements cut, and the extent of what they were
     */
    private static Reach cutAtEdge(Connection c, Envelope area, int storageSrid) throws SQLException {
        update(c, "CREATE TEMP TABLE import_reach (id bigint PRIMARY KEY, inside boolean NOT NULL, outside geometry) "
                + "ON COMMIT DROP");
        try (PreparedStatement st = c.prepareStatement("INSERT INTO import_reach SELECT id, ST_Length(outside) < "
                + MIN_PIECE + ", outside FROM (SELECT e.id, ST_Difference(e.geom, a.g) AS outside FROM live_road_element e, "
                + "(SELECT ST_Transform(ST_MakeEnvelope(?, ?, ?, ?, 4326), ?) AS g) a "
                + "WHERE e.geom && a.g AND ST_Relate(e.geom, a.g, '1********')) q")) {
            bindArea(st, area, storageSrid);
            st.executeUpdate();
        }
        update(c, "CREATE TEMP TABLE import_cut ON COMMIT DROP AS SELECT id, row_number() OVER (PARTITION BY id "
                + "ORDER BY a_m) AS piece, geom, a_m, b_m, length_m, NULL::bigint AS element_id FROM (SELECT r.id, p.geom, "
                + "ST_LineLocatePoint(e.geom, ST_StartPoint(p.geom)) * e.length_m AS a_m, "
                + "ST_LineLocatePoint(e.geom, ST_EndPoint(p.geom)) * e.length_m AS b_m, e.length_m "
                + "FROM import_reach r JOIN road_element e ON e.id = r.id, LATERAL ST_Dump(ST_LineMerge(r.outside, true)) p "
                + "WHERE NOT r.inside AND ST_Length(p.geom) >= " + MIN_PIECE + ") q");
        update(c, "UPDATE import_cut SET element_id = id WHERE piece = 1");
        update(c, "WITH pieces AS (INSERT INTO road_element (road_id, geom, from_junction, to_junction, split_from, "
                + "valid_from, valid_to, " + COLUMNS + ") SELECT e.road_id, k.geom, " + PIECE_FROM_JUNCTION + ", " + PIECE_TO_JUNCTION
                + ", e.id, e.valid_from, e.valid_to, " + ELEMENT_COLUMNS.stream().map(column -> "e." + column)
                .collect(Collectors.joining(", ")) + " FROM import_cut k JOIN road_element e ON e.id = k.id "
                + "WHERE k.piece > 1 RETURNING id, split_from, geom) "
                + "UPDATE import_cut k SET element_id = p.id FROM pieces p WHERE k.id = p.split_from AND k.geom = p.geom");
        // Each event not yet ended, on every piece it overlaps (a point event on the piece it lies on).
        update(c, "CREATE TEMP TABLE import_cut_event ON COMMIT DROP AS SELECT v.id, k.element_id, "
                + "greatest(v.from_m, k.a_m) - k.a_m AS from_m, least(v.to_m, k.b_m) - k.a_m AS to_m, "
                + "row_number() OVER (PARTITION BY v.id ORDER BY k.piece) AS nth FROM element_event v JOIN import_cut k "
                + "ON k.id = v.element_id WHERE " + NOT_ENDED + " AND v.from_m <= k.b_m AND v.to_m >= k.a_m "
                + "AND (v.from_m < k.b_m AND v.to_m > k.a_m OR v.from_m = v.to_m)");
        update(c, "UPDATE element_event v SET valid_to = retirement(valid_from, valid_to) WHERE " + NOT_ENDED
                + " AND v.element_id IN (SELECT id FROM import_cut) AND v.id NOT IN (SELECT id FROM import_cut_event)");
        update(c, "INSERT INTO element_event (element_id, from_m, to_m, direction, kind, attributes, valid_from, valid_to) "
                + "SELECT x.element_id, x.from_m, x.to_m, v.direction, v.kind, v.attributes, v.valid_from, v.valid_to "
                + "FROM import_cut_event x JOIN element_event v ON v.id = x.id WHERE x.nth > 1");
        update(c, "UPDATE element_event v SET element_id = x.element_id, from_m = x.from_m, to_m = x.to_m "
                + "FROM import_cut_event x WHERE x.id = v.id AND x.nth = 1 "
                + "AND (v.element_id, v.from_m, v.to_m) IS DISTINCT FROM (x.element_id, x.from_m, x.to_m)");
        return reach(c, "WITH cut AS (UPDATE road_element e SET geom = k.geom, from_junction = " + PIECE_FROM_JUNCTION
                        + ", to_junction = " + PIECE_TO_JUNCTION + " FROM import_cut k WHERE k.id = e.id AND k.piece = 1 "
                        + "RETURNING e.id, e.version), "
                        + "replaced AS (" + keepReplaced("cut") + ") ",
                "SELECT count(*), (SELECT ST_Extent(e.geom) FROM road_element e JOIN import_reach r ON r.id = e.id "
                        + "WHERE NOT r.inside), 0 FROM cut", storageSrid);
    }

    /** An event that has not ended: live now, or planned (the rows the measure triggers check). */
    private static final String NOT_ENDED = "live_at(v.valid_from, v.valid_to, greatest(now(), v.valid_from))";

    /** A piece {@code k} of element {@code e} keeps the junction of an original end it reaches. */
    private static final String PIECE_FROM_JUNCTION = "CASE WHEN k.a_m <= " + MIN_PIECE + " THEN e.from_junction END";
    private static final String PIECE_TO_JUNCTION = "CASE WHEN k.b_m >= k.length_m - " + MIN_PIECE + " THEN e.to_junction END";

    /**
     * {@code update}, an UPDATE of road elements aliased {@code e}, with the versions it replaces kept in
     * {@code import_replaced}: its count is the UPDATE's.
     */
    private static String replacing(String update) {
        return "WITH u AS (" + update + " RETURNING e.id, e.version) " + keepReplaced("u");
    }

    /**
     * Keeps the rows of {@code updated} (an UPDATE … RETURNING id, version of road elements) in
     * {@code import_replaced}, each at the version it had before: the version trigger has counted it up by one.
     */
    private static String keepReplaced(String updated) {
        return "INSERT INTO import_replaced SELECT id, version - 1 FROM " + updated;
    }

    /** A digest of the element versions this commit replaced (id and version, in order); null when it replaced none. */
    private static String replacedVersions(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); var rs = st.executeQuery("SELECT md5(string_agg(id || '.' || version, "
                + "',' ORDER BY id, version)) FROM import_replaced")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long update(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            return st.executeLargeUpdate(sql);
        }
    }
}
