#!/usr/bin/env bash
# psql against a PostgreSQL-compatible server: password connect (PGREQUIREAUTH=scram-sha-256 is
# honoured by libpq >= 16 only; Debian 12's psql has libpq 15), SELECT 1, typed values read back
# equal (psql 15 has no \bind, so they go through psql variables as quoted literals :'v'), a
# 1,000-row table (one multi-row INSERT, then every value checked), SQLSTATE 22012 and 25P02 (psql's
# SQLSTATE variable), \copy in and out, PREPARE/EXECUTE reused, FETCH_COUNT (psql's own cursor,
# 10 rows per FETCH), LISTEN/NOTIFY between two psql sessions (the listener prints "Asynchronous
# notification ..." after its next query).
#
#   bash psql.sh --host H --port P --user U --password PW --dbname D   (or PGHOST... in the env)
#
# Prints `ok psql <step>` or `FAIL psql <step>: <why>` per step; exits 1 if any step failed.
set -uo pipefail

while [ $# -gt 0 ]; do
  case $1 in
    --host) export PGHOST=$2 ;;
    --port) export PGPORT=$2 ;;
    --user) export PGUSER=$2 ;;
    --password) export PGPASSWORD=$2 ;;
    --dbname) export PGDATABASE=$2 ;;
    *) echo "usage: $0 [--host H] [--port P] [--user U] [--password PW] [--dbname D]" >&2; exit 2 ;;
  esac
  shift 2
done
export PGREQUIREAUTH=scram-sha-256 PGCONNECT_TIMEOUT=10

table=compat_psql
columns='id int PRIMARY KEY, name text, amount numeric(12,2), created timestamp'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# psql, unaligned, tab-separated, tuples only, NULL shown as (null); SQL from stdin or -c.
q() { psql -X -q -A -t -F $'\t' -P 'null=(null)' "$@"; }
expect() { [ "$2" = "$3" ] || { printf '%s: got %q, want %q\n' "$1" "$2" "$3"; return 1; }; }
# Runs step function $2 (silent when it passes); its output is the reason it failed.
run() {
  local why
  if why=$("${@:2}" 2>&1); then
    echo "ok psql $1"
  else
    failed=1
    echo "FAIL psql $1: $(printf '%s' "${why:-failed}" | tr '\n\t' '  ' | cut -c1-400)"
  fi
}

# Rows 1..N as psql prints them (and as COPY's text format has them): id, name, amount, created.
rows() {
  awk -v n="$1" -v q="'" 'BEGIN { for (i = 1; i <= n; i++) {
    us = sprintf("%06d", i); sub(/0+$/, "", us)
    printf "%d\tname %d ü%s\"\t%d.%02d\t2024-01-01 00:%02d:%02d.%s\n", i, i, q, i, i % 100, int(i / 60), i % 60, us } }'
}

connect() { expect user "$(q -v ON_ERROR_STOP=1 -c 'SELECT current_user')" "$PGUSER"; }

select1() { expect 'SELECT 1' "$(q -v ON_ERROR_STOP=1 -c 'SELECT 1')" 1; }

# param TYPE VALUE WANT: VALUE goes in as the variable v, SELECT :'v'::TYPE must print WANT.
param() { expect "$1" "$(echo "SELECT :'v'::$1;" | q -v ON_ERROR_STOP=1 -v v="$2")" "$3"; }
param_null() { expect null "$(q -v ON_ERROR_STOP=1 -c 'SELECT NULL::text')" '(null)'; }

table_rows() {
  rows 1000 >"$tmp/rows.tsv"
  {
    echo "DROP TABLE IF EXISTS $table; CREATE TABLE $table ($columns); INSERT INTO $table VALUES"
    awk -F '\t' -v q="'" '{ gsub(q, q q, $2)
      printf "%s(%s, %s%s%s, %s, %s%s%s)", (NR > 1 ? ",\n" : ""), $1, q, $2, q, $3, q, $4, q }
      END { print ";" }' "$tmp/rows.tsv"
  } | q -v ON_ERROR_STOP=1 || return 1
  q -v ON_ERROR_STOP=1 -c "SELECT id, name, amount, created FROM $table ORDER BY id" >"$tmp/got.tsv" || return 1
  diff "$tmp/rows.tsv" "$tmp/got.tsv" | head -5
  cmp -s "$tmp/rows.tsv" "$tmp/got.tsv"
}

division_error() {
  expect 'sqlstate, then SELECT 2' "$(q 2>/dev/null <<'SQL'
SELECT 1/0;
\echo :SQLSTATE
SELECT 2;
SQL
)" $'22012\n2'
}

failed_transaction() {
  expect 'sqlstates, then SELECT 3' "$(q 2>/dev/null <<'SQL'
BEGIN;
SELECT 1/0;
\echo :SQLSTATE
SELECT 1;
\echo :SQLSTATE
ROLLBACK;
SELECT 3;
SQL
)" $'22012\n25P02\n3'
}

copy() {
  rows 100 >"$tmp/copy-in.tsv"
  q -v ON_ERROR_STOP=1 <<SQL || return 1
DROP TABLE IF EXISTS ${table}_copy;
CREATE TABLE ${table}_copy ($columns);
\\copy ${table}_copy (id, name, amount, created) FROM '$tmp/copy-in.tsv'
\\copy (SELECT id, name, amount, created FROM ${table}_copy ORDER BY id) TO '$tmp/copy-out.tsv'
SQL
  diff "$tmp/copy-in.tsv" "$tmp/copy-out.tsv" | head -5
  cmp -s "$tmp/copy-in.tsv" "$tmp/copy-out.tsv"
}

prepared() {
  local i sql='PREPARE compat_psql_p (int4, text) AS SELECT $1 * 2, $2;' want=
  for i in $(seq 0 9); do
    sql+=" EXECUTE compat_psql_p ($i, 'p$i');"
    want+="$((i * 2))"$'\t'"p$i"$'\n'
  done
  expect 'EXECUTE results' "$(echo "$sql DEALLOCATE compat_psql_p;" | q -v ON_ERROR_STOP=1)" "${want%$'\n'}"
}

# With FETCH_COUNT psql reads a query through DECLARE CURSOR and FETCH FORWARD 10.
cursor() {
  printf '\\set FETCH_COUNT 10\nSELECT id, name, amount, created FROM %s ORDER BY id;\n' "$table" \
    | q -v ON_ERROR_STOP=1 >"$tmp/cursor.tsv" || return 1
  diff "$tmp/rows.tsv" "$tmp/cursor.tsv" | head -5
  cmp -s "$tmp/rows.tsv" "$tmp/cursor.tsv"
}

notify() {
  local listener
  mkfifo "$tmp/listen.fifo"
  q -v ON_ERROR_STOP=1 <"$tmp/listen.fifo" >"$tmp/listen.out" 2>&1 &
  listener=$!
  exec 3>"$tmp/listen.fifo"
  printf 'LISTEN compat_psql;\n\\! touch %s/listening\n' "$tmp" >&3
  for _ in $(seq 100); do [ -e "$tmp/listening" ] && break; sleep 0.1; done
  [ -e "$tmp/listening" ] || { exec 3>&-; wait "$listener"; echo "LISTEN did not finish within 10 s: $(cat "$tmp/listen.out")"; return 1; }
  q -v ON_ERROR_STOP=1 -c "NOTIFY compat_psql, 'hello from psql'" || { exec 3>&-; wait "$listener"; return 1; }
  echo "SELECT 'after';" >&3
  exec 3>&-
  wait "$listener"
  grep -q '^Asynchronous notification "compat_psql" with payload "hello from psql" received' "$tmp/listen.out" \
    || { echo "no notification: $(cat "$tmp/listen.out")"; return 1; }
}

if ! command -v psql >/dev/null; then
  echo "FAIL psql connect: psql is not installed"
  exit 1
fi
run connect connect
[ "$failed" = 0 ] || exit 1
run select1 select1
run param-int4 param int4 42 42
run param-int8 param int8 9007199254740993 9007199254740993
run param-text param text "it's \"quoted\" ü€😀" "it's \"quoted\" ü€😀"
run param-bytea param bytea '\x0001ff00' '\x0001ff00'
run param-timestamp param timestamp '2024-02-29 13:45:00.123456' '2024-02-29 13:45:00.123456'
run param-numeric param numeric 12345.678900 12345.678900
run param-bool param bool true t
run param-null param_null
run param-empty param text '' ''
run table table_rows
run error division_error
run transaction failed_transaction
run copy copy
run prepared prepared
run cursor cursor
run notify notify
exit "$failed"
