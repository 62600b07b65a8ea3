-- Network builds started over HTTP (topology capability): one row per job, so that its state, progress and
-- preview outlive the process that ran it and every StreetCad instance sharing the database shows them.
-- One build runs at a time across instances: the running job holds a session advisory lock (see TopologyStore),
-- which PostgreSQL releases when its process dies, so a crash never leaves the network locked.
CREATE TABLE network_build (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    state         text NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'building', 'validating', 'previewed', 'applied', 'failed')),
    apply         boolean NOT NULL,
    -- the lon/lat area (minLon, minLat, maxLon, maxLat) whose elements are built; null = all
    area          double precision[] CHECK (area IS NULL OR cardinality(area) = 4),
    tolerance     double precision NOT NULL CHECK (tolerance >= 0),
    progress      real NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    summary       jsonb,
    -- the element changes as a GeoJSON FeatureCollection in CRS84: proposed by a preview, made by an apply
    changes       json,
    -- the re-validation of the neighbourhood an apply changed
    validation_id bigint REFERENCES topology_validation (id) ON DELETE SET NULL,
    error         text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
