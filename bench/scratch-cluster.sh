# Sourced by the benchmarks: a throw-away PostgreSQL cluster on loopback (port $pgport, set by the caller with
# $bench, the benchmark's name) with an empty database `cadastre`. Sets pgbin, work, psql and url, builds
# target/streetcad.jar when missing, and stops $server (when the caller starts one) and the cluster on exit.
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
as_pg "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w \
  -o "-p $pgport -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=50" start >/dev/null
psql=(psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $pgport -U postgres)
"${psql[@]}" -c "CREATE DATABASE cadastre"
url="postgresql://postgres@127.0.0.1:$pgport/cadastre"
