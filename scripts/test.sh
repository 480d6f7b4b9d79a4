#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need (PostgreSQL 15 server and
# clients; openssl for the test server's TLS certificate; strace, which takes io_uring away from
# a server to test the epoll fallback), re-checks the recorded PostgreSQL behaviour against a
# live server, then runs every Rust test.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/lib/postgresql/15/bin/initdb ] || [ ! -x /usr/bin/psql ] || [ ! -x /usr/bin/pgbench ] \
  || ! command -v openssl >/dev/null || ! command -v strace >/dev/null; then
  apt-get update && apt-get install -y postgresql postgresql-client openssl strace
fi

live=$(mktemp -d /tmp/pgproto-live.XXXXXX)
trap 'rm -rf "$live"' EXIT
# Real bytes: fresh sessions recorded against PostgreSQL 15 (psql, pgbench, COPY, auth methods).
bash tools/capture/make_captures.sh "$live/captures"
# PostgreSQL 15 still answers the conformance scripts as recorded.
bash tools/conformance/run_pg.sh check
# Secrets made by PostgreSQL 15 (SCRAM verifier, MD5).
bash tools/pg/secrets.sh "$live/pg15-secrets.txt"

# Python clients (psycopg 3 with the libpq 17+ of its wheel) for the real-client tests.
export PGPROTO_VENV=${PGPROTO_VENV:-${HOME:-/root}/.cache/pgproto/venv}
bash tests/compat/setup-python.sh >/dev/null

export PGPROTO_CAPTURE_DIR=$live/captures PGPROTO_PG_SECRETS=$live/pg15-secrets.txt
# The example servers run as real processes in the tests (`cargo test` builds examples only as
# test harnesses).
cargo build --workspace --examples
cargo test --workspace --all-targets
cargo test --workspace --doc
# The codec without an allocator.
cargo test -p pgproto --no-default-features --test no_alloc
# The type codecs' conversions to chrono, time, uuid, rust_decimal and serde_json (optional features).
cargo test -p pgproto --lib --features chrono,time,uuid,rust_decimal,serde_json types::interop
