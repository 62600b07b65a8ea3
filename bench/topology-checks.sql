-- The topology checks of `streetcad validate`, written as one would in PostGIS SQL, for the comparison in
-- bench/topology.sh. One count per rule; spikes and one-way sanity are left out (no short SQL for them), so the
-- SQL does less work than the engine.
\pset footer off
\pset tuples_only on
SELECT 'invalid-geometry', count(*) FROM road_element WHERE NOT ST_IsValid(geom);
SELECT 'self-intersection/overlap', count(*) FROM road_element WHERE NOT ST_IsSimple(geom);
SELECT 'duplicate-vertex', count(*) FROM road_element WHERE ST_NPoints(ST_RemoveRepeatedPoints(geom)) < ST_NPoints(geom);
SELECT 'too-short', count(*) FROM road_element WHERE ST_Length(geom) < 1;
SELECT 'duplicate-element', count(*) FROM road_element a JOIN road_element b
    ON a.id < b.id AND a.geom && b.geom AND ST_Equals(a.geom, b.geom);
SELECT 'overlapping-elements', count(*) FROM road_element a JOIN road_element b
    ON a.id < b.id AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, '1********') AND NOT ST_Equals(a.geom, b.geom);
SELECT 'crossing-without-junction', count(*) FROM road_element a JOIN road_element b
    ON a.id < b.id AND a.geom && b.geom AND a.level = b.level AND a.layer = b.layer AND ST_Crosses(a.geom, b.geom);
CREATE TEMP TABLE ends AS
    SELECT id, ST_StartPoint(geom) AS p, from_junction AS j FROM road_element
    UNION ALL SELECT id, ST_EndPoint(geom), to_junction FROM road_element;
CREATE INDEX ON ends USING gist (p);
SELECT 'endpoint-on-interior', count(*) FROM ends e JOIN road_element r
    ON r.geom && e.p AND r.id <> e.id AND ST_Intersects(r.geom, e.p) AND NOT ST_Intersects(ST_Boundary(r.geom), e.p);
CREATE TEMP TABLE nodes AS SELECT p, count(*) AS degree, min(id) AS id FROM ends GROUP BY p;
SELECT 'dangle (dead end)', count(*) FROM nodes WHERE degree = 1;
SELECT 'undershoot', count(*) FROM nodes n WHERE degree = 1 AND EXISTS (SELECT 1 FROM road_element r
    WHERE r.id <> n.id AND ST_DWithin(r.geom, n.p, 0.5) AND NOT ST_Intersects(r.geom, n.p));
SELECT 'pseudo-node', count(*) FROM nodes WHERE degree = 2;
SELECT 'endpoint-off-junction', count(*) FROM ends e LEFT JOIN junction j ON j.id = e.j
    WHERE j.id IS NULL OR NOT ST_DWithin(j.geom, e.p, 0.001);
SELECT 'orphan-junction', count(*) FROM junction j
    WHERE NOT EXISTS (SELECT 1 FROM road_element e WHERE e.from_junction = j.id)
      AND NOT EXISTS (SELECT 1 FROM road_element e WHERE e.to_junction = j.id);
SELECT 'connected parts', count(DISTINCT c) FROM (SELECT ST_ClusterDBSCAN(geom, 0, 1) OVER () AS c FROM road_element) t;
