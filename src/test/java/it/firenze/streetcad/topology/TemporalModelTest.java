package it.firenze.streetcad.topology;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The temporal model (V7__temporal.sql): valid time is set by people and never rewritten by an update, recorded
 * time is kept in history by the server, "live" has one definition and nothing is cascade-deleted. Each of the
 * regressions issue 13 lists has its test here.
 */
class TemporalModelTest {

    Database db;
    Cadastre cadastre;

    @BeforeEach
    void open() {
        db = TestPostgis.newCadastre();
        cadastre = new Cadastre(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aClosurePlannedFor2030KeepsItsValidFromWhenItsMeasuresMove() throws SQLException {
        long element = cadastre.element("main", "LINESTRING(0 0, 100 0)");
        long closure = event(element, "'2030-03-01T00:00:00Z'", "'2030-03-08T00:00:00Z'");

        cadastre.execute("UPDATE element_event SET from_m = 20, to_m = 60 WHERE id = " + closure);

        assertEquals(List.of("2030-03-01 00:00:00+00|2030-03-08 00:00:00+00|2"), cadastre.strings(
                "SELECT valid_from AT TIME ZONE 'UTC' || '+00|' || valid_to AT TIME ZONE 'UTC' || '+00|' || version "
                        + "FROM element_event WHERE id = " + closure));
        assertEquals(List.of("2030-03-01 00:00:00|UPDATE|10.0"), cadastre.strings(
                "SELECT valid_from AT TIME ZONE 'UTC' || '|' || operation || '|' || from_m::numeric(4,1) "
                        + "FROM element_event_history WHERE id = " + closure));
    }

    @Test
    void anEventThatExpiredIn2024CanStillBeCorrected() throws SQLException {
        long element = cadastre.element("main", "LINESTRING(0 0, 100 0)");
        long works = event(element, "'2024-01-01T00:00:00Z'", "'2024-06-30T00:00:00Z'");

        assertDoesNotThrow(() -> cadastre.execute(
                "UPDATE element_event SET attributes = '{\"permit\": \"2024/77\"}' WHERE id = " + works));
        assertEquals(List.of("2024/77|2024-06-30 00:00:00"), cadastre.strings("SELECT attributes->>'permit' || '|' || "
                + "valid_to AT TIME ZONE 'UTC' FROM element_event WHERE id = " + works));
    }

    @Test
    void aBuildThatSplitsAnElementUnderAnExpiredEventDoesNotAbort() throws Exception {
        long main = cadastre.element("main", "LINESTRING(0 0, 200 0)");
        cadastre.element("cross", "LINESTRING(100 -50, 100 50)");
        long expired = event(main, "'2024-01-01T00:00:00Z'", "'2024-06-30T00:00:00Z'", 80, 150);

        assertDoesNotThrow(() -> new NetworkBuild(db).apply(null, NetworkBuilder.DEFAULT_TOLERANCE, Actor.system("test")));

        // The event keeps its id and valid time on the first piece, clipped to it; the piece beyond the crossing
        // (lineage: split_from) carries the rest, measured from its own start.
        assertEquals(List.of("80.0|100.0|2024-06-30 00:00:00"), cadastre.strings("SELECT from_m::numeric(4,1) || '|' || "
                + "to_m::numeric(4,1) || '|' || valid_to AT TIME ZONE 'UTC' FROM element_event WHERE id = " + expired));
        assertEquals(List.of("0.0|50.0|2024-06-30 00:00:00"), cadastre.strings(
                "SELECT v.from_m::numeric(4,1) || '|' || v.to_m::numeric(4,1) || '|' || v.valid_to AT TIME ZONE 'UTC' "
                        + "FROM element_event v JOIN road_element e ON e.id = v.element_id WHERE e.split_from = " + main));
    }

    @Test
    void aFixThatMovesAnExpiredEventDoesNotAbort() throws Exception {
        long west = cadastre.element("west", "LINESTRING(0 0, 100 0)");
        long east = cadastre.element("east", "LINESTRING(100 0, 200 0)");
        long expired = event(east, "'2024-01-01T00:00:00Z'", "'2024-06-30T00:00:00Z'", 10, 90);
        new NetworkBuild(db).apply(null, NetworkBuilder.DEFAULT_TOLERANCE, Actor.system("test"));

        assertDoesNotThrow(() -> new TopologyFixes(db).apply(TopologyFixes.Fix.MERGE_PSEUDO_NODES, null,
                NetworkBuilder.DEFAULT_TOLERANCE, Actor.system("test")));

        assertEquals(List.of(west + "|110.0|190.0|2024-06-30 00:00:00"), cadastre.strings("SELECT element_id || '|' || "
                + "from_m::numeric(4,1) || '|' || to_m::numeric(4,1) || '|' || valid_to AT TIME ZONE 'UTC' "
                + "FROM element_event WHERE id = " + expired));
        assertEquals(List.of(String.valueOf(west)), cadastre.strings("SELECT merged_into FROM road_element WHERE id = " + east));
        assertEquals(0, cadastre.count("SELECT count(*) FROM live_road_element WHERE id = " + east));
    }

    @Test
    void liveMeansValidNowOnly() throws SQLException {
        long live = cadastre.element("live", "LINESTRING(0 0, 100 0)");
        long planned = cadastre.element("planned", "LINESTRING(0 10, 100 10)");
        long ended = cadastre.element("ended", "LINESTRING(0 20, 100 20)");
        cadastre.execute("UPDATE road_element SET valid_from = '2030-01-01' WHERE id = " + planned);
        cadastre.execute("UPDATE road_element SET valid_from = '2019-01-01', valid_to = '2021-01-01' WHERE id = " + ended);

        assertEquals(List.of(live), cadastre.longs("SELECT id FROM live_road_element"));
        assertEquals(List.of(live, ended), cadastre.longs("SELECT id FROM road_element "
                + "WHERE live_at(valid_from, valid_to, '2020-06-01') OR live_at(valid_from, valid_to, now()) ORDER BY id"));
    }

    @Test
    void anElementWithEventsCannotBeDeletedButIsRetiredWithThem() throws SQLException {
        long element = cadastre.element("main", "LINESTRING(0 0, 100 0)");
        long works = event(element, "now()", "NULL");

        assertThrows(SQLException.class, () -> cadastre.execute("DELETE FROM road_element WHERE id = " + element));
        assertEquals(1, cadastre.count("SELECT count(*) FROM element_event WHERE id = " + works));

        cadastre.execute("UPDATE road_element SET valid_to = retirement(valid_from, valid_to) WHERE id = " + element);
        assertEquals(0, cadastre.count("SELECT count(*) FROM live_road_element WHERE id = " + element));
        assertEquals(1, cadastre.count("SELECT count(*) FROM road_element WHERE id = " + element));
    }

    @Test
    void retiringAPlannedRowLeavesItAnEmptyValidity() throws SQLException {
        long element = cadastre.element("planned", "LINESTRING(0 0, 100 0)");
        cadastre.execute("UPDATE road_element SET valid_from = '2030-01-01' WHERE id = " + element);
        cadastre.execute("UPDATE road_element SET valid_to = retirement(valid_from, valid_to) WHERE id = " + element);
        assertEquals(1, cadastre.count("SELECT count(*) FROM road_element WHERE valid_to = valid_from AND id = " + element));
    }

    @Test
    void historyRecordsWhenAndByWhomEachVersionWasCurrent() throws SQLException {
        long element = cadastre.element("main", "LINESTRING(0 0, 100 0)");
        cadastre.execute("BEGIN; SELECT set_config('streetcad.actor', 'account:anna', true), "
                + "set_config('streetcad.reason', 'survey 2026', true); "
                + "UPDATE road_element SET speed_limit = 30 WHERE id = " + element + "; COMMIT");

        assertEquals(List.of("account:anna|survey 2026|2"), cadastre.strings("SELECT changed_by || '|' || change_reason "
                + "|| '|' || version FROM road_element WHERE id = " + element));
        assertEquals(List.of("1|true|true"), cadastre.strings("SELECT h.version || '|' || (h.changed_by LIKE 'db:%') || '|' "
                + "|| (h.recorded_to = e.recorded_from) FROM road_element_history h JOIN road_element e ON e.id = h.id "
                + "WHERE h.id = " + element));
        assertEquals(List.of("null"), cadastre.strings("SELECT coalesce(speed_limit::text, 'null') FROM "
                + "road_element_as_of((SELECT recorded_to - interval '1 microsecond' FROM road_element_history "
                + "WHERE id = " + element + ")) WHERE id = " + element));
    }

    @Test
    void aRowInsertedWithoutStampsIsRecordedAsItsWritersAtTheTransactionsStart() throws SQLException {
        // given a writer bound as anna of the road office, through the map, for a survey
        cadastre.execute("BEGIN; " + binding("account:anna", "road-office", "map", "survey 2026")
                // when it inserts a road and an element naming no stamp
                + "INSERT INTO road (name) VALUES ('Via Nuova'); "
                + "INSERT INTO road_element (road_id, geom) SELECT id, ST_SetSRID('LINESTRING(0 0, 100 0)'::geometry, 6707) "
                + "FROM road WHERE name = 'Via Nuova'; COMMIT");

        // then both carry the writer, the organisation, the channel and the reason, and one recorded instant
        String rows = "(SELECT changed_by, changed_by_org, changed_via, change_reason, recorded_from FROM road "
                + "WHERE name = 'Via Nuova' UNION ALL SELECT e.changed_by, e.changed_by_org, e.changed_via, e.change_reason, "
                + "e.recorded_from FROM road_element e JOIN road r ON r.id = e.road_id WHERE r.name = 'Via Nuova') AS written";
        assertEquals(List.of("account:anna|road-office|map|survey 2026"), cadastre.strings("SELECT DISTINCT "
                + "concat_ws('|', changed_by, changed_by_org, changed_via, change_reason) FROM " + rows));
        assertEquals(1, cadastre.count("SELECT count(DISTINCT recorded_from) FROM " + rows));
    }

    @Test
    void aRowInsertedWithAnotherAuthorOrRecordedTimeIsStampedAsItsWritersAllTheSame() throws SQLException {
        // given a writer bound as anna, with no organisation, channel or reason
        cadastre.execute("BEGIN; " + binding("account:anna", "", "", "")
                // when it inserts rows that name another author, another recorded time, or a channel of their own
                + "INSERT INTO road (name, changed_by) VALUES ('Via Bob', 'account:bob'); "
                + "INSERT INTO road (name, recorded_from) VALUES ('Via 2001', '2001-01-01'); "
                + "INSERT INTO road (name, changed_via, change_reason) VALUES ('Via Psql', 'psql', 'because'); COMMIT");

        // then each is stamped as anna's, at her transaction's instant, with no channel or reason
        assertEquals(List.of("Via 2001|account:anna||||true", "Via Bob|account:anna||||true", "Via Psql|account:anna||||true"),
                cadastre.strings("SELECT concat_ws('|', name, changed_by, coalesce(changed_by_org, ''), "
                        + "coalesce(changed_via, ''), coalesce(change_reason, '')) || '|' "
                        + "|| (recorded_from > '2026-01-01') FROM road WHERE name LIKE 'Via %' ORDER BY name"));
        // and without an author bound, the database user is the author
        cadastre.execute("INSERT INTO road (name, changed_by) VALUES ('Via Anonima', 'account:bob')");
        assertEquals(List.of("true"), cadastre.strings("SELECT (changed_by = 'db:' || session_user)::text FROM road "
                + "WHERE name = 'Via Anonima'"));
    }

    private static String binding(String actor, String organisation, String via, String reason) {
        return "SELECT set_config('streetcad.actor', '" + actor + "', true), set_config('streetcad.organisation', '"
                + organisation + "', true), set_config('streetcad.via', '" + via + "', true), "
                + "set_config('streetcad.reason', '" + reason + "', true); ";
    }

    /**
     * The fault sweep's case: an edit without If-Match whose transaction began before an import's, and that then
     * waited for the import's lock on the element. Recorded time was each transaction's start, so the import's
     * version ended before it began and the edit's began before the import's.
     */
    @Test
    void aWriteThatWaitedForAnotherTransactionsRowRecordsItsVersionAfterThatOne() throws Exception {
        long element = cadastre.element("main", "LINESTRING(0 0, 100 0)");
        try (Connection edit = db.connection(); Connection load = db.connection();
             var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            edit.setAutoCommit(false);
            load.setAutoCommit(false);
            // Given an edit's transaction that began first
            long editPid = first(edit, "SELECT pg_backend_pid()");
            Thread.sleep(5);
            // and an import's transaction that began later and wrote the element, holding its lock
            first(load, "UPDATE road_element SET lanes = 2 WHERE id = " + element + " RETURNING version");
            // when the edit writes the element too, waits for the import's lock, and the import commits
            Future<Long> edited = executor.submit(() -> {
                long version = first(edit, "UPDATE road_element SET lanes = 3 WHERE id = " + element + " RETURNING version");
                edit.commit();
                return version;
            });
            while (cadastre.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid = "
                    + editPid) == 0) {
                Thread.sleep(10);
            }
            load.commit();
            assertEquals(3, edited.get());
        }

        // then each version ends where the next begins, after its own start
        assertEquals(List.of("1|true|true", "2|true|true"), cadastre.strings("SELECT h.version || '|' "
                + "|| (h.recorded_to > h.recorded_from) || '|' || (h.recorded_to = coalesce(n.recorded_from, e.recorded_from)) "
                + "FROM road_element_history h JOIN road_element e ON e.id = h.id "
                + "LEFT JOIN road_element_history n ON n.id = h.id AND n.version = h.version + 1 "
                + "WHERE h.id = " + element + " ORDER BY h.version"));
        // and as of an instant while the import's version was current, it is what the cadastre recorded
        assertEquals(List.of("2"), cadastre.strings("SELECT lanes FROM road_element_as_of((SELECT recorded_from "
                + "FROM road_element_history WHERE version = 2 AND id = " + element + ")) WHERE id = " + element));
    }

    private static long first(Connection c, String sql) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long event(long element, String validFrom, String validTo) throws SQLException {
        return event(element, validFrom, validTo, 10, 30);
    }

    private long event(long element, String validFrom, String validTo, double from, double to) throws SQLException {
        return cadastre.longs("INSERT INTO element_event (element_id, from_m, to_m, kind, valid_from, valid_to) VALUES ("
                + element + ", " + from + ", " + to + ", 'closure', " + validFrom + ", " + validTo + ") RETURNING id")
                .getFirst();
    }
}
