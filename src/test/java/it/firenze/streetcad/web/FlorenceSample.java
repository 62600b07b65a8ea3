package it.firenze.streetcad.web;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseUrl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads the Florence OSM sample (geodata/florence-osm, 33,089 lines) into a test cadastre with ogr2ogr and SQL,
 * the way the team agreed to until the importer's {@code --load-sample} is on main. The class mapping is a plain
 * reading of OSM {@code highway} onto the cadastre's functional classes, enough to give the map every class.
 */
final class FlorenceSample {

    static final Path SHAPEFILE = Path.of("geodata", "florence-osm", "florence_highways.shp");

    private static final Pattern JDBC = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/([^?]+).*");

    private static final String TO_CADASTRE = """
            INSERT INTO road (name)
            SELECT DISTINCT btrim(name) FROM florence_osm WHERE btrim(name) <> '';

            INSERT INTO road_element (road_id, geom, functional_class, element_type, level, layer, direction, status,
                                      surface, speed_limit, source_key)
            SELECT r.id, ST_Transform(part.geom, %1$d),
                   (CASE
                        WHEN o.highway IN ('motorway', 'motorway_link') THEN 'A'
                        WHEN o.highway IN ('trunk', 'trunk_link') THEN 'B'
                        WHEN o.highway IN ('primary', 'primary_link') THEN 'D'
                        WHEN o.highway IN ('secondary', 'secondary_link', 'tertiary', 'tertiary_link') THEN 'E'
                        WHEN o.highway = 'cycleway' THEN 'E-bis'
                        WHEN o.highway IN ('footway', 'path', 'pedestrian', 'steps', 'bridleway', 'corridor') THEN 'F-bis'
                        ELSE 'F'
                    END)::functional_class,
                   CASE
                       WHEN o.highway = 'cycleway' THEN 'cycleway'
                       WHEN o.highway IN ('footway', 'path', 'pedestrian', 'steps', 'corridor') THEN 'pedestrian'
                       WHEN o.highway = 'service' THEN 'service'
                       WHEN o.highway = 'track' THEN 'track'
                       WHEN o.highway LIKE '%%\\_link' THEN 'slip_road'
                       ELSE 'carriageway'
                   END,
                   CASE
                       WHEN coalesce(o.bridge, 'no') <> 'no' THEN 'bridge'
                       WHEN coalesce(o.tunnel, 'no') NOT IN ('no', 'building_passage') THEN 'tunnel'
                       ELSE 'at_grade'
                   END,
                   CASE
                       WHEN coalesce(o.bridge, 'no') <> 'no' THEN 1
                       WHEN coalesce(o.tunnel, 'no') NOT IN ('no', 'building_passage') THEN -1
                       ELSE 0
                   END,
                   CASE o.oneway WHEN 'yes' THEN 'forward' WHEN '-1' THEN 'backward' ELSE 'both' END,
                   CASE WHEN o.highway IN ('construction', 'proposed') THEN 'under_construction'
                        WHEN o.highway IN ('abandoned', 'razed') THEN 'disused'
                        ELSE 'in_use' END,
                   o.surface,
                   CASE WHEN o.maxspeed ~ '^[0-9]{1,3}$' AND o.maxspeed::int BETWEEN 5 AND 150
                        THEN o.maxspeed::smallint END,
                   'osm:' || o.ogc_fid || ':' || part.path[1]
            FROM florence_osm o
                 CROSS JOIN LATERAL ST_Dump(o.geom) AS part
                 LEFT JOIN road r ON r.name = btrim(o.name)
            WHERE ST_NPoints(part.geom) >= 2;

            DROP TABLE florence_osm;
            ANALYZE road; ANALYZE road_element;
            """;

    private FlorenceSample() {
    }

    static void load(Database database, DatabaseUrl url) {
        Matcher m = JDBC.matcher(url.jdbcUrl());
        if (!m.matches()) throw new IllegalArgumentException("not a host:port JDBC URL: " + url);
        String target = "PG:host=%s port=%s dbname=%s user=%s".formatted(m.group(1), m.group(2), m.group(3), url.user());
        run(List.of("ogr2ogr", "-f", "PostgreSQL", target, SHAPEFILE.toString(), "-nln", "florence_osm",
                "-lco", "GEOMETRY_NAME=geom", "-nlt", "MULTILINESTRING", "-t_srs", "EPSG:4326", "-overwrite"), url.password());
        try (var c = database.connection(); var st = c.createStatement()) {
            st.execute(TO_CADASTRE.formatted(database.storageSrid()));
        } catch (SQLException e) {
            throw new IllegalStateException("moving the Florence sample into the cadastre failed", e);
        }
    }

    private static void run(List<String> command, String password) {
        try {
            Path log = Files.createTempFile("ogr2ogr", ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("PG_USE_COPY", "YES");
            if (password != null) pb.environment().put("PGPASSWORD", password);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("ogr2ogr failed: " + Files.readString(log));
            }
            Files.delete(log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run ogr2ogr (apt-get install gdal-bin)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
