package it.firenze.streetcad.api;

import io.javalin.router.JavalinDefaultRoutingApi;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * {@code GET /metrics}: every meter of the process in the Prometheus text format. Capabilities record on
 * Micrometer's global registry (requests in {@link HttpServer}, the connection pools, jobs, tiles, imports, topology
 * findings); this module adds the Prometheus registry to it, once per process.
 */
public final class MetricsModule implements HttpModule {

    private static final PrometheusMeterRegistry PROMETHEUS = prometheus();

    private static PrometheusMeterRegistry prometheus() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("application", "streetcad");
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        Metrics.addRegistry(registry);
        return registry;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(PROMETHEUS.scrape()));
    }
}
