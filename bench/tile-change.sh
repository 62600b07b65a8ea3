#!/usr/bin/env bash
# What a tile's ETag costs as the change log's history grows, and after its compaction (issue 16): in a throw-away
# cluster with the cadastre schema, N changes (short lines scattered over Florence, as edits log them, all older than
# the retention) are written to tile_change; pgbench then runs the data-version query a tile's ETag is made from
# (TileQueries.VERSION_SQL) for a z15 tile by the Duomo and a z12 tile over the city, before and after
# compact_tile_changes (V16) replaced them by one row per 1 km cell.
# Usage: bench/tile-change.sh [changes, default 200000] [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup bench >/dev/null
changes=${1:-200000}; seconds=${2:-10}
srid=6707; bench=tile-change
. bench/scratch-cluster.sh
"$JAVA_HOME/bin/java" -jar target/streetcad.jar migrate --db-url "$url" --storage-srid $srid >/dev/null 2>&1
"${psql[@]}" -d cadastre -c "INSERT INTO tile_change (source, extent, changed_at)
  SELECT 'road_element', ST_Transform(ST_SetSRID(ST_MakeLine(ST_MakePoint(x, y), ST_MakePoint(x + 0.001, y + 0.0005)), 4326), 3857),
         now() - interval '2 days'
  FROM (SELECT 11.20 + random() * 0.12 AS x, 43.74 + random() * 0.07 AS y FROM generate_series(1, $changes)) p;
  ANALYZE tile_change"
cat >"$work/version.sql" <<'EOF'
SELECT count(*), coalesce(max(id), 0) FROM tile_change, ST_TileEnvelope(:z, :x, :y, margin => 0.0625) AS area
WHERE extent && area AND ST_Intersects(extent, area);
EOF
run() { # $1 z, $2 x, $3 y: transactions per second and mean latency
  (cd "$work" && pgbench -h 127.0.0.1 -p $pgport -U postgres -n -M prepared -c 2 -j 2 -T "$seconds" \
    -D z="$1" -D x="$2" -D y="$3" -f version.sql cadastre 2>&1) \
    | awk '/latency average/ {l = $4} /^tps/ {t = $3} END {printf "%.0f/s (%.2f ms)", t, l}'
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
rows() { "${psql[@]}" -d cadastre -At -c "SELECT count(*) FROM tile_change"; }
echo "history: $(rows) rows; ETag query z15 by the Duomo $(run 15 17408 11943), z12 over the city $(run 12 2176 1492)"
start=$(date +%s.%N)
compacted=$("${psql[@]}" -d cadastre -At -c "SELECT compact_tile_changes(interval '24 hours')")
echo "compacted $compacted rows in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}') s"
echo "compacted: $(rows) rows; ETag query z15 by the Duomo $(run 15 17408 11943), z12 over the city $(run 12 2176 1492)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
