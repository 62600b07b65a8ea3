-- An import of raw lines (OSM ways, a survey) may ask for its network to be built once committed, over HTTP as with
-- the CLI's --build-network: the job remembers it between staging and the commit, which may run in another process.
ALTER TABLE import_job ADD COLUMN build_network boolean NOT NULL DEFAULT false;
