package it.firenze.streetcad.db;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Given an empty database, when StreetCad migrates it (the first start of `./streetcad serve`), then nothing is
 * logged as a warning: PostgreSQL's notices that a migration's {@code IF NOT EXISTS} skipped a column are not
 * something a user can act on, and sixteen of them on a first start read as if it had gone wrong.
 */
class MigrationOutputTest {

    @Test
    void aFirstMigrationWarnsOfNothing() {
        Logger flyway = (Logger) LoggerFactory.getLogger("org.flywaydb");
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        flyway.addAppender(seen);
        try (Database db = Database.connect(TestPostgis.newDatabaseUrl(), DatabaseSettings.DEFAULT_STORAGE_SRID, 2)) {
            db.migrate();
        } finally {
            flyway.detachAppender(seen);
        }
        List<String> warnings = seen.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(List.of(), warnings);
    }
}
