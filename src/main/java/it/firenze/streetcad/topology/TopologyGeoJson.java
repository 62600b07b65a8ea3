package it.firenze.streetcad.topology;

import it.firenze.streetcad.db.Database;
import org.locationtech.jts.geom.Geometry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * CRS84 GeoJSON of geometries in the storage CRS, transformed by PostGIS: findings' locations, builds' and fixes'
 * changes.
 */
final class TopologyGeoJson {

    private final Database database;

    TopologyGeoJson(Database database) {
        this.database = database;
    }

    /** Element changes as a GeoJSON FeatureCollection in CRS84, with the given foreign members (JSON text). */
    String changesGeoJson(String members, List<TopologyFixes.Change> changes) throws SQLException {
        List<String> geometries = toGeoJson(changes.stream().map(TopologyFixes.Change::geometry).toList());
        StringBuilder b = new StringBuilder("{\"type\":\"FeatureCollection\",").append(members)
                .append(",\"features\":[");
        for (int i = 0; i < changes.size(); i++) {
            TopologyFixes.Change c = changes.get(i);
            if (i > 0) b.append(',');
            b.append("{\"type\":\"Feature\",\"geometry\":").append(geometries.get(i))
                    .append(",\"properties\":{\"action\":\"").append(c.action()).append("\",\"element_id\":")
                    .append(c.elementId()).append("}}");
        }
        return b.append("]}").toString();
    }

    /** CRS84 GeoJSON geometries of locations in the storage CRS, in order, transformed by PostGIS in one query. */
    List<String> toGeoJson(List<Geometry> locations) throws SQLException {
        List<String> out = new ArrayList<>(locations.size());
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(
                "SELECT ST_AsGeoJSON(ST_Transform(ST_GeomFromEWKB(g), 4326), 7) FROM unnest(?::bytea[]) "
                        + "WITH ORDINALITY AS t (g, n) ORDER BY n")) {
            byte[][] wkbs = new byte[locations.size()][];
            int srid = database.storageSrid();
            for (int i = 0; i < wkbs.length; i++) wkbs[i] = TopologySql.ewkb(locations.get(i), srid);
            st.setObject(1, wkbs);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }
}
