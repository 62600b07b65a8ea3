-- The viability revisions (V11, V17) counted with one shared row per subject, bumped by every writing statement:
-- each edit of an element then held the 'network' row locked until it committed, so concurrent editors of
-- different elements waited for one another (16 editors: "Lock:transactionid" on their UPDATEs). As the data
-- version does (V10), each writing transaction now adds one row per subject, keyed by its own transaction id: writers
-- never wait for each other, the row becomes visible when the transaction commits and vanishes if it rolls back.
-- A subject's revision is its base in viability_revision plus its rows here (ViabilityStore.revisions).
CREATE TABLE viability_change (
    subject text NOT NULL REFERENCES viability_revision (subject),
    xid     xid8 NOT NULL,
    PRIMARY KEY (subject, xid)
);

-- Folds the rows of transactions older than every running one into their subjects' bases, which keeps the table
-- small and leaves every revision as it was; only the folding transaction locks the bases, and a second fold
-- meanwhile waits for it and then finds those rows gone.
CREATE FUNCTION fold_viability_changes() RETURNS void LANGUAGE sql AS
$$
WITH gone AS (DELETE FROM viability_change WHERE xid < pg_snapshot_xmin(pg_current_snapshot()) RETURNING subject)
UPDATE viability_revision r SET revision = r.revision + g.n
FROM (SELECT subject, count(*) AS n FROM gone GROUP BY subject) g WHERE r.subject = g.subject;
$$;

-- About one writing transaction in 1,024 (by its id) also folds.
CREATE OR REPLACE FUNCTION bump_viability_revision() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO viability_change (subject, xid) VALUES (TG_ARGV[0], pg_current_xact_id()) ON CONFLICT DO NOTHING;
    IF pg_current_xact_id()::text::bigint % 1024 = 0 THEN
        PERFORM fold_viability_changes();
    END IF;
    RETURN NULL;
END
$$;
