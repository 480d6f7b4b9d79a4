"""Shared by the Python client scripts (py_*.py): their arguments, step reporting and the scenario's
data, so that every client checks the same values. Not a client itself.

Each step prints `ok <client> <step>` or `FAIL <client> <step>: <why>`; `Steps.done()` exits 1 if any
step failed.
"""

import argparse
import datetime
import decimal
import os
import sys
import traceback

# The typed parameter round-trip: (step suffix, value, SQL type to cast the parameter to).
PARAMS = [
    ("int4", 42, "int4"),
    ("int8", 9007199254740993, "int8"),
    ("text", "it's \"quoted\" ü€😀", "text"),
    ("bytea", b"\x00\x01\xff\x00", "bytea"),
    ("timestamp", datetime.datetime(2024, 2, 29, 13, 45, 0, 123456), "timestamp"),
    ("numeric", decimal.Decimal("12345.678900"), "numeric"),
    ("bool", True, "bool"),
    ("null", None, "text"),
    ("empty", "", "text"),
]

TABLE_ROWS = 1000
COPY_ROWS = 100
COLUMNS = "id int PRIMARY KEY, name text, amount numeric(12,2), created timestamp"


def row(i):
    """Row i (1-based) of the scenario's tables: (id, name, amount, created)."""
    return (
        i,
        f"name {i} ü'\"",
        decimal.Decimal(f"{i}.{i % 100:02d}"),
        datetime.datetime(2024, 1, 1) + datetime.timedelta(seconds=i, microseconds=i),
    )


def rows(n):
    return [row(i) for i in range(1, n + 1)]


def ts_text(ts):
    """A timestamp as PostgreSQL prints it (trailing zeros of the fraction dropped)."""
    text = ts.strftime("%Y-%m-%d %H:%M:%S")
    return text + (f".{ts.microsecond:06d}".rstrip("0") if ts.microsecond else "")


def copy_text(rs):
    """Rows in COPY's text format (the names hold no tab, newline or backslash)."""
    return "".join(f"{i}\t{name}\t{amount}\t{ts_text(ts)}\n" for i, name, amount, ts in rs)


def same(got, want):
    """Equal values of the same type; a Decimal must also keep its scale (12345.678900)."""
    if isinstance(got, memoryview):
        got = bytes(got)
    if type(got) is not type(want) or got != want:
        return False
    return not isinstance(want, decimal.Decimal) or str(got) == str(want)


def check(cond, why):
    if not cond:
        raise AssertionError(why)


def check_same(got, want, what="value"):
    check(same(got, want), f"{what}: got {got!r}, want {want!r}")


def check_rows(got, want):
    got = [tuple(r) for r in got]
    check(len(got) == len(want), f"{len(got)} rows, want {len(want)}")
    for g, w in zip(got, want):
        check(all(same(a, b) for a, b in zip(g, w)) and len(g) == len(w), f"row {g!r}, want {w!r}")


def check_sqlstate(exc, want):
    """The SQLSTATE of a driver's exception, whichever attribute that driver keeps it in."""
    orig = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's exception
    state = (
        getattr(orig, "sqlstate", None)  # psycopg 3, asyncpg
        or getattr(orig, "pgcode", None)  # psycopg2
        or (orig.args[0].get("C") if orig.args and isinstance(orig.args[0], dict) else None)  # pg8000
    )
    check(state == want, f"SQLSTATE {state!r}, want {want} ({type(orig).__name__}: {orig})")


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--host", default=os.environ.get("PGHOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("PGPORT", "5432")))
    p.add_argument("--user", default=os.environ.get("PGUSER", "postgres"))
    p.add_argument("--password", default=os.environ.get("PGPASSWORD", ""))
    p.add_argument("--dbname", default=os.environ.get("PGDATABASE", "postgres"))
    return p.parse_args()


def _why(exc):
    text = f"{type(exc).__name__}: {exc}" if not isinstance(exc, AssertionError) else str(exc)
    return " ".join(text.split())[:400]


class Steps:
    def __init__(self, client):
        self.client = client
        self.failed = 0

    def report(self, name, exc=None):
        if exc is None:
            print(f"ok {self.client} {name}", flush=True)
            return True
        self.failed += 1
        print(f"FAIL {self.client} {name}: {_why(exc)}", flush=True)
        if os.environ.get("COMPAT_TRACE"):
            traceback.print_exception(exc, file=sys.stderr)
        return False

    def connect(self, fn, *args):
        """Step `connect`: returns fn(*args), or reports the failure and exits (nothing else can run)."""
        try:
            conn = fn(*args)
        except Exception as exc:  # noqa: BLE001
            self.report("connect", exc)
            self.done()
        self.report("connect")
        return conn

    async def aconnect(self, fn, *args):
        try:
            conn = await fn(*args)
        except Exception as exc:  # noqa: BLE001
            self.report("connect", exc)
            self.done()
        self.report("connect")
        return conn

    def run(self, name, fn, *args):
        """Runs fn(*args) as step `name`; True if it passed."""
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, then the next step runs
            return self.report(name, exc)
        return self.report(name, None)

    async def arun(self, name, fn, *args):
        try:
            await fn(*args)
        except Exception as exc:  # noqa: BLE001
            return self.report(name, exc)
        return self.report(name, None)

    def skip(self, name, why):
        print(f"skip {self.client} {name}: {why}", flush=True)

    def done(self):
        sys.exit(1 if self.failed else 0)
