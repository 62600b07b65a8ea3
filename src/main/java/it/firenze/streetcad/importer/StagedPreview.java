package it.firenze.streetcad.importer;

import it.firenze.streetcad.db.Database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What a checked import would bring, before its commit: its staged features and its check's findings as GeoJSON
 * (CRS84), read from the job's staging tables, so that a technician sees them over the cadastre on the map. The
 * tables exist only while the job waits for its commit or discard ({@code validated}); both end them.
 */
final class StagedPreview {

    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 10_000;

    /** The staged features in the box, in feature order: the mapped name and classes, and whether errors keep it out. */
    private static final String FEATURES = """
            SELECT feature_number, json_build_object('feature_number', feature_number, 'road_name', road_name,
                     'functional_class', functional_class, 'element_type', element_type, 'rejected', rejected)::text,
                   ST_AsGeoJSON(ST_Transform(geom, 4326), 7)
            FROM {table}
            WHERE ST_Transform(geom, 4326) && ST_MakeEnvelope(?, ?, ?, ?, 4326)
            ORDER BY feature_number LIMIT ?""";

    /** The check's findings located in the box, the most severe first. */
    private static final String FINDINGS = """
            SELECT row_number() OVER (), json_build_object('rule', rule, 'severity', severity, 'explanation', explanation,
                     'feature_numbers', feature_numbers)::text,
                   ST_AsGeoJSON(ST_Transform(location, 4326), 7)
            FROM (SELECT * FROM {table}
                  WHERE location IS NOT NULL AND ST_Transform(location, 4326) && ST_MakeEnvelope(?, ?, ?, ?, 4326)
                  ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END LIMIT ?) f""";

    private final Database database;

    StagedPreview(Database database) {
        this.database = database;
    }

    /** The staged features of import {@code jobId} in {@code bbox} (CRS84), at most {@code limit}. */
    String features(long jobId, double[] bbox, int limit) throws SQLException, NotStagedException {
        return collection(FEATURES, new StagingTable(jobId).name(), jobId, bbox, limit);
    }

    /** The findings of import {@code jobId}'s check located in {@code bbox} (CRS84), at most {@code limit}. */
    String findings(long jobId, double[] bbox, int limit) throws SQLException, NotStagedException {
        return collection(FINDINGS, new StagingTable(jobId).findings().findings(), jobId, bbox, limit);
    }

    /**
     * A FeatureCollection of the rows {@code sql} picks (id, properties as JSON, geometry as GeoJSON), with
     * {@code numberReturned} and {@code limited} when more were there than {@code limit}.
     */
    private String collection(String sql, String table, long jobId, double[] bbox, int limit)
            throws SQLException, NotStagedException {
        StringBuilder out = new StringBuilder("{\"type\":\"FeatureCollection\",\"features\":[");
        int returned = 0;
        boolean limited;
        try (Connection c = database.readConnection();
             PreparedStatement st = c.prepareStatement(sql.replace("{table}", table))) {
            for (int i = 0; i < 4; i++) st.setDouble(i + 1, bbox[i]);
            // One row more than the limit says whether the box held more.
            st.setInt(5, limit + 1);
            try (ResultSet rs = st.executeQuery()) {
                while ((limited = rs.next()) && returned < limit) {
                    if (returned++ > 0) out.append(',');
                    out.append("{\"type\":\"Feature\",\"id\":").append(rs.getLong(1)).append(",\"properties\":")
                            .append(rs.getString(2)).append(",\"geometry\":").append(rs.getString(3)).append('}');
                }
            }
        } catch (SQLException e) {
            // The job was committed or discarded, by this instance or another, and its tables went with it.
            if ("42P01".equals(e.getSQLState())) throw new NotStagedException(jobId);
            throw e;
        }
        return out.append("],\"numberReturned\":").append(returned).append(",\"limited\":").append(limited)
                .append('}').toString();
    }

    /** The import has no staged rows (any more): it is not waiting for its commit. */
    static final class NotStagedException extends Exception {
        NotStagedException(long jobId) {
            super("Import " + jobId + " has no staged features to show: only a checked import waiting for its commit "
                    + "or discard has them.");
        }
    }
}
