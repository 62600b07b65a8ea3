-- Versioned like the cadastre's tables (V7__temporal.sql): every write stamps its recorded time and author, an
-- update bumps the version, and the replaced or deleted row goes to <table>_history. Stretches are written once
-- with their measure and never changed, so they need no history of their own.
DO
$$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY ['ordinance', 'works', 'measure'] LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN recorded_from timestamptz NOT NULL DEFAULT now(), '
                       'ADD COLUMN changed_by text, ADD COLUMN changed_by_org text, ADD COLUMN changed_via text, '
                       'ADD COLUMN change_reason text', t);
        EXECUTE format('CREATE TABLE %I (LIKE %I)', t || '_history', t);
        EXECUTE format('ALTER TABLE %I ADD COLUMN recorded_to timestamptz NOT NULL, ADD COLUMN operation text NOT NULL',
                       t || '_history');
        EXECUTE format('CREATE INDEX %I ON %I (id, recorded_from)', t || '_history_id', t || '_history');
        PERFORM install_history(t);
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION stamp_version()',
                       t || '_version', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION %I()',
                       t || '_history', t, t || '_record_history');
    END LOOP;
END
$$;
