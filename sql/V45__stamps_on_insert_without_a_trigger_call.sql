-- A new row's stamps (recorded_from, changed_by, changed_by_org, changed_via, change_reason) come from the columns'
-- defaults, and V7's stamp_version() runs on an INSERT only when a row arrives with other stamps than those. Calling
-- the PL/pgSQL trigger on every inserted row was 3.5-4 s of an INSERT of 1,000,000 road elements (9.7 s with the
-- call against 5.8 s with no trigger, and 5.2-5.9 s with the defaults and the guarded call; BENCHMARKS.md, issue 17,
-- session 19), the INSERT a million-line import's commit runs. What a row is stamped with does not change: a writer
-- that names another author or another recorded time still has them replaced, by the same function. An UPDATE calls
-- it as before (it counts the version up).

-- Who a write is recorded as made by, through what and why: the settings the server binds in each writing
-- transaction. Without an author bound (a psql session) the database user is the author. One definition, read by
-- stamp_version(), the columns' defaults and the guard below; SQL functions, so that PostgreSQL inlines them there.
CREATE FUNCTION recorded_author() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT coalesce(nullif(current_setting('streetcad.actor', true), ''), 'db:' || session_user) $$;
CREATE FUNCTION recorded_organisation() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('streetcad.organisation', true), '') $$;
CREATE FUNCTION recorded_via() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('streetcad.via', true), '') $$;
CREATE FUNCTION recorded_reason() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('streetcad.reason', true), '') $$;

SELECT rewrite_function('stamp_version()',
    'coalesce(nullif(current_setting(''streetcad.actor'', true), ''''), ''db:'' || session_user)', 'recorded_author()');
SELECT rewrite_function('stamp_version()', 'nullif(current_setting(''streetcad.organisation'', true), '''')',
    'recorded_organisation()');
SELECT rewrite_function('stamp_version()', 'nullif(current_setting(''streetcad.via'', true), '''')', 'recorded_via()');
SELECT rewrite_function('stamp_version()', 'nullif(current_setting(''streetcad.reason'', true), '''')', 'recorded_reason()');

-- Every table stamp_version() stamps (recorded_from's default is now() already, V7 and V11_1): <t>_version stays its
-- UPDATE trigger (the same name, so the same place among the table's BEFORE triggers), <t>_version_insert its INSERT
-- trigger, called only for a row whose stamps differ.
DO
$$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
             WHERE g.tgfoid = 'stamp_version()'::regprocedure AND g.tgname = c.relname || '_version' ORDER BY c.relname LOOP
        EXECUTE format('ALTER TABLE %I ALTER changed_by SET DEFAULT recorded_author(), '
                       'ALTER changed_by_org SET DEFAULT recorded_organisation(), '
                       'ALTER changed_via SET DEFAULT recorded_via(), ALTER change_reason SET DEFAULT recorded_reason()', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_version', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION stamp_version()',
                       t || '_version', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON %I FOR EACH ROW WHEN (NEW.recorded_from IS DISTINCT FROM now() '
                       'OR (NEW.changed_by, NEW.changed_by_org, NEW.changed_via, NEW.change_reason) IS DISTINCT FROM '
                       '(recorded_author(), recorded_organisation(), recorded_via(), recorded_reason())) '
                       'EXECUTE FUNCTION stamp_version()', t || '_version_insert', t);
    END LOOP;
END
$$;
