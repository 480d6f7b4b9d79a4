//! `ServerConnection` without I/O: one simple-query cycle (Query → RowDescription, DataRow,
//! CommandComplete, ReadyForQuery) and one pgbench-style extended cycle (Parse, Bind, Describe,
//! Execute, Sync → ParseComplete … ReadyForQuery), answered by a minimal application. Prints the
//! allocations per cycle after warm-up, and fails if there are any.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use pgproto::backend::{
    AuthMethod, Event, ExecuteOutcome, Instant, Progress, Secret, Secrets, ServerConfig,
    ServerConnection, StatementDescription,
};
use pgproto::message::frontend::{Bind, Describe, Execute, Parse, Query, Sync};
use pgproto::message::{
    Encode, ProtocolVersion, StartupMessage, StartupParam, Target, TransactionStatus,
};
use pgproto::{List, PgStr};
use pgproto_benches::{allocations, CountingAlloc, ABALANCE};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Answers every event the way a trivial engine would: one int4 row.
fn answer(conn: &mut ServerConnection, event: Event<'_>, out: &mut Vec<u8>) {
    let idle = TransactionStatus::Idle;
    match event {
        Event::Startup(_) => conn
            .authenticate(AuthMethod::Trust, Secret::None, out)
            .unwrap(),
        Event::Authenticated => conn.start_session(out).unwrap(),
        Event::Query { .. } => {
            conn.row_description(&[ABALANCE], out).unwrap();
            let mut row = conn.data_row(out).unwrap();
            row.display(-2757).unwrap();
            row.finish().unwrap();
            conn.command_complete("SELECT 1", out).unwrap();
            conn.ready(idle, out).unwrap();
        }
        Event::Parse { .. } => conn
            .parse_complete(
                StatementDescription {
                    param_types: &[23],
                    fields: Some(&[ABALANCE]),
                },
                out,
            )
            .unwrap(),
        Event::Bind { .. } => conn.bind_complete(out).unwrap(),
        Event::Execute { .. } => {
            let mut row = conn.data_row(out).unwrap();
            row.display(-2757).unwrap();
            row.finish().unwrap();
            conn.execute_done(ExecuteOutcome::Complete("SELECT 1"), out)
                .unwrap();
        }
        Event::Sync => conn.ready(idle, out).unwrap(),
        Event::StatementClosed { .. } | Event::PortalClosed { .. } => {}
        other => panic!("unexpected {other:?}"),
    }
}

/// Feeds `input` (whole messages) and answers until the connection needs more.
fn cycle(conn: &mut ServerConnection, input: &[u8], out: &mut Vec<u8>) {
    let mut pos = 0;
    loop {
        match conn.poll_event(Instant(0), &input[pos..], out).unwrap() {
            Progress::Event { event, consumed } => {
                answer(conn, event, out);
                pos += consumed;
            }
            Progress::NeedData { consumed } => {
                pos += consumed;
                assert_eq!(pos, input.len());
                return;
            }
            other => panic!("{other:?}"),
        }
    }
}

fn logged_in() -> (ServerConnection, Vec<u8>) {
    let mut conn = ServerConnection::new(ServerConfig::default(), Secrets::fixed(1), Instant(0));
    let params = [StartupParam {
        name: PgStr::from_static("user"),
        value: PgStr::from_static("bench"),
    }];
    let mut input = Vec::new();
    StartupMessage {
        version: ProtocolVersion::V3_0,
        params: List::new(&params),
    }
    .encode(&mut input)
    .unwrap();
    let mut out = Vec::with_capacity(4096);
    cycle(&mut conn, &input, &mut out);
    assert!(conn.is_authenticated());
    out.clear();
    (conn, out)
}

fn simple_input() -> Vec<u8> {
    let mut v = Vec::new();
    Query::new(PgStr::from_static(
        "SELECT abalance FROM pgbench_accounts WHERE aid = 48213",
    ))
    .encode(&mut v)
    .unwrap();
    v
}

fn extended_input() -> Vec<u8> {
    let mut v = Vec::new();
    Parse {
        statement: PgStr::EMPTY,
        query: PgStr::from_static("SELECT abalance FROM pgbench_accounts WHERE aid = $1"),
        param_types: List::empty(),
    }
    .encode(&mut v)
    .unwrap();
    let params: [Option<&[u8]>; 1] = [Some(b"48213")];
    Bind {
        portal: PgStr::EMPTY,
        statement: PgStr::EMPTY,
        param_formats: List::empty(),
        params: List::new(&params),
        result_formats: List::empty(),
    }
    .encode(&mut v)
    .unwrap();
    Describe {
        target: Target::Portal,
        name: PgStr::EMPTY,
    }
    .encode(&mut v)
    .unwrap();
    Execute {
        portal: PgStr::EMPTY,
        max_rows: 0,
    }
    .encode(&mut v)
    .unwrap();
    Sync.encode(&mut v).unwrap();
    v
}

/// Allocations per cycle after warm-up; the goal is none.
fn allocations_per_cycle(input: &[u8]) -> f64 {
    let (mut conn, mut out) = logged_in();
    for _ in 0..10 {
        cycle(&mut conn, input, &mut out);
        out.clear();
    }
    let before = allocations();
    for _ in 0..1000 {
        cycle(&mut conn, input, &mut out);
        out.clear();
    }
    let total = u32::try_from(allocations() - before).unwrap_or(u32::MAX);
    f64::from(total) / 1000.0
}

fn bench(c: &mut Criterion) {
    let (simple, extended) = (simple_input(), extended_input());
    let a_simple = allocations_per_cycle(&simple);
    let a_extended = allocations_per_cycle(&extended);
    println!("allocations per cycle after warm-up: simple {a_simple}, extended {a_extended}");
    assert!(
        a_simple == 0.0 && a_extended == 0.0,
        "the server cycle must not allocate"
    );

    let mut group = c.benchmark_group("server_connection");
    for (name, input) in [("simple_cycle", &simple), ("extended_cycle", &extended)] {
        let (mut conn, mut out) = logged_in();
        group.bench_function(name, |b| {
            b.iter(|| {
                cycle(&mut conn, black_box(input), &mut out);
                black_box(out.len());
                out.clear();
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
