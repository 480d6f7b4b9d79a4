#!/usr/bin/env bash
# Creates (once) the Python virtual environment the real-client compatibility scripts run in, with
# psycopg 3 (psycopg[binary], whose wheel bundles a libpq >= 17), asyncpg, psycopg2 (psycopg2-binary),
# pg8000, SQLAlchemy 2 and pgcli, and prints its path:
#
#   venv=$(bash tests/compat/setup-python.sh)
#   "$venv/bin/python" tests/compat/psycopg_tls.py --host ... --port ...
#
# Environment:
#   PGPROTO_VENV   where the venv lives (default: $HOME/.cache/pgproto/venv)
#   PYTHON         the interpreter that creates it (default: python3)
#
# Only the venv path goes to stdout; pip's and apt's chatter goes to stderr. When the venv already
# imports every package this only runs that one import check (well under a second). PyPI is the only
# source used (pip); if python3 lacks a working venv/ensurepip module, python3-venv is installed
# with apt-get (root).
set -euo pipefail

venv=${PGPROTO_VENV:-$HOME/.cache/pgproto/venv}
python=${PYTHON:-python3}
check='import psycopg, asyncpg, psycopg_binary, psycopg2, pg8000, sqlalchemy, pgcli'

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" >/dev/null 2>&1; then
  printf '%s\n' "$venv"
  exit 0
fi

{
  if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    echo "setup-python: $python has no working venv/ensurepip module; installing python3-venv" >&2
    apt-get update && apt-get install -y python3-venv
    python=/usr/bin/python3
  fi
  # A half-made venv (no python, or a failed earlier run) is rebuilt from scratch.
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pip' >/dev/null 2>&1; then
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet 'psycopg[binary]>=3.2' asyncpg \
    psycopg2-binary pg8000 'SQLAlchemy>=2' pgcli
} >&2

if ! "$venv/bin/python" -c "$check" >/dev/null; then
  echo "setup-python: $venv still cannot import one of: $check" >&2
  exit 1
fi
printf '%s\n' "$venv"
