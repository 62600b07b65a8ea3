# Sourced by scripts/run.sh, the Dockerfile and bench/warmup.sh: the JDK's AOT cache for the server (JEP 483, 514
# and 515, JDK 25 or newer). A training run of `streetcad serve` asks the real request paths (pages, items, tiles,
# collections, the web map) and records the classes it loaded and linked and the methods' profiles; a server started
# with the cache skips that loading and compiles its hot methods at once, instead of spending its first minute in
# the interpreter and the JIT (p99 of 100–240 ms on 2 cores, BENCHMARKS.md "Warm-up").
# The cache belongs to one build of the jar and one JVM: the JVM itself refuses (with a warning, and runs without
# it) a cache whose jar or JVM differs, so a missing or stale cache never stops the server.

# streetcad_aot_cache JAVA JAR CACHE [serve options…]: makes CACHE with a training run of `JAVA -jar JAR serve
# [serve options…]` (on a free loopback port) when CACHE is missing or older than JAR. Never fails: without a JVM
# that makes AOT caches, or when the training run goes wrong, it says so and leaves no cache.
streetcad_aot_cache() {
  local java=$1 jar=$2 cache=$3; shift 3
  if [ -f "$cache" ] && [ "$cache" -nt "$jar" ]; then return 0; fi
  rm -f "$cache"
  if ! streetcad_java_makes_aot_caches "$java"; then
    echo "aot: $java makes no AOT cache (JDK 25 or newer does); the server starts without one" >&2
    return 0
  fi
  local log="$cache.log" tmp="$cache.tmp" pid base="" waited=0 trained=
  echo "aot: a training run makes $cache (once per build of the jar, about a minute; log in $log)" >&2
  rm -f "$tmp"
  # The training run serves on loopback, on a port of its own choice (0): a --host or --port given is the real
  # server's, which starts there right after (and a --host 0.0.0.0 would show the training run to the network).
  local trainer=() skip=
  for a in "$@"; do
    if [ -n "$skip" ]; then skip=; continue; fi
    case $a in --host | --port) skip=yes ;; --host=* | --port=*) ;; *) trainer+=("$a") ;; esac
  done
  STREETCAD_HOST=127.0.0.1 STREETCAD_PORT=0 "$java" "$streetcad_serve_jvmopts" ${STREETCAD_JAVA_OPTS:-} -XX:AOTCacheOutput="$tmp" \
    -jar "$jar" serve "${trainer[@]}" >"$log" 2>&1 &
  pid=$!
  # The first start on an empty data directory loads the sample and builds its network before serving: minutes on
  # a slow machine, so it gets up to half an hour.
  while [ -z "$base" ] && [ $waited -lt 1800 ] && kill -0 $pid 2>/dev/null; do
    sleep 1; waited=$((waited + 1))
    base=$(sed -n 's|.*StreetCad serving on \(http://[^ ]*\)/$|\1|p' "$log" | head -n1)
  done
  if [ -n "$base" ] && curl -sf -o /dev/null --retry 50 --retry-delay 1 --retry-all-errors "$base/ready"; then
    streetcad_aot_train "$base" && trained=yes
  fi
  kill -TERM $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true  # the JVM writes the cache as it exits
  if [ -n "$trained" ] && [ -s "$tmp" ]; then
    mv "$tmp" "$cache"
    echo "aot: $cache made" >&2
  else
    rm -f "$tmp"
    echo "aot: the training run made no cache (see $log); the server starts without one" >&2
  fi
  return 0
}

# streetcad_java_makes_aot_caches JAVA: whether JAVA makes AOT caches (JDK 25 or newer; the import's cache,
# scripts/import-jvm.sh, asks too).
streetcad_java_makes_aot_caches() {
  "$1" -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q ' AOTCacheOutput '
}

# streetcad_aot_options JAR CACHE: sets the array streetcad_aot_opts to the java option that uses CACHE when it is
# newer than JAR (empty otherwise). An array, so that a clone under a path with spaces still starts.
streetcad_aot_options() {
  streetcad_aot_opts=()
  if [ -f "$2" ] && [ "$2" -nt "$1" ]; then streetcad_aot_opts=("-XX:AOTCache=$2"); fi
}

# The serving JVM's options (scripts/serve.jvmopts, beside this file): the server and its training run use the same.
streetcad_serve_jvmopts="@$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/serve.jvmopts"

# streetcad_serve_options JAR CACHE: sets the array streetcad_serve_opts to the java options of a server:
# scripts/serve.jvmopts, then STREETCAD_JAVA_OPTS (which win over it; split on spaces, as a list of options), then
# the AOT cache's.
streetcad_serve_options() {
  streetcad_aot_options "$1" "$2"
  # shellcheck disable=SC2206  # STREETCAD_JAVA_OPTS is a space-separated list of options by design
  streetcad_serve_opts=("$streetcad_serve_jvmopts" ${STREETCAD_JAVA_OPTS:-} "${streetcad_aot_opts[@]}")
}

# streetcad_aot_train BASE_URL: the training requests, 8 at a time, about 20 s on 2 cores: enough rounds over every
# kind of request for the JIT to profile and compile the hot paths, as a served minute would.
streetcad_aot_train() {
  local base=$1 list
  list=$(mktemp)
  awk -v base="$base" 'BEGIN {
    pi = atan2(0, -1); srand(42)
    print "url = \"" base "/\"\nurl = \"" base "/map/\"\nurl = \"" base "/api\"\nurl = \"" base "/conformance\""
    print "url = \"" base "/collections\"\nurl = \"" base "/tiles\"\nurl = \"" base "/network/state\""
    split("road-elements junctions roads element-events topology-issues viability-measures works ordinances", c, " ")
    for (round = 0; round < 12; round++) {
      for (i in c) {
        print "url = \"" base "/collections/" c[i] "\""
        print "url = \"" base "/collections/" c[i] "/items?limit=20\""
        print "url = \"" base "/collections/" c[i] "/queryables\""
      }
      for (k = 0; k < 40; k++) {  # 500 m boxes over central Florence, as bench/features/varied-bbox.lua
        x = 11.235 + rand() * 0.035; y = 43.760 + rand() * 0.025
        box = sprintf("%.5f,%.5f,%.5f,%.5f", x, y, x + 0.0062, y + 0.0046)
        print "url = \"" base "/collections/road-elements/items?limit=100&bbox=" box "\""
        print "url = \"" base "/collections/road-elements/items?limit=100&bbox=" box "&f=html\""
        print "url = \"" base "/collections/junctions/items?limit=100&bbox=" box "\""
        print "url = \"" base "/collections/road-elements/items?limit=100&filter=functional_class%20%3D%20%27F%27%20AND%20S_INTERSECTS(geometry%2C%20BBOX(" x "%2C" y "%2C" x + 0.0124 "%2C" y + 0.009 "))\""
        print "url = \"" base "/network/nearest?point=" x "," y "\""
        print "url = \"" base "/collections/road-elements/items/" int(1 + rand() * 30000) "\""
        print "url = \"" base "/roads?q=via\""
        z = 12 + int(rand() * 6); n = 2 ^ z; lat = y * pi / 180
        tx = int((x + 180) / 360 * n); ty = int((1 - log(sin(lat) / cos(lat) + 1 / cos(lat)) / pi) / 2 * n)
        print "url = \"" base "/tiles/road-elements/" z "/" tx "/" ty ".mvt\""
        print "url = \"" base "/tiles/road-elements/" z "/" tx "/" ty ".geojson\""
        print "url = \"" base "/tiles/WebMercatorQuad/" z "/" ty "/" tx "?f=mvt\""
        print "url = \"" base "/collections/road-elements/tiles/WebMercatorQuad/" z "/" ty "/" tx "\""
      }
    }
  }' | sed 's/$/\noutput = "\/dev\/null"/' >"$list"
  curl -s -Z --parallel-max 8 -K "$list" >/dev/null 2>&1 || true
  rm -f "$list"
}
