package it.firenze.streetcad.importer;

import it.firenze.streetcad.db.Database;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads the cadastre back in tests: row counts, a checksum of every row, single values. */
final class Cadastre {

    private final Database db;

    Cadastre(Database db) {
        this.db = db;
    }

    /** Counts and an md5 over every column of every road and road element: equal means nothing changed. */
    String fingerprint() {
        return one("SELECT (SELECT count(*) FROM road_element) || '/' || (SELECT count(*) FROM road) || '/' || "
                + "coalesce((SELECT md5(string_agg(e::text, '|' ORDER BY e.id)) FROM road_element e), '-') || '/' || "
                + "coalesce((SELECT md5(string_agg(r::text, '|' ORDER BY r.id)) FROM road r), '-')");
    }

    long count(String sql) {
        return Long.parseLong(one(sql));
    }

    String one(String sql) {
        List<String> rows = rows(sql);
        if (rows.size() != 1) throw new AssertionError("expected one row from " + sql + ", got " + rows);
        return rows.getFirst();
    }

    List<String> rows(String sql) {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        }
        return out;
    }

    void execute(String sql) {
        try (Connection c = db.connection(); var st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        }
    }
}
