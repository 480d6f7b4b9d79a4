"""asyncpg against a PostgreSQL-compatible server: SCRAM connect, SELECT 1, typed parameters read back
equal (asyncpg binds them in binary), a 1,000-row table (executemany, then every value checked),
SQLSTATE 22012 and 25P02, COPY in (copy_records_to_table: binary COPY) and out (copy_from_query:
text), a prepared statement reused (conn.prepare), a cursor fetching 10 rows at a time (portal
with a row limit), LISTEN/NOTIFY between two connections (add_listener).

    python py_asyncpg.py --host H --port P --user U --password PW --dbname D
"""

import asyncio
import io

import asyncpg

from scenario import (COLUMNS, COPY_ROWS, PARAMS, TABLE_ROWS, Steps, check, check_rows, check_same,
                      check_sqlstate, copy_text, parse_args, rows)

CLIENT = "asyncpg"
TABLE = "compat_asyncpg"


def connect(a):
    return asyncpg.connect(host=a.host, port=a.port, user=a.user, password=a.password,
                           database=a.dbname, timeout=10)


async def select1(conn):
    check_same(await conn.fetchval("SELECT 1"), 1)


async def param(conn, value, sqltype):
    check_same(await conn.fetchval(f"SELECT $1::{sqltype}", value), value)


async def table(conn):
    await conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
    await conn.execute(f"CREATE TABLE {TABLE} ({COLUMNS})")
    await conn.executemany(f"INSERT INTO {TABLE} VALUES ($1, $2, $3, $4)", rows(TABLE_ROWS))
    check_rows(await conn.fetch(f"SELECT id, name, amount, created FROM {TABLE} ORDER BY id"),
               rows(TABLE_ROWS))


async def division_error(conn):
    try:
        await conn.fetchval("SELECT 1/0")
        raise AssertionError("SELECT 1/0 did not fail")
    except asyncpg.PostgresError as exc:
        check_sqlstate(exc, "22012")
    check_same(await conn.fetchval("SELECT 2"), 2)


async def failed_transaction(conn):
    await conn.execute("BEGIN")
    try:
        try:
            await conn.fetchval("SELECT 1/0")
            raise AssertionError("SELECT 1/0 did not fail")
        except asyncpg.DivisionByZeroError:
            pass
        try:
            await conn.fetchval("SELECT 1")
            raise AssertionError("a statement in a failed transaction did not fail")
        except asyncpg.PostgresError as exc:
            check_sqlstate(exc, "25P02")
    finally:
        await conn.execute("ROLLBACK")
    check_same(await conn.fetchval("SELECT 3"), 3)


async def copy(conn):
    name = f"{TABLE}_copy"
    await conn.execute(f"DROP TABLE IF EXISTS {name}")
    await conn.execute(f"CREATE TABLE {name} ({COLUMNS})")
    await conn.copy_records_to_table(name, records=rows(COPY_ROWS),
                                     columns=["id", "name", "amount", "created"])
    out = io.BytesIO()
    await conn.copy_from_query(f"SELECT id, name, amount, created FROM {name} ORDER BY id", output=out)
    got, want = out.getvalue().decode(), copy_text(rows(COPY_ROWS))
    check(got == want, f"copied out {got[:200]!r}..., want {want[:200]!r}...")


async def prepared(conn):
    stmt = await conn.prepare("SELECT $1::int4 * 2, $2::text")
    for i in range(10):
        check_rows([await stmt.fetchrow(i, f"p{i}")], [(i * 2, f"p{i}")])


async def cursor(conn):
    async with conn.transaction():
        cur = await conn.cursor(f"SELECT id, name, amount, created FROM {TABLE} ORDER BY id")
        got, batches = [], 0
        while batch := await cur.fetch(10):
            check(len(batch) <= 10, f"fetch(10) gave {len(batch)} rows")
            got += batch
            batches += 1
        check(batches == TABLE_ROWS // 10, f"{batches} batches, want {TABLE_ROWS // 10}")
        check_rows(got, rows(TABLE_ROWS))
        # The iterator form, prefetching 10 rows per round trip.
        n = 0
        async for r in conn.cursor(f"SELECT id FROM {TABLE} ORDER BY id", prefetch=10):
            n += 1
            check(r["id"] == n, f"row {n} has id {r['id']}")
        check(n == TABLE_ROWS, f"iterated {n} rows")


async def notify(a, conn):
    listener = await connect(a)
    try:
        got = asyncio.get_running_loop().create_future()
        await listener.add_listener("compat_asyncpg",
                                    lambda _c, _pid, channel, payload: got.done() or got.set_result((channel, payload)))
        await conn.execute("NOTIFY compat_asyncpg, 'hello from asyncpg'")
        result = await asyncio.wait_for(got, 10)
        check(result == ("compat_asyncpg", "hello from asyncpg"), f"got {result!r}")
    finally:
        await listener.close()


async def main():
    a = parse_args(__doc__)
    steps = Steps(CLIENT)
    conn = await steps.aconnect(connect, a)
    await steps.arun("select1", select1, conn)
    for name, value, sqltype in PARAMS:
        await steps.arun(f"param-{name}", param, conn, value, sqltype)
    await steps.arun("table", table, conn)
    await steps.arun("error", division_error, conn)
    await steps.arun("transaction", failed_transaction, conn)
    await steps.arun("copy", copy, conn)
    await steps.arun("prepared", prepared, conn)
    await steps.arun("cursor", cursor, conn)
    await steps.arun("notify", notify, a, conn)
    await conn.close()
    steps.done()


if __name__ == "__main__":
    asyncio.run(main())
