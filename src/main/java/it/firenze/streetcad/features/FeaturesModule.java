package it.firenze.streetcad.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.api.MediaTypes;
import it.firenze.streetcad.api.ProblemException;
import it.firenze.streetcad.api.PublicBaseUrl;
import it.firenze.streetcad.cql2.Queryable;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.tiles.TileLayer;
import it.firenze.streetcad.tiles.TilesModule;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OGC API – Features over the cadastre (Part 1 Core with GeoJSON, HTML and OpenAPI 3.0; Part 2 CRS by reference;
 * Part 3 filtering with CQL2). JSON by default, HTML for {@code f=html} or a browser's Accept, from the same
 * handlers. A browser's plain {@code GET /} goes to the web map ({@code browserHome}) when one is given.
 */
public final class FeaturesModule implements it.firenze.streetcad.api.HttpModule {

    static final String GEOJSON = "application/geo+json";
    static final String JSON = "application/json";
    static final String HTML = "text/html; charset=utf-8";
    static final String TILESETS_VECTOR = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector";
    /** Link objects carry the plain media type, as the standard's link examples do. */
    static final String HTML_LINK = "text/html";

    private final FeatureStore store;
    private final ItemQueryParser parser;
    private final Handler browserHome;
    private final boolean withTiles;

    /**
     * @param withTiles whether the server also serves {@link it.firenze.streetcad.tiles.TilesModule}: then its
     *                  conformance classes are declared and the collections with tiles link to their tilesets
     */
    public FeaturesModule(Database database, Handler browserHome, boolean withTiles) {
        this.store = new FeatureStore(database);
        this.parser = new ItemQueryParser(database.storageSrid(), new CqlFilters(database.storageSrid()));
        this.browserHome = browserHome;
        this.withTiles = withTiles;
    }

    public FeaturesModule(Database database, Handler browserHome) {
        this(database, browserHome, false);
    }

    public FeaturesModule(Database database) {
        this(database, null);
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/", this::landing);
        routes.get("/conformance", this::conformance);
        routes.get("/collections", this::collections);
        routes.get("/collections/{collectionId}", this::collection);
        routes.get("/collections/{collectionId}/items", this::items);
        routes.get("/collections/{collectionId}/items/{featureId}", this::item);
        routes.get("/collections/{collectionId}/queryables", this::queryables);
        for (String path : List.of("/", "/conformance", "/collections", "/collections/{collectionId}",
                "/collections/{collectionId}/items", "/collections/{collectionId}/items/{featureId}",
                "/collections/{collectionId}/queryables")) {
            routes.options(path, Responses::preflight);
        }
        new ApiDocument(store.storageSrid()).register(routes);
    }

    enum Format { JSON, HTML }

    /** The JSON representations of this module's resources (documents, features, queryables, the API definition). */
    private static final List<String> JSON_TYPES = List.of(JSON, GEOJSON, "application/schema+json",
            "application/vnd.oai.openapi+json");

    /**
     * {@code f} decides; without it, an Accept that ranks text/html above every JSON type by quality asks for HTML
     * (a browser's {@code text/html,…,*}{@code /*;q=0.8}), anything else gets JSON, the default.
     */
    static Format format(Context ctx) {
        String f = ctx.queryParam("f");
        if (f != null) {
            return switch (f.toLowerCase(java.util.Locale.ROOT)) {
                case "json", "geojson", "application/json", "application/geo+json" -> Format.JSON;
                case "html", "text/html" -> Format.HTML;
                default -> throw ProblemException.badRequest("f", "f must be json or html, not '" + Params.abbreviate(f) + "'.");
            };
        }
        String accept = ctx.header("Accept");
        // Without a range naming text/html or text/*, HTML gets at most what */* gives every JSON type too (short of
        // refusing each JSON type with q=0): API clients' headers (GDAL's, QGIS's, curl's */*) need no weighing.
        if (accept == null || (!accept.contains("text/html") && !accept.contains("text/*"))) return Format.JSON;
        double json = JSON_TYPES.stream().mapToDouble(type -> MediaTypes.quality(accept, type)).max().orElse(0);
        return MediaTypes.quality(accept, HTML_LINK) > json ? Format.HTML : Format.JSON;
    }

    private static void onlyParameters(Context ctx, Set<String> allowed) {
        for (String name : ctx.queryParamMap().keySet()) {
            if (!allowed.contains(name)) {
                throw ProblemException.badRequest(name, "'" + Params.abbreviate(name) + "' is not a parameter of "
                        + ctx.path() + ".");
            }
        }
    }

    private void landing(Context ctx) throws Exception {
        if (browserHome != null && ctx.queryParam("f") == null && format(ctx) == Format.HTML) {
            browserHome.handle(ctx);
            return;
        }
        onlyParameters(ctx, Set.of("f"));
        String base = base(ctx);
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("title", "StreetCad – Florence street cadastre");
        doc.put("description", "The road network of the City of Florence (Catasto delle Strade): road elements, "
                + "junctions and roads as OGC API – Features, plus road-network operations.");
        ArrayNode links = doc.putArray("links");
        selfLinks(links, base + "/", "landing page");
        link(links, base + "/api", "service-desc", ApiDocument.OPENAPI_JSON, "the API definition (OpenAPI 3.0)");
        link(links, base + "/api.html", "service-doc", HTML_LINK, "the API documentation (Swagger UI)");
        link(links, base + "/conformance", "conformance", JSON, "conformance classes implemented");
        link(links, base + "/collections", "data", JSON, "the collections");
        if (withTiles) link(links, base + "/tiles", TILESETS_VECTOR, JSON, "the dataset as vector tilesets (every layer)");
        reply(ctx, doc, "StreetCad", JSON);
    }

    /**
     * Only the classes whose abstract tests (Annex A of each part) the test suite checks are claimed: not CQL2's
     * property-property (LIKE and BETWEEN take literals on the right only), functions or arithmetic.
     */
    static final List<String> CONFORMANCE = List.of(
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
            "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
            "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
            "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
            "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
            "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
            "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
            "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
            "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
            "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
            "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
            "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
            "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
            "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
            // Part 4 (the editing capability's routes): POST/PUT/DELETE, and PATCH as a JSON merge patch.
            "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
            "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update");

    private void conformance(Context ctx) {
        onlyParameters(ctx, Set.of("f"));
        ObjectNode doc = Json.mapper().createObjectNode();
        selfLinks(doc.putArray("links"), base(ctx) + "/conformance", "conformance");
        ArrayNode classes = doc.putArray("conformsTo");
        CONFORMANCE.forEach(classes::add);
        if (withTiles) TilesModule.CONFORMANCE.forEach(classes::add);
        reply(ctx, doc, "Conformance", JSON);
    }

    private void collections(Context ctx) throws SQLException {
        onlyParameters(ctx, Set.of("f"));
        String base = base(ctx);
        ObjectNode doc = Json.mapper().createObjectNode();
        selfLinks(doc.putArray("links"), base + "/collections", "collections");
        ArrayNode list = doc.putArray("collections");
        // Every collection a client can address is listed, empty or not.
        long version = store.version();
        for (FeatureType t : FeatureType.ALL) list.add(describe(t, base, version));
        doc.putArray("crs").add(Crs.CRS84_URI);
        reply(ctx, doc, "Collections", JSON);
    }

    private void collection(Context ctx) throws SQLException {
        onlyParameters(ctx, Set.of("f"));
        FeatureType t = type(ctx);
        reply(ctx, describe(t, base(ctx), store.version()), t.title(), JSON);
    }

    private ObjectNode describe(FeatureType t, String base, long version) throws SQLException {
        ObjectNode c = Json.mapper().createObjectNode();
        String self = base + "/collections/" + t.id();
        c.put("id", t.id());
        c.put("title", t.title());
        c.put("description", t.description());
        c.put("itemType", "feature");
        ArrayNode links = c.putArray("links");
        selfLinks(links, self, t.title());
        link(links, self + "/items", "items", GEOJSON, t.title() + " as GeoJSON");
        link(links, self + "/items?f=html", "items", HTML_LINK, t.title() + " as HTML");
        link(links, self + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "application/schema+json", "the properties a filter may use");
        if (withTiles && TileLayer.byId(t.id()).isPresent()) {
            link(links, self + "/tiles", TILESETS_VECTOR, JSON, t.title() + " as vector tilesets");
        }
        FeatureStore.Extent extent = store.extent(t, version);
        ObjectNode ext = c.putObject("extent");
        ObjectNode spatial = ext.putObject("spatial");
        ArrayNode bbox = spatial.putArray("bbox").addArray();
        if (extent.bbox() != null) for (double v : extent.bbox()) bbox.add(v);
        else bbox.add(-180).add(-90).add(180).add(90);
        spatial.put("crs", Crs.CRS84_URI);
        ObjectNode temporal = ext.putObject("temporal");
        temporal.putArray("interval").addArray().add(extent.firstValidFrom()).addNull();
        temporal.put("trs", "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian");
        ArrayNode crs = c.putArray("crs");
        Crs.offered(store.storageSrid()).forEach(x -> crs.add(x.uri()));
        c.put("storageCrs", Crs.storage(store.storageSrid()).uri());
        return c;
    }

    private void items(Context ctx) throws SQLException {
        FeatureType t = type(ctx);
        Format format = format(ctx);
        ItemQuery q = parser.parse(t, ctx.queryParamMap());
        String base = base(ctx);
        // The same request over the same data is the same page: the ETag needs no page, only the data version,
        // so a revalidation is answered without running the page's query.
        if (ctx.header("If-None-Match") != null
                && Responses.notModified(ctx, itemsEtag(store.itemsVersion(), base, ctx, format))) {
            return;
        }
        FeatureStore.Page page = store.items(q);
        String self = base + "/collections/" + t.id() + "/items";
        ObjectNode head = Json.mapper().createObjectNode();
        head.put("type", "FeatureCollection");
        head.put("timeStamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        if (page.numberMatched() != null) head.put("numberMatched", page.numberMatched());
        else head.put("numberMatchedEstimate", page.numberMatchedEstimate());
        head.put("numberReturned", page.numberReturned());
        ArrayNode links = head.putArray("links");
        Map<String, String> query = new LinkedHashMap<>();
        ctx.queryParamMap().forEach((k, v) -> query.put(k, v.getFirst()));
        query.remove("f");
        link(links, self + queryString(query, "json"), format == Format.JSON ? "self" : "alternate", GEOJSON,
                "this page as GeoJSON");
        link(links, self + queryString(query, "html"), format == Format.HTML ? "self" : "alternate", HTML_LINK,
                "this page as HTML");
        query.put("limit", Integer.toString(q.limit()));
        if (page.more()) {
            // In id order the next page starts after this page's last id (a keyset): every page then costs what
            // the first does, where an offset made the database walk past every earlier page again.
            if (q.sortby().isEmpty()) {
                query.remove("offset");
                query.put("after", Long.toString(page.lastId()));
            } else {
                query.put("offset", Integer.toString(q.offset() + q.limit()));
            }
            link(links, self + queryString(query, null), "next", GEOJSON, "next page");
        }
        if (page.previous() != null) {
            query.remove("offset");
            query.remove("after");
            if (page.previous().after() != null) query.put("after", Long.toString(page.previous().after()));
            link(links, self + queryString(query, null), "prev", GEOJSON, "previous page");
        } else if (q.offset() > 0 && q.after() == null) {
            query.remove("after");
            query.put("offset", Integer.toString(Math.max(0, q.offset() - q.limit())));
            link(links, self + queryString(query, null), "prev", GEOJSON, "previous page");
        }
        ctx.header("Content-Crs", "<" + q.crs().uri() + ">");
        byte[] start = pageStart(head);
        String etag = itemsEtag(page.version(), base, ctx, format);
        if (format == Format.JSON) {
            var framed = page.features().framed(start, END_OF_PAGE);
            if (framed.isPresent()) {
                Responses.send(ctx, framed.get().bytes(), framed.get().offset(), framed.get().length(), GEOJSON, etag);
                // Written out in the one write above (Jetty's blocking write returns once the bytes are sent).
                page.features().recycle();
                return;
            }
        }
        // The head, the features where they were written, and the closing brace, joined only as they go out.
        InputStream body = Responses.joined(new ByteArrayInputStream(start), page.features().reader(),
                new ByteArrayInputStream(END_OF_PAGE));
        if (format == Format.HTML) {
            try {
                Responses.send(ctx, Html.page(t.title(), parse(new String(body.readAllBytes(), StandardCharsets.UTF_8)))
                        .getBytes(StandardCharsets.UTF_8), HTML, etag);
            } catch (IOException e) {
                throw new UncheckedIOException(e);  // bytes in memory do not fail
            }
        } else {
            Responses.send(ctx, body, GEOJSON, etag);
        }
    }

    private static final byte[] END_OF_PAGE = {'}'};
    private static final byte[] FEATURES_MEMBER = ",\"features\":".getBytes(StandardCharsets.UTF_8);

    /** The page's head as UTF-8, open for its features: written as bytes at once, not through a String. */
    private static byte[] pageStart(ObjectNode head) {
        byte[] json;
        try {
            json = Json.mapper().writeValueAsBytes(head);
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // a tree in memory does not fail to write
        }
        byte[] start = Arrays.copyOf(json, json.length - 1 + FEATURES_MEMBER.length);  // without its closing brace
        System.arraycopy(FEATURES_MEMBER, 0, start, json.length - 1, FEATURES_MEMBER.length);
        return start;
    }

    /** Weak: two answers to one request over one items version differ only in their timeStamp. */
    private static String itemsEtag(FeatureStore.ItemsVersion version, String base, Context ctx, Format format) {
        return Responses.weakEtag(version.tag(), base, ctx.path(), String.valueOf(ctx.queryString()),
                format.name());
    }

    private void item(Context ctx) throws SQLException {
        FeatureType t = type(ctx);
        onlyParameters(ctx, Set.of("f", "crs", "as-of"));
        format(ctx); // refuses an f it does not know before any work
        Crs crs = parser.crs(ctx.queryParamMap(), "crs");
        OffsetDateTime asOf = parser.asOf(ctx.queryParamMap());
        ItemResponses.read(ctx, store, t, Params.pathId(ctx.pathParam("featureId"), t.id() + " feature"), crs, asOf);
    }

    private void queryables(Context ctx) {
        onlyParameters(ctx, Set.of("f"));
        FeatureType t = type(ctx);
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        doc.put("$id", base(ctx) + "/collections/" + t.id() + "/queryables");
        doc.put("type", "object");
        doc.put("title", t.title());
        ObjectNode properties = doc.putObject("properties");
        for (Queryable q : t.queryables().values()) {
            ObjectNode p = properties.putObject(q.name());
            p.put("title", q.name());
            if (q.type() == Queryable.Type.GEOMETRY) {
                // A collection of mixed geometry types is "geometry-any" (Part 3, 6.2).
                p.put("format", "geometry-" + (t.geometryType().equals("Geometry") ? "any"
                        : t.geometryType().toLowerCase(java.util.Locale.ROOT)));
                p.put("x-ogc-role", "primary-geometry");
            } else if (q.type() == Queryable.Type.INTERVAL) {
                p.put("description", "valid_from to valid_to; the end is open ('..') while the row is current");
                p.put("type", "array").put("minItems", 2).put("maxItems", 2);
                p.putObject("items").put("type", "string").put("format", "date-time");
            } else {
                p.put("type", q.type().jsonSchemaType());
                if (q.type() == Queryable.Type.TIMESTAMP) p.put("format", "date-time");
                if (q.type() == Queryable.Type.OBJECT) {
                    p.put("description", "a filter names a member as " + q.name() + ".<member>; it compares as the "
                            + "type of the value it is compared with");
                }
            }
        }
        doc.put("additionalProperties", false);
        reply(ctx, doc, t.title() + " – queryables", "application/schema+json");
    }

    private static FeatureType type(Context ctx) {
        String id = ctx.pathParam("collectionId");
        return FeatureType.byId(id).orElseThrow(() -> ProblemException.notFound("There is no collection '"
                + Params.abbreviate(id) + "'; see /collections."));
    }

    private static void reply(Context ctx, ObjectNode doc, String title, String jsonType) {
        if (format(ctx) == Format.HTML) {
            JsonNode links = doc.get("links");
            if (links != null) for (JsonNode l : links) ((ObjectNode) l).put("href", htmlHref(l));
            Responses.send(ctx, Html.page(title, doc), HTML);
        } else {
            Responses.send(ctx, doc.toString(), jsonType);
        }
    }

    /** In the HTML view, links to JSON documents of this API are followed as HTML. */
    private static String htmlHref(JsonNode link) {
        String href = link.path("href").asText();
        if (!link.path("type").asText().contains("json") || href.endsWith("/api")) return href;
        if (href.contains("f=")) return href.replace("f=json", "f=html");
        return href + (href.contains("?") ? "&" : "?") + "f=html";
    }

    static void selfLinks(ArrayNode links, String href, String title) {
        selfLinks(links, href, JSON, title);
    }

    static void selfLinks(ArrayNode links, String href, String type, String title) {
        link(links, href, "self", type, title);
        link(links, href + "?f=html", "alternate", HTML_LINK, title + " as HTML");
    }

    static void link(ArrayNode links, String href, String rel, String type, String title) {
        links.addObject().put("href", href).put("rel", rel).put("type", type).put("title", title);
    }

    static String base(Context ctx) {
        return PublicBaseUrl.of(ctx);
    }

    private static String queryString(Map<String, String> params, String f) {
        StringBuilder b = new StringBuilder();
        params.forEach((k, v) -> b.append(b.isEmpty() ? "?" : "&").append(encode(k)).append('=').append(encode(v)));
        if (f != null) b.append(b.isEmpty() ? "?" : "&").append("f=").append(f);
        return b.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
