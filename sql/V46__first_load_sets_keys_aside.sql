-- A first load also sets aside its table's foreign keys, and adds them back once its rows are in, when that blocks
-- no one: PostgreSQL checks a foreign key row by row, queuing an event per inserted row and key, even for a NULL
-- (road_element has five keys: its road, its two junctions, the element it was split from, the one it was merged
-- into), while adding a key back checks all the rows in one query. An INSERT of 1,000,000 road elements into an
-- empty table: 14.1-14.7 s with the keys, 8.4-8.5 s without and 1.2 s to add the five back (BENCHMARKS.md,
-- issue 17, session 20). What holds at commit does not change: every key is there and validated over every row.
--
-- Dropping a key locks the table it references ACCESS EXCLUSIVE until the transaction ends, so a key is set aside
-- only when that table is the loaded table itself, or holds no row for anyone (V35's rule: there is nothing to
-- read yet) and can be locked without waiting: a load that waited for a table's readers while holding the loaded
-- table's lock could deadlock with a reader that holds the first and waits for the second. A key not set aside is
-- checked row by row, as before.

-- Sets aside the foreign keys of `target`, in a transaction where first_load_drop_indexes found it empty and dropped
-- its indexes; first_load_restore_indexes adds them back with the indexes, and the commit is refused without them
-- as without an index. Returns how many it set aside.
CREATE FUNCTION first_load_set_aside_keys(target regclass) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    k record;
    set_aside integer := 0;
BEGIN
    IF to_regclass('pg_temp.first_load_index') IS NULL OR NOT first_load_definitions_kept_by_owner() THEN
        RETURN 0;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_temp.first_load_index WHERE table_oid = target) THEN
        RETURN 0;
    END IF;
    FOR k IN SELECT c.oid, c.conname, c.confrelid::regclass AS referenced, pg_get_constraintdef(c.oid) AS definition
             FROM pg_constraint c WHERE c.conrelid = target AND c.contype = 'f' AND c.convalidated
               AND obj_description(c.oid, 'pg_constraint') IS NULL
             ORDER BY c.oid LOOP
        IF k.referenced <> target THEN
            BEGIN
                IF first_load_holds_rows(k.referenced) THEN
                    CONTINUE;
                END IF;
                EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE NOWAIT', k.referenced);
                -- a row committed between the look and the lock: give the lock back with the block's subtransaction
                IF first_load_holds_rows(k.referenced) THEN
                    RAISE EXCEPTION USING ERRCODE = 'lock_not_available';
                END IF;
            EXCEPTION WHEN lock_not_available THEN
                CONTINUE;
            END;
        END IF;
        INSERT INTO pg_temp.first_load_index
            VALUES (target, format('ALTER TABLE %s ADD CONSTRAINT %I %s', target, k.conname, k.definition));
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', target, k.conname);
        set_aside := set_aside + 1;
    END LOOP;
    RETURN set_aside;
END $$;

-- Whether `t` holds a row for anyone: one this transaction sees, or one it deleted (visible to the others until it
-- commits).
CREATE FUNCTION first_load_holds_rows(t regclass) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    has_rows boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', t) INTO has_rows;
    RETURN has_rows OR coalesce((SELECT n_tup_del FROM pg_stat_xact_all_tables WHERE relid = t), 0) > 0;
END $$;
REVOKE EXECUTE ON FUNCTION first_load_holds_rows(regclass) FROM PUBLIC;

-- first_load_drop_indexes asks the same question of the loaded table.
SELECT rewrite_function('first_load_drop_indexes(regclass)',
    'EXECUTE format(''SELECT EXISTS (SELECT 1 FROM %s)'', target) INTO has_rows;',
    'has_rows := first_load_holds_rows(target);');
SELECT rewrite_function('first_load_drop_indexes(regclass)',
    'IF has_rows OR coalesce((SELECT n_tup_del FROM pg_stat_xact_all_tables WHERE relid = target), 0) > 0 THEN',
    'IF has_rows THEN');

-- The definitions waiting now include keys (ALTER TABLE … ADD CONSTRAINT), which the restore runs as it runs an
-- index's; the refusal at commit names both.
SELECT rewrite_function('first_load_index_restored()', 'would commit without its index: %',
    'would commit without its index or key: %');
