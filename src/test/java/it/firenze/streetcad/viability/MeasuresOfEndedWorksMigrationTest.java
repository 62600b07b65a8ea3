package it.firenze.streetcad.viability;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.Test;

import static it.firenze.streetcad.viability.DraftsOfEndedOrdinancesMigrationTest.flyway;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Given a database at V41 with a works site completed while its closure was in force since yesterday for a week,
 * with a draft and an expired measure beside it, a works site cancelled before a closure was put in force for it, and
 * a works site still approved with its closure, when it is migrated, then the completed site's closure has expired at
 * its completion (not at the migration), its draft is revoked never having held, the cancelled site's closure is
 * revoked from its cancellation, with the migration named as their author, and the rest is as it was.
 */
class MeasuresOfEndedWorksMigrationTest {

    @Test
    void theMeasuresOfWorksSitesEndedBeforeItEndWithThem() throws Exception {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        flyway(url, "41").migrate();
        try (Database db = Database.connect(url, DatabaseSettings.DEFAULT_STORAGE_SRID, 2)) {
            for (String[] w : new String[][]{{"1", "approved"}, {"2", "approved"}, {"3", "cancelled"}}) {
                TestPostgis.execute(db, "INSERT INTO works (id, organisation, permit, status) VALUES (" + w[0]
                        + ", 'Publiacqua', 'P-" + w[0] + "', '" + w[1] + "')");
            }
            String week = "now() - interval '1 day', now() + interval '6 days'";
            for (String[] m : new String[][]{{"1", "1", "in_force"}, {"2", "1", "draft"}, {"3", "1", "in_force"},
                    {"4", "2", "in_force"}, {"5", "3", "in_force"}}) {
                TestPostgis.execute(db, "INSERT INTO measure (id, kind, status, works_id, valid_from, valid_to, location) "
                        + "VALUES (" + m[0] + ", 'closure', '" + m[2] + "', " + m[1] + ", " + week + ", '{}')");
            }
            TestPostgis.execute(db, "UPDATE measure SET status = 'expired' WHERE id = 3");
            Object expiredEnd = TestPostgis.single(db, "SELECT valid_to FROM measure WHERE id = 3");
            TestPostgis.execute(db, "UPDATE works SET status = 'completed' WHERE id = 1");

            flyway(url, "latest").migrate();

            assertEquals("expired", TestPostgis.single(db, "SELECT status FROM measure WHERE id = 1"));
            assertEquals(Boolean.TRUE, TestPostgis.single(db, "SELECT m.valid_to = w.recorded_from FROM measure m "
                    + "JOIN works w ON w.id = m.works_id WHERE m.id = 1"), "it bound until the works were completed");
            assertEquals("revoked", TestPostgis.single(db, "SELECT status FROM measure WHERE id = 2"));
            assertEquals(Boolean.TRUE, TestPostgis.single(db, "SELECT isempty(validity) FROM measure WHERE id = 2"),
                    "a draft revoked never held");
            assertEquals("expired", TestPostgis.single(db, "SELECT status FROM measure WHERE id = 3"));
            assertEquals(expiredEnd, TestPostgis.single(db, "SELECT valid_to FROM measure WHERE id = 3"),
                    "an expired measure keeps its end");
            assertEquals("in_force", TestPostgis.single(db, "SELECT status FROM measure WHERE id = 4"),
                    "the measure of works still approved stays in force");
            assertEquals("revoked", TestPostgis.single(db, "SELECT status FROM measure WHERE id = 5"));
            assertEquals(Boolean.TRUE, TestPostgis.single(db, "SELECT m.valid_to = w.recorded_from FROM measure m "
                    + "JOIN works w ON w.id = m.works_id WHERE m.id = 5"), "it ends at the works' cancellation");
            assertEquals("migration V43", TestPostgis.single(db, "SELECT changed_by FROM measure WHERE id = 1"));
            assertEquals(1L, TestPostgis.single(db, "SELECT count(*) FROM measure_history WHERE id = 1 "
                    + "AND status = 'in_force' AND valid_to > now() + interval '5 days'"), "the stated end is kept");
        }
    }
}
