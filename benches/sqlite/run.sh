#!/usr/bin/env bash
# pgbench against pgproto-sqlite and PostgreSQL 15 on this machine, side by side:
#
#   bash benches/sqlite/run.sh
#
# Both get `pgbench -i -s 1`, then select-only (-S) and TPC-B-like runs in the three protocol
# modes at 1 and 8 clients (-T DURATION each). PostgreSQL runs with fsync=off and
# synchronous_commit=off; pgproto-sqlite with WAL and synchronous=normal. Prints a markdown table of
# TPS and the ratio pgproto-sqlite / PostgreSQL, also written to benches/sqlite/results.md.
#
# Environment: DURATION (seconds per run, default 5), CLIENTS ("1 8"), MODES ("simple extended
# prepared"), CARGO_TARGET_DIR (where the release binary is built), BUILD=0 (use it as built).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
DURATION=${DURATION:-5} CLIENTS=${CLIENTS:-1 8} MODES=${MODES:-simple extended prepared}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
PGBENCH=/usr/lib/postgresql/15/bin/pgbench
[ "${BUILD:-1}" = 0 ] || cargo build --release -p pgproto-sqlite >&2
work=$(mktemp -d /tmp/pgproto-sqlite-bench.XXXXXX)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

# measure LABEL: runs the matrix against the server in PGHOST/PGPORT/PGUSER/PGDATABASE.
measure() {
  "$PGBENCH" -i -s 1 -q >/dev/null 2>&1 || { echo "pgbench -i failed against $1" >&2; exit 1; }
  local script clients mode tps
  for script in select tpcb; do
    for clients in $CLIENTS; do
      for mode in $MODES; do
        local args=(-n -c "$clients" -j "$(( clients > 1 ? 2 : 1 ))" -M "$mode" -T "$DURATION")
        [ "$script" = tpcb ] || args+=(-S)
        tps=$("$PGBENCH" "${args[@]}" 2>&1 | sed -n 's/^tps = \([0-9.]*\) (without.*/\1/p')
        echo "$1 $script $clients $mode ${tps:-0}"
      done
    done
  done
}

"$CARGO_TARGET_DIR/release/pgproto-sqlite" --db "$work/bench.db" --listen 127.0.0.1:0 --auth trust \
  2>"$work/server.log" &
server=$!
for _ in $(seq 50); do grep -q '^listening on' "$work/server.log" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.log")
PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=bench measure sqlite >"$work/sqlite.txt"
kill "$server"

export -f measure
export PGBENCH DURATION CLIENTS MODES
PGPROTO_PG_CONF=$'fsync = off\nsynchronous_commit = off' \
  bash "$repo/tools/pg/with_pg.sh" bash -c 'measure postgres' >"$work/pg.txt"

{
  echo "# pgbench: pgproto-sqlite vs PostgreSQL 15"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) CPUs, DURATION=${DURATION}s, scale 1; pgbench on the same machine."
  echo
  echo "| workload | clients | mode | pgproto-sqlite TPS | PostgreSQL 15 TPS | ratio |"
  echo "|---|---:|---|---:|---:|---:|"
  paste -d' ' "$work/sqlite.txt" "$work/pg.txt" | while read -r _ script clients mode a _ _ _ _ b; do
    awk -v s="$script" -v c="$clients" -v m="$mode" -v a="$a" -v b="$b" 'BEGIN {
      printf "| %s | %d | %s | %.0f | %.0f | %.2f× |\n", (s == "select" ? "-S (select only)" : "TPC-B-like"), c, m, a, b, (b > 0 ? a / b : 0) }'
  done
} | tee "$repo/benches/sqlite/results.md"
