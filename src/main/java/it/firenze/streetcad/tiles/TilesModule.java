package it.firenze.streetcad.tiles;

import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import it.firenze.streetcad.api.HttpModule;
import it.firenze.streetcad.api.MediaTypes;
import it.firenze.streetcad.api.ProblemException;
import it.firenze.streetcad.api.PublicBaseUrl;
import it.firenze.streetcad.features.Params;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OGC API – Tiles (OGC 20-057) over WebMercatorQuad, the XYZ short form map libraries use
 * ({@code /tiles/{layer}/{z}/{x}/{y}.mvt|.geojson}) and a TileJSON 3.0 document per layer.
 */
public final class TilesModule implements HttpModule {

    static final String TMS_ID = "WebMercatorQuad";

    /**
     * The OGC API – Tiles (20-057) classes these endpoints implement: vector tilesets over WebMercatorQuad of each
     * collection, in MVT and GeoJSON, and of the dataset (every layer in one MVT tile, at {@code /tiles}).
     */
    public static final List<String> CONFORMANCE = List.of(
            "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
            "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
            "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
            "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
            "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
            "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
            "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geojson");
    private static final String TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";

    private final TileService tiles;

    public TilesModule(TileService tiles) {
        this.tiles = tiles;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/tileMatrixSets", ctx -> ctx.json(Map.of(
                "links", List.of(link("self", PublicBaseUrl.of(ctx) + "/tileMatrixSets", "application/json")),
                "tileMatrixSets", List.of(tileMatrixSetLink(PublicBaseUrl.of(ctx))))));
        routes.get("/tileMatrixSets/{tms}", ctx -> {
            tileMatrixSet(ctx.pathParam("tms"));
            ctx.json(webMercatorQuad());
        });
        routes.get("/collections/{collection}/tiles", ctx -> {
            TileLayer layer = layer(ctx.pathParam("collection"));
            String base = PublicBaseUrl.of(ctx);
            ctx.json(Map.of("links", List.of(link("self", base + "/collections/" + layer.id() + "/tiles", "application/json")),
                    "tilesets", List.of(tileset(layer, base))));
        });
        routes.get("/collections/{collection}/tiles/{tms}", ctx -> {
            TileLayer layer = layer(ctx.pathParam("collection"));
            tileMatrixSet(ctx.pathParam("tms"));
            ctx.json(tileset(layer, PublicBaseUrl.of(ctx)));
        });
        routes.get("/collections/{collection}/tiles/{tms}/{tileMatrix}/{tileRow}/{tileCol}", ctx -> {
            TileLayer layer = layer(ctx.pathParam("collection"));
            tileMatrixSet(ctx.pathParam("tms"));
            int z = integer(ctx.pathParam("tileMatrix"), "tileMatrix");
            int y = integer(ctx.pathParam("tileRow"), "tileRow");
            int x = integer(ctx.pathParam("tileCol"), "tileCol");
            String f = ctx.queryParam("f");
            TileFormat format = f == null ? negotiated(ctx) : TileFormat.byExtension(f).orElseThrow(() ->
                    ProblemException.badRequest("f", "f must be mvt or geojson, not '" + f + "'"));
            if (f == null) ctx.header("Vary", "Accept, Accept-Encoding");
            serve(ctx, layer, format, address(z, x, y, "tileMatrix", "tileCol", "tileRow"));
        });
        routes.get("/tiles", ctx -> {
            String base = PublicBaseUrl.of(ctx);
            ctx.json(Map.of("links", List.of(link("self", base + "/tiles", "application/json")),
                    "tilesets", List.of(datasetTileset(base))));
        });
        routes.get("/tiles/{layer}/{z}/{x}/{file}", ctx -> {
            if (ctx.pathParam("layer").equals(TMS_ID)) {
                // The dataset's tile: /tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}, beside the XYZ
                // form /tiles/{layer}/{z}/{x}/{y}.{format} (no layer is named after the tile matrix set).
                int z = integer(ctx.pathParam("z"), "tileMatrix");
                int y = integer(ctx.pathParam("x"), "tileRow");
                int x = integer(ctx.pathParam("file"), "tileCol");
                String f = ctx.queryParam("f");
                if (f != null && TileFormat.byExtension(f).orElse(null) != TileFormat.MVT) {
                    throw ProblemException.badRequest("f", "the dataset's tiles hold every layer, so they are Mapbox "
                            + "Vector Tiles only (f=mvt), not '" + f + "'; each collection's tiles are also GeoJSON");
                }
                TileAddress address = address(z, x, y, "tileMatrix", "tileCol", "tileRow");
                // The dataset tile draws a timed layer at now (to the minute): revalidated like such a layer's own.
                boolean moving = tiles.servedLayers().stream().anyMatch(TileLayer::timed);
                serve(ctx, TileFormat.MVT, moving, () -> tiles.datasetEtag(address), () -> tiles.datasetTile(address));
                return;
            }
            TileLayer layer = layer(ctx.pathParam("layer"));
            String file = ctx.pathParam("file");
            int dot = file.lastIndexOf('.');
            String extension = dot < 0 ? "" : file.substring(dot + 1);
            TileFormat format = TileFormat.byExtension(extension).orElseThrow(() -> ProblemException.notFound(
                    "Tiles are served as .mvt or .geojson, not '" + file + "'."));
            int z = integer(ctx.pathParam("z"), "z");
            int x = integer(ctx.pathParam("x"), "x");
            int y = integer(file.substring(0, dot), "y");
            serve(ctx, layer, format, address(z, x, y, "z", "x", "y"));
        });
        routes.get("/tiles/{file}", ctx -> {
            String file = ctx.pathParam("file");
            if (file.equals(TMS_ID)) {
                ctx.json(datasetTileset(PublicBaseUrl.of(ctx)));
                return;
            }
            if (!file.endsWith(".json")) {
                throw ProblemException.notFound("The dataset's tileset is /tiles/" + TMS_ID
                        + "; TileJSON documents are at /tiles/{layer}.json.");
            }
            ctx.json(tileJson(ctx, layer(file.substring(0, file.length() - ".json".length()))));
        });
    }

    /**
     * A collection's tile without {@code f}: GeoJSON when Accept ranks it above MVT, else MVT, the default (the
     * response's format follows HTTP content negotiation: OGC API – Tiles /req/core/tc-success B).
     */
    private static TileFormat negotiated(Context ctx) {
        String accept = ctx.header("Accept");
        // Only a range naming GeoJSON can rank it above MVT (application/* and */* rank them alike).
        if (accept == null || !accept.contains(TileFormat.GEOJSON.mediaType())) return TileFormat.MVT;
        return MediaTypes.quality(accept, TileFormat.GEOJSON.mediaType()) > MediaTypes.quality(accept, TileFormat.MVT.mediaType())
                ? TileFormat.GEOJSON : TileFormat.MVT;
    }

    private void serve(Context ctx, TileLayer layer, TileFormat format, TileAddress address) throws SQLException {
        Instant at = instant(ctx, layer);
        // "Now" moves on without any write (a closure starts at 08:00): such a tile is revalidated on every use.
        boolean moving = layer.timed() && ctx.queryParam("datetime") == null;
        serve(ctx, format, moving, () -> tiles.etag(layer, format, address, at), () -> tiles.tile(layer, format, address, at));
    }

    private interface Lookup<T> {
        T get() throws SQLException;
    }

    /** Answers a tile: 304 when the ETag told without making it matches, else the tile, gzipped on request. */
    private void serve(Context ctx, TileFormat format, boolean moving, Lookup<String> currentEtag, Lookup<Tile> make)
            throws SQLException {
        boolean gzip = acceptsGzip(ctx.header("Accept-Encoding"));
        ctx.header("Cache-Control", moving ? "no-cache" : tiles.settings().cacheControl());
        // A collection's tile negotiated on Accept has said so already (Vary: Accept, Accept-Encoding).
        if (ctx.res().getHeader("Vary") == null) ctx.header("Vary", "Accept-Encoding");
        ctx.header("Access-Control-Allow-Origin", "*");
        String ifNoneMatch = ctx.header("If-None-Match");
        if (ifNoneMatch != null) {
            String etag = currentEtag.get();
            if (matches(ifNoneMatch, etag)) {
                ctx.header("ETag", gzip ? Tile.gzipVariant(etag) : etag);
                ctx.status(304);
                return;
            }
        }
        Tile tile = make.get();
        ctx.header("ETag", gzip ? tile.gzipEtag() : tile.etag());
        ctx.header("StreetCad-Tile-Features", Integer.toString(tile.features()));
        if (tile.thinned()) ctx.header("StreetCad-Tile-Thinned", "true");
        ctx.contentType(format.mediaType());
        if (gzip) {
            // Set before the body, so the server does not compress again what is already gzipped.
            ctx.header("Content-Encoding", "gzip");
            ctx.result(tile.gzipped());
        } else {
            ctx.result(tile.body());
        }
    }

    /**
     * The instant of a timed layer's tile: datetime (RFC 3339), else now to the minute, so that the map's tiles
     * of one minute share their cache entries; null for the other layers, which refuse the parameter.
     */
    private static Instant instant(Context ctx, TileLayer layer) {
        String d = ctx.queryParam("datetime");
        if (!layer.timed()) {
            if (d != null) throw ProblemException.badRequest("datetime", "The " + layer.id() + " tiles have no datetime.");
            return null;
        }
        return d == null || d.equals("now") ? TileService.thisMinute() : Params.instant("datetime", d).toInstant();
    }

    /** Either coding's ETag validates: both stand for the same tile content. */
    static boolean matches(String ifNoneMatch, String etag) {
        return Arrays.stream(ifNoneMatch.split(","))
                .map(String::strip)
                .map(t -> t.startsWith("W/") ? t.substring(2) : t)
                .anyMatch(t -> t.equals("*") || t.equals(etag) || t.equals(Tile.gzipVariant(etag)));
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) return false;
        return Arrays.stream(acceptEncoding.split(",")).map(String::strip).anyMatch(coding -> {
            String[] parts = coding.split(";");
            if (!parts[0].strip().equalsIgnoreCase("gzip")) return false;
            return parts.length < 2 || !parts[1].replace(" ", "").matches("q=0(\\.0*)?");
        });
    }

    private TileLayer layer(String id) throws SQLException {
        TileLayer layer = TileLayer.byId(id).orElse(null);
        if (layer == null || !tiles.available(layer)) {
            List<String> ids = new ArrayList<>();
            for (TileLayer l : TileLayer.values()) if (tiles.available(l)) ids.add(l.id());
            throw ProblemException.notFound("There is no tile layer '" + id + "'; the layers are " + ids + ".");
        }
        return layer;
    }

    private static void tileMatrixSet(String id) {
        if (!TMS_ID.equals(id)) {
            throw ProblemException.notFound("There is no tile matrix set '" + id + "'; StreetCad tiles " + TMS_ID + ".");
        }
    }

    private static int integer(String text, String parameter) {
        if (!text.matches("-?\\d{1,9}")) {
            throw ProblemException.badRequest(parameter, parameter + " must be a whole number, not '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    private static TileAddress address(int z, int x, int y, String zName, String xName, String yName) {
        if (z < 0 || z > TileAddress.MAX_ZOOM) {
            throw ProblemException.badRequest(zName, zName + " must be within 0–" + TileAddress.MAX_ZOOM + ", not " + z);
        }
        long last = (1L << z) - 1;
        if (x < 0 || x > last) throw ProblemException.badRequest(xName, xName + " must be within 0–" + last + " at zoom " + z + ", not " + x);
        if (y < 0 || y > last) throw ProblemException.badRequest(yName, yName + " must be within 0–" + last + " at zoom " + z + ", not " + y);
        return new TileAddress(z, x, y);
    }

    private static Map<String, Object> link(String rel, String href, String type) {
        Map<String, Object> link = new LinkedHashMap<>();
        link.put("rel", rel);
        link.put("href", href);
        link.put("type", type);
        return link;
    }

    private static Map<String, Object> tileMatrixSetLink(String base) {
        Map<String, Object> tms = new LinkedHashMap<>();
        tms.put("id", TMS_ID);
        tms.put("title", "Google Maps Compatible for the World");
        tms.put("uri", TMS_URI);
        tms.put("links", List.of(link("self", base + "/tileMatrixSets/" + TMS_ID, "application/json")));
        return tms;
    }

    /**
     * The WebMercatorQuad definition in the OGC Two Dimensional Tile Matrix Set 2.0 JSON encoding: the registered
     * set, all of its tile matrices, as its URI promises; the tilesets say which of them are served
     * (tileMatrixSetLimits), rather than a truncated set under the registered URI.
     */
    static Map<String, Object> webMercatorQuad() {
        List<Map<String, Object>> matrices = new ArrayList<>();
        for (int z = 0; z <= TileAddress.WEB_MERCATOR_QUAD_DEEPEST; z++) {
            Map<String, Object> m = new LinkedHashMap<>();
            double cellSize = 2 * TileAddress.ORIGIN / 256 / (1L << z);
            m.put("id", Integer.toString(z));
            m.put("scaleDenominator", cellSize / 0.00028);
            m.put("cellSize", cellSize);
            m.put("cornerOfOrigin", "topLeft");
            m.put("pointOfOrigin", List.of(-TileAddress.ORIGIN, TileAddress.ORIGIN));
            m.put("tileWidth", 256);
            m.put("tileHeight", 256);
            m.put("matrixWidth", 1L << z);
            m.put("matrixHeight", 1L << z);
            matrices.add(m);
        }
        Map<String, Object> tms = new LinkedHashMap<>();
        tms.put("id", TMS_ID);
        tms.put("title", "Google Maps Compatible for the World");
        tms.put("uri", TMS_URI);
        tms.put("crs", "http://www.opengis.net/def/crs/EPSG/0/3857");
        tms.put("orderedAxes", List.of("X", "Y"));
        tms.put("wellKnownScaleSet", "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible");
        tms.put("tileMatrices", matrices);
        return tms;
    }

    /** A tileset's metadata; every link absolute, from {@code apiBase} (some clients drop the port resolving relative ones). */
    private Map<String, Object> tileset(TileLayer layer, String apiBase) {
        return tileset(layer.title(), apiBase + "/collections/" + layer.id() + "/tiles/" + TMS_ID, apiBase,
                List.of(TileFormat.values()), List.of(layer));
    }

    /** The dataset's tileset: every served layer, in MVT only (GeoJSON has no layers). */
    private Map<String, Object> datasetTileset(String apiBase) throws SQLException {
        return tileset("StreetCad – Florence street cadastre, every layer", apiBase + "/tiles/" + TMS_ID, apiBase,
                List.of(TileFormat.MVT), tiles.servedLayers());
    }

    private Map<String, Object> tileset(String title, String base, String apiBase, List<TileFormat> formats,
                                        List<TileLayer> layers) {
        String template = base + "/{tileMatrix}/{tileRow}/{tileCol}";
        Map<String, Object> tileset = new LinkedHashMap<>();
        tileset.put("title", title);
        tileset.put("dataType", "vector");
        tileset.put("crs", "http://www.opengis.net/def/crs/EPSG/0/3857");
        tileset.put("tileMatrixSetURI", TMS_URI);
        List<Map<String, Object>> links = new ArrayList<>();
        links.add(link("self", base, "application/json"));
        links.add(link("http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", apiBase + "/tileMatrixSets/" + TMS_ID, "application/json"));
        for (TileFormat format : formats) {
            Map<String, Object> item = link("item", template + "?f=" + format.extension(), format.mediaType());
            item.put("templated", true);
            links.add(item);
        }
        tileset.put("links", links);
        // The tile matrices served, each whole: 0 to MAX_ZOOM of the registered 0 to 24 (OGC 17-083r4 tile matrix
        // set limits); a tile beyond them is a 400 (/req/core/tc-error).
        List<Map<String, Object>> limits = new ArrayList<>();
        for (int z = 0; z <= TileAddress.MAX_ZOOM; z++) {
            long last = (1L << z) - 1;
            limits.add(Map.of("tileMatrix", Integer.toString(z), "minTileRow", 0, "maxTileRow", last,
                    "minTileCol", 0, "maxTileCol", last));
        }
        tileset.put("tileMatrixSetLimits", limits);
        tileset.put("layers", layers.stream().map(layer -> Map.of("id", layer.id(), "dataType", "vector",
                "geometryType", layer.geometryType(),
                "minTileMatrix", Integer.toString(layer.minZoom(tiles.settings().detailZoom())),
                "maxTileMatrix", Integer.toString(TileAddress.MAX_ZOOM))).toList());
        return tileset;
    }

    private Map<String, Object> tileJson(Context ctx, TileLayer layer) throws SQLException {
        String base = PublicBaseUrl.of(ctx);
        int minZoom = layer.minZoom(tiles.settings().detailZoom());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("tilejson", "3.0.0");
        doc.put("name", layer.id());
        doc.put("description", layer.title());
        doc.put("scheme", "xyz");
        doc.put("tiles", List.of(base + "/tiles/" + layer.id() + "/{z}/{x}/{y}.mvt"));
        doc.put("minzoom", 0);
        doc.put("maxzoom", TileAddress.MAX_ZOOM);
        tiles.bounds(layer).ifPresent(b -> doc.put("bounds", b));
        doc.put("vector_layers", List.of(Map.of("id", layer.id(), "fields", layer.fields(),
                "minzoom", minZoom, "maxzoom", TileAddress.MAX_ZOOM)));
        return doc;
    }
}
