package it.firenze.streetcad.db;

import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given a cadastre with a few thousand elements, a bbox statement that the server runs again and again (pgjdbc
 * prepares it on the server from its fifth run) keeps being planned with its values: a generic plan would
 * reproject the box for every candidate row.
 */
class SpatialPlansTest {

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

    @Test
    void aRepeatedBboxQueryIsPlannedWithItsBoxEveryTime() throws SQLException {
        String bbox = "SELECT e.id FROM road_element e WHERE ST_Intersects(e.geom, ST_Transform("
                + "ST_MakeEnvelope(?, ?, ?, ?, 4326), " + db.storageSrid() + ")) ORDER BY e.id LIMIT 101";
        try (Connection c = db.connection()) {
            for (int run = 0; run < 20; run++) {
                try (var st = c.prepareStatement(bbox)) {
                    st.setDouble(1, 11.201 + run * 0.0001);
                    st.setDouble(2, 43.751);
                    st.setDouble(3, 11.203);
                    st.setDouble(4, 43.753);
                    try (var rs = st.executeQuery()) {
                        while (rs.next()) rs.getLong(1);
                    }
                }
            }
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT generic_plans, custom_plans "
                    + "FROM pg_prepared_statements WHERE statement LIKE '%ST_MakeEnvelope%'")) {
                assertTrue(rs.next(), "pgjdbc prepared the statement on the server");
                assertEquals(0, rs.getLong(1), "generic plans");
                assertTrue(rs.getLong(2) > 10, "custom plans: " + rs.getLong(2));
            }
        }
    }
}
