package it.firenze.streetcad.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The database role the server runs as on its embedded cluster: it reads and writes the cadastre's rows and nothing
 * more. It is no superuser, creates no roles, databases or extensions, and owns none of the schema, so it can neither
 * alter nor drop the cadastre's tables; migrations run as the owner before it connects. It may create tables in the
 * schema, because an import stages its features in a scratch table of its own (dropped at commit or discard).
 * For an existing PostGIS the README gives the same grants as SQL.
 */
final class ApplicationRole {

    static final String NAME = "streetcad_app";

    private ApplicationRole() {
    }

    /**
     * Creates the role if needed, sets its password and (again: a migration may have added tables) grants it the
     * rows of every table and sequence. Runs on the owner's connection.
     */
    static void grant(Connection owner, String password) throws SQLException {
        if (!password.matches("[0-9a-f]{32}")) throw new IllegalArgumentException("unexpected password format");
        try (Statement st = owner.createStatement()) {
            st.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + NAME + "') THEN "
                    + "CREATE ROLE " + NAME + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION; END IF; END $$");
            st.execute("ALTER ROLE " + NAME + " PASSWORD '" + password + "'");
            st.execute("DO $$ BEGIN EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO " + NAME + "', current_database()); END $$");
            st.execute("GRANT USAGE, CREATE ON SCHEMA public TO " + NAME);
            st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + NAME);
            st.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + NAME);
            // The schema's history and PostGIS's reference table are read, never written, at run time.
            st.execute("REVOKE INSERT, UPDATE, DELETE ON flyway_schema_history, spatial_ref_sys FROM " + NAME);
        }
    }
}
