package it.firenze.streetcad.importer;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
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
import java.util.ArrayList;
import java.util.List;

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

    @Test
    void theChecksFollowACommitUpOnlyOnceTheJobIsRecordedCommittedAndAreToldWhereItChanged() {
        List<String> seen = new ArrayList<>();
        PreCommitCheck follower = new PreCommitCheck() {
            @Override
            public List<StagedFinding> check(Connection transaction, String stagingTable, int storageSrid) {
                return List.of();
            }

            @Override
            public void committed(Database database, Envelope changed) {
                // A stop during the follow-up must not leave the job "committing": a restart would undo its state.
                seen.add(cadastre.one("SELECT state FROM import_job") + " " + (changed.getWidth() > 0));
            }
        };
        try (ImportJobs jobs = new ImportJobs(db, List.of(follower), 1)) {
            long id = jobs.stageNow(fiftyStreets(), ImportPipeline.Progress.NONE).id();
            assertTrue(jobs.commit(id, false, true, Actor.system("test")).committed());
        }
        assertEquals(List.of("committed true"), seen);
    }

    @Test
    void jobsCutOffByAStopAreFoundAtStartStagingOnesFailCommittingOnesCanBeCommittedAgain() {
        long staging;
        long committing;
        try (ImportJobs jobs = new ImportJobs(db, List.of(), 1)) {
            staging = jobs.stageNow(fiftyStreets(), ImportPipeline.Progress.NONE).id();
            committing = jobs.stageNow(fiftyStreets(), ImportPipeline.Progress.NONE).id();
        }
        // What a process killed mid-way leaves behind: rows in a working state whose lease nobody renews.
        cadastre.execute("UPDATE import_job SET state = 'staging', lease_until = now() - interval '1 second' WHERE id = " + staging);
        cadastre.execute("UPDATE import_job SET state = 'committing', lease_until = now() - interval '1 second' WHERE id = " + committing);
        try (ImportJobs restarted = new ImportJobs(db, List.of(), 1)) {
            var failed = restarted.find(staging).orElseThrow();
            assertEquals("failed", failed.state());
            assertTrue(failed.error().contains("Interrupted"), failed.error());
            assertEquals(0, cadastre.count("SELECT count(*) FROM pg_tables WHERE tablename = 'import_staging_" + staging + "'"));
            assertEquals("validated", restarted.find(committing).orElseThrow().state());
            assertTrue(restarted.commit(committing, false, true, Actor.system("test")).committed());
        }
        assertEquals(50, cadastre.count("SELECT count(*) FROM road_element"));
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
