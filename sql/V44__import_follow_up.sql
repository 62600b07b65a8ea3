-- When a committed import's follow-up ended: its check's findings recorded as the open issues and the seams judged
-- again, or its network built. NULL while it runs, so that a client loading deliveries can tell when the open issues
-- answer for the import (GET /imports/{id}: followUp). A follow-up cut off by a stop is ended by the lease sweep.
ALTER TABLE import_job ADD COLUMN followed_up_at timestamptz;
UPDATE import_job SET followed_up_at = finished_at WHERE state = 'committed';
