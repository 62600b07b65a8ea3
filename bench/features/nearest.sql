-- What GET /network/nearest?point=11.2558,43.7731 runs (max-distance 500 m, limit 1).
\set lon 11.2558
\set lat 43.7731
\set dist 500.0
\set lim 1
SELECT json_build_object('type', 'Feature', 'id', e.id, 'geometry', ST_AsGeoJSON(ST_Transform(ST_ClosestPoint(e.geom, ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :srid::int)), 4326), 8)::json, 'properties', json_build_object('element_id', e.id, 'name', r.name, 'functional_class', e.functional_class, 'distance_m', round(ST_Distance(e.geom, ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :srid::int))::numeric, 3), 'measure_m', round((ST_LineLocatePoint(e.geom, ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :srid::int)) * e.length_m)::numeric, 3), 'length_m', round(e.length_m::numeric, 3)))::text FROM live_road_element e LEFT JOIN road r ON r.id = e.road_id WHERE ST_DWithin(e.geom, ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :srid::int), :dist) ORDER BY e.geom <-> ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :srid::int), e.id LIMIT :lim;
