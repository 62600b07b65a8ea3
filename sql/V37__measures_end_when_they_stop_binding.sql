-- A measure's validity is when it binds on the street (V7's valid time), also when it stops binding early. Until
-- now an early expiry or a revocation changed only the status, and the network at an instant read only measures in
-- force: expiring a week's closure today took it out of /network/state, routes, tiles and conflicts at yesterday's
-- instants too, so "what was binding at 10:00 yesterday" changed after the fact. From here the status change also
-- ends the validity, in the database so that every writer (the API, an ordinance carrying its status, psql) does
-- it: an in-force measure that expires or is revoked ends then, as a retired cadastre row does (retirement(): one
-- not begun never holds); a draft revoked, or expired with its ordinance, never held (an empty validity); one
-- already ended keeps its end. The validity the order stated stays in measure_history.

-- An empty validity (valid_to = valid_from) is a measure that never held, as V7 allows for the cadastre's rows.
DO
$$
BEGIN
    EXECUTE (SELECT string_agg(format('ALTER TABLE measure DROP CONSTRAINT %I', conname), '; ')
             FROM pg_constraint WHERE conrelid = 'measure'::regclass AND contype = 'c'
             AND pg_get_constraintdef(oid) LIKE '%valid_to > valid_from%');
END
$$;
ALTER TABLE measure ADD CONSTRAINT measure_validity_order CHECK (valid_to IS NULL OR valid_to >= valid_from);

CREATE FUNCTION end_measure_when_it_stops_binding() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    IF NEW.status IN ('expired', 'revoked') THEN
        NEW.valid_to := CASE OLD.status WHEN 'in_force' THEN retirement(OLD.valid_from, OLD.valid_to)
                                        WHEN 'draft' THEN OLD.valid_from
                                        ELSE OLD.valid_to END;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER measure_ends_when_it_stops_binding BEFORE UPDATE OF status ON measure FOR EACH ROW
    WHEN (NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION end_measure_when_it_stops_binding();

-- The measures expired or revoked before this migration: one that was ever in force ended when it first became
-- expired or revoked (the recorded start of that version), one never in force never held. A new version, with its
-- author and reason, so the history shows who ended them and why.
SELECT set_config('streetcad.actor', 'migration V37', true),
       set_config('streetcad.reason', 'the validity of an expired or revoked measure ends when it stopped binding', true);
UPDATE measure m
SET valid_to = e.ends
FROM (SELECT x.id,
             CASE WHEN bool_or(v.status = 'in_force')
                  THEN least(coalesce(x.valid_to, 'infinity'),
                             greatest(min(v.recorded_from) FILTER (WHERE v.status IN ('expired', 'revoked')), x.valid_from))
                  ELSE x.valid_from END AS ends
      FROM measure x
      JOIN (SELECT id, status, recorded_from FROM measure_history
            UNION ALL SELECT id, status, recorded_from FROM measure) v ON v.id = x.id
      WHERE x.status IN ('expired', 'revoked')
      GROUP BY x.id) e
WHERE e.id = m.id AND m.valid_to IS DISTINCT FROM e.ends;
