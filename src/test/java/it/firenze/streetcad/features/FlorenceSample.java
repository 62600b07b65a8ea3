package it.firenze.streetcad.features;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestPostgis;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The Florence OSM sample (33,089 ways in geodata/) in a real cadastre, once per test JVM: ogr2ogr (gdal-bin)
 * writes it as CSV with WKT, COPY loads it into a scratch table and osm-to-cadastre.sql makes roads, elements
 * and junctions of it. Until the importer is on main, this is how tests get a city-sized network.
 */
public final class FlorenceSample {

    static final Path SHAPEFILE = Path.of("geodata", "florence-osm", "florence_highways.shp");
    private static Database database;

    private FlorenceSample() {
    }

    public static synchronized Database database() {
        if (database == null) {
            Database db = TestPostgis.newCadastre();
            load(db);
            database = db;
        }
        return database;
    }

    static void load(Database db) {
        if (!Files.exists(SHAPEFILE)) throw new IllegalStateException(SHAPEFILE + " is missing");
        try (Connection c = db.connection(); var st = c.createStatement()) {
            st.execute("CREATE TABLE osm_highway (wkt text, name text, highway text, bicycle text, foot text, "
                    + "access text, surface text, oneway text, maxspeed text, tunnel text, bridge text)");
            Process ogr = new ProcessBuilder("ogr2ogr", "-f", "CSV", "/vsistdout/", SHAPEFILE.toString(),
                    "-lco", "GEOMETRY=AS_WKT").redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (InputStream csv = ogr.getInputStream()) {
                c.unwrap(PGConnection.class).getCopyAPI()
                        .copyIn("COPY osm_highway FROM STDIN WITH (FORMAT csv, HEADER true)", csv);
            }
            if (ogr.waitFor() != 0) throw new IllegalStateException("ogr2ogr failed on " + SHAPEFILE);
            try (InputStream sql = FlorenceSample.class.getResourceAsStream("/florence/osm-to-cadastre.sql")) {
                st.execute(new String(sql.readAllBytes(), StandardCharsets.UTF_8));
            }
            st.execute("DROP TABLE osm_highway");
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("loading the Florence sample failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
