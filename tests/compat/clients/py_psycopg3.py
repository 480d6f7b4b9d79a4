"""psycopg 3 against a PostgreSQL-compatible server: SCRAM connect (libpq's require_auth makes any
other method fail), SELECT 1, typed parameters read back equal, a 1,000-row table (executemany,
then every value checked), SQLSTATE 22012 and 25P02, COPY in/out (cursor.copy), a prepared statement
reused (prepare=True), a server-side cursor's fetchmany, LISTEN/NOTIFY between two connections.

    python py_psycopg3.py --host H --port P --user U --password PW --dbname D
"""

import psycopg

from scenario import (COLUMNS, COPY_ROWS, PARAMS, TABLE_ROWS, Steps, check, check_rows, check_same,
                      check_sqlstate, parse_args, rows)

CLIENT = "psycopg"
TABLE = "compat_psycopg"


def connect(a):
    return psycopg.connect(host=a.host, port=a.port, user=a.user, password=a.password,
                           dbname=a.dbname, require_auth="scram-sha-256", autocommit=True,
                           connect_timeout=10)


def param(conn, value, sqltype):
    check_same(conn.execute(f"SELECT %s::{sqltype}", [value]).fetchone()[0], value)


def table(conn):
    conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
    conn.execute(f"CREATE TABLE {TABLE} ({COLUMNS})")
    with conn.cursor() as cur:
        cur.executemany(f"INSERT INTO {TABLE} VALUES (%s, %s, %s, %s)", rows(TABLE_ROWS))
    check_rows(conn.execute(f"SELECT id, name, amount, created FROM {TABLE} ORDER BY id"),
               rows(TABLE_ROWS))


def division_error(conn):
    try:
        conn.execute("SELECT 1/0")
        raise AssertionError("SELECT 1/0 did not fail")
    except psycopg.Error as exc:
        check_sqlstate(exc, "22012")
    check_same(conn.execute("SELECT 2").fetchone()[0], 2)


def failed_transaction(conn):
    conn.execute("BEGIN")
    try:
        try:
            conn.execute("SELECT 1/0")
            raise AssertionError("SELECT 1/0 did not fail")
        except psycopg.errors.DivisionByZero:
            pass
        try:
            conn.execute("SELECT 1")
            raise AssertionError("a statement in a failed transaction did not fail")
        except psycopg.Error as exc:
            check_sqlstate(exc, "25P02")
    finally:
        conn.execute("ROLLBACK")
    check_same(conn.execute("SELECT 3").fetchone()[0], 3)


def copy(conn):
    name = f"{TABLE}_copy"
    conn.execute(f"DROP TABLE IF EXISTS {name}")
    conn.execute(f"CREATE TABLE {name} ({COLUMNS})")
    with conn.cursor() as cur:
        with cur.copy(f"COPY {name} (id, name, amount, created) FROM STDIN") as cp:
            for r in rows(COPY_ROWS):
                cp.write_row(r)
        with cur.copy(f"COPY (SELECT id, name, amount, created FROM {name} ORDER BY id) TO STDOUT") as cp:
            cp.set_types(["int4", "text", "numeric", "timestamp"])
            check_rows(list(cp.rows()), rows(COPY_ROWS))


def prepared(conn):
    for i in range(10):
        got = conn.execute("SELECT %s::int4 * 2, %s::text", [i, f"p{i}"], prepare=True).fetchone()
        check_rows([got], [(i * 2, f"p{i}")])


def server_cursor(conn):
    with conn.transaction(), conn.cursor(name="compat_cursor") as cur:
        cur.execute(f"SELECT id, name, amount, created FROM {TABLE} ORDER BY id")
        got, batches = [], 0
        while batch := cur.fetchmany(10):
            check(len(batch) <= 10, f"fetchmany(10) gave {len(batch)} rows")
            got += batch
            batches += 1
        check(batches == TABLE_ROWS // 10, f"{batches} batches, want {TABLE_ROWS // 10}")
        check_rows(got, rows(TABLE_ROWS))


def notify(a, conn):
    with connect(a) as listener:
        listener.execute("LISTEN compat_psycopg")
        conn.execute("NOTIFY compat_psycopg, 'hello from psycopg'")
        got = [n for n in listener.notifies(timeout=10, stop_after=1)]
        check(len(got) == 1, "no notification within 10 s")
        check(got[0].channel == "compat_psycopg" and got[0].payload == "hello from psycopg",
              f"got {got[0]!r}")


def main():
    a = parse_args(__doc__)
    steps = Steps(CLIENT)
    conn = steps.connect(connect, a)
    with conn:
        steps.run("select1", lambda: check_same(conn.execute("SELECT 1").fetchone()[0], 1))
        for name, value, sqltype in PARAMS:
            steps.run(f"param-{name}", param, conn, value, sqltype)
        steps.run("table", table, conn)
        steps.run("error", division_error, conn)
        steps.run("transaction", failed_transaction, conn)
        steps.run("copy", copy, conn)
        steps.run("prepared", prepared, conn)
        steps.run("cursor", server_cursor, conn)
        steps.run("notify", notify, a, conn)
    steps.done()


if __name__ == "__main__":
    main()
