package it.firenze.streetcad.api;

import io.javalin.router.JavalinDefaultRoutingApi;

/**
 * One capability's HTTP surface. Each capability package (features, tiles, importer, …) offers one, and the
 * server registers them in order, which is the routes' precedence (Javalin takes the first route that matches);
 * {@link RouteOrder} hands the most asked routes to Javalin first where that changes no path's route. Handlers stay
 * thin and call the capability's domain types.
 */
public interface HttpModule {
    void register(JavalinDefaultRoutingApi routes);
}
