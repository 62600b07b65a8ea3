package it.firenze.streetcad.web;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseUnavailableException;

import java.sql.SQLException;
import java.util.Optional;

/** Where the cadastre's current road elements lie, so that the map opens on the city whatever city it is. */
final class CadastreExtent {

    // Transform the storage-CRS box rather than every geometry: one reprojection instead of tens of thousands.
    private static final String SQL = """
            SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
            FROM (SELECT ST_Transform(ST_SetSRID(ST_Extent(geom)::geometry, ?), 4326) AS b
                  FROM live_road_element) AS extent
            WHERE b IS NOT NULL""";

    private final Database database;

    CadastreExtent(Database database) {
        this.database = database;
    }

    /** [minLon, minLat, maxLon, maxLat], or empty when the cadastre has no road elements yet. */
    Optional<double[]> lonLatBounds() {
        try (var c = database.connection(); var st = c.prepareStatement(SQL)) {
            st.setInt(1, database.storageSrid());
            try (var rs = st.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new double[]{rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4)});
            }
        } catch (SQLException e) {
            throw new DatabaseUnavailableException("Reading the cadastre extent failed: " + e.getMessage(), e);
        }
    }
}
