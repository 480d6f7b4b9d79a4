#!/usr/bin/env bash
# Run the conformance scripts against a throw-away PostgreSQL 15.
#
#   bash tools/conformance/run_pg.sh record   # (re)write core/tests/conformance/expected/*.txt
#   bash tools/conformance/run_pg.sh check    # compare with them; exit 1 on any difference
#
# Extra arguments are passed to pgconform.py (e.g. --only '^01').
# Starts PostgreSQL 15 on a free 127.0.0.1 port (trust auth, role and database
# "test"), runs tools/conformance/pgconform.py, stops the server and exits with
# pgconform's status.  Needs root (initdb/pg_ctl run as user postgres) or to be
# run as a non-root user that can run initdb itself.
# Environment: PYTHON (default python3), KEEP_WORK=1 keeps the temp directory.

set -euo pipefail

if [ $# -lt 1 ] || { [ "$1" != record ] && [ "$1" != check ]; }; then
    echo "usage: $0 record|check [pgconform options]" >&2
    exit 2
fi
MODE=$1
shift
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PYTHON=${PYTHON:-python3}
PGBIN=/usr/lib/postgresql/15/bin
SCRIPTS=$ROOT/core/tests/conformance/scripts
EXPECTED=$ROOT/core/tests/conformance/expected

if [ ! -x "$PGBIN/postgres" ]; then
    echo "PostgreSQL 15 not found in $PGBIN; installing" >&2
    apt-get update && apt-get install -y postgresql
fi
PSQL=$PGBIN/psql
[ -x "$PSQL" ] || PSQL=$(command -v psql)

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

WORK=$(mktemp -d /tmp/pgconform.XXXXXX)
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$WORK"
fi
DATA=$WORK/data
PG_STARTED=

cleanup() {
    local rc=$?
    set +e
    if [ -n "$PG_STARTED" ]; then
        as_postgres "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1
    fi
    if [ "${KEEP_WORK:-0}" = 1 ] || { [ $rc -ne 0 ] && [ $rc -ne 1 ]; }; then
        echo "work directory kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PG_PORT=$(free_port)
echo "initdb in $DATA (port $PG_PORT)" >&2
as_postgres "$PGBIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C --no-sync \
    >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; exit 3; }

cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$WORK'
ssl = off
fsync = off
synchronous_commit = off
full_page_writes = off
lc_messages = 'C'
timezone = 'UTC'
client_min_messages = notice
EOF

cat >"$DATA/pg_hba.conf" <<EOF
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
EOF

as_postgres "$PGBIN/pg_ctl" -D "$DATA" -l "$WORK/postgres.log" -w -t 60 start >/dev/null \
    || { cat "$WORK/postgres.log" >&2; exit 3; }
PG_STARTED=1

unset PGPASSWORD PGUSER PGDATABASE PGHOST PGHOSTADDR PGPORT PGSERVICE PGOPTIONS PGSSLMODE PGGSSENCMODE || true

"$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$WORK" -p "$PG_PORT" -U postgres -d postgres <<'EOF' || exit 3
CREATE ROLE test LOGIN SUPERUSER;
CREATE DATABASE test OWNER test;
EOF

set +e
"$PYTHON" "$HERE/pgconform.py" "$MODE" --host 127.0.0.1 --port "$PG_PORT" "$@" "$SCRIPTS" "$EXPECTED"
status=$?
set -e
exit $status
