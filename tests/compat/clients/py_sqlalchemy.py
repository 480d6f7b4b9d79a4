"""SQLAlchemy 2 Core (dialect postgresql+psycopg) against a PostgreSQL-compatible server: engine
connect (with SQLAlchemy's own start-up queries; SCRAM forced by libpq's require_auth), SELECT 1,
typed bind parameters read back equal, a 1,000-row table (Table/create_all, which looks the table up
in pg_catalog, an executemany insert, then every value checked), SQLSTATE 22012 and 25P02, one
compiled statement executed 10 times (psycopg prepares it server-side from the 5th), and yield_per
(a server-side cursor). No COPY or LISTEN/NOTIFY: SQLAlchemy has no API for them.

    python py_sqlalchemy.py --host H --port P --user U --password PW --dbname D
"""

from sqlalchemy import (BigInteger, Boolean, Column, DateTime, Integer, LargeBinary, MetaData,
                        Numeric, Table, Text, bindparam, create_engine, exc, insert, select, text)
from sqlalchemy.engine import URL

from scenario import (PARAMS, TABLE_ROWS, Steps, check, check_rows, check_same, check_sqlstate,
                      parse_args, rows)

CLIENT = "sqlalchemy"
TYPES = {"int4": Integer, "int8": BigInteger, "text": Text, "bytea": LargeBinary,
         "timestamp": DateTime, "numeric": Numeric, "bool": Boolean}

metadata = MetaData()
table = Table("compat_sqlalchemy", metadata,
              Column("id", Integer, primary_key=True, autoincrement=False),
              Column("name", Text),
              Column("amount", Numeric(12, 2)),
              Column("created", DateTime))
ordered = select(table.c.id, table.c.name, table.c.amount, table.c.created).order_by(table.c.id)


def connect(a):
    url = URL.create("postgresql+psycopg", username=a.user, password=a.password, host=a.host,
                     port=a.port, database=a.dbname)
    engine = create_engine(url, connect_args={"require_auth": "scram-sha-256", "connect_timeout": 10})
    return engine.connect()


def in_transaction(fn):
    """Runs a step in SQLAlchemy's implicit transaction: committed if it passes, else rolled back."""
    def step(conn, *args):
        try:
            fn(conn, *args)
        except Exception:
            conn.rollback()
            raise
        conn.commit()
    return step


@in_transaction
def select1(conn):
    check_same(conn.execute(text("SELECT 1")).scalar_one(), 1)


@in_transaction
def param(conn, value, sqltype):
    check_same(conn.execute(select(bindparam("v", value, type_=TYPES[sqltype]))).scalar_one(), value)


@in_transaction
def table_rows(conn):
    table.drop(conn, checkfirst=True)
    metadata.create_all(conn)
    conn.execute(insert(table), [dict(zip(("id", "name", "amount", "created"), r))
                                 for r in rows(TABLE_ROWS)])
    conn.commit()
    check_rows(conn.execute(ordered).all(), rows(TABLE_ROWS))


@in_transaction
def division_error(conn):
    try:
        conn.execute(text("SELECT 1/0"))
        raise AssertionError("SELECT 1/0 did not fail")
    except exc.DBAPIError as e:
        check_sqlstate(e, "22012")
    conn.rollback()
    check_same(conn.execute(text("SELECT 2")).scalar_one(), 2)


@in_transaction
def failed_transaction(conn):
    # SQLAlchemy begins the transaction itself with the first statement.
    try:
        try:
            conn.execute(text("SELECT 1/0"))
            raise AssertionError("SELECT 1/0 did not fail")
        except exc.DBAPIError as e:
            check_sqlstate(e, "22012")
        try:
            conn.execute(text("SELECT 1"))
            raise AssertionError("a statement in a failed transaction did not fail")
        except exc.DBAPIError as e:
            check_sqlstate(e, "25P02")
    finally:
        conn.rollback()
    check_same(conn.execute(text("SELECT 3")).scalar_one(), 3)


@in_transaction
def prepared(conn):
    stmt = select(bindparam("n", type_=Integer) * 2, bindparam("s", type_=Text))
    for i in range(10):
        check_rows([conn.execute(stmt, {"n": i, "s": f"p{i}"}).one()], [(i * 2, f"p{i}")])


@in_transaction
def server_cursor(conn):
    result = conn.execution_options(yield_per=10).execute(ordered)
    got, batches = [], 0
    for batch in result.partitions():
        check(len(batch) <= 10, f"yield_per=10 gave {len(batch)} rows")
        got += batch
        batches += 1
    check(batches == TABLE_ROWS // 10, f"{batches} batches, want {TABLE_ROWS // 10}")
    check_rows(got, rows(TABLE_ROWS))


def main():
    a = parse_args(__doc__)
    steps = Steps(CLIENT)
    conn = steps.connect(connect, a)
    steps.run("select1", select1, conn)
    for name, value, sqltype in PARAMS:
        steps.run(f"param-{name}", param, conn, value, sqltype)
    steps.run("table", table_rows, conn)
    steps.run("error", division_error, conn)
    steps.run("transaction", failed_transaction, conn)
    steps.skip("copy", "SQLAlchemy has no COPY API")
    steps.run("prepared", prepared, conn)
    steps.run("cursor", server_cursor, conn)
    steps.skip("notify", "SQLAlchemy has no LISTEN/NOTIFY API")
    conn.close()
    steps.done()


if __name__ == "__main__":
    main()
