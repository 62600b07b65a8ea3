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
    extent     geometry(Polygon, 3857) NOT NULL
);
CREATE INDEX tile_change_extent ON tile_change USING gist (extent);
CREATE INDEX tile_change_xid ON tile_change (xid);

-- One extent per changed geometry, so that an edit purges only the tiles it touches. A statement that changes
-- many rows (an import commit) would write as many rows: beyond 256 geometries their boxes are merged per
-- 1 km cell (about one z15 tile), which purges a little more at the highest zooms and keeps the log small.
CREATE FUNCTION record_tile_changes(source text, changed geometry[]) RETURNS void
    LANGUAGE sql AS
$$
INSERT INTO tile_change (source, extent)
SELECT source, ST_MakeEnvelope(min(x0), min(y0), max(x1), max(y1), 3857)
FROM (SELECT DISTINCT ST_XMin(b) AS x0, ST_YMin(b) AS y0, ST_XMax(b) AS x1, ST_YMax(b) AS y1
      FROM (SELECT ST_Transform(g, 3857)::box2d AS b FROM unnest(changed) AS g WHERE g IS NOT NULL) AS t) AS boxes
GROUP BY CASE WHEN cardinality(changed) <= 256 THEN ARRAY [x0, y0, x1, y1] END,
         CASE WHEN cardinality(changed) > 256 THEN floor((x0 + x1) / 2000) END,
         CASE WHEN cardinality(changed) > 256 THEN floor((y0 + y1) / 2000) END
$$;

-- Statement-level with transition tables: one call per INSERT/UPDATE/DELETE however many rows it touched.
-- An UPDATE logs the old and the new place, so a moved element purges where it was and where it is.
CREATE FUNCTION tile_change_on_write() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM record_tile_changes(TG_TABLE_NAME, ARRAY(SELECT geom FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM record_tile_changes(TG_TABLE_NAME, ARRAY(SELECT geom FROM old_rows));
    ELSE
        PERFORM record_tile_changes(TG_TABLE_NAME, ARRAY(SELECT geom FROM old_rows UNION ALL SELECT geom FROM new_rows));
    END IF;
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

-- The same three triggers on each drawn table (transition tables allow one event per trigger).
DO
$$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY ['road_element', 'junction'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION tile_change_on_write()', t || '_tile_insert', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION tile_change_on_write()', t || '_tile_update', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION tile_change_on_write()', t || '_tile_delete', t);
    END LOOP;
END
$$;

CREATE TRIGGER road_tile_rename AFTER UPDATE ON road REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tile_change_on_road_rename();
