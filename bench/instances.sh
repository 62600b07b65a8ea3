#!/usr/bin/env bash
# Two StreetCad instances behind a reverse proxy against one (issue 16): bbox pages of road elements through HAProxy
# (Debian's haproxy), which sends one frontend to instance A only and the other round-robin to A and B, both instances
# over one PostgreSQL holding the Florence sample in a throw-away cluster on loopback. Both measurements go through
# the proxy and alternate in the same run, so the ratio compares like with like on a shared machine.
# Usage: bench/instances.sh [seconds per run, default 15] [rounds, default 3; medians are reported] [connections, default 16]
# STREETCAD_BENCH_INSTANCE_CPUS=0.3 caps each instance at that many CPUs (a cgroup of its own, as root): instances of
# a fixed size, as on machines of their own, so that on a small machine the database keeps headroom for a second one.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
streetcad_setup bench >/dev/null
for tool in wrk ogr2ogr curl python3 haproxy; do command -v $tool >/dev/null || { echo "instances.sh needs $tool" >&2; exit 1; }; done
seconds=${1:-15}; rounds=${2:-3}; connections=${3:-16}
srid=6707; bench=instances
. bench/florence-cluster.sh
others=(); groups=()
trap '[ ${#others[@]} -gt 0 ] && kill "${others[@]}" 2>/dev/null && wait "${others[@]}" 2>/dev/null; for g in "${groups[@]}"; do rmdir "$g"; done; cleanup' EXIT
cpus=${STREETCAD_BENCH_INSTANCE_CPUS:-}
cap_cpu() { # $1 pid, $2 a name: the process (all its threads, and those it starts later) into a cgroup capped at $cpus
  local g quota; quota=$(awk -v c="$cpus" 'BEGIN {printf "%d", c * 100000}')
  if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then
    g=/sys/fs/cgroup/streetcad-bench-$2-$$; mkdir "$g"; echo "$quota 100000" >"$g/cpu.max"
  elif [ -d /sys/fs/cgroup/cpu ]; then
    g=/sys/fs/cgroup/cpu/streetcad-bench-$2-$$; mkdir "$g"; echo 100000 >"$g/cpu.cfs_period_us"; echo "$quota" >"$g/cpu.cfs_quota_us"
  else
    echo "no cgroup cpu controller to cap the instances" >&2; exit 1
  fi
  groups+=("$g"); echo "$1" >"$g/cgroup.procs"
}

ports=(); for i in 1 2 3 4; do ports+=("$(free_port)"); done
a=${ports[0]}; b=${ports[1]}; one=${ports[2]}; two=${ports[3]}
serve_streetcad "$a"; others+=("$server"); [ -n "$cpus" ] && cap_cpu "$server" a
serve_streetcad "$b"; others+=("$server"); [ -n "$cpus" ] && cap_cpu "$server" b
cat >"$work/haproxy.cfg" <<EOF
global
  maxconn 512
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
backend only_a
  server a 127.0.0.1:$a
backend a_and_b
  balance roundrobin
  server a 127.0.0.1:$a
  server b 127.0.0.1:$b
frontend one
  bind 127.0.0.1:$one
  default_backend only_a
frontend two
  bind 127.0.0.1:$two
  default_backend a_and_b
EOF
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
others+=($!)
page="/collections/road-elements/items?limit=100&bbox=11.2529,43.7708,11.2591,43.7754"
for p in $one $two; do  # the proxy needs a moment to listen
  for _ in $(seq 1 50); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p$page")" = 200 ] && break; sleep 0.2; done
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p$page")" = 200 ] || { cat "$work/haproxy.log" >&2; exit 1; }
done
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (the machine is shared: compare within a run)${cpus:+; each instance capped at $cpus CPUs}"
# Warms both instances' JIT; a capped instance compiles at its cap's pace, so it gets longer.
wrk -t2 -c"$connections" -d"$([ -n "$cpus" ] && echo 60 || echo 15)s" "http://127.0.0.1:$two$page" >/dev/null
rps() { # $1 port; fails on any non-2xx answer
  local w; w=$(wrk -t2 -c"$connections" -d"${seconds}s" "http://127.0.0.1:$1$page")
  if grep -q 'Non-2xx' <<<"$w"; then echo "errors through port $1: $w" >&2; exit 1; fi
  awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$w"
}
single=(); double=()
for round in $(seq 1 "$rounds"); do
  single+=("$(rps $one)"); double+=("$(rps $two)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{x[NR]=$1} END {print x[int((NR+1)/2)]}'; }
s=$(median "${single[@]}"); d=$(median "${double[@]}")
echo "bbox items through the proxy, $connections connections: one instance ${single[*]} req/s (median $s); two instances ${double[*]} (median $d): $(awk -v s="$s" -v d="$d" 'BEGIN {printf "%.2f", d / s}')x"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
