package it.firenze.streetcad.viability;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.testing.TestPostgis;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Given a database from before V41 with draft measures of an expired ordinance, of a revoked one and of one in
 * force, when it is migrated, then the drafts of the ended ordinances are revoked, never having held (an empty
 * validity), with the migration named as their author, and the draft of the ordinance in force stays a draft.
 */
class DraftsOfEndedOrdinancesMigrationTest {

    static Flyway flyway(DatabaseUrl url, String target) {
        return Flyway.configure().dataSource(url.jdbcUrl(), url.user(), url.password()).locations("classpath:db/migration")
                .placeholders(Map.of("storage_srid", Integer.toString(DatabaseSettings.DEFAULT_STORAGE_SRID)))
                .target(target).load();
    }

    @Test
    void theDraftsOfOrdinancesEndedBeforeItAreRevoked() throws Exception {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        flyway(url, "40").migrate();
        try (Database db = Database.connect(url, DatabaseSettings.DEFAULT_STORAGE_SRID, 2)) {
            for (String[] o : new String[][]{{"1", "expired"}, {"2", "revoked"}, {"3", "in_force"}}) {
                TestPostgis.execute(db, "INSERT INTO ordinance (id, number, year, office, reason, status) VALUES (" + o[0]
                        + ", " + o[0] + ", 2026, 'Mobilità', 'lavori', '" + o[1] + "')");
                TestPostgis.execute(db, "INSERT INTO measure (id, kind, status, ordinance_id, valid_from, valid_to, location) "
                        + "VALUES (" + o[0] + ", 'closure', 'draft', " + o[0] + ", '2026-12-01', '2026-12-31', '{}')");
            }
            flyway(url, "latest").migrate();
            assertEquals("revoked", TestPostgis.single(db, "SELECT status FROM measure WHERE id = 1"));
            assertEquals("revoked", TestPostgis.single(db, "SELECT status FROM measure WHERE id = 2"));
            assertEquals("draft", TestPostgis.single(db, "SELECT status FROM measure WHERE id = 3"));
            assertEquals(Boolean.TRUE, TestPostgis.single(db, "SELECT valid_to = valid_from FROM measure WHERE id = 1"),
                    "a draft revoked never held");
            assertEquals("migration V41", TestPostgis.single(db, "SELECT changed_by FROM measure WHERE id = 1"));
            assertEquals(2L, TestPostgis.single(db, "SELECT count(*) FROM measure_history WHERE id IN (1, 2) "
                    + "AND status = 'draft'"), "their drafts are kept in the history");
        }
    }
}
