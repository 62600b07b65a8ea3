-- The tile change log (V4) stays small: changes older than a retention (long after every instance has read them)
-- are replaced by one row per 1 km grid cell they met. The table then holds at most one such row per cell ever
-- changed plus the recent changes, so a tile's data version (count and newest id of the rows meeting its area)
-- costs the same however long the cadastre's history grows.
--
-- A replacement row is itself a change, with a new id: every instance reads it like any other and drops the cached
-- tiles of those cells, and a tile meeting them gets a new data version, which no earlier state had (ids only grow).
-- So instances never disagree on an ETag after a compaction, and an instance that had not read the old rows yet (it
-- lost its database for longer than the retention) still purges what they covered.
CREATE FUNCTION compact_tile_changes(retention interval) RETURNS integer
    LANGUAGE plpgsql AS
$$
DECLARE
    compacted integer;
BEGIN
    -- One compaction at a time across instances; the others find nothing left to do next time.
    IF NOT pg_try_advisory_xact_lock(hashtext('compact_tile_changes')) THEN
        RETURN 0;
    END IF;
    WITH old AS (
        DELETE FROM tile_change WHERE changed_at < now() - retention AND source <> 'compacted' RETURNING extent),
    cells AS (
        SELECT DISTINCT cell.geom
        FROM old, ST_SquareGrid(1000, old.extent) AS cell
        WHERE ST_Intersects(cell.geom, old.extent)),
    -- A cell compacted before is announced once more, with the new changes it now also stands for.
    replaced AS (
        DELETE FROM tile_change t USING cells WHERE t.source = 'compacted' AND t.extent ~= cells.geom),
    added AS (
        INSERT INTO tile_change (source, extent) SELECT 'compacted', geom FROM cells)
    SELECT count(*) INTO compacted FROM old;
    RETURN compacted;
END
$$;
