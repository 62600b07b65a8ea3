package it.firenze.streetcad.api;

import io.javalin.http.Context;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** {@code http_server_requests_seconds}: every request by method, route template and status, with a latency histogram. */
final class RequestMetrics {

    private RequestMetrics() {
    }

    /**
     * The timer of each method, route and status, found once: building and registering it again on every request
     * (its id, its tags sorted, the registry's lookup) cost as much as writing the access log line.
     */
    private static final Map<Key, Timer> TIMERS = new ConcurrentHashMap<>();

    private record Key(String method, String route, int status) {
    }

    static void record(Context ctx, float millis) {
        TIMERS.computeIfAbsent(new Key(ctx.method().name(), route(ctx), ctx.statusCode()), k ->
                Timer.builder("http.server.requests")
                        .tag("method", k.method())
                        .tag("route", k.route())
                        .tag("status", Integer.toString(k.status()))
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofMillis(1))
                        .maximumExpectedValue(Duration.ofSeconds(30))
                        .register(Metrics.globalRegistry))
                .record((long) (millis * 1000), TimeUnit.MICROSECONDS);
    }

    /** The route template ({@code /collections/{collectionId}/items}), never the path: paths would be unbounded. */
    private static String route(Context ctx) {
        try {
            var endpoint = ctx.endpoints().lastHttpEndpoint();
            return endpoint == null ? "unmatched" : endpoint.path;
        } catch (RuntimeException e) {
            return "unmatched";
        }
    }
}
