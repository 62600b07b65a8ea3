package it.firenze.streetcad.features;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.cql2.Queryable;
import it.firenze.streetcad.cql2.Sql;
import it.firenze.streetcad.db.Database;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * All of OGC API – Features' SQL. Features are encoded as GeoJSON by PostGIS itself (the server only joins
 * them), and every CRS transform happens in PostGIS with ST_Transform.
 */
public final class FeatureStore {

    private final Database database;

    public FeatureStore(Database database) {
        this.database = database;
    }

    public int storageSrid() {
        return database.storageSrid();
    }

    /** One page of features as GeoJSON texts; {@code more} says a next page exists. */
    public record Page(List<String> features, boolean more, Long numberMatched, Long numberMatchedEstimate) {
    }

    public Page items(ItemQuery q) throws SQLException {
        Sql where = where(q);
        Sql select = new Sql().append("SELECT ").append(featureJson(q.type(), q.crs(), q.properties()))
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
        Sql both = new Sql().append(select).append("; ").append(count);
        try (Connection c = database.connection(); var st = both.prepare(c)) {
            st.execute();
            List<String> features = new ArrayList<>();
            try (var rs = st.getResultSet()) {
                while (rs.next()) features.add(rs.getString(1));
            }
            boolean more = features.size() > q.limit();
            if (more) features.removeLast();
            st.getMoreResults();
            try (var rs = st.getResultSet()) {
                rs.next();
                if (q.exactCount()) return new Page(features, more, rs.getLong(1), null);
                JsonNode plan = Json.mapper().readTree(rs.getString(1)).path(0).path("Plan");
                long estimate = Math.max(plan.path("Plan Rows").asLong(), q.offset() + features.size());
                return new Page(features, more, null, estimate);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SQLException("unreadable query plan", e);
            }
        }
    }

    public Optional<String> item(FeatureType type, long id, Crs crs) throws SQLException {
        Sql sql = new Sql().append("SELECT ").append(featureJson(type, crs, null)).append(" FROM ").append(type.from())
                .append(" WHERE ").append(type.idSql()).append(" = ").bind(id);
        try (Connection c = database.connection(); var st = sql.prepare(c); var rs = st.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }

    /** The spatial extent in CRS84 and the first validity instant, for a collection's description. */
    public record Extent(double[] bbox, String firstValidFrom) {
    }

    public Extent extent(FeatureType type) throws SQLException {
        // Reprojecting each geometry (not the storage-CRS box) keeps the extent tight: UTM's grid is rotated.
        String sql = "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b), t FROM (SELECT "
                + "ST_Extent(ST_Transform(" + type.geometrySql() + ", 4326)) AS b, to_json(min("
                + type.validFromSql() + "))#>>'{}' AS t FROM " + type.from() + ") s";
        try (Connection c = database.connection(); var st = c.prepareStatement(sql); var rs = st.executeQuery()) {
            rs.next();
            double[] bbox = rs.getObject(1) == null ? null
                    : new double[]{rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4)};
            return new Extent(bbox, rs.getString(5));
        }
    }

    public boolean hasRows(FeatureType type) throws SQLException {
        try (Connection c = database.connection();
             var st = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM " + type.from() + ")");
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

    /** The SQL expression of one GeoJSON feature: PostGIS writes the geometry in the requested CRS and axis order. */
    private String featureJson(FeatureType type, Crs crs, List<String> properties) {
        String geometry = type.geometrySql();
        if (crs.srid() != storageSrid()) geometry = "ST_Transform(" + geometry + ", " + crs.srid() + ")";
        if (crs.northFirst()) geometry = "ST_FlipCoordinates(" + geometry + ")";
        StringBuilder props = new StringBuilder("json_build_object(");
        boolean first = true;
        for (Queryable p : type.properties()) {
            if (properties != null && !properties.contains(p.name())) continue;
            if (!first) props.append(", ");
            props.append('\'').append(p.name()).append("', ").append(p.sql());
            first = false;
        }
        props.append(')');
        return "json_build_object('type', 'Feature', 'id', " + type.idSql() + ", 'geometry', ST_AsGeoJSON("
                + geometry + ", " + crs.decimals() + ", 0)::json, 'properties', " + props + ")::text";
    }
}
