-- Loads the Florence OSM sample (already copied by ogr2ogr into the scratch table osm_highway, EPSG:4326) into the
-- cadastre, for tile tests and benchmarks until the importer's osm mapping is on main. :srid is the storage CRS.
INSERT INTO road (name)
SELECT DISTINCT btrim(name) FROM osm_highway WHERE btrim(name) <> '';

INSERT INTO road_element (road_id, geom, functional_class, element_type, level, direction, surface, speed_limit, source_key)
SELECT r.id, ST_Transform(o.geom, :srid),
       (CASE regexp_replace(o.highway, '_link$', '')
            WHEN 'motorway' THEN 'A' WHEN 'trunk' THEN 'B' WHEN 'primary' THEN 'C' WHEN 'secondary' THEN 'D'
            WHEN 'tertiary' THEN 'E' WHEN 'residential' THEN 'F' WHEN 'unclassified' THEN 'F'
            WHEN 'living_street' THEN 'F-bis' WHEN 'pedestrian' THEN 'F-bis' END)::functional_class,
       CASE WHEN o.highway LIKE '%\_link' THEN 'slip_road'
            WHEN o.highway IN ('footway', 'pedestrian', 'path', 'steps') THEN 'pedestrian'
            WHEN o.highway = 'cycleway' THEN 'cycleway'
            WHEN o.highway = 'track' THEN 'track'
            WHEN o.highway = 'service' THEN 'service'
            ELSE 'carriageway' END,
       CASE WHEN coalesce(o.bridge, 'no') <> 'no' THEN 'bridge'
            WHEN coalesce(o.tunnel, 'no') <> 'no' THEN 'tunnel'
            ELSE 'at_grade' END,
       CASE o.oneway WHEN 'yes' THEN 'forward' WHEN '-1' THEN 'backward' ELSE 'both' END,
       o.surface,
       CASE WHEN o.maxspeed ~ '^\d{1,3}$' AND o.maxspeed::int BETWEEN 5 AND 150 THEN o.maxspeed::smallint END,
       'osm:' || o.ogc_fid
FROM osm_highway o LEFT JOIN road r ON r.name = btrim(o.name)
WHERE ST_NPoints(o.geom) >= 2 AND NOT ST_IsEmpty(o.geom);

INSERT INTO junction (geom, kind, degree)
SELECT p, CASE WHEN count(*) = 1 THEN 'end' ELSE 'intersection' END, count(*)
FROM (SELECT ST_StartPoint(geom) AS p FROM road_element UNION ALL SELECT ST_EndPoint(geom) FROM road_element) ends
GROUP BY p;

DROP TABLE osm_highway;
