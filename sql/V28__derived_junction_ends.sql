-- Issue 17: an element's end without a junction ("the element's start has no from junction") is derived from the
-- cadastre, not stored. road_element.from_junction / to_junction IS NULL already says it; storing it as a finding
-- was 59% of Florence's recorded findings and 98.8% of a 1,000,000-line import's, most of the recording's cost,
-- and the rows went stale as soon as a network build set the junctions. The "is X m from its junction" variant
-- (a measurement, not a column) is still stored by the validations that find it.
--
-- open_topology_issue is what every reader of the issues reads (the issues API, the topology-issues Features
-- collection and tile layer, the counts): the stored findings, and one row per NULL end of a live element
-- (live_road_element, V7's one definition of "live").
--
-- Ids: a stored finding's id comes from topology_issue's identity column (positive). A derived row's id is
-- -2 * element id for the start and -2 * element id - 1 for the end: negative, so it never meets a stored one,
-- stable while the element keeps its id, and two branches each ordered by an index, so that keyset pages
-- (ORDER BY id, id > ?) read an index scan per branch merged, not every NULL end sorted.
--
-- Fingerprint: md5 of the rule, the end and the element's geometry (EWKB): the same while the geometry is
-- unchanged, like the Java findings' (Validator.Fingerprints: SHA-256 of the rule, the place and the elements'
-- WKT, first 16 bytes in hex, also 32 hex digits). It is defined here alone (unjoined_end_fingerprint): Java
-- reads it from this view or this function (accepting an issue by id, an edit's raised and closed findings), never
-- computes it.
-- accepted: the fingerprint is an accepted exception (topology_exception), which outlives the rows. Asked only when
-- some exception of the rule exists (one look, an InitPlan): otherwise a count of the open issues (the metrics'
-- gauge, a filter on accepted) would hash every NULL end's geometry, 2,000,000 of them after an unbuilt
-- 1,000,000-line import.

-- The explanation of an end without a junction, and its fingerprint (above). The rest of a derived row is the
-- view's: rule endpoint-off-junction, severity error, parameters {"end": "start"|"end"}, the end point as its
-- location, the element as element_ids, no junction, no validation, found when the element's version was recorded.
CREATE FUNCTION unjoined_end_explanation(which text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT 'the element''s ' || which || ' has no ' || CASE which WHEN 'start' THEN 'from' ELSE 'to' END || ' junction' $$;
CREATE FUNCTION unjoined_end_fingerprint(which text, geom geometry) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT md5('endpoint-off-junction/' || which || '/' || encode(ST_AsEWKB(geom), 'hex')) $$;

-- Each derived branch is parenthesised with its own ORDER BY: PostgreSQL 15 wraps an expression output (the
-- negative id) of a union's flattened branch in a placeholder that no index matches, and then sorted every NULL
-- end for a first page (40 ms a branch on Florence); a branch with its ORDER BY stays a subquery whose index
-- order the union's Merge Append uses, and filters on id or location still reach its indexes.
CREATE VIEW open_topology_issue AS
SELECT i.id, i.rule, i.severity, i.explanation, i.parameters, i.location, i.element_ids, i.junction_ids,
       i.fingerprint, i.accepted, i.validation_id, i.found_at
FROM topology_issue i
UNION ALL
(SELECT -2 * e.id, 'endpoint-off-junction', 'error', unjoined_end_explanation('start'), '{"end": "start"}'::jsonb,
        ST_StartPoint(e.geom), ARRAY[e.id], '{}'::bigint[], unjoined_end_fingerprint('start', e.geom),
        EXISTS (SELECT 1 FROM topology_exception x WHERE x.rule = 'endpoint-off-junction')
            AND EXISTS (SELECT 1 FROM topology_exception x WHERE x.fingerprint = unjoined_end_fingerprint('start', e.geom)),
        NULL::bigint, e.recorded_from
 FROM live_road_element e
 WHERE e.from_junction IS NULL
 ORDER BY -2 * e.id)
UNION ALL
(SELECT -2 * e.id - 1, 'endpoint-off-junction', 'error', unjoined_end_explanation('end'), '{"end": "end"}'::jsonb,
        ST_EndPoint(e.geom), ARRAY[e.id], '{}'::bigint[], unjoined_end_fingerprint('end', e.geom),
        EXISTS (SELECT 1 FROM topology_exception x WHERE x.rule = 'endpoint-off-junction')
            AND EXISTS (SELECT 1 FROM topology_exception x WHERE x.fingerprint = unjoined_end_fingerprint('end', e.geom)),
        NULL::bigint, e.recorded_from
 FROM live_road_element e
 WHERE e.to_junction IS NULL
 ORDER BY -2 * e.id - 1);

-- Partial indexes over the NULL ends only (a built network has none, so they cost its writes nothing): the id
-- order of each branch (keyset pages, the list's ORDER BY id) and its location (bbox filters, tiles).
CREATE INDEX road_element_unjoined_start_id ON road_element ((-2 * id)) WHERE from_junction IS NULL;
CREATE INDEX road_element_unjoined_end_id ON road_element ((-2 * id - 1)) WHERE to_junction IS NULL;
CREATE INDEX road_element_unjoined_start_at ON road_element USING gist (ST_StartPoint(geom)) WHERE from_junction IS NULL;
CREATE INDEX road_element_unjoined_end_at ON road_element USING gist (ST_EndPoint(geom)) WHERE to_junction IS NULL;

-- The rows stored before: an accepted one's acceptance carries over to its derived row's fingerprint (when its
-- element is still there), then they go.
INSERT INTO topology_exception (fingerprint, rule, note)
SELECT DISTINCT ON (1) unjoined_end_fingerprint(i.parameters ->> 'end', e.geom), i.rule, x.note
FROM topology_issue i
JOIN topology_exception x ON x.fingerprint = i.fingerprint
JOIN road_element e ON e.id = i.element_ids[1]
WHERE i.rule = 'endpoint-off-junction' AND NOT i.parameters ? 'distance_m'
ON CONFLICT (fingerprint) DO NOTHING;
DELETE FROM topology_issue WHERE rule = 'endpoint-off-junction' AND NOT parameters ? 'distance_m';
