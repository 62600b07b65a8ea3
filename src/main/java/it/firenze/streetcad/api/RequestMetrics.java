package it.firenze.streetcad.api;

import io.javalin.http.Context;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** {@code http_server_requests_seconds}: every request by method, route template and status, with a latency histogram. */
final class RequestMetrics {

    private RequestMetrics() {
    }

    static void record(Context ctx, float millis) {
        Timer.builder("http.server.requests")
                .tag("method", ctx.method().name())
                .tag("route", route(ctx))
                .tag("status", Integer.toString(ctx.statusCode()))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(Metrics.globalRegistry)
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
