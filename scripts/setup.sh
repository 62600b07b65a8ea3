#!/usr/bin/env bash
# Installs what StreetCad needs and is missing, and exports JAVA_HOME to a JDK >= 21.
# Sourced by run.sh and test.sh. As root it installs with apt-get; otherwise it says exactly what to install.
#   STREETCAD_SETUP=run   server needs: JDK >= 21, Maven, PostgreSQL + PostGIS, curl
#   STREETCAD_SETUP=test  also: gdal-bin (ogrinfo oracle), pgRouting (topology oracle), Chromium + driver (web map),
#                         node + npm (tile tests install geojson-vt and @mapbox/vector-tile under target/)
#   STREETCAD_SETUP=bench also: wrk (HTTP load), shp2pgsql (the postgis package; the importer's reference),
#                         haproxy (the reverse proxy in front of two instances)

streetcad_java_home() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for d in /usr/lib/jvm/*; do [ -d "$d" ] && candidates+=("$d"); done
  local best="" best_version=0
  for d in "${candidates[@]}"; do
    [ -x "$d/bin/javac" ] || continue
    local v
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$d/release" 2>/dev/null)
    [ -z "$v" ] && v=$("$d/bin/javac" -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')
    if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_version" ]; then best="$d"; best_version=$v; fi
  done
  echo "$best"
}

streetcad_setup() {
  local mode=${1:-run}
  local pkgs=()
  local pg_major
  pg_major=$(apt-cache policy postgresql 2>/dev/null | sed -n 's/.*Candidate: \([0-9]*\)+.*/\1/p' | head -n1)
  [ -z "$pg_major" ] && pg_major=15
  command -v mvn >/dev/null || pkgs+=(maven)
  command -v curl >/dev/null || pkgs+=(curl)  # the AOT cache's training run (scripts/aot.sh)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || pkgs+=(postgresql)
  ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || pkgs+=("postgresql-$pg_major-postgis-3")
  if [ "$mode" = test ] || [ "$mode" = bench ]; then
    command -v ogrinfo >/dev/null || pkgs+=(gdal-bin)
    command -v npm >/dev/null || pkgs+=(nodejs npm)
    ls /usr/share/postgresql/*/extension/pgrouting.control >/dev/null 2>&1 || pkgs+=("postgresql-$pg_major-pgrouting")
    command -v chromium >/dev/null || pkgs+=(chromium)
    command -v chromedriver >/dev/null || pkgs+=(chromium-driver)
  fi
  if [ "$mode" = bench ]; then
    command -v wrk >/dev/null || pkgs+=(wrk)
    command -v shp2pgsql >/dev/null || pkgs+=(postgis)
    command -v haproxy >/dev/null || pkgs+=(haproxy)
  fi
  local jh
  jh=$(streetcad_java_home)
  [ -z "$jh" ] && pkgs+=(openjdk-21-jdk-headless)

  if [ ${#pkgs[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
      echo "setup: installing ${pkgs[*]}" >&2
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null || {
        echo "setup: apt-get could not install: ${pkgs[*]}" >&2; return 1; }
      # Debian starts the packaged cluster on install; StreetCad never uses it.
    else
      echo "setup: missing ${pkgs[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${pkgs[*]}) and run again." >&2
      return 1
    fi
    jh=$(streetcad_java_home)
  fi
  if [ -z "$jh" ]; then
    echo "setup: no JDK 21 or newer found. Install one (apt-get install openjdk-21-jdk-headless, or Temurin) and set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME="$jh"
  export PATH="$JAVA_HOME/bin:$PATH"
}
