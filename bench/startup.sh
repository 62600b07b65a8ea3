#!/usr/bin/env bash
# Time from `streetcad serve` to /ready answering 200, with a fresh data directory (initdb + migrations)
# and with an existing one (cluster start only). Usage: bench/startup.sh [runs]   (needs target/streetcad.jar)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup bench >/dev/null
runs=${1:-5}
port=17070
work=$(mktemp -d /var/tmp/streetcad-startup.XXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

time_to_ready() { # $1 data dir; prints milliseconds
  local start end pid
  start=$(date +%s%N)
  "$JAVA_HOME/bin/java" -jar target/streetcad.jar serve --host 127.0.0.1 --port $port --data-dir "$1" >"$work/log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/ready"; do
    kill -0 $pid 2>/dev/null || { cat "$work/log" >&2; exit 1; }
    sleep 0.02
  done
  end=$(date +%s%N)
  kill -TERM $pid; wait $pid || true
  echo $(( (end - start) / 1000000 ))
}

fresh=(); existing=()
for i in $(seq 1 "$runs"); do
  fresh+=("$(time_to_ready "$work/data-$i")")
  existing+=("$(time_to_ready "$work/data-$i")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "fresh data dir:    $(median "${fresh[@]}") ms median of $runs (${fresh[*]})"
echo "existing data dir: $(median "${existing[@]}") ms median of $runs (${existing[*]})"
