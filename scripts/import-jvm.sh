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

. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/aot.sh"

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

# streetcad_import_c1 LAYER: whether a layer of that .shp (or of the .shp files of that folder) is imported with C1
# alone: below 64 MB, unless STREETCAD_JAVA_OPTS chose a tier.
streetcad_import_c1() {
  local layer=$1 bytes=""
  case " ${STREETCAD_JAVA_OPTS:-} " in *TieredStopAtLevel*|*TieredCompilation*) return 1 ;; esac
  if [ -d "$layer" ]; then
    bytes=$(find "$layer" -maxdepth 1 -type f -iname '*.shp' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  elif [ -n "$layer" ]; then
    bytes=$(stat -c %s "$layer")
  fi
  [ -n "$bytes" ] && [ "$bytes" -gt 0 ] && [ "$bytes" -lt "$streetcad_import_c1_below_bytes" ]
}

# streetcad_import_plan JAVA JAR CACHE import ARGS...: sets the array streetcad_import_cmd to the command line of
# `import ARGS...`: JAVA with STREETCAD_JAVA_OPTS (split on spaces, a list of options), C1 alone when
# streetcad_import_c1 says so, and the AOT cache CACHE when it is newer than JAR, then `-jar JAR import ARGS...`.
# Without such a cache, and when JAVA makes AOT caches, CACHE's folder is writable and ARGS name a layer, the command
# records the import's classes in the file streetcad_import_config names (empty otherwise): streetcad_import_record
# runs such a command.
streetcad_import_plan() {
  local java=$1 jar=$2 cache=$3 layer; shift 3
  layer=$(streetcad_import_layer "${@:2}")
  # shellcheck disable=SC2206  # STREETCAD_JAVA_OPTS is a space-separated list of options by design
  streetcad_import_cmd=("$java" ${STREETCAD_JAVA_OPTS:-})
  if streetcad_import_c1 "$layer"; then streetcad_import_cmd+=(-XX:TieredStopAtLevel=1); fi
  streetcad_import_config=
  if [ -f "$cache" ] && [ "$cache" -nt "$jar" ]; then
    streetcad_import_cmd+=(-XX:AOTCache="$cache")
  elif [ -n "$layer" ] && [ -w "$(dirname "$cache")" ] && streetcad_java_makes_aot_caches "$java"; then
    # A file of this process's own, so that two first imports at once each record theirs.
    streetcad_import_config="$cache.$$.config"
    # The JVM's own notes on the classes it records go to the log, and its last word to stderr: the import's output
    # (its report, on stdout) stays as it would be.
    streetcad_import_cmd+=(-XX:AOTMode=record -XX:AOTConfiguration="$streetcad_import_config"
      -XX:+DisplayVMOutputToStderr -Xlog:aot*=warning:file="$cache.log"::filecount=0 -Xlog:aot*=off:stdout)
  fi
  streetcad_import_cmd+=(-jar "$jar" "$@")
}

# streetcad_import_record JAVA JAR CACHE: runs the recording import streetcad_import_plan planned and, once it has ended
# successfully, makes CACHE from what it recorded (log in CACHE.log; the last cache made wins); returns the import's
# exit status. The JVM is a child, so that the cache can be made after it: a signal that stops the caller (a
# supervisor's TERM, a Ctrl-C) is passed on to it, which a background child would ignore, and it keeps the caller's
# stdin (a background child's would be /dev/null).
streetcad_import_record() {
  local java=$1 jar=$2 cache=$3 config=$streetcad_import_config tmp="$3.$$.tmp" pid status=0
  echo "streetcad: this first import after a build also records its classes for the JDK's AOT cache $cache," \
       "made once it has ended (about 6 s on 2 cores; the next imports start from it)" >&2
  "${streetcad_import_cmd[@]}" <&0 &
  pid=$!
  trap 'kill -TERM $pid 2>/dev/null' TERM INT HUP
  wait $pid || status=$?
  while kill -0 $pid 2>/dev/null; do status=0; wait $pid || status=$?; done
  trap - TERM INT HUP
  if [ $status -eq 0 ] && [ -s "$config" ] && "$java" ${STREETCAD_JAVA_OPTS:-} -XX:AOTMode=create \
      -XX:AOTConfiguration="$config" -XX:AOTCache="$tmp" -cp "$jar" >>"$cache.log" 2>&1 && [ -s "$tmp" ]; then
    mv "$tmp" "$cache"
  fi
  rm -f "$config" "$tmp"
  return $status
}

# streetcad_import JAVA JAR CACHE import ARGS...: runs the import streetcad_import_plan plans (recording it when it
# should) and returns its exit status (bench/import.sh; ./streetcad execs an import that does not record).
streetcad_import() {
  streetcad_import_plan "$@"
  if [ -n "$streetcad_import_config" ]; then streetcad_import_record "$1" "$2" "$3"; else "${streetcad_import_cmd[@]}"; fi
}
