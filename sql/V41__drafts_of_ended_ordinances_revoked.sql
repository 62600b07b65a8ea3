-- An ordinance that ends (expired or revoked) revokes its draft measures: a draft can never come into force under
-- an ended ordinance, and draft -> expired is no step of a measure's lifecycle (Viability.measuresCarried). Until
-- now an ordinance's expiry left its drafts draft for good. The drafts of ordinances ended before this migration
-- are revoked here, as a new version with its author and reason; V37's trigger gives each an empty validity (it
-- never held).
SELECT set_config('streetcad.actor', 'migration V41', true),
       set_config('streetcad.reason', 'a draft measure of an ended ordinance can never come into force', true);
UPDATE measure
SET status = 'revoked'
WHERE status = 'draft'
  AND ordinance_id IN (SELECT id FROM ordinance WHERE status IN ('expired', 'revoked'));
