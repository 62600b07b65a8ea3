#!/usr/bin/env bash
# Runs every StreetCad test (unit, PostGIS integration, HTTP, browser) on a fresh Debian/Ubuntu machine,
# installing what is missing first. Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup test
exec mvn -B -ntp verify "$@"
