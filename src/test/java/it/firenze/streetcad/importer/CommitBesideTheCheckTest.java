package it.firenze.streetcad.importer;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static it.firenze.streetcad.importer.TestLayer.street;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given a cadastre in a real PostGIS and an import asked to commit with its upload, the commit is written while the
 * checks run when every feature is valid, and stays invisible until it is recorded; otherwise nothing of it is done
 * before the checks have ended.
 */
class CommitBesideTheCheckTest {

    Database db;
    Cadastre cadastre;
    /** What the check saw while it ran: whether another session was writing road_element. */
    final List<Boolean> sawTheCommitWriting = new ArrayList<>();

    @BeforeEach
    void open() {
        db = TestPostgis.newCadastre();
        cadastre = new Cadastre(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /**
     * A check of the staged lines alone that waits (up to {@code tenths} tenths of a second) for another session to
     * hold a lock on road_element, as a commit writing it does, notes whether one did, and then finds nothing or fails.
     */
    PreCommitCheck waitingForTheCommit(int tenths, boolean fail) {
        return new PreCommitCheck() {
            @Override
            public List<StagedFinding> check(Connection transaction, String stagingTable, int storageSrid) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void check(Connection transaction, String stagingTable, int storageSrid, Consumer<StagedFinding> out) {
                boolean seen = false;
                for (int i = 0; i < tenths && !seen; i++) {
                    seen = cadastre.count("SELECT count(*) FROM pg_locks WHERE relation = 'road_element'::regclass "
                            + "AND pid <> pg_backend_pid() AND granted") > 0;
                    if (!seen) pause();
                }
                sawTheCommitWriting.add(seen);
                if (fail) throw new IllegalStateException("the check broke");
            }

            @Override
            public boolean readsOnlyTheStagedLines() {
                return true;
            }
        };
    }

    /** A check that does not say it reads only the staged lines; it notes whether a commit was writing as it ran. */
    PreCommitCheck readingTheCadastre() {
        return new PreCommitCheck() {
            @Override
            public List<StagedFinding> check(Connection transaction, String stagingTable, int storageSrid) {
                sawTheCommitWriting.add(cadastre.count("SELECT count(*) FROM pg_locks WHERE relation = "
                        + "'road_element'::regclass AND pid <> pg_backend_pid()") > 0);
                return List.of();
            }
        };
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One committed element first, so that the commit under test is not a first load (which locks road_element whole). */
    void oneElementAlready() {
        var pipeline = new ImportPipeline(db, List.of());
        long job = ImportPipelineTest.JOBS.incrementAndGet();
        ImportReport report = pipeline.stage(job, "one.shp", new TestLayer().line(street(7), "osm_id", 70L, "name",
                "Via Roma", "highway", "primary"), ImportPipelineTest.osm(ImportMode.APPEND), ImportPipeline.Progress.NONE);
        pipeline.commit(job, report, ImportMode.APPEND, null, false, Actor.system("test"), ImportPipeline.CommitOutcome.NONE);
    }

    ImportPipeline.Staged stageCommittingBeside(ImportPipeline pipeline, long job, TestLayer layer, boolean begin) {
        return pipeline.stage(job, "streets.shp", layer, ImportPipelineTest.osm(ImportMode.APPEND),
                ImportPipeline.Progress.NONE, new CommitBesideTheCheck.Request(Actor.system("test"), () -> begin));
    }

    @Test
    void everyFeatureValidTheCommitIsWrittenWhileTheCheckRunsAndSeenOnlyOnceRecorded() throws Exception {
        // Given a cadastre with one element, and an import of three valid streets asked to commit with its upload
        oneElementAlready();
        var pipeline = new ImportPipeline(db, List.of(waitingForTheCommit(200, false)));
        long job = ImportPipelineTest.JOBS.incrementAndGet();

        // When it is staged, then the check saw the commit writing road_element while it ran
        ImportPipeline.Staged staged = stageCommittingBeside(pipeline, job, ImportPipelineTest.threeStreets(), true);
        assertEquals(List.of(true), sawTheCommitWriting);
        assertNotNull(staged.commit(), "the commit is handed back written");
        assertNull(staged.report().planned());
        // and until it is recorded no other session sees it, and the staged features are still there
        assertEquals(1, cadastre.count("SELECT count(*) FROM road_element"));
        assertEquals(1, cadastre.count("SELECT count(*) FROM pg_tables WHERE tablename = 'import_staging_" + job + "'"));

        // When it is recorded, then the cadastre holds the three streets, the staging table is gone, the audit says so
        List<ImportReport.Committed> recorded = new ArrayList<>();
        try (var pending = staged.commit()) {
            pending.commit("streets.shp", (c, committed) -> recorded.add(committed));
        }
        assertEquals(3, recorded.getFirst().inserted());
        assertEquals(4, cadastre.count("SELECT count(*) FROM road_element"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM pg_tables WHERE tablename = 'import_staging_" + job + "'"));
        assertEquals(1, cadastre.count("SELECT count(*) FROM audit_log WHERE action = 'import.commit' AND ids = '{"
                + job + "}' AND details->>'source' = 'streets.shp'"));
    }

    @Test
    void aCommitClosedUnrecordedWritesNothingAndLeavesTheStagedFeaturesForTheOrdinaryCommit() {
        oneElementAlready();
        var pipeline = new ImportPipeline(db, List.of(waitingForTheCommit(200, false)));
        long job = ImportPipelineTest.JOBS.incrementAndGet();
        ImportPipeline.Staged staged = stageCommittingBeside(pipeline, job, ImportPipelineTest.threeStreets(), true);

        // When the written commit is closed instead of recorded (its job was ended meanwhile, say)
        staged.commit().close();

        // Then nothing was written, no transaction is left open, and the ordinary commit can still be made
        assertEquals(1, cadastre.count("SELECT count(*) FROM road_element"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'"));
        assertEquals(3, pipeline.commit(job, staged.report(), ImportMode.APPEND, null, false, Actor.system("test"),
                ImportPipeline.CommitOutcome.NONE).committed().inserted());
        assertEquals(4, cadastre.count("SELECT count(*) FROM road_element"));
    }

    @Test
    void aCheckThatFailsRollsTheCommitWrittenBesideItBack() {
        oneElementAlready();
        var pipeline = new ImportPipeline(db, List.of(waitingForTheCommit(200, true)));
        long job = ImportPipelineTest.JOBS.incrementAndGet();

        // When the check fails once the commit has been written beside it
        assertThrows(IllegalStateException.class, () -> stageCommittingBeside(pipeline, job, ImportPipelineTest.threeStreets(), true));

        // Then nothing was written, no transaction is left open, and the staging table is dropped
        assertEquals(List.of(true), sawTheCommitWriting);
        assertEquals(1, cadastre.count("SELECT count(*) FROM road_element"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'import_staging_" + job + "%'"));
    }

    @Test
    void anInvalidFeatureACheckReadingTheCadastreOrAJobNoLongerToCommitLeaveTheCommitToAfterTheChecks() {
        // Given an import with a line of one point: invalid, so the commit would not write what the check judged
        var pipeline = new ImportPipeline(db, List.of(waitingForTheCommit(20, false)));
        TestLayer withABadOne = ImportPipelineTest.threeStreets().line(new double[]{11.2540, 43.7725, 11.2540, 43.7725}, "osm_id", 4L,
                "name", "Via Roma", "highway", "residential");
        ImportPipeline.Staged invalid = stageCommittingBeside(pipeline, ImportPipelineTest.JOBS.incrementAndGet(),
                withABadOne, true);
        assertNull(invalid.commit());
        assertEquals(1, invalid.report().counts().invalid());

        // Given a check that does not say it reads only the staged lines
        ImportPipeline.Staged reading = stageCommittingBeside(new ImportPipeline(db, List.of(readingTheCadastre())),
                ImportPipelineTest.JOBS.incrementAndGet(), ImportPipelineTest.threeStreets(), true);
        assertNull(reading.commit());

        // Given a job that may no longer be committed when the commit would begin
        ImportPipeline.Staged ended = stageCommittingBeside(new ImportPipeline(db, List.of(waitingForTheCommit(20, false))),
                ImportPipelineTest.JOBS.incrementAndGet(), ImportPipelineTest.threeStreets(), false);
        assertNull(ended.commit());

        // Then no check saw a commit writing, and nothing was written
        assertEquals(List.of(false, false, false), sawTheCommitWriting);
        assertEquals(0, cadastre.count("SELECT count(*) FROM road_element"));
    }
}
