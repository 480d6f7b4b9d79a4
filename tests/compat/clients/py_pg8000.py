"""pg8000 (its native API) against a PostgreSQL-compatible server: SCRAM connect, SELECT 1, typed
parameters read back equal, a 1,000-row table (one prepared INSERT run per row in a transaction:
pg8000 has no batching, then every value checked), SQLSTATE 22012 and 25P02, COPY in/out
(run(..., stream=...)), a prepared statement reused (conn.prepare), a cursor fetched 10 rows at a
time (SQL DECLARE/FETCH: pg8000 has no cursor API of its own), LISTEN/NOTIFY between two connections
(conn.notifications, filled when the listener next talks to the server).

    python py_pg8000.py --host H --port P --user U --password PW --dbname D
"""

import io
import time

import pg8000.native

from scenario import (COLUMNS, COPY_ROWS, PARAMS, TABLE_ROWS, Steps, check, check_rows, check_same,
                      check_sqlstate, copy_text, parse_args, rows)

CLIENT = "pg8000"
TABLE = "compat_pg8000"


def connect(a):
    return pg8000.native.Connection(a.user, host=a.host, port=a.port, password=a.password,
                                    database=a.dbname, timeout=30)


def param(conn, value, sqltype):
    check_same(conn.run(f"SELECT CAST(:v AS {sqltype})", v=value)[0][0], value)


def table(conn):
    conn.run(f"DROP TABLE IF EXISTS {TABLE}")
    conn.run(f"CREATE TABLE {TABLE} ({COLUMNS})")
    insert = conn.prepare(f"INSERT INTO {TABLE} VALUES (:id, :name, :amount, :created)")
    conn.run("BEGIN")
    try:
        for i, name, amount, created in rows(TABLE_ROWS):
            insert.run(id=i, name=name, amount=amount, created=created)
    except Exception:
        conn.run("ROLLBACK")
        raise
    finally:
        insert.close()
    conn.run("COMMIT")
    check_rows(conn.run(f"SELECT id, name, amount, created FROM {TABLE} ORDER BY id"), rows(TABLE_ROWS))


def division_error(conn):
    try:
        conn.run("SELECT 1/0")
        raise AssertionError("SELECT 1/0 did not fail")
    except pg8000.native.DatabaseError as exc:
        check_sqlstate(exc, "22012")
    check_same(conn.run("SELECT 2")[0][0], 2)


def failed_transaction(conn):
    conn.run("BEGIN")
    try:
        try:
            conn.run("SELECT 1/0")
            raise AssertionError("SELECT 1/0 did not fail")
        except pg8000.native.DatabaseError as exc:
            check_sqlstate(exc, "22012")
        try:
            conn.run("SELECT 1")
            raise AssertionError("a statement in a failed transaction did not fail")
        except pg8000.native.DatabaseError as exc:
            check_sqlstate(exc, "25P02")
    finally:
        conn.run("ROLLBACK")
    check_same(conn.run("SELECT 3")[0][0], 3)


def copy(conn):
    name = f"{TABLE}_copy"
    conn.run(f"DROP TABLE IF EXISTS {name}")
    conn.run(f"CREATE TABLE {name} ({COLUMNS})")
    want = copy_text(rows(COPY_ROWS))
    conn.run(f"COPY {name} (id, name, amount, created) FROM STDIN", stream=io.StringIO(want))
    out = io.StringIO()
    conn.run(f"COPY (SELECT id, name, amount, created FROM {name} ORDER BY id) TO STDOUT", stream=out)
    check(out.getvalue() == want, f"copied out {out.getvalue()[:200]!r}..., want {want[:200]!r}...")


def prepared(conn):
    stmt = conn.prepare("SELECT CAST(:n AS int4) * 2, CAST(:s AS text)")
    try:
        for i in range(10):
            check_rows(stmt.run(n=i, s=f"p{i}"), [(i * 2, f"p{i}")])
    finally:
        stmt.close()


def cursor(conn):
    conn.run("BEGIN")
    try:
        conn.run(f"DECLARE compat_cursor CURSOR FOR SELECT id, name, amount, created FROM {TABLE} ORDER BY id")
        got, batches = [], 0
        while batch := conn.run("FETCH 10 FROM compat_cursor"):
            check(len(batch) <= 10, f"FETCH 10 gave {len(batch)} rows")
            got += batch
            batches += 1
        check(batches == TABLE_ROWS // 10, f"{batches} batches, want {TABLE_ROWS // 10}")
        check_rows(got, rows(TABLE_ROWS))
    finally:
        conn.run("ROLLBACK")


def notify(a, conn):
    listener = connect(a)
    try:
        listener.run("LISTEN compat_pg8000")
        conn.run("NOTIFY compat_pg8000, 'hello from pg8000'")
        deadline = time.monotonic() + 10
        while not listener.notifications and time.monotonic() < deadline:
            listener.run("SELECT 1")  # notifications arrive with the next exchange
            time.sleep(0.05)
        check(listener.notifications, "no notification within 10 s")
        _pid, channel, payload = listener.notifications.popleft()
        check((channel, payload) == ("compat_pg8000", "hello from pg8000"), f"got {(channel, payload)!r}")
    finally:
        listener.close()


def main():
    a = parse_args(__doc__)
    steps = Steps(CLIENT)
    conn = steps.connect(connect, a)
    steps.run("select1", lambda: check_same(conn.run("SELECT 1")[0][0], 1))
    for name, value, sqltype in PARAMS:
        steps.run(f"param-{name}", param, conn, value, sqltype)
    steps.run("table", table, conn)
    steps.run("error", division_error, conn)
    steps.run("transaction", failed_transaction, conn)
    steps.run("copy", copy, conn)
    steps.run("prepared", prepared, conn)
    steps.run("cursor", cursor, conn)
    steps.run("notify", notify, a, conn)
    conn.close()
    steps.done()


if __name__ == "__main__":
    main()
