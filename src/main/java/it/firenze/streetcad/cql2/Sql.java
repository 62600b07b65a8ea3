package it.firenze.streetcad.cql2;

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

    private static final char ONCE = '\u0001';
    private static final char END_ONCE = '\u0002';

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
     * Appends an expression of bound values (a transformed bbox or geometry literal) that the database should
     * compute once per execution. In the generic plan PostgreSQL uses for a prepared statement after a few
     * runs, a bare expression of parameters is computed again for every row it is tested on; as a scalar
     * subquery it is computed once. {@link #plain()} gives the bare form, whose values the planner can see.
     */
    public Sql once(Sql expression) {
        text.append(ONCE).append(expression.text).append(END_ONCE);
        params.addAll(expression.params);
        return this;
    }

    /** The same statement with every {@link #once} expression bare, for the planner's estimates. */
    public Sql plain() {
        Sql copy = new Sql();
        copy.text.append(text.toString().replace(ONCE, '(').replace(END_ONCE, ')'));
        copy.params.addAll(params);
        return copy;
    }

    public boolean isEmpty() {
        return text.isEmpty();
    }

    public String text() {
        return text.toString().replace(String.valueOf(ONCE), "(SELECT ").replace(String.valueOf(END_ONCE), ")");
    }

    public List<Object> params() {
        return List.copyOf(params);
    }

    public PreparedStatement prepare(Connection c) throws SQLException {
        PreparedStatement st = c.prepareStatement(text());
        for (int i = 0; i < params.size(); i++) st.setObject(i + 1, params.get(i));
        return st;
    }

    @Override
    public String toString() {
        return text() + " " + params;
    }
}
