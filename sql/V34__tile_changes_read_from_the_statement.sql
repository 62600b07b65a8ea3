-- The tile-change rule (V4, V27) read the changed geometries from an array: each statement trigger built
-- ARRAY(SELECT geom FROM new_rows) and record_tile_changes unnested it twice (once for the count, CRSs and extent,
-- once for the rows it logs). For a 1,000,000-element import's commit that array was a copy of every element's
-- EPSG:3857 geometry; reading the transition table instead takes 3.6-5.4 s off that INSERT's backend CPU
-- (BENCHMARKS.md, issue 17 session 10). The rule now reads any set of geometries where it lies: a trigger's
-- transition table directly, an array through unnest. Its statements
-- are written in one place, tile_change_sql below; record_tile_changes (arrays: an accepted derived issue, a
-- renamed road) and tile_change_on_write (the statement triggers) only tell it where the geometries are. What is
-- logged is unchanged:
--   no geometry (none changed, or only NULLs): nothing, and no INSERT run (statement triggers fire on no rows too);
--   up to 256 geometries: each one, in EPSG:3857 (so that a diagonal street does not purge the tiles its bounding
--     box only grazes);
--   more, all in EPSG:3857: their boxes merged per 1 km cell;
--   more, in several CRSs: each one's EPSG:3857 box, merged per 1 km cell;
--   more, in one other CRS: merged per cell of that CRS sized to about 1 km in EPSG:3857 from the change's extent
--     (whole), and each cell's box transformed, its sides cut in four and 1 m added (V27).

-- The INSERT into tile_change for the geometries in `changed`, an SQL FROM item of one geometry column (a
-- transition table's column, unnest($2) of an array), given what a first look at them found: how many (NULLs
-- included, as an array's cardinality counts them) and their smallest and largest SRID (there is a geometry). It
-- takes the source as $1 and, for a change in one CRS other than EPSG:3857, the geometries' extent
-- (box2d) as $3.
CREATE FUNCTION tile_change_sql(changed text, n bigint, srid int, other int) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$f$
SELECT 'INSERT INTO tile_change (source, extent) ' || CASE
    WHEN n <= 256 THEN
        'SELECT DISTINCT $1, ST_Transform(g, 3857) FROM ' || changed || ' AS x(g) WHERE g IS NOT NULL'
    WHEN srid = 3857 AND other = 3857 THEN
        -- already in the tiles' CRS: no ST_Transform call on each geometry
        'SELECT $1, ST_SetSRID(ST_Extent(b)::geometry, 3857) FROM (SELECT g::box2d AS b FROM ' || changed
        || ' AS x(g) WHERE g IS NOT NULL) AS boxes GROUP BY floor((ST_XMin(b) + ST_XMax(b)) / 2000), '
        || 'floor((ST_YMin(b) + ST_YMax(b)) / 2000)'
    WHEN srid <> other THEN
        'SELECT $1, ST_SetSRID(ST_Extent(b)::geometry, 3857) FROM (SELECT ST_Transform(g, 3857)::box2d AS b FROM '
        || changed || ' AS x(g) WHERE g IS NOT NULL) AS boxes GROUP BY floor((ST_XMin(b) + ST_XMax(b)) / 2000), '
        || 'floor((ST_YMin(b) + ST_YMax(b)) / 2000)'
    ELSE
        -- the extent in both CRSs gives the source units per EPSG:3857 metre (cell NULL when the change is one
        -- point: then one cell)
        'SELECT $1, ST_Expand(ST_SetSRID(ST_Transform(CASE WHEN side > 0 THEN ST_Segmentize(box, side / 4) ELSE box '
        || 'END, 3857)::box2d::geometry, 3857), 1) FROM (SELECT ST_SetSRID(b::geometry, ' || srid || ') AS box, '
        || 'greatest(ST_XMax(b) - ST_XMin(b), ST_YMax(b) - ST_YMin(b)) AS side FROM (SELECT ST_Extent(g) AS b FROM '
        || changed || ' AS x(g), (SELECT 1000 * greatest(ST_XMax($3) - ST_XMin($3), ST_YMax($3) - ST_YMin($3)) '
        || '/ nullif(greatest(ST_XMax(seen) - ST_XMin(seen), ST_YMax(seen) - ST_YMin(seen)), 0) AS cell FROM '
        || 'ST_Transform(ST_SetSRID($3::geometry, ' || srid || '), 3857) AS seen) AS c WHERE g IS NOT NULL '
        || 'GROUP BY floor((ST_XMin(g) + ST_XMax(g)) / (2 * c.cell)), floor((ST_YMin(g) + ST_YMax(g)) / (2 * c.cell))) '
        || 'AS cells) AS boxes'
    END
$f$;

-- The first look, on the same FROM item: how many, smallest and largest SRID, extent.
CREATE FUNCTION tile_change_look_sql(changed text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT 'SELECT count(*), min(ST_SRID(g)), max(ST_SRID(g)), ST_Extent(g) FROM ' || changed || ' AS x(g)' $$;

CREATE OR REPLACE FUNCTION record_tile_changes(source text, changed geometry[]) RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    n bigint;
    srid int;
    other int;
    whole box2d;
BEGIN
    EXECUTE tile_change_look_sql('unnest($1)') INTO n, srid, other, whole USING changed;
    IF srid IS NOT NULL THEN
        EXECUTE tile_change_sql('unnest($2)', n, srid, other) USING source, changed, whole;
    END IF;
END
$$;

-- Statement-level with transition tables, as before (V4): one call per INSERT/UPDATE/DELETE however many rows it
-- touched; an UPDATE logs the old and the new place. The trigger's argument names the geometry column. The
-- transition tables are visible only to this function's own statements, hence the rule's statements run here.
CREATE OR REPLACE FUNCTION tile_change_on_write() RETURNS trigger LANGUAGE plpgsql AS
$$
DECLARE
    changed text := format(CASE TG_OP WHEN 'INSERT' THEN '(SELECT %1$I FROM new_rows)'
                                      WHEN 'DELETE' THEN '(SELECT %1$I FROM old_rows)'
                                      ELSE '(SELECT %1$I FROM old_rows UNION ALL SELECT %1$I FROM new_rows)' END,
                           TG_ARGV[0]);
    n bigint;
    srid int;
    other int;
    whole box2d;
BEGIN
    EXECUTE tile_change_look_sql(changed) INTO n, srid, other, whole;
    IF srid IS NOT NULL THEN
        EXECUTE tile_change_sql(changed, n, srid, other) USING TG_TABLE_NAME, NULL::geometry[], whole;
    END IF;
    RETURN NULL;
END
$$;
