#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need (PostgreSQL 15), remakes
# the real-session captures against a live server, then runs every Rust test.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  apt-get update && apt-get install -y postgresql
fi

# Real bytes: record fresh sessions against PostgreSQL 15 (it is started and stopped by the script).
capdir=$(mktemp -d /tmp/pgproto-captures.XXXXXX)
trap 'rm -rf "$capdir"' EXIT
bash tools/capture/make_captures.sh "$capdir"

PGPROTO_CAPTURE_DIR=$capdir cargo test --workspace --all-targets
PGPROTO_CAPTURE_DIR=$capdir cargo test --workspace --doc
# The codec without an allocator.
cargo test -p pgproto --no-default-features --test no_alloc
