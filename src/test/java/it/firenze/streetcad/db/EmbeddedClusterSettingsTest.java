package it.firenze.streetcad.db;

import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * StreetCad's own cluster runs with the WAL settings a large import's commit needs: a million elements write about
 * 1.5 GB of WAL in one transaction, which PostgreSQL's defaults answer with checkpoints and WAL fsyncs in the
 * committing backend itself.
 */
class EmbeddedClusterSettingsTest {

    @Test
    void givenTheEmbeddedClusterWhenItRunsThenAMillionElementsCommitFitsBetweenCheckpointsAndTheWalWriterWritesBehindIt()
            throws Exception {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
            assertEquals("4GB", show(c, "max_wal_size"));
            assertEquals("64MB", show(c, "wal_buffers"));
        }
    }

    private static String show(Connection c, String setting) throws Exception {
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
