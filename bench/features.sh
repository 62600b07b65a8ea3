#!/usr/bin/env bash
# OGC API Features and network operations under load, beside the same SQL straight in PostGIS, in one run:
# wrk (8 connections) against a local StreetCad, then pgbench (8 clients) with bench/features/*.sql, the
# statements the server sends (captured with log_statement = all). Florence is loaded from geodata/ with
# ogr2ogr and src/test/resources/florence/osm-to-cadastre.sql into a throw-away cluster.
# Usage: bench/features.sh [seconds per run, default 10] [rounds, default 3; medians are reported] [access]
#   (builds target/streetcad.jar when missing). With "access" it measures what authentication costs instead: bbox
#   pages anonymously and with an API key, alternating in the same run, and the time of a password login.
#   STREETCAD_BENCH_QUERIES="bbox varied" runs only those (default: bbox varied filter nearest item).
#   STREETCAD_BENCH_SPLIT_CORES=1 runs PostgreSQL on core 0 and the server, wrk and pgbench on the other cores: both
#   sides then get the same PostgreSQL, which no longer shares its core with the server's JVM or the client.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup bench >/dev/null
for tool in wrk ogr2ogr pgbench; do command -v $tool >/dev/null || { echo "features.sh needs $tool" >&2; exit 1; }; done
seconds=${1:-10}; rounds=${2:-3}; mode=${3:-features}
# Checked before the cluster is made and loaded, which takes a minute.
all_queries="bbox varied filter nearest item"; queries=${STREETCAD_BENCH_QUERIES:-$all_queries}
for q in $queries; do [[ " $all_queries " == *" $q "* ]] || { echo "unknown query $q ($all_queries)" >&2; exit 1; }; done
pgport=${STREETCAD_BENCH_PG_PORT:-25432}; port=${STREETCAD_BENCH_PORT:-27071}; srid=6707; bench=features
. bench/florence-cluster.sh
item=$("${psql[@]}" -d cadastre -At -c "SELECT min(id) FROM road_element WHERE ST_Intersects(geom,
  ST_Transform(ST_MakeEnvelope(11.2529, 43.7708, 11.2591, 43.7754, 4326), $srid))")
echo "Florence: $("${psql[@]}" -d cadastre -At -c "SELECT count(*) FROM road_element") road elements; item id $item"

serve_streetcad "$port"

base="http://127.0.0.1:$port"
declare -A urls=(
  [bbox]="$base/collections/road-elements/items?limit=100&bbox=11.2529,43.7708,11.2591,43.7754"
  [filter]="$base/collections/road-elements/items?limit=100&filter=functional_class%20%3D%20%27F%27%20AND%20S_INTERSECTS(geometry%2C%20BBOX(11.2498%2C%2043.7686%2C%2011.2622%2C%2043.7776))"
  [nearest]="$base/network/nearest?point=11.2558,43.7731"
  [item]="$base/collections/road-elements/items/$item"
  [varied]="$base"
)
# wrk's request script per query: varied draws a different 500 m box on every request (bench/features/varied.sql
# draws pgbench's alike)
declare -A scripts=([varied]=bench/features/varied-bbox.lua)
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (the machine is shared: compare within a run)$([ ${#on_db_core[@]} -gt 0 ] && echo "; PostgreSQL on core 0, the rest on ${on_app_cores[2]}")"
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
if [ "$mode" = access ]; then
  cli=("$JAVA_HOME/bin/java" -jar target/streetcad.jar)
  key=$("${cli[@]}" keys create --db-url "$url" --name bench --role viewer | tail -n1)
  printf 'bench password 2026\n' | "${cli[@]}" users add bench --role viewer --password-stdin --db-url "$url" >/dev/null
  auth=(-H "Authorization: Bearer $key")
  [ "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "${urls[bbox]}")" = 200 ] || { echo "the key was refused" >&2; exit 1; }
  wrk -t2 -c8 -d15s "${urls[bbox]}" >/dev/null; wrk -t2 -c8 -d15s "${auth[@]}" "${urls[bbox]}" >/dev/null
  anonymous=(); keyed=()
  for round in $(seq 1 "$rounds"); do  # alternate, so that both see the same neighbours' load
    anonymous+=("$(wrk -t2 -c8 -d"${seconds}s" "${urls[bbox]}" | awk '/Requests\/sec/ {printf "%.0f", $2}')")
    w=$(wrk -t2 -c8 -d"${seconds}s" "${auth[@]}" "${urls[bbox]}")
    if grep -q 'Non-2xx' <<<"$w"; then echo "keyed requests failed: $w" >&2; exit 1; fi
    keyed+=("$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$w")")
  done
  a=$(median "${anonymous[@]}"); k=$(median "${keyed[@]}")
  echo "bbox items: anonymous ${anonymous[*]} req/s (median $a); with an API key ${keyed[*]} (median $k): $(awk -v a="$a" -v k="$k" 'BEGIN {printf "%.1f", 100 * k / a}')% of anonymous"
  login() { curl -s -o /dev/null -w '%{time_total}\n' -H 'Content-Type: application/json' -d "{\"username\": \"$1\", \"password\": \"$2\"}" "$base/auth/login"; }
  ok=(); for i in $(seq 1 30); do ok+=("$(login bench 'bench password 2026' | awk '{printf "%.0f", $1 * 1000}')"); done
  # Distinct unknown names: each name's own count stays below the throttle, the address's too (15 < 20).
  unknown=(); for i in $(seq 1 15); do unknown+=("$(login "nobody$i" 'bench password 2026' | awk '{printf "%.0f", $1 * 1000}')"); done
  p95=$(printf '%s\n' "${ok[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int(NR*0.95)]}')
  echo "login (Argon2id): median $(median "${ok[@]}") ms, p95 $p95 ms over 30; unknown name: median $(median "${unknown[@]}") ms over 15"
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
ms() { awk -v p="$1" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) sub(/ms/, "", v); else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; printf "%.1f", v }'; }
pgb() { # $1 query, $2 seconds, then extra pgbench options
  local q=$1 s=$2; shift 2
  # The server has PostgreSQL plan the page and nearest statements with their values on every run (unnamed
  # statements, Sql.preparePlannedWithValues): pgbench's extended mode does the same; an item by id is prepared once.
  local mode=extended; [ "$q" = item ] && mode=prepared
  (cd "$work" && "${on_app_cores[@]}" pgbench -h 127.0.0.1 -p $pgport -U postgres -n -M $mode -c 8 -j 2 -T "$s" -D srid=$srid \
    -D id="$item" -D class=F -D "wkt=POLYGON ((11.2498 43.7686, 11.2498 43.7776, 11.2622 43.7776, 11.2622 43.7686, 11.2498 43.7686))" "$@" -f "$OLDPWD/bench/features/$q.sql" cadastre 2>&1)
}
# Warm-up: C2 needs a good minute under this load before the server's figures settle.
for q in $queries; do
  curl -sf -o /dev/null "${urls[$q]}" || { echo "$q: ${urls[$q]} failed" >&2; exit 1; }
  "${on_app_cores[@]}" wrk -t2 -c8 -d15s ${scripts[$q]:+-s "${scripts[$q]}"} "${urls[$q]}" >/dev/null
  pgb "$q" 3 >/dev/null
done
printf '%-8s | %-30s | %-30s | %s\n' query "server (wrk, 8 conn)" "PostGIS (pgbench, 8 clients)" "server/db p50, req/s"
for q in $queries; do
  w_rps=(); w_p50=(); w_p99=(); p_tps=(); p_p50=(); p_p99=()
  for round in $(seq 1 "$rounds"); do  # alternate the two so that both see the same neighbours' load
    w=$("${on_app_cores[@]}" wrk -t2 -c8 -d"${seconds}s" --latency ${scripts[$q]:+-s "${scripts[$q]}"} "${urls[$q]}")
    w_rps+=("$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$w")"); w_p50+=("$(ms 50% <<<"$w")"); w_p99+=("$(ms 99% <<<"$w")")
    errors=$(awk '/Non-2xx|Socket errors/' <<<"$w")
    if [ -n "$errors" ]; then echo "$q: $errors" >&2; fi
    rm -f "$work"/pgbench_log.*
    p=$(pgb "$q" "$seconds" -l)
    p_tps+=("$(awk '/^tps/ {printf "%.0f", $3}' <<<"$p")")
    read -r a b < <(cat "$work"/pgbench_log.* | awk '{print $3}' | sort -n \
      | awk '{v[NR]=$1} END {printf "%.1f %.1f\n", v[int(NR*0.5)]/1000, v[int(NR*0.99)]/1000}')
    p_p50+=("$a"); p_p99+=("$b")
  done
  rm -f "$work"/pgbench_log.*
  wp50=$(median "${w_p50[@]}"); pp50=$(median "${p_p50[@]}")
  wrps=$(median "${w_rps[@]}"); ptps=$(median "${p_tps[@]}")
  printf '%-8s | %5s req/s p50 %5s p99 %5s ms | %5s tx/s p50 %5s p99 %5s ms | %sx, %sx\n' "$q" \
    "$wrps" "$wp50" "$(median "${w_p99[@]}")" "$ptps" "$pp50" "$(median "${p_p99[@]}")" \
    "$(awk -v a="$wp50" -v b="$pp50" 'BEGIN {printf "%.2f", a / b}')" "$(awk -v a="$wrps" -v b="$ptps" 'BEGIN {printf "%.2f", a / b}')"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
