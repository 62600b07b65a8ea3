package it.firenze.streetcad.access;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.Database;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads the audit log, newest first. */
public final class AuditLog {

    public static final int MAX_LIMIT = 1000;

    /** Every field may be null (no filter). {@code table} is a table or collection name, {@code id} one of its row ids. */
    public record Query(Instant since, Instant until, String principal, String table, Long id, int limit, long offset) {
    }

    public record Entry(long id, Instant at, String principal, String principalName, String organisation, String via,
                        String reason, String action, String table, List<Long> ids, JsonNode details) {
    }

    private final Database db;

    public AuditLog(Database db) {
        this.db = db;
    }

    public List<Entry> find(Query q) throws SQLException {
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (q.since() != null) { where.add("at >= ?"); params.add(Timestamp.from(q.since())); }
        if (q.until() != null) { where.add("at < ?"); params.add(Timestamp.from(q.until())); }
        if (q.principal() != null) { where.add("principal = ?"); params.add(q.principal()); }
        if (q.table() != null) { where.add("table_name = ?"); params.add(q.table()); }
        if (q.id() != null) { where.add("ids @> ARRAY[?]::bigint[]"); params.add(q.id()); }
        String sql = "SELECT id, at, principal, principal_name, organisation, via, reason, action, table_name, ids, details "
                + "FROM audit_log" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY at DESC, id DESC LIMIT ? OFFSET ?";
        params.add(q.limit());
        params.add(q.offset());
        try (var c = db.connection(); var st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) st.setObject(i + 1, params.get(i));
            try (var rs = st.executeQuery()) {
                List<Entry> entries = new ArrayList<>();
                while (rs.next()) {
                    String details = rs.getString(11);
                    entries.add(new Entry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                            Arrays.asList((Long[]) rs.getArray(10).getArray()),
                            details == null ? null : Json.mapper().readTree(details)));
                }
                return entries;
            }
        } catch (IOException e) {
            throw new IllegalStateException("an audit row's details are not JSON", e);
        }
    }
}
