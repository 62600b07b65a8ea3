-- What GET /collections/road-elements/items?limit=100&bbox=11.2529,43.7708,11.2591,43.7754 runs (captured
-- with log_statement = all): the page (limit + 1 rows, to know whether there is a next one) and the estimate.
\set x0 11.2529
\set y0 43.7708
\set x1 11.2591
\set y1 43.7754
\set lim 101
\set off 0
SELECT json_build_object('type', 'Feature', 'id', e.id, 'geometry', ST_AsGeoJSON(ST_Transform(e.geom, 4326), 8, 0)::json, 'properties', json_build_object('id', e.id, 'name', r.name, 'road_id', e.road_id, 'functional_class', e.functional_class::text, 'element_type', e.element_type, 'level', e.level, 'layer', e.layer, 'direction', e.direction, 'status', e.status, 'lanes', e.lanes, 'width_m', e.width_m, 'surface', e.surface, 'speed_limit', e.speed_limit, 'length_m', e.length_m, 'from_junction', e.from_junction, 'to_junction', e.to_junction, 'version', e.version, 'valid_from', e.valid_from, 'valid_to', e.valid_to))::text FROM road_element e LEFT JOIN road r ON r.id = e.road_id WHERE ST_Intersects(e.geom, ST_Transform(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326), :srid::int)) ORDER BY e.id LIMIT :lim OFFSET :off;
EXPLAIN (FORMAT JSON) SELECT 1 FROM road_element e LEFT JOIN road r ON r.id = e.road_id WHERE ST_Intersects(e.geom, ST_Transform(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326), :srid::int));
