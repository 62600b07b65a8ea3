package it.firenze.streetcad.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import it.firenze.streetcad.access.AccessHttp;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.api.HttpModule;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.api.Problem;
import it.firenze.streetcad.api.ProblemException;
import it.firenze.streetcad.db.CountGauges;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.features.Params;
import it.firenze.streetcad.features.Responses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The topology HTTP surface: {@code POST /topology/validations} starts a validation job (all, or a bbox) and
 * {@code GET /topology/validations/{id}} follows its progress; {@code GET /topology/issues} lists the stored
 * findings as GeoJSON in CRS84; {@code POST /topology/issues/{id}/accept} makes one an accepted exception.
 * {@code POST /topology/fixes/{fix}/preview} answers a fix's changes as GeoJSON, changing nothing, and
 * {@code .../apply} makes them in one transaction and re-validates the neighbourhood they changed.
 * {@code POST /network/builds} starts a network build job (a preview, or an apply), one at a time: a second while
 * one is queued or running is a 409; {@code GET /network/builds/{id}} follows it and {@code .../changes} is its
 * GeoJSON of the element changes proposed or made.
 */
public final class TopologyModule implements HttpModule, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopologyModule.class);
    static final int DEFAULT_LIMIT = 1000, MAX_LIMIT = 100_000;

    private final TopologyValidation validation;
    private final TopologyFixes fixes;
    private final NetworkBuild builds;
    /** One validation or build at a time: each takes a core and the whole network in memory. */
    private final ExecutorService jobs = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "topology-jobs");
        t.setDaemon(true);
        return t;
    });

    private final HeavyWork heavy;

    public TopologyModule(Database database) {
        this(database, new HeavyWork(HeavyWork.DEFAULT_LIMIT));
    }

    public TopologyModule(Database database, HeavyWork heavy) {
        this.heavy = heavy;
        this.validation = new TopologyValidation(database);
        this.fixes = new TopologyFixes(database);
        this.builds = new NetworkBuild(database);
        // Builds and validations whose instance stopped are ended truthfully, by whichever instance sees it first.
        database.leases().recoverPeriodically(BuildJobStore.BUILD_RECOVERY);
        database.leases().recoverPeriodically(ValidationStore.VALIDATION_RECOVERY);
        CountGauges.register(database, "streetcad.topology.findings.open", "topology findings not accepted, by severity",
                "SELECT severity, count(*) FROM open_topology_issue WHERE NOT accepted GROUP BY 1", List.of("severity"),
                Arrays.stream(Severity.values()).map(s -> List.of(s.id())).toList());
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.post("/topology/validations", this::startValidation);
        routes.get("/topology/validations/{id}", this::validationStatus);
        routes.get("/topology/issues", this::issues);
        routes.post("/topology/issues/{id}/accept", this::accept);
        routes.post("/topology/fixes/{fix}/preview", ctx -> fix(ctx, false));
        routes.post("/topology/fixes/{fix}/apply", ctx -> fix(ctx, true));
        routes.post("/network/builds", this::startBuild);
        routes.get("/network/builds/{id}", this::buildStatus);
        routes.get("/network/builds/{id}/changes", this::buildChanges);
    }

    private void startValidation(Context ctx) throws SQLException {
        Actor actor = AccessHttp.actor(ctx, Role.TECHNICIAN);
        JsonNode body = body(ctx);
        double[] bbox = area(body, ctx);
        ValidationOptions defaults = ValidationOptions.defaults();
        ValidationOptions options = defaults.withRules(rules(body.get("rules")))
                .withTolerance(tolerance(body, ctx, defaults.tolerance()));
        HeavyWork.Place place = heavy.tryQueue().orElseThrow(this::queueFull);
        long id;
        try {
            id = validation.begin(bbox, options, actor);
        } catch (SQLException | RuntimeException e) {
            place.close();
            throw e;
        }
        ValidationOptions chosen = options;
        submit(place, () -> {
            try (HeavyWork.Permit permit = heavy.start()) {
                validation.complete(id, bbox, chosen);
            } catch (SQLException | RuntimeException e) {
                LOG.error("topology validation {} failed", id, e);
            }
            return null;
        });
        ctx.status(202).header("Location", "/topology/validations/" + id);
        Responses.text(ctx, "application/json", validation.validationJson(id));
    }

    private void validationStatus(Context ctx) throws SQLException {
        String json = validation.validationJson(id(ctx, "topology validation"));
        if (json == null) throw ProblemException.notFound("There is no topology validation " + ctx.pathParam("id") + ".");
        Responses.text(ctx, "application/json", json);
    }

    private void issues(Context ctx) throws SQLException {
        String rule = ctx.queryParam("rule");
        if (rule != null && Rule.byId(rule).isEmpty()) {
            throw ProblemException.badRequest("rule", "unknown rule '" + rule + "'; the rules are " + ruleIds());
        }
        Severity severity = null;
        String s = ctx.queryParam("severity");
        if (s != null) {
            try {
                severity = Severity.of(s);
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("severity", "severity must be error, warning or info");
            }
        }
        Long element = longParam(ctx, "element");
        String accepted = ctx.queryParam("accepted");
        if (accepted != null && !accepted.equals("true") && !accepted.equals("false")) {
            throw ProblemException.badRequest("accepted", "accepted must be true or false");
        }
        Long limit = longParam(ctx, "limit");
        if (limit != null && (limit < 1 || limit > MAX_LIMIT)) {
            throw ProblemException.badRequest("limit", "limit must be from 1 to " + MAX_LIMIT);
        }
        var query = new TopologyValidation.IssueQuery(rule, severity, bbox(ctx.queryParam("bbox")), element,
                accepted == null ? null : Boolean.valueOf(accepted), limit == null ? DEFAULT_LIMIT : limit.intValue());
        Responses.text(ctx, "application/geo+json", validation.issuesGeoJson(query));
    }

    private void accept(Context ctx) throws SQLException {
        Actor actor = AccessHttp.actor(ctx, Role.TECHNICIAN);
        long id = id(ctx, "topology issue");
        JsonNode body = body(ctx);
        String note = body.hasNonNull("note") ? body.get("note").asText() : null;
        if (!validation.accept(id, note, actor)) throw ProblemException.notFound("There is no topology issue " + id + ".");
        ctx.json(java.util.Map.of("id", id, "accepted", true));
    }

    /** A fix's preview (its changes as GeoJSON) or its apply (counts, and the re-validation that followed). */
    private void fix(Context ctx, boolean apply) throws SQLException, JsonProcessingException {
        // A preview changes nothing but loads the whole cadastre's network: a technician's tool too.
        Actor actor = AccessHttp.actor(ctx, Role.TECHNICIAN);
        String id = ctx.pathParam("fix");
        TopologyFixes.Fix fix = TopologyFixes.Fix.byId(id).orElseThrow(() -> ProblemException.notFound("There is no "
                + "fix '" + id + "'; the fixes are " + String.join(", ", Arrays.stream(TopologyFixes.Fix.values())
                .map(TopologyFixes.Fix::id).toList()) + "."));
        JsonNode body = body(ctx);
        double[] bbox = area(body, ctx);
        double tolerance = tolerance(body, ctx, NetworkBuilder.DEFAULT_TOLERANCE);
        TopologyFixes.Plan plan;
        try (HeavyWork.Permit permit = heavy.tryStart().orElseThrow(this::busy)) {
            plan = apply ? fixes.apply(fix, bbox, tolerance, actor) : fixes.preview(fix, bbox, tolerance);
        } catch (HeapTooSmallException e) {
            // A limit of this server, said as such rather than as an internal error.
            throw new ProblemException(Problem.of(503, "Too large for this server", e.getMessage() + "; narrow it with bbox."));
        }
        if (!apply) {
            Responses.text(ctx, "application/geo+json", fixes.toGeoJson(plan));
            return;
        }
        ObjectNode result = Json.mapper().createObjectNode().put("fix", fix.id());
        result.set("counts", Json.mapper().valueToTree(plan.counts()));
        result.set("validation", plan.validationId() == null ? null
                : Json.mapper().readTree(validation.validationJson(plan.validationId())));
        ctx.json(result);
    }

    private void startBuild(Context ctx) throws SQLException, JsonProcessingException {
        Actor actor = AccessHttp.actor(ctx, Role.TECHNICIAN);
        JsonNode body = body(ctx);
        double[] bbox = area(body, ctx);
        double tolerance = tolerance(body, ctx, NetworkBuilder.DEFAULT_TOLERANCE);
        boolean apply = apply(body, ctx);
        HeavyWork.Place place = heavy.tryQueue().orElseThrow(this::queueFull);
        Optional<NetworkBuild.Job> begun;
        try {
            begun = builds.begin(bbox, tolerance, apply, actor);
        } catch (SQLException | RuntimeException e) {
            place.close();
            throw e;
        }
        if (begun.isEmpty()) {
            place.close();
            throw ProblemException.conflict("A network build is already queued or running" + builds.unfinishedJob()
                    .map(id -> " (" + buildPath(id) + ")").orElse("") + "; one runs at a time: follow it, then start "
                    + "this one.");
        }
        NetworkBuild.Job job = begun.get();
        submit(place, () -> {
            try (HeavyWork.Permit permit = heavy.start()) {
                builds.complete(job);
            }
            return null;
        });
        ctx.status(202).header("Location", buildPath(job.id())).json(buildView(job.id()));
    }

    /** Runs a job on the job thread; its place in the queue is given back when it ends, however it ends. */
    private void submit(HeavyWork.Place place, java.util.concurrent.Callable<Void> job) {
        try {
            jobs.submit(() -> {
                try (place) {
                    return job.call();
                }
            });
        } catch (RuntimeException e) {
            place.close();
            throw e;
        }
    }

    private ProblemException queueFull() {
        return new ProblemException(Problem.of(503, "Server busy", heavy.queue() + " whole-network jobs (validations, "
                + "builds) are waiting already beside the " + heavy.limit() + " running, this server's limit "
                + "(STREETCAD_HEAVY_WORK_QUEUE, STREETCAD_HEAVY_WORK_MAX); try again later."));
    }

    private ProblemException busy() {
        return new ProblemException(Problem.of(503, "Server busy", heavy.limit() + " whole-network operations (fixes, "
                + "validations, builds) are running on this server, its limit (STREETCAD_HEAVY_WORK_MAX); try again in a "
                + "few seconds."));
    }

    /** Stops the job thread: a job still running is ended by its lease (see JobLeases), not left "running". */
    @Override
    public void close() {
        jobs.shutdownNow();
    }

    private void buildStatus(Context ctx) throws SQLException, JsonProcessingException {
        ObjectNode view = buildView(id(ctx, "network build"));
        if (view == null) throw ProblemException.notFound("There is no network build " + ctx.pathParam("id") + ".");
        ctx.json(view);
    }

    private void buildChanges(Context ctx) throws SQLException {
        long id = id(ctx, "network build");
        String changes = builds.jobChangesGeoJson(id);
        if (changes == null) {
            throw ProblemException.notFound(builds.jobJson(id) == null ? "There is no network build " + id + "."
                    : "Network build " + id + " has no changes yet: follow " + buildPath(id) + " until it has run.");
        }
        Responses.text(ctx, "application/geo+json", changes);
    }

    /** A build job with links to its changes, once it has them, and to the re-validation that followed it. */
    private ObjectNode buildView(long id) throws SQLException, JsonProcessingException {
        String json = builds.jobJson(id);
        if (json == null) return null;
        ObjectNode view = (ObjectNode) Json.mapper().readTree(json);
        if (!view.get("summary").isNull()) view.put("changes", buildPath(id) + "/changes");
        if (!view.get("validation_id").isNull()) {
            view.put("validation", "/topology/validations/" + view.get("validation_id").asLong());
        }
        return view;
    }

    private static String buildPath(long id) {
        return "/network/builds/" + id;
    }

    /** Whether to make the change (true) or only preview it (false, the default), from the body or the query. */
    private static boolean apply(JsonNode body, Context ctx) {
        JsonNode node = body.get("apply");
        String text = node == null ? ctx.queryParam("apply") : node.isBoolean() ? node.asText() : "";
        if (text == null) return false;
        if (!text.equals("true") && !text.equals("false")) {
            throw ProblemException.badRequest("apply", "apply must be true (make the change) or false (preview it)");
        }
        return Boolean.parseBoolean(text);
    }

    /** The area from the body's bbox (an array or text), else the query's; null for the whole cadastre. */
    private static double[] area(JsonNode body, Context ctx) {
        return bbox(body.has("bbox") ? bboxText(body.get("bbox")) : ctx.queryParam("bbox"));
    }

    /** Metres from the body's tolerance, else the query's, else the default. */
    private static double tolerance(JsonNode body, Context ctx, double otherwise) {
        JsonNode node = body.get("tolerance");
        String query = ctx.queryParam("tolerance");
        double t;
        if (node != null) {
            t = node.isNumber() ? node.asDouble() : Double.NaN;
        } else if (query != null) {
            try {
                t = Double.parseDouble(query);
            } catch (NumberFormatException e) {
                t = Double.NaN;
            }
        } else {
            return otherwise;
        }
        if (!(t >= 0) || t > 100) {
            throw ProblemException.badRequest("tolerance", "tolerance must be a number of metres from 0 to 100");
        }
        return t;
    }

    private static JsonNode body(Context ctx) {
        String text = ctx.body();
        if (text.isBlank()) return Json.mapper().createObjectNode();
        try {
            JsonNode node = Json.mapper().readTree(text);
            if (!node.isObject()) throw ProblemException.badRequest("body", "the body must be a JSON object");
            return node;
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("body", "the body is not JSON: " + e.getOriginalMessage());
        }
    }

    private static String bboxText(JsonNode node) {
        if (node.isTextual()) return node.asText();
        if (!node.isArray()) throw ProblemException.badRequest("bbox", "bbox must be [minLon, minLat, maxLon, maxLat]");
        List<String> parts = new ArrayList<>();
        node.forEach(n -> parts.add(n.asText()));
        return String.join(",", parts);
    }

    private static double[] bbox(String text) {
        try {
            return Bbox.parse(text);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("bbox", e.getMessage());
        }
    }

    private static Set<Rule> rules(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (!node.isArray()) throw ProblemException.badRequest("rules", "rules must be an array of rule ids");
        Set<Rule> rules = EnumSet.noneOf(Rule.class);
        for (JsonNode n : node) {
            rules.add(Rule.byId(n.asText()).orElseThrow(() -> ProblemException.badRequest("rules",
                    "unknown rule '" + n.asText() + "'; the rules are " + ruleIds())));
        }
        return rules;
    }

    private static String ruleIds() {
        return String.join(", ", Arrays.stream(Rule.values()).map(Rule::id).toList());
    }

    private static long id(Context ctx, String what) {
        return Params.pathId(ctx.pathParam("id"), what);
    }

    private static Long longParam(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null) return null;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(name, name + " must be a whole number, not '" + v + "'");
        }
    }
}
