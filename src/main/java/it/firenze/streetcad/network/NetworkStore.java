package it.firenze.streetcad.network;

import it.firenze.streetcad.cql2.Sql;
import it.firenze.streetcad.db.AreaOfUse;
import it.firenze.streetcad.db.Database;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * All SQL of the road-network operations. Points come in CRS84 and are moved into the storage CRS, where
 * distances and measures (progressive) are metres; answers are GeoJSON in CRS84, written by PostGIS.
 * Only live elements take part (the live_* views of V7__temporal.sql): a retired element is history, not network.
 */
public final class NetworkStore {

    private final Database database;

    public NetworkStore(Database database) {
        this.database = database;
    }

    /** A point given by a client, longitude and latitude in CRS84. */
    public record LonLat(double lon, double lat) {
    }

    /** A road element and its length in metres, the range of its measures. */
    public record Element(long id, double length) {
        /** The fraction of the length PostGIS's linear referencing takes; a zero-length element has only 0. */
        double fraction(double m) {
            return length <= 0 ? 0 : Math.min(1, m / length);
        }
    }

    private Sql point(Sql sql, LonLat p) {
        return sql.append("ST_Transform(ST_SetSRID(ST_MakePoint(").bind(p.lon()).append(", ").bind(p.lat())
                .append("), 4326), " + database.storageSrid() + ")");
    }

    private static String crs84(String geometry) {
        return "ST_AsGeoJSON(ST_Transform(" + geometry + ", 4326), 8)::json";
    }

    /** Snapping a point to an element: the nearest point on it, its distance and its measure from the start. */
    private Sql snapped(LonLat p) {
        Sql sql = new Sql().append("json_build_object('type', 'Feature', 'id', e.id, 'geometry', ST_AsGeoJSON("
                + "ST_Transform(ST_ClosestPoint(e.geom, ");
        point(sql, p).append("), 4326), 8)::json, 'properties', json_build_object('element_id', e.id, 'name', r.name, "
                + "'functional_class', e.functional_class, 'distance_m', round(ST_Distance(e.geom, ");
        point(sql, p).append(")::numeric, 3), 'measure_m', round((ST_LineLocatePoint(e.geom, ");
        return point(sql, p).append(") * e.length_m)::numeric, 3), 'length_m', round(e.length_m::numeric, 3)))::text");
    }

    /** The {@code limit} current elements nearest to {@code p} within {@code maxDistance} metres, nearest first. */
    public List<String> nearest(LonLat p, double maxDistance, int limit) throws SQLException {
        Sql sql = new Sql().append("SELECT ").append(snapped(p))
                .append(" FROM live_road_element e LEFT JOIN road r ON r.id = e.road_id WHERE ST_DWithin(e.geom, ");
        point(sql, p).append(", ").bind(maxDistance).append(") ORDER BY e.geom <-> ");
        point(sql, p).append(", e.id LIMIT ").bind(limit);
        return texts(sql);
    }

    /**
     * Whether {@code p} lies within {@code maxDistance} metres of the box of the current road elements. A point
     * outside the storage CRS's area of use is not even transformed (PROJ would refuse it or fold it back).
     */
    public boolean nearCadastre(LonLat p, double maxDistance) throws SQLException {
        if (!inStorageArea(p)) return false;
        Sql sql = new Sql().append("SELECT coalesce(ST_DWithin(ST_SetSRID(ST_Extent(e.geom)::geometry, "
                + database.storageSrid() + "), ");
        point(sql, p).append(", ").bind(maxDistance).append("), false) FROM live_road_element e");
        try (Connection c = database.connection(); var st = sql.prepare(c); ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Whether {@code p} lies in the storage CRS's area of use, where it can be transformed into it. */
    public boolean inStorageArea(LonLat p) {
        double[] area = AreaOfUse.of(database.storageSrid());
        return p.lon() >= area[0] && p.lon() <= area[2] && p.lat() >= area[1] && p.lat() <= area[3];
    }

    /** The point of element {@code id} nearest to {@code p}, with its measure; empty if there is no such element. */
    public Optional<String> measure(long id, LonLat p) throws SQLException {
        Sql sql = new Sql().append("SELECT ").append(snapped(p))
                .append(" FROM live_road_element e LEFT JOIN road r ON r.id = e.road_id WHERE e.id = ").bind(id);
        return texts(sql).stream().findFirst();
    }

    public Optional<Element> element(long id) throws SQLException {
        Sql sql = new Sql().append("SELECT length_m FROM live_road_element WHERE id = ").bind(id);
        try (Connection c = database.readConnection(); var st = sql.prepare(c); ResultSet rs = st.executeQuery()) {
            return rs.next() ? Optional.of(new Element(id, rs.getDouble(1))) : Optional.empty();
        }
    }

    /** The point at {@code m} metres from the start of the element (m within its length). */
    public String pointAt(Element e, double m) throws SQLException {
        Sql sql = new Sql().append("SELECT json_build_object('type', 'Feature', 'id', e.id, 'geometry', "
                + "ST_AsGeoJSON(ST_Transform(ST_LineInterpolatePoint(e.geom, ").bind(e.fraction(m))
                .append("), 4326), 8)::json, 'properties', json_build_object('element_id', e.id, 'measure_m', ").bind(m)
                .append("::float8, 'length_m', round(e.length_m::numeric, 3)))::text FROM live_road_element e WHERE e.id = ")
                .bind(e.id());
        return texts(sql).getFirst();
    }

    /** The stretch of the element from {@code from} to {@code to} metres (both within its length). */
    public String substring(Element e, double from, double to) throws SQLException {
        Sql sql = new Sql().append("SELECT json_build_object('type', 'Feature', 'id', e.id, 'geometry', "
                + "ST_AsGeoJSON(ST_Transform(ST_LineSubstring(e.geom, ").bind(e.fraction(from)).append(", ")
                .bind(e.fraction(to)).append("), 4326), 8)::json, 'properties', json_build_object('element_id', e.id, "
                + "'from_m', ").bind(from).append("::float8, 'to_m', ").bind(to).append("::float8, 'length_m', ")
                .bind(Math.round((to - from) * 1000) / 1000.0).append("::float8))::text FROM live_road_element e WHERE e.id = ")
                .bind(e.id());
        return texts(sql).getFirst();
    }

    /** A junction (giunzione) with the elements that start or end at it; empty if there is none. */
    public Optional<String> junction(long id) throws SQLException {
        Sql sql = new Sql().append("SELECT json_build_object('type', 'Feature', 'id', j.id, 'geometry', "
                + crs84("j.geom") + ", 'properties', json_build_object('id', j.id, 'kind', j.kind, 'degree', j.degree, "
                + "'version', j.version, 'valid_from', j.valid_from, 'valid_to', j.valid_to, 'elements', "
                + "COALESCE((SELECT json_agg(json_build_object('id', e.id, 'name', r.name, 'end', "
                + "CASE WHEN e.from_junction = j.id THEN 'start' ELSE 'end' END, 'functional_class', e.functional_class, "
                + "'direction', e.direction, 'length_m', round(e.length_m::numeric, 3)) ORDER BY e.id) "
                + "FROM live_road_element e LEFT JOIN road r ON r.id = e.road_id "
                + "WHERE (e.from_junction = j.id OR e.to_junction = j.id)), '[]'::json)))::text "
                + "FROM live_junction j WHERE j.id = ").bind(id);
        return texts(sql).stream().findFirst();
    }

    /** One road found by name: its extent in CRS84 (null without elements) and how many elements it has. */
    public record RoadMatch(long id, String name, double score, double[] bbox, long elementCount) {
    }

    /**
     * Roads whose folded name is like the folded query: trigram similarity over the whole name or the best
     * matching words of it, so that "calzaiuoli" finds "Via dei Calzaiuoli". Backed by road_name_search_trgm.
     */
    public List<RoadMatch> searchRoads(String expandedQuery, int limit) throws SQLException {
        Sql sql = new Sql().append("WITH q AS (SELECT fold_name(").bind(expandedQuery).append(") AS t), "
                + "found AS (SELECT r.id, r.name, greatest(similarity(r.name_search, q.t), "
                + "word_similarity(q.t, r.name_search)) AS score, similarity(r.name_search, q.t) AS whole "
                + "FROM live_road r, q WHERE q.t <% r.name_search OR r.name_search % q.t "
                + "ORDER BY score DESC, whole DESC, r.name LIMIT ").bind(limit).append(") "
                + "SELECT f.id, f.name, round(f.score::numeric, 3), ST_XMin(x.b), ST_YMin(x.b), ST_XMax(x.b), "
                + "ST_YMax(x.b), x.n FROM found f LEFT JOIN LATERAL (SELECT count(*) AS n, "
                + "ST_Extent(ST_Transform(e.geom, 4326)) AS b FROM live_road_element e WHERE e.road_id = f.id) x ON true ORDER BY f.score DESC, f.whole DESC, f.name");
        List<RoadMatch> roads = new ArrayList<>();
        try (Connection c = database.readConnection(); var st = sql.prepare(c); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                double[] bbox = rs.getObject(4) == null ? null
                        : new double[]{rs.getDouble(4), rs.getDouble(5), rs.getDouble(6), rs.getDouble(7)};
                roads.add(new RoadMatch(rs.getLong(1), rs.getString(2), rs.getDouble(3), bbox, rs.getLong(8)));
            }
        }
        return roads;
    }

    /** Every statement here locates a bound point, so each is planned with its values ({@link Sql#preparePlannedWithValues}). */
    private List<String> texts(Sql sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.readConnection(); var st = sql.preparePlannedWithValues(c); ResultSet rs = st.executeQuery()) {
            while (rs.next()) rows.add(rs.getString(1));
        }
        return rows;
    }
}
