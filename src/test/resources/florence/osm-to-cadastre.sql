-- The Florence OSM sample (loaded by ogr2ogr as WKT into osm_highway) turned into cadastre rows, for tests and
-- benchmarks until the importer is on main. Named ways become roads; every way becomes a road element whose
-- functional class is read from the OSM highway tag the way the Codice della Strada art. 2 ranks urban roads;
-- junctions are the distinct end points, so that network operations have something to stand on.
CREATE TEMP TABLE osm_line AS
SELECT row_number() OVER () AS n, nullif(btrim(name), '') AS name, highway, surface, oneway, maxspeed, tunnel, bridge,
       ST_Transform(ST_SetSRID(ST_GeomFromText(wkt), 4326),
                    (SELECT Find_SRID('public', 'road_element', 'geom'))) AS geom
FROM osm_highway
WHERE wkt LIKE 'LINESTRING%';
DELETE FROM osm_line WHERE ST_NPoints(geom) < 2 OR ST_Length(geom) = 0;

INSERT INTO road (name, admin_class) SELECT DISTINCT name, 'comunale' FROM osm_line WHERE name IS NOT NULL;

INSERT INTO junction (geom, kind, degree)
SELECT p, CASE WHEN count(*) = 1 THEN 'end' ELSE 'intersection' END, count(*)
FROM (SELECT ST_StartPoint(geom) AS p FROM osm_line UNION ALL SELECT ST_EndPoint(geom) FROM osm_line) e
GROUP BY p;

INSERT INTO road_element (road_id, geom, from_junction, to_junction, functional_class, element_type, level, direction,
                          status, surface, speed_limit, source_key)
SELECT r.id, l.geom, js.id, je.id,
       (CASE
            WHEN l.highway IN ('motorway', 'motorway_link') THEN 'A'
            WHEN l.highway IN ('trunk', 'trunk_link') THEN 'B'
            WHEN l.highway IN ('primary', 'primary_link') THEN 'D'
            WHEN l.highway IN ('secondary', 'secondary_link', 'tertiary', 'tertiary_link') THEN 'E'
            WHEN l.highway IN ('footway', 'path', 'steps', 'pedestrian', 'cycleway', 'bridleway', 'corridor') THEN 'F-bis'
            ELSE 'F'
        END)::functional_class,
       CASE
           WHEN l.highway LIKE '%\_link' THEN 'slip_road'
           WHEN l.highway IN ('footway', 'path', 'steps', 'pedestrian', 'corridor', 'bridleway') THEN 'pedestrian'
           WHEN l.highway = 'cycleway' THEN 'cycleway'
           WHEN l.highway = 'track' THEN 'track'
           WHEN l.highway IN ('service', 'services', 'rest_area', 'emergency_bay') THEN 'service'
           ELSE 'carriageway'
       END,
       CASE
           WHEN coalesce(l.bridge, 'no') <> 'no' THEN 'bridge'
           WHEN coalesce(l.tunnel, 'no') <> 'no' THEN 'tunnel'
           ELSE 'at_grade'
       END,
       CASE l.oneway WHEN 'yes' THEN 'forward' WHEN '-1' THEN 'backward' ELSE 'both' END,
       CASE WHEN l.highway IN ('proposed', 'construction') THEN 'under_construction'
            WHEN l.highway IN ('abandoned', 'razed', 'no') THEN 'disused'
            ELSE 'in_use' END,
       l.surface,
       CASE WHEN l.maxspeed ~ '^[0-9]{1,3}$' AND l.maxspeed::int BETWEEN 5 AND 150 THEN l.maxspeed::int END,
       'osm-sample/' || l.n
FROM osm_line l
LEFT JOIN road r ON r.name = l.name
JOIN junction js ON js.geom = ST_StartPoint(l.geom)
JOIN junction je ON je.geom = ST_EndPoint(l.geom);

DROP TABLE osm_line;
ANALYZE;
