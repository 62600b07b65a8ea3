package it.firenze.streetcad.features;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.cql2.Queryable;
import it.firenze.streetcad.cql2.Sql;
import it.firenze.streetcad.db.Database;

import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * All of OGC API – Features' SQL. PostGIS writes each geometry as GeoJSON in the requested CRS (every transform
 * happens there, with ST_Transform); the properties come back as plain columns and {@link FeatureWriter} puts
 * the feature together. Building the properties with json_build_object in SQL cost the database more than
 * finding the rows (860 against 1,420 pages/s on Florence, BENCHMARKS.md), and the database is what a 2-core
 * machine runs out of first.
 */
public final class FeatureStore {

    private final Database database;

    public FeatureStore(Database database) {
        this.database = database;
    }

    public int storageSrid() {
        return database.storageSrid();
    }

    /**
     * One page: its features as a JSON array in UTF-8, ready to go out as they are (a page is written once, straight
     * into bytes, rather than feature by feature into strings joined later); {@code more} says a next page exists.
     */
    public record Page(byte[] features, int numberReturned, boolean more, Long numberMatched,
                       Long numberMatchedEstimate) {
    }

    public Page items(ItemQuery q) throws SQLException {
        // Without datetime or as-of, the items are the live ones; datetime selects by valid time among every
        // record; as-of reads what the cadastre recorded then, live then unless datetime says otherwise.
        Rows rows = q.asOf() != null ? Rows.asOf(q.asOf()) : q.hasDatetime() ? Rows.RECORDED : Rows.LIVE;
        Sql where = where(q);
        FeatureWriter writer = new FeatureWriter(q.type(), q.properties());
        Sql select = new Sql().append("SELECT ").append(columns(writer, q.crs()))
                .append(" FROM ").append(q.type().from()).append(where).append(" ORDER BY ");
        for (ItemQuery.SortKey k : q.sortby()) {
            select.append(q.type().property(k.property()).orElseThrow().sql())
                    .append(k.descending() ? " DESC NULLS LAST, " : " ASC NULLS LAST, ");
        }
        select.append(q.type().idSql()).append(" LIMIT ").bind(q.limit() + 1).append(" OFFSET ").bind(q.offset());
        Sql count = new Sql().append(q.exactCount() ? "SELECT count(*) FROM " : "EXPLAIN (FORMAT JSON) SELECT 1 FROM ")
                .append(q.type().from()).append(where);
        // Both statements go in one round trip (pgjdbc pipelines a multi-statement prepared statement): under
        // load every extra wait for the database is another trip through a busy run queue.
        Sql both = rows.resolve(new Sql().append(select).append("; ").append(count));
        try (Connection c = database.connection(); var st = both.preparePlannedWithValues(c)) {
            st.execute();
            ByteArrayOutputStream features = new ByteArrayOutputStream(64 * 1024);
            int returned = 0;
            boolean more = false;
            try (var rs = st.getResultSet(); FeatureWriter.Array array = writer.array(features)) {
                while (rs.next()) {
                    if (returned == q.limit()) {
                        more = true;
                        break;
                    }
                    array.add(rs);
                    returned++;
                }
            }
            st.getMoreResults();
            try (var rs = st.getResultSet()) {
                rs.next();
                if (q.exactCount()) return new Page(features.toByteArray(), returned, more, rs.getLong(1), null);
                JsonNode plan = Json.mapper().readTree(rs.getString(1)).path(0).path("Plan");
                long estimate = Math.max(plan.path("Plan Rows").asLong(), q.offset() + returned);
                return new Page(features.toByteArray(), returned, more, null, estimate);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SQLException("unreadable query plan", e);
            }
        }
    }

    /**
     * One feature by id, whatever its validity (a retired or planned row is still the cadastre's record of it), or
     * its version recorded at {@code asOf} when given.
     */
    public Optional<String> item(FeatureType type, long id, Crs crs, OffsetDateTime asOf) throws SQLException {
        FeatureWriter writer = new FeatureWriter(type, null);
        Sql sql = (asOf == null ? Rows.RECORDED : Rows.asOf(asOf)).resolve(new Sql().append("SELECT ")
                .append(columns(writer, crs)).append(" FROM ").append(type.from())
                .append(" WHERE ").append(type.idSql()).append(" = ").bind(id));
        try (Connection c = database.connection(); var st = sql.prepare(c); var rs = st.executeQuery()) {
            return rs.next() ? Optional.of(writer.feature(rs)) : Optional.empty();
        }
    }

    /** The spatial extent in CRS84 and the first validity instant of every record, for a collection's description. */
    public record Extent(double[] bbox, String firstValidFrom) {
    }

    public Extent extent(FeatureType type) throws SQLException {
        // Reprojecting each geometry (not the storage-CRS box) keeps the extent tight: UTM's grid is rotated.
        String sql = Rows.RECORDED.resolve("SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b), t FROM (SELECT "
                + "ST_Extent(ST_Transform(" + type.geometrySql() + ", 4326)) AS b, to_json(min("
                + type.validFromSql() + "))#>>'{}' AS t FROM " + type.from() + ") s");
        try (Connection c = database.connection(); var st = c.prepareStatement(sql); var rs = st.executeQuery()) {
            rs.next();
            double[] bbox = rs.getObject(1) == null ? null
                    : new double[]{rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4)};
            return new Extent(bbox, rs.getString(5));
        }
    }

    public boolean hasRows(FeatureType type) throws SQLException {
        try (Connection c = database.connection();
             var st = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM " + Rows.RECORDED.resolve(type.from()) + ")");
             var rs = st.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private Sql where(ItemQuery q) {
        FeatureType t = q.type();
        List<Sql> conditions = new ArrayList<>();
        if (q.bbox() != null) {
            double[] b = q.bbox();
            Sql envelope = new Sql().append("ST_MakeEnvelope(").bind(b[0]).append(", ").bind(b[1]).append(", ")
                    .bind(b[2]).append(", ").bind(b[3]).append(", " + q.bboxCrs().srid() + ")");
            if (q.bboxCrs().srid() != storageSrid()) {
                envelope = new Sql().append("ST_Transform(").append(envelope).append(", " + storageSrid() + ")");
            }
            conditions.add(new Sql().append("ST_Intersects(" + t.geometrySql() + ", ").append(envelope).append(")"));
        }
        if (q.asOf() != null && !q.hasDatetime()) {
            conditions.add(new Sql().append("live_at(" + t.validFromSql() + ", " + t.validToSql() + ", ")
                    .bind(q.asOf()).append(")"));
        }
        if (q.hasDatetime()) {
            if (q.to() != null) conditions.add(new Sql().append(t.validFromSql() + " <= ").bind(q.to()));
            if (q.from() != null) {
                conditions.add(new Sql().append("(" + t.validToSql() + " IS NULL OR " + t.validToSql() + " > ")
                        .bind(q.from()).append(")"));
            }
        }
        if (!q.filter().isEmpty()) conditions.add(new Sql().append("(").append(q.filter()).append(")"));
        Sql where = new Sql();
        for (int i = 0; i < conditions.size(); i++) where.append(i == 0 ? " WHERE " : " AND ").append(conditions.get(i));
        return where;
    }

    /** The id, the geometry as GeoJSON in the requested CRS and axis order, then the properties: what {@link FeatureWriter} reads. */
    private String columns(FeatureWriter writer, Crs crs) {
        FeatureType type = writer.type();
        String geometry = type.geometrySql();
        if (crs.srid() != storageSrid()) geometry = "ST_Transform(" + geometry + ", " + crs.srid() + ")";
        if (crs.northFirst()) geometry = "ST_FlipCoordinates(" + geometry + ")";
        StringBuilder columns = new StringBuilder(type.idSql()).append(", ST_AsGeoJSON(").append(geometry)
                .append(", ").append(crs.decimals()).append(", 0)");
        for (Queryable p : writer.properties()) columns.append(", ").append(p.sql());
        return columns.toString();
    }
}
