-- Open issues are found by fingerprint only for equality: an acceptance (`WHERE fingerprint = ?`), an edit's
-- re-validation (`fingerprint = ANY (?)`, a bitmap scan OR-ed with the element_ids GIN) and an import's recording
-- (`IN (SELECT fingerprint …)`). Fingerprints are digests, so a btree on them took each recorded finding to a random
-- leaf and compared whole strings on the way down: 0.3 s of the 2.1 s of backend CPU an import's recording of
-- Florence's 112,516 findings took. A hash index answers the same lookups and stores a 4-byte hash per row: the same
-- INSERT costs 0.14-0.31 s less (BENCHMARKS.md, issue 17, session 8). Nothing sorts or ranges over fingerprints.
DROP INDEX topology_issue_fingerprint;
CREATE INDEX topology_issue_fingerprint ON topology_issue USING hash (fingerprint);
