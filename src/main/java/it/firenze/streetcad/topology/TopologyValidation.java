package it.firenze.streetcad.topology;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.JobLeases;
import it.firenze.streetcad.importer.StagedFindings;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Point;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.DoubleConsumer;

/**
 * Validates the cadastre as stored (all, or the elements meeting a bbox). {@link #run} only reports; a recorded
 * validation ({@link #begin} then {@link #complete}) also replaces the open issues it judged (its rules, in its
 * area) in topology_issue, keeping the acceptances whose fingerprint is unchanged.
 */
public final class TopologyValidation {

    /**
     * The findings of one run and which of them are accepted exceptions.
     *
     * @param areaElements the elements meeting the area, whose findings the run judged wherever they lie; null when
     *                     it validated the whole cadastre
     */
    public record Report(List<Finding> findings, Set<String> acceptedFingerprints, Set<Long> areaElements,
                         int elements, int junctions, long readMillis, long checkMillis, long checkCpuMillis) {

        public boolean isAccepted(Finding f) {
            return acceptedFingerprints.contains(f.fingerprint());
        }

        /** Error-level findings that are not accepted exceptions: what makes {@code streetcad validate} fail. */
        public long openErrors() {
            return findings.stream().filter(f -> f.severity() == Severity.ERROR && !isAccepted(f)).count();
        }

        public Map<Severity, Integer> countsBySeverity() {
            Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
            for (Severity s : Severity.values()) counts.put(s, 0);
            findings.forEach(f -> counts.merge(f.severity(), 1, Integer::sum));
            return counts;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(TopologyValidation.class);
    /** Looked up once: finding the platform's bean again cost as much as validating an element's two ends. */
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static final ValidationOptions NEIGHBOURHOOD = ValidationOptions.defaults()
            .withRules(EnumSet.complementOf(EnumSet.of(Rule.ISLAND)));

    private final Database database;
    private final TopologyReader reader;
    private final ValidationStore validations;
    private final IssueStore issues;
    private final ImportedIssues imported;
    private final TopologyGeoJson geoJson;
    private final DerivedIssues derived;

    public TopologyValidation(Database database) {
        this.database = database;
        this.reader = new TopologyReader(database);
        this.validations = new ValidationStore(database);
        this.issues = new IssueStore(database);
        this.imported = new ImportedIssues(database);
        this.geoJson = new TopologyGeoJson(database);
        this.derived = new DerivedIssues(database.storageSrid());
    }

    /** Validates and reports, changing nothing. */
    public Report run(double[] bboxCrs84, ValidationOptions options, DoubleConsumer progress) throws SQLException {
        return validate(reader.toStorage(bboxCrs84), options, progress);
    }

    /** Validates the elements meeting an area in the storage CRS (all when null), changing nothing. */
    private Report validate(Envelope area, ValidationOptions options, DoubleConsumer progress) throws SQLException {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            // One snapshot: elements and junctions read as of the same moment.
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                return validate(c, area, options, progress);
            } finally {
                Database.rollback(c);
            }
        }
    }

    /** Validates the elements meeting an area (all when null) as the caller's transaction sees them. */
    private Report validate(Connection c, Envelope area, ValidationOptions options, DoubleConsumer progress)
            throws SQLException {
        long start = System.nanoTime();
        List<TopologyLine> lines = reader.elements(c, area);
        Envelope context = area;
        Set<Long> core = null;
        if (area != null) {
            // The elements meeting the area are judged with everything around them: an element whose neighbour lies
            // outside the area is not a dangle.
            core = new HashSet<>();
            context = new Envelope(area);
            for (TopologyLine l : lines) {
                core.add(l.elementId());
                context.expandToInclude(l.geometry().getEnvelopeInternal());
            }
            context.expandBy(options.tolerance() + ValidationOptions.JUNCTION_TOLERANCE);
            lines = reader.elements(c, context);
        }
        Map<Long, Point> junctions = reader.junctions(c, context);
        long read = System.nanoTime();
        // CPU time of this thread as well as wall time: on a shared machine the wall time says more about the
        // neighbours than about the check.
        long cpu = THREADS.getCurrentThreadCpuTime();
        List<Finding> findings = new Validator(options).validate(lines, junctions, context,
                core == null ? null : new Validator.Part(core, area), progress);
        long checked = System.nanoTime();
        long cpuUsed = THREADS.getCurrentThreadCpuTime() - cpu;
        if (options.rules().contains(Rule.ENDPOINT_OFF_JUNCTION)) {
            // The ends without a junction are not the validator's to find: they are read as the view derives them
            // (V28), the elements judged alone, so that the report and its counts say what they said before.
            findings = new ArrayList<>(findings);
            findings.addAll(derived.findings(c, area == null ? null : context, core));
        }
        return new Report(findings, issues.acceptedFingerprints(c, findings), core, lines.size(), junctions.size(),
                (read - start) / 1_000_000, (checked - read) / 1_000_000, cpuUsed / 1_000_000);
    }

    /**
     * Re-validates the neighbourhood of a change (a build's, a fix's, an import's seams) and replaces the open issues
     * there, in a transaction of its own after the change's, leaving the rest of the cadastre's issues as they are.
     * {@code changed} is the extent of the changed elements as they were and as they are
     * (storage CRS); widened by the tolerance, since an end that close to a changed element is an undershoot or an
     * overshoot of it, the elements meeting it are judged with the default options. Not islands: whether a part is
     * one depends on the whole network, which an area does not see, so the last full validation's islands stay.
     * A failure is recorded on the validation, not thrown: the change is made, and the failed validation says that
     * the issues around it were not refreshed.
     *
     * @return the id of the recorded validation; empty when nothing changed
     */
    public OptionalLong revalidate(Envelope changed) throws SQLException {
        if (changed == null || changed.isNull()) return OptionalLong.empty();
        Envelope area = new Envelope(changed);
        area.expandBy(NEIGHBOURHOOD.tolerance());
        // No audit row of its own: it follows the audited change whose neighbourhood it re-validates.
        long id = validations.beginValidation(area, NEIGHBOURHOOD, null);
        try {
            record(id, area, NEIGHBOURHOOD);
        } catch (HeapTooSmallException e) {
            LOG.warn("the open issues around a change were not re-validated (validation {}): {}", id, e.getMessage());
        } catch (SQLException | RuntimeException e) {
            LOG.error("re-validating around a change failed (validation {})", id, e);
        }
        return OptionalLong.of(id);
    }

    /**
     * Records a committed import's open issues from its pre-commit check instead of validating the same lines again:
     * the check judged the staged lines as the cadastre now holds them, so its findings (but islands, as
     * {@link #revalidate}) replace the open issues of the elements the commit touched, in one transaction. Only
     * the seams are validated again: the other live elements within the tolerance of what the commit touched
     * (and the pieces a replace cut off at its edge), by {@link #revalidate} of each {@link #SEAM_CELL} cell they
     * fall in (none after a commit into an empty cadastre). Failures are recorded and logged like
     * {@link #revalidate}'s.
     *
     * @return the ids of the recorded validations: the recording first, then one per seam cell
     */
    public List<Long> record(Envelope changed, StagedFindings recorded) throws SQLException {
        if (changed == null || changed.isNull()) return List.of();
        Envelope area = new Envelope(changed);
        area.expandBy(NEIGHBOURHOOD.tolerance());
        long id = validations.beginValidation(area, NEIGHBOURHOOD, null);
        List<Long> ids = new ArrayList<>(List.of(id));
        try (JobLeases.Lease lease = database.leases().hold("topology_validation", id)) {
            imported.recordStagedIssues(id, area, NEIGHBOURHOOD.rules(), recorded);
        } catch (SQLException | RuntimeException e) {
            LOG.error("recording the open issues of an import failed (validation {})", id, e);
            validations.failValidation(id, e.getMessage() == null ? e.toString() : e.getMessage());
            return ids;
        }
        // Looking for seams reads every live element around the import (0.1-0.3 s of Florence's, 3 s of a million
        // lines'): not when there is none but its own.
        if (recorded.meetsNoOtherElement()) return ids;
        for (Envelope seam : imported.seams(area, recorded, NEIGHBOURHOOD.tolerance() + ValidationOptions.JUNCTION_TOLERANCE,
                SEAM_CELL)) {
            revalidate(seam).ifPresent(ids::add);
        }
        return ids;
    }

    /** The side (metres) of the cells the seams of an import are validated in, one validation each. */
    static final double SEAM_CELL = 500;

    /** An open finding as an edit's answer names it. */
    public record OpenIssue(String fingerprint, String rule, String severity, String explanation, List<Long> elementIds) {
    }

    /**
     * What re-validating around an edit changed: the validation recorded, whether it ran ({@code succeeded}) or not
     * ({@code failed}: the issues there were not refreshed), the open findings it raised and closed.
     */
    public record Around(OptionalLong validationId, String status, List<OpenIssue> raised, List<OpenIssue> closed) {
    }

    /**
     * Re-validates where an edit can have changed the findings ({@link EditReach}), in the edit's own transaction, so
     * that the edit, its validation and the issues it raised and closed are saved together or not at all. Each
     * re-validation first locks the ground it judges ({@link GroundLocks#lockGround}) until the transaction ends:
     * two edits over the same ground are judged one after the other, the second with the first's change (under read
     * committed, every statement after the lock sees what committed before it), so neither records findings made
     * without the other's change. A validator's failure is recorded as a failed validation (the issues there stay
     * as they were); the database's is thrown, and the edit with it.
     */
    public Around revalidateEdit(Connection c, EditReach reach) throws SQLException {
        return switch (reach) {
            case EditReach.Around a -> revalidateAround(c, a.changed());
            case EditReach.Ends e -> revalidateEnds(c, e.elementId(), e.extent());
            case EditReach.Nowhere n -> UNCHANGED;
        };
    }

    /**
     * Re-validates an edit's neighbourhood as {@link #revalidate} does, and answers the open findings it raised or
     * closed (by fingerprint, which a finding keeps across validations while its rule, place and elements stay the
     * same). A neighbourhood takes milliseconds, so it needs no running state, lease or progress.
     */
    private Around revalidateAround(Connection c, Envelope changed) throws SQLException {
        Envelope area = new Envelope(changed);
        area.expandBy(NEIGHBOURHOOD.tolerance());
        GroundLocks.lockGround(c, area);
        Instant started = Instant.now();
        Report report;
        try {
            report = validate(c, area, NEIGHBOURHOOD, progress -> { });
        } catch (HeapTooSmallException e) {
            LOG.warn("the open issues around an edit were not re-validated: {}", e.getMessage());
            return failed(c, area, NEIGHBOURHOOD, started, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("re-validating around an edit failed", e);
            return failed(c, area, NEIGHBOURHOOD, started, e.toString());
        }
        Around stored = validations.recordNeighbourhood(c, area, NEIGHBOURHOOD, started, report);
        return withDerived(c, area, stored);
    }

    /**
     * An edit's raised and closed findings with the derived ones (V28), which no validation records: those open in
     * the area now and not before the edit's transaction are raised, those open before and not now closed, as the
     * stored ones they replace used to be.
     */
    private Around withDerived(Connection c, Envelope area, Around stored) throws SQLException {
        List<OpenIssue> before = derived.open(c, area, true), now = derived.open(c, area, false);
        Set<String> was = new HashSet<>(), is = new HashSet<>();
        before.forEach(i -> was.add(i.fingerprint()));
        now.forEach(i -> is.add(i.fingerprint()));
        List<OpenIssue> raised = new ArrayList<>(stored.raised()), closed = new ArrayList<>(stored.closed());
        now.stream().filter(i -> !was.contains(i.fingerprint())).forEach(raised::add);
        before.stream().filter(i -> !is.contains(i.fingerprint())).forEach(closed::add);
        return new Around(stored.validationId(), stored.status(), raised, closed);
    }

    private static final Around UNCHANGED = new Around(OptionalLong.empty(), "unchanged", List.of(), List.of());

    /**
     * The rules whose findings at an element's ends follow from its attributes rather than its line: whether the
     * element met there could be one with it, whether one-way traffic can leave.
     */
    private static final ValidationOptions AT_ENDS = ValidationOptions.defaults().withRules(
            EnumSet.of(Rule.MERGEABLE_PSEUDO_NODE, Rule.PSEUDO_NODE, Rule.ONE_WAY_DEAD_END));

    /**
     * Re-validates the findings at an element's two ends by {@link #AT_ENDS}'s rules, judged with every element that
     * ends or passes there (an end on another's interior is no pseudo-node), and replaces the open issues of those
     * rules there, in the caller's transaction. The ends are spots of {@link ValidationOptions#JUNCTION_TOLERANCE}
     * around each end, for the elements read and for the findings and issues judged alike. A validator's failure is
     * recorded as a failed validation (the issues there stay as they were); the database's is thrown.
     * {@code extent} is the element's line's, whose ground is locked first.
     */
    private Around revalidateEnds(Connection c, long elementId, Envelope extent) throws SQLException {
        Envelope ground = new Envelope(extent);
        ground.expandBy(ValidationOptions.JUNCTION_TOLERANCE);
        GroundLocks.lockGround(c, ground);
        Instant started = Instant.now();
        List<TopologyLine> lines = reader.elementsAtEnds(c, elementId, ValidationOptions.JUNCTION_TOLERANCE);
        TopologyLine edited = lines.stream().filter(l -> l.elementId() == elementId).findFirst().orElse(null);
        if (edited == null) return UNCHANGED;
        Coordinate[] line = edited.geometry().getCoordinates();
        List<Envelope> spots = new ArrayList<>();
        for (Coordinate end : List.of(line[0], line[line.length - 1])) {
            Envelope spot = new Envelope(end);
            spot.expandBy(ValidationOptions.JUNCTION_TOLERANCE);
            spots.add(spot);
        }
        List<Finding> findings;
        long cpu = THREADS.getCurrentThreadCpuTime();
        try {
            findings = new Validator(AT_ENDS).validate(lines, null, null, new Validator.Spots(spots), progress -> { });
        } catch (RuntimeException e) {
            LOG.error("re-validating the ends of element {} failed", elementId, e);
            return failed(c, ValidationStore.extent(spots), AT_ENDS, started, e.toString());
        }
        long cpuUsed = THREADS.getCurrentThreadCpuTime() - cpu;
        // Judged by spot, not by element: the issues replaced are those at the spots, whatever they are about.
        Report report = new Report(findings, issues.acceptedFingerprints(c, findings), Set.of(), lines.size(), 0, 0, 0,
                cpuUsed / 1_000_000);
        return validations.recordSpots(c, spots, AT_ENDS, started, report);
    }

    private Around failed(Connection c, Envelope area, ValidationOptions options, Instant started, String error)
            throws SQLException {
        return new Around(OptionalLong.of(validations.recordFailed(c, area, options, started, error)), "failed", List.of(),
                List.of());
    }

    /** Records a validation about to run and returns its id, for a client to follow its progress. */
    public long begin(double[] bboxCrs84, ValidationOptions options, Actor actor) throws SQLException {
        return validations.beginValidation(reader.toStorage(bboxCrs84), options, actor);
    }

    /**
     * Runs a recorded validation: progress is written as it goes; at the end the open issues of the area are
     * replaced by the findings, in one transaction. A failure is recorded on the validation and rethrown.
     */
    public Report complete(long validationId, double[] bboxCrs84, ValidationOptions options) throws SQLException {
        return record(validationId, reader.toStorage(bboxCrs84), options);
    }

    private Report record(long validationId, Envelope area, ValidationOptions options) throws SQLException {
        try (JobLeases.Lease lease = database.leases().hold("topology_validation", validationId)) {
            Report report = validate(area, options, progress -> validations.progress(validationId, 0.9 * progress));
            validations.replaceIssues(validationId, area, options.rules(), report);
            return report;
        } catch (SQLException | RuntimeException e) {
            validations.failValidation(validationId, e.getMessage() == null ? e.toString() : e.getMessage());
            throw e;
        }
    }

    /** The state of a recorded validation as JSON text, or null when there is none with that id. */
    public String validationJson(long id) throws SQLException {
        return validations.validationJson(id);
    }

    /** Marks an issue as an accepted exception, by the actor; false when there is no such issue. */
    public boolean accept(long issueId, String note, Actor actor) throws SQLException {
        return issues.accept(issueId, note, actor);
    }

    /** The stored issues matching the query, as a GeoJSON FeatureCollection in CRS84. */
    public String issuesGeoJson(IssueQuery query) throws SQLException {
        return issues.issuesGeoJson(query, reader.toStorage(query.bboxCrs84()));
    }

    /** The findings' locations as CRS84 GeoJSON geometries, in order (for reports of findings not stored). */
    public List<String> locationsAsGeoJson(List<Finding> findings) throws SQLException {
        return geoJson.toGeoJson(findings.stream().map(Finding::location).toList());
    }

    /** A filter over the stored issues; null fields do not filter. */
    public record IssueQuery(String rule, Severity severity, double[] bboxCrs84, Long elementId, Boolean accepted,
                             int limit) {
    }
}
