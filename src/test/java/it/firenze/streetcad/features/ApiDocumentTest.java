package it.firenze.streetcad.features;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.network.NetworkModule;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conformance class OpenAPI 3.0 (17-069r4 Annex A.4): /api is an OpenAPI 3.0 document that a validator accepts,
 * it describes every path the server answers with the real parameters, and people get Swagger UI from the jar.
 */
class ApiDocumentTest {

    static Database db;
    static TestHttp http;

    @BeforeAll
    static void start() {
        db = TestPostgis.newCadastre();
        http = new TestHttp(new FeaturesModule(db), new NetworkModule(db));
    }

    @AfterAll
    static void stop() {
        http.close();
        db.close();
    }

    @Test
    void theApiDefinitionIsAValidOpenApi30Document() {
        HttpResponse<String> r = http.get("/api");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/vnd.oai.openapi+json"));
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(r.body(), null, options);
        assertEquals(List.of(), result.getMessages(), "validation messages");
        assertTrue(result.getOpenAPI().getOpenapi().startsWith("3.0."));
    }

    @Test
    void itDescribesEveryPathAndTheRealCollectionsAndCrs() {
        JsonNode api = TestHttp.json(http.get("/api"));
        List<String> paths = new ArrayList<>();
        api.get("paths").fieldNames().forEachRemaining(paths::add);
        assertEquals(List.of("/", "/conformance", "/api", "/collections", "/collections/{collectionId}",
                "/collections/{collectionId}/queryables", "/collections/{collectionId}/items",
                "/collections/{collectionId}/items/{featureId}", "/collections/{collectionId}/items/{featureId}/history",
                "/collections/{collectionId}/items/{featureId}/revert", "/collections/road-elements/items/{featureId}/split",
                "/collections/road-elements/items/{featureId}/merge", "/network/nearest",
                "/network/elements/{elementId}/measure", "/network/elements/{elementId}/point",
                "/network/elements/{elementId}/substring", "/network/junctions/{junctionId}", "/roads", "/health", "/ready",
                "/tileMatrixSets", "/tileMatrixSets/{tileMatrixSetId}", "/collections/{collectionId}/tiles",
                "/collections/{collectionId}/tiles/{tileMatrixSetId}",
                "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
                "/tiles/{layer}/{z}/{x}/{y}.{format}", "/tiles/{layer}.json", "/tiles", "/tiles/{tileMatrixSetId}",
                "/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}", "/topology/validations",
                "/topology/validations/{jobId}", "/topology/issues", "/topology/issues/{issueId}/accept",
                "/topology/fixes/{fix}/preview", "/topology/fixes/{fix}/apply", "/network/builds", "/network/builds/{jobId}",
                "/network/builds/{jobId}/changes", "/imports", "/imports/{jobId}", "/imports/{jobId}/features",
                "/imports/{jobId}/findings", "/imports/{jobId}/commit",
                "/collections/viability-measures/items", "/collections/viability-measures/items/{featureId}",
                "/collections/works/items", "/collections/works/items/{featureId}", "/collections/ordinances/items",
                "/collections/ordinances/items/{featureId}", "/viability/measures", "/viability/measures/{measureId}",
                "/viability/measures/{measureId}/impact", "/viability/works/{worksId}", "/viability/conflicts",
                "/viability/datex2", "/network/state", "/network/route", "/jobs", "/jobs/{id}", "/auth/login", "/auth/logout",
                "/auth/me", "/audit", "/metrics"), paths);
        JsonNode ids = api.at("/components/parameters/collectionId/schema/enum");
        assertEquals("[\"road-elements\",\"junctions\",\"roads\",\"element-events\",\"topology-issues\",\"viability-measures\",\"works\","
                + "\"ordinances\"]", ids.toString());
        assertEquals(8, api.at("/components/parameters/crs/schema/enum").size());
        assertEquals(10_000, api.at("/components/parameters/limit/schema/maximum").asInt());
        assertEquals(ItemQueryParser.MAX_LIMIT, api.at("/components/parameters/limit/schema/maximum").asInt());
        assertEquals(ItemQueryParser.DEFAULT_LIMIT, api.at("/components/parameters/limit/schema/default").asInt());
    }

    @Test
    void swaggerUiComesFromTheJarAndReadsTheDefinition() {
        HttpResponse<String> page = http.get("/api.html");
        assertEquals(200, page.statusCode());
        // The page starts Swagger UI from a script file of its own: the Content-Security-Policy allows no inline script.
        assertTrue(page.body().contains("<script src=\"/api/swagger-ui-init.js\"></script>"), page.body());
        HttpResponse<String> init = http.get("/api/swagger-ui-init.js");
        assertEquals(200, init.statusCode());
        assertTrue(init.body().contains("SwaggerUIBundle({url: '/api?f=json'"), init.body());
        HttpResponse<String> bundle = http.get("/api/swagger-ui/swagger-ui-bundle.js");
        assertEquals(200, bundle.statusCode());
        assertTrue(bundle.body().length() > 100_000);
        assertEquals(200, http.get("/api/swagger-ui/swagger-ui.css").statusCode());
        assertEquals(404, http.get("/api/swagger-ui/..%2F..%2Fetc%2Fpasswd").statusCode());
        assertEquals(302, http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(http.baseUrl() + "/api?f=html"))
                .build()).statusCode());
    }
}
