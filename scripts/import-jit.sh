# shellcheck shell=bash
# The JIT a one-off `streetcad import` runs with, sourced by ./streetcad and bench/import.sh (one rule for both).
#
# An import is one short JVM: on 2 cores C2 spends about 45 % of a Florence import's CPU compiling code that has
# little left to run by the time it is ready. C1 alone (-XX:TieredStopAtLevel=1) used 40–46 % less JVM CPU on layers
# of 33,000 to 200,000 lines and 19 % less on 500,000 (68 MB of .shp), but 22 % more on 1,000,000 (136 MB), where
# the topology check runs long enough for C2's code to pay (BENCHMARKS.md, "Issue 17, session 14 (lead)"). So a
# layer below 64 MB of .shp is imported with C1 alone, a larger one (or a .zip, whose size says little) with both.
# A tier given in STREETCAD_JAVA_OPTS wins.

streetcad_import_c1_below_bytes=$((64 * 1024 * 1024))

# streetcad_import_options ARGS...: sets the array streetcad_import_opts to the JIT options of `import ARGS...`
# (empty unless C1 alone is chosen). The layer's size is that of the .shp named, or of the .shp files in the folder
# named: the first argument that is either.
streetcad_import_options() {
  streetcad_import_opts=()
  case " ${STREETCAD_JAVA_OPTS:-} " in *TieredStopAtLevel*|*TieredCompilation*) return ;; esac
  local arg bytes=""
  for arg in "$@"; do
    if [ -d "$arg" ]; then
      bytes=$(find "$arg" -maxdepth 1 -type f -iname '*.shp' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
      break
    elif [ -f "$arg" ] && [[ "${arg,,}" == *.shp ]]; then
      bytes=$(stat -c %s "$arg")
      break
    fi
  done
  if [ -n "$bytes" ] && [ "$bytes" -gt 0 ] && [ "$bytes" -lt "$streetcad_import_c1_below_bytes" ]; then
    streetcad_import_opts=(-XX:TieredStopAtLevel=1)
  fi
}
