-- A first load builds its table's indexes after its rows. An import's commit into an empty road_element, and the
-- recording of its findings into an empty topology_issue, insert every row in one statement; keeping the table's
-- non-unique secondary indexes up to date row by row costs about half of that statement (Florence: 1.6-1.8 s with
-- road_element's twelve indexes, 0.87 s with only its primary key; BENCHMARKS.md, issue 17 session 11), building
-- each once over all the rows far less, which is why ogr2ogr and pg_restore build theirs after loading.
--
-- The server's role owns no index, so it cannot drop one: these two functions, run as the schema's owner, do it
-- for a caller that may insert into the table, in the caller's transaction, and only as far as is safe:
--   * only when the table holds no row for anyone: none this transaction sees and none it deleted (its DELETE
--     leaves them visible to the others until it commits). DROP INDEX takes an ACCESS EXCLUSIVE lock that blocks
--     every reader of the table until the transaction ends, acceptable only when there is nothing to read yet;
--   * never the primary key, a unique index or an index backing a constraint (nor one a table is clustered on or
--     that has a comment: recreating it from its definition would lose that);
--   * each index is recreated from its own definition, read with pg_get_indexdef before the drop, so the schema stays
--     defined by these migrations only. The definitions wait in a temporary table of the owner's that the caller
--     cannot write, and a deferred constraint trigger refuses to commit a transaction that has not recreated them
--     all. DDL is transactional: a transaction that fails or is killed leaves every index as it was.

-- Whether this session's table of waiting definitions is the owner's (called by the functions below, which run as
-- the owner): one the caller made under that name would hold the caller's SQL, to be run as the owner.
CREATE FUNCTION first_load_definitions_kept_by_owner() RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT EXISTS (SELECT 1 FROM pg_class t WHERE t.oid = to_regclass('pg_temp.first_load_index')
                   AND t.relowner = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user))
$$;

-- Drops the non-unique secondary indexes of `target` when it holds no row, keeping their definitions for
-- first_load_restore_indexes; returns how many it dropped (0: the table has rows, the ordinary path).
CREATE FUNCTION first_load_drop_indexes(target regclass) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    has_rows boolean;
    ix record;
    dropped integer := 0;
BEGIN
    IF NOT has_table_privilege(session_user, target, 'INSERT') THEN
        RAISE EXCEPTION 'permission denied to load %', target USING ERRCODE = 'insufficient_privilege';
    END IF;
    FOR attempt IN 1..2 LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', target) INTO has_rows;
        IF has_rows OR coalesce((SELECT n_tup_del FROM pg_stat_xact_all_tables WHERE relid = target), 0) > 0 THEN
            RETURN 0;
        END IF;
        -- Seen empty: lock, then look again, since a row may have been committed between the look and the lock.
        IF attempt = 1 THEN
            EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', target);
        END IF;
    END LOOP;
    IF to_regclass('pg_temp.first_load_index') IS NULL THEN
        CREATE TEMP TABLE first_load_index (table_oid oid NOT NULL, definition text NOT NULL) ON COMMIT DROP;
        CREATE CONSTRAINT TRIGGER first_load_index_restored AFTER INSERT ON pg_temp.first_load_index
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION first_load_index_restored();
    END IF;
    IF NOT first_load_definitions_kept_by_owner() THEN
        RAISE EXCEPTION 'pg_temp.first_load_index is not the owner''s' USING ERRCODE = 'insufficient_privilege';
    END IF;
    FOR ix IN SELECT i.indexrelid::regclass AS name, pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
              WHERE i.indrelid = target AND NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion
                AND NOT i.indisclustered AND i.indisvalid
                AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
                AND obj_description(i.indexrelid, 'pg_class') IS NULL
              ORDER BY i.indexrelid LOOP
        INSERT INTO pg_temp.first_load_index VALUES (target, ix.definition);
        EXECUTE format('DROP INDEX %s', ix.name);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END $$;

-- Recreates the indexes first_load_drop_indexes dropped from `target` in this transaction; returns how many.
-- Each is built by this backend alone: parallel workers doubled the CPU of Florence's rebuild (0.70-0.90 s against
-- 0.31-0.33 s, the cluster's CPU; BENCHMARKS.md, issue 17 session 12), their start-up dwarfing the work.
CREATE FUNCTION first_load_restore_indexes(target regclass) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
    SET max_parallel_maintenance_workers = 0 AS $$
DECLARE
    ix record;
    restored integer := 0;
BEGIN
    IF to_regclass('pg_temp.first_load_index') IS NULL THEN
        RETURN 0;
    END IF;
    IF NOT first_load_definitions_kept_by_owner() THEN
        RAISE EXCEPTION 'pg_temp.first_load_index is not the owner''s' USING ERRCODE = 'insufficient_privilege';
    END IF;
    FOR ix IN DELETE FROM pg_temp.first_load_index WHERE table_oid = target RETURNING definition LOOP
        EXECUTE ix.definition;
        restored := restored + 1;
    END LOOP;
    RETURN restored;
END $$;

-- At commit: a definition still waiting is an index a first load dropped and never recreated.
CREATE FUNCTION first_load_index_restored() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_temp.first_load_index w WHERE w.table_oid = NEW.table_oid
               AND w.definition = NEW.definition) THEN
        RAISE EXCEPTION 'a first load of % would commit without its index: %', NEW.table_oid::regclass, NEW.definition;
    END IF;
    RETURN NULL;
END $$;
