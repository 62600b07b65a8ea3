# Sourced by the benchmarks: a throw-away PostgreSQL cluster on loopback (port $pgport, set by the caller with
# $bench, the benchmark's name, or a free one) with an empty database `cadastre`. Sets pgbin, work, psql and url,
# builds target/streetcad.jar when missing, and stops $server (when the caller starts one) and the cluster on exit.
# Defines free_port and serve_streetcad (below) for the callers. STREETCAD_BENCH_PG_OPTIONS adds server options
# (e.g. "-c shared_preload_libraries=pg_stat_statements" to see where the database spends a run).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pgport=${pgport:-$(free_port)}
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
[ -f target/streetcad.jar ] || mvn -q -B -ntp package -DskipTests
work=$(mktemp -d /var/tmp/streetcad-$bench.XXXX)
chmod 755 "$work"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres "$work"
server=""
cleanup() {
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  as_pg "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

as_pg "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
# STREETCAD_BENCH_SPLIT_CORES=1: PostgreSQL on core 0, the server and the load generators on the others
# (on_app_cores), as when the database has a machine of its own; otherwise everything shares every core.
on_db_core=(); on_app_cores=()
if [ "${STREETCAD_BENCH_SPLIT_CORES:-0}" = 1 ]; then
  [ "$(nproc)" -ge 2 ] || { echo "STREETCAD_BENCH_SPLIT_CORES needs 2 cores or more" >&2; exit 1; }
  on_db_core=(taskset -c 0); on_app_cores=(taskset -c "1-$(($(nproc) - 1))")
fi
as_pg "${on_db_core[@]}" "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w \
  -o "-p $pgport -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=50 ${STREETCAD_BENCH_PG_OPTIONS:-}" start >/dev/null
psql=(psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $pgport -U postgres)
"${psql[@]}" -c "CREATE DATABASE cadastre"
url="postgresql://postgres@127.0.0.1:$pgport/cadastre"

# Starts `streetcad serve` on 127.0.0.1:$1 over $url with the java options and serve options that follow "--"
# (log in $work/server-$1.log), and waits until it is ready; sets $server to its pid (stopped on exit).
serve_streetcad() {
  local port=$1; shift
  local jvm=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do jvm+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  "${on_app_cores[@]}" "$JAVA_HOME/bin/java" "${jvm[@]}" -jar target/streetcad.jar serve --host 127.0.0.1 --port "$port" --db-url "$url" "$@" \
    >"$work/server-$port.log" 2>&1 &
  server=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/ready"; do
    kill -0 $server 2>/dev/null || { cat "$work/server-$port.log" >&2; exit 1; }
    sleep 0.2
  done
}
