package it.firenze.streetcad.web;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;

/**
 * Debian's Chromium, headless, driven through Debian's chromedriver (never a downloaded browser), with the
 * flags that let it draw WebGL in software on a machine without a GPU (see docs/testing-notes).
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "webmap-screenshots");

    final ChromeDriver driver;

    HeadlessChromium(int width, int height) {
        Path profile;
        try {
            profile = Files.createTempDirectory("streetcad-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                "--no-first-run", "--user-data-dir=" + profile, "--window-size=" + width + "," + height,
                "--lang=it-IT");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    /** Loads the page afresh (a new document even when only the #hash differs) and forgets earlier console lines. */
    void open(String url) {
        driver.get("about:blank");
        consoleErrors();
        driver.get(url);
        waitFor("the map to load", d -> "true".equals(js("return document.body.dataset.mapReady || null")));
    }

    /** Signs {@code username} in through the page's own form, whoever was signed in signed out first. */
    void signIn(String username, String password) {
        driver.findElements(By.id("account-signout")).forEach(WebElement::click);
        waitFor("the sign-in control", d -> d.findElements(By.id("account-signin")).isEmpty() ? null : true);
        driver.findElement(By.id("account-signin")).click();
        driver.findElement(By.id("login-username")).sendKeys(username);
        driver.findElement(By.id("login-password")).sendKeys(password);
        driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        waitFor(username + " signed in", d -> d.findElements(By.id("account-signout")).isEmpty() ? null : true);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    <T> T waitFor(String what, Function<WebDriver, T> condition) {
        return waitFor(what, Duration.ofSeconds(30), condition);
    }

    /**
     * For what waits on a change's round trip (the edit, its re-validation, the redrawn record): slow on a loaded
     * machine. An element the page redraws between the condition's finding it and reading it (stale) is not there
     * yet, like one not found: the condition is asked again.
     */
    <T> T waitFor(String what, Duration timeout, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout).withMessage(what).ignoring(StaleElementReferenceException.class)
                .until(condition::apply);
    }

    /** Console messages at error level since the last call. */
    List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    byte[] screenshot(String name) {
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name + ".png"), png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return png;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
