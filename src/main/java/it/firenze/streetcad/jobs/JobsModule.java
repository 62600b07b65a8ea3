package it.firenze.streetcad.jobs;

import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import it.firenze.streetcad.access.AccessHttp;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.api.HttpModule;
import it.firenze.streetcad.api.ProblemException;
import it.firenze.streetcad.db.CountGauges;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.features.Responses;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /jobs}: every import, network build and validation with one JSON shape and one set of states (V8's
 * {@code job} view): {@code queued → running → succeeded | failed | cancelled}, and an import's {@code validated}
 * pause before its commit. Each kind's own route ({@code href}) shows its details. {@code DELETE /jobs/{id}} cancels
 * what can be cancelled: an import not yet committed (its staged features are dropped).
 */
public final class JobsModule implements HttpModule {

    /** The one set of job states (see V8). */
    public static final Set<String> STATES = Set.of("queued", "running", "validated", "succeeded", "failed", "cancelled");
    private static final Set<String> KINDS = Set.of("import", "network-build", "validation");
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 1000;
    private static final String COLUMNS = "id, kind, state, phase, progress, summary, error, href, created_at, "
            + "finished_at, lease_owner AS owner";

    private final Database database;
    /** How to cancel a job of each kind that can be cancelled, by the id within its kind. */
    private final Map<String, Canceller> cancellers;

    /** Cancels the job of a kind with this id (within its kind), in the name of the actor. */
    @FunctionalInterface
    public interface Canceller {
        void cancel(long id, Actor actor);
    }

    public JobsModule(Database database, Map<String, Canceller> cancellers) {
        this.database = database;
        this.cancellers = Map.copyOf(cancellers);
        CountGauges.register(database, "streetcad.jobs", "jobs by kind and state", "SELECT kind, state, count(*) FROM job GROUP BY 1, 2",
                List.of("kind", "state"), KINDS.stream().flatMap(k -> STATES.stream().map(s -> List.of(k, s))).toList());
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/jobs", this::list);
        routes.get("/jobs/{id}", ctx -> Responses.text(ctx, "application/json", job(ctx.pathParam("id"))));
        routes.delete("/jobs/{id}", this::cancel);
    }

    private void list(Context ctx) throws SQLException {
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        String kind = ctx.queryParam("kind");
        if (kind != null) {
            if (!KINDS.contains(kind)) throw ProblemException.badRequest("kind", "kind is one of " + String.join(", ", KINDS.stream().sorted().toList()));
            where.add("kind = ?");
            params.add(kind);
        }
        String state = ctx.queryParam("state");
        if (state != null) {
            if (!STATES.contains(state)) throw ProblemException.badRequest("state", "state is one of " + String.join(", ", STATES.stream().sorted().toList()));
            where.add("state = ?");
            params.add(state);
        }
        int limit = DEFAULT_LIMIT;
        String l = ctx.queryParam("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) throw ProblemException.badRequest("limit", "limit is a whole number from 1 to " + MAX_LIMIT);
        }
        params.add(limit);
        String sql = "SELECT json_build_object('jobs', coalesce(json_agg(j ORDER BY created_at DESC, id DESC), '[]'::json))::text "
                + "FROM (SELECT " + COLUMNS + " FROM job" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY created_at DESC, id DESC LIMIT ?) j";
        Responses.text(ctx, "application/json", text(sql, params));
    }

    private String job(String id) throws SQLException {
        String json = text("SELECT row_to_json(j)::text FROM (SELECT " + COLUMNS + " FROM job WHERE id = ?) j", List.of(id));
        if (json == null) throw ProblemException.notFound("There is no job " + id + ".");
        return json;
    }

    private void cancel(Context ctx) throws SQLException {
        Actor actor = AccessHttp.actor(ctx, Role.TECHNICIAN);
        String id = ctx.pathParam("id");
        job(id);
        int dash = id.lastIndexOf('-');
        String kindPrefix = id.substring(0, dash);
        Canceller canceller = cancellers.get(kindPrefix);
        if (canceller == null) {
            throw ProblemException.conflict("A " + kindPrefix + " runs to its end once started; only imports not yet "
                    + "committed can be cancelled.");
        }
        canceller.cancel(Long.parseLong(id.substring(dash + 1)), actor);
        Responses.text(ctx, "application/json", job(id));
    }

    private String text(String sql, List<Object> params) throws SQLException {
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) st.setObject(i + 1, params.get(i));
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
