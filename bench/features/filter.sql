-- What GET /collections/road-elements/items?limit=100&filter=functional_class = 'F' AND
-- S_INTERSECTS(geometry, BBOX(11.2498, 43.7686, 11.2622, 43.7776)) runs (as bbox.sql: version and boundary, page,
-- estimate); bench/features.sh passes :class and :wkt (as JTS writes the BBOX) with -D, so that they are bound
-- parameters as in the server.
\set lim 101
\set off 0
SELECT (SELECT folded FROM data_version_base) + (SELECT count(*) FROM data_change), coalesce((extract(epoch FROM (SELECT max(at) FROM validity_boundary WHERE at <= now())) * 1000000)::bigint, 0);
SELECT e.id, ST_AsGeoJSON(ST_Transform(e.geom, 4326), 8, 0), e.id, (SELECT r.name FROM live_road r WHERE r.id = e.road_id), e.road_id, e.functional_class::text, e.element_type, e.level, e.layer, e.direction, e.status, e.lanes, e.width_m, e.surface, e.speed_limit, e.length_m, e.from_junction, e.to_junction, e.source_attributes, e.version, e.valid_from, e.valid_to FROM live_road_element e WHERE (((e.functional_class::text = :class AND ST_Intersects(e.geom, ST_Transform(ST_Intersection(ST_GeomFromText(:wkt, 4326), ST_MakeEnvelope(5.93, 36.53, 12.0, 47.04, 4326)), :srid::int))))) ORDER BY e.id LIMIT :lim OFFSET :off;
EXPLAIN (FORMAT JSON) SELECT 1 FROM live_road_element e WHERE (((e.functional_class::text = :class AND ST_Intersects(e.geom, ST_Transform(ST_Intersection(ST_GeomFromText(:wkt, 4326), ST_MakeEnvelope(5.93, 36.53, 12.0, 47.04, 4326)), :srid::int)))));
