package it.firenze.streetcad.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static it.firenze.streetcad.testing.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the abstract-test classes share: one {@link ServedCadastre} per test class, started before its tests and closed
 * after them, and the few reads every abstract test makes (a 200 answer, its JSON, a link by relation, the ids of a
 * page). Test classes run one after another, so the static fields belong to the class running.
 */
abstract class OnAServedCadastre {

    static ServedCadastre served;
    static TestHttp http;

    @BeforeAll
    static void start() {
        served = new ServedCadastre();
        http = served.http;
    }

    @AfterAll
    static void stop() {
        served.close();
    }

    /** A query parameter's value percent-encoded, spaces as %20. */
    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static HttpResponse<String> ok(String path, String... headers) {
        HttpResponse<String> r = http.get(path, headers);
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        return r;
    }

    static JsonNode okJson(String path) {
        return json(ok(path));
    }

    /** The document's first link of that relation, or null. */
    static JsonNode link(JsonNode doc, String rel) {
        for (JsonNode l : doc.get("links")) if (l.get("rel").asText().equals(rel)) return l;
        return null;
    }

    static List<Long> ids(String path) {
        return ids(okJson(path));
    }

    static List<Long> ids(JsonNode featureCollection) {
        List<Long> ids = new ArrayList<>();
        featureCollection.get("features").forEach(f -> ids.add(f.get("id").asLong()));
        return ids;
    }
}
