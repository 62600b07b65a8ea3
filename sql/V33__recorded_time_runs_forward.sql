-- Recorded time runs forward on every row (found by session 10's fault sweep). V7 stamps a version's recorded_from,
-- and the replaced version's recorded_to, with now(): the start of the writing transaction. A transaction that began
-- before another one, and then waited for a row that other one was writing (an edit without If-Match behind an
-- import's commit), replaced that other one's version at an instant before the version began: a history row whose
-- recorded_to precedes its recorded_from, and a new version recorded as current before the one it replaced. Neither
-- as-of nor history can show the replaced version at any instant.
--
-- The rule stays now() (every row a transaction writes shares its instant, and a version replaced within the
-- transaction that made it spans no recorded time) but for a row whose current version was recorded after this
-- transaction began. That version's transaction committed before this one got the row's lock, and the instant read
-- after the lock (clock_timestamp(): the row triggers run once the row is locked) is later than its start: the
-- replaced version spans the time it was current. "Live" (live_at) is untouched.

-- The recorded instant of a change to a row whose current version was recorded at `previous`.
CREATE FUNCTION recorded_now(previous timestamptz) RETURNS timestamptz LANGUAGE sql VOLATILE AS
$$ SELECT CASE WHEN previous > now() THEN greatest(clock_timestamp(), previous) ELSE now() END $$;

-- V7's trigger functions change below only where they stamp a time, so that the rest stays written once: the function
-- f is made again with its source's `was` replaced by `becomes` (which must be there).
CREATE FUNCTION rewrite_function(f regprocedure, was text, becomes text) RETURNS void LANGUAGE plpgsql AS
$$
DECLARE
    source text := pg_get_functiondef(f);
BEGIN
    IF position(was IN source) = 0 THEN
        RAISE EXCEPTION '% has no "%" to replace', f, was;
    END IF;
    EXECUTE replace(source, was, becomes);
END
$$;
-- For migrations, which run as the schema's owner; the serving role has no use for it.
REVOKE EXECUTE ON FUNCTION rewrite_function(regprocedure, text, text) FROM PUBLIC;

-- A new version's recorded start: the transaction's start, unless the row's current version began later.
SELECT rewrite_function('stamp_version()', 'NEW.recorded_from := now();',
    'NEW.recorded_from := CASE TG_OP WHEN ''UPDATE'' THEN recorded_now(OLD.recorded_from) ELSE now() END;');

-- V7's install_history(t) makes <t>_record_history, which ends a replaced or deleted version at now(), and
-- <t>_as_of. It keeps doing both under another name; install_history(t), which later migrations call when they add
-- a column, then has the history function end a replaced version where the version replacing it begins and a
-- deleted one when recorded_now says.
ALTER FUNCTION install_history(text) RENAME TO install_history_v7;
CREATE FUNCTION install_history(t text) RETURNS void LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM install_history_v7(t);
    PERFORM rewrite_function((t || '_record_history()')::regprocedure, 'now(), TG_OP)',
        'CASE TG_OP WHEN ''UPDATE'' THEN NEW.recorded_from ELSE recorded_now(OLD.recorded_from) END, TG_OP)');
END
$$;

SELECT install_history(t)
FROM unnest(ARRAY ['road', 'junction', 'road_element', 'element_event', 'ordinance', 'works', 'measure']) t;
