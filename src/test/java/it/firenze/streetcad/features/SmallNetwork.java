package it.firenze.streetcad.features;

import it.firenze.streetcad.api.HttpModule;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A hand-made piece of Florence around the Duomo, drawn in CRS84 and stored in the database's storage CRS:
 * four junctions in a cluster, two far away, six road elements, five named roads (one without elements) and one
 * event. Element 104 has been valid since 2020, element 106 only from 2019 to 2021; the rest since the insert.
 * <pre>
 *   J3 (11.2560, 43.7710)
 *    | \ 105 (pedestrian bridge, Piazza della Signoria)
 *   102 (forward, Via dell’Agnolo)
 *    |    \
 *   J2 ----- J1 (11.2550, 43.7700)      J5 ---104--- J6  (11.2700..11.2710, 43.7800, Viale Giacomo Matteotti)
 *    |  101 (Via dei Calzaiuoli, E)
 *   103 (Via dell’Agnolo, under construction) → J4 (11.2570, 43.7700) --106 (no road)--> (11.2575, 43.7695)
 * </pre>
 */
public final class SmallNetwork {

    private SmallNetwork() {
    }

    /** A fresh cadastre holding the small network, served over a real HTTP port. */
    public record Served(Database db, TestHttp http) implements AutoCloseable {
        @Override
        public void close() {
            http.close();
            db.close();
        }
    }

    public static Served serve(java.util.function.Function<Database, List<HttpModule>> modules) {
        Database db = TestPostgis.newCadastre();
        insert(db);
        return new Served(db, new TestHttp(modules.apply(db).toArray(HttpModule[]::new)));
    }

    private static String row(String line, int id, String road, String coordinates, String rest) {
        return "(" + id + ", " + road + ", " + line.formatted(coordinates) + ", " + rest + ")";
    }

    public static void insert(Database db) {
        int srid = db.storageSrid();
        String p = "ST_Transform(ST_SetSRID(ST_MakePoint(%s), 4326), " + srid + ")";
        String l = "ST_Transform(ST_GeomFromText('LINESTRING(%s)', 4326), " + srid + ")";
        String[] statements = {
                "INSERT INTO road (id, name, road_code, admin_class) VALUES (1, 'Via dei Calzaiuoli', NULL, 'comunale'),"
                        + " (2, 'Via dell’Agnolo', NULL, 'comunale'), (3, 'Viale Giacomo Matteotti', NULL, 'comunale'),"
                        + " (4, 'Piazza della Signoria', NULL, 'comunale'), (5, 'Borgo San Frediano', NULL, 'comunale')",
                "INSERT INTO junction (id, geom, kind, degree) VALUES"
                        + " (1, " + p.formatted("11.2550, 43.7700") + ", 'intersection', 2),"
                        + " (2, " + p.formatted("11.2560, 43.7700") + ", 'intersection', 3),"
                        + " (3, " + p.formatted("11.2560, 43.7710") + ", 'intersection', 2),"
                        + " (4, " + p.formatted("11.2570, 43.7700") + ", 'intersection', 2),"
                        + " (5, " + p.formatted("11.2700, 43.7800") + ", 'end', 1),"
                        + " (6, " + p.formatted("11.2710, 43.7800") + ", 'end', 1)",
                "INSERT INTO road_element (id, road_id, geom, from_junction, to_junction, functional_class, element_type,"
                        + " level, direction, status, lanes, width_m, surface, speed_limit, valid_from, valid_to) VALUES "
                        + String.join(", ",
                        row(l, 101, "1", "11.2550 43.7700, 11.2560 43.7700", "1, 2, 'E', 'carriageway', 'at_grade', 'both', 'in_use', 2, 7.50, 'asphalt', 30, now(), NULL"),
                        row(l, 102, "2", "11.2560 43.7700, 11.2560 43.7710", "2, 3, 'F', 'carriageway', 'at_grade', 'forward', 'in_use', 1, 4.00, 'paving_stones', 30, now(), NULL"),
                        row(l, 103, "2", "11.2560 43.7700, 11.2570 43.7700", "2, 4, 'F', 'carriageway', 'at_grade', 'both', 'under_construction', 1, NULL, NULL, NULL, now(), NULL"),
                        row(l, 104, "3", "11.2700 43.7800, 11.2710 43.7800", "5, 6, 'D', 'carriageway', 'at_grade', 'both', 'in_use', 4, 12.50, 'asphalt', 50, '2020-01-01T00:00:00Z', NULL"),
                        row(l, 105, "4", "11.2560 43.7710, 11.2550 43.7700", "3, 1, 'F-bis', 'pedestrian', 'bridge', 'both', 'in_use', NULL, NULL, NULL, NULL, now(), NULL"),
                        row(l, 106, "NULL", "11.2570 43.7700, 11.2575 43.7695", "4, NULL, NULL, 'service', 'at_grade', 'closed', 'disused', NULL, NULL, NULL, NULL, '2019-01-01T00:00:00Z', '2021-01-01T00:00:00Z'")),
                "INSERT INTO element_event (id, element_id, from_m, to_m, kind, attributes) VALUES"
                        + " (1, 101, 10, 30, 'works', '{\"permit\": \"2024/123\"}')",
        };
        try (Connection c = db.connection(); var st = c.createStatement()) {
            for (String s : statements) st.execute(s);
            st.execute("ANALYZE");
        } catch (SQLException e) {
            throw new IllegalStateException("inserting the small network failed", e);
        }
    }
}
