package it.firenze.streetcad.web;

import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.importer.ImportSettings;
import it.firenze.streetcad.server.ServerSettings;
import it.firenze.streetcad.server.StreetCadServer;
import it.firenze.streetcad.testing.TestPostgis;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * StreetCad as a person starts it ({@code serve --load-sample geodata/florence-osm}): a fresh database in the
 * test PostGIS, the Florence OSM sample (33,089 lines) imported by the real importer with the osm mapping, on a
 * free loopback port.
 */
public final class FlorenceStreetCad {

    static final Path SAMPLE = Path.of("geodata", "florence-osm");

    private FlorenceStreetCad() {
    }

    public static StreetCadServer start() {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        String dbUrl = url.jdbcUrl() + "?user=" + encode(url.user()) + "&password=" + encode(url.password());
        return StreetCadServer.start(new ServerSettings(
                new DatabaseSettings(dbUrl, Path.of("target"), DatabaseSettings.DEFAULT_STORAGE_SRID, 8),
                "127.0.0.1", 0, 5_000, new ImportSettings(ImportSettings.DEFAULT_MAX_UPLOAD_BYTES, SAMPLE)));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
