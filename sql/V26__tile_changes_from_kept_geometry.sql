-- The tile change log (V4) transformed every changed road element into EPSG:3857, the tiles' CRS, although V22
-- keeps each element's EPSG:3857 geometry beside it (geom_3857): log that one. ST_Transform of a geometry already
-- in the target CRS returns it as it is, so record_tile_changes stays as it was. For an edit this was the largest
-- of its triggers' costs; for an import's commit, a transformation of every element written.
DROP TRIGGER road_element_tile_insert ON road_element;
DROP TRIGGER road_element_tile_update ON road_element;
DROP TRIGGER road_element_tile_delete ON road_element;
CREATE TRIGGER road_element_tile_insert AFTER INSERT ON road_element REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tile_change_on_write('geom_3857');
CREATE TRIGGER road_element_tile_update AFTER UPDATE ON road_element REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tile_change_on_write('geom_3857');
CREATE TRIGGER road_element_tile_delete AFTER DELETE ON road_element REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tile_change_on_write('geom_3857');

-- Tiles show the road's name on its elements, so renaming a road changes the tiles under its elements.
CREATE OR REPLACE FUNCTION tile_change_on_road_rename() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM record_tile_changes('road', ARRAY(
        SELECT e.geom_3857 FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN road_element e ON e.road_id = n.id
        WHERE n.name IS DISTINCT FROM o.name));
    RETURN NULL;
END
$$;
