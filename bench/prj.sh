#!/usr/bin/env bash
# How long finding EPSG codes in .prj texts takes with Apache SIS: PrjCrs.warmUp() in a fresh JVM (opens SIS's
# embedded EPSG database), then the first and the cached lookup of each .prj in src/test/resources/prj.
# Usage: bench/prj.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup bench >/dev/null
work=$(mktemp -d /var/tmp/streetcad-prj.XXXX)
trap 'rm -rf "$work"' EXIT
mvn -q -B -ntp test-compile dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" >/dev/null 2>&1
"$JAVA_HOME/bin/java" -cp "target/classes:target/test-classes:$(cat "$work/classpath.txt")" \
  it.firenze.streetcad.importer.shapefile.PrjLookupTimes src/test/resources/prj 2>/dev/null
