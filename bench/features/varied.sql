-- bbox.sql with a different 500 m box around central Florence on every transaction, drawn as varied-bbox.lua draws
-- the server's (uniform over the same area): the statements of GET …/items?limit=100&bbox=… for that box.
\set x0 11.235 + random(0, 1000000) * 0.035 / 1000000.0
\set y0 43.760 + random(0, 1000000) * 0.025 / 1000000.0
\set x1 :x0 + 0.0062
\set y1 :y0 + 0.0046
\set lim 101
\set off 0
SELECT (SELECT folded FROM data_version_base) + (SELECT count(*) FROM data_change), coalesce((extract(epoch FROM (SELECT max(at) FROM validity_boundary WHERE at <= now())) * 1000000)::bigint, 0);
SELECT e.id, ST_AsGeoJSON(ST_Transform(e.geom, 4326), 8, 0), e.id, (SELECT r.name FROM live_road r WHERE r.id = e.road_id), e.road_id, e.functional_class::text, e.element_type, e.level, e.layer, e.direction, e.status, e.lanes, e.width_m, e.surface, e.speed_limit, e.length_m, e.from_junction, e.to_junction, e.source_attributes, e.version, e.valid_from, e.valid_to FROM live_road_element e WHERE ST_Intersects(e.geom, ST_Transform(ST_Intersection(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326), ST_MakeEnvelope(5.93, 36.53, 12.0, 47.04, 4326)), :srid::int)) ORDER BY e.id LIMIT :lim OFFSET :off;
EXPLAIN (FORMAT JSON) SELECT 1 FROM live_road_element e WHERE ST_Intersects(e.geom, ST_Transform(ST_Intersection(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326), ST_MakeEnvelope(5.93, 36.53, 12.0, 47.04, 4326)), :srid::int));
