package it.firenze.streetcad.web;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.Accounts;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.importer.Gdal;
import it.firenze.streetcad.importer.report.ReportCode;
import it.firenze.streetcad.server.ServerSettings;
import it.firenze.streetcad.server.StreetCadServer;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A GIS technician's imports on the web map, in headless Chromium over a real server and PostGIS: a zipped
 * shapefile sent from the page, its report read there, the import committed or discarded whole, and a refusal said
 * at the field it names, in Italian.
 */
class WebMapImportBrowserTest {

    static final String PASSWORD = "a long enough password";
    static final HttpClient client = HttpClient.newHttpClient();
    /** Two OSM-like streets in the centre of Florence, in WGS 84 (GeoJSON's CRS, written to the .prj by GDAL). */
    static final String TWO_STREETS = """
            {"type": "FeatureCollection", "features": [
             {"type": "Feature", "properties": {"name": "Via di Prova", "highway": "residential", "osm_id": 1},
              "geometry": {"type": "LineString", "coordinates": [[11.2550, 43.7700], [11.2560, 43.7705]]}},
             {"type": "Feature", "properties": {"name": "Via del Collaudo", "highway": "tertiary", "osm_id": 2},
              "geometry": {"type": "LineString", "coordinates": [[11.2560, 43.7705], [11.2572, 43.7712]]}}]}
            """;

    /** A street whose highway value the osm mapping does not know: a warning of the report. */
    static final String ODD_STREET = """
            {"type": "FeatureCollection", "features": [
             {"type": "Feature", "properties": {"name": "Via Strana", "highway": "hovercraft", "osm_id": 3},
              "geometry": {"type": "LineString", "coordinates": [[11.2580, 43.7700], [11.2590, 43.7705]]}}]}
            """;

    @TempDir
    static Path tmp;
    static StreetCadServer server;
    static HeadlessChromium browser;
    static String base;
    static Path zip;
    static Path oddZip;

    @BeforeAll
    static void start() throws Exception {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        server = StreetCadServer.start(new ServerSettings(new DatabaseSettings(TestPostgis.withCredentials(url),
                Path.of("target"), DatabaseSettings.DEFAULT_STORAGE_SRID, 4), "127.0.0.1", 0, 5_000));
        base = "http://127.0.0.1:" + server.port();
        Accounts accounts = new Accounts(server.store().database());
        accounts.add("tina", "Tina Tecnica", "Ufficio Strade", Set.of(Role.TECHNICIAN), PASSWORD, Actor.system("test setup"));
        accounts.add("enzo", "Enzo Editor", null, Set.of(Role.EDITOR), PASSWORD, Actor.system("test setup"));
        Path geojson = Files.writeString(tmp.resolve("streets.geojson"), TWO_STREETS);
        Path shp = Files.createDirectories(tmp.resolve("layer")).resolve("streets.shp");
        Gdal.ogr2ogr("-f", "ESRI Shapefile", shp.toString(), geojson.toString());
        zip = Gdal.zipLayer(shp, tmp.resolve("streets.zip"));
        Path odd = Files.createDirectories(tmp.resolve("odd")).resolve("odd.shp");
        Gdal.ogr2ogr("-f", "ESRI Shapefile", odd.toString(), Files.writeString(tmp.resolve("odd.geojson"), ODD_STREET).toString());
        oddZip = Gdal.zipLayer(odd, tmp.resolve("odd.zip"));
        browser = new HeadlessChromium(1400, 900);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    static void openAs(String name) {
        browser.open(base + "/map/#map=15/43.7705/11.2560");
        browser.waitFor("the imports panel's code", d -> "true".equals(browser.js("return document.body.dataset.importsReady || null")));
        browser.waitFor("who is signed in", d -> d.findElements(By.cssSelector("#account button")).isEmpty() ? null : true);
        browser.signIn(name, PASSWORD);
    }

    /** Opens the imports panel and sends the two streets with the osm mapping and {@code srid} (blank: from the .prj). */
    static void send(String srid) {
        send(zip, srid);
    }

    static void send(Path zip, String srid) {
        var d = browser.driver;
        d.findElement(By.id("imports-open")).click();
        browser.waitFor("the upload form", x -> x.findElements(By.id("import-file")).isEmpty() ? null : true);
        d.findElement(By.id("import-file")).sendKeys(zip.toAbsolutePath().toString());
        new org.openqa.selenium.support.ui.Select(d.findElement(By.id("import-mapping"))).selectByValue("osm");
        if (!srid.isEmpty()) d.findElement(By.id("import-srid")).sendKeys(srid);
        d.findElement(By.id("import-send")).click();
    }

    static String stateShown() {
        return (String) browser.js("return document.getElementById('import-state')?.dataset.state || null");
    }

    static String panelText() {
        // innerText: what the panel says, the part scrolled out of its box included (WebDriver's text leaves it out).
        return (String) browser.js("return document.getElementById('panel-body').innerText");
    }

    /** The staged lines of the import on screen (features of the preview layer, counted once each). */
    static long stagedDrawn() {
        return ((Number) browser.js("return new Set(window.streetcad.map.queryRenderedFeatures({layers: ['import-staged']})"
                + ".map(f => f.properties.feature_number)).size")).longValue();
    }

    static long liveElements() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base
                + "/collections/road-elements/items?limit=1000")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Json.mapper().readTree(r.body()).get("features").size();
    }

    @Test
    void onlyATechnicianIsOfferedImports() {
        openAs("enzo");
        assertFalse(browser.driver.findElement(By.id("imports-open")).isDisplayed(), "an editor is not offered imports");
        openAs("tina");
        assertTrue(browser.driver.findElement(By.id("imports-open")).isDisplayed(), "a technician is offered imports");
    }

    @Test
    void aTechnicianSendsAShapefileReadsItsReportAndCommitsIt() throws Exception {
        long before = liveElements();
        openAs("tina");
        send("");
        browser.waitFor("the import checked", d -> "validated".equals(stateShown()) ? true : null);
        String report = panelText();
        assertTrue(report.contains("controllato: da confermare o scartare"), report);
        assertTrue(report.contains("EPSG:4326 → EPSG:6707"), "the CRS found in the .prj is shown: " + report);
        assertTrue(report.contains("elementi letti\n2"), "the two features read are counted: " + report);
        assertTrue(report.contains("La conferma farà") && report.contains("aggiungere 2 elementi al catasto"),
                "what a commit would do is shown before it: " + report);
        assertEquals(before, liveElements(), "nothing is in the cadastre before the commit");
        browser.driver.findElement(By.id("import-zoom")).click();
        browser.waitFor("the two staged lines drawn over the cadastre", d -> stagedDrawn() == 2 ? true : null);

        browser.driver.findElement(By.id("import-commit")).click();
        browser.waitFor("the import committed", d -> "committed".equals(stateShown()) ? true : null);
        assertTrue(panelText().contains("Fatto nel catasto") && panelText().contains("elementi aggiunti\n2"), panelText());
        assertEquals(before + 2, liveElements(), "the two streets are in the cadastre");
        browser.waitFor("the staged lines gone once committed", d -> stagedDrawn() == 0 ? true : null);

        // Said in English once the page is switched, the job still open.
        browser.driver.findElement(By.id("language-toggle")).click();
        browser.waitFor("the report in English", d -> panelText().contains("Done in the cadastre") ? true : null);
        browser.driver.findElement(By.id("language-toggle")).click();
        assertEquals(java.util.List.of(), browser.consoleErrors());
    }

    @Test
    void theReportsNotesAndProblemsAreSaidInThePagesLanguageByTheirCodeWithTheServersEnglishAsTooltip() {
        // given a street of an unknown highway class, sent with a wrong EPSG code (its lon/lat read as UTM metres)
        openAs("tina");
        send(oddZip, "32632");
        browser.waitFor("the import checked", d -> "validated".equals(stateShown()) ? true : null);

        // then the note and the problem are said in Italian, the server's English with its figures as the tooltip
        String report = panelText();
        assertTrue(report.contains("i dati cadono fuori dall’area d’uso del sistema di riferimento del catasto"), report);
        assertTrue(report.contains("elemento 1 · highway · avviso: valore sconosciuto alla corrispondenza dei campi"), report);
        assertTrue(tooltip("outside-area-of-use").startsWith("the data lands at lon "), tooltip("outside-area-of-use"));
        assertTrue(tooltip("unknown-value").startsWith("unknown value 'hovercraft' for functional_class"),
                tooltip("unknown-value"));
        // and in English once the page is switched
        browser.driver.findElement(By.id("language-toggle")).click();
        browser.waitFor("the report in English", d -> panelText().contains("a value the field mapping does not know") ? true : null);
        browser.driver.findElement(By.id("language-toggle")).click();
        browser.driver.findElement(By.id("import-discard")).click();
        browser.waitFor("the import discarded", d -> "discarded".equals(stateShown()) ? true : null);
        assertEquals(java.util.List.of(), browser.consoleErrors());
    }

    @Test
    void thePageHasWordsForEveryCodeOfAReportInBothLanguages() {
        openAs("tina");
        Set<String> codes = java.util.Arrays.stream(ReportCode.values()).map(ReportCode::code)
                .collect(java.util.stream.Collectors.toSet());
        for (String language : java.util.List.of("it", "en")) {
            assertEquals(codes, Set.copyOf((java.util.List<?>) browser.js("return Object.keys(STREETCAD_TEXT." + language
                    + ".imports.codes)")), language);
        }
    }

    /** The tooltip of the note or problem with {@code code} in the open report. */
    static String tooltip(String code) {
        return browser.driver.findElement(By.cssSelector("#panel-body [data-code='" + code + "']")).getAttribute("title");
    }

    @Test
    void aDiscardedImportLeavesTheCadastreAsItWas() throws Exception {
        long before = liveElements();
        openAs("tina");
        send("");
        browser.waitFor("the import checked", d -> "validated".equals(stateShown()) ? true : null);
        browser.driver.findElement(By.id("import-discard")).click();
        browser.waitFor("the import discarded", d -> "discarded".equals(stateShown()) ? true : null);
        assertFalse(browser.driver.findElements(By.id("import-commit")).stream().anyMatch(WebElement::isDisplayed),
                "a discarded import cannot be committed");
        assertEquals(before, liveElements());
    }

    @Test
    void anEpsgCodePostgisDoesNotKnowIsRefusedAtItsFieldAndNoJobIsMade() throws Exception {
        openAs("tina");
        int jobsBefore = jobs().size();
        send("999999");
        browser.waitFor("the refusal", d -> d.findElements(By.id("import-problem")).isEmpty() ? null : true);
        String said = browser.driver.findElement(By.id("import-problem")).getText();
        assertTrue(said.contains("PostGIS non conosce questo codice EPSG"), said);
        WebElement srid = browser.driver.findElement(By.id("import-srid"));
        assertEquals("true", srid.getAttribute("aria-invalid"));
        assertEquals(srid, browser.driver.switchTo().activeElement(), "the field at fault has the focus");
        assertEquals(jobsBefore, jobs().size(), "no job is registered for a refused upload");
    }

    static JsonNode jobs() throws Exception {
        return Json.mapper().readTree(client.send(HttpRequest.newBuilder(URI.create(base + "/imports")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("imports");
    }
}
