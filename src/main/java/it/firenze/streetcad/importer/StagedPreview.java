package it.firenze.streetcad.importer;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.importer.shapefile.AreaOfUse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
            WHERE {inBox}
            ORDER BY feature_number LIMIT ?""";

    /** The check's findings located in the box, the most severe first. */
    private static final String FINDINGS = """
            SELECT row_number() OVER (), json_build_object('rule', rule, 'severity', severity, 'explanation', explanation,
                     'feature_numbers', feature_numbers)::text,
                   ST_AsGeoJSON(ST_Transform(location, 4326), 7)
            FROM (SELECT * FROM {table}
                  WHERE location IS NOT NULL AND {inBox}
                  ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END LIMIT ?) f""";

    /**
     * What "in the box" means, the preview's one rule: the geometry's extent in lon/lat meets the box (parameters 1-4).
     * Said so, every row is reprojected; {@link #PREFILTER} keeps that to the rows that can meet it.
     */
    private static final String IN_BOX = "ST_Transform({column}, 4326) && ST_MakeEnvelope(?, ?, ?, ?, 4326)";

    /**
     * The rows whose stored geometry's box meets the lon/lat box reprojected once into the storage CRS (parameters:
     * the lon/lat box, 1-4), without reprojecting any row, ahead of {@link #IN_BOX}, which then looks at those alone.
     * The axes turn between lon/lat and a projected storage CRS (grid convergence: 2° in Florence for UTM 32N, 3° at
     * most in a zone's area of use), so a line's extent in lon/lat reaches past its stored extent by up to sin 3° of its
     * size: the box is widened by {@code {margin}}, a tenth of the longest row's extent (sin 5.7°) and a metre for the
     * reprojected box's edges (cut in 128 pieces), so that no row {@link #IN_BOX} keeps is left out before it.
     */
    private static final String PREFILTER = """
            {column} && (SELECT ST_Expand(box2d(ST_Transform(ST_Segmentize(b, greatest(ST_XMax(b) - ST_XMin(b),
                                                                                     ST_YMax(b) - ST_YMin(b)) / 128), {srid})),
                                          {margin})
                         FROM ST_MakeEnvelope(?, ?, ?, ?, 4326) b)""";

    /** The longest side of a row's box in a staging table (storage CRS units), for {@link #PREFILTER}'s margin. */
    private static final String LONGEST_SIDE = """
            SELECT coalesce(max(greatest(ST_XMax(b) - ST_XMin(b), ST_YMax(b) - ST_YMin(b))), 0)
            FROM (SELECT box2d({column}) AS b FROM {table}) t""";

    private final Database database;
    /** Where the storage CRS is meant to be used, in lon/lat; a box reaching past it is not reprojected (see {@link #where}). */
    private final AreaOfUse storageArea;
    /**
     * {@link #LONGEST_SIDE} by table, once: a scan of half the preview's own cost (BENCHMARKS.md, "The import preview's
     * box"), and the tables are read only while their import is checked, when nothing writes them any more. An entry
     * per import previewed, while the process runs.
     */
    private final Map<String, Double> longestSides = new ConcurrentHashMap<>();

    StagedPreview(Database database) {
        this.database = database;
        this.storageArea = AreaOfUse.of(database.storageSrid()).orElse(null);
    }

    /** The staged features of import {@code jobId} in {@code bbox} (CRS84), at most {@code limit}. */
    String features(long jobId, double[] bbox, int limit) throws SQLException, NotStagedException {
        return collection(FEATURES, new StagingTable(jobId).name(), "geom", jobId, bbox, limit);
    }

    /** The findings of import {@code jobId}'s check located in {@code bbox} (CRS84), at most {@code limit}. */
    String findings(long jobId, double[] bbox, int limit) throws SQLException, NotStagedException {
        return collection(FINDINGS, new StagingTable(jobId).findings().findings(), "location", jobId, bbox, limit);
    }

    /**
     * The condition that {@code column} is in {@code bbox}, whose four figures it takes once or twice. A box inside
     * the storage CRS's area of use is reprojected into it, once; one reaching past it (the whole world, when no box is
     * given; the data a wrong source CRS put far away) is not, since a projection can fold or fail out there
     * (a transverse Mercator at 90° from its meridian): every row is reprojected to lon/lat instead, as it stands.
     */
    private String where(Connection c, String table, String column, double[] bbox) throws SQLException {
        if (storageArea == null || !storageArea.contains(bbox[0], bbox[1], bbox[2], bbox[3])) return IN_BOX;
        double margin = 1 + 0.1 * longestSide(c, table, column);
        return PREFILTER.replace("{margin}", Double.toString(margin)) + " AND " + IN_BOX;
    }

    private double longestSide(Connection c, String table, String column) throws SQLException {
        Double known = longestSides.get(table);
        if (known != null) return known;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(LONGEST_SIDE.replace("{column}", column).replace("{table}", table))) {
            rs.next();
            longestSides.put(table, rs.getDouble(1));
            return rs.getDouble(1);
        }
    }

    /**
     * A FeatureCollection of the rows {@code sql} picks from {@code table} with their {@code column} in the box (id,
     * properties as JSON, geometry as GeoJSON), with {@code numberReturned} and {@code limited} when more were there
     * than {@code limit}.
     */
    private String collection(String sql, String table, String column, long jobId, double[] bbox, int limit)
            throws SQLException, NotStagedException {
        StringBuilder out = new StringBuilder("{\"type\":\"FeatureCollection\",\"features\":[");
        int returned = 0;
        boolean limited;
        try (Connection c = database.readConnection()) {
            String condition = where(c, table, column, bbox);
            try (PreparedStatement st = c.prepareStatement(sql.replace("{inBox}", condition).replace("{column}", column)
                    .replace("{table}", table).replace("{srid}", Integer.toString(database.storageSrid())))) {
                // The condition takes the box's four figures once or twice, then the limit.
                int figures = condition.length() - condition.replace("?", "").length();
                for (int i = 0; i < figures; i++) st.setDouble(i + 1, bbox[i % 4]);
                // One row more than the limit says whether the box held more.
                st.setInt(figures + 1, limit + 1);
                try (ResultSet rs = st.executeQuery()) {
                    while ((limited = rs.next()) && returned < limit) {
                        if (returned++ > 0) out.append(',');
                        out.append("{\"type\":\"Feature\",\"id\":").append(rs.getLong(1)).append(",\"properties\":")
                                .append(rs.getString(2)).append(",\"geometry\":").append(rs.getString(3)).append('}');
                    }
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
