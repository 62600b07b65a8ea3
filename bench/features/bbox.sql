-- What GET /collections/road-elements/items?limit=100&bbox=11.2529,43.7708,11.2591,43.7754 runs (captured
-- with log_statement = all): the data version and the latest validity boundary passed (the page's ETag, one
-- statement), the page (limit + 1 rows, to know whether there is a next one) and the estimate. The server sends the
-- three in one round trip; pgbench sends them one by one.
\set x0 11.2529
\set y0 43.7708
\set x1 11.2591
\set y1 43.7754
\set lim 101
\set off 0
SELECT (SELECT folded FROM data_version_base) + (SELECT count(*) FROM data_change), coalesce((extract(epoch FROM (SELECT max(at) FROM validity_boundary WHERE at <= now())) * 1000000)::bigint, 0);
SELECT e.id, '{"type":"Feature","id":' || e.id || ',"geometry":' || coalesce(ST_AsGeoJSON(ST_Transform(e.geom, 4326), 8, 0), 'null') || ',"properties":' || row_to_json(feature_properties) || '}' FROM live_road_element e CROSS JOIN LATERAL (SELECT e.id AS "id", (SELECT r.name FROM live_road r WHERE r.id = e.road_id) AS "name", e.road_id AS "road_id", e.functional_class::text AS "functional_class", e.element_type AS "element_type", e.level AS "level", e.layer AS "layer", e.direction AS "direction", e.status AS "status", e.lanes AS "lanes", e.width_m AS "width_m", e.surface AS "surface", e.speed_limit AS "speed_limit", e.length_m AS "length_m", e.from_junction AS "from_junction", e.to_junction AS "to_junction", e.source_attributes AS "source_attributes", e.version AS "version", CASE WHEN isfinite(e.valid_from) THEN (to_json((e.valid_from) AT TIME ZONE 'UTC') #>> '{}') || '+00:00' ELSE to_json(e.valid_from) #>> '{}' END AS "valid_from", CASE WHEN isfinite(e.valid_to) THEN (to_json((e.valid_to) AT TIME ZONE 'UTC') #>> '{}') || '+00:00' ELSE to_json(e.valid_to) #>> '{}' END AS "valid_to") feature_properties WHERE ST_Intersects(e.geom, ST_Transform(ST_Intersection(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326), ST_MakeEnvelope(5.93, 36.53, 12.0, 47.04, 4326)), :srid::int)) ORDER BY e.id LIMIT :lim OFFSET :off;
EXPLAIN (FORMAT JSON) SELECT 1 FROM live_road_element e WHERE ST_Intersects(e.geom, ST_Transform(ST_Intersection(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326), ST_MakeEnvelope(5.93, 36.53, 12.0, 47.04, 4326)), :srid::int));
