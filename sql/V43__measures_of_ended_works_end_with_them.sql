-- A works site that ends carries its end to its measures, as an ordinance's end does (Viability.measuresCarried):
-- completed, its measures in force expire and its drafts are revoked; rejected or cancelled, both are revoked. Until
-- now completion changed no measure, so a finished site's closure kept closing the street (network state, routes,
-- tiles, the DATEX II feed) until the end it stated; and until session 13 a measure could still be placed for a site
-- already ended. Those measures end here, from the instant their works site ended (the recorded start of its first
-- version in that status), as V37 ended the measures expired or revoked before it: what bound before then stays.

-- When a works site in the given status ended: the recorded start of its first version in that status when it is one
-- no step leads on from (completed, rejected, cancelled); null while it is proposed or approved. A site is at work
-- during its phases until then: the works collection's validity, the works conflicts at an instant and this
-- migration's measures all end there. (A status of the row in hand, so that a row read as of a past instant, still
-- approved then, has not ended.)
CREATE FUNCTION works_ended(site bigint, in_status text) RETURNS timestamptz LANGUAGE sql STABLE AS
$$
SELECT min(v.recorded_from)
FROM (SELECT h.status, h.recorded_from FROM works_history h WHERE h.id = site
      UNION ALL SELECT w.status, w.recorded_from FROM works w WHERE w.id = site) v
WHERE in_status IN ('completed', 'rejected', 'cancelled') AND v.status = in_status
$$;

-- When a phase (its validity) of the works site `site` in `in_status` is at work: its dates, up to the site's end once it
-- has ended; empty for a site ended before the phase began.
CREATE FUNCTION works_phase_at_work(validity tstzrange, site bigint, in_status text) RETURNS tstzrange
    LANGUAGE sql STABLE AS
$$ SELECT validity * tstzrange(NULL, works_ended(site, in_status)) $$;

SELECT set_config('streetcad.actor', 'migration V43', true),
       set_config('streetcad.reason', 'the measures of a works site that has ended end with it', true);

CREATE TEMPORARY TABLE ended_works ON COMMIT DROP AS
SELECT w.id, w.status, works_ended(w.id, w.status) AS ended
FROM works w
WHERE w.status IN ('completed', 'rejected', 'cancelled');

-- The end first, as retirement() gives it at the site's end rather than now (V37's trigger, on the status below,
-- ends a measure in force now and keeps an end already past). Both versions share this transaction's recorded
-- instant, so the first spans no recorded time (V7's stamp_version).
UPDATE measure m
SET valid_to = least(coalesce(m.valid_to, 'infinity'), greatest(e.ended, m.valid_from))
FROM ended_works e
WHERE m.works_id = e.id AND m.status = 'in_force'
  AND m.valid_to IS DISTINCT FROM least(coalesce(m.valid_to, 'infinity'), greatest(e.ended, m.valid_from));

UPDATE measure m
SET status = CASE WHEN e.status = 'completed' AND m.status = 'in_force' THEN 'expired' ELSE 'revoked' END
FROM ended_works e
WHERE m.works_id = e.id AND m.status IN ('draft', 'in_force');
