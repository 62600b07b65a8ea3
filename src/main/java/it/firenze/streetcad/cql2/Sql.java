package it.firenze.streetcad.cql2;

import org.postgresql.PGStatement;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A SQL statement under construction: text that comes only from StreetCad's own code ({@link #append}) and
 * values that come from a request, always as bound parameters ({@link #bind}). No user text ever reaches the
 * statement's text, which is what keeps filters, search words and ids from injecting SQL.
 */
public final class Sql {

    private final StringBuilder text = new StringBuilder();
    private final List<Object> params = new ArrayList<>();

    public Sql append(String trustedSql) {
        text.append(trustedSql);
        return this;
    }

    /** Appends a placeholder for {@code value}. */
    public Sql bind(Object value) {
        text.append('?');
        params.add(value);
        return this;
    }

    public Sql append(Sql other) {
        text.append(other.text);
        params.addAll(other.params);
        return this;
    }

    /**
     * The same statement with its text rewritten by {@code trustedRewrite} (which must add no placeholder), its
     * values kept: how a statement written against named relations is pointed at the rows of one time.
     */
    public Sql rewritten(java.util.function.UnaryOperator<String> trustedRewrite) {
        Sql out = new Sql();
        out.text.append(trustedRewrite.apply(text.toString()));
        out.params.addAll(params);
        return out;
    }

    public boolean isEmpty() {
        return text.isEmpty();
    }

    public String text() {
        return text.toString();
    }

    public List<Object> params() {
        return List.copyOf(params);
    }

    public PreparedStatement prepare(Connection c) throws SQLException {
        PreparedStatement st = c.prepareStatement(text.toString());
        for (int i = 0; i < params.size(); i++) st.setObject(i + 1, params.get(i));
        return st;
    }

    /**
     * Prepared so that PostgreSQL plans it with this run's values every time, never with a cached generic plan.
     * pgjdbc prepares a statement on the server from its fifth run, and PostgreSQL then keeps a generic plan when
     * that looks cheaper, which it always does for a condition on a bound geometry: PostGIS cannot estimate a box
     * it has not seen, and the generic plan reprojects the box for every candidate row. A bbox page ran at 1,315
     * pages/s in PostGIS alone against 1,756 planned each time (BENCHMARKS.md). Tile queries, which do better
     * with their cached plans, use {@link #prepare}.
     */
    public PreparedStatement preparePlannedWithValues(Connection c) throws SQLException {
        PreparedStatement st = prepare(c);
        st.unwrap(PGStatement.class).setPrepareThreshold(0);
        return st;
    }

    @Override
    public String toString() {
        return text + " " + params;
    }
}
