#!/usr/bin/env bash
# Load benchmark (issue 6): pgbench `SELECT 1` against pgproto's `select1` example on each of its
# bindings (tokio, smol, monoio), the same server on pgwire 0.42 (benches/src/bin/pgwire_select1.rs) and
# PostgreSQL 15, in one run:
#
#   bash benches/load/run.sh
#
# Prints a markdown table (also written to benches/load/results.md): TPS and server CPU per
# transaction (-M simple|extended|prepared at -c 1, 16, 64), write syscalls per transaction
# (strace), memory per idle connection (1,000 connections) and new connections per second.
# See benches/load/README.md.
#
# Environment (all optional):
#   SERVERS="pgproto smol monoio pgwire postgres"  which servers to measure (e.g. SERVERS="pgproto smol");
#                       pgproto is the select1 example on tokio, smol and monoio the same on
#                       smol and on monoio
#   RUNS=3              repetitions of every measure; the table shows the median
#   DURATION=5          seconds of every timed pgbench run (-T)
#   CLIENTS="1 16 64"   pgbench -c values of the TPS/CPU runs (-j 2, or -j 1 at -c 1)
#   MODES="simple extended prepared"
#   STRACE_TXNS=2000 STRACE_CLIENTS=4   pgbench -t/-c of the syscall-counting runs
#   IDLE_CONNS=1000     idle connections of the memory measure
#   CONN_CLIENTS=8      pgbench -c of the -C (new connection per transaction) runs
#   CARGO_TARGET_DIR    where the release binaries are built (default: the workspace's target/)
#   BUILD=1             0: use the binaries already in CARGO_TARGET_DIR, do not run cargo
#   RESULTS=benches/load/results.md     where the table is written
#   PGBENCH=/usr/lib/postgresql/15/bin/pgbench
#   QUIET_LOCK          a lock file (e.g. /tmp/cargo.lock) held while measuring, to keep builds
#                       that take the same lock off the machine meanwhile
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/benches/load
SERVERS=${SERVERS:-pgproto smol monoio pgwire postgres}
export RUNS=${RUNS:-3} DURATION=${DURATION:-5} CLIENTS=${CLIENTS:-1 16 64}
export MODES=${MODES:-simple extended prepared} STRACE_TXNS=${STRACE_TXNS:-2000}
export STRACE_CLIENTS=${STRACE_CLIENTS:-4} IDLE_CONNS=${IDLE_CONNS:-1000} CONN_CLIENTS=${CONN_CLIENTS:-8}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
RESULTS=${RESULTS:-$here/results.md}

# pgproto's select1 example on each binding: the server key (in SERVERS; pgproto is tokio's, so
# that older SERVERS values keep their meaning), the cargo package, the example (the binary is
# $CARGO_TARGET_DIR/release/examples/EXAMPLE) and the runtime. A binding added here is built,
# checked and measured like the others; measure.py's PGPROTO_BINDINGS gives it its column and
# its ratio to tokio in the table.
pgproto_bindings=(
  "pgproto pgproto-tokio select1 tokio"
  "smol pgproto-smol select1_smol smol"
  "monoio pgproto-monoio select1_monoio monoio"
)
# binding KEY: sets package, example and runtime of server KEY; fails if KEY is not a binding's.
binding() {
  local key=$1 entry fields
  for entry in "${pgproto_bindings[@]}"; do
    read -r -a fields <<<"$entry"
    if [ "${fields[0]}" = "$key" ]; then package=${fields[1]} example=${fields[2]} runtime=${fields[3]}; return 0; fi
  done
  return 1
}

known=()
for entry in "${pgproto_bindings[@]}"; do known+=("${entry%% *}"); done
known+=(pgwire postgres)
for s in $SERVERS; do
  case " ${known[*]} " in
    *" $s "*) ;;
    *) echo "run.sh: unknown server '$s' in SERVERS (one of: ${known[*]})" >&2; exit 2 ;;
  esac
done

# Prerequisites: pgbench and postgres 15 (Debian's postgresql-15 package), strace, python3.
PGBIN=/usr/lib/postgresql/15/bin
export PGBENCH=${PGBENCH:-$PGBIN/pgbench}
packages=()
[ -x "$PGBENCH" ] && [ -x "$PGBIN/postgres" ] || packages+=(postgresql-15 postgresql-client-15)
command -v strace >/dev/null || packages+=(strace)
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh: missing ${packages[*]}: install them (apt-get install ${packages[*]})" >&2
    exit 2
  fi
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${packages[@]}"
fi

# Everything this script starts is stopped on exit: measure.py stops the servers it spawns and
# tools/pg/with_pg.sh stops PostgreSQL; the pid file catches a spawned server left behind by a
# killed measure.py.
work=$(mktemp -d /tmp/pgproto-load.XXXXXX)
export LOAD_PIDFILE=$work/pids LOAD_MEASURE_PIDFILE=$work/measure.pid
: >"$LOAD_PIDFILE"
cleanup() {
  local pid
  while read -r pid; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      case $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) in
        *select1*) kill -TERM "$pid" 2>/dev/null || true ;;
      esac
    fi
  done <"$LOAD_PIDFILE"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Idle connections need one descriptor each in the server and in the client.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((IDLE_CONNS + 200)) ]; then
  echo "run.sh: warning: ulimit -n is $(ulimit -n), below IDLE_CONNS+200" >&2
fi

cd "$repo"
for s in $SERVERS; do
  [ "${BUILD:-1}" != 0 ] || break
  case $s in
    pgwire)
      echo "building pgwire_select1" >&2
      flock /tmp/cargo.lock cargo build --release -p pgproto-benches --bin pgwire_select1 ;;
    postgres) ;;
    *)
      binding "$s"
      echo "building $example ($runtime)" >&2
      flock /tmp/cargo.lock cargo build --release -p "$package" --example "$example" || {
        echo "run.sh: cannot build pgproto's $example example ($runtime); leave $s out of SERVERS to skip it" >&2
        exit 1
      } ;;
  esac
done

for s in $SERVERS; do
  case $s in
    postgres) continue ;;
    pgwire) bin=$CARGO_TARGET_DIR/release/pgwire_select1 ;;
    *) binding "$s"; bin=$CARGO_TARGET_DIR/release/examples/$example ;;
  esac
  [ -x "$bin" ] || { echo "run.sh: $bin is missing: build it (BUILD=1) or leave $s out of SERVERS" >&2; exit 1; }
done

pgwire_version=$(awk '/^name = "pgwire"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
# IDLE_CONNS idle connections plus pgbench's: a connection limit above the default 100 of
# PostgreSQL and pgproto's servers (pgwire has none).
max_conn=$((IDLE_CONNS + 100))
commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
measure=(python3 "$here/measure.py" run --out "$work/results.json")
with_pg=()
for s in $SERVERS; do
  case $s in
    pgwire)
      measure+=(--server pgwire "pgwire ${pgwire_version:-0.42} (pgwire_select1, tokio multi-thread)" \
        "$(printf '%q' "$CARGO_TARGET_DIR/release/pgwire_select1")") ;;
    postgres)
      measure+=(--postgres "PostgreSQL $("$PGBIN/postgres" --version | awk '{ print $3 }') (fsync=off, max_connections=$max_conn)")
      with_pg=(env PGPROTO_PG_CONF="max_connections = $max_conn" bash tools/pg/with_pg.sh) ;;
    *)
      binding "$s"
      measure+=(--server "$s" "pgproto $commit on $runtime ($example example, --max-connections $max_conn)" \
        "$(printf '%q' "$CARGO_TARGET_DIR/release/examples/$example") --max-connections $max_conn") ;;
  esac
done
# QUIET_LOCK=/tmp/cargo.lock holds the workspace's build lock while measuring: no build runs on
# the machine's cores meanwhile (builds started elsewhere wait).
quiet=()
[ -z "${QUIET_LOCK:-}" ] || quiet=(flock "$QUIET_LOCK")
# In the background, so that a signal reaches this script at once (bash runs traps only between
# foreground commands). On INT/TERM measure.py is stopped first: it stops its servers, then
# with_pg.sh stops PostgreSQL as it returns.
"${quiet[@]}" "${with_pg[@]}" "${measure[@]}" &
child=$!
interrupted() {
  trap '' INT TERM
  local pid
  pid=$(cat "$work/measure.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; else kill -TERM "$child" 2>/dev/null || true; fi
  wait "$child" || true
  exit 130
}
trap interrupted INT TERM
status=0
wait "$child" || status=$?
trap - INT TERM
case $status in
  0) ;;
  130) echo "run.sh: interrupted" >&2; exit 130 ;;
  *) echo "run.sh: measuring failed (status $status)" >&2; exit "$status" ;;
esac

python3 "$here/measure.py" report --md "$RESULTS" "$work/results.json"
echo "written to ${RESULTS#"$repo"/}" >&2
