package it.firenze.streetcad.web;

import it.firenze.streetcad.server.StreetCadServer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Time from navigation to the first road elements drawn on the city view, read from the browser's own
 * performance timeline (the page marks {@code streetcad:first-elements} on the first frame that shows one).
 * Run by {@code bench/webmap-first-draw.sh}: StreetCad on the Florence sample (imported at start by the real
 * importer), Debian's headless Chromium.
 * Each "cold" run is a new browser with an empty profile (nothing cached: page, MapLibre and tiles all fetched);
 * each "warm" run reloads the page in the browser of the last cold run.
 */
public final class WebMapFirstDrawBench {

    private static final String TIMINGS = """
            const nav = performance.getEntriesByType('navigation')[0];
            const mark = performance.getEntriesByName('streetcad:first-elements')[0];
            const created = performance.getEntriesByName('streetcad:map-created')[0];
            return {firstElements: mark ? mark.startTime : -1, domContentLoaded: nav.domContentLoadedEventEnd,
                    mapCreated: created ? created.startTime : -1};""";

    private WebMapFirstDrawBench() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int width = args.length > 1 ? Integer.parseInt(args[1]) : 1400;
        int height = args.length > 2 ? Integer.parseInt(args[2]) : 900;
        try (StreetCadServer server = FlorenceStreetCad.start()) {
            String page = "http://127.0.0.1:" + server.port() + "/map/";
            List<Double> cold = new ArrayList<>();
            List<Double> warm = new ArrayList<>();
            System.out.printf("window %dx%d, %s (city view: the cadastre's extent)%n", width, height, page);
            for (int i = 1; i <= runs; i++) {
                try (HeadlessChromium browser = new HeadlessChromium(width, height)) {
                    cold.add(measure(browser, page, "cold " + i));
                    warm.add(measure(browser, page, "warm " + i));
                }
            }
            System.out.printf("first elements drawn, median: cold %.0f ms, warm %.0f ms (runs: %d)%n",
                    median(cold), median(warm), runs);
        }
    }

    private static double measure(HeadlessChromium browser, String page, String label) {
        browser.driver.get("about:blank");
        browser.driver.get(page);
        browser.waitFor("elements drawn", d -> browser.js("return document.body.dataset.elementsDrawn || null"));
        browser.waitFor("every tile in view", d -> Boolean.TRUE.equals(browser.js(
                "return window.streetcad.map.areTilesLoaded()")));
        @SuppressWarnings("unchecked")
        Map<String, Number> t = (Map<String, Number>) browser.js(TIMINGS);
        System.out.printf("%-8s DOMContentLoaded %5.0f ms   map created %5.0f ms   first elements %5.0f ms%n",
                label, t.get("domContentLoaded").doubleValue(), t.get("mapCreated").doubleValue(),
                t.get("firstElements").doubleValue());
        return t.get("firstElements").doubleValue();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
