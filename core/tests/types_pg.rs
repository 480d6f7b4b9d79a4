//! The type codecs against a real PostgreSQL 15 (started by the test, see `support::pg15`).
//!
//! For every type and a table of values with their edges, PostgreSQL sends the value in text and
//! in binary, and:
//! * our decoders give equal values from both, and from the literal itself (or the same
//!   SQLSTATE when PostgreSQL rejects the literal);
//! * our text output of the binary value is PostgreSQL's text, byte for byte;
//! * our binary output of the text value is PostgreSQL's binary, byte for byte;
//! * our binary encoding, bound as a parameter of the type, comes back from PostgreSQL's output
//!   function equal to PostgreSQL's own text.
#![allow(clippy::pedantic)] // test scaffolding: clarity over pedantry

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use pgproto::frontend::{ClientConfig, ClientConnection, ClientEvent, ClientProgress};
use pgproto::message::backend::BackendMessage;
use pgproto::message::Format;
use pgproto::types::{Type, Value};
use support::pg15::pg15;

/// An error PostgreSQL sent: SQLSTATE and message.
#[derive(Debug)]
struct PgError {
    code: String,
    message: String,
}

/// A blocking connection that runs one extended-protocol statement at a time and returns the
/// raw columns of its first row.
struct Pg {
    stream: TcpStream,
    conn: ClientConnection<64>,
    input: Vec<u8>,
    out: Vec<u8>,
}

type Row = Vec<Option<Vec<u8>>>;

impl Pg {
    fn connect() -> Pg {
        let stream = TcpStream::connect(("127.0.0.1", pg15().port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut config = ClientConfig::new("trust_user");
        config.database = Some("postgres".into());
        let mut pg = Pg {
            stream,
            conn: ClientConnection::new(config, [7; 18]),
            input: Vec::new(),
            out: Vec::new(),
        };
        pg.conn.start(&mut pg.out).unwrap();
        while !pg.step(&mut |e| matches!(e, ClientEvent::Ready)) {}
        for set in [
            "SET TimeZone = 'UTC'",
            "SET DateStyle = 'ISO, MDY'",
            "SET lc_monetary = 'C'",
        ] {
            pg.run(set, &[], &[], &[]).unwrap();
        }
        pg
    }

    /// Handles one event (reading as needed); returns what `f` says of it.
    fn step(&mut self, f: &mut dyn FnMut(ClientEvent<'_>) -> bool) -> bool {
        loop {
            if !self.out.is_empty() {
                self.stream.write_all(&self.out).unwrap();
                self.out.clear();
            }
            match self.conn.poll(&self.input, &mut self.out).unwrap() {
                ClientProgress::Event {
                    event, consumed, ..
                } => {
                    let done = f(event);
                    self.input.drain(..consumed);
                    return done;
                }
                ClientProgress::NeedData { .. } => {
                    let mut buf = [0u8; 65536];
                    let n = self.stream.read(&mut buf).expect("read from PostgreSQL");
                    assert!(n > 0, "PostgreSQL closed the connection");
                    self.input.extend_from_slice(&buf[..n]);
                }
                ClientProgress::Closed { .. } => panic!("connection closed"),
            }
        }
    }

    /// Parse, Bind, Execute, Sync: the first row, or PostgreSQL's error.
    fn run(
        &mut self,
        sql: &str,
        param_types: &[u32],
        params: &[(Format, Option<&[u8]>)],
        result_formats: &[Format],
    ) -> Result<Row, PgError> {
        let o = &mut self.out;
        self.conn.parse("", sql, param_types, o).unwrap();
        let formats: Vec<Format> = params.iter().map(|p| p.0).collect();
        let values: Vec<Option<&[u8]>> = params.iter().map(|p| p.1).collect();
        self.conn
            .bind("", "", &formats, &values, result_formats, o)
            .unwrap();
        self.conn.execute("", 0, o).unwrap();
        let sync = self.conn.sync(o).unwrap();
        let mut row = None;
        let mut error = None;
        while !self.step(&mut |e| match e {
            ClientEvent::Response {
                request,
                message,
                done,
            } => {
                match message {
                    BackendMessage::DataRow(d) if row.is_none() => {
                        row = Some(d.columns.iter().map(|c| c.map(<[u8]>::to_vec)).collect())
                    }
                    BackendMessage::ErrorResponse(e) => {
                        let s = |v: Option<pgproto::PgStr<'_>>| {
                            String::from_utf8_lossy(v.unwrap().as_bytes()).into_owned()
                        };
                        error = Some(PgError {
                            code: s(e.code()),
                            message: s(e.message()),
                        });
                    }
                    _ => {}
                }
                request == sync && done
            }
            _ => false,
        }) {}
        match error {
            Some(e) => Err(e),
            None => Ok(row.unwrap_or_default()),
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn text_of(v: &Value, ty: &Type) -> String {
    let mut out = Vec::new();
    v.encode(ty, Format::Text, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn binary_of(v: &Value, ty: &Type) -> Vec<u8> {
    let mut out = Vec::new();
    v.encode(ty, Format::Binary, &mut out).unwrap();
    out
}

/// Checks every literal of one type (its SQL name) against PostgreSQL; returns the failures.
fn check(pg: &mut Pg, type_name: &str, literals: &[&str]) -> Vec<String> {
    // A length modifier (`bit(3)`) is PostgreSQL's business; the codec is the type's.
    let base = type_name.split('(').next().unwrap_or(type_name);
    let ty = Type::by_sql_name(base).unwrap_or_else(|| panic!("no type {type_name}"));
    let mut failures = Vec::new();
    let mut fail = |what: String| failures.push(format!("{type_name} {what}"));
    let cast = format!("SELECT $1::text::{type_name}, $1::text::{type_name}");
    // The parameter's type is ours; PostgreSQL's output function prints it.
    let back = "SELECT $1";
    for &literal in literals {
        let ours = Value::decode(ty, Format::Text, literal.as_bytes());
        let theirs = pg.run(
            &cast,
            &[25],
            &[(Format::Text, Some(literal.as_bytes()))],
            &[Format::Text, Format::Binary],
        );
        let row = match (theirs, ours) {
            (Err(e), Err(o)) => {
                if e.code != o.code {
                    fail(format!(
                        "{literal:?}: PostgreSQL {} {:?}, we {} {:?}",
                        e.code,
                        e.message,
                        o.code,
                        o.message(literal)
                    ));
                }
                continue;
            }
            (Err(e), Ok(v)) => {
                fail(format!(
                    "{literal:?}: PostgreSQL rejects it ({} {}), we accept {v:?}",
                    e.code, e.message
                ));
                continue;
            }
            (Ok(_), Err(o)) => {
                fail(format!(
                    "{literal:?}: PostgreSQL accepts it, we reject it: {} {}",
                    o.code,
                    o.message(literal)
                ));
                continue;
            }
            (Ok(row), Ok(v)) => (row, v),
        };
        let (row, from_literal) = row;
        let (Some(pg_text), Some(pg_binary)) = (&row[0], &row[1]) else {
            fail(format!("{literal:?}: NULL from PostgreSQL"));
            continue;
        };
        let pg_text_str = String::from_utf8_lossy(pg_text).into_owned();
        let from_text = match Value::decode(ty, Format::Text, pg_text) {
            Ok(v) => v,
            Err(e) => {
                fail(format!(
                    "{literal:?}: PostgreSQL's text {pg_text_str:?} is rejected: {}",
                    e.message(&pg_text_str)
                ));
                continue;
            }
        };
        let from_binary = match Value::decode(ty, Format::Binary, pg_binary) {
            Ok(v) => v,
            Err(e) => {
                fail(format!(
                    "{literal:?}: PostgreSQL's binary {} is rejected: {e}",
                    hex(pg_binary)
                ));
                continue;
            }
        };
        let same = |a: &Value, b: &Value| format!("{a:?}") == format!("{b:?}");
        if !same(&from_text, &from_binary) || !same(&from_text, &from_literal) {
            fail(format!("{literal:?}: values differ: literal {from_literal:?}, text {from_text:?}, binary {from_binary:?}"));
        }
        let our_text = text_of(&from_binary, ty);
        if our_text != pg_text_str {
            fail(format!(
                "{literal:?}: text: PostgreSQL {pg_text_str:?}, we {our_text:?}"
            ));
        }
        let our_binary = binary_of(&from_text, ty);
        if &our_binary != pg_binary {
            fail(format!(
                "{literal:?}: binary: PostgreSQL {}, we {}",
                hex(pg_binary),
                hex(&our_binary)
            ));
        }
        let bound = binary_of(&from_literal, ty);
        match pg.run(
            back,
            &[ty.oid],
            &[(Format::Binary, Some(&bound))],
            &[Format::Text],
        ) {
            Ok(r) if r[0].as_deref() == Some(pg_text.as_slice()) => {}
            Ok(r) => fail(format!(
                "{literal:?}: our binary {} bound reads back as {:?}, not {pg_text_str:?}",
                hex(&bound),
                r[0].as_deref().map(String::from_utf8_lossy)
            )),
            Err(e) => fail(format!(
                "{literal:?}: our binary {} is refused: {} {}",
                hex(&bound),
                e.code,
                e.message
            )),
        }
    }
    failures
}

/// Runs the tables of `cases` on one connection and fails with every divergence at once.
fn check_all(cases: &[(&str, &[&str])]) {
    let mut pg = Pg::connect();
    let failures: Vec<String> = cases
        .iter()
        .flat_map(|(ty, literals)| check(&mut pg, ty, literals))
        .collect();
    assert!(
        failures.is_empty(),
        "{} divergences from PostgreSQL 15:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

const LONG_DIGITS: &str = "1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890";

#[test]
fn scalars() {
    let long_int = LONG_DIGITS.repeat(10);
    let long_frac = format!("0.{}", LONG_DIGITS.repeat(10));
    let neg_long = format!("-{}.5", LONG_DIGITS.repeat(10));
    check_all(&[
        (
            "boolean",
            &["t", "f", "true", " yes ", "off", "1", "0", "maybe", ""],
        ),
        (
            "smallint",
            &[
                "0", "-32768", "32767", "32768", " 12 ", "+3", "1.5", "", "abc",
            ],
        ),
        (
            "integer",
            &["0", "-2147483648", "2147483647", "2147483648", "-0", "007"],
        ),
        (
            "bigint",
            &[
                "0",
                "-9223372036854775808",
                "9223372036854775807",
                "9223372036854775808",
                "1e3",
            ],
        ),
        ("oid", &["0", "4294967295", "-1", "4294967296", "12"]),
        (
            "regtype",
            &[
                "integer",
                "\"any\"",
                "int4[]",
                "double precision",
                "\"char\"",
                "12",
                "nosuch",
            ],
        ),
        (
            "real",
            &[
                "0",
                "-0",
                "1.5",
                "0.1",
                "3.4028235e38",
                "1e39",
                "1e-46",
                "NaN",
                "Infinity",
                "-Infinity",
                "1.17549435e-38",
                "123456",
                "1234567",
                "1e-5",
                "x",
            ],
        ),
        (
            "double precision",
            &[
                "0",
                "-0",
                "0.1",
                "1e15",
                "123456789012345",
                "1.7976931348623157e308",
                "5e-324",
                "1e400",
                "1e-400",
                "nan",
                "-inf",
                "0.0001",
                "1e-5",
                "1.5",
                "2.5e-310",
                " 42 ",
                "4 2",
            ],
        ),
        (
            "numeric",
            &[
                "0",
                "-0",
                "1",
                "-1",
                "0.1",
                "12345.678900",
                "1e-20",
                "9999",
                "10000",
                "99999999",
                "0.0001",
                "0.00001",
                "NaN",
                "Infinity",
                "-Infinity",
                "  1.5  ",
                "1.5e3",
                "1.5e-3",
                ".5",
                "5.",
                "+5",
                &long_int,
                &long_frac,
                &neg_long,
                "",
                "abc",
                "1.2.3",
                "1e",
                "--1",
                "1 2",
            ],
        ),
        (
            "money",
            &[
                "0",
                "1234.56",
                "-1234.5",
                "$1,000.00",
                "(1.00)",
                "-92233720368547758.08",
                "92233720368547758.07",
                "92233720368547758.08",
                "x",
            ],
        ),
        (
            "text",
            &[
                "",
                "a",
                "ü€😀",
                "it's \"quoted\" \\ back",
                "  spaces  ",
                "line\nbreak",
            ],
        ),
        ("character varying", &["", "abc", "ü€😀"]),
        ("bpchar", &["", "abc", "x  "]),
        ("name", &["", "pg_catalog", &"é".repeat(40)]),
        ("\"char\"", &["", "a", "abc", "\\377"]),
        (
            "bytea",
            &[
                "",
                "\\x",
                "\\x00ff10",
                "\\x00 FF",
                "abc",
                "a\\\\b\\000\\377",
                "\\x0",
                "\\xzz",
                "a\\b",
            ],
        ),
        (
            "uuid",
            &[
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
                "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}",
                "a0eebc999c0b4ef8bb6d6bb9bd380a11",
                "00000000-0000-0000-0000-000000000000",
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
                "x",
            ],
        ),
        (
            "json",
            &[
                "{}",
                "[]",
                "1",
                "\"s\"",
                " {\"a\" : [1, 2.50, true, null]} ",
                "{\"a\":1,\"a\":2}",
                "\"\\u0000\"",
                "{",
                "01",
                "",
            ],
        ),
        (
            "jsonb",
            &[
                "{}",
                "[]",
                "1",
                "1e2",
                "-0.0",
                "\"s\"",
                " {\"b\": 1, \"a\": [1, 2.50, true, null]} ",
                "{\"a\":1,\"a\":2}",
                "{\"bb\":1,\"a\":2,\"ab\":3}",
                "\"\\u00e9\\n\\u0001\"",
                "\"\\u0000\"",
                "{",
                "[1,]",
                "\"\\ud83d\\ude00\"",
            ],
        ),
        (
            "inet",
            &[
                "10.0.0.1",
                "10.0.0.1/8",
                "10.0.0.0/8",
                "::1",
                "2001:db8::1/64",
                "::ffff:1.2.3.4",
                "0.0.0.0/0",
                "::",
                "1:2:3:4:5:6:7:8",
                "1:0:0:2::3",
                "256.0.0.1",
                "x",
            ],
        ),
        (
            "cidr",
            &[
                "10.0.0.0/8",
                "10/8",
                "10.1/16",
                "192.168.1",
                "2001:db8::/32",
                "::/0",
                "10.1.2.3/8",
                "1.2.3.4",
            ],
        ),
        ("bit varying", &["", "0", "1011", "x1F", "X0a", "102"]),
        ("bit(3)", &["101", "000"]),
    ]);
}

#[test]
fn dates_and_times() {
    check_all(&[
        (
            "date",
            &[
                "2024-02-29",
                "2000-02-29",
                "1900-02-29",
                "2023-02-29",
                "0001-01-01",
                "0001-12-31 BC",
                "4713-01-01 BC",
                "4714-12-31 BC",
                "5874897-12-31",
                "5874898-01-01",
                "infinity",
                "-infinity",
                "epoch",
                "20240229",
                "2024-2-9",
                " 2024-02-29 ",
                "2024-02-29 10:00",
                "2024-13-01",
                "x",
                "",
            ],
        ),
        (
            "time without time zone",
            &[
                "00:00:00",
                "23:59:59.999999",
                "24:00:00",
                "24:00:01",
                "12:34:56.789",
                "12:34",
                "allballs",
                "1:2:3",
                "25:00",
                "x",
            ],
        ),
        (
            "time with time zone",
            &[
                "12:34:56.789+02",
                "12:34:56-05:30",
                "00:00:00+00",
                "24:00:00-15:59",
                "12:00:00 UTC",
                "12:00:00Z",
                "12:00+0530",
            ],
        ),
        (
            "timestamp without time zone",
            &[
                "2024-02-29 13:45:00.123456",
                "2024-02-29T13:45:00",
                "2024-02-29 13:45:00+02",
                "0001-01-01 00:00:00",
                "0001-12-31 23:59:59 BC",
                "4713-01-01 00:00:00 BC",
                "294276-12-31 23:59:59.999999",
                "294277-01-01 00:00:00",
                "infinity",
                "-infinity",
                "epoch",
                "2024-02-29",
                "2000-01-01 00:00:00.0000005",
                "x",
            ],
        ),
        (
            "timestamp with time zone",
            &[
                "2024-02-29 13:45:00.123456+00",
                "2024-02-29 13:45:00+02",
                "2024-02-29T13:45:00Z",
                "2024-02-29 13:45:00 UTC",
                "2024-02-29 13:45:00-08:00",
                "2024-02-29 13:45:00+05:30",
                "0001-01-01 00:00:00+00",
                "infinity",
                "-infinity",
                "294276-12-31 23:59:59.999999+00",
                "2024-02-29",
            ],
        ),
        (
            "interval",
            &[
                "0",
                "1 year 2 months 3 days 04:05:06.789",
                "-1 day +02:03:00",
                "1 day",
                "-00:00:01",
                "6 years 5 mons 4 days -03:02:01.5",
                "@ 1 hour ago",
                "1.5 days",
                "P1Y2M3DT4H5M6S",
                "PT0.5S",
                "04:05:06",
                "1 mon -1 day",
                "-1 year -2 mons",
                "178000000 years",
                "2147483647 days",
                "1 week",
                "10 min",
                "x",
            ],
        ),
    ]);
}

#[test]
fn arrays() {
    check_all(&[
        (
            "integer[]",
            &[
                "{}",
                "{1,2,3}",
                "{NULL,2}",
                "{{1,2},{3,4}}",
                "[0:2]={1,2,3}",
                "[-5:-4]={7,8}",
                "{{{1},{2}},{{3},{4}}}",
                "{1,{2}}",
                "{{1,2},{3}}",
                "{1,x}",
            ],
        ),
        (
            "text[]",
            &[
                "{}",
                "{\"\",\"a b\",NULL,\"NULL\",\"x\\\"y\",\"c\\\\d\",é,\"{\",\",\"}",
                "{ a , b c }",
                "{\"null\"}",
            ],
        ),
        ("numeric[]", &["{1.50,NaN,-Infinity,NULL}"]),
        ("double precision[]", &["{0.1,-0,Infinity,NaN}"]),
        ("bytea[]", &["{\"\\\\x00ff\",NULL}"]),
        ("boolean[]", &["{t,f,NULL}"]),
        ("date[]", &["{2024-02-29,infinity,\"0001-01-01 BC\"}"]),
        (
            "timestamp with time zone[]",
            &["{\"2024-02-29 13:45:00+02\"}"],
        ),
        ("interval[]", &["{\"1 day\",\"-00:00:01\"}"]),
        ("uuid[]", &["{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"]),
        ("jsonb[]", &["{\"{\\\"a\\\": 1}\",null}"]),
        ("inet[]", &["{10.0.0.1/8,::1}"]),
        ("int4range[]", &["{\"[1,5)\",empty}"]),
    ]);
}

#[test]
fn ranges_and_multiranges() {
    check_all(&[
        (
            "int4range",
            &[
                "[1,5]",
                "(1,5)",
                "[,5]",
                "(,)",
                "[5,5)",
                "empty",
                "[ 1, 2)",
                "[5,1]",
                "[1,2",
                "[1,2147483647]",
            ],
        ),
        ("int8range", &["[1,5]", "(-9223372036854775808,0]", "(,)"]),
        (
            "numrange",
            &["[1.5,2.5]", "[1.5,1.5]", "(1.5,1.5]", "(,3.000)"],
        ),
        (
            "daterange",
            &[
                "[2020-01-01,2020-01-31]",
                "[2020-01-01,infinity]",
                "(-infinity,2020-01-01)",
                "(2020-01-01,2020-01-02)",
            ],
        ),
        (
            "tsrange",
            &[
                "[\"2020-01-01 00:00:00\",\"2020-01-02 00:00:00\")",
                "(,\"2020-01-01 12:00\"]",
            ],
        ),
        ("tstzrange", &["[\"2020-01-01 00:00:00+02\",)"]),
        (
            "int4multirange",
            &[
                "{}",
                "{[1,3), [3,5), empty, (7,9)}",
                "{[5,7),[1,3)}",
                "{[1,2] x}",
                "{(,)}",
            ],
        ),
        (
            "datemultirange",
            &["{[2020-01-01,2020-01-05],[2020-01-06,2020-01-09)}"],
        ),
        ("nummultirange", &["{[1,2],(2,3)}"]),
    ]);
}

#[test]
fn catalog_is_postgresql_15s_pg_type() {
    let mut pg = Pg::connect();
    let sql = "SELECT string_agg(format('%s %s %s %s %s %s %s %s %s', oid, typname, typlen, typtype, typcategory, \
               typdelim, typelem::oid, typarray::oid, format_type(oid, NULL)), E'\\n' ORDER BY oid) \
               FROM pg_type WHERE typnamespace = 11 AND oid < 10000";
    let row = pg.run(sql, &[], &[], &[Format::Text]).unwrap();
    let theirs = String::from_utf8(row[0].clone().unwrap()).unwrap();
    let ours: Vec<String> = Type::all()
        .iter()
        .map(|t| {
            format!(
                "{} {} {} {} {} {} {} {} {}",
                t.oid,
                t.name,
                t.len,
                t.kind.letter() as char,
                t.category as char,
                t.delim as char,
                t.elem,
                t.array,
                t.sql_name()
            )
        })
        .collect();
    let theirs: Vec<&str> = theirs.lines().collect();
    assert_eq!(ours.len(), theirs.len());
    for (o, t) in ours.iter().zip(&theirs) {
        assert_eq!(o, t);
    }
    // Every SQL spelling the grammar knows reaches the type PostgreSQL gives it.
    for spelling in [
        "integer",
        "int",
        "smallint",
        "bigint",
        "real",
        "float",
        "double precision",
        "decimal",
        "boolean",
        "character varying",
        "character",
        "char",
        "\"char\"",
        "timestamp without time zone",
        "timestamp with time zone",
        "time with time zone",
        "bit varying",
        "text[]",
        "integer[]",
        "jsonb",
        "uuid",
    ] {
        let sql = format!("SELECT '{}'::regtype::oid", spelling.replace('\'', "''"));
        let row = pg.run(&sql, &[], &[], &[Format::Text]).unwrap();
        let oid: u32 = String::from_utf8(row[0].clone().unwrap())
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            Type::by_sql_name(spelling).map(|t| t.oid),
            Some(oid),
            "{spelling}"
        );
    }
}
