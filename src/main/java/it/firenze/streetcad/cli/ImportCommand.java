package it.firenze.streetcad.cli;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.CadastreStore;
import it.firenze.streetcad.importer.ImportException;
import it.firenze.streetcad.importer.ImportJobs;
import it.firenze.streetcad.importer.ImportParameters;
import it.firenze.streetcad.importer.ImportPipeline;
import it.firenze.streetcad.importer.ImportProblem;
import it.firenze.streetcad.importer.ImportReport;
import it.firenze.streetcad.importer.ImportRequest;
import it.firenze.streetcad.importer.SourceLayer;
import it.firenze.streetcad.importer.shapefile.ArchiveLimits;
import it.firenze.streetcad.topology.ImportedNetwork;
import it.firenze.streetcad.topology.TopologyPreCommitCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import a shapefile of road lines into the cadastre: read, map, validate, report, then commit it "
                + "whole (or nothing).", "Exit code 0 only when the import was committed, or with --dry-run when it is clean."})
final class ImportCommand implements Callable<Integer> {

    private static final int SHOWN_PROBLEMS = 20;

    @Mixin
    DatabaseOptions database;

    @Mixin
    ActorOptions as;

    @Parameters(paramLabel = "PATH", description = "A shapefile: a folder, a .shp or a .zip.")
    Path path;

    @Option(names = "--layer", paramLabel = "NAME", description = "The layer to import when PATH holds several.")
    String layer;

    @Option(names = "--mapping", paramLabel = "FILE|osm|rt-grafo", defaultValue = "osm",
            description = "How source fields become cadastre fields: a preset or a JSON/YAML file (default: ${DEFAULT-VALUE}).")
    String mapping;

    @Option(names = "--srid", paramLabel = "EPSG", description = "The CRS of the data, when the .prj is missing or wrong (e.g. 3003).")
    String srid;

    @Option(names = "--encoding", paramLabel = "CHARSET", description = "The .dbf text encoding, instead of .cpg and the language driver.")
    String encoding;

    @Option(names = "--mode", paramLabel = "append|replace|upsert", defaultValue = "append",
            description = "append (default), replace (all elements, or those meeting --area), upsert (by source_key).")
    String mode;

    @Option(names = "--area", paramLabel = "minLon,minLat,maxLon,maxLat",
            description = "With --mode replace: replace only the elements meeting this lon/lat box.")
    String area;

    @Option(names = "--dry-run", description = "Read, validate and report, then discard: nothing is written.")
    boolean dryRun;

    @Option(names = "--skip-invalid", description = "Commit without the invalid features instead of refusing the import.")
    boolean skipInvalid;

    @Option(names = "--build-network", description = "The source is raw lines (OSM ways, surveys): after the commit, split "
            + "them into elements from junction to junction and record the topology findings as open issues.")
    boolean buildNetwork;

    @Option(names = "--fail-on", paramLabel = "error|warning", description = "Refuse the commit when the topology check "
            + "finds something this severe (by default findings are reported and the import is committed).")
    String failOn;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!Files.exists(path)) throw new ParameterException(spec.commandLine(), "PATH " + path + " does not exist");
        ImportRequest request;
        try {
            request = ImportParameters.request(path.toString(), path, layer, ImportParameters.mapping(mapping), srid, encoding,
                    mode, area, ArchiveLimits.defaults(), null);
        } catch (ImportParameters.InvalidParameterException e) {
            throw new ParameterException(spec.commandLine(), "--" + e.parameter() + ": " + e.getMessage());
        }
        if (failOn != null && !failOn.equals("error") && !failOn.equals("warning")) {
            throw new ParameterException(spec.commandLine(), "--fail-on: '" + failOn + "' is not error or warning");
        }
        PrintWriter out = spec.commandLine().getOut();
        // Raw lines cross without junctions until the build: checking for that before it would only be noise.
        TopologyPreCommitCheck topology = buildNetwork ? TopologyPreCommitCheck.beforeNetworkBuild() : TopologyPreCommitCheck.allRules();
        long started = System.nanoTime();
        // Identifying the .prj's CRS can take seconds (the EPSG database opens on first use): let it overlap with
        // opening and migrating the database.
        CompletableFuture<SourceLayer> opening = CompletableFuture.supplyAsync(() -> ImportJobs.open(request));
        try (CadastreStore store = CadastreStore.open(database.settings());
             ImportJobs jobs = new ImportJobs(store.database(), List.of(topology), 1)) {
            ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), System.console() != null);
            Actor actor = as.actor(store.database(), "import");
            // Committed whatever the check finds (no --fail-on): the commit is written while the check runs.
            ImportJobs.ThenCommit thenCommit = dryRun || failOn != null ? null : new ImportJobs.ThenCommit(skipInvalid, actor);
            ImportJobs.Job job;
            try {
                job = jobs.stageNow(request, opening.join(), bar, thenCommit);
            } catch (CompletionException e) {
                if (e.getCause() instanceof ImportException ie) throw new UserFacingException(ie.getMessage());
                throw e;
            } catch (ImportException e) {
                throw new UserFacingException(e.getMessage());
            } finally {
                bar.done();
            }
            if (job.state().equals("failed")) throw new UserFacingException(job.error());
            ImportReport report = job.importReport();
            printReport(out, job.id(), report);
            double total = (System.nanoTime() - started) / 1e9;
            out.printf("  read, staged and validated in %.1f s, %.1f s after start (database opened and migrated, layer "
                    + "opened and its .prj identified, at the same time)%n", report.stageSeconds(),
                    Math.max(0, total - report.stageSeconds()));
            if (dryRun) {
                jobs.discard(job.id(), actor);
                out.println(report.clean() ? "dry run: clean, nothing written" : "dry run: " + report.counts().invalid()
                        + " invalid features, nothing written");
                return report.clean() ? 0 : 1;
            }
            long blocking = failOn == null ? 0 : report.findingsOfSeverity("error")
                    + (failOn.equals("warning") ? report.findingsOfSeverity("warning") : 0);
            if (blocking > 0) {
                jobs.discard(job.id(), actor);
                throw new UserFacingException(blocking + " topology findings of severity " + failOn + " or worse (--fail-on "
                        + failOn + "), see the report. Nothing was written.");
            }
            try {
                if (!job.committed()) job = jobs.commit(job.id(), skipInvalid, true, actor);
            } catch (ImportJobs.JobStateException e) {
                jobs.discard(job.id(), actor);
                throw new UserFacingException(e.getMessage() + " Nothing was written.");
            }
            if (!job.committed()) {
                jobs.discard(job.id(), actor);
                throw new UserFacingException(job.error());
            }
            ImportReport.Committed c = job.importReport().committed();
            out.printf("committed (%s): %s%s, in %.1f s%n", c.mode(), c.changes(), c.skippedInvalid() > 0 ? ", " + c.skippedInvalid() + " invalid features left out" : "", c.seconds());
            if (buildNetwork) {
                try {
                    ImportedNetwork.Outcome built = ImportedNetwork.buildAndValidate(store.database(), actor);
                    out.printf("network built: %d elements between %d junctions; %d topology findings recorded as open issues%n",
                            built.build().elements(), built.build().junctions(), built.validation().findings().size());
                } catch (SQLException e) {
                    throw new UserFacingException("the import was committed, but building its network failed: " + e.getMessage()
                            + " Run 'streetcad network build' again.");
                }
            }
            return 0;
        }
    }

    private static void printReport(PrintWriter out, long id, ImportReport r) {
        out.printf("import %d: layer %s, mapping %s, mode %s%n", id, r.layer(), r.mapping(), r.mode());
        out.printf("  CRS       EPSG:%d (%s) -> storage EPSG:%d%n", r.crs().srid(), r.crs().source(), r.crs().storageSrid());
        out.printf("  encoding  %s%n", r.encoding().source());
        if (r.extent() != null) out.printf("  extent    %s (WGS 84, after reprojection)%n", r.extent());
        r.notices().forEach(notice -> out.printf("  warning   %s%n", notice.message()));
        out.printf("  Z/M       %s%n", r.zm());
        var n = r.counts();
        out.printf("  features  %d read, %d deleted records skipped, %d staged, %d invalid; %d errors, %d warnings%n",
                n.read(), n.deleted(), n.staged(), n.invalid(), n.errors(), n.warnings());
        r.problemsByField().forEach((field, count) -> out.printf("  %8d  %s%n", count, field));
        List<ImportProblem> shown = r.problems().stream().limit(SHOWN_PROBLEMS).toList();
        for (ImportProblem p : shown) {
            out.printf("  feature %d, %s, %s: %s%n", p.featureNumber(), p.field(), p.severity().label(), p.reason());
        }
        long more = n.errors() + n.warnings() - shown.size();
        if (more > 0) out.printf("  … and %d more problems (the full list: GET /imports/%d)%n", more, id);
        if (r.planned() != null) out.printf("  commit    will make %s%n", r.planned().changes());
        out.printf("  topology  %d findings%n", r.findingCount());
        r.findingsByRule().forEach((rule, count) -> out.printf("  %8d  %s%n", count, rule));
        r.findings().stream().limit(SHOWN_PROBLEMS).forEach(f -> out.printf("  %s %s: %s (features %s%s)%n",
                f.severity(), f.rule(), f.explanation(), f.featureNumbers(),
                f.location() == null ? "" : ", at " + f.location() + " in " + f.locationCrs()));
        if (r.findingCount() > SHOWN_PROBLEMS) out.printf("  … and %d more findings (the first %d: GET /imports/%d)%n",
                r.findingCount() - SHOWN_PROBLEMS, ImportReport.LISTED_PROBLEMS, id);
    }

    /** A bar redrawn in place on a terminal; otherwise a plain line at every tenth. */
    static final class ProgressBar implements ImportPipeline.Progress {
        private final PrintWriter err;
        private final boolean terminal;
        private int lastShown = -1;

        ProgressBar(PrintWriter err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public void read(long done, long total) {
            if (total <= 0) return;
            int percent = (int) (100 * done / total);
            if (terminal) {
                if (percent == lastShown) return;
                int width = 40;
                int filled = percent * width / 100;
                err.printf("\rreading [%s%s] %3d%% %,d/%,d", "#".repeat(filled), " ".repeat(width - filled), percent, done, total);
                err.flush();
            } else {
                if (percent / 10 == lastShown / 10 && lastShown >= 0) return;
                err.printf("reading: %d%% (%d of %d features)%n", percent, done, total);
                err.flush();
            }
            lastShown = percent;
        }

        void done() {
            if (terminal && lastShown >= 0) err.println();
            err.flush();
        }
    }
}
