#!/usr/bin/env bash
# Connects with the system psql (PostgreSQL 15 client) over TLS and checks what `\conninfo` says:
#
#   bash tests/compat/psql_conninfo.sh HOST PORT USER PASSWORD [direct]
#
# Runs `psql -X -w CONNINFO -c '\conninfo' -c 'SELECT 1'` with sslmode=require (no certificate
# verification) and the password in PGPASSWORD, and checks that the output has the line
# "SSL connection (protocol: TLSv1.3, ..." and that SELECT 1 returned the row 1. Exits 0 when it
# does, 1 with a message on stderr when it does not, 2 on bad usage.
#
# With `direct`, the connection string also has sslnegotiation=direct (TLS from the first byte,
# no SSLRequest), which the system libpq 15 rejects ("invalid connection option"). psql 15 then
# runs on the libpq >= 17 bundled in the psycopg-binary wheel of the venv that
# tests/compat/setup-python.sh makes (and makes now, if needed): a temporary directory gets a
# symlink libpq.so.5 -> psycopg_binary.libs/libpq-<hash>.so.5.<minor>, and LD_LIBRARY_PATH holds
# that directory and psycopg_binary.libs itself. The latter is needed because that libpq finds its
# own libssl-<hash>.so.3, libcrypto-<hash>.so.3, ... through RPATH=$ORIGIN, and $ORIGIN is the
# directory of the symlink it was loaded through, not of the file it points to. libpq keeps its
# ABI across major versions (soname libpq.so.5, unversioned symbols on both sides), so psql 15
# works unchanged on libpq 18.
#
# Environment:
#   PSQL                    the psql to run (default /usr/bin/psql, Debian's pg_wrapper)
#   PGPROTO_COMPAT_DBNAME   the database to ask for (default postgres)
#   PGPROTO_VENV            the venv (see setup-python.sh)
# Other PG* variables of the caller (PGHOST, PGSSLMODE, PGSERVICE, ...) are cleared first.
set -euo pipefail

usage() { echo "usage: bash $0 HOST PORT USER PASSWORD [direct]" >&2; exit 2; }
fail() { echo "FAIL: psql_conninfo: $*" >&2; exit 1; }
[ $# -eq 4 ] || { [ $# -eq 5 ] && [ "$5" = direct ]; } || usage
host=$1 port=$2 user=$3 password=$4 mode=${5:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
psql=${PSQL:-/usr/bin/psql}
dbname=${PGPROTO_COMPAT_DBNAME:-postgres}
[ -x "$psql" ] || fail "no psql at $psql (apt-get install postgresql-client)"

while read -r var; do
  case $var in PGPROTO_*) ;; PG*) unset "$var" ;; esac
done < <(compgen -e)

# One conninfo value, single-quoted with \ and ' escaped.
quote() { local v=${1//\\/\\\\}; printf "'%s'" "${v//\'/\\\'}"; }
conninfo="host=$(quote "$host") port=$(quote "$port") user=$(quote "$user") dbname=$(quote "$dbname")"
conninfo+=" sslmode=require connect_timeout=10 application_name=pgproto-compat"

libenv=()
if [ "$mode" = direct ]; then
  conninfo+=" sslnegotiation=direct"
  venv=$(bash "$here/setup-python.sh")
  libpq=$(find "$venv" -path '*/site-packages/psycopg_binary.libs/*' -name 'libpq*.so*' \( -type f -o -type l \) \
    | sort | head -n 1)
  [ -n "$libpq" ] || fail "no libpq*.so* under $venv/lib/*/site-packages/psycopg_binary.libs"
  tmp=$(mktemp -d /tmp/pgproto-libpq.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  ln -s "$libpq" "$tmp/libpq.so.5"
  libenv=("LD_LIBRARY_PATH=$tmp:$(dirname "$libpq")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
  echo "psql_conninfo: psql on $libpq (as $tmp/libpq.so.5)"
  # The ELF psql behind Debian's wrapper must resolve every library (the wheel's libssl etc. too).
  elf=$psql
  [ "$(head -c 4 "$psql" | tr -d '\0')" = $'\x7fELF' ] || elf=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$elf" ]; then
    deps=$(env "${libenv[@]}" ldd "$elf") || fail "ldd $elf failed"
    if grep -q 'not found' <<<"$deps"; then fail "$elf with ${libenv[0]}: $(grep 'not found' <<<"$deps" | tr -s ' \t' ' ')"; fi
    grep -q "libpq.so.5 => $tmp/libpq.so.5" <<<"$deps" || fail "$elf does not load $tmp/libpq.so.5: $(grep libpq <<<"$deps")"
  fi
fi

status=0
out=$(env "${libenv[@]}" PGPASSWORD="$password" timeout 60 "$psql" -X -w -v ON_ERROR_STOP=1 "$conninfo" \
  -c '\conninfo' -c 'SELECT 1' 2>&1) || status=$?
printf '%s\n' "$out" | sed 's/^/  psql| /'
[ "$status" -eq 0 ] || fail "psql exited with status $status (${mode:-postgres} TLS negotiation)"
ssl_line=$(grep -m 1 '^SSL connection (protocol: ' <<<"$out") || fail "\\conninfo does not report an SSL connection"
case $ssl_line in
  'SSL connection (protocol: TLSv1.3,'*) ;;
  *) fail "TLS 1.3 expected, \\conninfo says: $ssl_line" ;;
esac
grep -Eq '^ +1$' <<<"$out" || fail "SELECT 1 did not return the row 1"
echo "ok   psql ${mode:-postgres} TLS negotiation: $ssl_line; SELECT 1 -> 1"
