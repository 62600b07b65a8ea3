-- The cadastre's two times, kept apart (issue 13), with the data already stored carried over.
--
-- * Valid time (valid_from / valid_to): when a fact holds on the street. People set it (an element opened in
--   2019, a closure from Monday to Friday); an update never rewrites it. Deleting sets valid_to: the row stays.
-- * Recorded time (recorded_from, and recorded_to in <table>_history): when the cadastre said so. The server
--   sets it, with the author, the channel and the reason of the change, from the transaction-local settings
--   streetcad.actor / .organisation / .via / .reason that Audit.bind writes (access capability).
--
-- V1 wrote the system time into valid_from on every update (bump_version), so an update of an event that had
-- expired failed valid_to > valid_from, and a closure planned for 2030 became valid "today" when its measures
-- moved. Until now no code set valid_to on a live row, and history rows got valid_to overwritten with the time
-- of the change: that time is the recorded time, moved below into recorded_from / recorded_to.

-- ---- "live": the one definition, used by every query, tile, network operation, validation and build

-- A row is live at an instant when its validity has begun and not yet ended then. SQL, so the planner inlines it.
CREATE FUNCTION live_at(valid_from timestamptz, valid_to timestamptz, at timestamptz) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT valid_from <= at AND (valid_to IS NULL OR valid_to > at) $$;

-- The valid_to a row gets when it is deleted (retired) now: it ends now; a planned row that has not started
-- never holds (an empty validity); a row that already ended keeps its end.
CREATE FUNCTION retirement(valid_from timestamptz, valid_to timestamptz) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT least(coalesce(valid_to, 'infinity'), greatest(now(), valid_from)) $$;

-- ---- recorded time and authorship on the cadastre tables and their history

DO
$$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY ['road', 'junction', 'road_element', 'element_event'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_version', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_history', t);
        -- The current version's recorded start and author (a history row keeps its version's own).
        EXECUTE format('ALTER TABLE %I ADD COLUMN recorded_from timestamptz, ADD COLUMN changed_by text, '
                       'ADD COLUMN changed_by_org text, ADD COLUMN changed_via text, ADD COLUMN change_reason text', t);
        EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS recorded_from timestamptz, '
                       'ADD COLUMN IF NOT EXISTS changed_by text, ADD COLUMN IF NOT EXISTS changed_by_org text, '
                       'ADD COLUMN IF NOT EXISTS changed_via text, ADD COLUMN IF NOT EXISTS change_reason text',
                       t || '_history');
        EXECUTE format('ALTER TABLE %I RENAME COLUMN changed_at TO recorded_to', t || '_history');
        -- V6 named on a history row who replaced it; from here every version names who made it, in the table as
        -- in its history: the author of version n is the one V6 recorded on version n - 1 (none for version 1).
        EXECUTE format('ALTER TABLE %I DISABLE TRIGGER USER', t);
        EXECUTE format('UPDATE %1$I r SET changed_by = h.changed_by, changed_by_org = h.changed_by_org, '
                       'changed_via = h.changed_via, change_reason = h.change_reason '
                       'FROM %2$I h WHERE h.id = r.id AND h.version = r.version - 1', t, t || '_history');
        EXECUTE format('UPDATE %1$I h SET (changed_by, changed_by_org, changed_via, change_reason) = '
                       '(SELECT p.changed_by, p.changed_by_org, p.changed_via, p.change_reason FROM %1$I p '
                       'WHERE p.id = h.id AND p.version = h.version - 1 LIMIT 1)', t || '_history');
        -- An empty validity (valid_to = valid_from) is a planned fact cancelled before it began.
        EXECUTE (SELECT string_agg(format('ALTER TABLE %I DROP CONSTRAINT %I', t, conname), '; ')
                 FROM pg_constraint WHERE conrelid = t::regclass AND contype = 'c'
                 AND pg_get_constraintdef(oid) LIKE '%valid_to > valid_from%');
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (valid_to IS NULL OR valid_to >= valid_from)',
                       t, t || '_validity');

        -- What V1 stored as valid_from was the recorded time of each version; the valid time of them all is that
        -- of the first version, and their valid_to that of the row as it stands (nothing ever set it).
        EXECUTE format('UPDATE %I SET recorded_from = valid_from', t || '_history');
        EXECUTE format('UPDATE %1$I h SET valid_from = f.valid_from, valid_to = r.valid_to '
                       'FROM (SELECT DISTINCT ON (id) id, valid_from FROM %1$I ORDER BY id, version) f '
                       'LEFT JOIN %2$I r ON r.id = f.id WHERE h.id = f.id', t || '_history', t);
        EXECUTE format('UPDATE %I SET recorded_from = valid_from', t);
        EXECUTE format('UPDATE %1$I r SET valid_from = f.valid_from '
                       'FROM (SELECT DISTINCT ON (id) id, valid_from FROM %2$I ORDER BY id, version) f '
                       'WHERE r.id = f.id AND r.valid_from > f.valid_from AND (r.valid_to IS NULL OR r.valid_to > f.valid_from)',
                       t, t || '_history');
        EXECUTE format('ALTER TABLE %I ENABLE TRIGGER USER', t);
        EXECUTE format('ALTER TABLE %I ALTER COLUMN recorded_from SET NOT NULL, '
                       'ALTER COLUMN recorded_from SET DEFAULT now()', t);
        EXECUTE format('ALTER TABLE %I ALTER COLUMN recorded_from SET NOT NULL', t || '_history');
        EXECUTE format('DROP INDEX IF EXISTS %I', t || '_history_id');
        EXECUTE format('CREATE INDEX %I ON %I (id, recorded_from)', t || '_history_id', t || '_history');
        EXECUTE format('CREATE INDEX %I ON %I (recorded_from, recorded_to)', t || '_history_recorded', t || '_history');
    END LOOP;
END
$$;
DROP FUNCTION bump_version();
DROP FUNCTION record_history();

-- Lineage: an element cut in two keeps its id on the first piece, the second names it in split_from; of two
-- elements merged into one, the retired one names the survivor in merged_into.
ALTER TABLE road_element ADD COLUMN split_from bigint REFERENCES road_element (id),
                         ADD COLUMN merged_into bigint REFERENCES road_element (id);
ALTER TABLE road_element_history ADD COLUMN split_from bigint, ADD COLUMN merged_into bigint;
CREATE INDEX road_element_history_geom ON road_element_history USING gist (geom);

-- Nothing is cascade-deleted: an element with events is retired with them, never removed under them.
ALTER TABLE element_event DROP CONSTRAINT element_event_element_id_fkey,
    ADD CONSTRAINT element_event_element_id_fkey FOREIGN KEY (element_id) REFERENCES road_element (id);

-- Measures are checked against the element as it is now for the events that have not ended: an event that
-- expired in 2024 lay on the geometry of its time, and correcting its attributes must not trip over a later
-- change of the element. "Not ended" is live now or, for a planned event, once it starts.
CREATE OR REPLACE FUNCTION check_event_measures() RETURNS trigger LANGUAGE plpgsql AS
$$
DECLARE
    element_length double precision;
BEGIN
    IF NOT live_at(NEW.valid_from, NEW.valid_to, greatest(now(), NEW.valid_from)) THEN
        RETURN NEW;
    END IF;
    SELECT length_m INTO element_length FROM road_element WHERE id = NEW.element_id;
    IF element_length IS NOT NULL AND NEW.to_m > element_length + 0.001 THEN
        RAISE EXCEPTION 'measure to_m = % is beyond the length % m of road element %',
            NEW.to_m, round(element_length::numeric, 3), NEW.element_id
            USING ERRCODE = 'check_violation', COLUMN = 'to_m', TABLE = 'element_event';
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION check_element_keeps_events() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    IF EXISTS (SELECT 1 FROM element_event e WHERE e.element_id = NEW.id AND e.to_m > NEW.length_m + 0.001
               AND live_at(e.valid_from, e.valid_to, greatest(now(), e.valid_from))) THEN
        RAISE EXCEPTION 'road element % would be shorter (% m) than the measures of its events', NEW.id,
            round(NEW.length_m::numeric, 3)
            USING ERRCODE = 'check_violation', COLUMN = 'geom', TABLE = 'road_element';
    END IF;
    RETURN NULL;
END
$$;

-- ---- versioning: every write stamps the recorded time and the author; an update bumps the version

CREATE FUNCTION stamp_version() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        NEW.version := OLD.version + 1;
    END IF;
    -- The transaction's start: every row one transaction writes shares it, and a version replaced within the
    -- transaction that made it spans no recorded time at all (nobody could have read it).
    NEW.recorded_from := now();
    -- Without an author bound (a psql session), the database user is the author.
    NEW.changed_by := coalesce(nullif(current_setting('streetcad.actor', true), ''), 'db:' || session_user);
    NEW.changed_by_org := nullif(current_setting('streetcad.organisation', true), '');
    NEW.changed_via := nullif(current_setting('streetcad.via', true), '');
    NEW.change_reason := nullif(current_setting('streetcad.reason', true), '');
    RETURN NEW;
END
$$;

-- (Re)creates <t>_record_history(), which copies the replaced or deleted row into <t>_history with its recorded
-- end, by column name. A later migration that adds a column to a cadastre table adds it to its history table
-- too and calls this again.
CREATE FUNCTION install_history(t text) RETURNS void LANGUAGE plpgsql AS
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
            INSERT INTO %I (%s, recorded_to, operation) VALUES (%s, now(), TG_OP);
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

DO
$$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY ['road', 'junction', 'road_element', 'element_event'] LOOP
        PERFORM install_history(t);
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION stamp_version()',
                       t || '_version', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION %I()',
                       t || '_history', t, t || '_record_history');
        -- The live rows now: what tiles, network operations, validations and builds read.
        EXECUTE format('CREATE VIEW %I AS SELECT * FROM %I WHERE live_at(valid_from, valid_to, now())', 'live_' || t, t);
    END LOOP;
END
$$;
