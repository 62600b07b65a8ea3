#!/usr/bin/env bash
# Copies MapLibre GL JS VERSION from the npm registry into the web map's vendored assets (see VENDORED.md there).
set -euo pipefail
version=${1:?usage: scripts/vendor-maplibre.sh VERSION}
exec "$(dirname "$0")/vendor-npm.sh" maplibre-gl "$version" dist/maplibre-gl.js dist/maplibre-gl.css LICENSE.txt
