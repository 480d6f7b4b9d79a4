//! Type codec benchmarks: pgproto's `types` against postgres-types 0.2 (with rust_decimal's and
//! chrono's conversions, which is how its users get numeric and timestamp values), in one run.
//!
//! Each case converts between PostgreSQL's text and binary forms of a value, the work a server
//! or proxy does when a client asks for the other format:
//!
//! * `numeric`: `rust_decimal::Decimal` (parsed with `FromStr`, printed with `Display`) through
//!   its postgres-types `ToSql`/`FromSql`, against `types::numeric::Numeric`.
//! * `timestamp`: chrono's `NaiveDateTime` (parsed with `parse_from_str`, printed with
//!   `Display`) through postgres-types, against `types::datetime::Timestamp`.
//! * `int4[]` of 100 elements: postgres-types' `Vec<i32>` (postgres-types has no array text
//!   form, so its side splits and joins the text by hand, the least a user would write), against
//!   `types::array::Array<i32>`.
//!
//! Both sides produce the same binary bytes (checked before timing). Before criterion runs,
//! allocations per conversion are counted and printed, and the run stops if pgproto allocates
//! for the fixed-size timestamp.

use std::fmt::Write as _;
use std::hint::black_box;
use std::str::FromStr;

use bytes::BytesMut;
use chrono::NaiveDateTime;
use criterion::Criterion;
use pgproto::types::array::Array;
use pgproto::types::datetime::Timestamp;
use pgproto::types::numeric::Numeric;
use pgproto::types::Codec;
use pgproto_benches::{allocations, CountingAlloc};
use postgres_types::{FromSql, ToSql, Type};
use rust_decimal::Decimal;

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

const NUMERICS: [&str; 4] = [
    "0",
    "12345.678900",
    "-0.000123",
    "123456789012345678.123456789",
];
const TIMESTAMPS: [&str; 3] = [
    "2024-02-29 13:45:00.123456",
    "1999-12-31 23:59:59",
    "2038-01-19 03:14:07.5",
];

/// One conversion by one library: it runs on every call, writing into its own buffers.
type Run = Box<dyn FnMut()>;

/// A case: its name and the runs of each library.
struct Case {
    name: &'static str,
    runs: Vec<(&'static str, Run)>,
}

fn int4_array_text() -> String {
    let items: Vec<String> = (0..100)
        .map(|i: i32| (i * 7919 - 350_000).to_string())
        .collect();
    format!("{{{}}}", items.join(","))
}

/// The binary forms, made once by pgproto (and checked equal to postgres-types' below).
fn binaries<T: Codec>(texts: &[&str]) -> Vec<Vec<u8>> {
    texts
        .iter()
        .map(|t| {
            let mut b = Vec::new();
            T::decode_text(t).unwrap().encode_binary(&mut b).unwrap();
            b
        })
        .collect()
}

fn cases() -> Vec<Case> {
    let num_bin = binaries::<Numeric>(&NUMERICS);
    let ts_bin = binaries::<Timestamp>(&TIMESTAMPS);
    let arr_text = int4_array_text();
    let mut arr_bin = Vec::new();
    Array::decode_text(&arr_text, b',', i32::decode_text)
        .unwrap()
        .encode_binary(&mut arr_bin, 23, Codec::encode_binary)
        .unwrap();

    // The peers must produce pgproto's binary bytes, or the comparison is not like for like.
    for (text, bin) in NUMERICS.iter().zip(&num_bin) {
        let mut b = BytesMut::new();
        Decimal::from_str(text)
            .unwrap()
            .to_sql(&Type::NUMERIC, &mut b)
            .unwrap();
        assert_eq!(&b[..], &bin[..], "numeric {text}");
    }
    for (text, bin) in TIMESTAMPS.iter().zip(&ts_bin) {
        let mut b = BytesMut::new();
        let t = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").unwrap();
        t.to_sql(&Type::TIMESTAMP, &mut b).unwrap();
        assert_eq!(&b[..], &bin[..], "timestamp {text}");
    }

    let mut out = Vec::with_capacity(4096);
    let mut text = String::with_capacity(4096);
    let bm = BytesMut::with_capacity(4096);
    let mut cases = Vec::new();

    let (b1, b2) = (num_bin.clone(), num_bin);
    cases.push(Case {
        name: "numeric/text_to_binary",
        runs: vec![
            ("pgproto", {
                let mut out = out.clone();
                Box::new(move || {
                    for t in NUMERICS {
                        out.clear();
                        Numeric::decode_text(black_box(t))
                            .unwrap()
                            .encode_binary(&mut out)
                            .unwrap();
                        black_box(&out);
                    }
                })
            }),
            ("postgres-types+rust_decimal", {
                let mut bm = bm.clone();
                Box::new(move || {
                    for t in NUMERICS {
                        bm.clear();
                        Decimal::from_str(black_box(t))
                            .unwrap()
                            .to_sql(&Type::NUMERIC, &mut bm)
                            .unwrap();
                        black_box(&bm);
                    }
                })
            }),
        ],
    });
    cases.push(Case {
        name: "numeric/binary_to_text",
        runs: vec![
            ("pgproto", {
                let mut out = out.clone();
                Box::new(move || {
                    for b in &b1 {
                        out.clear();
                        Numeric::decode_binary(black_box(b))
                            .unwrap()
                            .encode_text(&mut out)
                            .unwrap();
                        black_box(&out);
                    }
                })
            }),
            ("postgres-types+rust_decimal", {
                let mut text = text.clone();
                Box::new(move || {
                    for b in &b2 {
                        text.clear();
                        let d = Decimal::from_sql(&Type::NUMERIC, black_box(b)).unwrap();
                        write!(text, "{d}").unwrap();
                        black_box(&text);
                    }
                })
            }),
        ],
    });
    let (t1, t2) = (ts_bin.clone(), ts_bin);
    cases.push(Case {
        name: "timestamp/text_to_binary",
        runs: vec![
            ("pgproto", {
                let mut out = out.clone();
                Box::new(move || {
                    for t in TIMESTAMPS {
                        out.clear();
                        Timestamp::decode_text(black_box(t))
                            .unwrap()
                            .encode_binary(&mut out)
                            .unwrap();
                        black_box(&out);
                    }
                })
            }),
            ("postgres-types+chrono", {
                let mut bm = bm.clone();
                Box::new(move || {
                    for t in TIMESTAMPS {
                        bm.clear();
                        NaiveDateTime::parse_from_str(black_box(t), "%Y-%m-%d %H:%M:%S%.f")
                            .unwrap()
                            .to_sql(&Type::TIMESTAMP, &mut bm)
                            .unwrap();
                        black_box(&bm);
                    }
                })
            }),
        ],
    });
    cases.push(Case {
        name: "timestamp/binary_to_text",
        runs: vec![
            ("pgproto", {
                let mut out = out.clone();
                Box::new(move || {
                    for b in &t1 {
                        out.clear();
                        Timestamp::decode_binary(black_box(b))
                            .unwrap()
                            .encode_text(&mut out)
                            .unwrap();
                        black_box(&out);
                    }
                })
            }),
            ("postgres-types+chrono", {
                let mut text = text.clone();
                Box::new(move || {
                    for b in &t2 {
                        text.clear();
                        let t = NaiveDateTime::from_sql(&Type::TIMESTAMP, black_box(b)).unwrap();
                        write!(text, "{t}").unwrap();
                        black_box(&text);
                    }
                })
            }),
        ],
    });
    let (at1, at2) = (arr_text.clone(), arr_text);
    let (ab1, ab2) = (arr_bin.clone(), arr_bin);
    cases.push(Case {
        name: "int4_array/text_to_binary",
        runs: vec![
            ("pgproto", {
                let mut out = out.clone();
                Box::new(move || {
                    out.clear();
                    Array::decode_text(black_box(&at1), b',', i32::decode_text)
                        .unwrap()
                        .encode_binary(&mut out, 23, Codec::encode_binary)
                        .unwrap();
                    black_box(&out);
                })
            }),
            ("postgres-types", {
                let mut bm = bm.clone();
                Box::new(move || {
                    bm.clear();
                    let inner = black_box(&at2)
                        .trim_start_matches('{')
                        .trim_end_matches('}');
                    let v: Vec<i32> = inner
                        .split(',')
                        .map(|s| s.trim().parse().unwrap())
                        .collect();
                    v.to_sql(&Type::INT4_ARRAY, &mut bm).unwrap();
                    black_box(&bm);
                })
            }),
        ],
    });
    cases.push(Case {
        name: "int4_array/binary_to_text",
        runs: vec![
            ("pgproto", {
                Box::new(move || {
                    out.clear();
                    Array::decode_binary(black_box(&ab1), 23, i32::decode_binary)
                        .unwrap()
                        .encode_text(&mut out, b',', Codec::encode_text)
                        .unwrap();
                    black_box(&out);
                })
            }),
            ("postgres-types", {
                Box::new(move || {
                    text.clear();
                    let v = Vec::<i32>::from_sql(&Type::INT4_ARRAY, black_box(&ab2)).unwrap();
                    text.push('{');
                    for (i, x) in v.iter().enumerate() {
                        if i > 0 {
                            text.push(',');
                        }
                        write!(text, "{x}").unwrap();
                    }
                    text.push('}');
                    black_box(&text);
                })
            }),
        ],
    });
    cases
}

fn main() {
    let mut cases = cases();
    println!("allocations per conversion (all values of the case):");
    for case in &mut cases {
        for (lib, run) in &mut case.runs {
            run(); // warm up: buffers reach their size
            let before = allocations();
            for _ in 0..100 {
                run();
            }
            let total = allocations() - before;
            println!(
                "  {:28} {:30} {:>3}.{:02}",
                case.name,
                lib,
                total / 100,
                total % 100
            );
            if case.name.starts_with("timestamp") && *lib == "pgproto" {
                assert_eq!(total, 0, "pgproto allocates for a fixed-size type");
            }
        }
    }
    let mut c = Criterion::default().configure_from_args();
    for case in &mut cases {
        let mut group = c.benchmark_group(case.name);
        for (lib, run) in &mut case.runs {
            group.bench_function(*lib, |b| b.iter(&mut *run));
        }
        group.finish();
    }
    c.final_summary();
}
