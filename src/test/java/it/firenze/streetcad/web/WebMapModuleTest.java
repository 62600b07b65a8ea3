package it.firenze.streetcad.web;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given the web-map module on a real HTTP port over a real PostGIS, it serves the page, its assets and its configuration. */
class WebMapModuleTest {

    Database db;
    TestHttp http;

    @BeforeEach
    void start() {
        db = TestPostgis.newCadastre();
        WebMapModule webMap = new WebMapModule(db, null);
        // The features landing page delegates a browser's GET / to browserHome(); this stands in for it.
        http = new TestHttp(webMap, routes -> routes.get("/", webMap.browserHome()));
    }

    @AfterEach
    void stop() {
        http.close();
        db.close();
    }

    @Test
    void theMapPageIsServedAtMapWithAndWithoutTheSlashAndThroughTheBrowserHome() {
        for (String path : new String[]{"/map", "/map/", "/"}) {
            var r = http.get(path, "Accept", "text/html");
            assertEquals(200, r.statusCode(), path);
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), path);
            assertTrue(r.body().contains("<title>StreetCad — Catasto delle Strade</title>"), path);
        }
    }

    @Test
    void everyResourceThePageLoadsIsBundledSoItWorksWithoutInternet() {
        String page = http.get("/map/").body();
        var refs = java.util.regex.Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page);
        int count = 0;
        while (refs.find()) {
            String ref = refs.group(1);
            if (ref.startsWith("data:")) continue;
            assertTrue(ref.startsWith("/map/"), "only local resources: " + ref);
            assertEquals(200, http.get(ref).statusCode(), ref);
            count++;
        }
        assertTrue(count >= 6, "page, styles and scripts: " + count);
    }

    @Test
    void anAssetAnswers304ToItsETagAndVendoredFilesAreCachedForAYear() {
        var first = http.get("/map/streetcad-map.js");
        assertEquals(200, first.statusCode());
        assertEquals("text/javascript; charset=utf-8", first.headers().firstValue("Content-Type").orElse(""));
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertEquals(304, http.get("/map/streetcad-map.js", "If-None-Match", etag).statusCode());
        assertEquals("no-cache", first.headers().firstValue("Cache-Control").orElse(""));
        var vendored = http.get("/map/vendor/maplibre-gl-5.17.0/maplibre-gl.css");
        assertEquals("public, max-age=31536000, immutable", vendored.headers().firstValue("Cache-Control").orElse(""));
    }

    @Test
    void thePageAndItsScriptsNeedNoInlineScriptOrStyleSoAStrictContentSecurityPolicyAllowsThem() {
        String page = http.get("/map/").body();
        var scripts = java.util.regex.Pattern.compile("<script([^>]*)>").matcher(page);
        int count = 0;
        while (scripts.find()) {
            assertTrue(scripts.group(1).contains(" src=\"/map/"), "a script from a file: <script" + scripts.group(1) + ">");
            count++;
        }
        assertTrue(count >= 4, "MapLibre and the page's scripts: " + count);
        for (String path : new String[]{"/map/", "/map/streetcad-map.js", "/map/style.js", "/map/i18n.js"}) {
            String body = http.get(path).body();
            assertFalse(body.contains("style=\""), path + " writes a style attribute");
            assertFalse(java.util.regex.Pattern.compile("\\son[a-z]+=\"").matcher(body).find(), path + " has an inline handler");
        }
    }

    @Test
    void theLabelGlyphsOfEveryRangeAreServedLocallyAndCachedForAYear() {
        String style = http.get("/map/style.js").body();
        var template = java.util.regex.Pattern.compile("'(/map/vendor/glyphs-[^']+)'").matcher(style);
        assertTrue(template.find(), "the style names its glyphs");
        var font = java.util.regex.Pattern.compile("const FONT = \\['([^']+)'\\]").matcher(style);
        assertTrue(font.find(), "the style names its font");
        // MapLibre asks for the range of every character it writes: no range may be missing, or it logs an error.
        for (int start = 0; start < 65536; start += 256) {
            String path = template.group(1).replace("{fontstack}", font.group(1)).replace("{range}", start + "-" + (start + 255));
            var r = http.get(path);
            assertEquals(200, r.statusCode(), path);
            assertEquals("application/x-protobuf", r.headers().firstValue("Content-Type").orElse(""), path);
            assertEquals("public, max-age=31536000, immutable", r.headers().firstValue("Cache-Control").orElse(""), path);
        }
    }

    @Test
    void anUnknownOrEscapingAssetPathIsA404Problem() {
        // Jetty already refuses encoded dot segments before any routing.
        assertEquals(400, http.get("/map/%2e%2e/%2e%2e/pom.xml").statusCode());
        for (String path : new String[]{"/map/nothing.js", "/map/vendor/.hidden.js", "/map/.hidden.js",
                "/map/streetcad-map.exe"}) {
            var r = http.get(path);
            assertEquals(404, r.statusCode(), path);
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), path);
        }
    }

    @Test
    void givenAnEmptyCadastreTheConfigHasNoExtentAndNoBasemap() {
        var body = TestHttp.json(http.get("/map/config.json"));
        assertTrue(body.get("extent").isNull(), body.toString());
        assertTrue(body.get("basemapUrl").isNull(), body.toString());
    }

    @Test
    void givenAnElementInFlorenceTheConfigExtentIsAroundItInLongitudeAndLatitude() throws SQLException {
        try (var c = db.connection(); var st = c.prepareStatement("""
                INSERT INTO road_element (geom)
                VALUES (ST_Transform(ST_GeomFromText('LINESTRING(11.2550 43.7700, 11.2560 43.7720)', 4326), ?))""")) {
            st.setInt(1, db.storageSrid());
            st.executeUpdate();
        }
        // The storage-CRS box, reprojected, holds the line with a few metres to spare.
        var extent = TestHttp.json(http.get("/map/config.json")).get("extent");
        assertEquals(11.2550, extent.get(0).asDouble(), 1e-4);
        assertEquals(43.7700, extent.get(1).asDouble(), 1e-4);
        assertEquals(11.2560, extent.get(2).asDouble(), 1e-4);
        assertEquals(43.7720, extent.get(3).asDouble(), 1e-4);
    }

    @Test
    void aConfiguredBasemapMustBeATileTemplate() {
        assertThrows(IllegalArgumentException.class, () -> new WebMapModule(db, "https://tiles.example.org/map.png"));
        assertThrows(IllegalArgumentException.class, () -> new WebMapModule(db, "file:///etc/{z}/{x}/{y}.png"));
        try (var withBasemap = new TestHttp(new WebMapModule(db, "https://tiles.example.org/{z}/{x}/{y}.png"))) {
            assertEquals("https://tiles.example.org/{z}/{x}/{y}.png",
                    TestHttp.json(withBasemap.get("/map/config.json")).get("basemapUrl").asText());
        }
    }
}
