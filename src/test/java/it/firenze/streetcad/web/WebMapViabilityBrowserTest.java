package it.firenze.streetcad.web;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.Accounts;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.ApiKeys;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.server.StreetCadServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web map's viability tools in headless Chromium on the Florence sample: the measures in force at a chosen date
 * and time, what is on a street in the record panel, an operator's closure by street names or by two clicked
 * points with its conflicts and detour, a utility's works site drawn on the map, a draft measure and its ordinance
 * put in force from the street's record, and a route between two clicks at the chosen time.
 */
class WebMapViabilityBrowserTest {

    static final String PASSWORD = "a long enough password";
    static final String CALZAIUOLI = "{\"road\": \"Via dei Calzaiuoli\", \"from_road\": \"Piazza del Duomo\", "
            + "\"to_road\": \"Via del Corso\"}";
    static final HttpClient client = HttpClient.newHttpClient();

    static StreetCadServer server;
    static HeadlessChromium browser;
    static String base;
    static String operatorKey;
    /** A closure of Via dei Calzaiuoli in force from 10 to 20 May 2041, made through the API. */
    static JsonNode may2041;

    @BeforeAll
    static void start() throws Exception {
        server = FlorenceStreetCad.start();
        base = "http://127.0.0.1:" + server.port();
        Actor setup = Actor.system("test setup");
        Accounts accounts = new Accounts(server.store().database());
        accounts.add("olga", "Olga Operatrice", "Comune di Firenze", Set.of(Role.OPERATOR), PASSWORD, setup);
        // A utility (an editor of an organisation), and an editor of the cadastre who is no utility.
        accounts.add("ugo", "Ugo Utenze", "Publiacqua", Set.of(Role.EDITOR), PASSWORD, setup);
        accounts.add("enzo", "Enzo Editor", null, Set.of(Role.EDITOR), PASSWORD, setup);
        operatorKey = new ApiKeys(server.store().database()).create("control room", Set.of(Role.OPERATOR),
                "Comune di Firenze", null, setup).secret();
        may2041 = closure("in_force", "2041-05-10T00:00:00+02:00", "2041-05-20T00:00:00+02:00", CALZAIUOLI);
        browser = new HeadlessChromium(1400, 900);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    static JsonNode closure(String status, String from, String to, String location) throws Exception {
        return closure(status, from, to, location, "");
    }

    /** A closure made through the API by the control room; {@code extra} adds properties (", \"ordinance_id\": 3"). */
    static JsonNode closure(String status, String from, String to, String location, String extra) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/collections/viability-measures/items"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\": \"Feature\", \"geometry\": null, \"properties\": "
                        + "{\"kind\": \"closure\", \"status\": \"" + status + "\", \"valid_from\": \"" + from
                        + "\", \"valid_to\": \"" + to + "\", \"location\": " + location + extra + "}}"))
                .header("Authorization", "Bearer " + operatorKey).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return Json.mapper().readTree(r.body());
    }

    /** The closed stretch's ends, [lon, lat]: its geometry's first and last positions. */
    static double[][] ends(JsonNode measure) {
        JsonNode lines = measure.get("geometry").get("coordinates");
        JsonNode first = lines.get(0).get(0), lastLine = lines.get(lines.size() - 1);
        JsonNode last = lastLine.get(lastLine.size() - 1);
        return new double[][]{{first.get(0).asDouble(), first.get(1).asDouble()}, {last.get(0).asDouble(), last.get(1).asDouble()}};
    }

    static void openAt(double[] lonLat, String extra) {
        browser.open(base + "/map/#map=17/" + lonLat[1] + "/" + lonLat[0] + extra);
        browser.waitFor("the viability tools", d -> "true".equals(browser.js("return document.body.dataset.viabilityReady || null")));
    }

    static double[] middle(JsonNode measure) {
        double[][] e = ends(measure);
        return new double[]{(e[0][0] + e[1][0]) / 2, (e[0][1] + e[1][1]) / 2};
    }

    /** Sets a datetime-local control as a person picking a date would, and lets the page hear it. */
    static void setLocalTime(String id, String value) {
        browser.js("const i = document.getElementById(arguments[0]); i.value = arguments[1];"
                + " i.dispatchEvent(new Event('change', {bubbles: true}));", id, value);
    }

    static boolean measureDrawn(long id) {
        return Boolean.TRUE.equals(browser.js("return window.streetcad.map.queryRenderedFeatures("
                + "{layers: ['viability-in-force', 'viability-draft']}).some(f => f.id === arguments[0])", id));
    }

    static void clickAt(double[] lonLat) {
        @SuppressWarnings("unchecked")
        var p = (java.util.Map<String, Object>) browser.js("const p = window.streetcad.map.project(arguments[0]);"
                + " return {x: p.x, y: p.y};", List.of(lonLat[0], lonLat[1]));
        WebElement canvas = browser.driver.findElement(By.cssSelector("#map canvas"));
        int w = canvas.getSize().getWidth(), h = canvas.getSize().getHeight();
        new Actions(browser.driver).moveToElement(canvas,
                (int) Math.round(((Number) p.get("x")).doubleValue() - w / 2.0),
                (int) Math.round(((Number) p.get("y")).doubleValue() - h / 2.0)).click().perform();
    }

    static void signIn() {
        signIn("olga");
    }

    static void signIn(String name) {
        browser.signIn(name, PASSWORD);
    }

    static void signOut() {
        browser.driver.findElements(By.id("account-signout")).forEach(WebElement::click);
        browser.waitFor("signed out", d -> d.findElements(By.id("account-signin")).isEmpty() ? null : true);
    }

    /** Opens the map at Via dei Calzaiuoli signed in as {@code name} (or no one) and waits for the tools to follow. */
    static void openAs(String name) {
        openAt(middle(may2041), "");
        browser.waitFor("who is signed in", d -> d.findElements(By.cssSelector("#account button")).isEmpty() ? null : true);
        if (!browser.driver.findElements(By.id("account-signout")).isEmpty()) signOut();
        if (name != null) signIn(name);
    }

    static boolean worksToolShown() {
        return browser.driver.findElement(By.id("viability-new-works")).isDisplayed();
    }

    /**
     * A works site the operator creates for {@code organisation}: a square {@code half} degrees either side of
     * {@code centre} (longitude, latitude), one phase from {@code from} to {@code to}; its id.
     */
    static long worksOf(String organisation, String permit, double[] centre, double half, String from, String to)
            throws Exception {
        double w = centre[0] - half, e = centre[0] + half, s = centre[1] - half, n = centre[1] + half;
        String ring = "[[" + w + "," + s + "],[" + e + "," + s + "],[" + e + "," + n + "],[" + w + "," + n + "],[" + w + ","
                + s + "]]";
        HttpResponse<String> created = client.send(HttpRequest.newBuilder(URI.create(base + "/collections/works/items"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\": \"Feature\", \"geometry\": {\"type\": \"Polygon\", "
                        + "\"coordinates\": [" + ring + "]}, \"properties\": {\"organisation\": \"" + organisation + "\", "
                        + "\"permit\": \"" + permit + "\", \"phases\": [{\"valid_from\": \"" + from + "\", "
                        + "\"valid_to\": \"" + to + "\"}]}}"))
                .header("Authorization", "Bearer " + operatorKey).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        return Json.mapper().readTree(created.body()).get("id").asLong();
    }

    /** Clicks the map this many CSS pixels from its centre, as a person drawing a footprint does. */
    static void clickFromCentre(int dx, int dy) {
        new Actions(browser.driver).moveToElement(browser.driver.findElement(By.cssSelector("#map canvas")), dx, dy)
                .click().perform();
    }

    /** Draws a footprint around the map's centre, vertex by vertex. */
    static void drawFootprint(int[][] offsets) {
        browser.driver.findElement(By.id("works-draw")).click();
        for (int[] o : offsets) clickFromCentre(o[0], o[1]);
        browser.waitFor(offsets.length + " vertices", d -> d.findElement(By.id("works-vertices")).getText()
                .startsWith(String.valueOf(offsets.length)) ? true : null);
    }

    /** Fills the open works form as a person would (the footprint clicked around the map's centre) and saves it. */
    static void saveWorks(String permit, int[][] footprint, String from, String to) {
        browser.driver.findElement(By.id("works-permit")).sendKeys(permit);
        drawFootprint(footprint);
        setLocalTime("works-valid-from", from);
        setLocalTime("works-valid-to", to);
        browser.driver.findElement(By.id("works-save")).click();
    }

    static boolean worksDrawn(long id) {
        return Boolean.TRUE.equals(browser.js("return window.streetcad.map.queryRenderedFeatures("
                + "{layers: ['viability-works-fill']}).some(f => f.id === arguments[0])", id));
    }

    @Test
    void theDateAndTimeControlShowsTheMeasuresInForceThen() {
        long id = may2041.get("id").asLong();
        openAt(middle(may2041), "");
        assertFalse(browser.driver.findElement(By.id("viability-datetime")).getAttribute("value").isEmpty(), "now by default");

        setLocalTime("viability-datetime", "2041-05-15T10:00");
        browser.waitFor("the closure drawn on 15 May 2041", d -> measureDrawn(id) ? true : null);
        browser.screenshot("viability-closure-in-force");

        setLocalTime("viability-datetime", "2041-05-09T10:00");
        browser.waitFor("the day before drawn without it", d -> Boolean.TRUE.equals(browser.js(
                "return window.streetcad.map.areTilesLoaded()")) && !measureDrawn(id) ? true : null);
        assertFalse(measureDrawn(id));

        // Back to now: the 2041 closure is not in force today.
        setLocalTime("viability-datetime", "2041-05-15T10:00");
        browser.waitFor("the closure drawn again", d -> measureDrawn(id) ? true : null);
        browser.driver.findElement(By.id("viability-now")).click();
        browser.waitFor("now drawn without it", d -> "now".equals(browser.js("return document.body.dataset.viabilityAt"))
                && Boolean.TRUE.equals(browser.js("return window.streetcad.map.areTilesLoaded()")) && !measureDrawn(id) ? true : null);
    }

    @Test
    void theRecordPanelSaysWhatIsOnTheStreetInItalianAndEnglish() {
        long id = may2041.get("id").asLong();
        long element = may2041.get("properties").get("elements").get(0).get("id").asLong();
        openAt(middle(may2041), "&el=" + element);
        WebElement item = browser.waitFor("the street's measures in the record panel", d -> d.findElements(
                By.cssSelector("#street-measures li[data-measure='" + id + "']")).stream().findFirst().orElse(null));
        assertEquals("planned", item.getAttribute("class"));
        assertTrue(item.getText().contains("chiusura"), item.getText());
        assertTrue(browser.driver.findElement(By.cssSelector("#street-measures h3")).getText().contains("Su questa strada"));

        browser.driver.findElement(By.id("language-toggle")).click();
        browser.waitFor("the panel in English", d -> d.findElements(By.cssSelector("#street-measures h3")).stream()
                .anyMatch(h -> h.getText().contains("On this street")) ? true : null);
        assertTrue(browser.driver.findElement(By.cssSelector("#street-measures li[data-measure='" + id + "']"))
                .getText().contains("closure"));
        assertEquals("On this street", browser.driver.findElement(By.cssSelector("#street-measures h3")).getText());
        browser.driver.findElement(By.id("language-toggle")).click();
    }

    @Test
    void anOperatorClosesAStreetByNameSeesTheConflictAsItSavesAndTheDetourDrawn() throws Exception {
        JsonNode market = closure("in_force", "2042-03-01T00:00:00+01:00", "2042-03-10T00:00:00+01:00", CALZAIUOLI);
        openAt(middle(market), "");
        assertFalse(browser.driver.findElement(By.id("viability-new-closure")).isDisplayed(), "only operators close streets");
        signIn();
        browser.waitFor("the closure tool", d -> d.findElement(By.id("viability-new-closure")).isDisplayed() ? true : null);
        // The detour is drawn for the way of travelling chosen beside the routing tool: the old town is walked.
        new org.openqa.selenium.support.ui.Select(browser.driver.findElement(By.id("viability-profile"))).selectByValue("pedestrian");
        browser.driver.findElement(By.id("viability-new-closure")).click();

        // A street that does not exist is refused, naming it.
        browser.driver.findElement(By.id("closure-road")).sendKeys("Via Che Non Esiste");
        browser.driver.findElement(By.id("closure-from-road")).sendKeys("Piazza del Duomo");
        browser.driver.findElement(By.id("closure-to-road")).sendKeys("Via del Corso");
        setLocalTime("closure-valid-from", "2042-03-05T08:00");
        setLocalTime("closure-valid-to", "2042-03-06T08:00");
        browser.driver.findElement(By.id("closure-save")).click();
        WebElement problem = browser.waitFor("the refusal", d -> d.findElements(By.id("closure-problem")).stream().findFirst().orElse(null));
        assertTrue(problem.getText().contains("Via Che Non Esiste"), problem.getText());

        browser.driver.findElement(By.id("closure-road")).clear();
        browser.driver.findElement(By.id("closure-road")).sendKeys("Via dei Calzaiuoli");
        browser.driver.findElement(By.id("closure-save")).click();
        WebElement saved = browser.waitFor("the closure saved", d -> d.findElements(By.id("closure-saved")).stream().findFirst().orElse(null));
        long id = Long.parseLong(saved.getAttribute("data-measure"));
        browser.waitFor("the conflict with the closure already there", d -> d.findElements(
                By.cssSelector("#closure-conflicts li[data-conflict='" + market.get("id").asLong() + "']")).isEmpty() ? null : true);
        // Why, in the page's Italian by the conflict's code; the server's English reason as its tooltip.
        WebElement why = browser.driver.findElement(By.cssSelector("#closure-conflicts li[data-conflict='"
                + market.get("id").asLong() + "'] .conflict-reason"));
        assertEquals("entrambi sullo stesso tratto di strada nello stesso momento", why.getText());
        assertEquals("both take the same stretch of road at the same time", why.getAttribute("title"));
        browser.waitFor("the detour drawn", d -> browser.js("return document.body.dataset.detourDrawn || null"));
        assertTrue(Integer.parseInt((String) browser.js("return document.body.dataset.detourDrawn")) >= 1);
        assertTrue(((Number) browser.js("return window.streetcad.map.getStyle().sources['viability-detour'].data.features.length"))
                .intValue() >= 1);
        assertTrue(browser.driver.findElement(By.id("closure-detour-list")).getText().contains(" m"));
        browser.screenshot("viability-closure-detour");
        assertEquals(1, count("SELECT count(*) FROM audit_log WHERE action = 'measure.create' AND " + id
                + " = ANY (ids) AND principal = 'account:olga'"));
    }

    @Test
    void anOperatorClosesAStreetByClickingTwoPointsAlongIt() throws Exception {
        openAt(middle(may2041), "");
        if (browser.driver.findElements(By.id("account-signout")).isEmpty()) signIn();
        browser.waitFor("the closure tool", d -> d.findElement(By.id("viability-new-closure")).isDisplayed() ? true : null);
        browser.driver.findElement(By.id("viability-new-closure")).click();
        browser.driver.findElement(By.cssSelector("[name=closure-mode][value=points]")).click();
        browser.driver.findElement(By.id("closure-pick")).click();
        // Halfway along the two longest elements of the street between the Duomo and Via del Corso.
        List<double[]> picks = longestMidpoints(may2041);
        picks.forEach(WebMapViabilityBrowserTest::clickAt);
        browser.waitFor("two points picked", d -> d.findElement(By.id("closure-points")).getText().startsWith("2") ? true : null);
        assertFalse(browser.driver.findElements(By.id("closure-form")).isEmpty(), "the clicks opened no record over the form");
        setLocalTime("closure-valid-from", "2043-01-05T08:00");
        setLocalTime("closure-valid-to", "2043-01-06T08:00");
        browser.driver.findElement(By.id("closure-save")).click();
        WebElement saved = browser.waitFor("the closure saved", d -> d.findElements(By.id("closure-saved")).stream().findFirst().orElse(null));
        long id = Long.parseLong(saved.getAttribute("data-measure"));
        assertEquals(1, count("SELECT count(*) FROM measure WHERE id = " + id + " AND location -> 'points' IS NOT NULL"));
        assertTrue(count("SELECT count(*) FROM measure_element me JOIN road_element e ON e.id = me.element_id JOIN road r "
                + "ON r.id = e.road_id WHERE me.measure_id = " + id + " AND r.name = 'Via dei Calzaiuoli'") >= 2);
        assertEquals(0, count("SELECT count(*) FROM measure_element me JOIN road_element e ON e.id = me.element_id JOIN road r "
                + "ON r.id = e.road_id WHERE me.measure_id = " + id + " AND r.name <> 'Via dei Calzaiuoli'"));
    }

    @Test
    void closingThePanelWhilePickingRoutePointsGivesUpTheToolSoThatAClickOpensARecordAgain() throws Exception {
        double[] onCalzaiuoli = longestMidpoints(may2041).get(0);
        openAt(onCalzaiuoli, "");
        browser.driver.findElement(By.id("viability-route-tool")).click();
        browser.waitFor("the route prompt", d -> d.findElements(By.id("viability-prompt")).isEmpty() ? null : true);

        browser.driver.findElement(By.id("map")).sendKeys(Keys.ESCAPE);
        browser.waitFor("the panel closed", d -> d.findElement(By.id("panel")).isDisplayed() ? null : true);
        clickAt(onCalzaiuoli);

        browser.waitFor("the clicked element's record, not a route's start", d -> browser.js(
                "return document.getElementById('panel').dataset.record || null"));
        assertEquals(Boolean.FALSE, browser.js("return window.streetcad.state.picking"));
        assertTrue(browser.driver.findElements(By.id("viability-prompt")).isEmpty(), "no route prompt left");
    }

    @Test
    void aClosureWithAnEmptiedDateIsHeldAtTheDateAndAnUnknownCrossStreetIsSaidInItalianAtItsField() throws Exception {
        openAt(middle(may2041), "");
        if (browser.driver.findElements(By.id("account-signout")).isEmpty()) signIn();
        browser.waitFor("the closure tool", d -> d.findElement(By.id("viability-new-closure")).isDisplayed() ? true : null);
        long before = count("SELECT count(*) FROM measure");
        browser.consoleErrors();
        try {
            browser.driver.findElement(By.id("viability-new-closure")).click();
            browser.driver.findElement(By.id("closure-road")).sendKeys("Via dei Calzaiuoli");
            browser.driver.findElement(By.id("closure-from-road")).sendKeys("Via Che Non Esiste");
            browser.driver.findElement(By.id("closure-to-road")).sendKeys("Via del Corso");
            setLocalTime("closure-valid-from", "");

            browser.driver.findElement(By.id("closure-save")).click();
            assertEquals("closure-valid-from", browser.js("return document.activeElement.id"), "the emptied date is pointed at");
            assertEquals(List.of(), browser.consoleErrors(), "and no script error");
            assertEquals("", browser.driver.findElement(By.id("closure-result")).getText());

            setLocalTime("closure-valid-from", "2044-02-01T08:00");
            setLocalTime("closure-valid-to", "2044-02-02T08:00");
            browser.driver.findElement(By.id("closure-save")).click();
            WebElement problem = browser.waitFor("the refusal", d -> d.findElements(By.id("closure-problem")).stream().findFirst().orElse(null));
            assertEquals("Non salvata: «Via Che Non Esiste» non esiste o non incrocia «Via dei Calzaiuoli»", problem.getText());
            assertEquals("closure-from-road", browser.js("return document.activeElement.id"), "the cross street is pointed at");
            assertEquals("true", browser.driver.findElement(By.id("closure-from-road")).getAttribute("aria-invalid"));
            assertEquals(before, count("SELECT count(*) FROM measure"), "nothing saved");
        } finally {
            // Signed out again: another test starts by checking that only operators see the closure tool.
            browser.driver.findElements(By.id("account-signout")).forEach(WebElement::click);
        }
    }

    @Test
    void theClosureFormTakesTheFocusAndSpeaksEnglishWhenTheLanguageIsSwitchedWithItOpen() {
        openAt(middle(may2041), "");
        if (browser.driver.findElements(By.id("account-signout")).isEmpty()) signIn();
        browser.waitFor("the closure tool", d -> d.findElement(By.id("viability-new-closure")).isDisplayed() ? true : null);
        try {
            browser.driver.findElement(By.id("viability-new-closure")).sendKeys(Keys.ENTER);
            assertEquals("closure-road", browser.js("return document.activeElement.id"), "the keyboard goes on in the form");
            browser.driver.findElement(By.id("closure-road")).sendKeys("Via dei Calzaiuoli");

            browser.driver.findElement(By.id("language-toggle")).click();
            assertEquals("New closure", browser.driver.findElement(By.id("panel-title")).getText());
            String form = browser.driver.findElement(By.id("closure-form")).getText();
            for (String english : List.of("Street and two cross streets", "From cross street", "in force", "Save")) {
                assertTrue(form.contains(english), english + " in: " + form);
            }
            for (String italian : List.of("Strada e due traverse", "Dalla traversa", "in vigore", "Salva")) {
                assertFalse(form.contains(italian), italian + " left in: " + form);
            }
            assertEquals("Via dei Calzaiuoli", browser.driver.findElement(By.id("closure-road")).getAttribute("value"),
                    "what was typed stays");
        } finally {
            if ("en".equals(browser.js("return document.documentElement.lang"))) {
                browser.driver.findElement(By.id("language-toggle")).click();
            }
            browser.driver.findElements(By.id("account-signout")).forEach(WebElement::click);
        }
    }

    @Test
    void onlyOperatorsAndUtilitiesSeeTheWorksTool() {
        try {
            openAs(null);
            assertFalse(worksToolShown(), "no one signed in");
            signIn("enzo");
            assertFalse(worksToolShown(), "an editor of no organisation proposes no works");
            signOut();
            signIn("ugo");
            browser.waitFor("the works tool for a utility", d -> worksToolShown() ? true : null);
            signOut();
            assertFalse(worksToolShown(), "gone with the sign-out");
            signIn("olga");
            browser.waitFor("the works tool for an operator", d -> worksToolShown() ? true : null);
            assertEquals("Nuovo cantiere", browser.driver.findElement(By.id("viability-new-works")).getText());
            browser.driver.findElement(By.id("language-toggle")).click();
            assertEquals("New works site", browser.driver.findElement(By.id("viability-new-works")).getText());
        } finally {
            if ("en".equals(browser.js("return document.documentElement.lang"))) {
                browser.driver.findElement(By.id("language-toggle")).click();
            }
            signOut();
        }
    }

    /**
     * Given a gas works site at the map's centre in April 2045, when a utility draws its water works there for the
     * same days, then it is stored for its organisation, drawn, and said to conflict with the gas works; and once the
     * utility withdraws it, it leaves the map and its panel says it meets no other site — the list stayed as saved.
     */
    @Test
    void aUtilityDrawsAWorksSiteWhichIsStoredForItsOrganisationAndDrawnOnTheMap() throws Exception {
        long gasId = worksOf("Toscana Energia", "TE-2045-9", middle(may2041), 0.0002, "2045-04-02T07:00:00+02:00",
                "2045-04-05T18:00:00+02:00");
        try {
            openAs("ugo");
            browser.waitFor("the works tool", d -> worksToolShown() ? true : null);
            browser.driver.findElement(By.id("viability-new-works")).sendKeys(Keys.ENTER);
            assertEquals("works-permit", browser.js("return document.activeElement.id"), "the keyboard goes on in the form");
            WebElement organisation = browser.driver.findElement(By.id("works-organisation"));
            assertEquals("Publiacqua", organisation.getAttribute("value"));
            assertEquals("true", organisation.getAttribute("readonly"), "a utility proposes works for itself only");

            browser.driver.findElement(By.id("works-description")).sendKeys("Rifacimento allacci idrici");
            saveWorks("PA-2045-77", new int[][]{{-40, -30}, {40, -30}, {40, 30}, {-40, 30}}, "2045-04-01T07:00", "2045-04-10T18:00");

            WebElement saved = browser.waitFor("the works site saved", d -> d.findElements(By.id("works-saved")).stream().findFirst().orElse(null));
            long id = Long.parseLong(saved.getAttribute("data-works"));
            assertEquals(1, count("SELECT count(*) FROM works WHERE id = " + id + " AND organisation = 'Publiacqua' "
                    + "AND permit = 'PA-2045-77' AND description = 'Rifacimento allacci idrici' AND status = 'proposed' "
                    + "AND ST_NPoints(footprint) = 5 AND ST_Area(footprint) > 0"));
            assertEquals(1, count("SELECT count(*) FROM works_phase WHERE works_id = " + id
                    + " AND valid_to - valid_from = interval '9 days 11 hours'"));
            assertEquals(1, count("SELECT count(*) FROM audit_log WHERE action = 'works.create' AND " + id
                    + " = ANY (ids) AND principal = 'account:ugo'"));
            browser.waitFor("the works site drawn on the map", d -> worksDrawn(id) ? true : null);
            browser.screenshot("viability-works-site");

            // Its status, and the one step a utility may take: withdrawing it; approving it is an operator's.
            assertEquals("proposto", browser.driver.findElement(By.cssSelector("#works-lifecycle .lifecycle-status")).getText());
            assertEquals(List.of("cancelled"), browser.driver.findElements(By.cssSelector("#works-lifecycle button.lifecycle"))
                    .stream().map(b -> b.getAttribute("data-step")).toList());
            assertEquals(String.valueOf(gasId), browser.driver.findElement(By.cssSelector("#works-conflicts li"))
                    .getAttribute("data-conflict"), "it meets the gas works");
            // Withdrawn, it leaves the map: a click there opens the street under it again (as later tests click).
            browser.driver.findElement(By.cssSelector("#works-lifecycle button[data-step=cancelled]")).click();
            browser.waitFor("the works site withdrawn and gone from the map", d -> worksDrawn(id) ? null : true);
            assertEquals(1, count("SELECT count(*) FROM works WHERE id = " + id + " AND status = 'cancelled'"));
            browser.waitFor("no conflict left for the withdrawn site", d -> d.findElements(By.id("works-conflicts-none"))
                    .isEmpty() ? null : true);
        } finally {
            signOut();
            // The gas works leave the map's centre, which later tests click for the street under it.
            client.send(HttpRequest.newBuilder(URI.create(base + "/collections/works/items/" + gasId))
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"status\": \"cancelled\"}"))
                    .header("Authorization", "Bearer " + operatorKey).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void aWorksSiteEndingBeforeItStartsIsRefusedAtItsEndDateInItalianAndEscapeGivesTheDrawingUp() throws Exception {
        try {
            openAs("ugo");
            browser.waitFor("the works tool", d -> worksToolShown() ? true : null);
            long works = count("SELECT count(*) FROM works"), audited = count("SELECT count(*) FROM audit_log");
            browser.driver.findElement(By.id("viability-new-works")).click();
            saveWorks("PA-2046-01", new int[][]{{-30, -20}, {30, -20}, {0, 30}}, "2046-05-10T08:00", "2046-05-09T08:00");

            WebElement problem = browser.waitFor("the refusal", d -> d.findElements(By.id("works-problem")).stream().findFirst().orElse(null));
            assertEquals("Non salvato: la fine deve venire dopo l’inizio", problem.getText());
            assertEquals("works-valid-to", browser.js("return document.activeElement.id"), "the end date is pointed at");
            assertEquals("true", browser.driver.findElement(By.id("works-valid-to")).getAttribute("aria-invalid"));
            assertEquals(works, count("SELECT count(*) FROM works"), "nothing stored");
            assertEquals(audited, count("SELECT count(*) FROM audit_log"), "nothing audited");

            // Escape, as on the closure form: the panel closes and the footprint being drawn is given up.
            browser.driver.findElement(By.id("works-valid-to")).sendKeys(Keys.ESCAPE);
            browser.waitFor("the panel closed", d -> d.findElement(By.id("panel")).isDisplayed() ? null : true);
            assertEquals(Boolean.FALSE, browser.js("return window.streetcad.state.picking"));
            assertEquals(0L, browser.js("return window.streetcad.map.querySourceFeatures('viability-footprint').length"));
        } finally {
            signOut();
        }
    }

    @Test
    void anOperatorPutsADraftMeasureAndItsOrdinanceInForceFromTheStreetsRecord() throws Exception {
        HttpResponse<String> created = client.send(HttpRequest.newBuilder(URI.create(base + "/collections/ordinances/items"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\": \"Feature\", \"geometry\": null, \"properties\": "
                        + "{\"number\": 5100, \"year\": 2047, \"office\": \"Mobilità\", \"reason\": \"evento\"}}"))
                .header("Authorization", "Bearer " + operatorKey).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        long ordinance = Json.mapper().readTree(created.body()).get("id").asLong();
        JsonNode draft = closure("draft", "2047-06-01T00:00:00+02:00", "2047-06-02T00:00:00+02:00", CALZAIUOLI,
                ", \"ordinance_id\": " + ordinance);
        long id = draft.get("id").asLong();
        long element = draft.get("properties").get("elements").get(0).get("id").asLong();
        String item = "#street-measures li[data-measure='" + id + "']";
        String putInForce = item + " [data-lifecycle-box=measure] button[data-step='in_force']";
        String ordinanceInForce = item + " [data-lifecycle-box=ordinance] button[data-step='in_force']";
        try {
            openAs(null);
            openAt(middle(draft), "&el=" + element);
            WebElement listed = browser.waitFor("the draft on the street", d -> d.findElements(By.cssSelector(item)).stream().findFirst().orElse(null));
            assertTrue(listed.getText().contains("bozza"), listed.getText());
            assertTrue(listed.findElements(By.cssSelector("button.lifecycle")).isEmpty(), "no one signed in: no buttons");

            signIn("olga");
            browser.waitFor("the lifecycle's buttons", d -> d.findElements(By.cssSelector(putInForce)).stream().findFirst().orElse(null)).click();
            browser.waitFor("the measure in force", d -> ("measure:" + id + ":in_force").equals(
                    browser.js("return document.body.dataset.lifecycleChanged")) ? true : null);
            assertEquals(1, count("SELECT count(*) FROM measure WHERE id = " + id + " AND status = 'in_force' AND version = 2"));
            assertEquals(1, count("SELECT count(*) FROM audit_log WHERE action = 'measure.status' AND " + id
                    + " = ANY (ids) AND principal = 'account:olga'"));
            WebElement now = browser.waitFor("the street's list read again", d -> d.findElements(By.cssSelector(
                    item + " [data-lifecycle-box=measure] .lifecycle-status[data-status='in_force']")).stream().findFirst().orElse(null));
            assertEquals("in vigore", now.getText());
            assertEquals(List.of("expired", "revoked"), browser.driver.findElements(By.cssSelector(item
                    + " [data-lifecycle-box=measure] button.lifecycle")).stream().map(b -> b.getAttribute("data-step")).toList());

            browser.driver.findElement(By.cssSelector(ordinanceInForce)).click();
            browser.waitFor("the ordinance in force", d -> ("ordinance:" + ordinance + ":in_force").equals(
                    browser.js("return document.body.dataset.lifecycleChanged")) ? true : null);
            assertEquals(1, count("SELECT count(*) FROM ordinance WHERE id = " + ordinance + " AND status = 'in_force'"));
            assertEquals("Ordinanza " + ordinance + ": in vigore", browser.driver.findElement(By.id("lifecycle-message")).getText());
        } finally {
            signOut();
        }
    }

    @Test
    void aMeasureChangedMeanwhileIsNotChangedOverFromTheMap() throws Exception {
        JsonNode draft = closure("draft", "2048-02-01T00:00:00+01:00", "2048-02-02T00:00:00+01:00", CALZAIUOLI);
        long id = draft.get("id").asLong();
        long element = draft.get("properties").get("elements").get(0).get("id").asLong();
        String item = "#street-measures li[data-measure='" + id + "']";
        try {
            openAs("olga");
            openAt(middle(draft), "&el=" + element);
            WebElement revoke = browser.waitFor("the draft's buttons", d -> d.findElements(By.cssSelector(
                    item + " [data-lifecycle-box=measure] button[data-step='revoked']")).stream().findFirst().orElse(null));
            // Meanwhile the control room puts it in force through the API: the page still shows the draft.
            HttpResponse<String> inForce = client.send(HttpRequest.newBuilder(URI.create(base
                            + "/collections/viability-measures/items/" + id))
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"status\": \"in_force\"}"))
                    .header("Authorization", "Bearer " + operatorKey).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, inForce.statusCode(), inForce.body());

            revoke.click();
            browser.waitFor("the refusal", d -> ("measure:" + id + ":412").equals(
                    browser.js("return document.body.dataset.lifecycleChanged")) ? true : null);
            assertEquals(1, count("SELECT count(*) FROM measure WHERE id = " + id + " AND status = 'in_force' AND version = 2"),
                    "the change made meanwhile stands");
            assertEquals("nel frattempo un’altra persona lo ha cambiato: ecco com’è ora",
                    browser.driver.findElement(By.id("lifecycle-message")).getText());
            assertEquals("in vigore", browser.driver.findElement(By.cssSelector(item
                    + " [data-lifecycle-box=measure] .lifecycle-status")).getText(), "shown as it is now");
        } finally {
            signOut();
        }
    }

    /**
     * Given a proposed works site over one end of the closed stretch of Via dei Calzaiuoli (a street under it too),
     * when the operator clicks it on the map, then its record opens (permit, status, the operator's steps), not the
     * street's, in the page's language when it is switched with the site open, and its approve button approves
     * it — once only the street's record opened.
     */
    @Test
    void aWorksSiteCompletedTodayIsDrawnAtYesterdaysTimeAndNoMoreNow() throws Exception {
        // At work from three days ago for a week, approved, then completed now: yesterday it was at work.
        double[] site = {middle(may2041)[0] + 0.003, middle(may2041)[1]};
        java.time.Instant now = java.time.Instant.now();
        long id = worksOf("Publiacqua", "PA-DONE-1", site, 0.0002, now.minus(java.time.Duration.ofDays(3)).toString(),
                now.plus(java.time.Duration.ofDays(4)).toString());
        for (String status : List.of("approved", "completed")) {
            HttpResponse<String> moved = client.send(HttpRequest.newBuilder(URI.create(base + "/collections/works/items/" + id))
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"status\": \"" + status + "\"}"))
                    .header("Authorization", "Bearer " + operatorKey).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, moved.statusCode(), moved.body());
        }
        openAt(site, "");
        browser.js("const d = new Date(Date.now() - 864e5); d.setMinutes(d.getMinutes() - d.getTimezoneOffset());"
                + " const i = document.getElementById('viability-datetime'); i.value = d.toISOString().slice(0, 16);"
                + " i.dispatchEvent(new Event('change', {bubbles: true}));");
        browser.waitFor("the completed site drawn at yesterday's time", d -> worksDrawn(id) ? true : null);
        browser.driver.findElement(By.id("viability-now")).click();
        browser.waitFor("the completed site gone now", d -> "now".equals(browser.js(
                "return document.body.dataset.viabilityAt")) && !worksDrawn(id) ? true : null);
    }

    @Test
    void clickingAWorksSiteOnTheMapOpensItsStatusAndLifecycleButtonsBeforeTheStreetUnderIt() throws Exception {
        double[] end = ends(may2041)[0];
        long id = worksOf("Toscana Energia", "TE-2046-5", end, 0.00008, "2046-03-01T07:00:00+01:00",
                "2046-03-09T18:00:00+01:00");
        try {
            openAs("olga");
            browser.waitFor("the works site drawn", x -> worksDrawn(id) ? true : null);
            clickAt(end);
            browser.waitFor("the works site's record", x -> x.findElements(By.cssSelector("#works-record[data-works='" + id
                    + "']")).isEmpty() ? null : true);
            assertEquals("Cantiere " + id, browser.driver.findElement(By.id("panel-title")).getText());
            assertTrue(browser.driver.findElement(By.id("works-record")).getText().contains("TE-2046-5"));
            assertEquals("proposto", browser.driver.findElement(By.cssSelector("#works-lifecycle .lifecycle-status")).getText());
            assertEquals(List.of("approved", "rejected", "cancelled"), browser.driver.findElements(
                    By.cssSelector("#works-lifecycle button.lifecycle")).stream().map(b -> b.getAttribute("data-step")).toList());

            // Switched to English with the site open, the panel speaks English, title included (it stayed Italian),
            // as the element's record does; and Italian again.
            browser.driver.findElement(By.id("language-toggle")).click();
            browser.waitFor("the works site in English", x -> ("Works site " + id).equals(
                    x.findElement(By.id("panel-title")).getText()) ? true : null);
            assertTrue(browser.driver.findElement(By.id("works-record")).getText().contains("Permit (number)"));
            assertEquals("proposed", browser.driver.findElement(By.cssSelector("#works-lifecycle .lifecycle-status")).getText());
            assertEquals("Approve", browser.driver.findElement(By.cssSelector("#works-lifecycle button[data-step=approved]")).getText());
            browser.driver.findElement(By.id("language-toggle")).click();
            browser.waitFor("the works site in Italian", x -> ("Cantiere " + id).equals(
                    x.findElement(By.id("panel-title")).getText()) ? true : null);

            browser.driver.findElement(By.cssSelector("#works-lifecycle button[data-step=approved]")).click();
            browser.waitFor("the works site approved", x -> "approved".equals(x.findElement(By.cssSelector(
                    "#works-lifecycle .lifecycle-status")).getAttribute("data-status")) ? true : null);
            assertEquals(1, count("SELECT count(*) FROM works WHERE id = " + id + " AND status = 'approved'"));
        } finally {
            signOut();
        }
    }

    @Test
    void theWorksSitesAreReadWithTheWholeWorldInView() {
        // Zoomed out this far the view's bounds run past ±180°, which a bbox may not: the read must still be one.
        browser.open(base + "/map/#map=0.5/20/11.25");
        browser.waitFor("the viability tools", d -> "true".equals(browser.js("return document.body.dataset.viabilityReady || null")));
        browser.waitFor("the works sites read", d -> browser.js("return document.body.dataset.worksDrawn ?? null"));
        assertEquals(List.of(), browser.consoleErrors());
    }

    @Test
    void theRoutingToolShowsTheRouteAtTheChosenTime() {
        double[][] ends = ends(may2041);
        openAt(middle(may2041), "");
        new org.openqa.selenium.support.ui.Select(browser.driver.findElement(By.id("viability-profile"))).selectByValue("pedestrian");
        setLocalTime("viability-datetime", "2041-05-15T10:00");
        browser.driver.findElement(By.id("viability-route-tool")).click();
        clickAt(ends[0]);
        clickAt(ends[1]);
        browser.waitFor("the route while closed", d -> d.findElements(By.id("route-length")).isEmpty() ? null : true);
        double during = Double.parseDouble((String) browser.js("return document.body.dataset.routeLength"));
        assertFalse(browser.driver.findElement(By.id("route-streets")).getText().contains("Via dei Calzaiuoli"));
        assertTrue(((Number) browser.js("return window.streetcad.map.getStyle().sources['viability-route'].data.geometry.coordinates.length"))
                .intValue() >= 2);
        browser.screenshot("viability-route-during-closure");

        // The day before, the same route goes straight along Via dei Calzaiuoli.
        setLocalTime("viability-datetime", "2041-05-09T10:00");
        browser.waitFor("the route the day before", d -> {
            String length = (String) browser.js("return document.body.dataset.routeLength");
            return length != null && !length.equals("none") && Double.parseDouble(length) < during ? true : null;
        });
        assertTrue(browser.driver.findElement(By.id("route-streets")).getText().contains("Via dei Calzaiuoli"));
    }

    @Test
    void whenThereIsNoRouteTheToolSaysWhyInThePagesLanguageWithTheServersWordsBeside() throws Exception {
        // Given a place in the fields past the sample's north-east corner, with no street within 500 m
        double[] field;
        try (var c = server.store().database().connection(); var st = c.createStatement(); var rs = st.executeQuery(
                "SELECT ST_XMax(b) + 0.03, ST_YMax(b) + 0.03 FROM (SELECT ST_Transform(ST_SetSRID(ST_Extent(geom), "
                        + "ST_SRID(min(geom))), 4326) b FROM live_road_element) x")) {
            rs.next();
            field = new double[]{rs.getDouble(1), rs.getDouble(2)};
        }
        try (var c = server.store().database().connection(); var st = c.createStatement(); var rs = st.executeQuery(
                "SELECT count(*) FROM live_road_element WHERE ST_DWithin(geom, ST_Transform(ST_SetSRID(ST_MakePoint("
                        + field[0] + ", " + field[1] + "), 4326), ST_SRID(geom)), 600)")) {
            rs.next();
            assertEquals(0, rs.getLong(1), "no street near the field");
        }
        double[] nearby = {field[0] + 0.0005, field[1]};
        openAt(field, "");
        try {
            for (String[] language : List.of(new String[]{"it", "Nessuna strada percorribile vicino alla partenza"},
                    new String[]{"en", "No street this vehicle may use near the start"})) {
                if (!language[0].equals(browser.js("return document.documentElement.lang"))) {
                    browser.driver.findElement(By.id("language-toggle")).click();
                }
                // when a route is asked from there
                browser.driver.findElement(By.id("viability-route-tool")).click();
                clickAt(field);
                clickAt(nearby);
                browser.waitFor("the refusal", d -> d.findElements(By.id("route-problem")).isEmpty() ? null : true);
                // then the panel says why in the page's language, by the answer's code, the server's words as its title
                WebElement problem = browser.driver.findElement(By.id("route-problem"));
                assertEquals(language[1], problem.getText());
                assertTrue(problem.getAttribute("title").contains("500 m of from"), problem.getAttribute("title"));
                assertEquals("none", browser.js("return document.body.dataset.routeLength"));
                browser.driver.findElement(By.id("panel-close")).click();
            }
        } finally {
            if ("en".equals(browser.js("return document.documentElement.lang"))) {
                browser.driver.findElement(By.id("language-toggle")).click();
            }
        }
        // A destination cut off by the measures is said with the length and time of the way they cut, which the server
        // gives as members of its problem beside its English detail (ViabilityHttpTest checks the members).
        String cutOff = "{code: 'cut-off-by-measures', parameter: 'to', profile: 'car', length_m: 1234, duration_s: 290}";
        assertEquals("A quell’ora l’arrivo è isolato dai provvedimenti in vigore (chiusure, sensi unici o limitazioni); "
                + "senza di essi il percorso sarebbe di 1234 m (5 min)", refusal("it", cutOff));
        assertEquals("At that time the destination is cut off by the measures in force (closures, one-way orders or "
                + "restrictions); without them the route would be 1234 m (5 min)", refusal("en", cutOff));
        // A destination the network itself does not reach is said with the gap where it comes nearest to it.
        String gap = "{code: 'not-connected', parameter: 'to', profile: 'car', gap_m: 0.4, gap_junctions: [1, 2]}";
        assertEquals("L’arrivo non è collegato alla partenza dalla rete stradale; le strade raggiungibili dalla partenza "
                + "arrivano a 0,4 m da quelle che portano all’arrivo", refusal("it", gap));
        assertEquals("The destination is not connected to the start by the road network; the streets reachable from "
                + "the start come within 0.4 m of those leading to it", refusal("en", gap));
        assertEquals("L’arrivo non è collegato alla partenza dalla rete stradale", refusal("it", "{code: 'not-connected'}"));
    }

    /** What the page says in {@code language} for a route refusal given as a JavaScript object literal. */
    private static Object refusal(String language, String problem) {
        return browser.js("const p = " + problem + "; return STREETCAD_TEXT[arguments[0]].viability.routeRefusals[p.code](p)",
                language);
    }

    static List<double[]> longestMidpoints(JsonNode measure) throws SQLException {
        StringBuilder ids = new StringBuilder();
        measure.get("properties").get("elements").forEach(e -> ids.append(ids.isEmpty() ? "" : ",").append(e.get("id").asLong()));
        try (var c = server.store().database().connection(); var st = c.createStatement(); var rs = st.executeQuery(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_LineInterpolatePoint(geom, 0.5), 4326) p, length_m, id "
                        + "FROM road_element WHERE id IN (" + ids + ") ORDER BY length_m DESC LIMIT 2) x ORDER BY id")) {
            List<double[]> out = new java.util.ArrayList<>();
            while (rs.next()) out.add(new double[]{rs.getDouble(1), rs.getDouble(2)});
            return out;
        }
    }

    static long count(String sql) throws SQLException {
        try (var c = server.store().database().connection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
