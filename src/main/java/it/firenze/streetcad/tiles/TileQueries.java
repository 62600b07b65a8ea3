package it.firenze.streetcad.tiles;

import it.firenze.streetcad.db.AreaOfUse;
import it.firenze.streetcad.db.Database;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every SQL statement of the tiles: PostGIS clips, simplifies and snaps features to the tile grid
 * ({@code ST_AsMVTGeom}) once for both encodings, then encodes MVT ({@code ST_AsMVT}) or GeoJSON. The area's data
 * version is read in the same statement, hence from the same snapshot as the features.
 */
final class TileQueries {

    /** The data version of a tile's area: how many logged changes touch it, and the newest of them. */
    record AreaVersion(long changes, long last) {
    }

    record Encoded(AreaVersion version, int features, byte[] body) {
    }

    /** A changed geometry (or box) read from the change log, in EPSG:3857. */
    record Change(long id, long xid, Geometry extent) {
    }

    record ChangeBatch(long horizon, List<Change> changes) {
    }

    private static final String VERSION_SQL =
            """
            SELECT count(*), coalesce(max(id), 0) FROM tile_change, ST_TileEnvelope(?, ?, ?, margin => ?) AS area
            WHERE extent && area AND ST_Intersects(extent, area)""";

    /**
     * Lines are simplified to 1/2048 of the tile's side: a quarter of a pixel on the 512 px tiles WebGL maps
     * draw, so the shape on screen does not change while overview tiles lose most of their vertices.
     */
    private static final double SIMPLIFY_CELLS = 2048;

    private final Database database;
    private final TileSettings settings;

    TileQueries(Database database, TileSettings settings) {
        this.database = database;
        this.settings = settings;
    }

    private String tileSql(TileLayer layer, TileFormat format, boolean detail, int extent) {
        // The properties are a lateral row of their own, so that GeoJSON gets them as compact JSON
        // (row_to_json writes no blanks) and MVT as columns.
        String features = """
                WITH env AS (SELECT tile, area%s
                             FROM (SELECT ST_TileEnvelope(?, ?, ?) AS tile, ST_TileEnvelope(?, ?, ?, margin => ?) AS area) a),
                version AS (SELECT count(*) AS changes, coalesce(max(c.id), 0) AS last
                            FROM tile_change c, env WHERE c.extent && env.area AND ST_Intersects(c.extent, env.area)),
                features AS (
                    SELECT p, g.geom
                    FROM env CROSS JOIN %s
                    CROSS JOIN LATERAL (SELECT %s) AS p
                    CROSS JOIN LATERAL (SELECT ST_AsMVTGeom(ST_Simplify(%s, ?, true), env.tile, %d, ?, true) AS geom) g
                    WHERE %s AND g.geom IS NOT NULL AND %s
                    ORDER BY %s
                    LIMIT ?)
                SELECT v.changes, v.last, (SELECT count(*) FROM features), (SELECT %s)
                FROM version v
                """;
        String encode = switch (format) {
            // The MVT feature id comes from its own column so that {@code id} stays among the properties too.
            case MVT -> "ST_AsMVT(m, '" + layer.id() + "', " + extent + ", 'geom', 'feature_id') "
                    + "FROM (SELECT (f.p).*, f.geom, (f.p).id AS feature_id FROM features f) m";
            // Tile grid → EPSG:3857 (y grows downwards in the grid) → CRS84, rounded to what the zoom shows.
            case GEOJSON -> """
                    '{"type":"FeatureCollection","features":[' || coalesce(string_agg('{"type":"Feature","id":' || (f.p).id
                        || ',"geometry":' || ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_Affine(f.geom, ?, 0, 0, ?, ?, ?), 3857), 4326), ?, 0)
                        || ',"properties":' || row_to_json(f.p) || '}', ','), '') || ']}' FROM features f""";
        };
        // An overview tile reaches far beyond the storage CRS's zone: it is cut to the zone's area before it is
        // transformed into the storage CRS (AreaOfUse); layers locate their rows with env.storage_area, or with
        // env.area when they keep their geometry in EPSG:3857 too, and then the tile does not pay for that
        // transformation (PROJ's set-up for each statement: 0.15 of a z17 tile's 0.9 ms of CPU).
        boolean kept = layer.projected != null;
        String projected = kept ? layer.projected : "ST_Transform(" + layer.geometry + ", 3857)";
        String locate = kept ? layer.projected + " && env.area" : layer.geometry + " && env.storage_area";
        String storageArea = kept ? "" : ", " + AreaOfUse.toStorage("area", 3857, database.storageSrid()) + " AS storage_area";
        return features.formatted(storageArea, layer.from,
                detail ? layer.detailColumns : layer.overviewColumns, projected, extent, locate,
                detail ? "true" : layer.overviewFilter,
                layer.importance, encode);
    }

    /** The tile's features, at most {@code limit}; {@code ids} are the rows of a timed layer that hold at its instant. */
    Encoded tile(TileLayer layer, TileFormat format, TileAddress t, int limit, long[] ids) throws SQLException {
        boolean detail = t.z() >= settings.detailZoom();
        try (Connection c = database.readConnection(); PreparedStatement st = c.prepareStatement(tileSql(layer, format, detail, TileSettings.extent(t.z())))) {
            int i = 1;
            st.setInt(i++, t.z());
            st.setInt(i++, t.x());
            st.setInt(i++, t.y());
            st.setInt(i++, t.z());
            st.setInt(i++, t.x());
            st.setInt(i++, t.y());
            st.setDouble(i++, settings.bufferRatio());
            if (layer.timed()) st.setArray(i++, c.createArrayOf("bigint", Arrays.stream(ids).boxed().toArray()));
            st.setDouble(i++, t.size() / SIMPLIFY_CELLS);
            // The buffer is in the grid's cells: as many as the usual grid's, scaled to a finer one.
            st.setInt(i++, settings.bufferPixels() * TileSettings.extent(t.z()) / TileSettings.EXTENT);
            st.setInt(i++, limit);
            if (format == TileFormat.GEOJSON) {
                double cell = t.size() / TileSettings.extent(t.z());
                st.setDouble(i++, cell);
                st.setDouble(i++, -cell);
                st.setDouble(i++, t.minX());
                st.setDouble(i++, t.maxY());
                st.setInt(i, decimals(t.z()));
            }
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                AreaVersion version = new AreaVersion(rs.getLong(1), rs.getLong(2));
                int count = rs.getInt(3);
                // The driver hands a text column's bytes as the server sent them, UTF-8 (the connection's
                // encoding): a GeoJSON tile of half a megabyte is not decoded into a String and encoded back.
                byte[] body = rs.getBytes(4);
                return new Encoded(version, count, body == null ? new byte[0] : body);
            }
        }
    }

    /** Decimal places of a degree that still tell apart two cells of the tile grid at zoom z. */
    static int decimals(int z) {
        double degreesPerCell = 360.0 / ((double) TileSettings.extent(z) * (1L << z));
        return (int) Math.ceil(-Math.log10(degreesPerCell));
    }

    AreaVersion version(TileAddress t) throws SQLException {
        try (Connection c = database.readConnection(); PreparedStatement st = c.prepareStatement(VERSION_SQL)) {
            st.setInt(1, t.z());
            st.setInt(2, t.x());
            st.setInt(3, t.y());
            st.setDouble(4, settings.bufferRatio());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new AreaVersion(rs.getLong(1), rs.getLong(2));
            }
        }
    }

    /**
     * Changes written by transactions from {@code horizon} on (those that may have committed since the last read)
     * and the next horizon: the oldest transaction still running now, whose changes are not visible yet.
     */
    ChangeBatch changesSince(long horizon) throws SQLException {
        String sql = """
                WITH s AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon)
                SELECT s.horizon, c.id, c.xid::text::bigint, ST_AsBinary(c.extent)
                FROM s LEFT JOIN tile_change c ON c.xid >= ?::text::xid8
                """;
        try (Connection c = database.readConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, Long.toString(horizon));
            List<Change> changes = new ArrayList<>();
            long next = horizon;
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    next = rs.getLong(1);
                    if (rs.getObject(2) != null) {
                        changes.add(new Change(rs.getLong(2), rs.getLong(3), wkb(rs.getBytes(4))));
                    }
                }
            }
            return new ChangeBatch(next, changes);
        }
    }

    /**
     * Compacts the change log's rows older than the retention into grid cells (V16); how many rows were compacted.
     * A write, so on the primary even when reads go to a replica.
     */
    int compact(java.time.Duration retention) throws SQLException {
        try (Connection c = database.connection(); PreparedStatement st = c.prepareStatement(
                "SELECT compact_tile_changes(make_interval(secs => ?))")) {
            st.setLong(1, retention.toSeconds());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static Geometry wkb(byte[] bytes) throws SQLException {
        try {
            return new WKBReader().read(bytes);
        } catch (ParseException e) {
            throw new SQLException("unreadable geometry in tile_change: " + e.getMessage(), e);
        }
    }

    /** Whether the layer's table exists: a layer whose migration has not run yet is not served. */
    boolean present(TileLayer layer) throws SQLException {
        if (layer.optionalTable == null) return true;
        try (Connection c = database.readConnection(); PreparedStatement st = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            st.setString(1, layer.optionalTable);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The extent of a layer's data in CRS84 (minLon, minLat, maxLon, maxLat), if it has any. */
    Optional<double[]> bounds(TileLayer layer) throws SQLException {
        String sql = "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (SELECT ST_Transform(ST_SetSRID("
                + "ST_Extent(" + layer.extentGeometry() + ")::geometry, " + database.storageSrid() + "), 4326)::box2d AS b FROM "
                + layer.extentFrom() + ") s WHERE b IS NOT NULL";
        try (Connection c = database.readConnection(); PreparedStatement st = c.prepareStatement(sql);
             ResultSet rs = st.executeQuery()) {
            return rs.next() ? Optional.of(new double[]{rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4)})
                    : Optional.empty();
        }
    }
}
