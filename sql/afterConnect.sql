-- Run by Flyway on each connection it migrates with (a callback, not a migration: no version, no checksum).
-- PostgreSQL's notices (V7's "column … already exists, skipping" from IF NOT EXISTS) reach Flyway as warnings and
-- were logged as such, sixteen on a first start; PostgreSQL's own warnings and errors still come through.
SET client_min_messages = warning;
