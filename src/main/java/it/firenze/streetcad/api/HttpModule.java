package it.firenze.streetcad.api;

import io.javalin.router.JavalinDefaultRoutingApi;

/**
 * One capability's HTTP surface. Each capability package (features, tiles, importer, …) offers one, and the
 * server registers them in order; handlers stay thin and call the capability's domain types.
 */
public interface HttpModule {
    void register(JavalinDefaultRoutingApi routes);
}
