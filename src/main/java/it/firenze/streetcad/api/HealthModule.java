package it.firenze.streetcad.api;

import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseFailure;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code /health}: the process is alive (for a load balancer's liveness probe, no database involved).
 * {@code /ready}: the database answers, with the PostgreSQL, PostGIS and schema versions (readiness probe), and the
 * server has finished warming up (503 until then, so that a load balancer sends it traffic only at full speed).
 */
public final class HealthModule implements HttpModule {

    private final Database database;
    private final BooleanSupplier warmedUp;

    public HealthModule(Database database) {
        this(database, () -> true);
    }

    public HealthModule(Database database, BooleanSupplier warmedUp) {
        this.database = database;
        this.warmedUp = warmedUp;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/health", ctx -> ctx.json(Map.of("status", "alive")));
        routes.get("/ready", this::ready);
    }

    private void ready(Context ctx) {
        if (!warmedUp.getAsBoolean()) {
            throw new ProblemException(Problem.of(503, "Warming up", "StreetCad is compiling its request paths before "
                    + "it takes traffic; ready in a few seconds."));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        try (var c = database.readConnection();
             var st = c.createStatement();
             var rs = st.executeQuery("SELECT current_setting('server_version'), postgis_lib_version()")) {
            rs.next();
            body.put("status", "ready");
            body.put("postgresql", rs.getString(1));
            body.put("postgis", rs.getString(2));
            body.put("schemaVersion", database.schemaVersion());
            body.put("storageCrs", "EPSG:" + database.storageSrid());
            ctx.json(body);
        } catch (SQLException | RuntimeException e) {
            // Not ready, whatever the cause: a load balancer only needs to know to send requests elsewhere.
            throw new ProblemException(Problems.database(DatabaseFailure.of(e).orElse(DatabaseFailure.UNAVAILABLE)));
        }
    }
}
