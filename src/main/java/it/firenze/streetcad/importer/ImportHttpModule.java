package it.firenze.streetcad.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import it.firenze.streetcad.access.AccessHttp;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.api.HttpModule;
import it.firenze.streetcad.api.HttpServer;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.api.MultipartBodies;
import it.firenze.streetcad.api.Problem;
import it.firenze.streetcad.api.ProblemException;
import it.firenze.streetcad.features.Params;
import it.firenze.streetcad.features.Responses;
import it.firenze.streetcad.importer.shapefile.ArchiveLimits;
import it.firenze.streetcad.topology.Bbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /imports}: upload a zipped shapefile as a job, watch it, commit or discard it.
 * <ul>
 *   <li>{@code POST /imports} multipart: {@code file} (the .zip), optional {@code layer}, {@code mapping} (a preset
 *   name or the mapping JSON), {@code srid}, {@code encoding}, {@code mode}, {@code area}, {@code buildNetwork}
 *   ({@code true}: raw lines, built into a network once committed, like the CLI's --build-network), {@code commit}
 *   ({@code true}: committed as soon as validated) and {@code skipInvalid} (with it) → 202</li>
 *   <li>{@code GET /imports/{id}}: state, progress %, the report; {@code GET /imports}: the latest jobs</li>
 *   <li>{@code GET /imports/{id}/features} and {@code …/findings} {@code [?bbox=&limit=]}: a checked import's staged
 *   features and its check's findings as GeoJSON (CRS84), before its commit</li>
 *   <li>{@code POST /imports/{id}/commit[?skipInvalid=true]} → 202; {@code DELETE /imports/{id}} discards</li>
 * </ul>
 */
public final class ImportHttpModule implements HttpModule {

    private static final int LISTED_JOBS = 100;
    static final String UPLOAD_PREFIX = "streetcad-import-";

    private final ImportJobs jobs;
    private final StagedPreview preview;
    private final long maxUploadBytes;

    public ImportHttpModule(ImportJobs jobs, long maxUploadBytes) {
        this.jobs = jobs;
        this.preview = new StagedPreview(jobs.database());
        this.maxUploadBytes = maxUploadBytes;
    }

    @Override
    public boolean loadingTheCadastre() {
        return jobs.committing();
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.post("/imports", this::create);
        routes.get("/imports", ctx -> ctx.json(Map.of("imports", jobs.list(LISTED_JOBS).stream().map(ImportHttpModule::summary).toList())));
        routes.get("/imports/{id}", ctx -> ctx.json(view(job(ctx))));
        routes.get("/imports/{id}/features", ctx -> staged(ctx, preview::features));
        routes.get("/imports/{id}/findings", ctx -> staged(ctx, preview::findings));
        routes.post("/imports/{id}/commit", this::commit);
        routes.delete("/imports/{id}", ctx -> {
            Actor actor = AccessHttp.actor(ctx, Role.TECHNICIAN);
            ctx.json(view(guarded(() -> jobs.discard(id(ctx), actor))));
        });
    }

    private void create(Context ctx) throws IOException {
        // Before a byte of the upload is read: anonymous uploads are refused, not stored.
        Actor actor = AccessHttp.actor(ctx, Role.TECHNICIAN);
        long length = ctx.req().getContentLengthLong();
        if (length < 0) {
            throw new ProblemException(Problem.of(411, "Length required", "Send the upload with a Content-Length header."));
        }
        if (length > maxUploadBytes) throw tooLarge(length);
        if (!ctx.isMultipartFormData()) {
            throw ProblemException.badRequest("file", "Send the zipped shapefile as multipart/form-data, in the part \"file\".");
        }
        UploadedFile file = uploadedFile(ctx);
        if (file == null) throw ProblemException.badRequest("file", "Send the zipped shapefile as the multipart part \"file\".");
        if (file.size() > maxUploadBytes) throw tooLarge(file.size());
        // Readable by this user alone (createTempFile's POSIX default), removed on every path but the hand-over to the
        // job, which removes it when staged; a process killed meanwhile leaves it to the sweep at the next start.
        Path upload = Files.createTempFile(UPLOAD_PREFIX, ".zip");
        Runnable cleanup = () -> {
            try {
                Files.deleteIfExists(upload);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        boolean handedOver = false;
        try {
            try (InputStream in = file.content()) {
                Files.copy(in, upload, StandardCopyOption.REPLACE_EXISTING);
            }
            if (!isZip(upload)) {
                throw ProblemException.badRequest("file", "The upload " + file.filename() + " is not a zip; zip the shapefile "
                        + "(.shp, .shx, .dbf, .prj, .cpg) and send that.");
            }
            ImportRequest request;
            ImportJobs.ThenCommit thenCommit;
            try {
                request = ImportParameters.request(file.filename(), upload, ctx.formParam("layer"), mapping(ctx.formParam("mapping")),
                        ctx.formParam("srid"), ctx.formParam("encoding"), ctx.formParam("mode"), ctx.formParam("area"),
                        ArchiveLimits.defaults(), cleanup).withBuildNetwork(flag(ctx.formParam("buildNetwork"), "buildNetwork"));
                thenCommit = thenCommit(ctx, actor);
            } catch (ImportParameters.InvalidParameterException e) {
                throw ProblemException.badRequest(e.parameter(), e.getMessage());
            }
            ImportJobs.Job job;
            try {
                job = jobs.submit(request, thenCommit);
            } catch (ImportException e) {
                throw ProblemException.badRequest(e.parameter(), e.getMessage());
            }
            handedOver = true;
            ctx.status(202).header("Location", "/imports/" + job.id()).json(view(job));
        } finally {
            if (!handedOver) cleanup.run();
        }
    }

    /** {@code commit=true}: committed as soon as validated; {@code skipInvalid} is the commit's, so only with it. */
    private static ImportJobs.ThenCommit thenCommit(Context ctx, Actor actor) {
        boolean commit = flag(ctx.formParam("commit"), "commit");
        boolean skipInvalid = flag(ctx.formParam("skipInvalid"), "skipInvalid");
        if (skipInvalid && !commit) {
            throw new ImportParameters.InvalidParameterException("skipInvalid", "skipInvalid is the commit's: send it with "
                    + "commit=true, or to POST /imports/{id}/commit once the import is validated.");
        }
        return commit ? new ImportJobs.ThenCommit(skipInvalid, actor) : null;
    }

    /**
     * The part "file", or null when the form has none. A body Jetty cannot read (empty, cut off, a form field over
     * its limit) is a 400 naming the part to blame (see {@link MultipartBodies}), or file when there is none (an empty
     * body, say).
     * Jetty may leave the rest of such a body unread and then closes the connection after answering: the answer says
     * Connection: close, so that no client sends its next request on a connection about to close.
     */
    private static UploadedFile uploadedFile(Context ctx) {
        try {
            return ctx.uploadedFile("file");
        } catch (Exception e) { // Javalin's Kotlin passes Jetty's ServletException on undeclared
            Optional<String> why = HttpServer.unreadable(e);
            if (why.isEmpty()) throw e;
            ctx.header("Connection", "close");
            String part = MultipartBodies.partToBlame(ctx).orElse("file");
            throw ProblemException.badRequest(part, "The multipart body could not be read in the part \"" + part
                    + "\" (" + why.get() + ")" + (part.equals("file") ? "; send the zipped shapefile as the multipart "
                    + "part \"file\"." : "."));
        }
    }

    /**
     * Removes uploads left behind by a process that was killed while it held them: those untouched for an hour (an
     * upload being written or staged is younger, and another instance on this machine may be staging one).
     */
    public static void sweepLeftoverUploads() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long horizon = System.currentTimeMillis() - 3_600_000;
        try (var files = Files.newDirectoryStream(tmp, UPLOAD_PREFIX + "*.zip")) {
            for (Path f : files) {
                try {
                    if (Files.getLastModifiedTime(f).toMillis() < horizon) Files.deleteIfExists(f);
                } catch (IOException e) {
                    // another instance's, or gone already: not ours to worry about
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("sweeping old uploads in " + tmp + " failed", e);
        }
    }

    private ProblemException tooLarge(long bytes) {
        return new ProblemException(Problem.of(413, "Content too large", "The upload is " + bytes + " bytes; this server "
                + "accepts imports of at most " + maxUploadBytes + " bytes.").withParameter("file"));
    }

    private static boolean isZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
        }
    }

    /** Over HTTP a mapping is a preset name or the mapping itself as JSON; the server's files are not for clients. */
    private static Mapping mapping(String text) {
        if (text == null || text.isBlank()) return Mapping.preset("osm");
        try {
            if (text.strip().startsWith("{")) return Mapping.fromJson("request", Json.mapper().readTree(text));
            return Mapping.preset(text.strip());
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("mapping", "mapping is not valid JSON: " + e.getOriginalMessage());
        } catch (Mapping.MappingException e) {
            throw ProblemException.badRequest("mapping", e.getMessage());
        }
    }

    private void commit(Context ctx) {
        Actor actor = AccessHttp.actor(ctx, Role.TECHNICIAN);
        boolean skip;
        try {
            skip = flag(ctx.queryParam("skipInvalid"), "skipInvalid");
        } catch (ImportParameters.InvalidParameterException e) {
            throw ProblemException.badRequest(e.parameter(), e.getMessage());
        }
        long id = id(ctx);
        ctx.status(202).json(view(guarded(() -> jobs.commit(id, skip, false, actor))));
    }

    /** A true/false parameter, false when absent. */
    private static boolean flag(String value, String name) {
        if (value != null && !value.equals("true") && !value.equals("false")) {
            throw new ImportParameters.InvalidParameterException(name, name + " is true or false");
        }
        return "true".equals(value);
    }

    /** A read of a checked import's staging tables ({@link StagedPreview}). */
    private interface StagedRead {
        String read(long jobId, double[] bbox, int limit) throws SQLException, StagedPreview.NotStagedException;
    }

    /** {@code …/features} and {@code …/findings}: GeoJSON of what a checked import would bring, before its commit. */
    private void staged(Context ctx, StagedRead read) throws SQLException {
        String box = ctx.queryParam("bbox"), limitText = ctx.queryParam("limit");
        double[] bbox;
        try {
            bbox = box == null ? new double[]{-180, -90, 180, 90} : Bbox.parse(box);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("bbox", e.getMessage());
        }
        int limit = limitText == null ? StagedPreview.DEFAULT_LIMIT : Params.limit("limit", limitText, StagedPreview.MAX_LIMIT);
        ImportJobs.Job job = job(ctx);
        try {
            if (!"validated".equals(job.state())) throw new StagedPreview.NotStagedException(job.id());
            Responses.text(ctx, "application/geo+json", read.read(job.id(), bbox, limit));
        } catch (StagedPreview.NotStagedException e) {
            throw ProblemException.conflict(e.getMessage() + " It is " + job.state() + ".");
        }
    }

    private ImportJobs.Job job(Context ctx) {
        long id = id(ctx);
        return jobs.find(id).orElseThrow(() -> ProblemException.notFound("There is no import " + id + "."));
    }

    private static long id(Context ctx) {
        return Params.pathId(ctx.pathParam("id"), "import");
    }

    /** Cancels an import not yet committed (as {@code DELETE /imports/{id}}), for {@code DELETE /jobs/import-{id}}. */
    public it.firenze.streetcad.jobs.JobsModule.Canceller canceller() {
        return (id, actor) -> guarded(() -> jobs.discard(id, actor));
    }

    private static ImportJobs.Job guarded(java.util.function.Supplier<ImportJobs.Job> action) {
        try {
            return action.get();
        } catch (ImportJobs.JobNotFoundException e) {
            throw ProblemException.notFound(e.getMessage());
        } catch (ImportJobs.JobStateException e) {
            throw ProblemException.conflict(e.getMessage());
        }
    }

    private static Map<String, Object> summary(ImportJobs.Job job) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", job.id());
        m.put("state", job.state());
        m.put("source", job.source());
        m.put("layer", job.layer());
        m.put("mode", job.mode());
        m.put("buildNetwork", job.buildNetwork());
        m.put("progress", job.progress());
        m.put("counts", job.report() == null ? null : job.report().get("counts"));
        m.put("error", job.error());
        m.put("createdAt", job.createdAt());
        m.put("finishedAt", job.finishedAt());
        m.put("href", "/imports/" + job.id());
        return m;
    }

    private static Map<String, Object> view(ImportJobs.Job job) {
        Map<String, Object> m = summary(job);
        m.remove("counts");
        m.put("area", job.area());
        m.put("updatedAt", job.updatedAt());
        // Once committed: whether the open issues answer for the import yet (its findings recorded, or its network built).
        m.put("followUp", !job.committed() ? null : job.followedUpAt() == null ? "running" : "ended");
        m.put("followedUpAt", job.followedUpAt());
        JsonNode report = job.report();
        m.put("report", report);
        return m;
    }
}
