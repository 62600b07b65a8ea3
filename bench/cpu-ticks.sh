# Sourced by the benchmarks that count CPU: ticks (1/100 s) of processes, live and reaped children included. Per
# request they hold on a machine shared with other work, where requests/s and latencies do not.
# ticks_of PID…: of these processes, read with bash builtins only (nothing started, so that reading them between
# one-second buckets leaves no gap in the load).
ticks_of() {
  local t=0 p s f
  for p; do
    [ -r /proc/$p/stat ] && read -r s </proc/$p/stat && s=${s##*) } && read -ra f <<<"$s" && t=$((t + f[11] + f[12] + f[13] + f[14]))
  done
  echo $t
}
# ticks PID: of the process and its children (the server JVM, or the cluster's postmaster with its backends).
ticks() { ticks_of $1 $(pgrep -P $1); }
# pg_pid: the postmaster of the cluster in $work/pg.
pg_pid() { head -1 "$work/pg/postmaster.pid"; }
