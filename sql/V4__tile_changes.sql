-- Tiles: where the cadastre changed, so that every StreetCad instance (they are stateless, behind a load
-- balancer) can drop exactly the cached tiles over a change and give those tiles new ETags. Triggers on the
-- tables that tiles draw append the changed extents here; each instance reads new rows every few hundred ms.
-- Extents are in EPSG:3857, the CRS of the WebMercatorQuad tiles, so they compare with tile envelopes directly.
CREATE TABLE tile_change (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Identity values are handed out at INSERT but become visible at COMMIT, in another order; readers follow
    -- the writing transaction's id instead, which they can compare with a snapshot's xmin.
    xid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    changed_at timestamptz NOT NULL DEFAULT now(),
    source     text NOT NULL,
    -- The changed geometry itself, so that a diagonal street does not purge the tiles its bounding box only
    -- grazes; a bulk change logs boxes instead (see below).
    extent     geometry(Geometry, 3857) NOT NULL
);
CREATE INDEX tile_change_extent ON tile_change USING gist (extent);
CREATE INDEX tile_change_xid ON tile_change (xid);

-- One row per changed geometry, so that an edit purges only the tiles it touches. A statement that changes
-- many rows (an import commit) would write as many rows: beyond 256 geometries their boxes are merged per
-- 1 km cell (about one z15 tile), which purges a little more at the highest zooms and keeps the log small.
CREATE FUNCTION record_tile_changes(source text, changed geometry[]) RETURNS void
    LANGUAGE plpgsql AS
$$
BEGIN
    IF cardinality(changed) <= 256 THEN
        INSERT INTO tile_change (source, extent)
        SELECT DISTINCT source, ST_Transform(g, 3857) FROM unnest(changed) AS g WHERE g IS NOT NULL;
    ELSE
        INSERT INTO tile_change (source, extent)
        SELECT source, ST_SetSRID(ST_Extent(b)::geometry, 3857)
        FROM (SELECT ST_Transform(g, 3857)::box2d AS b FROM unnest(changed) AS g WHERE g IS NOT NULL) AS boxes
        GROUP BY floor((ST_XMin(b) + ST_XMax(b)) / 2000), floor((ST_YMin(b) + ST_YMax(b)) / 2000);
    END IF;
END
$$;

-- Statement-level with transition tables: one call per INSERT/UPDATE/DELETE however many rows it touched.
-- An UPDATE logs the old and the new place, so a moved element purges where it was and where it is.
-- The trigger's argument names the geometry column.
CREATE FUNCTION tile_change_on_write() RETURNS trigger LANGUAGE plpgsql AS
$$
DECLARE
    rows text := CASE TG_OP WHEN 'INSERT' THEN 'SELECT %1$I FROM new_rows'
                            WHEN 'DELETE' THEN 'SELECT %1$I FROM old_rows'
                            ELSE 'SELECT %1$I FROM old_rows UNION ALL SELECT %1$I FROM new_rows' END;
BEGIN
    EXECUTE format('SELECT record_tile_changes($1, ARRAY(' || rows || '))', TG_ARGV[0]) USING TG_TABLE_NAME;
    RETURN NULL;
END
$$;

-- Tiles show the road's name on its elements, so renaming a road changes the tiles under its elements.
CREATE FUNCTION tile_change_on_road_rename() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM record_tile_changes('road', ARRAY(
        SELECT e.geom FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN road_element e ON e.road_id = n.id
        WHERE n.name IS DISTINCT FROM o.name));
    RETURN NULL;
END
$$;

-- The same three triggers on each drawn table (transition tables allow one event per trigger). Topology
-- findings (V3) are drawn too, when that migration created their table.
DO
$$
DECLARE
    t text[];
BEGIN
    FOREACH t SLICE 1 IN ARRAY ARRAY [['road_element', 'geom'], ['junction', 'geom'], ['topology_issue', 'location']] LOOP
        CONTINUE WHEN to_regclass(t[1]) IS NULL;
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION tile_change_on_write(%L)', t[1] || '_tile_insert', t[1], t[2]);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION tile_change_on_write(%L)', t[1] || '_tile_update', t[1], t[2]);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION tile_change_on_write(%L)', t[1] || '_tile_delete', t[1], t[2]);
    END LOOP;
END
$$;

CREATE TRIGGER road_tile_rename AFTER UPDATE ON road REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tile_change_on_road_rename();
