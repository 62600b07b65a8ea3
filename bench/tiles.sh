#!/usr/bin/env bash
# Tiles over central Florence, z12–z17: uncached and cached tiles/s with wrk (p50/p99), bytes per tile raw and
# gzip, and the database's own time for plain ST_AsMVT / ST_AsGeoJSON tile queries (pgbench) in the same run.
# The four detail-zoom (z15) tiles around the Duomo are measured uncached on their own too.
# Each line also gives the CPU per tile of the JVM and of PostgreSQL, read from /proc over the run.
# Usage: bench/tiles.sh [seconds per run]   (needs target/streetcad.jar, wrk, gdal-bin, PostgreSQL + PostGIS)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup bench >/dev/null
secs=${1:-15}
pgport=${STREETCAD_BENCH_PG_PORT:-17433}
port=${STREETCAD_BENCH_PORT:-17080}
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
work=$(mktemp -d /var/tmp/streetcad-tiles.XXXX)
chmod 755 "$work"
server=""
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  as_postgres "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] && chown postgres "$work"

# A private cluster with the Florence sample (ogr2ogr + the test fixture's mapping) until the importer lands.
as_postgres "$pgbin/initdb" -D "$work/pg" -A trust -U streetcad >/dev/null
as_postgres "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -o "-p $pgport -k $work -c listen_addresses=127.0.0.1" start >/dev/null
psql="psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $pgport -U streetcad"
$psql -d postgres -c "CREATE DATABASE bench" >/dev/null
db_url="postgresql://streetcad@127.0.0.1:$pgport/bench"
"$JAVA_HOME/bin/java" -jar target/streetcad.jar migrate --db-url "$db_url" >/dev/null 2>&1
PG_USE_COPY=YES ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=$pgport dbname=bench user=streetcad" \
  geodata/florence-osm/florence_highways.shp -nln osm_highway -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=NONE -nlt LINESTRING
$psql -d bench -v srid=6707 -f src/test/resources/tiles/florence.sql
$psql -d bench -c "VACUUM ANALYZE"

# Every tile z12–z17 over the historic centre (lon 11.235–11.275, lat 43.760–43.785): as a map user
# browsing it asks for them, many more at street zooms than at overview zooms.
$psql -d bench -At -F ' ' -c "
  CREATE TABLE bench_tile AS
  SELECT row_number() OVER () AS i, z, x, y FROM generate_series(12, 17) z,
    LATERAL (SELECT floor((11.235 + 180) / 360 * 2 ^ z)::int AS x0, floor((11.275 + 180) / 360 * 2 ^ z)::int AS x1,
                    floor((1 - ln(tan(radians(43.785)) + 1 / cos(radians(43.785))) / pi()) / 2 * 2 ^ z)::int AS y0,
                    floor((1 - ln(tan(radians(43.760)) + 1 / cos(radians(43.760))) / pi()) / 2 * 2 ^ z)::int AS y1) r,
    LATERAL generate_series(x0, x1) x, LATERAL generate_series(y0, y1) y;
  SELECT z, count(*) FROM bench_tile GROUP BY z ORDER BY z" | awk '{printf "z%s: %s tiles  ", $1, $2} END {print ""}'
tiles=$($psql -d bench -At -c "SELECT count(*) FROM bench_tile")
for f in mvt geojson; do
  $psql -d bench -At -c "SELECT format('/tiles/road-elements/%s/%s/%s.$f', z, x, y) FROM bench_tile ORDER BY i" >"$work/paths.$f"
done

serve() { # $1 cache MB
  STREETCAD_TILES_CACHE_MB=$1 "$JAVA_HOME/bin/java" -jar target/streetcad.jar serve --host 127.0.0.1 --port $port \
    --db-url "$db_url" >"$work/serve.log" 2>&1 &
  server=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/ready"; do
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
  done
}
stop_server() { kill -TERM "$server"; wait "$server" || true; server=""; }
. bench/cpu-ticks.sh  # ticks, pg_pid: CPU per tile holds on a shared machine, where tiles/s and latencies do not
load() { # $1 label, $2 format
  local j0 p0 j1 p1
  j0=$(ticks $server); p0=$(ticks $(pg_pid))
  TILES_PATHS="$work/paths.$2" wrk -t2 -c8 -d"${secs}s" --latency -s bench/tiles.lua -H 'Accept-Encoding: gzip' \
    "http://127.0.0.1:$port" >"$work/wrk.out"
  j1=$(ticks $server); p1=$(ticks $(pg_pid))
  awk -v label="$1" -v java=$((j1 - j0)) -v pg=$((p1 - p0)) '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /Non-2xx/ {bad=$NF} / requests in / {n=$1}
    END {printf "%-28s %10s tiles/s  p50 %8s  p99 %8s  CPU per tile: java %5.2f ms, pg %5.2f ms%s\n", label, rps, p50, p99,
         java * 10 / n, pg * 10 / n, bad ? "  NON-2XX: " bad : ""}' "$work/wrk.out"
}

echo "== StreetCad, $tiles tiles, wrk -t2 -c8 -d${secs}s, Accept-Encoding: gzip"
serve 0
# Warm first, so that "uncached" means no tile cache, not a cold JIT: after a single pass over the tiles (the
# bench's warming until 2026-12-05) C2 was still compiling through the first measured run, a third of the JVM's CPU
# in it. STREETCAD_BENCH_WARM seconds of the same load per format (default: as long as a measured run).
for f in mvt geojson; do
  TILES_PATHS="$work/paths.$f" wrk -t2 -c8 -d"${STREETCAD_BENCH_WARM:-$secs}s" -s bench/tiles.lua -H 'Accept-Encoding: gzip' \
    "http://127.0.0.1:$port" >/dev/null
done
load "uncached mvt" mvt
load "uncached geojson" geojson
# The detail-zoom tiles a staff member looks at after editing a street by the Duomo: the four z15 tiles around it.
duomo="15/17408/11943 15/17409/11943 15/17408/11944 15/17409/11944"
for f in mvt geojson; do
  for t in $duomo; do echo "/tiles/road-elements/$t.$f"; done >"$work/paths.duomo-$f"
done
echo "Duomo z15 tiles, elements: $(for t in $duomo; do curl -s -o /dev/null -D - "http://127.0.0.1:$port/tiles/road-elements/$t.mvt" |
  awk -v t=$t 'tolower($1) == "streetcad-tile-features:" {printf "%s %d  ", t, $2}'; done)"
load "uncached duomo z15 mvt" duomo-mvt
load "uncached duomo z15 geojson" duomo-geojson
stop_server
serve 256
for f in mvt geojson; do xargs -a "$work/paths.$f" -I{} curl -s -o /dev/null "http://127.0.0.1:$port{}"; done
load "cached mvt" mvt
load "cached geojson" geojson

echo "== bytes per tile (mean / max), raw and gzip"
for f in mvt geojson; do
  while read -r p; do
    raw=$(curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port$p")
    gz=$(curl -s -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$p")
    echo "$p $raw $gz"
  done <"$work/paths.$f" | awk -v f=$f '{split($1, a, "/"); z=a[4]; n[z]++; r[z]+=$2; g[z]+=$3; if ($2>mr[z]) mr[z]=$2; if ($3>mg[z]) mg[z]=$3}
    END {for (z=12; z<=17; z++) if (n[z]) printf "%-8s z%d: raw %8.0f / %8d B   gzip %8.0f / %8d B\n", f, z, r[z]/n[z], mr[z], g[z]/n[z], mg[z]}'
done
duomo14=$(curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port/tiles/road-elements/14/8704/5971.geojson")
echo "z14 over the Duomo (14/8704/5971) as GeoJSON: $duomo14 B"
stop_server

# The database alone: what a plain SQL tile server runs for the same tiles (every element, clipped with the same
# buffer, no zoom filter, no simplification beyond ST_AsMVTGeom's), with the same 8 clients.
echo "== PostgreSQL alone, pgbench -c8 -j2 -T$secs over the same $tiles tiles"
cat >"$work/mvt.sql" <<SQL
\set i random(1, $tiles)
SELECT ST_AsMVT(t, 'road-elements', 4096, 'geom', 'id') FROM (
  SELECT e.id, e.functional_class, e.level, ST_AsMVTGeom(ST_Transform(e.geom, 3857), ST_TileEnvelope(b.z, b.x, b.y), 4096, 256, true) AS geom
  FROM bench_tile b JOIN road_element e ON e.geom && ST_Transform(ST_TileEnvelope(b.z, b.x, b.y, margin => 0.0625), 6707)
  WHERE b.i = :i) t;
SQL
cat >"$work/geojson.sql" <<SQL
\set i random(1, $tiles)
SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(json_build_object('type', 'Feature', 'id', e.id,
  'geometry', ST_AsGeoJSON(ST_Transform(ST_ClipByBox2D(ST_Transform(e.geom, 3857), ST_TileEnvelope(b.z, b.x, b.y, margin => 0.0625)), 4326), 6)::json,
  'properties', json_build_object('id', e.id, 'functional_class', e.functional_class, 'level', e.level))))
FROM bench_tile b JOIN road_element e ON e.geom && ST_Transform(ST_TileEnvelope(b.z, b.x, b.y, margin => 0.0625), 6707)
WHERE b.i = :i;
SQL
for f in mvt geojson; do
  p0=$(ticks $(pg_pid))
  "$pgbin/pgbench" -n -h 127.0.0.1 -p $pgport -U streetcad -c8 -j2 -T"$secs" -f "$work/$f.sql" bench 2>/dev/null >"$work/pgbench.out"
  p1=$(ticks $(pg_pid))
  awk -v f=$f -v pg=$((p1 - p0)) '/latency average/ {lat=$4" "$5} /^tps/ {tps=$3} /actually processed/ {split($NF, a, "/"); n=a[1]}
    END {printf "%-28s %10.1f tiles/s  latency average %s  CPU per tile: pg %5.2f ms\n", "SQL " f, tps, lat, pg * 10 / n}' "$work/pgbench.out"
done
