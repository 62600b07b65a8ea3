#!/usr/bin/env bash
# The read API's costs that issue 15 names, on the Florence sample, in one run against one local StreetCad:
#   /collections (p50 must be <= 5 ms), an items page and its ETag revalidation (304, no page query), a deep page
#   by offset against the same page by keyset (after=), and GDAL's ogr2ogr of the whole road-elements collection
#   into a GeoPackage.
# Usage: bench/conformance.sh [seconds per wrk run, default 10]   (builds target/streetcad.jar when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup bench >/dev/null
for tool in wrk ogr2ogr curl; do command -v $tool >/dev/null || { echo "conformance.sh needs $tool" >&2; exit 1; }; done
seconds=${1:-10}
port=${STREETCAD_BENCH_PORT:-27073}
[ -f target/streetcad.jar ] || mvn -q -B -ntp package -DskipTests
work=$(mktemp -d /var/tmp/streetcad-conformance.XXXX)
chmod 755 "$work"
server=""
cleanup() {
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$JAVA_HOME/bin/java" -jar target/streetcad.jar serve --host 127.0.0.1 --port $port --data-dir "$work/data" \
  --load-sample geodata/florence-osm >"$work/server.log" 2>&1 &
server=$!
until curl -sf -o /dev/null "http://127.0.0.1:$port/ready" && grep -q "StreetCad serving" "$work/server.log"; do
  kill -0 $server 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 1
done
base="http://127.0.0.1:$port"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (the machine is shared: compare within a run)"
curl -s -o /dev/null "$base/collections"   # the first call computes and keeps the extents
page="$base/collections/road-elements/items?limit=100&bbox=11.2529,43.7708,11.2591,43.7754"
etag=$(curl -s -D - -o /dev/null "$page" | tr -d '\r' | sed -n 's/^ETag: //Ip')
run() { # name, then wrk arguments; $clients connections (8 unless set)
  local name=$1 c=${clients:-8}; shift
  wrk -t"$(( c < 2 ? c : 2 ))" -c"$c" -d"${seconds}s" --latency "$@" | awk -v n="$name" '
    /Requests\/sec/ { rps = $2 } / 50%/ { p50 = $2 } / 99%/ { p99 = $2 } /Non-2xx/ { non2xx = $5 }
    END { printf "%-28s %10s req/s   p50 %8s   p99 %8s%s\n", n, rps, p50, p99, (non2xx ? "   non-2xx " non2xx : "") }'
}
# The p50 target is a client's wait: one connection. Eight show what two cores serve.
clients=1 run "/collections, 1 client" "$base/collections"
run "/collections" "$base/collections"
run "items page (200)" "$page"
run "items revalidation (304)" -H "If-None-Match: $etag" "$page"
run "page at offset=73000" "$base/collections/road-elements/items?limit=100&offset=73000"
after=$(curl -s "$base/collections/road-elements/items?limit=1&sortby=id&offset=73000" | sed -n 's/.*"features":\[{"type":"Feature","id":\([0-9]*\).*/\1/p')
run "page at after=$after" "$base/collections/road-elements/items?limit=100&after=$after"
start=$(date +%s.%N)
ogr2ogr -f GPKG "$work/road-elements.gpkg" "OAPIF:$base/collections/road-elements" -oo PAGE_SIZE=10000
end=$(date +%s.%N)
echo "ogr2ogr of road-elements (PAGE_SIZE=10000): $(ogrinfo -so "$work/road-elements.gpkg" road-elements | sed -n 's/Feature Count: //p') features in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
