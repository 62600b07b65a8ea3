package it.firenze.streetcad.web;

import com.sun.net.httpserver.HttpServer;
import it.firenze.streetcad.access.Accounts;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.server.ServerSettings;
import it.firenze.streetcad.server.StreetCadServer;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web map in headless Chromium: signing in and out, controls shown by role, and a page of another origin that
 * tries to use a signed-in technician's session.
 */
class WebMapAccessBrowserTest {

    static final String PASSWORD = "a long enough password";
    static StreetCadServer server;
    static HttpServer attacker;
    static HeadlessChromium browser;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        String dbUrl = TestPostgis.withCredentials(url);
        server = StreetCadServer.start(new ServerSettings(new DatabaseSettings(dbUrl, Path.of("target"),
                DatabaseSettings.DEFAULT_STORAGE_SRID, 4), "127.0.0.1", 0, 5_000));
        base = "http://127.0.0.1:" + server.port();
        Accounts accounts = new Accounts(server.store().database());
        accounts.add("vera", "Vera Viewer", null, Set.of(Role.VIEWER), PASSWORD, Actor.system("test setup"));
        accounts.add("enzo", "Enzo Editor", null, Set.of(Role.EDITOR), PASSWORD, Actor.system("test setup"));
        accounts.add("tina", "Tina Technician", null, Set.of(Role.TECHNICIAN), PASSWORD, Actor.system("test setup"));
        // Another origin on the same host (same site, so even a SameSite=Strict cookie goes along): only the Origin
        // check and the CSRF token stand between its page and the session.
        byte[] page = ("<!doctype html><title>prize</title><form id=f method=post action='" + base + "/topology/validations'"
                + " enctype=text/plain><input name='{\"a\":' value='1}'></form><script>"
                + "const tries = [fetch('" + base + "/topology/validations', {method: 'POST', credentials: 'include', "
                + "mode: 'no-cors', headers: {'Content-Type': 'text/plain'}, body: '{}'}),"
                + "fetch('" + base + "/network/builds', {method: 'POST', credentials: 'include', mode: 'no-cors', body: '{\"apply\": true}'}),"
                + "fetch('" + base + "/auth/me', {credentials: 'include'}).then(r => r.json()).then(me => "
                + "fetch('" + base + "/topology/validations', {method: 'POST', credentials: 'include', "
                + "headers: {'Content-Type': 'application/json', 'X-CSRF-Token': me.csrfToken}, body: '{}'}))];"
                + "Promise.allSettled(tries).then(() => { document.title = 'tried'; });"
                + "</script>").getBytes(StandardCharsets.UTF_8);
        attacker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        attacker.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        attacker.start();
        browser = new HeadlessChromium(1200, 800);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (attacker != null) attacker.stop(0);
        if (server != null) server.close();
    }

    void openMap() {
        browser.driver.get("about:blank");
        browser.consoleErrors();
        browser.driver.get(base + "/map/");
        browser.waitFor("the account control", d -> d.findElements(By.cssSelector("#account button")).isEmpty() ? null : true);
    }

    void signIn(String username) {
        browser.signIn(username, PASSWORD);
    }

    void signOut() {
        browser.driver.findElement(By.id("account-signout")).click();
        browser.waitFor("signed out", x -> x.findElements(By.id("account-signin")).isEmpty() ? null : true);
    }

    /** A control the editing work marks as an editor's: added after load, as the map adds its panels. */
    boolean editControlShown() {
        browser.js("if (!document.getElementById('probe-edit')) { const b = document.createElement('button');"
                + " b.id = 'probe-edit'; b.dataset.requiresRole = 'editor'; b.textContent = 'Modifica';"
                + " document.getElementById('toolbar').append(b); }");
        return browser.driver.findElement(By.id("probe-edit")).isDisplayed();
    }

    @Test
    void aViewerSeesNoEditControlsAnEditorDoesAndThePageRunsUnderTheCsp() {
        openMap();
        assertFalse(editControlShown(), "nobody signed in");
        signIn("vera");
        assertEquals("Vera Viewer", browser.driver.findElement(By.id("account-name")).getText());
        assertFalse(editControlShown(), "a viewer");
        signIn("enzo");
        assertTrue(editControlShown(), "an editor");
        signOut();
        assertFalse(editControlShown(), "after signing out");
        List<String> errors = browser.consoleErrors().stream().filter(e -> !e.contains("/auth/login")).toList();
        assertEquals(List.of(), errors.stream().filter(e -> e.contains("Content Security Policy")).toList());
    }

    @Test
    void signingInAndOutByKeyboardKeepsTheFocusOnTheAccountControlAndEscapeClosesTheForm() {
        openMap();
        var d = browser.driver;
        if (!d.findElements(By.id("account-signout")).isEmpty()) signOut();
        d.findElement(By.id("account-signin")).sendKeys(Keys.ENTER);
        assertEquals("login-username", focused());

        d.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        assertFalse(d.findElement(By.id("login-form")).isDisplayed(), "Escape closes the sign-in form");
        assertEquals("account-signin", focused());

        d.switchTo().activeElement().sendKeys(Keys.ENTER);
        d.switchTo().activeElement().sendKeys("vera", Keys.TAB, PASSWORD, Keys.ENTER);
        browser.waitFor("vera signed in", x -> x.findElements(By.id("account-signout")).isEmpty() ? null : true);
        assertEquals("account-signout", focused(), "the keyboard goes on from the sign-out button, not the page's start");

        d.switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.waitFor("signed out", x -> x.findElements(By.id("account-signin")).isEmpty() ? null : true);
        assertEquals("account-signin", focused());
    }

    @Test
    void aFailedSignInIsSaidInItalianInADropDownThatKeepsTheToolbarOnOneRowAndIsNotHiddenByThePanel() {
        browser.driver.get("about:blank");
        browser.driver.get(base + "/map/#el=1");
        browser.waitFor("the account control and the panel", d -> d.findElements(By.cssSelector("#account button")).isEmpty()
                || !d.findElement(By.id("panel")).isDisplayed() ? null : true);
        var d = browser.driver;
        if (!d.findElements(By.id("account-signout")).isEmpty()) signOut();
        long toolbar = d.findElement(By.id("toolbar")).getSize().getHeight();

        d.findElement(By.id("account-signin")).click();
        d.findElement(By.id("login-username")).sendKeys("nessuno");
        d.findElement(By.id("login-password")).sendKeys("una password sbagliata", Keys.ENTER);
        WebElement message = browser.waitFor("the refusal", x -> x.findElements(By.id("login-message")).stream()
                .filter(m -> !m.getText().isEmpty()).findFirst().orElse(null));

        assertEquals("Accesso non riuscito: nome utente o password errati", message.getText());
        assertEquals(toolbar, d.findElement(By.id("toolbar")).getSize().getHeight(), "the toolbar keeps its one row");
        assertEquals(Boolean.TRUE, browser.js("const m = document.getElementById('login-message'), r = m.getBoundingClientRect();"
                + " return m.contains(document.elementFromPoint(r.right - 4, r.top + r.height / 2))"), "the message is drawn on top");
    }

    String focused() {
        return (String) browser.js("return document.activeElement.id");
    }

    @Test
    void aPageOfAnotherOriginCannotChangeAnythingWithTheStaffMembersSession() throws Exception {
        openMap();
        signIn("tina");
        long before = count("SELECT count(*) FROM topology_validation") + count("SELECT count(*) FROM network_build");
        browser.driver.get("http://127.0.0.1:" + attacker.getAddress().getPort() + "/");
        browser.waitFor("the other page's tries", d -> "tried".equals(d.getTitle()) ? true : null);
        browser.js("document.getElementById('f').submit()");
        browser.waitFor("the form post to be answered", d -> d.getCurrentUrl().startsWith(base) ? true : null);
        assertTrue(browser.driver.getPageSource().contains("\"status\":403"), browser.driver.getPageSource());
        assertEquals(before, count("SELECT count(*) FROM topology_validation") + count("SELECT count(*) FROM network_build"),
                "nothing was started");

        // The map's own page, with the same session, can.
        openMap();
        Object status = browser.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "streetcadAccess.ready.then(() => streetcadAccess.fetch('/topology/validations', {method: 'POST',"
                + " headers: {'Content-Type': 'application/json'}, body: '{\"bbox\": [11.0, 43.0, 11.01, 43.01]}'}))"
                + ".then(r => done(r.status), e => done(String(e)));");
        assertEquals(202L, status);
        assertEquals(1, count("SELECT count(*) FROM audit_log WHERE principal = 'account:tina' AND action = 'validation.start'"));
    }

    static long count(String sql) throws SQLException {
        try (var c = server.store().database().connection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
