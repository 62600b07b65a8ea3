#!/usr/bin/env bash
# Copies MapLibre GL JS VERSION from the npm registry into the web map's vendored assets (see VENDORED.md there).
set -euo pipefail
version=${1:?usage: scripts/vendor-maplibre.sh VERSION}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "maplibre-gl@$version" >/dev/null && tar xzf "maplibre-gl-$version.tgz")
dest="$root/src/main/resources/web/map/vendor/maplibre-gl-$version"
mkdir -p "$dest"
cp "$work/package/dist/maplibre-gl.js" "$work/package/dist/maplibre-gl.css" "$work/package/LICENSE.txt" "$dest/"
echo "vendored into $dest; sha256 of the tarball: $(sha256sum "$work/maplibre-gl-$version.tgz" | cut -d' ' -f1)"
