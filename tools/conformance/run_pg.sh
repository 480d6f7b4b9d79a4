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
#
# The server is started by tools/pg/with_pg.sh, which runs this script once more
# (with PGPROTO_CONFORM_WORK set) to create the role and run pgconform.py; the
# first run owns the work directory.

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

if [ -z "${PGPROTO_CONFORM_WORK:-}" ]; then
    # ---- first run: work directory, then the server via with_pg.sh ----
    if [ ! -x "$PGBIN/postgres" ]; then
        echo "PostgreSQL 15 not found in $PGBIN; installing" >&2
        apt-get update && apt-get install -y postgresql
    fi

    WORK=$(mktemp -d /tmp/pgconform.XXXXXX)
    cleanup() {
        local rc=$?
        set +e
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

    PG_PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    echo "initdb in $WORK/data (port $PG_PORT)" >&2
    PG_CONF="ssl = off
synchronous_commit = off
full_page_writes = off
lc_messages = 'C'
timezone = 'UTC'
client_min_messages = notice"
    PG_HBA="# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust"
    # with_pg.sh exits 3 when the server does not start, as this script always has.
    status=0
    PGPROTO_CONFORM_WORK=$WORK PGPROTO_PG_WORK=$WORK PGPROTO_PG_PORT=$PG_PORT \
        PGPROTO_PG_CONF=$PG_CONF PGPROTO_PG_HBA=$PG_HBA \
        bash "$ROOT/tools/pg/with_pg.sh" bash "$HERE/$(basename "${BASH_SOURCE[0]}")" "$MODE" "$@" \
        || status=$?
    exit $status
fi

# ---- second run, inside with_pg.sh: the server is up ----
WORK=$PGPROTO_CONFORM_WORK
PG_PORT=$PGPORT
PSQL=$PGBIN/psql
[ -x "$PSQL" ] || PSQL=$(command -v psql)

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
