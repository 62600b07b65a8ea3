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
# and makes the cache once it has ended (a few seconds more, said on stderr); the next ones start from it. The cache
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

# streetcad_import JAVA JAR CACHE import ARGS...: runs `JAVA [options] -jar JAR import ARGS...` and returns its exit
# status. Options: STREETCAD_JAVA_OPTS (split on spaces, a list of options), the JIT of streetcad_import_options, and
# the AOT cache CACHE when it is newer than JAR. Without one, and when JAVA makes AOT caches, CACHE's folder is
# writable and ARGS name a layer, the import records its classes and CACHE is made from them once it has ended
# successfully (log in CACHE.log); anything else leaves no cache and the import's status as it was.
streetcad_import() {
  local java=$1 jar=$2 cache=$3; shift 3
  streetcad_import_options "${@:2}"
  # shellcheck disable=SC2206  # STREETCAD_JAVA_OPTS is a space-separated list of options by design
  local opts=(${STREETCAD_JAVA_OPTS:-} "${streetcad_import_opts[@]}")
  if [ -f "$cache" ] && [ "$cache" -nt "$jar" ]; then
    "$java" "${opts[@]}" -XX:AOTCache="$cache" -jar "$jar" "$@"
    return
  fi
  if [ -z "$(streetcad_import_layer "${@:2}")" ] || [ ! -w "$(dirname "$cache")" ] \
      || ! "$java" -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q ' AOTCacheOutput '; then
    "$java" "${opts[@]}" -jar "$jar" "$@"
    return
  fi
  # Files of this process's own, so that two first imports at once each make theirs and the last one in wins.
  local config="$cache.$$.config" tmp="$cache.$$.tmp" log="$cache.log" status=0
  echo "streetcad: this first import after a build also records its classes for the JDK's AOT cache $cache," \
       "made once it has ended (about 6 s on 2 cores; the next imports start from it)" >&2
  # The JVM's own notes on the classes it records go to the log, and its last word to stderr: the import's output
  # (its report, on stdout) stays as it would be.
  "$java" "${opts[@]}" -XX:AOTMode=record -XX:AOTConfiguration="$config" -XX:+DisplayVMOutputToStderr \
    -Xlog:aot*=warning:file="$log"::filecount=0 -Xlog:aot*=off:stdout -jar "$jar" "$@" || status=$?
  if [ $status -eq 0 ] && [ -s "$config" ] && "$java" "${opts[@]}" -XX:AOTMode=create -XX:AOTConfiguration="$config" \
      -XX:AOTCache="$tmp" -cp "$jar" >>"$log" 2>&1 && [ -s "$tmp" ]; then
    mv "$tmp" "$cache"
  fi
  rm -f "$config" "$tmp"
  return $status
}
