package it.firenze.streetcad.importer;

import it.firenze.streetcad.access.Audit;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.importer.report.Note;
import it.firenze.streetcad.importer.report.ReportCode;
import it.firenze.streetcad.importer.shapefile.AreaOfUse;
import it.firenze.streetcad.importer.shapefile.ShapeRecord;
import it.firenze.streetcad.db.Database;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.MultiLineString;
import org.locationtech.jts.io.WKTWriter;
import org.locationtech.jts.operation.linemerge.LineMerger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Read → map → stage with COPY → reproject in PostGIS → validate → report; then commit in one transaction or
 * discard. Nothing touches road_element or road before {@link #commit}, and a commit either happens whole or not
 * at all, so a failed or discarded import leaves the cadastre as it was.
 */
public final class ImportPipeline {

    /** Told how far reading has come; {@code total} is -1 when the source does not announce its size. */
    public interface Progress {
        void read(long done, long total);

        Progress NONE = (done, total) -> { };
    }

    private static final Logger LOG = LoggerFactory.getLogger(ImportPipeline.class);

    private final Database database;
    private final List<PreCommitCheck> checks;

    public ImportPipeline(Database database, List<PreCommitCheck> checks) {
        this.database = database;
        this.checks = List.copyOf(checks);
    }

    /**
     * Stages and validates {@code layer} into the job's staging table and reports on it. The staging table stays
     * for {@link #commit} or {@link #discard}; on failure it is dropped and an {@link ImportException} says why.
     */
    public ImportReport stage(long jobId, String source, SourceLayer layer, ImportOptions options, Progress progress) {
        return stage(jobId, source, layer, options, progress, null).report();
    }

    /**
     * What staging did: its report, and the import's commit when it was written beside the checks, its transaction
     * open for the caller to record it in and commit (or close, rolling it back).
     */
    record Staged(ImportReport report, CommitBesideTheCheck.Pending commit) {
    }

    /**
     * As {@link #stage(long, String, SourceLayer, ImportOptions, Progress)}; with {@code commitBeside} not null and every
     * feature valid, the commit is written while the checks run ({@link CommitBesideTheCheck}) and handed back open.
     * When it is not (an invalid feature, or the commit could not begin or failed) the report says nothing of it and
     * the import is committed the ordinary way, after the checks.
     */
    Staged stage(long jobId, String source, SourceLayer layer, ImportOptions options, Progress progress,
                 CommitBesideTheCheck.Request commitBeside) {
        long started = System.nanoTime();
        int sourceSrid = preflight(source, layer);
        StagingTable staging = new StagingTable(jobId);
        ProblemLog log = new ProblemLog();
        try (Connection c = database.connection()) {
            staging.create(c);
            long read;
            long copying = System.nanoTime();
            try {
                read = copy(c, staging, layer, sourceSrid, options.mapping(), log, progress);
            } catch (RuntimeException e) {
                staging.drop(c);
                throw e;
            }
            long copied = System.nanoTime();
            try {
                staging.reproject(c, database.storageSrid());
            } catch (SQLException e) {
                staging.drop(c);
                throw new ImportException("Moving " + source + " from EPSG:" + sourceSrid + " to the storage CRS EPSG:"
                        + database.storageSrid() + " failed (" + e.getMessage().strip() + "). Check that EPSG:" + sourceSrid
                        + " is really the CRS of the data (--srid).");
            }
            long reprojected = System.nanoTime();
            List<Note> notices = new ArrayList<>(layer.notices());
            notices.addAll(options.mapping().caseVariants(layer.fields()));
            ImportReport.Extent extent = staging.extentLonLat(c, database.storageSrid());
            notices.addAll(implausibilities(c, extent, sourceSrid, layer.sridSource()));
            Set<Long> rejected = new LinkedHashSet<>();
            record(log, rejected, staging.invalidGeometries(c));
            if (options.mode() == ImportMode.UPSERT) {
                record(log, rejected, staging.unusableSourceKeys(c, options.mapping().sources(TargetField.SOURCE_KEY)));
            }
            long checking = System.nanoTime();
            CommitBesideTheCheck[] beside = new CommitBesideTheCheck[1];
            CommitBesideTheCheck.Pending pending = null;
            FindingLog findings;
            try {
                findings = runChecks(c, staging, () -> {
                    // Only when no feature is left out (the commit then writes exactly what the checks judge) and
                    // no check reads what the commit locks.
                    if (commitBeside != null && log.errors == 0
                            && checks.stream().allMatch(PreCommitCheck::readsOnlyTheStagedLines)) {
                        beside[0] = CommitBesideTheCheck.start(database, jobId, staging, options.mode(), options.area(),
                                commitBeside);
                    }
                });
            } catch (SQLException | RuntimeException e) {
                if (beside[0] != null) beside[0].abandon(jobId);
                throw e;
            }
            long checked = System.nanoTime();
            if (beside[0] != null) pending = beside[0].awaitWritten(jobId);
            long written = System.nanoTime();
            try {
                staging.reject(c, rejected);
                long[] counts = staging.counts(c);
                // A commit already written needs no plan: the plan is a preview of it for the technician.
                ImportReport.Committed planned = options.mode() == ImportMode.APPEND || pending != null ? null
                        : plan(c, staging, options.mode(), options.area());
                // Where the time went, for benchmarks (bench/import.sh) and for a technician asking why an import is slow.
                LOG.info("import {}: staging table made in {} s, read and copied in {} s, reprojected in {} s, extent, "
                        + "geometries and keys checked in {} s, topology checked in {} s{}, planned in {} s", jobId,
                        seconds(started, copying), seconds(copying, copied), seconds(copied, reprojected),
                        seconds(reprojected, checking), seconds(checking, checked), pending == null ? ""
                                : ", the commit written beside it done " + seconds(checked, written) + " s after it",
                        seconds(written, System.nanoTime()));
                return new Staged(new ImportReport(source, layer.name(), options.mapping().name(), options.mode().label(),
                        new ImportReport.Crs(sourceSrid, layer.sridSource(), database.storageSrid()),
                        new ImportReport.Encoding(layer.charset(), layer.charsetSource()), zm(layer),
                        new ImportReport.Counts(read, layer.deletedFeatures(), counts[0], counts[1], log.errors, log.warnings),
                        log.listed(), log.byField, findings.listed("EPSG:" + database.storageSrid()), findings.bySeverity,
                        findings.byRule, (System.nanoTime() - started) / 1e9, extent, List.copyOf(notices), planned, null),
                        pending);
            } catch (SQLException | RuntimeException e) {
                // before the staging table is dropped below, which waits for the commit's transaction to let it go
                if (pending != null) pending.close();
                throw e;
            }
        } catch (SQLException e) {
            dropQuietly(staging);
            throw new ImportException("The database refused the staging of " + source + ": " + e.getMessage().strip());
        } catch (RuntimeException e) {
            dropQuietly(staging);
            throw e;
        }
    }

    /**
     * What can be told from the layer's headers alone, before any feature is read: it must hold lines and have a
     * known CRS. Returns the EPSG code of its coordinates.
     */
    public static int preflight(String source, SourceLayer layer) {
        if (!layer.holdsLines()) {
            throw new ImportException("file", "The layer '" + layer.name() + "' of " + source + " holds " + layer.geometryType()
                    + " geometries; road elements are lines (PolyLine), so it cannot be imported as roads.");
        }
        return layer.srid().orElseThrow(() -> new ImportException("srid", "The CRS of '" + layer.name() + "' in " + source
                + " is unknown (" + layer.sridSource() + "). Give its EPSG code with --srid (HTTP: the srid field), "
                + "for example --srid 3003 for Monte Mario / Gauss-Boaga zone 1."));
    }

    /**
     * Warnings when the reprojected lines land where the cadastre's data cannot be: outside the storage CRS's area of
     * use, or far from the elements the cadastre already has. Both mean, almost always, a wrong source CRS (Gauss-Boaga
     * coordinates read as UTM), which reprojects without any error.
     */
    private List<Note> implausibilities(Connection c, ImportReport.Extent extent, int sourceSrid, String sridSource)
            throws SQLException {
        if (extent == null) return List.of();
        List<Note> out = new ArrayList<>();
        String check = "; check that EPSG:" + sourceSrid + " (" + sridSource + ") is really the CRS of the data";
        int storage = database.storageSrid();
        AreaOfUse.of(storage).filter(a -> !a.contains(extent.minLon(), extent.minLat(), extent.maxLon(), extent.maxLat()))
                .ifPresent(a -> out.add(new Note(ReportCode.OUTSIDE_AREA_OF_USE, String.format(Locale.ROOT, "the data "
                        + "lands at %s, outside the area of use of the storage CRS EPSG:%d (%s: lon %.2f to %.2f, lat %.2f "
                        + "to %.2f)%s", extent, storage, a.name(), a.west(), a.east(), a.south(), a.north(), check))));
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), "
                + "ST_YMax(b) FROM (SELECT ST_Transform(ST_SetSRID(ST_Extent(geom)::geometry, " + storage + "), 4326) AS b "
                + "FROM live_road_element) q WHERE b IS NOT NULL")) {
            if (rs.next()) {
                ImportReport.Extent cadastre = new ImportReport.Extent(rs.getDouble(1), rs.getDouble(2), rs.getDouble(3),
                        rs.getDouble(4));
                double km = FAR_DEGREES_KM * Math.hypot(gap(extent.minLon(), extent.maxLon(), cadastre.minLon(), cadastre.maxLon())
                        * Math.cos(Math.toRadians((cadastre.minLat() + cadastre.maxLat()) / 2)),
                        gap(extent.minLat(), extent.maxLat(), cadastre.minLat(), cadastre.maxLat()));
                if (km > FAR_KM) {
                    out.add(new Note(ReportCode.FAR_FROM_CADASTRE, String.format(Locale.ROOT, "the data lands at %s, "
                            + "about %.0f km from the cadastre's elements (%s)%s", extent, km, cadastre, check)));
                }
            }
        }
        return out;
    }

    private static String seconds(long fromNanos, long toNanos) {
        return String.format(Locale.ROOT, "%.2f", (toNanos - fromNanos) / 1e9);
    }

    /** Kilometres per degree of latitude, and how far from the cadastre new data is suspicious. */
    private static final double FAR_DEGREES_KM = 111.2;
    private static final double FAR_KM = 50;

    /** The gap between two intervals (0 when they overlap). */
    private static double gap(double aMin, double aMax, double bMin, double bMax) {
        return Math.max(0, Math.max(aMin - bMax, bMin - aMax));
    }

    /**
     * Refuses, before an import is registered, a source whose CRS PostGIS does not know or cannot transform to the
     * storage CRS (one with no transformation to it): the import would be queued and fail while staging.
     *
     * @throws ImportException naming srid
     */
    void checkCrs(String source, SourceLayer layer) {
        int srid = preflight(source, layer);
        String tell = "EPSG:" + srid + " (the CRS of " + source + ", " + layer.sridSource() + ")";
        try (Connection c = database.connection()) {
            try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM spatial_ref_sys WHERE srid = ?")) {
                st.setInt(1, srid);
                try (var rs = st.executeQuery()) {
                    if (!rs.next()) {
                        throw new ImportException("srid", tell + " is not known to PostGIS; give the right EPSG code "
                                + "with --srid (HTTP: the srid field).");
                    }
                }
            }
            // An empty point has no coordinates to fail on: only forming the transformation can.
            try (PreparedStatement st = c.prepareStatement("SELECT ST_Transform(ST_SetSRID('POINT EMPTY'::geometry, ?), ?)")) {
                st.setInt(1, srid);
                st.setInt(2, database.storageSrid());
                st.executeQuery().close();
            } catch (SQLException e) {
                if (!"XX000".equals(e.getSQLState())) throw e;  // PostGIS's own error; any other is the database's
                throw new ImportException("srid", tell + " cannot be transformed to the storage CRS EPSG:"
                        + database.storageSrid() + " (" + e.getMessage().strip() + "); give the right EPSG code with "
                        + "--srid (HTTP: the srid field).");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("checking the CRS of " + source + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Reads, maps and stages the features. The source is read and decoded on a thread of its own while this one maps
     * and encodes the rows (and the database takes the COPY): each was about half of this stage's time on one core.
     */
    private static long copy(Connection c, StagingTable staging, SourceLayer layer, int srid, Mapping mapping,
                             ProblemLog log, Progress progress) throws SQLException {
        long total = layer.featureCount();
        long read = 0;
        StagingTable.Copy copy = staging.copy(c);
        Handoff<ShapeRecord> records = new Handoff<>(512, 8);
        try (SourceLayer.Features features = layer.features()) {
            Thread reader = Thread.ofPlatform().daemon().name("streetcad-source-reader").start(() -> {
                try {
                    while (features.hasNext()) records.put(features.next());
                    records.close();
                } catch (Handoff.Abandoned e) {
                    // the stage stopped: nothing more to read for
                } catch (Throwable e) {
                    records.fail(e);
                }
            });
            try {
                for (List<ShapeRecord> batch = records.take(); batch != null; batch = records.take()) {
                    for (ShapeRecord f : batch) {
                        read++;
                        List<ImportProblem> problems = new ArrayList<>(0);
                        LineString line = line(f, problems);
                        Mapping.MappedAttributes values = mapping.apply(f.featureNumber(), f.attributes(), f.vertexValues());
                        problems.addAll(values.problems());
                        boolean rejected = false;
                        for (ImportProblem p : problems) {
                            log.add(p);
                            rejected |= p.severity() == ImportProblem.Severity.ERROR;
                        }
                        copy.row(f.featureNumber(), line, srid, values, rejected);
                        if ((read & 1023) == 0) progress.read(read, total);
                    }
                }
                copy.finish();
            } catch (RuntimeException | SQLException e) {
                records.abandon();
                copy.cancel();
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                records.abandon();
                copy.cancel();
                throw new ImportException("The import of " + layer.name() + " was interrupted while reading it.");
            } finally {
                // the layer's counts (deleted records) are read after this, and the source closed: the reader is done
                joinQuietly(reader);
            }
        }
        progress.read(read, total);
        return read;
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The feature as one line, or null with the reason; parts that join end to end are merged. */
    static LineString line(ShapeRecord f, List<ImportProblem> problems) {
        Geometry g = f.geometry();
        if (g == null || g.isEmpty()) {
            problems.add(ImportProblem.error(f.featureNumber(), "geometry", ReportCode.NULL_SHAPE,
                    "null shape: the feature has no line"));
            return null;
        }
        if (g instanceof LineString l) return l;
        if (g instanceof MultiLineString m) {
            LineMerger merger = new LineMerger();
            merger.add(m);
            @SuppressWarnings("unchecked")
            Collection<LineString> merged = merger.getMergedLineStrings();
            if (merged.size() == 1) return merged.iterator().next();
            problems.add(ImportProblem.error(f.featureNumber(), "geometry", ReportCode.PARTS_NOT_JOINED,
                    "a line of " + m.getNumGeometries()
                    + " parts that do not join end to end: a road element is one line, split the feature"));
            return null;
        }
        problems.add(ImportProblem.error(f.featureNumber(), "geometry", ReportCode.NOT_A_LINE,
                "a " + g.getGeometryType() + " is not a road line"));
        return null;
    }

    private static void record(ProblemLog log, Set<Long> rejected, List<ImportProblem> problems) {
        for (ImportProblem p : problems) {
            log.add(p);
            if (p.severity() == ImportProblem.Severity.ERROR) rejected.add(p.featureNumber());
        }
    }

    /**
     * The registered checks see the staged lines in a transaction that is rolled back: they cannot write. Their
     * findings are reported, never used to leave features out: a dangle or a missing junction is for the technician
     * to judge ({@code import --fail-on error} refuses the commit instead). When a check records its findings, every
     * one of them is also streamed, on a connection of its own, into the staging's findings table for the commit.
     * {@code started} is run once that table is made (or none is needed), before the checks begin.
     */
    private FindingLog runChecks(Connection c, StagingTable staging, Runnable started) throws SQLException {
        FindingLog out = new FindingLog();
        boolean keep = checks.stream().anyMatch(PreCommitCheck::recordsFindings);
        try (Connection findings = keep ? database.connection() : null) {
            StagingTable.FindingsCopy kept = keep ? staging.copyFindings(findings) : null;
            c.setAutoCommit(false);
            try {
                started.run();
                for (PreCommitCheck check : checks) {
                    check.check(c, staging.name(), database.storageSrid(), f -> {
                        out.add(f);
                        if (kept != null && check.recordsFindings()) {
                            try {
                                kept.row(f);
                            } catch (SQLException e) {
                                throw new IllegalStateException("keeping the findings failed: " + e.getMessage(), e);
                            }
                        }
                    });
                }
                if (kept != null) kept.finish();
            } catch (SQLException | RuntimeException e) {
                if (kept != null) kept.cancel();
                throw e;
            } finally {
                Database.rollback(c);
                Database.restoreAutoCommit(c);
            }
        }
        return out;
    }

    /**
     * What committing the staged features would change, found by committing them in a transaction that is rolled
     * back: the same statements as the commit, so the report cannot promise what the commit would not do. An append
     * has no plan: it adds every valid feature and touches nothing else.
     */
    private ImportReport.Committed plan(Connection c, StagingTable staging, ImportMode mode, Envelope area)
            throws SQLException {
        c.setAutoCommit(false);
        try {
            Audit.bind(c, Actor.system("import check"));
            return CadastreCommit.apply(c, staging, mode, area, database.storageSrid(), System.nanoTime()).committed();
        } finally {
            Database.rollback(c);
            Database.restoreAutoCommit(c);
        }
    }

    private static String zm(SourceLayer layer) {
        if (!layer.hasZ() && !layer.hasM()) return "the source has no Z or M values";
        List<String> kept = new ArrayList<>();
        if (layer.hasZ()) kept.add("Z values in source_attributes." + Mapping.VERTEX_Z_VALUES);
        if (layer.hasM()) kept.add("M values in source_attributes." + Mapping.VERTEX_M_VALUES);
        return String.join(" and ", kept) + ", per part and vertex of each feature: the cadastre stores 2D lines";
    }

    /**
     * Writes the staged import into the cadastre in one transaction, which names the actor in the audit log and
     * history, and drops the staging table in it. What the checks keep about the cadastre is brought up to date
     * separately, by {@link #followUp}, once the commit is recorded.
     *
     * @param skipInvalid commit without the invalid features; otherwise an import with any is refused
     * @param outcome     records what was committed in the commit's own transaction (the job's bookkeeping), so that
     *                    the record and the cadastre never disagree; it may refuse by throwing, and nothing is written
     */
    CadastreCommit.Result commit(long jobId, ImportReport staged, ImportMode mode, Envelope area, boolean skipInvalid,
                                 Actor actor, CommitOutcome outcome) {
        if (staged.counts().invalid() > 0 && !skipInvalid) {
            throw new ImportException(staged.counts().invalid() + " features of " + staged.source() + " are invalid (see the "
                    + "report); fix the source and import again, or commit without them (--skip-invalid, HTTP skipInvalid=true).");
        }
        StagingTable staging = new StagingTable(jobId);
        long started = System.nanoTime();
        try (Connection c = database.connection()) {
            if (!staging.holds(c, staged.counts().staged())) {
                throw new ImportException("The staged features of import " + jobId + " are gone (the database restarted "
                        + "uncleanly, or the import was already committed or discarded); import the file again.");
            }
            c.setAutoCommit(false);
            try {
                Audit.bind(c, actor);
                CadastreCommit.Result result = CadastreCommit.apply(c, staging, mode, area, database.storageSrid(), started);
                if (staged.planned() != null && !staged.planned().sameCounts(result.committed())) {
                    throw new ImportException("The cadastre changed since " + staged.source() + " was checked: its commit "
                            + "would now make " + result.committed().changes() + ", where the report said "
                            + staged.planned().changes() + ". Nothing was written; import the file again to check it "
                            + "against the cadastre as it is now.");
                }
                if (staged.planned() != null && !staged.planned().sameVersionsReplaced(result.committed())) {
                    throw new ImportException("The cadastre changed since " + staged.source() + " was checked: elements "
                            + "its commit would update or retire were edited since, and the commit would overwrite those "
                            + "edits. Nothing was written; import the file again to check it against the cadastre as it "
                            + "is now.");
                }
                staging.dropFeatures(c);
                recordCommit(c, jobId, actor, staged.source(), result.committed(), outcome);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c);
                throw e;
            } finally {
                Database.restoreAutoCommit(c);
            }
        } catch (SQLException e) {
            throw new ImportException("The cadastre refused the import, nothing was written: " + e.getMessage().strip());
        }
    }

    /** The audit's record of a commit, and the caller's, in the commit's transaction. */
    static void recordCommit(Connection c, long jobId, Actor actor, String source, ImportReport.Committed committed,
                             CommitOutcome outcome) throws SQLException {
        Audit.record(c, actor, "import.commit", "import_job", List.of(jobId), Map.of("source", source,
                "committed", committed));
        outcome.record(c, committed);
    }

    /** Writes what a commit did in the commit's transaction. */
    @FunctionalInterface
    interface CommitOutcome {
        /** For a commit with no job to record (the pipeline's own tests). */
        CommitOutcome NONE = (c, committed) -> {
        };

        void record(Connection transaction, ImportReport.Committed committed) throws SQLException;
    }

    /**
     * Tells the checks where a committed import changed the cadastre, with their kept findings when the commit
     * mapped them to elements. The import stands whatever they do: a check that fails here is logged, never undoes
     * the commit. The kept findings are dropped after.
     */
    void followUp(long jobId, CadastreCommit.Result commit, Actor actor) {
        StagingTable staging = new StagingTable(jobId);
        Envelope changed = commit.changed();
        try {
            if (changed == null) return;
            StagedFindings recorded = recorded(staging);
            if (recorded != null && commit.intoAnEmptyCadastre()) recorded = recorded.intoAnEmptyCadastre();
            for (PreCommitCheck check : checks) {
                long started = System.nanoTime();
                try {
                    check.committed(database, changed, actor, check.recordsFindings() ? recorded : null);
                } catch (SQLException | RuntimeException e) {
                    LOG.error("a check could not follow up the committed import (area {})", changed, e);
                }
                LOG.info("import {}: followed up by {} in {} s", jobId, check.getClass().getSimpleName(),
                        seconds(started, System.nanoTime()));
            }
        } finally {
            try (Connection c = database.connection()) {
                staging.dropFindings(c);
            } catch (SQLException e) {
                LOG.warn("the kept findings of import {} were not dropped: {}", jobId, e.getMessage());
            }
        }
    }

    /** The kept findings and the elements they are about, when the commit mapped them; else null. */
    private StagedFindings recorded(StagingTable staging) {
        try (Connection c = database.connection()) {
            return staging.elementsKept(c) ? staging.findings() : null;
        } catch (SQLException e) {
            LOG.warn("the kept findings of {} could not be looked for: {}", staging.name(), e.getMessage());
            return null;
        }
    }

    /** Drops the job's staged features; the cadastre was never touched. */
    public void discard(long jobId) {
        dropQuietly(new StagingTable(jobId));
    }

    private void dropQuietly(StagingTable staging) {
        try (Connection c = database.connection()) {
            staging.drop(c);
        } catch (SQLException ignored) {
            // a staging table left behind is dropped when its job is discarded or recovered
        }
    }

    /** Counts every finding, keeps the most severe {@link ImportReport#LISTED_PROBLEMS} with their locations. */
    private static final class FindingLog {
        private static final List<String> SEVERITY_ORDER = List.of("error", "warning", "info");
        private final List<StagedFinding> kept = new ArrayList<>();
        private final Map<String, Long> bySeverity = new TreeMap<>();
        private final Map<String, Long> byRule = new TreeMap<>();
        private final WKTWriter wkt = new WKTWriter();

        void add(StagedFinding f) {
            bySeverity.merge(f.severity(), 1L, Long::sum);
            byRule.merge(f.rule() + " (" + f.severity() + ")", 1L, Long::sum);
            kept.add(f);
            // Trimmed in batches, so that keeping the most severe costs a sort per thousand findings, not per finding.
            if (kept.size() >= 2 * ImportReport.LISTED_PROBLEMS) trim();
        }

        private void trim() {
            kept.sort(Comparator.comparingInt(f -> rank(f.severity())));
            kept.subList(Math.min(kept.size(), ImportReport.LISTED_PROBLEMS), kept.size()).clear();
        }

        private static int rank(String severity) {
            int i = SEVERITY_ORDER.indexOf(severity);
            return i < 0 ? SEVERITY_ORDER.size() : i;
        }

        List<ImportReport.Finding> listed(String crs) {
            trim();
            return kept.stream().map(f -> new ImportReport.Finding(f.rule(), f.severity(), f.explanation(),
                    f.featureNumbers(), f.location() == null ? null : wkt.write(f.location()),
                    f.location() == null ? null : crs)).toList();
        }
    }

    /** Collects problems: counts all, lists the first {@link ImportReport#LISTED_PROBLEMS} in feature order. */
    private static final class ProblemLog {
        private final List<ImportProblem> listed = new ArrayList<>();
        private final Map<String, Long> byField = new TreeMap<>();
        private long errors;
        private long warnings;

        void add(ImportProblem p) {
            if (p.severity() == ImportProblem.Severity.ERROR) errors++;
            else warnings++;
            byField.merge(p.field() + " (" + p.severity().label() + ")", 1L, Long::sum);
            if (listed.size() < ImportReport.LISTED_PROBLEMS) listed.add(p);
        }

        List<ImportProblem> listed() {
            listed.sort(Comparator.comparingLong(ImportProblem::featureNumber));
            return List.copyOf(listed);
        }
    }
}
