#!/usr/bin/env bash
# Creates (once) the folder the Node.js real-client compatibility scripts run from, with node-postgres
# (`pg`) and postgres.js (`postgres`) installed by npm, and prints its path:
#
#   node_dir=$(bash tests/compat/setup-node.sh)
#   NODE_PATH=$node_dir/node_modules node tests/compat/clients/node_postgres.js --host ... --port ...
#
# Environment:
#   PGPROTO_NODE   where the packages live (default: $HOME/.cache/pgproto/node)
#
# Only the folder's path goes to stdout; npm's and apt's chatter goes to stderr. node and npm are
# installed with apt-get (root) when missing; the npm registry is the only other source used. When
# both packages already resolve this only runs that one check.
set -euo pipefail

dir=${PGPROTO_NODE:-$HOME/.cache/pgproto/node}
check="require('pg'); require('postgres');"

ready() { command -v node >/dev/null 2>&1 && (cd "$dir" 2>/dev/null && node -e "$check") >/dev/null 2>&1; }

if ready; then
  printf '%s\n' "$dir"
  exit 0
fi

{
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "setup-node: installing nodejs and npm with apt-get" >&2
    apt-get update && apt-get install -y nodejs npm
  fi
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || printf '{ "name": "pgproto-compat", "private": true }\n' >"$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error pg postgres)
} >&2

if ! ready; then
  echo "setup-node: $dir still cannot require pg and postgres" >&2
  exit 1
fi
printf '%s\n' "$dir"
