#!/usr/bin/env bash
# Runs the real-client compatibility scenario, one script per client in this folder, against a
# PostgreSQL-compatible server, and counts the steps:
#
#   bash tests/compat/clients/run.sh --host H --port P --user U --password PW --dbname D [CLIENT...]
#
# CLIENT is any of: psql psycopg psycopg2 asyncpg pg8000 sqlalchemy pgcli node-postgres postgres-js
# jdbc (default: all). Each client prints `ok <client> <step>` / `FAIL <client> <step>: <why>` lines
# (and `skip` lines for what it has no API for, which are not counted). The run ends with exactly
#
#   compat: N passed, M failed
#
# and exits 1 when M > 0. A client that cannot run (unknown name, its setup-*.sh fails, it crashes,
# times out or prints no step) is a failed step, never a skip. The Python, Node.js and Java
# clients are installed on first use by tests/compat/setup-{python,node,java}.sh.
#
# Environment: COMPAT_TIMEOUT (seconds per client, default 300), COMPAT_TRACE=1 (stack traces of
# failed steps to stderr), and those of the setup scripts (PGPROTO_VENV, PGPROTO_NODE).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
all=(psql psycopg psycopg2 asyncpg pg8000 sqlalchemy pgcli node-postgres postgres-js jdbc)
usage() {
  echo "usage: $0 --host H --port P --user U --password PW --dbname D [CLIENT...]" >&2
  echo "clients: ${all[*]}" >&2
  exit 2
}

conn=() clients=()
while [ $# -gt 0 ]; do
  case $1 in
    --host | --port | --user | --password | --dbname)
      [ $# -ge 2 ] || usage
      conn+=("$1" "$2")
      shift 2
      ;;
    -*) usage ;;
    *) clients+=("$1"); shift ;;
  esac
done
[ ${#clients[@]} -gt 0 ] || clients=("${all[@]}")

# Each setup script runs at most once; its path (or "" when it failed) is kept.
declare -A setup
setup() {
  if [ -z "${setup[$1]+set}" ]; then
    setup[$1]=$(bash "$here/../setup-$1.sh") || setup[$1]=
  fi
  [ -n "${setup[$1]}" ]
}

# Sets cmd to the command that runs client $1, or returns 1 with the reason in why.
command_for() {
  local py=
  case $1 in
    psycopg) py=py_psycopg3.py ;;
    psycopg2 | asyncpg | pg8000 | sqlalchemy | pgcli) py=py_$1.py ;;
  esac
  if [ -n "$py" ]; then
    setup python || { why="tests/compat/setup-python.sh failed"; return 1; }
    cmd=("${setup[python]}/bin/python" "$here/$py")
    return 0
  fi
  case $1 in
    psql)
      command -v psql >/dev/null || { why="psql is not installed (apt-get install postgresql-client)"; return 1; }
      cmd=(bash "$here/psql.sh")
      ;;
    node-postgres | postgres-js)
      setup node || { why="tests/compat/setup-node.sh failed"; return 1; }
      [ "$1" = node-postgres ] && py=node_pg.js || py=node_postgresjs.js
      cmd=(env "NODE_PATH=${setup[node]}/node_modules" node "$here/$py")
      ;;
    jdbc)
      setup java || { why="tests/compat/setup-java.sh failed"; return 1; }
      cmd=(java -cp "${setup[java]}" "$here/Jdbc.java")
      ;;
    *) why="unknown client (known: ${all[*]})"; return 1 ;;
  esac
}

passed=0 failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for client in "${clients[@]}"; do
  echo "== $client"
  if ! command_for "$client"; then
    echo "FAIL $client setup: $why"
    failed=$((failed + 1))
    continue
  fi
  timeout -k 10 "${COMPAT_TIMEOUT:-300}" "${cmd[@]}" "${conn[@]}" | tee "$out"
  status=${PIPESTATUS[0]}
  ok=$(grep -c '^ok ' "$out") bad=$(grep -c '^FAIL ' "$out")
  passed=$((passed + ok)) failed=$((failed + bad))
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "FAIL $client run: timed out after ${COMPAT_TIMEOUT:-300} s"
    failed=$((failed + 1))
  elif [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
    echo "FAIL $client run: exit status $status without a failed step"
    failed=$((failed + 1))
  elif [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
    echo "FAIL $client run: no step reported"
    failed=$((failed + 1))
  fi
done
echo "compat: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
