package it.firenze.streetcad.features;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import it.firenze.streetcad.api.ProblemException;
import it.firenze.streetcad.api.PublicBaseUrl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * {@code /api}: the OpenAPI 3.0 definition (written by hand in {@code features/openapi.yaml}, completed here
 * with the collection ids and CRSs the server really offers) and {@code /api.html}, Swagger UI from its WebJar.
 */
final class ApiDocument {

    static final String OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0";
    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
    private static final Map<String, String> UI_FILES = Map.of(
            "swagger-ui.css", "text/css", "swagger-ui-bundle.js", "text/javascript",
            "swagger-ui-standalone-preset.js", "text/javascript", "favicon-32x32.png", "image/png");

    private final ObjectNode document;
    private final String swaggerVersion;

    ApiDocument(int storageSrid) {
        this.document = build(storageSrid);
        this.swaggerVersion = swaggerUiVersion();
    }

    void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api", this::api);
        routes.get("/api.html", this::ui);
        routes.get("/api/swagger-ui/{file}", this::uiFile);
        // A file, not an inline script: the Content-Security-Policy allows scripts from this server only.
        routes.get("/api/swagger-ui-init.js", ctx -> Responses.send(ctx,
                "window.ui = SwaggerUIBundle({url: '/api?f=json', dom_id: '#ui'});\n", "text/javascript"));
    }

    private void api(Context ctx) {
        for (String name : ctx.queryParamMap().keySet()) {
            if (!name.equals("f")) throw ProblemException.badRequest(name, "'" + Params.abbreviate(name) + "' is not a parameter of /api.");
        }
        if (FeaturesModule.format(ctx) == FeaturesModule.Format.HTML) {
            ctx.redirect("/api.html");
            return;
        }
        // servers is the absolute base the client reached: relative, clients resolved the API's base differently.
        ObjectNode doc = document.deepCopy();
        doc.putArray("servers").addObject().put("url", PublicBaseUrl.of(ctx));
        Responses.send(ctx, doc.toString(), OPENAPI_JSON);
    }

    private void ui(Context ctx) {
        Responses.send(ctx, """
                <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>StreetCad API</title>
                <link rel="stylesheet" href="/api/swagger-ui/swagger-ui.css"></head><body><div id="ui"></div>
                <script src="/api/swagger-ui/swagger-ui-bundle.js"></script>
                <script src="/api/swagger-ui-init.js"></script>
                </body></html>""", FeaturesModule.HTML);
    }

    private void uiFile(Context ctx) throws IOException {
        String file = ctx.pathParam("file");
        String type = UI_FILES.get(file);
        if (type == null) throw ProblemException.notFound("Swagger UI has no file '" + Params.abbreviate(file) + "'.");
        try (InputStream in = resource(WEBJAR + swaggerVersion + "/" + file)) {
            ctx.header("Cache-Control", "public, max-age=86400");
            Responses.send(ctx, in.readAllBytes(), type);
        }
    }

    private static ObjectNode build(int storageSrid) {
        try (InputStream in = resource("features/openapi.yaml")) {
            ObjectNode doc = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(in);
            ObjectNode parameters = (ObjectNode) doc.path("components").path("parameters");
            ObjectNode limit = (ObjectNode) parameters.path("limit").path("schema");
            limit.put("default", ItemQueryParser.DEFAULT_LIMIT).put("maximum", ItemQueryParser.MAX_LIMIT);
            ArrayNode ids = ((ObjectNode) parameters.path("collectionId").path("schema")).putArray("enum");
            FeatureType.ALL.forEach(t -> ids.add(t.id()));
            for (String name : Set.of("crs", "bbox-crs", "filter-crs")) {
                ObjectNode schema = (ObjectNode) parameters.path(name).path("schema");
                ArrayNode values = schema.putArray("enum");
                Crs.offered(storageSrid).forEach(c -> values.add(c.uri()));
                schema.put("default", Crs.CRS84_URI);
            }
            return doc;
        } catch (IOException e) {
            throw new UncheckedIOException("the OpenAPI document in the jar is unreadable", e);
        }
    }

    private static String swaggerUiVersion() {
        try (InputStream in = resource("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String path) throws IOException {
        InputStream in = ApiDocument.class.getClassLoader().getResourceAsStream(path);
        if (in == null) throw new IOException(path + " is missing from the class path");
        return in;
    }
}
