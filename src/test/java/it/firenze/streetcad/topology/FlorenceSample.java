package it.firenze.streetcad.topology;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.testing.TestPostgis;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Loads the Florence OSM sample (33,089 ways, not split at junctions, bridges and tunnels tagged) into a test
 * cadastre as raw road elements: ogr2ogr into a scratch table, then the OSM mapping in SQL.
 */
final class FlorenceSample {
    static final Path SHAPEFILE = Path.of("geodata", "florence-osm", "florence_highways.shp");

    private FlorenceSample() {
    }

    /** A new test cadastre holding the sample as raw road elements. */
    static Database newCadastre() throws IOException, InterruptedException, SQLException {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        Database db = Database.connect(url, 6707, 4);
        db.migrate();
        load(db, url);
        return db;
    }

    static void load(Database db, DatabaseUrl url) throws IOException, InterruptedException, SQLException {
        URI uri = URI.create(url.jdbcUrl().substring("jdbc:".length()));
        String pg = "PG:host=" + uri.getHost() + " port=" + uri.getPort() + " dbname=" + uri.getPath().substring(1)
                + " user=" + url.user();
        ProcessBuilder ogr = new ProcessBuilder("ogr2ogr", "-f", "PostgreSQL", pg, SHAPEFILE.toString(),
                "-nln", "florence_raw", "-nlt", "MULTILINESTRING", "-lco", "SPATIAL_INDEX=NONE", "-overwrite")
                .redirectErrorStream(true);
        ogr.environment().put("PGPASSWORD", url.password() == null ? "" : url.password());
        ogr.environment().put("PG_USE_COPY", "YES");
        Process p = ogr.start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("ogr2ogr failed: " + output);
        String sql = Files.readString(Path.of("src", "test", "resources", "topology", "osm-lines-to-road-elements.sql"));
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute(sql);
            st.execute("DROP TABLE florence_raw");
            st.execute("ANALYZE road_element");
        }
    }
}
