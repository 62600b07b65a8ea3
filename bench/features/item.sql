-- What GET /collections/road-elements/items/{id} runs, for the id the benchmark asks for (any validity: a
-- retired row is still the cadastre's record of it).
SELECT e.id, ST_AsGeoJSON(ST_Transform(e.geom, 4326), 8, 0), e.id, (SELECT r.name FROM road r WHERE r.id = e.road_id), e.road_id, e.functional_class::text, e.element_type, e.level, e.layer, e.direction, e.status, e.lanes, e.width_m, e.surface, e.speed_limit, e.length_m, e.from_junction, e.to_junction, e.source_attributes, e.version, e.valid_from, e.valid_to FROM road_element e WHERE e.id = :id;
