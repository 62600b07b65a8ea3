-- A statement that changes many rows logs boxes per 1 km cell of EPSG:3857 (V4). It transformed every changed
-- geometry into EPSG:3857 to find its cell: for an import's 112,516 findings recorded as open issues (points in the
-- storage CRS) that was three quarters of the trigger's cost, 0.8-3 s on the shared machine. The geometries are now
-- grouped in cells of their own CRS, sized to about 1 km in EPSG:3857 from the change's extent, and only each cell's
-- box is transformed (its sides cut in four so that the projection's curvature stays inside, and 1 m added): a few
-- hundred transformations instead of one per geometry. Geometries already in EPSG:3857 (road elements' geom_3857)
-- are grouped as before without calling ST_Transform on each, changes mixing CRSs as before; a change of up to 256
-- geometries is logged geometry by geometry, as before.
CREATE OR REPLACE FUNCTION record_tile_changes(source text, changed geometry[]) RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    srid int;
    other int;
    whole box2d;
    seen geometry;
    cell float8;
BEGIN
    IF cardinality(changed) <= 256 THEN
        INSERT INTO tile_change (source, extent)
        SELECT DISTINCT source, ST_Transform(g, 3857) FROM unnest(changed) AS g WHERE g IS NOT NULL;
        RETURN;
    END IF;
    SELECT min(ST_SRID(g)), max(ST_SRID(g)), ST_Extent(g) INTO srid, other, whole FROM unnest(changed) AS g;
    IF srid = 3857 AND other = 3857 THEN
        -- The same boxes as before, without a call of ST_Transform a geometry that has nothing to transform.
        INSERT INTO tile_change (source, extent)
        SELECT source, ST_SetSRID(ST_Extent(b)::geometry, 3857)
        FROM (SELECT g::box2d AS b FROM unnest(changed) AS g WHERE g IS NOT NULL) AS boxes
        GROUP BY floor((ST_XMin(b) + ST_XMax(b)) / 2000), floor((ST_YMin(b) + ST_YMax(b)) / 2000);
        RETURN;
    END IF;
    IF srid IS DISTINCT FROM other THEN
        INSERT INTO tile_change (source, extent)
        SELECT source, ST_SetSRID(ST_Extent(b)::geometry, 3857)
        FROM (SELECT ST_Transform(g, 3857)::box2d AS b FROM unnest(changed) AS g WHERE g IS NOT NULL) AS boxes
        GROUP BY floor((ST_XMin(b) + ST_XMax(b)) / 2000), floor((ST_YMin(b) + ST_YMax(b)) / 2000);
        RETURN;
    END IF;
    -- The change's extent in both CRSs gives the source units per EPSG:3857 metre (NULL when the change is one
    -- point: then one cell).
    seen := ST_Transform(ST_SetSRID(whole::geometry, srid), 3857);
    cell := 1000 * greatest(ST_XMax(whole) - ST_XMin(whole), ST_YMax(whole) - ST_YMin(whole))
        / nullif(greatest(ST_XMax(seen) - ST_XMin(seen), ST_YMax(seen) - ST_YMin(seen)), 0);
    INSERT INTO tile_change (source, extent)
    SELECT source, ST_Expand(ST_SetSRID(ST_Transform(CASE WHEN side > 0 THEN ST_Segmentize(box, side / 4) ELSE box END,
        3857)::box2d::geometry, 3857), 1)
    FROM (SELECT ST_SetSRID(b::geometry, srid) AS box, greatest(ST_XMax(b) - ST_XMin(b), ST_YMax(b) - ST_YMin(b)) AS side
          FROM (SELECT ST_Extent(g) AS b FROM unnest(changed) AS g WHERE g IS NOT NULL
                GROUP BY floor((ST_XMin(g) + ST_XMax(g)) / (2 * cell)), floor((ST_YMin(g) + ST_YMax(g)) / (2 * cell))
               ) AS cells) AS boxes;
END
$$;
