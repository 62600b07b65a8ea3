#!/usr/bin/env bash
# Time from navigation to the first road elements drawn by the web map, from Chromium's performance timeline,
# against StreetCad serving the Florence sample. Usage: bench/webmap-first-draw.sh [runs] [width] [height]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup bench >/dev/null
mvn -q -B -ntp test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
exec "$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  it.firenze.streetcad.web.WebMapFirstDrawBench "${1:-5}" "${2:-1400}" "${3:-900}"
