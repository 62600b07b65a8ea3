package it.firenze.streetcad.web;

import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import it.firenze.streetcad.api.HttpModule;
import it.firenze.streetcad.api.ProblemException;
import it.firenze.streetcad.db.Database;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The web map staff open in a browser: the page (at {@code /} through {@link #browserHome()}, and at
 * {@code /map/}), its bundled assets under {@code /map/…} (MapLibre GL JS included, so that it works with no
 * internet access) and {@code /map/config.json}, which tells the page where the cadastre is and which optional
 * basemap to offer. The map itself draws from the tiles, items, search and topology endpoints of the other
 * capabilities.
 */
public final class WebMapModule implements HttpModule {

    private static final String PAGE = "index.html";

    private final Database database;
    private final String basemapUrl;
    private final WebAssets assets = new WebAssets("web/map/");

    /** @param basemapUrl an XYZ raster tile URL template offered as a background, or null for none (the default) */
    public WebMapModule(Database database, String basemapUrl) {
        this.database = database;
        this.basemapUrl = basemapUrl == null || basemapUrl.isBlank() ? null : basemapUrl;
        if (this.basemapUrl != null && !isTileTemplate(this.basemapUrl)) {
            throw new IllegalArgumentException("the basemap URL must be an http(s) tile template with {z}, {x} and {y}: "
                    + basemapUrl);
        }
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        // Javalin ignores trailing slashes, so this answers /map as well (a redirect between the two would loop).
        routes.get("/map/", browserHome());
        routes.get("/map/config.json", this::config);
        routes.get("/map/<asset>", ctx -> assets.serve(ctx, ctx.pathParam("asset")));
    }

    /** An http(s) XYZ tile URL template, the only kind of basemap the page can draw. */
    public static boolean isTileTemplate(String url) {
        return url.matches("(?i)https?://\\S+") && url.contains("{z}") && url.contains("{x}") && url.contains("{y}");
    }

    /** Serves the map page; the OGC API landing page delegates a browser's plain {@code GET /} to it. */
    public Handler browserHome() {
        return ctx -> assets.serve(ctx, PAGE);
    }

    private void config(Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("extent", new CadastreExtent(database).lonLatBounds().orElse(null));
        body.put("basemapUrl", basemapUrl);
        ctx.header("Cache-Control", "no-cache");
        ctx.json(body);
    }

    static ProblemException noSuchAsset(String path) {
        return ProblemException.notFound("The web map has no file " + path + ".");
    }
}
