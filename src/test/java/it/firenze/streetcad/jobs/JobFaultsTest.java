package it.firenze.streetcad.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.ApiKeys;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.db.EmbeddedPostgres;
import it.firenze.streetcad.testing.StreetCadProcess;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL in each phase of an import, a network build and a validation, then a restart (or the other process
 * sharing the database): the jobs and the cadastre agree. A job that says it wrote, wrote (the cadastre's checksum
 * moved); one that says nothing was written left the checksum as it was; no job stays running. Jobs are leased for
 * 2 s here, so that a dead owner's jobs are ended within seconds.
 */
class JobFaultsTest {

    private static final Map<String, String> SHORT_LEASES = Map.of("STREETCAD_JOB_LEASE_SECONDS", "2");
    private static final String ELEMENTS = "SELECT count(*) || ':' || coalesce(md5(string_agg(id || ST_AsText(geom), ',' ORDER BY id)), '') FROM road_element";
    private static final String ISSUES = "SELECT count(*) || ':' || coalesce(md5(string_agg(fingerprint, ',' ORDER BY fingerprint)), '') FROM topology_issue";

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void aKilledJobInEveryPhaseEndsSayingWhatTheCadastreHolds() throws Exception {
        Path dir = Path.of("target", "job-faults-" + System.nanoTime()).toAbsolutePath();
        Path dataDir = dir.resolve("data");
        Path log = Files.createDirectories(dir).resolve("streetcad.log");
        Path lines = dir.resolve("lines.shp");
        Process cut = new ProcessBuilder("ogr2ogr", "-limit", "6000", lines.toString(),
                "geodata/florence-osm/florence_highways.shp").inheritIO().start();
        assertEquals(0, cut.waitFor());

        StreetCadProcess server = StreetCadProcess.serve(SHORT_LEASES, dataDir, log).awaitReady();
        Attached db = attach(dataDir);
        String empty = db.text(ELEMENTS);

        // An import killed while staging: failed, its staging table dropped, nothing written.
        StreetCadProcess cli = StreetCadProcess.command(SHORT_LEASES, log, "import", lines.toString(), "--mapping", "osm",
                "--data-dir", dataDir.toString());
        long first = awaitImportIn(db, Set.of("staging"));
        Thread.sleep(500);
        cli.kill();
        assertEquals("failed", awaitEnded(db, "import_job", "state", first, Set.of("queued", "staging", "committing")));
        assertTrue(db.text("SELECT error FROM import_job WHERE id = " + first).contains("nothing was written"));
        assertEquals("0", db.text("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'import_staging_%'"));
        assertEquals(empty, db.text(ELEMENTS));

        // An import killed once committing: it says committed exactly when the cadastre holds it. (Every line valid,
        // the CLI writes the commit while the check runs: cut off then, it was never validated, and fails.)
        cli = StreetCadProcess.command(SHORT_LEASES, log, "import", lines.toString(), "--mapping", "osm",
                "--data-dir", dataDir.toString());
        long second = awaitImportIn(db, Set.of("committing", "committed"));
        cli.kill();
        String state = awaitEnded(db, "import_job", "state", second, Set.of("queued", "staging", "committing"));
        if (state.equals("committed")) assertNotEquals(empty, db.text(ELEMENTS));
        else if (state.equals("failed")) {
            assertTrue(db.text("SELECT error FROM import_job WHERE id = " + second).contains("nothing was written"));
            assertEquals(empty, db.text(ELEMENTS));
            assertEquals("0", db.text("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'import_staging_%'"));
            // and the file imports again, whole
            assertEquals(0, StreetCadProcess.command(SHORT_LEASES, log, "import", lines.toString(), "--mapping", "osm",
                    "--data-dir", dataDir.toString()).awaitExit());
        } else {
            assertEquals("validated", state);
            assertTrue(db.text("SELECT error FROM import_job WHERE id = " + second).contains("nothing was written"));
            assertEquals(empty, db.text(ELEMENTS));
            // and it can be committed again, by the server
            String key = db.key();
            assertEquals(202, send(server, "POST", "/imports/" + second + "/commit?skipInvalid=true", "", key).statusCode());
            assertEquals("committed", awaitEnded(db, "import_job", "state", second, Set.of("committing")));
        }
        String imported = db.text(ELEMENTS);
        assertNotEquals(empty, imported);

        // A network build killed while building: failed, nothing written.
        String key = db.key();
        HttpResponse<String> started = send(server, "POST", "/network/builds", "{\"apply\": true}", key);
        assertEquals(202, started.statusCode(), started.body());
        long build = Json.mapper().readTree(started.body()).get("id").asLong();
        String seen = awaitIn(db, "network_build", "state", build, Set.of("building", "validating", "applied"));
        server.kill();
        db.close();
        server = StreetCadProcess.serve(SHORT_LEASES, dataDir, log).awaitReady();
        db = attach(dataDir);
        state = awaitEnded(db, "network_build", "state", build, Set.of("queued", "building", "validating"));
        String built = db.text(ELEMENTS);
        if (state.equals("failed")) {
            assertEquals("building", seen);
            assertTrue(db.text("SELECT error FROM network_build WHERE id = " + build).contains("nothing was written"));
            assertEquals(imported, built);

            // A build killed while re-validating what it wrote: applied, saying the re-validation was cut.
            key = db.key();
            started = send(server, "POST", "/network/builds", "{\"apply\": true}", key);
            assertEquals(202, started.statusCode(), started.body());
            build = Json.mapper().readTree(started.body()).get("id").asLong();
            seen = awaitIn(db, "network_build", "state", build, Set.of("validating", "applied"));
            server.kill();
            db.close();
            server = StreetCadProcess.serve(SHORT_LEASES, dataDir, log).awaitReady();
            db = attach(dataDir);
            state = awaitEnded(db, "network_build", "state", build, Set.of("queued", "building", "validating"));
            built = db.text(ELEMENTS);
        }
        assertEquals("applied", state, "seen " + seen);
        assertNotEquals(imported, built, "an applied build wrote the network");
        assertTrue(db.text("SELECT summary->>'elements' FROM network_build WHERE id = " + build) != null);

        // A validation killed while running: failed, the open issues as they were.
        String issues = db.text(ISSUES);
        key = db.key();
        started = send(server, "POST", "/topology/validations", "{}", key);
        assertEquals(202, started.statusCode(), started.body());
        long validation = Json.mapper().readTree(started.body()).get("id").asLong();
        awaitIn(db, "topology_validation", "status", validation, Set.of("running"));
        server.kill();
        db.close();
        server = StreetCadProcess.serve(SHORT_LEASES, dataDir, log).awaitReady();
        db = attach(dataDir);
        state = awaitEnded(db, "topology_validation", "status", validation, Set.of("running"));
        if (state.equals("failed")) assertEquals(issues, db.text(ISSUES));
        else assertEquals("succeeded", state);

        // And GET /jobs shows every one of them ended, in one shape.
        JsonNode jobs = Json.mapper().readTree(send(server, "GET", "/jobs?limit=100", null, null).body()).get("jobs");
        assertTrue(jobs.size() >= 5, jobs.toString());
        for (JsonNode job : jobs) {
            assertTrue(Set.of("validated", "succeeded", "failed", "cancelled").contains(job.get("state").asText()), job.toString());
        }
        db.close();
        server.stop();
    }

    /** The test's own connection to the cluster a live server runs (it never owns, so never stops, that cluster). */
    private record Attached(EmbeddedPostgres cluster, Database database) implements AutoCloseable {
        String text(String sql) throws SQLException {
            try (Connection c = database.connection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
                return rs.next() ? rs.getString(1) : null;
            }
        }

        String key() throws SQLException {
            return new ApiKeys(database).create("faults", Set.of(Role.TECHNICIAN), "test", null, Actor.system("test")).secret();
        }

        @Override
        public void close() {
            database.close();
            cluster.close();
        }
    }

    private static Attached attach(Path dataDir) {
        EmbeddedPostgres cluster = EmbeddedPostgres.start(dataDir);
        assertTrue(!cluster.owner(), "the test uses the server's cluster");
        DatabaseUrl url = cluster.url();
        return new Attached(cluster, Database.connect(url, 6707, 2));
    }

    private static long awaitImportIn(Attached db, Set<String> states) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String row = db.text("SELECT id || ' ' || state FROM import_job ORDER BY id DESC LIMIT 1");
            if (row != null && states.contains(row.split(" ")[1])) return Long.parseLong(row.split(" ")[0]);
            Thread.sleep(20);
        }
        throw new AssertionError("no import reached " + states);
    }

    private static String awaitIn(Attached db, String table, String column, long id, Set<String> states) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String state = db.text("SELECT " + column + " FROM " + table + " WHERE id = " + id);
            if (states.contains(state)) return state;
            Thread.sleep(20);
        }
        throw new AssertionError(table + " " + id + " never reached " + states);
    }

    /** Waits until the job is in none of the running states (its owner dead, a lease must expire first). */
    private static String awaitEnded(Attached db, String table, String column, long id, Set<String> running) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String state = db.text("SELECT " + column + " FROM " + table + " WHERE id = " + id);
            if (!running.contains(state)) return state;
            Thread.sleep(100);
        }
        throw new AssertionError(table + " " + id + " still running after 120 s");
    }

    private HttpResponse<String> send(StreetCadProcess server, String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (key != null) b.header("Authorization", "Bearer " + key);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
