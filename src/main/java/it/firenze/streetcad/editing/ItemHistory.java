package it.firenze.streetcad.editing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.Database;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * An editable item's versions as the cadastre recorded them: the current row and its {@code <table>_history} rows,
 * each with its author and what changed from the version before. A read of what {@link Edits} wrote.
 */
public final class ItemHistory {

    private final Database database;

    public ItemHistory(Database database) {
        this.database = database;
    }

    /**
     * Every version of an item, oldest first: when the cadastre recorded it (from, to; to is null for the current
     * one), who, through what and why, the properties that changed from the version before, and the geometry in
     * CRS84 when it changed. Empty when there is no such item.
     */
    public Optional<ArrayNode> of(EditableType t, long id) throws SQLException {
        String geometrySql = t.hasGeometry() ? "ST_AsGeoJSON(ST_Transform(geom, 4326), 8)" : "NULL";
        ArrayNode versions = Json.mapper().createArrayNode();
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(
                "SELECT row::text, geometry FROM (SELECT to_jsonb(h) - 'geom', " + geometrySql + " FROM " + t.table()
                        + "_history h WHERE id = ? UNION ALL SELECT to_jsonb(r) - 'geom', " + geometrySql + " FROM "
                        + t.table() + " r WHERE id = ?) v(row, geometry) ORDER BY (row ->> 'version')::int")) {
            st.setLong(1, id);
            st.setLong(2, id);
            try (ResultSet rs = st.executeQuery()) {
                ObjectNode previous = null;
                String previousGeometry = null;
                while (rs.next()) {
                    ObjectNode row = (ObjectNode) Json.mapper().readTree(rs.getString(1));
                    String geometry = rs.getString(2);
                    ObjectNode v = versions.addObject();
                    v.set("version", row.get("version"));
                    v.set("recorded_from", row.get("recorded_from"));
                    v.set("recorded_to", row.has("recorded_to") ? row.get("recorded_to") : null);
                    ObjectNode author = v.putObject("author");
                    author.set("id", row.get("changed_by"));
                    author.set("organisation", row.get("changed_by_org"));
                    v.set("via", row.get("changed_via"));
                    v.set("reason", row.get("change_reason"));
                    ObjectNode changes = v.putObject("changes");
                    for (String name : t.fields().keySet()) {
                        JsonNode now = row.path(name);
                        JsonNode before = previous == null ? null : previous.path(name);
                        if (before == null || !before.equals(now)) {
                            ObjectNode change = changes.putObject(name);
                            change.set("from", before == null || before.isMissingNode() ? null : before);
                            change.set("to", now.isMissingNode() ? null : now);
                        }
                    }
                    boolean moved = geometry != null && !geometry.equals(previousGeometry);
                    v.put("geometry_changed", moved);
                    if (moved) v.set("geometry", Json.mapper().readTree(geometry));
                    previous = row;
                    previousGeometry = geometry;
                }
            } catch (IOException e) {
                throw new SQLException("unreadable history of " + t.collection() + " " + id, e);
            }
        }
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions);
    }
}
