package it.firenze.streetcad.server;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.api.HttpServer;
import it.firenze.streetcad.api.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Before the server says it is ready, it asks itself, over its own HTTP port, the requests users ask most: 500 m bbox
 * pages of road elements and junctions (JSON and HTML), single elements, tiles, the nearest element. On 2 cores the JIT
 * needs several seconds of CPU to compile those paths; done under users' traffic it competed with the requests for the
 * cores, and the first half-minute after {@code /ready} took 3–13 times the CPU per page of the steady state
 * (BENCHMARKS.md, "What the slow seconds after /ready are made of"). Here it has the cores to itself. It stops when the
 * JIT has gone quiet (compiled for less than a fifth of the last second) or at the time limit, whichever comes first.
 * Then every read connection serves a few pages at once: a PostgreSQL backend plans its first statements (catalog
 * caches, PROJ, pgjdbc's switch to a prepared statement at the fifth run) in tens of milliseconds, and users' first
 * requests would otherwise meet the connections the two warm-up workers never used. A cadastre without road elements is
 * not warmed.
 */
final class SelfWarmUp {

    /** Requests in the air at once: enough to keep the compilers fed, few enough to leave them a core. */
    private static final int WORKERS = 2;
    /** The JIT counts as quiet below this share of a second spent compiling. */
    private static final double QUIET_SHARE = 0.2;
    /** The box users page through: about 500 m × 500 m at Florence's latitude, as bench/features/varied-bbox.lua. */
    private static final double BOX_WIDTH = 0.0062;
    private static final double BOX_HEIGHT = 0.0046;
    /** Pages each read connection serves at the end: past pgjdbc's prepare threshold and PostgreSQL's custom plans. */
    private static final int PAGES_PER_CONNECTION = 12;

    private static final Logger LOG = LoggerFactory.getLogger(SelfWarmUp.class);

    private SelfWarmUp() {
    }

    /**
     * Warms the server at {@code base}, whose read pool holds {@code connections}, for at most {@code limit}; never
     * throws (a cold server still serves).
     */
    static void run(URI base, int connections, Duration limit) {
        long start = System.nanoTime();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        double[] extent = extent(client, base);
        if (extent == null) return;
        long deadline = start + limit.toNanos();
        AtomicInteger requests = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        JitWatch jit = new JitWatch();
        AtomicBoolean stop = new AtomicBoolean();
        boolean quiet = false;
        try (var workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < WORKERS; w++) {
                SplittableRandom random = new SplittableRandom(42 + w);
                workers.execute(() -> {
                    while (!stop.get()) {
                        for (String path : round(random, extent)) {
                            if (stop.get()) break;
                            int n = requests.incrementAndGet();
                            if (!ok(client, base.resolve(path), n)) failed.incrementAndGet();
                        }
                    }
                });
            }
            while (!quiet && System.nanoTime() < deadline) {
                sleep(Math.min(Duration.ofSeconds(1).toNanos(), Math.max(0, deadline - System.nanoTime())));
                quiet = jit.quietSince();
            }
            stop.set(true);
        }
        try (var workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < connections; w++) {
                SplittableRandom random = new SplittableRandom(1042 + w);
                workers.execute(() -> {
                    for (int i = 0; i < PAGES_PER_CONNECTION; i++) {
                        int n = requests.incrementAndGet();
                        if (!ok(client, base.resolve(round(random, extent)[0]), n)) failed.incrementAndGet();
                    }
                });
            }
        }
        LOG.info("warmed up with {} requests ({} failed) in {} ms; the JIT {}", requests.get(), failed.get(),
                (System.nanoTime() - start) / 1_000_000,
                quiet ? "went quiet" : "was still compiling at the limit of " + limit.toSeconds() + " s");
    }

    /**
     * One round: what a user paging and zooming over one spot asks. The paths are relative to the base, so that a
     * server behind a path prefix is asked the same.
     */
    private static String[] round(SplittableRandom random, double[] extent) {
        double w = Math.min(BOX_WIDTH, extent[2] - extent[0]);
        double h = Math.min(BOX_HEIGHT, extent[3] - extent[1]);
        double x = extent[0] + random.nextDouble() * (extent[2] - extent[0] - w);
        double y = extent[1] + random.nextDouble() * (extent[3] - extent[1] - h);
        String box = String.format(Locale.ROOT, "%.5f,%.5f,%.5f,%.5f", x, y, x + w, y + h);
        int z = 12 + random.nextInt(6);
        int n = 1 << z;
        double lat = Math.toRadians(y + h / 2);
        int tx = (int) ((x + w / 2 + 180) / 360 * n);
        int ty = (int) ((1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2 * n);
        return new String[]{
                "collections/road-elements/items?limit=100&bbox=" + box,
                "collections/road-elements/items?limit=100&bbox=" + box,
                "collections/road-elements/items?limit=100&bbox=" + box,
                "collections/junctions/items?limit=100&bbox=" + box,
                "collections/road-elements/items?limit=20&bbox=" + box + "&f=html",
                "collections/road-elements/items/" + (1 + random.nextInt(1000)),
                "network/nearest?point=" + String.format(Locale.ROOT, "%.5f,%.5f", x, y),
                "tiles/road-elements/" + z + "/" + tx + "/" + ty + ".mvt",
        };
    }

    /** The road elements' extent in CRS84 from the collection's description, or null when there are none. */
    private static double[] extent(HttpClient client, URI base) {
        try {
            HttpResponse<String> answer = client.send(request(base.resolve("collections/road-elements"), 0),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) return null;
            JsonNode box = Json.mapper().readTree(answer.body()).path("extent").path("spatial").path("bbox").path(0);
            if (box.size() != 4) return null;
            double[] extent = {box.get(0).asDouble(), box.get(1).asDouble(), box.get(2).asDouble(),
                    box.get(3).asDouble()};
            // An empty collection says the whole world (OGC API Features): nothing to warm there.
            boolean world = extent[0] <= -180 && extent[1] <= -90 && extent[2] >= 180 && extent[3] >= 90;
            return !world && extent[2] > extent[0] && extent[3] > extent[1] ? extent : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Whether the server answered; a 404 (an id not in this cadastre) warms the same path as a 200. */
    private static boolean ok(HttpClient client, URI uri, int n) {
        try {
            return client.send(request(uri, n), HttpResponse.BodyHandlers.discarding()).statusCode() < 500;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static HttpRequest request(URI uri, int n) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("X-Request-Id", HttpServer.UNLOGGED_REQUEST_ID + n).build();
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The JIT's compile time per second of wall time, from the JVM's own count (null on a JVM without one). */
    private static final class JitWatch {
        private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        private long lastCompileMillis = compileMillis();
        private long lastNanos = System.nanoTime();

        /** Whether the compilers spent less than {@link #QUIET_SHARE} of the time since the last call compiling. */
        boolean quietSince() {
            long millis = compileMillis();
            long now = System.nanoTime();
            double share = (millis - lastCompileMillis) / ((now - lastNanos) / 1e6);
            lastCompileMillis = millis;
            lastNanos = now;
            return jit == null || !jit.isCompilationTimeMonitoringSupported() || share < QUIET_SHARE;
        }

        private long compileMillis() {
            return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
        }
    }
}
