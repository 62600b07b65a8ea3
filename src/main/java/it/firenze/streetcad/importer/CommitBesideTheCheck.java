package it.firenze.streetcad.importer;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Audit;
import it.firenze.streetcad.db.Database;
import org.locationtech.jts.geom.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * An import's commit written while its checks run, for a client that asked for the commit with the upload: the
 * checks' findings are reported, never a reason to leave a feature out (see {@link ImportPipeline#stage}), so when
 * every feature is valid the commit they would be followed by is already known. The checks are the server's Java
 * and the commit is PostgreSQL's work, so on two cores each has one (BENCHMARKS.md, issue 17, session 17).
 *
 * <p>The commit's transaction stays open until the checks have ended and {@link Pending#commit} records what was done
 * in it; anything else rolls it back, leaving the cadastre and the staged features as they were. It reads the staging
 * table beside the checks and drops it only when committing, after the checks' own transaction has let it go.
 */
final class CommitBesideTheCheck {

    private static final Logger LOG = LoggerFactory.getLogger(CommitBesideTheCheck.class);

    /**
     * What the client asked: the commit by {@code actor}, begun only when {@code begin} says the job may still be
     * committed (it records that it is committing).
     */
    record Request(Actor actor, BooleanSupplier begin) {
    }

    private final CompletableFuture<Pending> written = new CompletableFuture<>();

    private CommitBesideTheCheck() {
    }

    /**
     * Starts writing the staged features into the cadastre on a thread and connection of its own. The staging table
     * must be complete, every feature valid, and the table of the checks' kept findings (when they keep them) made:
     * the commit maps the findings' features to elements only when that table is there.
     */
    static CommitBesideTheCheck start(Database database, long jobId, StagingTable staging, ImportMode mode, Envelope area,
                                      Request request) {
        CommitBesideTheCheck commit = new CommitBesideTheCheck();
        Thread.ofPlatform().daemon().name("streetcad-import-commit-" + jobId).start(() -> {
            long started = System.nanoTime();
            Connection c = null;
            try {
                if (!request.begin().getAsBoolean()) {
                    commit.written.complete(null);
                    return;
                }
                c = database.connection();
                c.setAutoCommit(false);
                Audit.bind(c, request.actor());
                CadastreCommit.Result result = CadastreCommit.apply(c, staging, mode, area, database.storageSrid(), started);
                commit.written.complete(new Pending(c, jobId, staging, request.actor(), result));
            } catch (SQLException | RuntimeException e) {
                if (c != null) Pending.release(c);
                commit.written.completeExceptionally(e);
            }
        });
        return commit;
    }

    /**
     * Waits for the commit's writing to end. Null when it was not begun or failed (the failure is logged, and its
     * transaction rolled back): the import is then committed, or refused with the reason, the ordinary way.
     */
    Pending awaitWritten(long jobId) {
        try {
            return written.join();
        } catch (RuntimeException e) {
            LOG.warn("import {}: the commit beside its check failed, nothing of it was written; committing after the check",
                    jobId, e.getCause() == null ? e : e.getCause());
            return null;
        }
    }

    /** Waits for the commit's writing to end and rolls it back: the checks failed, so the import is not committed. */
    void abandon(long jobId) {
        Pending pending = awaitWritten(jobId);
        if (pending != null) pending.close();
    }

    /** A commit written and not yet committed: its transaction stays open until {@link #commit} or {@link #close}. */
    static final class Pending implements AutoCloseable {
        private final Connection c;
        private final long jobId;
        private final StagingTable staging;
        private final Actor actor;
        private final CadastreCommit.Result result;

        private Pending(Connection c, long jobId, StagingTable staging, Actor actor, CadastreCommit.Result result) {
            this.c = c;
            this.jobId = jobId;
            this.staging = staging;
            this.actor = actor;
            this.result = result;
        }

        /** Drops the staged features, records the commit ({@code outcome} refusing rolls it all back) and commits. */
        CadastreCommit.Result commit(String source, ImportPipeline.CommitOutcome outcome) throws SQLException {
            staging.dropFeatures(c);
            ImportPipeline.recordCommit(c, jobId, actor, source, result.committed(), outcome);
            c.commit();
            return result;
        }

        /** Rolls back what was not committed, and gives the connection back. */
        @Override
        public void close() {
            release(c);
        }

        private static void release(Connection c) {
            try (c) {
                Database.restoreAutoCommit(c);
            } catch (SQLException e) {
                LOG.warn("ending the transaction of a commit beside its check failed: {}", e.getMessage());
            }
        }
    }
}
