package it.firenze.streetcad.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import it.firenze.streetcad.api.Json;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;

/**
 * Names the author of a change inside the transaction that makes it. Both methods need the caller's connection
 * with auto-commit off: the settings {@link #bind} makes and the row {@link #record} writes belong to that
 * transaction, so a rolled-back change leaves neither.
 */
public final class Audit {

    private Audit() {
    }

    /**
     * Sets the transaction-local settings that the history trigger ({@code record_history()}) copies into every
     * history row the transaction writes: {@code streetcad.actor}, {@code .organisation}, {@code .via}, {@code .reason}.
     */
    public static void bind(Connection c, Actor a) throws SQLException {
        try (var st = c.prepareStatement("SELECT set_config('streetcad.actor', ?, true), set_config('streetcad.organisation', ?, true), "
                + "set_config('streetcad.via', ?, true), set_config('streetcad.reason', ?, true)")) {
            st.setString(1, a.principal().id());
            st.setString(2, empty(a.principal().organisation()));
            st.setString(3, empty(a.via()));
            st.setString(4, empty(a.reason()));
            st.execute();
        }
    }

    /**
     * Adds one audit row in the caller's transaction.
     *
     * @param action  what was done, e.g. {@code import.commit}, {@code fix.apply}, {@code key.create}
     * @param table   the table (or collection) changed; null when the action changes no table row
     * @param ids     the ids of the rows changed (may be empty)
     * @param details anything else worth keeping (counts, the fix, a bbox); may be empty
     */
    public static void record(Connection c, Actor a, String action, String table, Collection<Long> ids,
                              Map<String, ?> details) throws SQLException {
        try (var st = c.prepareStatement("INSERT INTO audit_log (principal, principal_name, organisation, via, reason, action, "
                + "table_name, ids, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)")) {
            st.setString(1, a.principal().id());
            st.setString(2, a.principal().name());
            st.setString(3, a.principal().organisation());
            st.setString(4, a.via());
            st.setString(5, a.reason());
            st.setString(6, action);
            st.setString(7, table);
            st.setArray(8, c.createArrayOf("bigint", ids == null ? new Long[0] : ids.toArray(Long[]::new)));
            st.setString(9, details == null || details.isEmpty() ? null : Json.mapper().writeValueAsString(details));
            st.executeUpdate();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit details are not JSON: " + e.getMessage(), e);
        }
    }

    private static String empty(String s) {
        return s == null ? "" : s;
    }
}
