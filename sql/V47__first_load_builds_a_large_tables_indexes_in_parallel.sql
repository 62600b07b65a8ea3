-- A first load of a large table builds its B-tree indexes with PostgreSQL's parallel workers. V35 built every index
-- on the loading backend alone, because for Florence (road_element 14 MB) the workers' start-up doubled the
-- rebuild's CPU (BENCHMARKS.md, issue 17 session 12). For a million elements (361 MB) the rebuild is the end of the
-- commit, when the checks are done and a core is idle: one worker beside the backend took its six B-tree builds from
-- 3.7 s to 2.3 s, the whole rebuild from 12.8-13.1 s to 11.2-11.4 s (issue 17, session 20). PostgreSQL sizes the
-- workers by the table (none below min_parallel_table_scan_size, more as it grows, at most
-- max_parallel_maintenance_workers); the threshold is raised here so that a city's table stays below it. GiST
-- builds are not parallel in PostgreSQL 15 either way.
ALTER FUNCTION first_load_restore_indexes(regclass) RESET max_parallel_maintenance_workers;
ALTER FUNCTION first_load_restore_indexes(regclass) SET min_parallel_table_scan_size = '64MB';
