#!/usr/bin/env bash
# Runs StreetCad on a fresh Debian/Ubuntu machine: installs what is missing, builds, starts the embedded
# PostGIS (data in ./data), loads the Florence sample on first start and serves on http://localhost:7070/.
# Extra arguments go to `streetcad serve` (see `./streetcad serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup run
mvn -q -B -DskipTests package
# The sample is imported only into a cadastre without road elements (set STREETCAD_LOAD_SAMPLE= to skip it).
export STREETCAD_LOAD_SAMPLE=${STREETCAD_LOAD_SAMPLE-geodata/florence-osm}
exec "$JAVA_HOME/bin/java" -jar target/streetcad.jar serve "$@"
