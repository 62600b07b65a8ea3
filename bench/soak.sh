#!/usr/bin/env bash
# Soak (issue 16): one StreetCad (as the README runs it, heap capped at 1 GiB) over the Florence sample in a
# throw-away cluster on loopback, for N minutes under a mixed load at once:
#   reads  wrk, 8 connections, through bbox pages, tiles at zooms 12-16, single items and /collections (bench/soak/reads.lua)
#   edits  an editor PATCHes the speed limit of 20 elements by the Duomo in turn, with If-Match, twice a second
#   imports a technician uploads a 0.5 km² cut of the sample (mode upsert), waits for its validation, commits it, again
# Every minute it samples the server's resident memory, heap in use and the live data after the last old-generation
# collection, and every fifth minute the heap right after a full collection (the live set). It prints each kind's
# answers by status (any status but the expected ones is an unexpected error), the
# memory curve, and the server log's ERROR lines.
# Usage: bench/soak.sh [minutes, default 20]   (port STREETCAD_BENCH_PORT, default 7814)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup bench >/dev/null
for tool in wrk ogr2ogr curl python3; do command -v $tool >/dev/null || { echo "soak.sh needs $tool" >&2; exit 1; }; done
minutes=${1:-20}
port=${STREETCAD_BENCH_PORT:-7814}; srid=6707; bench=soak
. bench/florence-cluster.sh
loops=()
trap '[ ${#loops[@]} -gt 0 ] && kill "${loops[@]}" 2>/dev/null; cleanup' EXIT

serve_streetcad "$port" -Xmx1g
base="http://127.0.0.1:$port"
cli=("$JAVA_HOME/bin/java" -jar target/streetcad.jar)
editor=$("${cli[@]}" keys create --db-url "$url" --name soak-editor --role editor | tail -n1)
technician=$("${cli[@]}" keys create --db-url "$url" --name soak-technician --role technician | tail -n1)
json() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(d.get(sys.argv[1]) if d.get(sys.argv[1]) is not None else "")' "$1"; }

# Reads: pages and tiles over the centre, items by id, the collections.
"${psql[@]}" -d cadastre -At -c "SELECT id FROM road_element ORDER BY id LIMIT 200" >"$work/ids"
{
  for d in 0 1 2 3 4 5; do
    awk -v d=$d 'BEGIN { w = 11.240 + d * 0.005; s = 43.765 + d * 0.002;
      printf "/collections/road-elements/items?limit=100&bbox=%.4f,%.4f,%.4f,%.4f\n", w, s, w + 0.006, s + 0.004 }'
  done
  for z in 12 13 14 15 16; do
    python3 - "$z" <<'PY'
import math, sys
z = int(sys.argv[1]); n = 2 ** z
x = int((11.2560 + 180) / 360 * n); y = int((1 - math.asinh(math.tan(math.radians(43.7731))) / math.pi) / 2 * n)
for dx in (-1, 0, 1):
    for dy in (-1, 0, 1):
        print(f"/tiles/road-elements/{z}/{x + dx}/{y + dy}.mvt")
PY
  done
  sed -n '1~10p' "$work/ids" | sed 's|^|/collections/road-elements/items/|'
  echo /collections; echo /collections/road-elements
} >"$work/paths"

# Edits: elements by the Duomo, away from the imported cut.
"${psql[@]}" -d cadastre -At -c "SELECT id FROM road_element WHERE ST_Intersects(geom, ST_Transform(
  ST_MakeEnvelope(11.2540, 43.7720, 11.2580, 43.7745, 4326), $srid)) ORDER BY id LIMIT 20" >"$work/edit-ids"
edits() {
  local i=0
  while true; do
    for id in $(cat "$work/edit-ids"); do
      etag=$(curl -s -o /dev/null -D - -H "Authorization: Bearer $editor" "$base/collections/road-elements/items/$id" \
        | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
      i=$((i + 1))
      curl -s -o /dev/null -w 'patch %{http_code}\n' -X PATCH -H "Authorization: Bearer $editor" -H "If-Match: $etag" \
        -H 'Content-Type: application/merge-patch+json' -H 'X-Change-Reason: soak' \
        -d "{\"properties\": {\"speed_limit\": $((30 + 20 * (i % 2)))}}" "$base/collections/road-elements/items/$id"
      sleep 0.5
    done
  done
}

# Imports: a small cut of the sample, north-west of the centre.
mkdir -p "$work/cut"
ogr2ogr -f 'ESRI Shapefile' "$work/cut/cut.shp" geodata/florence-osm/florence_highways.shp -spat 11.2380 43.7800 11.2460 43.7840
(cd "$work/cut" && python3 -m zipfile -c ../cut.zip cut.shp cut.shx cut.dbf cut.prj)
await_state() { # $1 job href, then the states that end the wait; prints the state reached
  local state
  for _ in $(seq 1 600); do
    state=$(curl -s -H "Authorization: Bearer $technician" "$base$1" | json state)
    for s in "${@:2}"; do [ "$state" = "$s" ] && { echo "$state"; return; }; done
    sleep 0.5
  done
  echo "stuck:$state"
}
imports() {
  while true; do
    created=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $technician" -F file=@"$work/cut.zip" -F mapping=osm \
      -F mode=upsert "$base/imports")
    echo "import-post $(tail -n1 <<<"$created")"
    href=$(head -n1 <<<"$created" | json href)
    [ -z "$href" ] && { sleep 5; continue; }
    echo "import-staged $(await_state "$href" validated failed)"
    echo "import-commit $(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $technician" "$base$href/commit?skipInvalid=true")"
    echo "import-done $(await_state "$href" committed failed)"
    sleep 20
  done
}

heap_used() { curl -s "$base/metrics" | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {h += $NF} END {printf "%.0f", h / 1048576}'; }
memory() { # $1 minute: resident set, heap in use, live data after the last old-generation collection (MiB), and every
  # fifth minute the heap in use right after a full collection (jcmd GC.run): the live set, which a leak makes grow
  local rss heap live full=-
  rss=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' /proc/$server/status)
  read -r heap live < <(curl -s "$base/metrics" | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {h += $NF}
    /^jvm_gc_live_data_size_bytes/ {l = $NF} END {printf "%.0f %.0f\n", h / 1048576, l / 1048576}')
  if [ $(($1 % 5)) -eq 0 ] && [ "$1" -gt 0 ]; then
    "$JAVA_HOME/bin/jcmd" "$server" GC.run >/dev/null && full=$(heap_used)
  fi
  echo "$rss $heap $live $full"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $(wc -l <"$work/paths") read paths, $(wc -l <"$work/edit-ids") edited elements"
edits >"$work/edits.log" 2>&1 & loops+=($!)
imports >"$work/imports.log" 2>&1 & loops+=($!)
SOAK_PATHS="$work/paths" wrk -t2 -c8 -d"${minutes}m" --timeout 10s -s bench/soak/reads.lua "$base" >"$work/wrk.log" 2>&1 &
wrk=$!
echo "minute  rss_MiB  heap_MiB  live_after_gc_MiB  heap_after_full_gc_MiB" >"$work/memory"
for m in $(seq 0 "$minutes"); do
  echo "$m $(memory "$m")" >>"$work/memory"
  [ "$m" -lt "$minutes" ] && sleep 60
done
wait $wrk || true
kill "${loops[@]}" 2>/dev/null || true; loops=()
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "reads (wrk): $(awk '/Requests\/sec/ {print $2}' "$work/wrk.log") req/s; $(grep latency "$work/wrk.log")"
grep -E '^status|Socket errors|Non-2xx' "$work/wrk.log" | sed 's/^/  /'
echo "edits: $(awk '{print $2}' "$work/edits.log" | sort | uniq -c | awk '{printf "%s x%s  ", $2, $1}')"
echo "imports: $(sort "$work/imports.log" | uniq -c | awk '{printf "%s %s x%s  ", $2, $3, $1}')"
unexpected_reads=$(awk '/^status/ && $2 != 200 {n += $3} END {print n + 0}' "$work/wrk.log")
unexpected_edits=$(awk '$2 != 200 {n++} END {print n + 0}' "$work/edits.log")
unexpected_imports=$(grep -cEv '^import-(post 202|staged validated|commit 202|done committed)$' "$work/imports.log" || true)
echo "unexpected: reads $unexpected_reads, edits $unexpected_edits, import steps $unexpected_imports; server log ERROR lines: $(grep -c 'ERROR' "$work/server-$port.log" || true)"
echo "memory by minute:"; column -t "$work/memory" | sed 's/^/  /'
