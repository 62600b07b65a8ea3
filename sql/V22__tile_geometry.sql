-- Tiles are cut in EPSG:3857 (WebMercatorQuad). Every uncached tile used to transform each of its elements from
-- the storage CRS (a PROJ call per element: about a third of the database's time for a z15 tile of 1,000 elements
-- by the Duomo); the element's geometry in EPSG:3857 is now kept with it, computed once when it is written. A
-- generated column cannot go stale: imports, edits, splits and merges all write geom, and PostgreSQL recomputes it
-- in the same statement.
ALTER TABLE road_element
    ADD COLUMN geom_3857 geometry(LineString, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED;

-- Tiles find their elements with the tile's own envelope, not its rotated image in the storage CRS.
CREATE INDEX road_element_geom_3857 ON road_element USING gist (geom_3857);
-- Overview tiles (below the detail zoom) draw only classes A–E (TileLayer.ROAD_ELEMENTS): a z12 tile over Florence
-- otherwise walks the twelve thousand elements of the whole city to keep seven hundred.
CREATE INDEX road_element_overview_3857 ON road_element USING gist (geom_3857)
    WHERE functional_class IN ('A', 'B', 'C', 'D', 'E');

-- The live view (V7) picks the new column up; the history keeps only what it records (the column is derived),
-- and road_element_as_of is re-made with the new column's place, as V7 asks of a migration that adds a column.
CREATE OR REPLACE VIEW live_road_element AS SELECT * FROM road_element WHERE live_at(valid_from, valid_to, now());
SELECT install_history('road_element');
