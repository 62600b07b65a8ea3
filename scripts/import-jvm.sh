# shellcheck shell=bash
# The JVM a one-off `streetcad import` runs in, sourced by ./streetcad and bench/import.sh (one rule for both): the
# JIT its layer's size calls for, and the JDK's AOT cache of an import (JEP 483/514/515, JDK 25 or newer).
#
# JIT: an import is one short JVM: on 2 cores C2 spends about 45 % of a Florence import's CPU compiling code that has
# little left to run by the time it is ready. C1 alone (-XX:TieredStopAtLevel=1) used 40–46 % less JVM CPU on layers
# of 33,000 to 200,000 lines and 19 % less on 500,000 (68 MB of .shp), but 22 % more on 1,000,000 (136 MB), where
# the topology check runs long enough for C2's code to pay (BENCHMARKS.md, "Issue 17, session 14 (lead)"). So a
# layer below 64 MB of .shp is imported with C1 alone, a larger one (or a .zip, whose size says little) with both.
# A tier given in STREETCAD_JAVA_OPTS wins.
#
# AOT cache: loading and linking the import's classes (the shapefile reader, SIS, JTS, Flyway, pgjdbc, the topology
# check) is about a second of every import's start on 2 cores; a JVM started with a cache of them skips it
# (BENCHMARKS.md, "Issue 17, session 18"). The first import of a layer after a build of the jar records its classes
# and makes the cache once it has ended (about 6 s more, said on stderr); the next ones start from it. The cache
# belongs to one build of the jar and one JVM: one older than the jar is made again, and a JVM that cannot use it
# says so and runs without it. The server's own cache is scripts/aot.sh's.

streetcad_import_c1_below_bytes=$((64 * 1024 * 1024))

# streetcad_import_layer ARGS...: the layer named in `import ARGS...`: the first argument that is a .shp file or a
# folder (empty when none is).
streetcad_import_layer() {
  local arg
  for arg in "$@"; do
    if [ -d "$arg" ] || { [ -f "$arg" ] && [[ "${arg,,}" == *.shp ]]; }; then
      printf '%s' "$arg"
      return
    fi
  done
}

# streetcad_import_options ARGS...: sets the array streetcad_import_opts to the JIT options of `import ARGS...`
# (empty unless C1 alone is chosen). The layer's size is that of the .shp named, or of the .shp files in the folder
# named.
streetcad_import_options() {
  streetcad_import_opts=()
  case " ${STREETCAD_JAVA_OPTS:-} " in *TieredStopAtLevel*|*TieredCompilation*) return ;; esac
  local layer bytes=""
  layer=$(streetcad_import_layer "$@")
  if [ -d "$layer" ]; then
    bytes=$(find "$layer" -maxdepth 1 -type f -iname '*.shp' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  elif [ -n "$layer" ]; then
    bytes=$(stat -c %s "$layer")
  fi
  if [ -n "$bytes" ] && [ "$bytes" -gt 0 ] && [ "$bytes" -lt "$streetcad_import_c1_below_bytes" ]; then
    streetcad_import_opts=(-XX:TieredStopAtLevel=1)
  fi
}

# streetcad_import_plan JAVA JAR CACHE import ARGS...: sets the array streetcad_import_cmd to the command line of
# `import ARGS...`: JAVA with STREETCAD_JAVA_OPTS (split on spaces, a list of options), the JIT of
# streetcad_import_options and the AOT cache CACHE when it is newer than JAR, then `-jar JAR import ARGS...`. Without
# such a cache, and when JAVA makes AOT caches, CACHE's folder is writable and ARGS name a layer, the command records
# the import's classes, and streetcad_import_config names the file it records them in (empty otherwise): once the
# import has ended, streetcad_import_cache makes CACHE from it.
streetcad_import_plan() {
  local java=$1 jar=$2 cache=$3; shift 3
  streetcad_import_options "${@:2}"
  # shellcheck disable=SC2206  # STREETCAD_JAVA_OPTS is a space-separated list of options by design
  streetcad_import_cmd=("$java" ${STREETCAD_JAVA_OPTS:-} "${streetcad_import_opts[@]}")
  streetcad_import_config=
  if [ -f "$cache" ] && [ "$cache" -nt "$jar" ]; then
    streetcad_import_cmd+=(-XX:AOTCache="$cache")
  elif [ -n "$(streetcad_import_layer "${@:2}")" ] && [ -w "$(dirname "$cache")" ] \
      && "$java" -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q ' AOTCacheOutput '; then
    # A file of this process's own, so that two first imports at once each record theirs.
    streetcad_import_config="$cache.$$.config"
    echo "streetcad: this first import after a build also records its classes for the JDK's AOT cache $cache," \
         "made once it has ended (about 6 s on 2 cores; the next imports start from it)" >&2
    # The JVM's own notes on the classes it records go to the log, and its last word to stderr: the import's output
    # (its report, on stdout) stays as it would be.
    streetcad_import_cmd+=(-XX:AOTMode=record -XX:AOTConfiguration="$streetcad_import_config"
      -XX:+DisplayVMOutputToStderr -Xlog:aot*=warning:file="$cache.log"::filecount=0 -Xlog:aot*=off:stdout)
  fi
  streetcad_import_cmd+=(-jar "$jar" "$@")
}

# streetcad_import_cache JAVA JAR CACHE CONFIG STATUS: once an import that recorded its classes in CONFIG has ended
# with STATUS, makes CACHE from them when STATUS is 0 (log in CACHE.log; the last cache made wins); removes CONFIG.
streetcad_import_cache() {
  local java=$1 jar=$2 cache=$3 config=$4 status=$5 tmp="$3.$$.tmp"
  if [ "$status" -eq 0 ] && [ -s "$config" ] && "$java" ${STREETCAD_JAVA_OPTS:-} -XX:AOTMode=create \
      -XX:AOTConfiguration="$config" -XX:AOTCache="$tmp" -cp "$jar" >>"$cache.log" 2>&1 && [ -s "$tmp" ]; then
    mv "$tmp" "$cache"
  fi
  rm -f "$config" "$tmp"
}

# streetcad_import JAVA JAR CACHE import ARGS...: runs the import streetcad_import_plan gives, makes the cache when it
# recorded one, and returns the import's exit status (bench/import.sh; ./streetcad runs the plan itself).
streetcad_import() {
  local status=0
  streetcad_import_plan "$@"
  "${streetcad_import_cmd[@]}" || status=$?
  if [ -n "$streetcad_import_config" ]; then streetcad_import_cache "$1" "$2" "$3" "$streetcad_import_config" $status; fi
  return $status
}
