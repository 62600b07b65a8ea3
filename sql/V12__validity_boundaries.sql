-- The live rows change with time alone: a closure that starts at 08:00 makes the live network different at 08:00
-- with no write, so the Features API's ETag of live items carries the latest validity boundary passed
-- (FeatureStore.LIVE_BOUNDARY) beside the data version (V10). The boundaries are kept here, written by the
-- writes that set them, so that an ETag is read from this small table and never waits on the cadastre's own
-- tables (a revalidation answers 304 while an import holds them). A boundary is never removed: one of a row
-- changed since only makes an ETag change once more than it had to.
CREATE TABLE validity_boundary (
    at timestamptz PRIMARY KEY
);

INSERT INTO validity_boundary (at)
SELECT valid_from FROM road_element UNION SELECT valid_to FROM road_element WHERE valid_to IS NOT NULL
UNION SELECT valid_from FROM junction UNION SELECT valid_to FROM junction WHERE valid_to IS NOT NULL
UNION SELECT valid_from FROM road UNION SELECT valid_to FROM road WHERE valid_to IS NOT NULL
UNION SELECT valid_from FROM element_event UNION SELECT valid_to FROM element_event WHERE valid_to IS NOT NULL;

-- Once per statement over its transition table: an import of 70,000 rows stamped with one instant adds one row.
CREATE FUNCTION record_validity_boundaries() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO validity_boundary (at)
    SELECT valid_from FROM changed_rows UNION SELECT valid_to FROM changed_rows WHERE valid_to IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

DO
$$
DECLARE
    t text;
BEGIN
    -- A trigger with a transition table takes one event, hence one for inserts and one for updates.
    FOREACH t IN ARRAY ARRAY ['road_element', 'junction', 'road', 'element_event'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION record_validity_boundaries()', t || '_boundaries_in', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS changed_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION record_validity_boundaries()', t || '_boundaries_up', t);
    END LOOP;
END
$$;
