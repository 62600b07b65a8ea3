-- What GET /collections/road-elements/items?limit=100&filter=functional_class = 'F' AND
-- S_INTERSECTS(geometry, BBOX(11.2498, 43.7686, 11.2622, 43.7776)) runs; bench/features.sh passes :class and
-- :wkt (as JTS writes the BBOX) with -D, so that they are bound parameters as in the server.
\set lim 101
\set off 0
SELECT json_build_object('type', 'Feature', 'id', e.id, 'geometry', ST_AsGeoJSON(ST_Transform(e.geom, 4326), 8, 0)::json, 'properties', json_build_object('id', e.id, 'name', r.name, 'road_id', e.road_id, 'functional_class', e.functional_class::text, 'element_type', e.element_type, 'level', e.level, 'layer', e.layer, 'direction', e.direction, 'status', e.status, 'lanes', e.lanes, 'width_m', e.width_m, 'surface', e.surface, 'speed_limit', e.speed_limit, 'length_m', e.length_m, 'from_junction', e.from_junction, 'to_junction', e.to_junction, 'version', e.version, 'valid_from', e.valid_from, 'valid_to', e.valid_to))::text FROM road_element e LEFT JOIN road r ON r.id = e.road_id WHERE (((e.functional_class::text = :class AND ST_Intersects(e.geom, ST_Transform(ST_GeomFromText(:wkt, 4326), :srid::int))))) ORDER BY e.id LIMIT :lim OFFSET :off;
EXPLAIN (FORMAT JSON) SELECT 1 FROM road_element e LEFT JOIN road r ON r.id = e.road_id WHERE (((e.functional_class::text = :class AND ST_Intersects(e.geom, ST_Transform(ST_GeomFromText(:wkt, 4326), :srid::int)))));
