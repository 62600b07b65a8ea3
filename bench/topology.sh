#!/usr/bin/env bash
# Full topology validation of the Florence network and of a synthetic grid (default 1,000,000 elements), by
# `streetcad validate` (heap capped at 2 GB) and by the equivalent checks in PostGIS SQL (bench/topology-checks.sql),
# in the same run on a scratch PostgreSQL cluster of its own.
# Usage: bench/topology.sh [grid-side n: 2 n (n - 1) elements, default 708; 0 = Florence only]
# (builds target/streetcad.jar if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup bench >/dev/null
n=${1:-708}
PG=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
[ -f target/streetcad.jar ] || mvn -q -B -ntp package -DskipTests
work=$(mktemp -d /var/tmp/streetcad-topology.XXXX)
chmod 755 "$work"
chown postgres "$work"
port=$(( 20000 + RANDOM % 20000 ))
runuser -u postgres -- "$PG/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
runuser -u postgres -- "$PG/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start \
  -o "-p $port -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=512MB -c max_wal_size=4GB -c work_mem=64MB" >/dev/null
trap 'runuser -u postgres -- "$PG/pg_ctl" -D "$work/pg" -m fast stop >/dev/null; rm -rf "$work"' EXIT
psql() { "$PG/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }
streetcad() { "$JAVA_HOME/bin/java" -Xmx2g -jar target/streetcad.jar "$@"; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

measure() { # $1 database; prints the engine's wall time, then the SQL's and the ratio
  local db=$1 url="postgresql://postgres@127.0.0.1:$port/$1" t0 t1 t2
  t0=$(ms)
  streetcad validate --db-url "$url" --format csv >"$work/$db.csv" 2>"$work/$db.summary" || true
  t1=$(ms)
  echo "== $db: $(( $(grep -c . "$work/$db.csv") - 1 )) findings"
  echo "   streetcad validate (JVM start to exit): $((t1 - t0)) ms — $(tail -n1 "$work/$db.summary")"
  psql -d "$db" -f bench/topology-checks.sql >"$work/$db.sql.txt"
  t2=$(ms)
  echo "   PostGIS SQL checks:                     $((t2 - t1)) ms — ratio SQL / streetcad: $(awk "BEGIN {printf \"%.1f\", ($t2 - $t1) / ($t1 - $t0)}")"
  sed 's/^/   sql /' "$work/$db.sql.txt" | grep -v '^   sql *$'
}

psql -d postgres -c "CREATE DATABASE florence" -c "CREATE DATABASE grid"
streetcad migrate --db-url "postgresql://postgres@127.0.0.1:$port/florence" >/dev/null 2>&1
streetcad migrate --db-url "postgresql://postgres@127.0.0.1:$port/grid" >/dev/null 2>&1

PG_USE_COPY=YES ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=$port dbname=florence user=postgres" \
  geodata/florence-osm/florence_highways.shp -nln florence_raw -nlt MULTILINESTRING -lco SPATIAL_INDEX=NONE
psql -d florence -f src/test/resources/topology/osm-lines-to-road-elements.sql -c "DROP TABLE florence_raw"
t0=$(ms)
streetcad network build --db-url "postgresql://postgres@127.0.0.1:$port/florence" 2>/dev/null
echo "   network build of Florence (JVM start to exit): $(( $(ms) - t0 )) ms"
psql -d florence -c "VACUUM ANALYZE road_element" -c "VACUUM ANALYZE junction"
measure florence

[ "$n" -gt 0 ] || exit 0
psql -d grid -v n="$n" -v srid=6707 -f bench/topology-grid.sql
psql -d grid -c "VACUUM ANALYZE road_element"
measure grid
