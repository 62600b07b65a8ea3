package it.firenze.streetcad.topology;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.importer.PreCommitCheck;
import it.firenze.streetcad.importer.StagedFindings;
import org.locationtech.jts.geom.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An append's findings recorded as open issues while its commit writes the elements, on two backends at once
 * (the two stages ran one after the other, each keeping one core busy while the other idled; BENCHMARKS.md, issue
 * 17 session 14). The element ids were drawn before the commit, so the issues can name them before the elements
 * exist; the validation they belong to is begun in the commit's own transaction ({@link #enlist}), and the issues'
 * transaction commits only after the commit's has, or rolls back when it fails. So what a stop of the server or of
 * the database leaves at any instant is what the recording after the commit left: nothing, or the committed
 * elements with a running validation that the leases end as failed, "the open issues are as they were before it".
 *
 * <p>The issues' transaction waits for the commit in Java, which PostgreSQL's deadlock detector cannot see: were the
 * commit ever to wait on a lock the issues' transaction holds (through a third transaction), neither would move. So
 * while it waits it watches the commit's backend, and when that has waited on a lock for
 * {@link #COMMIT_BLOCKED_MILLIS} it rolls back, releasing whatever it held, and the issues are recorded after the
 * commit, as they were before this.
 */
final class IssuesBesideCommit implements PreCommitCheck.Beside {

    private static final Logger LOG = LoggerFactory.getLogger(IssuesBesideCommit.class);

    /** How long the commit may wait on a lock before the issues' transaction steps aside (PostgreSQL's own deadlock_timeout). */
    static final long COMMIT_BLOCKED_MILLIS = 1000;
    /** How often the waiting transaction looks at the commit's backend. */
    private static final long LOOK_MILLIS = 100;

    /** How the issues' transaction ended. */
    enum Outcome {
        /** Committed after the commit, with the validation succeeded. */
        RECORDED,
        /** Rolled back because the commit waited on a lock: the issues are to be recorded after the commit. */
        STEPPED_ASIDE,
        /** Rolled back because the commit failed or changed nothing. */
        ABANDONED
    }

    /** Records in a begun validation as {@link TopologyValidation#recorded} does. */
    @FunctionalInterface
    interface FollowUp {
        List<Long> record(long validationId, Envelope changed, TopologyValidation.Recording recording) throws SQLException;
    }

    private final Database database;
    private final ValidationStore validations;
    private final ImportedIssues imported;
    private final ValidationOptions options;
    private final StagedFindings recorded;
    private final int commitBackend;
    private final FollowUp followUp;
    private final long validationId;
    /** Completed with whether the commit committed with this recording's validation in it. */
    private final CompletableFuture<Boolean> commit = new CompletableFuture<>();
    private final FutureTask<Outcome> issues = new FutureTask<>(this::insertIssues);
    private volatile boolean enlisted;

    IssuesBesideCommit(Database database, ValidationStore validations, ImportedIssues imported, ValidationOptions options,
                       StagedFindings recorded, int commitBackend, FollowUp followUp) throws SQLException {
        this.database = database;
        this.validations = validations;
        this.imported = imported;
        this.options = options;
        this.recorded = recorded;
        this.commitBackend = commitBackend;
        this.followUp = followUp;
        this.validationId = validations.drawValidationId();
        Thread.ofPlatform().daemon().name("streetcad-import-issues").start(issues);
    }

    /** The validation, begun under the id the issues already name. Nothing is recorded for a commit that changed nothing. */
    @Override
    public void enlist(Connection commitTransaction, Envelope changed) throws SQLException {
        if (changed == null || changed.isNull()) return;
        validations.beginValidation(commitTransaction, validationId, TopologyValidation.neighbourhood(changed), options);
        enlisted = true;
    }

    @Override
    public void committed() {
        commit.complete(enlisted);
    }

    @Override
    public void abandon() {
        commit.complete(false);
        try {
            outcome();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("the issues recorded beside a failed commit did not roll back cleanly: {}", e.toString());
        }
    }

    @Override
    public void followUp(Envelope changed) throws SQLException {
        if (!enlisted) {
            abandon();
            return;
        }
        followUp.record(validationId, changed, () -> {
            if (outcome() == Outcome.STEPPED_ASIDE) imported.recordStagedIssues(validationId, options.rules(), recorded);
        });
    }

    /** Waits for the issues' transaction to end; throws what ended it when it failed. */
    Outcome outcome() throws SQLException {
        try {
            return issues.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the issues of an import were recorded", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException s) throw s;
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** On the recording's own thread and connection: the issues inserted, then held until the commit's outcome. */
    private Outcome insertIssues() throws SQLException {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    // The validation the issues name is the commit's to insert: checked when this commits, after it.
                    st.execute("SET CONSTRAINTS topology_issue_validation_id_fkey DEFERRED");
                }
                // With the issues' indexes kept up to date (never a first load's rebuild, which would have to wait
                // for the commit): more work, but done while the commit writes, on the other core.
                imported.replaceIssues(c, validationId, options.rules(), recorded, false);
                Outcome waited = awaitCommit(c);
                if (waited != Outcome.RECORDED) {
                    Database.rollback(c);
                    return waited;
                }
                try (Connection afterTheCommit = database.connection()) {
                    imported.succeed(c, afterTheCommit, validationId, recorded);
                }
                c.commit();
                return Outcome.RECORDED;
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c);
                throw e;
            }
        }
    }

    /** The commit's outcome, or {@link Outcome#STEPPED_ASIDE} once it has waited on a lock too long. */
    private Outcome awaitCommit(Connection c) throws SQLException {
        long blockedSince = -1;
        try (PreparedStatement blocked = c.prepareStatement("SELECT cardinality(pg_blocking_pids(?)) > 0")) {
            blocked.setInt(1, commitBackend);
            while (true) {
                try {
                    return commit.get(LOOK_MILLIS, TimeUnit.MILLISECONDS) ? Outcome.RECORDED : Outcome.ABANDONED;
                } catch (TimeoutException e) {
                    // still committing: look whether it waits on a lock
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Outcome.STEPPED_ASIDE;
                } catch (ExecutionException e) {
                    return Outcome.ABANDONED;
                }
                boolean waiting;
                try (ResultSet rs = blocked.executeQuery()) {
                    waiting = rs.next() && rs.getBoolean(1);
                }
                long now = System.nanoTime();
                if (!waiting) blockedSince = -1;
                else if (blockedSince < 0) blockedSince = now;
                else if (now - blockedSince >= TimeUnit.MILLISECONDS.toNanos(COMMIT_BLOCKED_MILLIS)) {
                    LOG.warn("the commit waited on a lock for {} ms while its issues were being recorded (validation {}): "
                            + "they are recorded after it instead", COMMIT_BLOCKED_MILLIS, validationId);
                    return Outcome.STEPPED_ASIDE;
                }
            }
        }
    }
}
