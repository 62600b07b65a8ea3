#!/usr/bin/env bash
# Warm-up: how long after `streetcad serve` starts the server answers at full speed, without and with the JDK's AOT
# cache (scripts/aot.sh) and with the server's own warm-up before /ready (serve --warm-up 30, as behind a load
# balancer), in one run. Florence is loaded into a throw-away cluster (bench/florence-cluster.sh), the cache is made
# by the same training run as scripts/run.sh's, then each start is timed: from the JVM's start to /ready, then at
# once `wrk -t2 -c8 --latency` with a different 500 m bbox page on every request (bench/features/varied-bbox.lua) in
# 1-second buckets for the first SECONDS. Steady state is the median p99 of the
# last 20 buckets of every start in the run; full speed is reached when the first bucket begins from which p99 stays
# within 1.5× of it for 5 buckets in a row. Starts alternate (no cache and AOT cache as scripts/run.sh starts the
# server, with scripts/serve.jvmopts; the AOT cache without that file; then the AOT cache with --warm-up 30), so that
# all see the same neighbours.
# Usage: bench/warmup.sh [seconds per start, default 60] [rounds, default 2]   (builds target/streetcad.jar when missing)
#        STREETCAD_BENCH_C1=1 adds a fifth start: the AOT cache with C1 alone.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup bench >/dev/null
for tool in wrk ogr2ogr curl; do command -v $tool >/dev/null || { echo "warmup.sh needs $tool" >&2; exit 1; }; done
seconds=${1:-60}; rounds=${2:-2}
[ "$seconds" -ge 30 ] || { echo "warmup.sh: at least 30 seconds per start (the last 20 are the steady state)" >&2; exit 2; }
pgport=${STREETCAD_BENCH_PG_PORT:-25434}; port=${STREETCAD_BENCH_PORT:-27073}; srid=6707; bench=warmup
. bench/florence-cluster.sh
. scripts/aot.sh
. bench/cpu-ticks.sh
java="$JAVA_HOME/bin/java"; jar=target/streetcad.jar; cache="$work/streetcad.aot"
streetcad_aot_cache "$java" "$jar" "$cache" --db-url "$url"
[ -f "$cache" ] || { echo "warmup.sh: no AOT cache was made (see $cache.log)" >&2; exit 1; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (the machine is shared: compare within a run)"

ms() { awk -v p="$1" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) sub(/ms/, "", v); else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; printf "%.1f", v }'; }
# start LABEL WARM_UP_SECONDS [java options…]: one start; appends "label start ready_ms bucket_end_ms p99_ms
# req/s requests jvm_ticks pg_ticks" lines to $work/buckets (CPU of the server and of PostgreSQL over the bucket)
start() {
  local label=$1 warm=(--warm-up "$2") t0 ready s w now j0 j1 p0 p1 pgs; shift 2
  t0=$(date +%s%N)
  "$java" "$@" -jar "$jar" serve --host 127.0.0.1 --port "$port" --db-url "$url" "${warm[@]}" >"$work/server-$label.log" 2>&1 &
  server=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/ready"; do
    kill -0 $server 2>/dev/null || { cat "$work/server-$label.log" >&2; exit 1; }
    sleep 0.02
  done
  ready=$((($(date +%s%N) - t0) / 1000000))
  pgs="$(pg_pid) $(pgrep -P "$(pg_pid)" | tr '\n' ' ')"  # the read pool's backends stay open
  for s in $(seq 1 "$seconds"); do
    j0=$(ticks_of $server); p0=$(ticks_of $pgs)
    w=$(wrk -t2 -c8 -d1s --latency -s bench/features/varied-bbox.lua "http://127.0.0.1:$port")
    j1=$(ticks_of $server); p1=$(ticks_of $pgs)
    now=$((($(date +%s%N) - t0) / 1000000))
    echo "$label $round $ready $now $(ms 99% <<<"$w") $(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$w")" \
      "$(awk '/ requests in / {print $1}' <<<"$w") $((j1 - j0)) $((p1 - p0))" >>"$work/buckets"
  done
  kill -TERM $server; wait $server 2>/dev/null || true; server=""
}
: >"$work/buckets"
for round in $(seq 1 "$rounds"); do
  start no-cache 0 "$streetcad_serve_jvmopts"
  streetcad_serve_options "$jar" "$cache"
  start aot-cache 0 "${streetcad_serve_opts[@]}"
  grep -m3 '\[aot' "$work/server-aot-cache.log" >&2 || true  # a cache the JVM refused says why here
  streetcad_aot_options "$jar" "$cache"
  start aot-no-opts 0 "${streetcad_aot_opts[@]}"  # what scripts/serve.jvmopts gives, same run
  start aot+warm-up 30 "${streetcad_serve_opts[@]}"
  grep -h 'warmed up' "$work/server-aot+warm-up.log" >&2 || true
  # STREETCAD_BENCH_C1=1: also the AOT cache with C1 alone (-XX:TieredStopAtLevel=1, BENCHMARKS.md "warm-up"): no C2
  # to wait for, at a higher CPU per page for good
  if [ "${STREETCAD_BENCH_C1:-0}" = 1 ]; then start aot-c1 0 "${streetcad_serve_opts[@]}" -XX:TieredStopAtLevel=1; fi
done

steady=$(awk -v n="$seconds" '{i[$1 FS $2]++} i[$1 FS $2] > n - 20 {print $5}' "$work/buckets" | sort -g \
  | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
echo "steady state: p99 $steady ms (median of the last 20 one-second buckets of every start); full speed: p99 <= $(awk -v s="$steady" 'BEGIN {printf "%.1f", 1.5 * s}') ms for 5 buckets in a row"
printf '%-12s %5s | %8s | %13s | %-14s | %-21s | %s\n' start round "ready" "full speed" "req/s 1-10/last 20" \
  "CPU ms/page JVM, PG" "p99 of the first 10 buckets (ms)"
echo "(CPU per page: buckets 1-5 / the last 20, in ms of CPU of the server JVM and of PostgreSQL; robust to the neighbours)"
awk -v limit="$(awk -v s="$steady" 'BEGIN {print 1.5 * s}')" '
  { key = $1 FS $2; if (!(key in n)) order[++runs] = key; k = ++n[key]; ready[key] = $3; end[key, k] = $4
    p99[key, k] = $6 > 0 ? $5 : 1e9; rps[key, k] = $6  # a second in which no request finished is no full speed
    req[key, k] = $7; jvm[key, k] = $8; pg[key, k] = $9 }
  END {
    for (r = 1; r <= runs; r++) {
      key = order[r]; full = "never"
      for (k = 1; k <= n[key] - 4; k++) {
        ok = 1; for (j = k; j < k + 5; j++) if (p99[key, j] > limit) ok = 0
        if (ok) { full = sprintf("%.1f s", (k == 1 ? ready[key] : end[key, k - 1]) / 1000); break }
      }
      first = ""; for (k = 1; k <= 10 && k <= n[key]; k++) first = first " " (p99[key, k] < 1e9 ? p99[key, k] : "none")
      early = 0; late = 0; for (k = 1; k <= n[key]; k++) if (k <= 10) early += rps[key, k]; else if (k > n[key] - 20) late += rps[key, k]
      rq1 = j1 = p1 = rq2 = j2 = p2 = 0
      for (k = 1; k <= n[key]; k++) {
        if (k <= 5) { rq1 += req[key, k]; j1 += jvm[key, k]; p1 += pg[key, k] }
        if (k > n[key] - 20) { rq2 += req[key, k]; j2 += jvm[key, k]; p2 += pg[key, k] }
      }
      cpu = sprintf("%.1f/%.1f, %.1f/%.1f", 10 * j1 / (rq1 ? rq1 : 1), 10 * j2 / (rq2 ? rq2 : 1), 10 * p1 / (rq1 ? rq1 : 1), 10 * p2 / (rq2 ? rq2 : 1))
      split(key, part, FS)
      printf "%-12s %5s | %6.1f s | %13s | %5.0f / %5.0f  | %-21s |%s\n", part[1], part[2], ready[key] / 1000, full, early / 10, late / 20, cpu, first
    }
  }' "$work/buckets"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${STREETCAD_BENCH_KEEP:-}" ]; then cp "$work/buckets" "$STREETCAD_BENCH_KEEP"; fi
