#!/usr/bin/env bash
# Reads a synthetic N-line shapefile (default 1,000,000) with the StreetCad reader in JVMs capped at 512 MB and at
# 64 MB of heap, and with GDAL's ogrinfo (every feature read, geometry summarised, output discarded) as a
# reference in the same run.
# Usage: bench/reader.sh [lines]   (needs python3 and gdal-bin; builds the test classes)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup bench >/dev/null
lines=${1:-1000000}
work=$(mktemp -d /var/tmp/streetcad-reader.XXXX)
trap 'rm -rf "$work"' EXIT

python3 bench/make_synthetic_shapefile.py "$work" "$lines" >/dev/null
du -sh "$work"/synthetic_roads.shp "$work"/synthetic_roads.dbf
mvn -q -B -ntp test-compile dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" >/dev/null 2>&1
classpath="target/classes:target/test-classes:$(cat "$work/classpath.txt")"

for heap in 512m 64m; do
  echo "StreetCad reader, -Xmx$heap:"
  /usr/bin/time -f "  wall_s=%e max_rss_kb=%M" "$JAVA_HOME/bin/java" -Xmx$heap -cp "$classpath" \
    it.firenze.streetcad.importer.shapefile.ReadAll "$work/synthetic_roads.shp" | sed 's/^/  /'
done
echo "GDAL ogrinfo -al -geom=SUMMARY to /dev/null:"
/usr/bin/time -f "  wall_s=%e max_rss_kb=%M" ogrinfo -ro -al -q -geom=SUMMARY "$work/synthetic_roads.shp" >/dev/null
