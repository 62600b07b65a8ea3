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

    @Override
    public String toString() {
        return text + " " + params;
    }
}
