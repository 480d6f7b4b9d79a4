#!/usr/bin/env bash
# Writes the password secrets PostgreSQL 15 stores for password 'pencil' to OUT: the SCRAM
# verifier of role scram_user and the MD5 secret of role md5_user, one per line, as in pg_authid.
#
#   bash tools/pg/secrets.sh core/tests/fixtures/pg15-secrets.txt
set -euo pipefail
out=$(realpath -m "$1")
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/with_pg.sh" bash -c '
  set -euo pipefail
  psql -qAtX -v ON_ERROR_STOP=1 <<SQL >"$0"
SET password_encryption = '"'"'scram-sha-256'"'"';
CREATE ROLE scram_user LOGIN PASSWORD '"'"'pencil'"'"';
SET password_encryption = '"'"'md5'"'"';
CREATE ROLE md5_user LOGIN PASSWORD '"'"'pencil'"'"';
SELECT rolpassword FROM pg_authid WHERE rolname IN ('"'"'scram_user'"'"', '"'"'md5_user'"'"') ORDER BY rolname DESC;
SQL
' "$out"
