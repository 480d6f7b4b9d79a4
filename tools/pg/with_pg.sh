#!/usr/bin/env bash
# Runs a command next to a throw-away PostgreSQL 15 on a free 127.0.0.1 port:
#
#   bash tools/pg/with_pg.sh COMMAND [ARGS...]
#
# The command sees PGHOST, PGPORT, PGUSER=postgres and PGDATABASE=postgres (trust authentication)
# and PGPROTO_PG_SOCKET_DIR. PostgreSQL runs as user postgres (it refuses root), in a temporary
# data directory removed at the end; the script exits with the command's status, or 3 when
# PostgreSQL does not start (the command is then not run).
#
# Optional environment, read before PostgreSQL starts (all unset: the behaviour above):
#   PGPROTO_PG_WORK=DIR  an existing directory to work in instead of a new temporary one; it gets
#                        the cluster in DIR/data, initdb.log, postgres.log and the Unix socket
#                        (PGPROTO_PG_SOCKET_DIR=DIR), is chowned to postgres when run as root and
#                        is left in place (the caller removes it).
#   PGPROTO_PG_PORT=N    the port, instead of a free one picked here.
#   PGPROTO_PG_CONF      extra lines appended to postgresql.conf.
#   PGPROTO_PG_HBA       the whole pg_hba.conf, replacing initdb's (trust for every local and
#                        loopback connection).
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/postgres" ]; then
  apt-get update && apt-get install -y postgresql
fi
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
if [ -n "${PGPROTO_PG_WORK:-}" ]; then
  work=$PGPROTO_PG_WORK own_work=
else
  work=$(mktemp -d /tmp/pgproto-pg.XXXXXX) own_work=1
fi
[ "$(id -u)" -ne 0 ] || chown postgres: "$work"
port=${PGPROTO_PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
started=
cleanup() {
  [ -z "$started" ] || as_postgres "$PGBIN/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
  [ -z "$own_work" ] || rm -rf "$work"
}
trap cleanup EXIT
as_postgres "$PGBIN/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; exit 3; }
cat >>"$work/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
fsync = off
CONF
[ -z "${PGPROTO_PG_CONF:-}" ] || printf '%s\n' "$PGPROTO_PG_CONF" >>"$work/data/postgresql.conf"
[ -z "${PGPROTO_PG_HBA:-}" ] || printf '%s\n' "$PGPROTO_PG_HBA" >"$work/data/pg_hba.conf"
as_postgres "$PGBIN/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start >/dev/null || { cat "$work/postgres.log" >&2; exit 3; }
started=1
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres PGPROTO_PG_SOCKET_DIR=$work
"$@"
