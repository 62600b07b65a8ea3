-- Jobs (ops): imports, network builds and validations keep their own tables (and routes), with one lease each
-- and one view that shows them all with one set of states.
--
-- A running job's row names the StreetCad instance running it (lease_owner) and until when that instance vouches
-- for it (lease_until); the instance renews the lease while it works. A job in a running state whose lease has
-- expired lost its instance (killed, cut off from the database): any instance then ends it truthfully. Each job's
-- outcome is written in the same transaction as its work, so a job still in a running state wrote nothing, except
-- where its state says the work is done and only a follow-up (a re-validation) was running.
ALTER TABLE import_job ADD COLUMN lease_owner text, ADD COLUMN lease_until timestamptz;
ALTER TABLE network_build ADD COLUMN lease_owner text, ADD COLUMN lease_until timestamptz;
ALTER TABLE topology_validation ADD COLUMN lease_owner text, ADD COLUMN lease_until timestamptz;
CREATE INDEX import_job_running ON import_job (lease_until) WHERE state IN ('queued', 'staging', 'committing');
CREATE INDEX network_build_running ON network_build (lease_until) WHERE state IN ('queued', 'building', 'validating');
CREATE INDEX topology_validation_running ON topology_validation (lease_until) WHERE status = 'running';

-- Every job with the one set of states: queued -> running -> succeeded | failed | cancelled, and an import's
-- 'validated' pause before its commit. 'phase' keeps the kind's own word; progress is 0-1 everywhere.
CREATE VIEW job AS
SELECT 'import-' || id AS id, 'import' AS kind,
       CASE state WHEN 'queued' THEN 'queued' WHEN 'staging' THEN 'running' WHEN 'committing' THEN 'running'
                  WHEN 'validated' THEN 'validated' WHEN 'committed' THEN 'succeeded' WHEN 'discarded' THEN 'cancelled'
                  ELSE 'failed' END AS state,
       state AS phase,
       CASE WHEN state = 'committed' THEN 1 ELSE progress / 100 END AS progress,
       report -> 'committed' AS summary, error, '/imports/' || id AS href,
       created_at, finished_at, lease_owner, lease_until
FROM import_job
UNION ALL
SELECT 'build-' || id, 'network-build',
       CASE state WHEN 'queued' THEN 'queued' WHEN 'building' THEN 'running' WHEN 'validating' THEN 'running'
                  WHEN 'failed' THEN 'failed' ELSE 'succeeded' END,
       state, progress, summary, error, '/network/builds/' || id,
       created_at, finished_at, lease_owner, lease_until
FROM network_build
UNION ALL
SELECT 'validation-' || id, 'validation',
       CASE status WHEN 'running' THEN 'running' ELSE status END,
       status, progress, counts, error, '/topology/validations/' || id,
       started_at, finished_at, lease_owner, lease_until
FROM topology_validation;
