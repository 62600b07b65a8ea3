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

    /**
     * Whether this capability's own work is loading the cadastre now (an import committing), as far as its state
     * says: asked when a read gave up waiting for a table held whole, to tell whose lock it is
     * ({@link Problems#locked}). None by default.
     */
    default boolean loadingTheCadastre() {
        return false;
    }
}
