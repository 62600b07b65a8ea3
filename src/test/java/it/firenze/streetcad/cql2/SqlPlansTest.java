package it.firenze.streetcad.cql2;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given a cadastre with a few thousand elements, a bbox statement run again and again on one connection: prepared
 * the ordinary way PostgreSQL soon plans it generically, blind to the box; prepared to be planned with its values it
 * never is.
 */
class SqlPlansTest {

    static Database db;

    @BeforeAll
    static void fill() throws SQLException {
        db = TestPostgis.newCadastre();
        try (Connection c = db.connection(); var st = c.createStatement()) {
            st.execute("INSERT INTO road_element (geom) SELECT ST_Transform(ST_SetSRID(ST_MakeLine("
                    + "ST_MakePoint(11.2 + i * 0.0001, 43.75 + j * 0.0001), ST_MakePoint(11.2 + i * 0.0001 + 0.00008, "
                    + "43.75 + j * 0.0001)), 4326), " + db.storageSrid() + ") FROM generate_series(1, 60) i, "
                    + "generate_series(1, 60) j");
            st.execute("ANALYZE road_element");
        }
    }

    @AfterAll
    static void close() {
        db.close();
    }

    interface Preparation {
        PreparedStatement prepare(Sql sql, Connection c) throws SQLException;
    }

    /** Runs the bbox statement 20 times, as 20 requests on one pooled connection would. */
    static void runBboxPages(Connection c, String marker, Preparation preparation) throws SQLException {
        for (int run = 0; run < 20; run++) {
            Sql bbox = new Sql().append("SELECT e.id /* " + marker + " */ FROM road_element e WHERE ST_Intersects(e.geom, "
                            + "ST_Transform(ST_MakeEnvelope(").bind(11.201 + run * 0.0001).append(", ").bind(43.751)
                    .append(", ").bind(11.203).append(", ").bind(43.753)
                    .append(", 4326), " + db.storageSrid() + ")) ORDER BY e.id LIMIT 101");
            try (var st = preparation.prepare(bbox, c); var rs = st.executeQuery()) {
                while (rs.next()) rs.getLong(1);
            }
        }
    }

    static long[] plans(Connection c, String marker) throws SQLException {
        try (var st = c.prepareStatement("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                + "WHERE statement LIKE ?")) {
            st.setString(1, "%" + marker + "%");
            try (var rs = st.executeQuery()) {
                return rs.next() ? new long[]{rs.getLong(1), rs.getLong(2)} : null;
            }
        }
    }

    @Test
    void preparedTheOrdinaryWayABboxStatementSoonGetsAGenericPlan() throws SQLException {
        try (Connection c = db.connection()) {
            runBboxPages(c, "ordinary", Sql::prepare);
            long[] plans = plans(c, "ordinary");
            assertTrue(plans != null, "pgjdbc prepared the statement on the server");
            assertTrue(plans[0] > 0, "generic plans: " + plans[0]);
        }
    }

    @Test
    void preparedToBePlannedWithItsValuesItIsNeverCachedOnTheServer() throws SQLException {
        try (Connection c = db.connection()) {
            runBboxPages(c, "with values", Sql::preparePlannedWithValues);
            assertEquals(null, plans(c, "with values"), "no named statement, so no generic plan to fall back on");
        }
    }
}
