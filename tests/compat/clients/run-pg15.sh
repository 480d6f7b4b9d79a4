#!/usr/bin/env bash
# Runs run.sh against a throw-away real PostgreSQL 15 (tools/pg/with_pg.sh) that requires
# SCRAM-SHA-256 for user compat (password compat-pw, owner of database compat): the proof that the
# client scripts themselves are right.
#
#   bash tests/compat/clients/run-pg15.sh [CLIENT...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PGPROTO_PG_HBA="local all all trust
host all postgres 127.0.0.1/32 trust
host all compat 127.0.0.1/32 scram-sha-256"
export PGPROTO_PG_CONF="password_encryption = 'scram-sha-256'"
exec bash "$here/../../../tools/pg/with_pg.sh" bash -c '
  psql -qX -v ON_ERROR_STOP=1 -c "CREATE ROLE compat LOGIN PASSWORD '\''compat-pw'\''" \
    -c "CREATE DATABASE compat OWNER compat" >&2
  exec bash "$0" --host "$PGHOST" --port "$PGPORT" --user compat --password compat-pw --dbname compat "$@"
' "$here/run.sh" "$@"
