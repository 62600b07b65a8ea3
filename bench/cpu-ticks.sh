# Sourced by the benchmarks that count CPU: ticks (1/100 s) of a process and its children, live and reaped: the
# server JVM, or the cluster's postmaster with its backends (pg_pid, of the cluster in $work/pg). Per request they
# hold on a machine shared with other work, where requests/s and latencies do not.
ticks() { local t=0 p; for p in $1 $(pgrep -P $1); do [ -r /proc/$p/stat ] && t=$((t + $(sed 's/.*) //' /proc/$p/stat | awk '{print $12+$13+$14+$15}'))); done; echo $t; }
pg_pid() { head -1 "$work/pg/postmaster.pid"; }
