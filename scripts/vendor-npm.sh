#!/usr/bin/env bash
# Copies files of an npm package, unchanged, into the web map's vendored assets (vendor/NAME-VERSION/, with a
# VENDORED.md there saying where they come from): the map is served with no internet behind it, and the build
# needs neither node nor the npm registry.
# usage: scripts/vendor-npm.sh PACKAGE VERSION PATH-IN-PACKAGE...
set -euo pipefail
package=${1:?usage: scripts/vendor-npm.sh PACKAGE VERSION PATH-IN-PACKAGE...}
version=${2:?usage: scripts/vendor-npm.sh PACKAGE VERSION PATH-IN-PACKAGE...}
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package@$version" >/dev/null && tar xzf ./*.tgz)
dest="$root/src/main/resources/web/map/vendor/$package-$version"
mkdir -p "$dest"
for file in "$@"; do cp "$work/package/$file" "$dest/"; done
echo "vendored into $dest; sha256 of the tarball: $(sha256sum "$work"/*.tgz | cut -d' ' -f1)"
