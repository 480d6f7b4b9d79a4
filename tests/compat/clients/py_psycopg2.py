"""psycopg2 against a PostgreSQL-compatible server: SCRAM connect (libpq's require_auth makes any
other method fail), SELECT 1, typed parameters read back equal (psycopg2 quotes them into the query
text itself: it has no bound parameters), a 1,000-row table (execute_values, then every value
checked), SQLSTATE 22012 and 25P02, COPY in/out (copy_expert), a prepared statement reused (SQL
PREPARE/EXECUTE: psycopg2 has no API for it), a named cursor's fetchmany, LISTEN/NOTIFY between two
connections (poll/notifies).

    python py_psycopg2.py --host H --port P --user U --password PW --dbname D
"""

import io
import select

import psycopg2
import psycopg2.extras

from scenario import (COLUMNS, COPY_ROWS, PARAMS, TABLE_ROWS, Steps, check, check_rows, check_same,
                      check_sqlstate, copy_text, parse_args, rows)

CLIENT = "psycopg2"
TABLE = "compat_psycopg2"


def connect(a):
    conn = psycopg2.connect(host=a.host, port=a.port, user=a.user, password=a.password,
                            dbname=a.dbname, require_auth="scram-sha-256", connect_timeout=10)
    conn.autocommit = True
    return conn


def one(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchone()[0]


def param(conn, value, sqltype):
    bound = psycopg2.Binary(value) if isinstance(value, bytes) else value
    check_same(one(conn, f"SELECT %s::{sqltype}", [bound]), value)


def table(conn):
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cur.execute(f"CREATE TABLE {TABLE} ({COLUMNS})")
        psycopg2.extras.execute_values(cur, f"INSERT INTO {TABLE} VALUES %s", rows(TABLE_ROWS),
                                       page_size=250)
        cur.execute(f"SELECT id, name, amount, created FROM {TABLE} ORDER BY id")
        check_rows(cur.fetchall(), rows(TABLE_ROWS))


def division_error(conn):
    try:
        one(conn, "SELECT 1/0")
        raise AssertionError("SELECT 1/0 did not fail")
    except psycopg2.Error as exc:
        check_sqlstate(exc, "22012")
    check_same(one(conn, "SELECT 2"), 2)


def failed_transaction(conn):
    with conn.cursor() as cur:
        cur.execute("BEGIN")
        try:
            try:
                cur.execute("SELECT 1/0")
                raise AssertionError("SELECT 1/0 did not fail")
            except psycopg2.errors.DivisionByZero:
                pass
            try:
                cur.execute("SELECT 1")
                raise AssertionError("a statement in a failed transaction did not fail")
            except psycopg2.Error as exc:
                check_sqlstate(exc, "25P02")
        finally:
            cur.execute("ROLLBACK")
    check_same(one(conn, "SELECT 3"), 3)


def copy(conn):
    name = f"{TABLE}_copy"
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {name}")
        cur.execute(f"CREATE TABLE {name} ({COLUMNS})")
        want = copy_text(rows(COPY_ROWS))
        cur.copy_expert(f"COPY {name} (id, name, amount, created) FROM STDIN", io.StringIO(want))
        out = io.StringIO()
        cur.copy_expert(f"COPY (SELECT id, name, amount, created FROM {name} ORDER BY id) TO STDOUT", out)
        check(out.getvalue() == want, f"copied out {out.getvalue()[:200]!r}..., want {want[:200]!r}...")


def prepared(conn):
    with conn.cursor() as cur:
        cur.execute("PREPARE compat_p (int4, text) AS SELECT $1 * 2, $2")
        try:
            for i in range(10):
                cur.execute("EXECUTE compat_p (%s, %s)", (i, f"p{i}"))
                check_rows(cur.fetchall(), [(i * 2, f"p{i}")])
        finally:
            cur.execute("DEALLOCATE compat_p")


def server_cursor(conn):
    conn.autocommit = False
    try:
        with conn.cursor(name="compat_cursor") as cur:
            cur.execute(f"SELECT id, name, amount, created FROM {TABLE} ORDER BY id")
            got, batches = [], 0
            while batch := cur.fetchmany(10):
                check(len(batch) <= 10, f"fetchmany(10) gave {len(batch)} rows")
                got += batch
                batches += 1
        check(batches == TABLE_ROWS // 10, f"{batches} batches, want {TABLE_ROWS // 10}")
        check_rows(got, rows(TABLE_ROWS))
    finally:
        conn.rollback()
        conn.autocommit = True


def notify(a, conn):
    listener = connect(a)
    try:
        with listener.cursor() as cur:
            cur.execute("LISTEN compat_psycopg2")
        with conn.cursor() as cur:
            cur.execute("NOTIFY compat_psycopg2, 'hello from psycopg2'")
        listener.poll()
        if not listener.notifies:
            check(select.select([listener], [], [], 10) != ([], [], []), "no notification within 10 s")
            listener.poll()
        check(len(listener.notifies) == 1, f"got {listener.notifies!r}")
        n = listener.notifies[0]
        check(n.channel == "compat_psycopg2" and n.payload == "hello from psycopg2", f"got {n!r}")
    finally:
        listener.close()


def main():
    a = parse_args(__doc__)
    steps = Steps(CLIENT)
    conn = steps.connect(connect, a)
    steps.run("select1", lambda: check_same(one(conn, "SELECT 1"), 1))
    for name, value, sqltype in PARAMS:
        steps.run(f"param-{name}", param, conn, value, sqltype)
    steps.run("table", table, conn)
    steps.run("error", division_error, conn)
    steps.run("transaction", failed_transaction, conn)
    steps.run("copy", copy, conn)
    steps.run("prepared", prepared, conn)
    steps.run("cursor", server_cursor, conn)
    steps.run("notify", notify, a, conn)
    conn.close()
    steps.done()


if __name__ == "__main__":
    main()
