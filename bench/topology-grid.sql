-- A synthetic junction-to-junction grid: :n x :n junctions 100 m apart, 2 n (n - 1) elements (n = 708: 1,001,112).
INSERT INTO junction (id, geom, kind, degree)
SELECT i * :n + j + 1, ST_SetSRID(ST_MakePoint(600000 + i * 100.0, 4800000 + j * 100.0), :srid), 'intersection',
       (CASE WHEN i IN (0, :n - 1) THEN 1 ELSE 2 END) + (CASE WHEN j IN (0, :n - 1) THEN 1 ELSE 2 END)
FROM generate_series(0, :n - 1) i, generate_series(0, :n - 1) j;
SELECT setval(pg_get_serial_sequence('junction', 'id'), :n * :n);
INSERT INTO road_element (geom, from_junction, to_junction, source_key)
SELECT ST_SetSRID(ST_MakeLine(ST_MakePoint(600000 + i * 100.0, 4800000 + j * 100.0),
                              ST_MakePoint(600000 + (i + 1) * 100.0, 4800000 + j * 100.0)), :srid),
       i * :n + j + 1, (i + 1) * :n + j + 1, 'grid:east'
FROM generate_series(0, :n - 2) i, generate_series(0, :n - 1) j
UNION ALL
SELECT ST_SetSRID(ST_MakeLine(ST_MakePoint(600000 + i * 100.0, 4800000 + j * 100.0),
                              ST_MakePoint(600000 + i * 100.0, 4800000 + (j + 1) * 100.0)), :srid),
       i * :n + j + 1, i * :n + j + 2, 'grid:north'
FROM generate_series(0, :n - 1) i, generate_series(0, :n - 2) j;
ANALYZE road_element;
ANALYZE junction;
