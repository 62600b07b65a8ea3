-- What GET /collections/road-elements/items?limit=100&filter=functional_class = 'F' AND
-- S_INTERSECTS(geometry, BBOX(11.2498, 43.7686, 11.2622, 43.7776)) runs; bench/features.sh passes :class and
-- :wkt (as JTS writes the BBOX) with -D, so that they are bound parameters as in the server.
\set lim 101
\set off 0
SELECT e.id, ST_AsGeoJSON(ST_Transform(e.geom, 4326), 8, 0), e.id, (SELECT r.name FROM road r WHERE r.id = e.road_id), e.road_id, e.functional_class::text, e.element_type, e.level, e.layer, e.direction, e.status, e.lanes, e.width_m, e.surface, e.speed_limit, e.length_m, e.from_junction, e.to_junction, e.version, e.valid_from, e.valid_to FROM road_element e WHERE (((e.functional_class::text = :class AND ST_Intersects(e.geom, ST_Transform(ST_GeomFromText(:wkt, 4326), :srid::int))))) ORDER BY e.id LIMIT :lim OFFSET :off;
EXPLAIN (FORMAT JSON) SELECT 1 FROM road_element e WHERE (((e.functional_class::text = :class AND ST_Intersects(e.geom, ST_Transform(ST_GeomFromText(:wkt, 4326), :srid::int)))));
