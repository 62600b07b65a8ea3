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

CREATE OR REPLACE FUNCTION stamp_version() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        NEW.version := OLD.version + 1;
        NEW.recorded_from := recorded_now(OLD.recorded_from);
    ELSE
        NEW.recorded_from := now();
    END IF;
    -- Without an author bound (a psql session), the database user is the author.
    NEW.changed_by := coalesce(nullif(current_setting('streetcad.actor', true), ''), 'db:' || session_user);
    NEW.changed_by_org := nullif(current_setting('streetcad.organisation', true), '');
    NEW.changed_via := nullif(current_setting('streetcad.via', true), '');
    NEW.change_reason := nullif(current_setting('streetcad.reason', true), '');
    RETURN NEW;
END
$$;

-- V7's install_history(t) makes <t>_record_history, which ends a replaced or deleted version at now(), and
-- <t>_as_of. It keeps doing both under another name; install_history(t), which later migrations call when they add
-- a column, then has the history function end a replaced version where the version replacing it begins (stamp_version
-- above) and a deleted one when recorded_now says.
ALTER FUNCTION install_history(text) RENAME TO install_history_v7;
CREATE FUNCTION install_history(t text) RETURNS void LANGUAGE plpgsql AS
$f$
DECLARE
    v7      text;
    ending  text;
BEGIN
    PERFORM install_history_v7(t);
    v7 := pg_get_functiondef((t || '_record_history')::regproc);
    ending := replace(v7, 'now(), TG_OP)', 'CASE TG_OP WHEN ''UPDATE'' THEN NEW.recorded_from '
                                          'ELSE recorded_now(OLD.recorded_from) END, TG_OP)');
    IF ending = v7 THEN
        RAISE EXCEPTION '%_record_history() does not end versions at now() as V7 made it', t;
    END IF;
    EXECUTE ending;
END
$f$;

SELECT install_history(t)
FROM unnest(ARRAY ['road', 'junction', 'road_element', 'element_event', 'ordinance', 'works', 'measure']) t;
