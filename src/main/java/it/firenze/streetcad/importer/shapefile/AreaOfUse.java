package it.firenze.streetcad.importer.shapefile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Where an EPSG CRS is meant to be used, in degrees of longitude and latitude, from PROJ's database (the table
 * {@code epsg-areas.tsv}, written by scripts/proj-tables.py): read from a file of the jar, so that a plausibility
 * check does not open Apache SIS's EPSG database, which costs seconds.
 */
public record AreaOfUse(String name, double west, double south, double east, double north) {

    public static Optional<AreaOfUse> of(int epsg) {
        String prefix = epsg + "\t";
        try (InputStream in = AreaOfUse.class.getResourceAsStream("epsg-areas.tsv");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.startsWith(prefix)) continue;
                String[] f = line.split("\t");
                return Optional.of(new AreaOfUse(f[5], Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]), Double.parseDouble(f[4])));
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a lon/lat box lies inside this area (an area crossing the antimeridian has west > east). */
    public boolean contains(double minLon, double minLat, double maxLon, double maxLat) {
        boolean lat = minLat >= south && maxLat <= north;
        boolean lon = west <= east ? minLon >= west && maxLon <= east : minLon >= west || maxLon <= east;
        return lat && lon;
    }
}
