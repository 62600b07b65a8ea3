#!/usr/bin/env bash
# Viability under load on Florence, as the issue measures it: StreetCad serves the Florence sample (imported and
# built into a junction-to-junction network by `serve --load-sample`) from a throw-away cluster; 1,000 measures in
# force now and a year of 12,000 synthetic works sites are written in SQL; then wrk drives
#   routes      GET /network/route between random pairs of junctions of central Florence (car, now),
#   state       GET /network/state (now),
#   works       POST /collections/works/items of a new works site at a random place (insert + conflict check),
# and pgRouting's pgr_dijkstra answers the same route pairs in the same database for comparison.
# Usage: bench/viability.sh [seconds per run, default 15]   (builds target/streetcad.jar when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup bench >/dev/null
for tool in wrk psql; do command -v $tool >/dev/null || { echo "viability.sh needs $tool" >&2; exit 1; }; done
seconds=${1:-15}
pgport=${STREETCAD_BENCH_PG_PORT:-25442}; port=${STREETCAD_BENCH_PORT:-27081}; srid=6707; bench=viability
. bench/scratch-cluster.sh
started=$(date +%s)
serve_streetcad "$port" -- --load-sample geodata/florence-osm
echo "Florence served after $(( $(date +%s) - started )) s: $("${psql[@]}" -d cadastre -At -c "SELECT count(*) FROM road_element") elements"

# An operator's API key (V6 keeps its SHA-256), 1,000 measures in force now, a year of 12,000 works sites.
secret="sck_bench_operator_$(date +%s%N)"
"${psql[@]}" -d cadastre -c "INSERT INTO api_key (name, secret_sha256, roles, organisation, created_by)
  VALUES ('bench', sha256(convert_to('$secret', 'UTF8')), ARRAY['operator'], 'Comune di Firenze', 'bench')"
"${psql[@]}" -d cadastre <<'SQL'
SELECT setseed(0.14);
CREATE TEMP TABLE car AS SELECT id, length_m, geom FROM road_element
 WHERE status = 'in_use' AND element_type NOT IN ('pedestrian', 'cycleway') AND functional_class IS DISTINCT FROM 'F-bis';
WITH picked AS (SELECT id, length_m, row_number() OVER (ORDER BY random()) AS n FROM car),
     m AS (INSERT INTO measure (kind, status, valid_from, valid_to, value, location, organisation)
           SELECT CASE WHEN n % 10 < 6 THEN 'closure' WHEN n % 10 < 8 THEN 'one_way' ELSE 'speed_limit' END, 'in_force',
                  now() - interval '1 day', now() + interval '30 days', CASE WHEN n % 10 >= 8 THEN 20 END,
                  jsonb_build_object('elements', jsonb_build_array(jsonb_build_object('id', id))), 'bench'
           FROM picked WHERE n <= 1000 ORDER BY n RETURNING id, location)
INSERT INTO measure_element (measure_id, ordinal, element_id, from_m, to_m, direction)
SELECT m.id, 0, c.id, 0, c.length_m, CASE WHEN m.id % 2 = 0 THEN 'forward' ELSE 'both' END
FROM m JOIN car c ON c.id = (m.location -> 'elements' -> 0 ->> 'id')::bigint;
UPDATE measure m SET geom = ST_Multi(e.geom) FROM measure_element me JOIN road_element e ON e.id = me.element_id
 WHERE me.measure_id = m.id;
CREATE TEMP TABLE car_shuffled AS SELECT row_number() OVER (ORDER BY random()) AS n, geom FROM car;
WITH w AS (INSERT INTO works (organisation, permit, status, footprint)
           SELECT (ARRAY['Publiacqua', 'Toscana Energia', 'Open Fiber', 'Tramvia'])[1 + g % 4], 'SYN-' || g, 'approved',
                  ST_Multi(ST_Buffer(ST_LineInterpolatePoint(c.geom, 0.5), 10 + random() * 20))
           FROM generate_series(1, 12000) g JOIN car_shuffled c ON c.n = g
           RETURNING id)
INSERT INTO works_phase (works_id, ordinal, valid_from, valid_to, windows)
SELECT id, 0, t, t + (1 + floor(random() * 20)) * interval '1 day',
       CASE WHEN random() < 0.3 THEN '[{"days": ["MO", "TU", "WE", "TH", "FR"], "from": "08:00", "to": "17:00"}]'::jsonb
            ELSE '[]'::jsonb END
FROM (SELECT id, date_trunc('day', now()) + floor(random() * 365) * interval '1 day' AS t FROM w) x;
ANALYZE;
SQL
echo "measures in force: $("${psql[@]}" -d cadastre -At -c "SELECT count(*) FROM measure WHERE status = 'in_force'"); works: $("${psql[@]}" -d cadastre -At -c "SELECT count(*) FROM works")"

# 1,000 random pairs of junctions of central Florence that cars reach, as lon,lat.
"${psql[@]}" -d cadastre -c "CREATE TABLE bench_pair AS
  WITH j AS (SELECT DISTINCT from_junction AS id FROM road_element WHERE status = 'in_use'
             AND element_type NOT IN ('pedestrian', 'cycleway') AND functional_class IS DISTINCT FROM 'F-bis'
             AND ST_Intersects(geom, ST_Transform(ST_MakeEnvelope(11.215, 43.755, 11.290, 43.795, 4326), $srid))),
       n AS (SELECT j.id, ST_Transform(x.geom, 4326) g, row_number() OVER (ORDER BY md5(j.id::text)) k
             FROM j JOIN junction x ON x.id = j.id)
  SELECT a.k, a.id AS s, b.id AS t, round(ST_X(a.g)::numeric, 6) || ',' || round(ST_Y(a.g)::numeric, 6) AS from_ll,
         round(ST_X(b.g)::numeric, 6) || ',' || round(ST_Y(b.g)::numeric, 6) AS to_ll
  FROM n a JOIN n b ON b.k = a.k + 1000 WHERE a.k <= 1000"
"${psql[@]}" -d cadastre -At -F ' ' -o "$work/pairs.txt" -c "SELECT from_ll, to_ll FROM bench_pair ORDER BY k"
{ echo "local pairs = {"; awk '{printf "{\"%s\",\"%s\"},\n", $1, $2}' "$work/pairs.txt"; echo "}"
  cat <<'LUA'
local i = 0
request = function()
  i = i % #pairs + 1
  return wrk.format("GET", "/network/route?from=" .. pairs[i][1] .. "&to=" .. pairs[i][2])
end
LUA
} >"$work/route.lua"
cat >"$work/works.lua" <<LUA
local n = 0
request = function()
  n = n + 1
  local lon = 11.215 + math.random() * 0.075
  local lat = 43.755 + math.random() * 0.040
  local d = 0.0002
  local body = string.format('{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]},"properties":{"organisation":"Publiacqua","permit":"BENCH-%d","phases":[{"valid_from":"2027-03-01T07:00:00+01:00","valid_to":"2027-03-15T18:00:00+01:00","windows":[{"days":["MO","TU","WE","TH","FR"],"from":"08:00","to":"17:00"}]}]}}',
    lon-d, lat-d, lon+d, lat-d, lon+d, lat+d, lon-d, lat+d, lon-d, lat-d, n)
  return wrk.format("POST", "/collections/works/items", {["Content-Type"]="application/json", ["Authorization"]="Bearer $secret"}, body)
end
LUA

base="http://127.0.0.1:$port"
first=$(head -n1 "$work/pairs.txt")
t0=$(date +%s%N); curl -sf -o /dev/null "$base/network/route?from=${first% *}&to=${first#* }"
echo "first route (loads the graph if the warm-up has not): $(( ($(date +%s%N) - t0) / 1000000 )) ms"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (the machine is shared: compare within a run)"
ms() { awk -v p="$1" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) sub(/ms/, "", v); else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; printf "%.1f", v }'; }
run() { # name, connections, url, [script]
  local name=$1 c=$2 u=$3 script=${4:-}
  local out
  if [ -n "$script" ]; then out=$(wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"${seconds}s" --latency -s "$script" "$u")
  else out=$(wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"${seconds}s" --latency "$u"); fi
  local errors; errors=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '%-22s | %4d conn | %8s req/s | p50 %6s ms | p99 %6s ms | non-2xx %s\n' "$name" "$c" \
    "$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")" "$(ms 50% <<<"$out")" "$(ms 99% <<<"$out")" "${errors:-0}"
}
wrk -t2 -c4 -d5s -s "$work/route.lua" "$base" >/dev/null   # warm-up (JIT)
run "route (car, now)" 1 "$base" "$work/route.lua"
run "route (car, now)" 4 "$base" "$work/route.lua"
run "network/state (now)" 1 "$base/network/state"
run "network/state (now)" 4 "$base/network/state"
run "works POST + conflicts" 1 "$base" "$work/works.lua"
echo "works after the run: $("${psql[@]}" -d cadastre -At -c "SELECT count(*) FROM works")"

# pgRouting on the same pairs (the first 50), one pgr_dijkstra per pair as a server would call it.
"${psql[@]}" -d cadastre -c "CREATE EXTENSION IF NOT EXISTS pgrouting"
edges="SELECT id, from_junction AS source, to_junction AS target, CASE WHEN direction IN (''both'', ''forward'') THEN length_m ELSE -1 END AS cost, CASE WHEN direction IN (''both'', ''backward'') THEN length_m ELSE -1 END AS reverse_cost FROM road_element WHERE status = ''in_use'' AND element_type NOT IN (''pedestrian'', ''cycleway'') AND functional_class IS DISTINCT FROM ''F-bis''"
t0=$(date +%s%N)
"${psql[@]}" -d cadastre -At -c "SELECT count(*) FROM (SELECT s, t FROM bench_pair ORDER BY k LIMIT 50) p,
  LATERAL (SELECT max(agg_cost) FROM pgr_dijkstra('$edges', p.s, p.t)) d" >/dev/null
echo "pgr_dijkstra: $(( ($(date +%s%N) - t0) / 50000000 )) ms per route (graph read from road_element on each call)"
