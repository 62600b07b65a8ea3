package it.firenze.streetcad.editing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import it.firenze.streetcad.access.AccessHttp;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.api.AllowedMethods;
import it.firenze.streetcad.api.HttpModule;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.api.Problem;
import it.firenze.streetcad.api.ProblemException;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.features.Crs;
import it.firenze.streetcad.features.FeatureStore;
import it.firenze.streetcad.features.FeatureType;
import it.firenze.streetcad.features.ItemResponses;
import it.firenze.streetcad.features.ItemResponses.Expected;
import it.firenze.streetcad.features.Params;
import it.firenze.streetcad.features.Responses;
import it.firenze.streetcad.topology.TopologyValidation;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Optional;

/**
 * OGC API – Features Part 4 (create, replace, update, delete) on the cadastre's collections, for editors, with
 * optimistic locking: every item carries a strong ETag from its version, and a change must name it in
 * {@code If-Match} (428 without, 412 with the current ETag and representation when stale). Each edit re-validates
 * the topology around it in its own transaction and answers with the findings it raised and closed; tiles over it
 * are purged by the change log the database keeps. Also each item's history and the revert to a past version.
 */
public final class EditingHttp implements HttpModule {

    private static final String MERGE_PATCH = "application/merge-patch+json";
    private static final EditableType ROAD_ELEMENTS = EditableType.byCollection("road-elements").orElseThrow();

    private final Edits edits;
    private final ItemHistory history;
    private final FeatureStore features;
    private final int storageSrid;

    public EditingHttp(Database database) {
        this.edits = new Edits(database);
        this.history = new ItemHistory(database);
        this.features = new FeatureStore(database);
        this.storageSrid = database.storageSrid();
    }

    private static final String ITEMS_ALLOW = "GET, HEAD, POST, OPTIONS";
    private static final String ITEM_ALLOW = "GET, HEAD, PUT, PATCH, DELETE, OPTIONS";
    /** What a create takes ({@link #body}). */
    private static final String ACCEPT_POST = "application/geo+json, application/json";

    /**
     * Routes name each editable collection: a pattern like {@code /collections/{collectionId}/items} would also take
     * the requests of collections other modules serve (viability's), since routes match in the order they are added.
     */
    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        // A 412 is answered with the item itself, written before the handler stops.
        routes.exception(Answered.class, (e, ctx) -> { });
        for (EditableType t : EditableType.ALL) {
            String items = "/collections/" + t.collection() + "/items";
            String item = items + "/{featureId}";
            routes.post(items, ctx -> create(ctx, t));
            routes.put(item, ctx -> change(ctx, t, false));
            routes.patch(item, ctx -> change(ctx, t, true));
            routes.delete(item, ctx -> retire(ctx, t));
            routes.get(item + "/history", ctx -> history(ctx, t));
            routes.post(item + "/revert", ctx -> revert(ctx, t));
            AllowedMethods.declare(routes, items, ITEMS_ALLOW, ACCEPT_POST, null);
            AllowedMethods.declare(routes, item, ITEM_ALLOW, null, MERGE_PATCH + ", application/json");
            // Write verbs where a resource takes none: 405 naming what it does take.
            for (String verb : new String[]{"PUT", "PATCH", "DELETE"}) {
                notAllowed(routes, verb, items, ITEMS_ALLOW);
                notAllowed(routes, verb, "/collections/" + t.collection(), AllowedMethods.READ_ONLY);
            }
            notAllowed(routes, "POST", item, ITEM_ALLOW);
            notAllowed(routes, "POST", "/collections/" + t.collection(), AllowedMethods.READ_ONLY);
        }
        routes.post("/collections/road-elements/items/{featureId}/split", this::split);
        routes.post("/collections/road-elements/items/{featureId}/merge", this::merge);
    }

    private static void notAllowed(JavalinDefaultRoutingApi routes, String verb, String path, String allow) {
        io.javalin.http.Handler h = ctx -> {
            ctx.header("Allow", allow);
            throw new ProblemException(Problem.of(405, "Method not allowed", verb + " is not allowed on " + ctx.path()
                    + "; it allows " + allow + "."));
        };
        switch (verb) {
            case "PUT" -> routes.put(path, h);
            case "PATCH" -> routes.patch(path, h);
            case "DELETE" -> routes.delete(path, h);
            default -> routes.post(path, h);
        }
    }

    private void create(Context ctx, EditableType t) throws SQLException {
        Actor actor = AccessHttp.actor(ctx, Role.EDITOR);
        JsonNode feature = body(ctx, false);
        Edits.Input in = input(ctx, feature, false);
        Edits.Outcome done = run(ctx, t, 0, () -> edits.create(t, in, actor));
        ctx.header("Location", itemUrl(ctx, t, done.id()));
        answer(ctx, t, done, 201);
    }

    private void change(Context ctx, EditableType t, boolean patch) throws SQLException {
        Actor actor = AccessHttp.actor(ctx, Role.EDITOR);
        long id = id(ctx, t);
        Expected expected = ifMatch(ctx, t, id);
        JsonNode body = body(ctx, patch);
        Edits.Input in = input(ctx, body, patch);
        Edits.Outcome done = run(ctx, t, id, () -> patch ? edits.patch(t, id, expected, in, actor)
                : edits.replace(t, id, expected, in, actor));
        answer(ctx, t, done, 200);
    }

    private void retire(Context ctx, EditableType t) throws SQLException {
        Actor actor = AccessHttp.actor(ctx, Role.EDITOR);
        long id = id(ctx, t);
        Expected expected = ifMatch(ctx, t, id);
        Edits.Outcome done = run(ctx, t, id, () -> edits.retire(t, id, expected, actor));
        answer(ctx, t, done, 200);
    }

    private void revert(Context ctx, EditableType t) throws SQLException {
        Actor actor = AccessHttp.actor(ctx, Role.EDITOR);
        long id = id(ctx, t);
        String versionText = ctx.queryParam("version");
        if (versionText == null || !versionText.matches("\\d{1,9}")) {
            throw ProblemException.badRequest("version", "version must be the number of a version of the item, "
                    + "as its history lists them.");
        }
        Expected expected = ifMatch(ctx, t, id, true);
        Edits.Outcome done = run(ctx, t, id, () -> edits.revert(t, id, expected, Long.parseLong(versionText), actor));
        answer(ctx, t, done, 200);
    }

    /** Body {@code {"measure": m}} (metres from the start) or {@code {"point": [lon, lat]}} (CRS84). */
    private void split(Context ctx) throws SQLException {
        Actor actor = AccessHttp.actor(ctx, Role.EDITOR);
        long id = id(ctx, ROAD_ELEMENTS);
        Expected expected = ifMatch(ctx, ROAD_ELEMENTS, id);
        JsonNode body = body(ctx, false);
        JsonNode measure = body.get("measure");
        JsonNode point = body.get("point");
        if ((measure == null) == (point == null) || (measure != null && !measure.isNumber())
                || (point != null && !(point.isArray() && point.size() == 2 && point.get(0).isNumber()
                && point.get(1).isNumber()))) {
            throw new ProblemException(Problem.of(422, "Unprocessable content", "Give either measure (metres from the "
                    + "element's start) or point ([lon, lat] in CRS84), not both.").withParameter(
                    measure != null ? "measure" : "point"));
        }
        Edits.Split done = run(ctx, ROAD_ELEMENTS, id, () -> edits.split(id, expected,
                measure == null ? null : measure.asDouble(),
                point == null ? null : new double[]{point.get(0).asDouble(), point.get(1).asDouble()}, actor));
        ObjectNode doc = elements(done.first(), done.second());
        doc.put("junction", done.junction());
        answerNetworkEdit(ctx, doc, done.validated(), done.first());
    }

    /**
     * Body {@code {"with": id, "with_etag": "\"3\""}}: the element named in the path keeps its id and takes the line of
     * both; {@code with} (whose ETag, as read, the client names as it names the path element's in If-Match) is retired.
     */
    private void merge(Context ctx) throws SQLException {
        Actor actor = AccessHttp.actor(ctx, Role.EDITOR);
        long id = id(ctx, ROAD_ELEMENTS);
        Expected expected = ifMatch(ctx, ROAD_ELEMENTS, id);
        JsonNode body = body(ctx, false);
        JsonNode with = body.get("with");
        if (with == null || !with.canConvertToLong() || !with.isIntegralNumber()) {
            throw new ProblemException(Problem.of(422, "Unprocessable content", "Name the element to merge with this "
                    + "one: {\"with\": <its id>, \"with_etag\": <its ETag>}.").withParameter("with"));
        }
        JsonNode withEtag = body.get("with_etag");
        if (withEtag == null || !withEtag.isTextual()) {
            throw new ProblemException(Problem.of(428, "Precondition required", "Send with_etag, the ETag of element "
                    + with.asLong() + " as you read it, so that a merge never retires a change you have not seen.")
                    .withParameter("with_etag"));
        }
        Optional<Expected> withVersion = ItemResponses.expected(withEtag.asText());
        if (withVersion.isEmpty()) {
            throw new ProblemException(Problem.of(412, "Precondition failed", "with_etag is not an ETag of element "
                    + with.asLong() + "; read it again.").withParameter("with_etag"));
        }
        Edits.Merge done = run(ctx, ROAD_ELEMENTS, id, () -> edits.merge(id, expected, with.asLong(),
                withVersion.get(), actor));
        ObjectNode doc = elements(done.element());
        doc.put("retired", done.retired());
        doc.put("junction", done.junction());
        answerNetworkEdit(ctx, doc, done.validated(), done.element());
    }

    /** The road elements as they are now, as a FeatureCollection in CRS84. */
    private ObjectNode elements(long... ids) throws SQLException {
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("type", "FeatureCollection");
        ArrayNode list = doc.putArray("features");
        for (long id : ids) list.add(parse(features.item(feature(ROAD_ELEMENTS), id, Crs.CRS84, null).orElseThrow()
                .feature()));
        return doc;
    }

    /**
     * A split's or merge's answer: what re-validating around the change raised and closed, and the ETag a read of the
     * element that kept its id answers with now.
     */
    private void answerNetworkEdit(Context ctx, ObjectNode doc, TopologyValidation.Around validated, long kept)
            throws SQLException {
        validation(doc, validated);
        ctx.header("ETag", ItemResponses.etag(ctx, features, feature(ROAD_ELEMENTS), kept).orElseThrow());
        Responses.text(ctx, "application/geo+json", doc.toString());
    }

    private static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable feature", e);
        }
    }

    private static void validation(ObjectNode doc, TopologyValidation.Around around) {
        if (around.validationId().isEmpty()) return;
        ObjectNode v = doc.putObject("validation");
        v.put("id", around.validationId().getAsLong());
        v.put("status", around.status());
        v.set("raised", Json.mapper().valueToTree(around.raised()));
        v.set("closed", Json.mapper().valueToTree(around.closed()));
    }

    private void history(Context ctx, EditableType t) throws SQLException {
        long id = id(ctx, t);
        ArrayNode versions = history.of(t, id).orElseThrow(() -> ProblemException.notFound(
                "There is no feature " + id + " in " + t.collection() + "."));
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("collection", t.collection());
        doc.put("id", id);
        doc.set("versions", versions);
        ArrayNode links = doc.putArray("links");
        links.addObject().put("href", itemUrl(ctx, t, id) + "/history").put("rel", "self").put("type", "application/json");
        links.addObject().put("href", itemUrl(ctx, t, id)).put("rel", "item").put("type", "application/geo+json");
        Responses.text(ctx, "application/json", doc.toString());
    }

    // ---- the answers

    /** The item as it is now, with its ETag, and what re-validating around it raised and closed. */
    private void answer(Context ctx, EditableType t, Edits.Outcome done, int status) throws SQLException {
        ItemResponses.send(ctx, features, feature(t), done.id(), Crs.CRS84, null, status,
                doc -> validation(doc, done.validated()));
    }

    private interface Edit<R> {
        R run() throws SQLException;
    }

    /** Runs an edit, answering its refusals. */
    private <R> R run(Context ctx, EditableType t, long id, Edit<R> edit) throws SQLException {
        try {
            return edit.run();
        } catch (EditRefused e) {
            throw refused(ctx, t, id, e);
        }
    }

    /**
     * A refusal as the client gets it: 404 (naming the retirement of a retired item), 412 with the current item, 409,
     * or 422 naming the property.
     */
    private RuntimeException refused(Context ctx, EditableType t, long id, EditRefused e) throws SQLException {
        return switch (e.reason()) {
            case NOT_FOUND -> ProblemException.notFound(e.getMessage());
            case RETIRED -> ItemResponses.retired(ctx, features, feature(t), id);
            case STALE -> {
                // Another item than the addressed one (a merge's other element) is named by the field at fault.
                if (e.field() != null) {
                    yield new ProblemException(Problem.of(412, "Precondition failed", e.getMessage()).withParameter(e.field()));
                }
                ItemResponses.send(ctx, features, feature(t), id, Crs.CRS84, null, 412, null);
                yield new Answered();
            }
            case CONFLICT -> ProblemException.conflict(e.getMessage());
            case INVALID -> new ProblemException(Problem.of(422, "Unprocessable content", e.getMessage())
                    .withParameter(e.field()));
        };
    }

    /** The response is already written (a 412 carries the current item, not a problem). */
    private static final class Answered extends RuntimeException {
        Answered() {
            super(null, null, false, false);
        }
    }

    // ---- the request

    private static FeatureType feature(EditableType t) {
        return FeatureType.byId(t.collection()).orElseThrow();
    }

    private static long id(Context ctx, EditableType t) {
        return Params.pathId(ctx.pathParam("featureId"), t.collection() + " feature");
    }

    /**
     * The version If-Match admits: 428 without one, 412 (with the item as it is) when it is no ETag of ours — but 404
     * when there is no item to weigh it against (RFC 9110 §13.2.1), a retired one included: it has left the current
     * view, and only a revert, which takes it back, edits it.
     */
    private Expected ifMatch(Context ctx, EditableType t, long id) throws SQLException {
        return ifMatch(ctx, t, id, false);
    }

    private Expected ifMatch(Context ctx, EditableType t, long id, boolean retiredToo) throws SQLException {
        String header = ctx.header("If-Match");
        if (header == null) {
            throw new ProblemException(Problem.of(428, "Precondition required", "Send the item's ETag in If-Match "
                    + "(GET or HEAD it first), so that an edit never overwrites a change you have not seen."));
        }
        Optional<Expected> expected = ItemResponses.expected(header);
        if (expected.isPresent()) return expected.get();
        // Not an ETag of ours (a weak one, another server's): the item's current ETag is the answer.
        FeatureStore.Item item = features.item(feature(t), id, Crs.CRS84, null).orElseThrow(() ->
                ProblemException.notFound("There is no feature " + id + " in " + t.collection() + "."));
        if (item.retired() && !retiredToo) throw ItemResponses.retired(ctx, features, feature(t), id, item);
        ItemResponses.send(ctx, feature(t), id, Crs.CRS84, item, 412, null);
        throw new Answered();
    }

    private static JsonNode body(Context ctx, boolean patch) {
        if (ctx.contentType() == null) {
            // Part 4 /req/create-replace-delete/post-content-type B (and PUT's, PATCH's): no Content-Type is a 400.
            throw new ProblemException(Problem.of(400, "Bad request", "Say what the body is with a Content-Type header: "
                    + (patch ? MERGE_PATCH : "application/geo+json") + ".").withParameter("Content-Type"));
        }
        String type = ctx.contentType().toLowerCase(java.util.Locale.ROOT);
        boolean json = type.startsWith("application/json") || type.startsWith("application/geo+json")
                || (patch && type.startsWith(MERGE_PATCH));
        if (!json) {
            throw new ProblemException(Problem.of(415, "Unsupported media type", "Send the feature as "
                    + (patch ? MERGE_PATCH + " (or application/json)" : "application/geo+json") + "."));
        }
        try {
            JsonNode body = Json.mapper().readTree(ctx.body());
            if (body == null || !body.isObject()) throw new IOException("not an object");
            return body;
        } catch (IOException e) {
            throw new ProblemException(Problem.of(400, "Bad request", "The body is not a JSON object.")
                    .withParameter("body"));
        }
    }

    /**
     * The properties and geometry of a GeoJSON feature (create, replace) or of a JSON merge patch of one (update),
     * with the CRS its geometry is in: CRS84 unless {@code Content-Crs} names another one offered.
     */
    private Edits.Input input(Context ctx, JsonNode body, boolean patch) {
        if (!patch && !"Feature".equals(body.path("type").asText())) {
            throw new ProblemException(Problem.of(422, "Unprocessable content", "The body must be a GeoJSON Feature.")
                    .withParameter("type"));
        }
        JsonNode properties = body.get("properties");
        if (properties != null && !properties.isNull() && !properties.isObject()) {
            throw new ProblemException(Problem.of(422, "Unprocessable content", "properties must be an object.")
                    .withParameter("properties"));
        }
        String contentCrs = ctx.header("Content-Crs");
        Crs crs = Crs.CRS84;
        if (contentCrs != null) {
            String uri = contentCrs.strip().replaceAll("^<|>$", "");
            crs = Crs.find(uri, storageSrid).orElseThrow(() -> new ProblemException(Problem.of(400, "Bad request",
                    "The CRS '" + Params.abbreviate(uri) + "' in Content-Crs is not offered; see the collection's crs list.")
                    .withParameter("Content-Crs")));
        }
        return new Edits.Input(properties instanceof ObjectNode o ? o : null, body.get("geometry"), crs.srid(),
                crs.northFirst());
    }

    private static String itemUrl(Context ctx, EditableType t, long id) {
        return it.firenze.streetcad.api.PublicBaseUrl.of(ctx) + "/collections/" + t.collection() + "/items/" + id;
    }
}
