-- Every table a Features collection reads moves the data version (V10__data_version.sql) when a statement changes
-- it. Repeatable: Flyway runs it after all versioned migrations and again whenever this list changes, so add a table
-- here when a collection starts reading it. A table another engineer's migration has not created is skipped.
DO
$$
DECLARE
    t text;
BEGIN
    -- topology_exception: whether a derived issue of open_topology_issue (V28) is accepted.
    FOREACH t IN ARRAY ARRAY ['road_element', 'junction', 'road', 'element_event', 'topology_issue',
                              'topology_exception', 'measure', 'ordinance', 'works', 'works_phase'] LOOP
        CONTINUE WHEN to_regclass(t) IS NULL;
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_data_version', t);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION data_change_on_write()', t || '_data_version', t);
    END LOOP;
END
$$;
