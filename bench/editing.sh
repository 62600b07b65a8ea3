#!/usr/bin/env bash
# Editing under load on Florence: single-attribute PATCHes (with If-Match, the neighbourhood re-validation and the
# tile purge every edit makes) by one editor, then by 16 editors each on its own element; bench/editing/EditLoad.java
# is the client (Java's HttpClient, one thread per editor) and checks that no update was lost. Florence is loaded
# from geodata/ as bench/features.sh does, into a throw-away cluster on loopback.
# Usage: bench/editing.sh [seconds per run, default 20]   (builds target/streetcad.jar when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup bench >/dev/null
command -v ogr2ogr >/dev/null || { echo "editing.sh needs ogr2ogr" >&2; exit 1; }
seconds=${1:-20}
pgport=${STREETCAD_BENCH_PG_PORT:-25434}; port=${STREETCAD_BENCH_PORT:-27073}; srid=6707; bench=editing
. bench/florence-cluster.sh
# 16 elements in the historic centre, every 20th by id, so that their neighbourhoods rarely overlap.
ids=$("${psql[@]}" -d cadastre -At -c "SELECT string_agg(id::text, ' ') FROM (SELECT id, row_number() OVER (ORDER BY id) AS n
  FROM road_element WHERE ST_Intersects(geom, ST_Transform(ST_MakeEnvelope(11.245, 43.765, 11.265, 43.778, 4326), $srid))) e
  WHERE n % 20 = 0 AND n <= 320")
key=$("$JAVA_HOME/bin/java" -jar target/streetcad.jar keys create --name bench --role editor --db-url "$url" | tail -n1)
echo "Florence: $("${psql[@]}" -d cadastre -At -c "SELECT count(*) FROM road_element") road elements; editing $ids"

serve_streetcad "$port"
base="http://127.0.0.1:$port"
first=${ids%% *}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (the machine is shared: compare within a run)"
"$JAVA_HOME/bin/java" bench/editing/EditLoad.java "$base" "$key" 10 $first >/dev/null   # warm-up
# The same machine's pace for a read of one item, as a yardstick for the figures below (16 connections).
echo -n "GET item (wrk, 16 conn): "; wrk -t2 -c16 -d10s --latency "$base/collections/road-elements/items/$first" \
  | awk '/Requests\/sec/ {rps = $2} $1 == "50%" {p50 = $2} END {printf "%.0f req/s, p50 %s\n", rps, p50}'
echo -n "1 editor:   "; "$JAVA_HOME/bin/java" bench/editing/EditLoad.java "$base" "$key" "$seconds" $first
echo -n "16 editors: "; "$JAVA_HOME/bin/java" bench/editing/EditLoad.java "$base" "$key" "$seconds" $ids
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
