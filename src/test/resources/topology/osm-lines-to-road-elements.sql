-- Copies the OSM lines that ogr2ogr loaded into florence_raw (EPSG:4326) into road_element as raw lines:
-- not split at junctions, no junctions yet. OSM bridge/tunnel become the element's level (sede) and layer,
-- oneway its direction. Used by tests and bench/ until the importer's osm mapping is on main.
INSERT INTO road_element (geom, level, layer, direction, surface, source_key, source_attributes)
SELECT ST_Transform(ST_GeometryN(wkb_geometry, 1), (SELECT value::int FROM cadastre_setting WHERE key = 'storage_srid')),
       CASE WHEN bridge IN ('yes', 'viaduct') THEN 'bridge'
            WHEN tunnel IN ('yes', 'building_passage') THEN 'tunnel'
            ELSE 'at_grade' END,
       CASE WHEN bridge IN ('yes', 'viaduct') THEN 1 WHEN tunnel IN ('yes', 'building_passage') THEN -1 ELSE 0 END,
       CASE WHEN oneway IN ('yes', '1', 'true') THEN 'forward' WHEN oneway = '-1' THEN 'backward' ELSE 'both' END,
       surface,
       'florence_highways:' || ogc_fid,
       jsonb_strip_nulls(jsonb_build_object('name', name, 'highway', highway, 'maxspeed', maxspeed))
FROM florence_raw
WHERE ST_NPoints(wkb_geometry) >= 2
ORDER BY ogc_fid;
