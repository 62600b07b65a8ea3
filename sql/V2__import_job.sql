-- Bulk imports (importer capability): one row per import job, so that a job's state, progress and report
-- outlive the process that ran it and any StreetCad instance sharing the database can show them.
-- The staged features themselves live in one UNLOGGED table per job (named in staging_table), dropped on
-- commit or discard: they are scratch data that a crash may lose without harm.
CREATE TABLE import_job (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    state         text NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'staging', 'validated', 'committing', 'committed', 'discarded', 'failed')),
    source        text NOT NULL,
    layer         text,
    mode          text NOT NULL CHECK (mode IN ('append', 'replace', 'upsert')),
    -- for mode replace: the lon/lat area (minLon, minLat, maxLon, maxLat) whose elements are replaced; null = all
    area          double precision[] CHECK (area IS NULL OR cardinality(area) = 4),
    mapping       jsonb NOT NULL,
    progress      real NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    report        jsonb,
    error         text,
    staging_table text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
CREATE INDEX import_job_created ON import_job (created_at DESC);
