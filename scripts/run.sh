#!/usr/bin/env bash
# Runs StreetCad on a fresh Debian/Ubuntu machine: installs what is missing, builds, starts the embedded
# PostGIS (data in ./data), loads the Florence sample on first start and serves on http://localhost:7070/.
# Extra arguments go to `streetcad serve` (see `./streetcad serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup run
. scripts/aot.sh
jar="$PWD/target/streetcad.jar"
# Built when a source is newer than the jar: an unchanged jar keeps its AOT cache (below) valid.
if [ ! -f "$jar" ] || [ -n "$(find pom.xml src sql -newer "$jar" -print -quit)" ]; then
  mvn -q -B -DskipTests package
fi
# The sample is imported only into a cadastre without road elements (set STREETCAD_LOAD_SAMPLE= to skip it).
export STREETCAD_LOAD_SAMPLE=${STREETCAD_LOAD_SAMPLE-geodata/florence-osm}
# First start: a local administrator with a random password, shown once here and kept (mode 0600) in the data
# directory. There is no default password anywhere; `streetcad users passwd admin` sets a new one.
data_dir=${STREETCAD_DATA_DIR:-./data}
if [ ! -e "$data_dir/admin-password" ]; then
  mkdir -p "$data_dir"
  password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  if printf '%s\n' "$password" | "$JAVA_HOME/bin/java" -jar "$jar" users add admin --role admin \
      --display-name "Local administrator" --password-stdin --data-dir "$data_dir"; then
    (umask 077 && printf '%s\n' "$password" > "$data_dir/admin-password")
    echo "First start: the account 'admin' signs in with the password $password"
    echo "(shown only now; it is also in $data_dir/admin-password, readable by you alone)."
  else
    echo "No new admin was made (see above); set a password with: ./streetcad users passwd admin" >&2
  fi
fi
# The JDK's AOT cache (scripts/aot.sh): made by a training run after each new build of the jar, so that the server
# is ready in about half the time (BENCHMARKS.md, warm-up); without one (an older JDK, a failed training run) it
# starts as well.
streetcad_aot_cache "$JAVA_HOME/bin/java" "$jar" "$PWD/target/streetcad.aot" "$@" || true
streetcad_serve_options "$jar" "$PWD/target/streetcad.aot"
exec "$JAVA_HOME/bin/java" "${streetcad_serve_opts[@]}" -jar "$jar" serve "$@"
