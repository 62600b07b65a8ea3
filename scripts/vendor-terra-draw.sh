#!/usr/bin/env bash
# Copies Terra Draw VERSION and its MapLibre adapter ADAPTER_VERSION (UMD builds, which define the globals
# terraDraw and terraDrawMaplibreGlAdapter) into the web map's vendored assets (see VENDORED.md there).
set -euo pipefail
version=${1:?usage: scripts/vendor-terra-draw.sh VERSION ADAPTER_VERSION}
adapter=${2:?usage: scripts/vendor-terra-draw.sh VERSION ADAPTER_VERSION}
"$(dirname "$0")/vendor-npm.sh" terra-draw "$version" dist/terra-draw.umd.js package.json
"$(dirname "$0")/vendor-npm.sh" terra-draw-maplibre-gl-adapter "$adapter" dist/terra-draw-maplibre-gl-adapter.umd.js package.json
