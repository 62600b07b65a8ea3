package it.firenze.streetcad.importer;

import it.firenze.streetcad.access.Audit;
import it.firenze.streetcad.access.Actor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.JobLeases;
import it.firenze.streetcad.importer.shapefile.PrjCrs;
import it.firenze.streetcad.importer.shapefile.ShapefileException;
import it.firenze.streetcad.importer.shapefile.ShapefileLayer;
import org.locationtech.jts.geom.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Import jobs: each import is a row of {@code import_job} (state, progress, report) and runs on a small executor.
 * Every byte of a job's state is in the database, so a job can be looked at from any StreetCad instance and after
 * a restart. While this process owns a queued, staging or committing job it renews the job's lease (see
 * {@link JobLeases}); a job whose lease expired was cut off by a stopped process, and any instance ends it: a
 * queued or staging one failed (its staging table dropped), a committing one back to validated, or failed when an
 * unclean restart of the database emptied its staging table. Both are true: the commit records the job committed in
 * the cadastre's own transaction.
 *
 * <p>States: queued → staging → validated → committing → committed; validated (or failed) → discarded;
 * staging or committing → failed. A commit the cadastre refuses leaves the job validated, with the reason.
 * {@code GET /jobs} shows them with every other job's states (V8's view).
 */
public final class ImportJobs implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ImportJobs.class);
    private static final long PROGRESS_EVERY_MILLIS = 500;
    private static final io.micrometer.core.instrument.Counter ROWS =
            io.micrometer.core.instrument.Metrics.counter("streetcad.import.rows");
    private static final String COLUMNS = "id, state, source, layer, mode, area, build_network, progress, report, error, "
            + "created_at, updated_at, finished_at, followed_up_at";

    /** A job as shown to users; {@code report} is the {@link ImportReport} as JSON, null until staged. */
    public record Job(long id, String state, String source, String layer, String mode, double[] area,
                      boolean buildNetwork, double progress, JsonNode report, String error, Instant createdAt,
                      Instant updatedAt, Instant finishedAt, Instant followedUpAt) {

        public boolean committed() {
            return state.equals("committed");
        }

        public ImportReport importReport() {
            try {
                return report == null ? null : Json.mapper().treeToValue(report, ImportReport.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the stored report of import " + id + " does not read back", e);
            }
        }
    }

    private final Database database;
    private final ImportPipeline pipeline;
    private final ImportPipeline rawLinePipeline;
    private final ExecutorService executor;

    public ImportJobs(Database database, List<PreCommitCheck> checks, int workers) {
        this(database, checks, checks, workers);
    }

    /**
     * @param checks         for lines that are already elements from junction to junction
     * @param rawLineChecks  for imports whose network is to be built ({@link ImportOptions#buildNetwork()}): the
     *                       checks of raw lines, whose follow-up builds the network
     */
    public ImportJobs(Database database, List<PreCommitCheck> checks, List<PreCommitCheck> rawLineChecks, int workers) {
        this.database = database;
        this.pipeline = new ImportPipeline(database, checks);
        this.rawLinePipeline = new ImportPipeline(database, rawLineChecks);
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "streetcad-import-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        database.leases().recoverPeriodically(new JobLeases.Kind("import_job", "state",
                "'queued', 'staging', 'committing'", ImportJobs::endInterrupted));
        database.leases().sweepPeriodically("the import follow-ups cut off by a stop", ImportJobs::endCutFollowUps);
    }

    /**
     * The findings a commit keeps for its follow-up are dropped when the follow-up ends, and the job says it ended; a
     * process stopped during it leaves the findings behind and the job's follow-up running (its validation ends as
     * cut, see {@link it.firenze.streetcad.db.JobLeases}), and a drop that failed (the database away at that moment)
     * leaves them too. Swept with the leases, on every instance, once the job's lease has expired: never under a
     * follow-up an instance is running, which renews it, and never only at the next start, which a server running for
     * weeks would not see.
     */
    private static void endCutFollowUps(Connection c) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT j.id FROM import_job j WHERE j.state IN ('committed', "
                + "'discarded', 'failed') AND (j.lease_until IS NULL OR j.lease_until < now()) AND (to_regclass("
                + "'import_staging_' || j.id || '_findings') IS NOT NULL OR to_regclass('import_staging_' || j.id "
                + "|| '_elements') IS NOT NULL)"); ResultSet rs = st.executeQuery()) {
            while (rs.next()) ids.add(rs.getLong(1));
        }
        for (long id : ids) {
            LOG.info("dropping the findings import {}'s cut-off follow-up left", id);
            new StagingTable(id).dropFindings(c);
        }
        // Its validation says it was cut (JobLeases); the job says its follow-up is over.
        try (Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE import_job SET followed_up_at = now() WHERE state = 'committed' AND followed_up_at IS NULL "
                    + "AND (lease_until IS NULL OR lease_until < now())");
        }
    }

    /**
     * Opens the EPSG database that identifies .prj files now, in the background: the first lookup takes seconds, and a
     * server should not make the first upload wait for it.
     */
    public void warmUpInBackground() {
        // Its own thread, not a worker: closing the jobs interrupts workers, and an EPSG database interrupted while
        // it opens stays unusable for the rest of the process.
        Thread.ofPlatform().daemon().name("streetcad-epsg-warm-up").start(PrjCrs::warmUp);
    }

    /**
     * Opens the source and checks what its headers tell (a line layer, a CRS PostGIS can transform to the storage
     * CRS), registers the import and stages it on the executor; the returned job is queued.
     *
     * @throws ImportException when the source cannot be imported at all (nothing is registered then)
     */
    public Job submit(ImportRequest request) {
        return submit(request, null);
    }

    /**
     * What a client asks to happen once its import is validated, besides waiting for it to be looked at: committed
     * at once, as {@link #commit} would ({@code skipInvalid} as there), by {@code actor}. Saves an automated client
     * (another city system loading its deliveries) a round of polling and a second request; GeoServer's importer
     * offers the same ({@code exec=true}).
     */
    public record ThenCommit(boolean skipInvalid, Actor actor) {
    }

    /**
     * As {@link #submit(ImportRequest)}; with {@code thenCommit} not null, the job is committed on the same worker.
     * When every feature is valid the commit is written while the checks run (the job says committing from then on)
     * and goes from staging to committed without stopping at validated; otherwise it is committed as soon as it is
     * validated. One it cannot commit (invalid features and {@code skipInvalid} false) stays validated, its error
     * saying why, to be committed or discarded as any other.
     */
    public Job submit(ImportRequest request, ThenCommit thenCommit) {
        SourceLayer layer = open(request);
        pipelineFor(request.options().buildNetwork()).checkCrs(request.source(), layer);
        long id = insert(request);
        JobLeases.Lease lease = database.leases().hold("import_job", id);
        executor.submit(() -> {
            boolean committed;
            try (lease) {
                committed = runStage(id, request, layer, ImportPipeline.Progress.NONE, thenCommit);
            }
            if (thenCommit != null && !committed) commitOnceValidated(id, thenCommit);
        });
        return find(id).orElseThrow();
    }

    /**
     * {@link #commit} refuses a job that staging failed or that was discarded meanwhile, and one with invalid
     * features it may not skip: only a job still validated is told why.
     */
    private void commitOnceValidated(long id, ThenCommit then) {
        try {
            try {
                commit(id, then.skipInvalid(), true, then.actor());
            } catch (JobStateException e) {
                update("UPDATE import_job SET error = ?, updated_at = now() WHERE id = ? AND state = 'validated'",
                        "Not committed: " + e.getMessage(), id);
            }
        } catch (RuntimeException e) {
            // The database gone before the commit began, say: the job stays validated, to be committed again.
            LOG.error("import {} was validated but could not be committed as asked", id, e);
        }
    }

    /** Like {@link #submit} but stages in the calling thread; the returned job is validated or failed. */
    public Job stageNow(ImportRequest request, ImportPipeline.Progress progress) {
        return stageNow(request, open(request), progress);
    }

    /** Stages a source already {@link #open opened} for this request, in the calling thread. */
    public Job stageNow(ImportRequest request, SourceLayer layer, ImportPipeline.Progress progress) {
        return stageNow(request, layer, progress, null);
    }

    /**
     * The same; with {@code thenCommit} not null, the job is committed beside its checks when every feature is valid
     * (see {@link #submit(ImportRequest, ThenCommit)}) and returned committed, else returned validated (or failed) for
     * the caller to commit or not.
     */
    public Job stageNow(ImportRequest request, SourceLayer layer, ImportPipeline.Progress progress, ThenCommit thenCommit) {
        pipelineFor(request.options().buildNetwork()).checkCrs(request.source(), layer);
        long id = insert(request);
        try (JobLeases.Lease lease = database.leases().hold("import_job", id)) {
            runStage(id, request, layer, progress, thenCommit);
        }
        return find(id).orElseThrow();
    }

    /**
     * Opens the request's source and checks what its headers tell (a line layer, a known CRS). Needs no
     * database, so a caller may do it while the database is being opened.
     *
     * @throws ImportException when the source cannot be imported at all
     */
    public static SourceLayer open(ImportRequest request) {
        try {
            SourceLayer layer = new ShapefileSource(ShapefileLayer.open(request.path(), request.layer(), request.readOptions()));
            ImportPipeline.preflight(request.source(), layer);
            return layer;
        } catch (ShapefileException e) {
            if (request.cleanup() != null) request.cleanup().run();
            throw new ImportException("file", told(request, e.getMessage()));
        } catch (RuntimeException e) {
            if (request.cleanup() != null) request.cleanup().run();
            throw e;
        }
    }

    /**
     * The reader names the file it read; the user knows the source by the request's name for it (an upload's own
     * name), not by the server's temporary copy, whose path is none of a client's business.
     */
    private static String told(ImportRequest request, String message) {
        return message.replace(request.path().toString(), request.source());
    }

    /**
     * Starts committing a validated job ({@code wait}: in the calling thread, else on the executor).
     *
     * @throws JobStateException when the job is not validated, or has invalid features and {@code skipInvalid} is false
     */
    public Job commit(long id, boolean skipInvalid, boolean wait, Actor actor) {
        Job job = find(id).orElseThrow(() -> new JobNotFoundException(id));
        ImportReport report = job.importReport();
        if (job.state().equals("validated") && report.counts().invalid() > 0 && !skipInvalid) {
            throw new JobStateException(report.counts().invalid() + " features of import " + id + " are invalid (see its "
                    + "report): fix the source and import again, or commit without them (skipInvalid).");
        }
        if (update("UPDATE import_job SET state = 'committing', " + JobLeases.SET + ", updated_at = now() "
                + "WHERE id = ? AND state = 'validated'", LEASE, id) != 1) {
            throw new JobStateException("Import " + id + " is " + find(id).map(Job::state).orElse("gone")
                    + "; only a validated import can be committed.");
        }
        JobLeases.Lease lease = database.leases().hold("import_job", id);
        Runnable commit = () -> {
            try (lease) {
                runCommit(job, report, skipInvalid, actor);
            }
        };
        if (wait) commit.run();
        else executor.submit(commit);
        return find(id).orElseThrow();
    }

    /** Drops a validated (or failed, or not yet started) job's staged features; the cadastre is untouched. */
    public Job discard(long id, Actor actor) {
        find(id).orElseThrow(() -> new JobNotFoundException(id));
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(
                "UPDATE import_job SET state = 'discarded', staging_table = NULL, updated_at = now(), finished_at = now() "
                        + "WHERE id = ? AND state IN ('queued', 'validated', 'failed')")) {
            c.setAutoCommit(false);
            try {
                st.setLong(1, id);
                if (st.executeUpdate() == 0) {
                    throw new JobStateException("Import " + id + " is " + find(id).map(Job::state).orElse("gone")
                            + "; only a queued, validated or failed import can be discarded.");
                }
                Audit.record(c, actor, "import.discard", "import_job", List.of(id), Map.of());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c);
                throw e;
            } finally {
                Database.restoreAutoCommit(c);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        pipeline.discard(id);
        return find(id).orElseThrow();
    }

    /** The database the jobs stage into: a checked import's staging tables are read there ({@link StagedPreview}). */
    Database database() {
        return database;
    }

    /**
     * Whether an import is committing, by any instance (its state says so until it ends, or until a lease that ran out
     * is recovered): a read refused by a table held whole is then told the cadastre is being loaded. Asked by every
     * refused read, when a pool's worth of readers take turns at the read pool within its connection wait: so it is
     * read through the work pool, not theirs, once per {@link #COMMITTING_READ_NANOS} at most, by one caller while the
     * others wait for its answer, and waits no longer than a read for a lock (a migration may hold import_job whole).
     * False when it cannot be read: nothing known is said then.
     */
    synchronized boolean committing() {
        long now = System.nanoTime();
        if (committing != null && now - committing.readAt() < COMMITTING_READ_NANOS) return committing.committing();
        boolean answer;
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL lock_timeout = '" + database.readLockWaitMillis() + "ms'");
                try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM import_job WHERE state = 'committing')")) {
                    answer = rs.next() && rs.getBoolean(1);
                }
            } finally {
                Database.rollback(c);
                Database.restoreAutoCommit(c);
            }
        } catch (SQLException e) {
            LOG.warn("whether an import is committing could not be read: {}", e.getMessage());
            answer = false;
        }
        committing = new Committing(now, answer);
        return answer;
    }

    private static final long COMMITTING_READ_NANOS = 1_000_000_000L;

    /** What {@link #committing()} read last, and when. */
    private record Committing(long readAt, boolean committing) {
    }

    private Committing committing;

    public Optional<Job> find(long id) {
        List<Job> jobs = query("SELECT " + COLUMNS + " FROM import_job WHERE id = ?", id);
        return jobs.stream().findFirst();
    }

    /** The latest jobs first. */
    public List<Job> list(int limit) {
        return query("SELECT " + COLUMNS + " FROM import_job ORDER BY id DESC LIMIT ?", limit);
    }

    private long insert(ImportRequest request) {
        ImportOptions o = request.options();
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(
                "INSERT INTO import_job (source, layer, mode, area, mapping, build_network, lease_owner, lease_until) "
                        + "VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, now() + make_interval(secs => ?)) RETURNING id")) {
            st.setString(1, request.source());
            st.setString(2, request.layer());
            st.setString(3, o.mode().label());
            if (o.area() == null) st.setNull(4, Types.ARRAY);
            else st.setArray(4, c.createArrayOf("float8", new Double[]{o.area().getMinX(), o.area().getMinY(),
                    o.area().getMaxX(), o.area().getMaxY()}));
            st.setString(5, o.mapping().toJson().toString());
            st.setBoolean(6, o.buildNetwork());
            database.leases().bind(st, 7);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("registering the import failed: " + e.getMessage(), e);
        }
    }

    /**
     * Stages the job; with {@code thenCommit}, commits it beside the checks when it can (see {@link #submit}).
     *
     * @return whether the job was committed (and followed up)
     */
    private boolean runStage(long id, ImportRequest request, SourceLayer layer, ImportPipeline.Progress progress,
                             ThenCommit thenCommit) {
        ImportPipeline chosen = pipelineFor(request.options().buildNetwork());
        CadastreCommit.Result committed = null;
        try {
            if (!transition(id, "queued", "staging")) return false;
            ProgressWriter writer = new ProgressWriter(id, progress);
            CommitBesideTheCheck.Request beside = thenCommit == null ? null : new CommitBesideTheCheck.Request(
                    thenCommit.actor(), () -> transition(id, "staging", "committing"));
            ImportPipeline.Staged staged = chosen.stage(id, request.source(), layer, request.options(), writer, beside);
            ImportReport report = staged.report();
            if (staged.commit() != null) committed = committedBeside(id, report, staged.commit());
            // Staging, or committing when a commit beside the checks was begun and rolled back.
            if (committed == null) recordValidated(id, report);
        } catch (ImportException | ShapefileException e) {
            fail(id, told(request, e.getMessage()));
        } catch (Exception e) {
            LOG.error("import {} failed", id, e);
            fail(id, "The import stopped on an internal error (" + e.getClass().getSimpleName() + "); the server log has it.");
        } finally {
            if (request.cleanup() != null) request.cleanup().run();
        }
        // Outside the above: once committed, nothing may mark the job failed.
        if (committed != null) followUp(chosen, id, committed, thenCommit.actor());
        return committed != null;
    }

    /** Records the job validated with its report; a job discarded meanwhile has its staging dropped instead. */
    private void recordValidated(long id, ImportReport report) throws SQLException, JsonProcessingException {
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(
                "UPDATE import_job SET state = 'validated', progress = 100, report = ?::jsonb, staging_table = ?, "
                        + "updated_at = now() WHERE id = ? AND state IN ('staging', 'committing')")) {
            st.setString(1, Json.mapper().writeValueAsString(report));
            st.setString(2, new StagingTable(id).name());
            st.setLong(3, id);
            if (st.executeUpdate() == 0) pipeline.discard(id);
        }
    }

    /**
     * Runs a committed job's follow-up, then records that it ended (a client waits for that to read the open issues).
     * Neither throws: the job is committed whatever happens here, and one whose end could not be recorded (the
     * database away) is ended by the lease sweep ({@link #endCutFollowUps}).
     */
    private void followUp(ImportPipeline chosen, long id, CadastreCommit.Result result, Actor actor) {
        chosen.followUp(id, result, actor);
        try {
            update("UPDATE import_job SET followed_up_at = clock_timestamp() WHERE id = ?", id);
        } catch (RuntimeException e) {
            LOG.warn("import {}: the end of its follow-up was not recorded ({}); the lease sweep will record it", id,
                    e.getMessage());
        }
    }

    /**
     * Commits what was written beside the checks, recording the job committed in the same transaction. Null when
     * that fails (it is rolled back, and logged): the job is then validated and committed the ordinary way, which
     * says why it cannot be if it still cannot.
     */
    private CadastreCommit.Result committedBeside(long id, ImportReport report, CommitBesideTheCheck.Pending written) {
        try (written) {
            return written.commit(report.source(), (c, committed) -> recordCommitted(c, id, report, committed));
        } catch (SQLException | RuntimeException e) {
            LOG.warn("import {}: the commit written beside its check was not committed ({}); committing it again", id,
                    e.getMessage());
            return null;
        }
    }

    private void runCommit(Job job, ImportReport report, boolean skipInvalid, Actor actor) {
        ImportPipeline chosen = pipelineFor(job.buildNetwork());
        CadastreCommit.Result result;
        try {
            Envelope area = job.area() == null ? null
                    : new Envelope(job.area()[0], job.area()[2], job.area()[1], job.area()[3]);
            result = chosen.commit(job.id(), report, ImportMode.parse(job.mode()), area, skipInvalid,
                    actor, (c, committed) -> recordCommitted(c, job.id(), report, committed));
        } catch (ImportException e) {
            backToValidated(job.id(), e.getMessage());
            return;
        } catch (Exception e) {
            LOG.error("commit of import {} failed", job.id(), e);
            backToValidated(job.id(), "The commit stopped on an internal error (" + e.getClass().getSimpleName()
                    + "); nothing was written. The server log has it.");
            return;
        }
        // Only now, and outside the above: a process stopped during the follow-up finds the job committed, as the
        // cadastre is, and nothing the follow-up does can say otherwise.
        followUp(chosen, job.id(), result, actor);
    }

    /**
     * Records the job committed in the commit's own transaction, so that the job says committed exactly when the
     * cadastre holds the import. Refuses (the commit rolls back) when the job is no longer this process's to commit:
     * another instance ended it after this one's lease expired.
     */
    private void recordCommitted(Connection c, long id, ImportReport report, ImportReport.Committed committed)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE import_job SET state = 'committed', report = ?::jsonb, "
                + "staging_table = NULL, error = NULL, updated_at = now(), finished_at = now() "
                + "WHERE id = ? AND state = 'committing' AND lease_owner = ?")) {
            st.setString(1, Json.mapper().writeValueAsString(report.withCommitted(committed)));
            st.setLong(2, id);
            st.setString(3, database.leases().owner());
            if (st.executeUpdate() != 1) {
                throw new ImportException("Import " + id + " was ended by another StreetCad instance while this one "
                        + "committed it (its lease had expired); nothing was written.");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private ImportPipeline pipelineFor(boolean buildNetwork) {
        return buildNetwork ? rawLinePipeline : pipeline;
    }

    /** Ends an import whose owner stopped renewing its lease; see the class comment. */
    private static void endInterrupted(Connection c, long id, String state) throws SQLException {
        if (state.equals("committing") && validated(c, id)) {
            // Its commit would have recorded it committed in the same transaction: nothing was written.
            notCommitted(c, id, "The commit was interrupted (the StreetCad instance running it stopped or lost its "
                    + "database); nothing was written. Commit it again.");
            return;
        }
        // Queued, staging, or committing beside its checks (not yet validated): that commit's transaction is gone.
        new StagingTable(id).drop(c);
        JobLeases.update(c, "UPDATE import_job SET state = 'failed', error = 'Interrupted: the StreetCad instance running this "
                + "import stopped or lost its database before it was validated; nothing was written. Import the file again.', "
                + "staging_table = NULL, lease_owner = NULL, updated_at = now(), finished_at = now() WHERE id = ?", id);
    }

    /** Whether the job was validated: a commit beside its checks is committing before it has a report. */
    private static boolean validated(Connection c, long id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT report IS NOT NULL FROM import_job WHERE id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /**
     * Ends a commit that wrote nothing, in the caller's transaction: the job is back to validated, {@code error} saying
     * why, while its staging table holds what was staged, to be committed again. An unclean restart of the database
     * (a crash, {@code pg_ctl -m immediate}) empties that UNLOGGED table, and a commit of it could only be refused:
     * the job then fails, its staging dropped, asking for the file again.
     */
    private static void notCommitted(Connection c, long id, String error) throws SQLException {
        StagingTable staging = new StagingTable(id);
        long staged;
        try (PreparedStatement st = c.prepareStatement("SELECT coalesce((report #>> '{counts,staged}')::bigint, -1) "
                + "FROM import_job WHERE id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                staged = rs.getLong(1);
            }
        }
        boolean kept = staging.holds(c, staged);
        if (!kept) staging.drop(c);
        try (PreparedStatement st = c.prepareStatement(kept
                ? "UPDATE import_job SET state = 'validated', error = ?, lease_owner = NULL, updated_at = now() WHERE id = ?"
                : "UPDATE import_job SET state = 'failed', error = ?, staging_table = NULL, lease_owner = NULL, "
                        + "updated_at = now(), finished_at = now() WHERE id = ?")) {
            st.setString(1, kept ? error : "Nothing was written, and the staged features are lost: the database "
                    + "restarted uncleanly (a crash), which empties an import's staging table. Import the file again.");
            st.setLong(2, id);
            st.executeUpdate();
        }
    }

    private void fail(long id, String message) {
        pipeline.discard(id);
        update("UPDATE import_job SET state = 'failed', error = ?, staging_table = NULL, updated_at = now(), "
                + "finished_at = now() WHERE id = ?", message, id);
    }

    private void backToValidated(long id, String message) {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                notCommitted(c, id, message);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c);
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("updating the import job table failed: " + e.getMessage(), e);
        }
    }

    private boolean transition(long id, String from, String to) {
        return update("UPDATE import_job SET state = ?, updated_at = now() WHERE id = ? AND state = ?", to, id, from) == 1;
    }

    /** Stands for {@link JobLeases#SET}'s two parameters among {@link #update}'s. */
    private static final Object LEASE = new Object();

    private int update(String sql, Object... params) {
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0, p = 1; i < params.length; i++) {
                if (params[i] == LEASE) p = database.leases().bind(st, p);
                else st.setObject(p++, params[i]);
            }
            return st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("updating the import job table failed: " + e.getMessage(), e);
        }
    }

    private List<Job> query(String sql, Object param) {
        List<Job> out = new ArrayList<>();
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setObject(1, param);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.add(job(rs));
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("reading the import job table failed: " + e.getMessage(), e);
        }
        return out;
    }

    private static Job job(ResultSet rs) throws SQLException, JsonProcessingException {
        Array area = rs.getArray("area");
        double[] box = null;
        if (area != null) {
            Double[] values = (Double[]) area.getArray();
            box = new double[]{values[0], values[1], values[2], values[3]};
        }
        String report = rs.getString("report");
        return new Job(rs.getLong("id"), rs.getString("state"), rs.getString("source"), rs.getString("layer"),
                rs.getString("mode"), box, rs.getBoolean("build_network"), rs.getDouble("progress"), report == null ? null : Json.mapper().readTree(report),
                rs.getString("error"), instant(rs, "created_at"), instant(rs, "updated_at"), instant(rs, "finished_at"),
                instant(rs, "followed_up_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        var t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) LOG.warn("import workers still running at stop");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes reading progress to the job row at most twice a second, and passes it on. */
    private final class ProgressWriter implements ImportPipeline.Progress {
        private final long id;
        private final ImportPipeline.Progress next;
        private long lastWrite;
        private long counted;

        ProgressWriter(long id, ImportPipeline.Progress next) {
            this.id = id;
            this.next = next;
        }

        @Override
        public void read(long done, long total) {
            next.read(done, total);
            // Rows read, for /metrics (rate() of it is the import's rows per second).
            ROWS.increment(Math.max(0, done - counted));
            counted = done;
            long now = System.currentTimeMillis();
            if (total > 0 && now - lastWrite >= PROGRESS_EVERY_MILLIS) {
                lastWrite = now;
                // Reading is most of the work; reprojection and validation take the last tenth.
                update("UPDATE import_job SET progress = ?, updated_at = now() WHERE id = ?",
                        (float) Math.min(90.0, 90.0 * done / total), id);
            }
        }
    }

    /** There is no import with that id. */
    public static final class JobNotFoundException extends RuntimeException {
        public JobNotFoundException(long id) {
            super("There is no import " + id + ".");
        }
    }

    /** The job is not in a state that allows what was asked. */
    public static final class JobStateException extends RuntimeException {
        public JobStateException(String message) {
            super(message);
        }
    }
}
