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

-- As V7's, but a replaced version ends where the version replacing it begins (stamp_version above), and a deleted
-- one when recorded_now says.
CREATE OR REPLACE FUNCTION install_history(t text) RETURNS void LANGUAGE plpgsql AS
$f$
DECLARE
    columns text;
    olds    text;
BEGIN
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
           string_agg('OLD.' || quote_ident(a.attname), ', ' ORDER BY a.attnum)
    INTO columns, olds
    FROM pg_attribute a
    WHERE a.attrelid = t::regclass AND a.attnum > 0 AND NOT a.attisdropped
      AND EXISTS (SELECT 1 FROM pg_attribute h WHERE h.attrelid = (t || '_history')::regclass
                  AND h.attname = a.attname AND NOT h.attisdropped);
    EXECUTE format($b$CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS $x$
        BEGIN
            INSERT INTO %I (%s, recorded_to, operation) VALUES (%s,
                CASE TG_OP WHEN 'UPDATE' THEN NEW.recorded_from ELSE recorded_now(OLD.recorded_from) END, TG_OP);
            RETURN NULL;
        END $x$$b$, t || '_record_history', t || '_history', columns, olds);
    -- <t>_as_of(at): the rows as the cadastre recorded them at that instant (versions current then).
    EXECUTE format($b$CREATE OR REPLACE FUNCTION %1$I(at timestamptz) RETURNS SETOF %2$I LANGUAGE sql STABLE AS $x$
        SELECT * FROM %2$I WHERE recorded_from <= at
        UNION ALL
        SELECT %3$s FROM %4$I WHERE recorded_from <= at AND recorded_to > at $x$$b$,
        t || '_as_of', t, (SELECT string_agg(CASE WHEN EXISTS (SELECT 1 FROM pg_attribute h
                                WHERE h.attrelid = (t || '_history')::regclass AND h.attname = a.attname
                                AND NOT h.attisdropped) THEN quote_ident(a.attname) ELSE 'NULL' END, ', '
                                ORDER BY a.attnum)
                           FROM pg_attribute a WHERE a.attrelid = t::regclass AND a.attnum > 0 AND NOT a.attisdropped),
        t || '_history');
END
$f$;

SELECT install_history(t)
FROM unnest(ARRAY ['road', 'junction', 'road_element', 'element_event', 'ordinance', 'works', 'measure']) t;
