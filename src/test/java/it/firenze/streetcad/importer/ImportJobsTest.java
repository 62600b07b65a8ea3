package it.firenze.streetcad.importer;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseLimits;
import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.db.EmbeddedPostgres;
import it.firenze.streetcad.importer.shapefile.ArchiveLimits;
import it.firenze.streetcad.testing.ClusterFaults;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Envelope;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given import jobs kept in the database, a restarted StreetCad still shows them and finds those cut off. */
class ImportJobsTest {

    @TempDir
    Path tmp;
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

    ImportRequest fiftyStreets() {
        Path shp = tmp.resolve("fifty.shp");
        if (!Files.exists(shp)) Gdal.ogr2ogr("-limit", "50", shp.toString(), Gdal.FLORENCE.toString());
        return ImportParameters.request("fifty.shp", shp, null, Mapping.preset("osm"), null, null, "append", null,
                ArchiveLimits.defaults(), null);
    }

    @Test
    void aRestartedServerStillListsItsJobsAndCanCommitAValidatedOne() {
        long id;
        try (ImportJobs before = new ImportJobs(db, List.of(), 1)) {
            id = before.stageNow(fiftyStreets(), ImportPipeline.Progress.NONE).id();
        }
        try (ImportJobs after = new ImportJobs(db, List.of(), 1)) {
            assertEquals("validated", after.find(id).orElseThrow().state());
            assertEquals(List.of(id), after.list(10).stream().map(ImportJobs.Job::id).toList());
            assertTrue(after.commit(id, false, true, Actor.system("test")).committed());
        }
        assertEquals(50, cadastre.count("SELECT count(*) FROM road_element"));
    }

    /** A check that finds nothing and, once an import is committed, does {@code followUp} with the changed area. */
    static PreCommitCheck findingNothingThen(Consumer<Envelope> followUp) {
        return new PreCommitCheck() {
            @Override
            public List<StagedFinding> check(Connection transaction, String stagingTable, int storageSrid) {
                return List.of();
            }

            @Override
            public void committed(Database database, Envelope changed) {
                followUp.accept(changed);
            }
        };
    }

    @Test
    void theChecksFollowACommitUpOnlyOnceTheJobIsRecordedCommittedAndAreToldWhereItChanged() {
        List<String> seen = new ArrayList<>();
        // A stop during the follow-up must not leave the job "committing": a restart would undo its state.
        PreCommitCheck follower = findingNothingThen(changed ->
                seen.add(cadastre.one("SELECT state FROM import_job") + " " + (changed.getWidth() > 0)));
        try (ImportJobs jobs = new ImportJobs(db, List.of(follower), 1)) {
            long id = jobs.stageNow(fiftyStreets(), ImportPipeline.Progress.NONE).id();
            assertTrue(jobs.commit(id, false, true, Actor.system("test")).committed());
        }
        assertEquals(List.of("committed true"), seen);
    }

    @Test
    void aFollowUpWhoseEndCannotBeRecordedLeavesTheJobCommitted() {
        // Given a check whose follow-up leaves the job table unable to take the follow-up's end (a fault)
        PreCommitCheck breaking = findingNothingThen(changed ->
                cadastre.execute("ALTER TABLE import_job RENAME COLUMN followed_up_at TO followed_up_at_gone"));
        long id;
        try (ImportJobs jobs = new ImportJobs(db, List.of(breaking), 1)) {
            id = jobs.stageNow(fiftyStreets(), ImportPipeline.Progress.NONE).id();
            // When it is committed (the job read back after it fails too: its column is gone)
            assertThrows(IllegalStateException.class, () -> jobs.commit(id, false, true, Actor.system("test")));
        }
        cadastre.execute("ALTER TABLE import_job RENAME COLUMN followed_up_at_gone TO followed_up_at");

        // Then the job is still committed, with no error, its follow-up's end left to the lease sweep
        assertEquals("committed| |true", cadastre.one("SELECT state || '|' || coalesce(error, ' ') || '|' || "
                + "(followed_up_at IS NULL) FROM import_job WHERE id = " + id));
        assertEquals(50, cadastre.count("SELECT count(*) FROM road_element"));
    }

    @Test
    void jobsCutOffByAStopAreFoundAtStartStagingOnesFailCommittingOnesCanBeCommittedAgain() {
        long staging;
        long committing;
        long committingBeside;
        long committed;
        try (ImportJobs jobs = new ImportJobs(db, List.of(), 1)) {
            committed = jobs.stageNow(fiftyStreets(), ImportPipeline.Progress.NONE).id();
            assertTrue(jobs.commit(committed, false, true, Actor.system("test")).followedUpAt() != null);
            staging = jobs.stageNow(fiftyStreets(), ImportPipeline.Progress.NONE).id();
            committing = jobs.stageNow(fiftyStreets(), ImportPipeline.Progress.NONE).id();
            committingBeside = jobs.stageNow(fiftyStreets(), ImportPipeline.Progress.NONE).id();
        }
        // What a process killed mid-way leaves behind: rows in a working state whose lease nobody renews.
        cadastre.execute("UPDATE import_job SET state = 'staging', lease_until = now() - interval '1 second' WHERE id = " + staging);
        cadastre.execute("UPDATE import_job SET state = 'committing', lease_until = now() - interval '1 second' WHERE id = " + committing);
        cadastre.execute("UPDATE import_job SET followed_up_at = NULL, lease_until = now() - interval '1 second' WHERE id = "
                + committed);
        // A commit written beside its check is committing before the job has a report (it was never validated).
        cadastre.execute("UPDATE import_job SET state = 'committing', report = NULL, lease_until = now() - interval '1 second' "
                + "WHERE id = " + committingBeside);
        try (ImportJobs restarted = new ImportJobs(db, List.of(), 1)) {
            for (long interrupted : List.of(staging, committingBeside)) {
                var failed = restarted.find(interrupted).orElseThrow();
                assertEquals("failed", failed.state());
                assertTrue(failed.error().contains("Interrupted") && failed.error().contains("before it was validated"),
                        failed.error());
                assertEquals(0, cadastre.count("SELECT count(*) FROM pg_tables WHERE tablename = 'import_staging_"
                        + interrupted + "'"));
            }
            assertEquals("validated", restarted.find(committing).orElseThrow().state());
            // and the follow-up of a committed job cut off by the stop is over (the one committed below ends its own)
            assertTrue(restarted.find(committed).orElseThrow().followedUpAt() != null);
            assertTrue(restarted.commit(committing, false, true, Actor.system("test")).committed());
        }
        assertEquals(100, cadastre.count("SELECT count(*) FROM road_element"));
    }

    @Test
    void aCrashOfTheDatabaseEmptiesTheStagedFeaturesSoTheirJobsFailAskingForTheFileAgainInsteadOfACommitThatCannotBe()
            throws Exception {
        // Given a cluster of the test's own (crashing the shared one would break the other test classes) with two
        // validated imports, one of them cut off while committing: the job committing, its lease run out
        try (EmbeddedPostgres cluster = EmbeddedPostgres.start(Path.of("target", "import-crash-postgres"))) {
            String name = "import_crash_" + ProcessHandle.current().pid();
            cluster.createDatabase(name);
            long committing;
            long validated;
            try (Database before = Database.connect(cluster.url(name), DatabaseSettings.DEFAULT_STORAGE_SRID, 4)) {
                before.migrate();
                try (ImportJobs jobs = new ImportJobs(before, List.of(), 1)) {
                    committing = jobs.stageNow(fiftyStreets(), ImportPipeline.Progress.NONE).id();
                    validated = jobs.stageNow(fiftyStreets(), ImportPipeline.Progress.NONE).id();
                }
                TestPostgis.execute(before, "UPDATE import_job SET state = 'committing', lease_until = now() - "
                        + "interval '1 second' WHERE id = " + committing);
            }
            // When PostgreSQL stops uncleanly (pg_ctl -m immediate, as a crash) and starts again, and StreetCad with it
            ClusterFaults faults = new ClusterFaults(cluster);
            faults.crash();
            faults.start();
            try (Database after = Database.connect(cluster.url(name), DatabaseSettings.DEFAULT_STORAGE_SRID, 4);
                 ImportJobs restarted = new ImportJobs(after, List.of(), 1)) {
                // Then the interrupted commit has failed asking for the file again, its emptied staging dropped
                // (it said "Commit it again", and every commit was refused)
                ImportJobs.Job cut = restarted.find(committing).orElseThrow();
                assertEquals("failed", cut.state(), cut.error());
                assertTrue(cut.error().contains("Import the file again"), cut.error());
                // and so has the validated one once committed, instead of staying validated for commits that cannot be
                ImportJobs.Job refused = restarted.commit(validated, false, true, Actor.system("test"));
                assertEquals("failed", refused.state(), refused.error());
                assertTrue(refused.error().contains("Import the file again"), refused.error());
                Cadastre crashed = new Cadastre(after);
                assertEquals(0, crashed.count("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'import_staging%'"));
                assertEquals(0, crashed.count("SELECT count(*) FROM road_element"));
            }
        }
    }

    /**
     * Given a committed import whose follow-up was cut off (its instance stopped: the job's lease expired, the kept
     * findings and elements tables left behind) and one whose follow-up an instance is still running (its lease
     * renewed), when a running server's leases go round (1 s leases here), then the first's tables are dropped within
     * seconds, without a restart, and the second's stay.
     */
    @Test
    void theTablesACutOffFollowUpLeftAreDroppedWhileTheServerRunsNotAtItsNextStart() throws Exception {
        try (Database shortLeases = Database.connect(TestPostgis.newDatabaseUrl(), DatabaseSettings.DEFAULT_STORAGE_SRID,
                4, new DatabaseLimits(900, 15, 250, 3600, 1))) {
            shortLeases.migrate();
            try (ImportJobs running = new ImportJobs(shortLeases, List.of(), 1)) {
                long cut = committedJob(shortLeases, "now() - interval '1 minute'");
                long followedUp = committedJob(shortLeases, "now() + interval '1 hour'");
                for (long id : new long[]{cut, followedUp}) {
                    TestPostgis.execute(shortLeases, "CREATE TABLE import_staging_" + id + "_findings (n int); "
                            + "CREATE TABLE import_staging_" + id + "_elements (n int)");
                }

                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (tables(shortLeases, cut) > 0 && System.nanoTime() < deadline) Thread.sleep(200);
                assertEquals(0, tables(shortLeases, cut), "the cut-off follow-up's tables are dropped");
                assertEquals(2, tables(shortLeases, followedUp), "a follow-up under way keeps its tables");
            }
        }
    }

    /** A committed import job whose lease runs until {@code leaseUntil} (SQL). */
    private static long committedJob(Database db, String leaseUntil) throws SQLException {
        return ((Number) TestPostgis.single(db, "INSERT INTO import_job (state, source, mode, mapping, lease_owner, "
                + "lease_until) VALUES ('committed', 'streets.shp', 'append', '{}', 'another-host:1:000000', "
                + leaseUntil + ") RETURNING id")).longValue();
    }

    /** How many of the tables a commit keeps for its follow-up job {@code id} still has. */
    private static long tables(Database db, long id) throws SQLException {
        return ((Number) TestPostgis.single(db, "SELECT count(*) FROM pg_tables WHERE tablename IN (?, ?)",
                "import_staging_" + id + "_findings", "import_staging_" + id + "_elements")).longValue();
    }

    @Test
    void aJobCanBeCommittedOrDiscardedOnlyOnce() {
        try (ImportJobs jobs = new ImportJobs(db, List.of(), 1)) {
            long id = jobs.stageNow(fiftyStreets(), ImportPipeline.Progress.NONE).id();
            assertEquals("discarded", jobs.discard(id, Actor.system("test")).state());
            assertThrows(ImportJobs.JobStateException.class, () -> jobs.commit(id, false, true, Actor.system("test")));
            assertThrows(ImportJobs.JobStateException.class, () -> jobs.discard(id, Actor.system("test")));
            assertThrows(ImportJobs.JobNotFoundException.class, () -> jobs.commit(id + 1000, false, true, Actor.system("test")));
        }
        assertEquals(0, cadastre.count("SELECT count(*) FROM road_element"));
    }

    @Test
    void aTruncatedShapefileFailsNamingTheFileAndWritesNothing() throws Exception {
        ImportRequest good = fiftyStreets();
        Path shp = tmp.resolve("fifty.shp");
        byte[] bytes = Files.readAllBytes(shp);
        Files.write(shp, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        try (ImportJobs jobs = new ImportJobs(db, List.of(), 1)) {
            String message;
            try {
                var job = jobs.stageNow(good, ImportPipeline.Progress.NONE);
                assertEquals("failed", job.state());
                message = job.error();
            } catch (ImportException e) {
                message = e.getMessage();
            }
            assertTrue(message.contains("fifty.shp"), message);
        }
        assertEquals(0, cadastre.count("SELECT count(*) FROM road_element"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'import_staging_%'"));
    }
}
