//! The system catalogs drivers read when they connect, as temporary tables of each session:
//! `pg_type` (PostgreSQL 15's built-in rows, from the core's type catalog), `pg_namespace` and
//! `pg_database`, `pg_am`, and `pg_class` (a view of SQLite's schema, so it follows DDL). `pg_catalog.`-qualified names reach them (the translator drops the schema).

use pgproto_service::pgproto::types::Type;
use rusqlite::Connection;

/// OID of `pg_catalog`.
const PG_CATALOG: i64 = 11;

/// Creates and fills the catalog tables on a new connection.
pub fn install(conn: &Connection, database: &str) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE pg_type (
            oid oid PRIMARY KEY, typname name, typnamespace oid, typowner oid, typlen int2,
            typbyval bool integer, typtype \"char\" text, typcategory \"char\" text,
            typispreferred bool integer, typisdefined bool integer, typdelim \"char\" text,
            typrelid oid, typsubscript regproc text, typelem oid, typarray oid,
            typinput regproc text, typoutput regproc text, typreceive regproc text,
            typsend regproc text, typmodin regproc text, typmodout regproc text,
            typanalyze regproc text, typalign \"char\" text, typstorage \"char\" text,
            typnotnull bool integer, typbasetype oid, typtypmod int4, typndims int4,
            typcollation oid, typdefaultbin text, typdefault text, typacl text);
         CREATE TEMP TABLE pg_namespace (oid oid PRIMARY KEY, nspname name, nspowner oid, nspacl text);
         INSERT INTO pg_namespace VALUES (11, 'pg_catalog', 10, NULL), (2200, 'public', 10, NULL),
            (13000, 'information_schema', 10, NULL);
         CREATE TEMP TABLE pg_am (oid oid PRIMARY KEY, amname name, amhandler regproc text, amtype \"char\" text);
         INSERT INTO pg_am VALUES (2, 'heap', 'heap_tableam_handler', 't'), (403, 'btree', 'bthandler', 'i');
         CREATE TEMP VIEW pg_class AS
            SELECT 16384 + rowid AS oid, name AS relname, 2200 AS relnamespace, 0 AS reltype,
                   10 AS relowner,
                   CASE type WHEN 'index' THEN 403 ELSE 2 END AS relam,
                   CASE type WHEN 'table' THEN 'r' WHEN 'index' THEN 'i' WHEN 'view' THEN 'v' ELSE 'r' END
                       AS relkind,
                   0 AS relhasindex, 'p' AS relpersistence, 0 AS relispartition, 0 AS reltuples,
                   NULL AS relacl, NULL AS reloptions, 0 AS relchecks, 0 AS relhasrules,
                   0 AS relhastriggers, 0 AS relrowsecurity, 0 AS relforcerowsecurity
            FROM main.sqlite_schema
            WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND type IN ('table', 'index', 'view');
         CREATE TEMP TABLE pg_database (oid oid PRIMARY KEY, datname name, datdba oid, encoding int4,
            datlocprovider \"char\" text, datistemplate bool integer, datallowconn bool integer,
            datconnlimit int4, datcollate text, datctype text);",
    )?;
    conn.execute(
        "INSERT INTO pg_database VALUES (5, ?1, 10, 6, 'c', 0, 1, -1, 'C', 'C')",
        [database],
    )?;
    let mut insert = conn.prepare(
        "INSERT INTO pg_type VALUES (?1, ?2, ?3, 10, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?11, ?12, ?13,
            ?14, ?15, ?16, ?17, ?18, ?19, '-', ?20, ?21, 0, 0, -1, 0, ?22, NULL, NULL, NULL)",
    )?;
    for t in Type::all() {
        let char_of = |b: u8| char::from(b).to_string();
        insert.execute(rusqlite::params![
            t.oid,
            t.name,
            PG_CATALOG,
            t.len,
            t.by_val,
            char_of(t.kind.letter()),
            char_of(t.category),
            t.preferred,
            char_of(t.delim),
            t.relid,
            t.subscript,
            t.elem,
            t.array,
            t.input,
            t.output,
            t.receive,
            t.send,
            t.modin,
            t.modout,
            char_of(t.align),
            char_of(t.storage),
            t.collation,
        ])?;
    }
    Ok(())
}
