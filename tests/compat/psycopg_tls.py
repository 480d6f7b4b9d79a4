#!/usr/bin/env python3
"""Real-client checks with psycopg 3 (libpq >= 17 from the psycopg-binary wheel) over TLS + SCRAM.

    python psycopg_tls.py --host H --port P --user U --password PW --dbname D \
        [--expect-plus] [--no-direct | --expect-direct-failure] [--require-auth METHOD]

Run it with the venv made by tests/compat/setup-python.sh. Checks, in order, stopping at the first
failure (message on stderr, exit status 1):

  versions     psycopg uses libpq >= 17 (skipped with --no-direct: only direct TLS needs it)
  tls          sslmode=require connects, conn.info.pgconn.ssl_in_use is true, SELECT 1 returns a row
  scram        channel_binding=disable (plain SCRAM-SHA-256, gs2 flag 'n' or 'y') connects
  scram-plus   channel_binding=require (libpq then insists on SCRAM-SHA-256-PLUS with
               tls-server-end-point) connects; only with --expect-plus
  direct       sslnegotiation=direct (TLS handshake at once, ALPN "postgresql", no SSLRequest)
               connects with TLS and answers SELECT 1; skipped with --no-direct, and with
               --expect-direct-failure the attempt must fail instead (PostgreSQL < 17)
  bad-password a wrong password raises psycopg.OperationalError naming
               'password authentication failed for user "U"', and the server's SQLSTATE is 28P01

Every connection uses sslmode=require (no certificate verification) and, unless --require-auth ''
is given, require_auth=scram-sha-256, so that libpq refuses any other authentication method.

About the SQLSTATE of a failed connection: libpq keeps no PGresult for an error received during
connection start-up, so psycopg's OperationalError has sqlstate None (e.diag.sqlstate too, and
e.pgresult is None; seen with psycopg 3.3.9 and its bundled libpq 18.6). The only place the
server's ErrorResponse shows is the message text, "FATAL:  password authentication failed for
user ...". To check the code itself, the bad-password check also connects at the libpq level
(psycopg.pq) with PQsetErrorVerbosity(PQERRORS_VERBOSE) set on the PGconn before polling (through
ctypes on the very libpq psycopg has loaded): libpq then writes "FATAL:  28P01: password
authentication failed ..." into the error message, and the code is taken from there. Should a
later psycopg fill e.sqlstate on connection failure, it is checked to be 28P01 as well.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import select
import sys
import time

try:
    import psycopg
    from psycopg import pq
    from psycopg.conninfo import make_conninfo
except ImportError as exc:  # pragma: no cover - environment problem
    sys.exit(f"FAIL: cannot import psycopg ({exc}); run with the venv from tests/compat/setup-python.sh")

PQERRORS_VERBOSE = 2


class CheckFailed(Exception):
    pass


def ok(name: str, detail: str) -> None:
    print(f"ok   {name:<12} {detail}", flush=True)


def conninfo(args: argparse.Namespace, **extra: object) -> str:
    params: dict[str, object] = dict(
        host=args.host,
        port=args.port,
        user=args.user,
        password=args.password,
        dbname=args.dbname,
        sslmode="require",
        connect_timeout=args.timeout,
        application_name="pgproto-compat",
    )
    if args.require_auth:
        params["require_auth"] = args.require_auth
    params.update(extra)
    return make_conninfo("", **params)


def connect(args: argparse.Namespace, what: str, **extra: object) -> psycopg.Connection:
    try:
        return psycopg.connect(conninfo(args, **extra), autocommit=True)
    except psycopg.Error as exc:
        raise CheckFailed(f"{what}: {exc}") from exc


def select_one(conn: psycopg.Connection, what: str) -> object:
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
            row = cur.fetchone()
    except psycopg.Error as exc:
        raise CheckFailed(f"{what}: SELECT 1 failed: {exc}") from exc
    if row is None:
        raise CheckFailed(f"{what}: SELECT 1 returned no row")
    return row[0]


def check_tls_select(args: argparse.Namespace, name: str, what: str, **extra: object) -> None:
    conn = connect(args, what, **extra)
    try:
        if not conn.info.pgconn.ssl_in_use:
            raise CheckFailed(f"{what}: connected, but conn.info.pgconn.ssl_in_use is false")
        if not conn.info.pgconn.used_password:
            raise CheckFailed(f"{what}: connected without the server asking for the password")
        value = select_one(conn, what)
        ok(name, f"{what}: TLS in use, SELECT 1 -> {value!r}")
    finally:
        conn.close()


def loaded_libpq() -> ctypes.CDLL:
    """The libpq psycopg has loaded (found in /proc/self/maps), opened again with ctypes."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            parts = line.split()
            if len(parts) >= 6 and os.path.basename(parts[-1]).startswith("libpq"):
                lib = ctypes.CDLL(parts[-1])
                lib.PQsetErrorVerbosity.argtypes = [ctypes.c_void_p, ctypes.c_int]
                lib.PQsetErrorVerbosity.restype = ctypes.c_int
                return lib
    raise CheckFailed("bad-password: cannot find the libpq psycopg loaded in /proc/self/maps")


def verbose_connect_error(args: argparse.Namespace, info: str) -> str:
    """Connects at the libpq level with verbose errors; returns libpq's error message on failure."""
    lib = loaded_libpq()
    pgconn = pq.PGconn.connect_start(info.encode())
    try:
        lib.PQsetErrorVerbosity(pgconn.pgconn_ptr, PQERRORS_VERBOSE)
        deadline = time.monotonic() + args.timeout
        while True:
            status = pgconn.connect_poll()
            if status == pq.PollingStatus.OK:
                raise CheckFailed("bad-password: libpq-level connection with a wrong password succeeded")
            if status == pq.PollingStatus.FAILED:
                return pgconn.get_error_message()
            left = deadline - time.monotonic()
            if left <= 0:
                raise CheckFailed(f"bad-password: libpq-level connection still pending after {args.timeout}s")
            if status == pq.PollingStatus.READING:
                select.select([pgconn.socket], [], [], left)
            elif status == pq.PollingStatus.WRITING:
                select.select([], [pgconn.socket], [], left)
    finally:
        pgconn.finish()


def check_versions(args: argparse.Namespace) -> None:
    libpq = pq.version()
    detail = f"psycopg {psycopg.__version__} ({pq.__impl__}), libpq {pq.version_pretty(libpq)} ({libpq})"
    if args.no_direct:
        ok("versions", detail)
        return
    if libpq < 170000:
        raise CheckFailed(
            f"versions: {detail}; direct TLS (sslnegotiation=direct) needs libpq >= 17 (170000): "
            "install psycopg[binary] with tests/compat/setup-python.sh, or pass --no-direct"
        )
    ok("versions", detail + ", >= 17: direct TLS possible")


def check_direct(args: argparse.Namespace) -> None:
    what = "sslnegotiation=direct"
    if not args.expect_direct_failure:
        check_tls_select(args, "direct", what, sslnegotiation="direct")
        return
    try:
        conn = psycopg.connect(conninfo(args, sslnegotiation="direct"), autocommit=True)
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0]
        ok("direct", f"{what} refused, as expected (--expect-direct-failure): {first}")
        return
    conn.close()
    raise CheckFailed(f"{what}: connected, but --expect-direct-failure says the server cannot do direct TLS")


def check_bad_password(args: argparse.Namespace) -> None:
    wrong = args.password + "-wrong"
    expected = f'password authentication failed for user "{args.user}"'
    info = conninfo(args, password=wrong)
    try:
        conn = psycopg.connect(info, autocommit=True)
    except psycopg.OperationalError as exc:
        message = str(exc)
        if expected not in message:
            raise CheckFailed(f"bad-password: OperationalError without {expected!r}: {message}") from exc
        if exc.sqlstate is not None and exc.sqlstate != "28P01":
            raise CheckFailed(f"bad-password: OperationalError.sqlstate is {exc.sqlstate!r}, want '28P01'") from exc
        psycopg_state = exc.sqlstate
    except psycopg.Error as exc:
        raise CheckFailed(f"bad-password: {type(exc).__name__} instead of OperationalError: {exc}") from exc
    else:
        conn.close()
        raise CheckFailed("bad-password: connection with a wrong password succeeded")

    verbose = verbose_connect_error(args, info)
    found = re.search(r"\b(?:FATAL|ERROR):  ([0-9A-Z]{5}): (.*)", verbose)
    if not found:
        raise CheckFailed(f"bad-password: no 'FATAL:  SQLSTATE: message' in libpq's verbose error: {verbose!r}")
    if found.group(1) != "28P01" or expected not in found.group(2):
        raise CheckFailed(f"bad-password: want 28P01 and {expected!r}, libpq says: {found.group(0)!r}")
    ok(
        "bad-password",
        f"OperationalError {expected!r} (psycopg sqlstate {psycopg_state!r}); "
        f"libpq verbose: {found.group(1)}",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", required=True, type=int)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--dbname", required=True)
    parser.add_argument("--expect-plus", action="store_true",
                        help="the server offers SCRAM-SHA-256-PLUS: check channel_binding=require")
    direct = parser.add_mutually_exclusive_group()
    direct.add_argument("--no-direct", action="store_true",
                        help="skip the direct TLS check (PostgreSQL < 17 cannot do it)")
    direct.add_argument("--expect-direct-failure", action="store_true",
                        help="the direct TLS attempt must fail (for validating against PostgreSQL < 17)")
    parser.add_argument("--require-auth", default="scram-sha-256",
                        help="libpq require_auth for every connection ('' for none; default %(default)s)")
    parser.add_argument("--timeout", type=int, default=10, help="connect timeout in seconds (default %(default)s)")
    args = parser.parse_args(argv)

    try:
        check_versions(args)
        check_tls_select(args, "tls", "sslmode=require")
        check_tls_select(args, "scram", "channel_binding=disable", channel_binding="disable")
        if args.expect_plus:
            check_tls_select(args, "scram-plus", "channel_binding=require", channel_binding="require")
        if not args.no_direct:
            check_direct(args)
        check_bad_password(args)
    except CheckFailed as exc:
        print(f"FAIL: {exc}", file=sys.stderr, flush=True)
        return 1
    print("psycopg_tls: all checks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
