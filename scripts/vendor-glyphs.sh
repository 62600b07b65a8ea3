#!/usr/bin/env bash
# Renders the web map's label glyphs (signed distance fields, in the PBF ranges MapLibre asks for) from Debian's
# DejaVu Sans with fontnik from npm, into the web map's vendored assets (see VENDORED.md there).
# Usage: scripts/vendor-glyphs.sh   (needs node and npm; installs fonts-dejavu-core when root and it is missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
fontnik=0.7.7
if [ ! -f "$font" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "install the font first: apt-get install fonts-dejavu-core" >&2; exit 1; }
  apt-get install -y -q fonts-dejavu-core >/dev/null
fi
version=$(dpkg-query -W -f '${Version}' fonts-dejavu-core | cut -d- -f1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# fontnik's npm package carries its compiled renderer (prebuilds/linux-x64): nothing is fetched but the package.
(cd "$work" && npm install --silent --no-audit --no-fund "fontnik@$fontnik" >/dev/null)
dest="$root/src/main/resources/web/map/vendor/glyphs-dejavu-$version"
rm -rf "$dest"
mkdir -p "$dest/DejaVuSans"
"$work/node_modules/.bin/build-glyphs" "$font" "$dest/DejaVuSans"
cp /usr/share/doc/fonts-dejavu-core/copyright "$dest/LICENSE-DejaVu.txt"
cp "$work/node_modules/fontnik/LICENSE.txt" "$dest/LICENSE-fontnik.txt"
echo "rendered $(ls "$dest/DejaVuSans" | wc -l) glyph ranges of DejaVu Sans $version into $dest"
