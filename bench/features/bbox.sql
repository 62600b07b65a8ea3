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
SELECT e.id, ST_AsGeoJSON(ST_Transform(e.geom, 4326), 8, 0), e.id, (SELECT r.name FROM live_road r WHERE r.id = e.road_id), e.road_id, e.functional_class::text, e.element_type, e.level, e.layer, e.direction, e.status, e.lanes, e.width_m, e.surface, e.speed_limit, e.length_m, e.from_junction, e.to_junction, e.source_attributes, e.version, e.valid_from, e.valid_to FROM live_road_element e WHERE ST_Intersects(e.geom, ST_Transform(ST_Intersection(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326), ST_MakeEnvelope(5.93, 36.53, 12.0, 47.04, 4326)), :srid::int)) ORDER BY e.id LIMIT :lim OFFSET :off;
EXPLAIN (FORMAT JSON) SELECT 1 FROM live_road_element e WHERE ST_Intersects(e.geom, ST_Transform(ST_Intersection(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326), ST_MakeEnvelope(5.93, 36.53, 12.0, 47.04, 4326)), :srid::int));
