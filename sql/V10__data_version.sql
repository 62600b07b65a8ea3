-- The cadastre's data version, from which the Features API derives its ETags and keeps its collection extents:
-- the number of committed transactions that changed a collection's rows. Each such transaction adds one row
-- (keyed by its own transaction id, so writers never wait for each other, unlike a shared counter row, which
-- would also have let an import's commit and a validation deadlock); the row becomes visible when the
-- transaction commits and vanishes if it rolls back, so the count moves on exactly when readers can see new
-- data, whatever order transactions commit in. Rows of finished transactions are folded into `folded` from
-- time to time (FeatureStore), which keeps the count cheap without changing it.
CREATE TABLE data_change (
    xid xid8 PRIMARY KEY
);

CREATE TABLE data_version_base (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    folded   bigint NOT NULL
);
INSERT INTO data_version_base (folded) VALUES (0);

CREATE FUNCTION data_change_on_write() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO data_change (xid) VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

-- The triggers that write data_change are in R__data_version_triggers.sql: a repeatable migration runs after every
-- versioned one, so it reaches the tables later migrations create (viability's V11) and is re-run when its list grows.
