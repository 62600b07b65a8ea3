package it.firenze.streetcad.tiles;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The Florence OSM sample in a test cadastre: ogr2ogr (gdal-bin) copies the shapefile into a scratch table and
 * {@code tiles/florence.sql} maps it onto road elements and junctions (until the importer's mapping is on main).
 */
final class Florence {

    /** The Duomo, in the historic centre. */
    static final double DUOMO_LON = 11.2560;
    static final double DUOMO_LAT = 43.7731;

    private static Database shared;

    private Florence() {
    }

    /** One cadastre holding Florence for every test class of the JVM: loading it takes seconds. */
    static synchronized Database cadastre() throws IOException, InterruptedException, SQLException {
        if (shared == null) {
            DatabaseUrl url = TestPostgis.newDatabaseUrl();
            Database db = Database.connect(url, DatabaseSettings.DEFAULT_STORAGE_SRID, 8);
            db.migrate();
            load(url, db);
            shared = db;
        }
        return shared;
    }

    static void load(DatabaseUrl url, Database db) throws IOException, InterruptedException, SQLException {
        URI uri = URI.create(url.jdbcUrl().substring("jdbc:".length()));
        ProcessBuilder ogr2ogr = new ProcessBuilder("ogr2ogr", "-f", "PostgreSQL",
                "PG:host=" + uri.getHost() + " port=" + uri.getPort() + " dbname=" + uri.getPath().substring(1)
                        + " user=" + url.user() + " password=" + url.password(),
                Path.of("geodata/florence-osm/florence_highways.shp").toAbsolutePath().toString(),
                "-nln", "osm_highway", "-lco", "GEOMETRY_NAME=geom", "-lco", "SPATIAL_INDEX=NONE", "-nlt", "LINESTRING")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        // COPY instead of one INSERT per line: about 1 s instead of 15.
        ogr2ogr.environment().put("PG_USE_COPY", "YES");
        Process ogr = ogr2ogr.start();
        ogr.getOutputStream().close();
        if (ogr.waitFor() != 0) throw new IllegalStateException("ogr2ogr failed to load the Florence sample");
        String sql = Files.readString(Path.of("src/test/resources/tiles/florence.sql"), StandardCharsets.UTF_8)
                .replace(":srid", Integer.toString(db.storageSrid()));
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** Florence's tiles on a real HTTP port, made with the given settings. */
    record Served(Database db, TileService tiles, TestHttp http) implements AutoCloseable {
        @Override
        public void close() {
            http.close();
            tiles.close();
        }
    }

    static Served serve(TileSettings settings) throws IOException, InterruptedException, SQLException {
        Database db = cadastre();
        TileService tiles = TileService.start(db, settings);
        return new Served(db, tiles, new TestHttp(new TilesModule(tiles)));
    }

    /** The XYZ tile holding a point (lon/lat) at a zoom. */
    static TileAddress tileAt(int z, double lon, double lat) {
        int n = 1 << z;
        int x = (int) Math.floor((lon + 180) / 360 * n);
        double r = Math.toRadians(lat);
        int y = (int) Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n);
        return new TileAddress(z, x, y);
    }

    static double lon(double mercatorX) {
        return Math.toDegrees(mercatorX / 6378137.0);
    }

    static double lat(double mercatorY) {
        return Math.toDegrees(Math.atan(Math.sinh(mercatorY / 6378137.0)));
    }
}
