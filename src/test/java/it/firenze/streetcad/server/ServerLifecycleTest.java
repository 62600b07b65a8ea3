package it.firenze.streetcad.server;

import it.firenze.streetcad.db.DatabaseSettings;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given no database URL, StreetCad runs its own PostGIS under its data directory, and keeps the data. */
class ServerLifecycleTest {

    @Test
    void theEmbeddedCadastreSurvivesAStopAndAStart() throws Exception {
        Path dataDir = Path.of("target", "lifecycle-" + System.nanoTime()).toAbsolutePath();
        ServerSettings settings = new ServerSettings(
                new DatabaseSettings(null, dataDir, DatabaseSettings.DEFAULT_STORAGE_SRID, 4), "127.0.0.1", 0, 5_000);

        try (StreetCadServer first = StreetCadServer.start(settings)) {
            assertEquals(200, get(first.port(), "/ready").statusCode());
            try (var c = first.store().database().connection(); var st = c.createStatement()) {
                st.execute("INSERT INTO road (name) VALUES ('Via dell’Agnolo')");
            }
        }
        assertTrue(Files.exists(dataDir.resolve("postgres/PG_VERSION")));
        assertTrue(!Files.exists(dataDir.resolve("postgres/postmaster.pid")), "the cluster was stopped cleanly");

        try (StreetCadServer second = StreetCadServer.start(settings)) {
            var ready = get(second.port(), "/ready");
            assertEquals(200, ready.statusCode(), ready.body());
            try (var c = second.store().database().connection(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT name, name_search FROM road")) {
                assertTrue(rs.next());
                assertEquals("Via dell’Agnolo", rs.getString(1));
                assertEquals("via dell'agnolo", rs.getString(2));
            }
        }
    }

    @Test
    void onItsEmbeddedClusterTheServerRunsAsARoleThatOnlyReadsAndWritesRows() throws Exception {
        Path dataDir = Path.of("target", "least-privilege-" + System.nanoTime()).toAbsolutePath();
        ServerSettings settings = new ServerSettings(
                new DatabaseSettings(null, dataDir, DatabaseSettings.DEFAULT_STORAGE_SRID, 2), "127.0.0.1", 0, 5_000);
        try (StreetCadServer server = StreetCadServer.start(settings);
             var c = server.store().database().connection(); var st = c.createStatement()) {
            try (var rs = st.executeQuery("SELECT current_user, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles "
                    + "WHERE rolname = current_user")) {
                assertTrue(rs.next());
                assertEquals("streetcad_app", rs.getString(1));
                assertFalse(rs.getBoolean(2) || rs.getBoolean(3) || rs.getBoolean(4), "no superuser, no roles, no databases");
            }
            st.execute("INSERT INTO road (name) VALUES ('Via Romana')");
            st.execute("UPDATE road SET name = 'Via Romana ' WHERE name = 'Via Romana'");
            for (String refused : List.of("CREATE EXTENSION hstore", "DROP TABLE road_history", "ALTER TABLE road ADD COLUMN x int",
                    "TRUNCATE road", "DELETE FROM flyway_schema_history", "CREATE ROLE intruder")) {
                var e = assertThrows(SQLException.class, () -> st.execute(refused), refused);
                assertTrue(e.getSQLState().startsWith("42"), refused + ": " + e.getMessage());
            }
        }
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(dataDir.resolve("app.password")));
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
