//! The client side of one pipelined extended-query cycle (Parse, Bind, Describe, Execute, Sync
//! written; ParseComplete, BindComplete, RowDescription, DataRow, CommandComplete, ReadyForQuery
//! read and routed), through `ClientConnection`, against the same codec work done with
//! `postgres-protocol` (what tokio-postgres runs). Prints allocations per cycle, and fails if
//! pgproto makes any after warm-up.

use std::hint::black_box;

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, Criterion};
use fallible_iterator::FallibleIterator;
use pgproto::frontend::{ClientConfig, ClientConnection, ClientEvent, ClientProgress};
use pgproto::message::backend::{
    Authentication, BindComplete, CommandComplete, DataRow, ParseComplete, ReadyForQuery,
    RowDescription,
};
use pgproto::message::{Encode, TransactionStatus};
use pgproto::PgStr;
use pgproto_benches::{allocations, CountingAlloc, ABALANCE};
use postgres_protocol::message::backend::Message as PpMessage;
use postgres_protocol::message::frontend as pp;
use postgres_protocol::IsNull;

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

const QUERY: &str = "SELECT abalance FROM pgbench_accounts WHERE aid = $1";
const AID: &[u8] = b"48213";

/// What the server answers to one cycle.
fn response() -> Vec<u8> {
    let mut v = Vec::new();
    ParseComplete.encode(&mut v).unwrap();
    BindComplete.encode(&mut v).unwrap();
    let field = [ABALANCE];
    RowDescription::new(&field).encode(&mut v).unwrap();
    let cols: [Option<&[u8]>; 1] = [Some(b"-2757")];
    DataRow::new(&cols).encode(&mut v).unwrap();
    CommandComplete::new(PgStr::from_static("SELECT 1"))
        .encode(&mut v)
        .unwrap();
    ReadyForQuery {
        status: TransactionStatus::Idle,
    }
    .encode(&mut v)
    .unwrap();
    v
}

fn ready_client() -> ClientConnection<64> {
    let mut conn = ClientConnection::new(ClientConfig::new("bench"), [1; 18]);
    let mut out = Vec::new();
    conn.start(&mut out).unwrap();
    let mut input = Vec::new();
    Authentication::Ok.encode(&mut input).unwrap();
    ReadyForQuery {
        status: TransactionStatus::Idle,
    }
    .encode(&mut input)
    .unwrap();
    let mut pos = 0;
    while let ClientProgress::Event { consumed, .. } = conn.poll(&input[pos..], &mut out).unwrap() {
        pos += consumed;
    }
    assert!(conn.is_ready());
    conn
}

/// One cycle through `ClientConnection`: write the batch, then route every answer.
fn pgproto_cycle(conn: &mut ClientConnection<64>, response: &[u8], out: &mut Vec<u8>) -> u64 {
    out.clear();
    let params: [Option<&[u8]>; 1] = [Some(AID)];
    conn.parse("", QUERY, &[], out).unwrap();
    conn.bind("", "", &[], &params, &[], out).unwrap();
    conn.describe_portal("", out).unwrap();
    conn.execute("", 0, out).unwrap();
    conn.sync(out).unwrap();
    let mut pos = 0;
    let mut acc = out.len() as u64;
    loop {
        match conn.poll(&response[pos..], out).unwrap() {
            ClientProgress::Event {
                event, consumed, ..
            } => {
                if let ClientEvent::Response {
                    message: pgproto::message::BackendMessage::DataRow(row),
                    ..
                } = event
                {
                    acc += row
                        .columns
                        .iter()
                        .map(|c| c.map_or(0, <[u8]>::len) as u64)
                        .sum::<u64>();
                }
                pos += consumed;
            }
            ClientProgress::NeedData { .. } | ClientProgress::Closed { .. } => return acc,
        }
    }
}

/// The same codec work with postgres-protocol: encode the batch, parse every answer.
fn pp_cycle(response: &[u8], out: &mut BytesMut, input: &mut BytesMut) -> u64 {
    out.clear();
    pp::parse("", QUERY, std::iter::empty(), out).unwrap();
    pp::bind(
        "",
        "",
        std::iter::empty::<i16>(),
        [AID],
        |v, buf| {
            buf.extend_from_slice(v);
            Ok::<_, Box<dyn std::error::Error + Sync + Send>>(IsNull::No)
        },
        std::iter::empty::<i16>(),
        out,
    )
    .map_err(|_| ())
    .unwrap();
    pp::describe(b'P', "", out).unwrap();
    pp::execute("", 0, out).unwrap();
    pp::sync(out);
    input.clear();
    input.extend_from_slice(response);
    let mut acc = out.len() as u64;
    while let Some(m) = PpMessage::parse(input).unwrap() {
        if let PpMessage::DataRow(body) = m {
            let mut ranges = body.ranges();
            while let Some(r) = ranges.next().unwrap() {
                acc += r.map_or(0, |r| r.len() as u64);
            }
        }
    }
    acc
}

fn bench(c: &mut Criterion) {
    let response = response();
    let mut conn = ready_client();
    let mut out = Vec::with_capacity(1024);
    for _ in 0..10 {
        pgproto_cycle(&mut conn, &response, &mut out);
    }
    let before = allocations();
    for _ in 0..1000 {
        pgproto_cycle(&mut conn, &response, &mut out);
    }
    let per_cycle = (allocations() - before) / 1000;
    let (mut pp_out, mut pp_in) = (BytesMut::with_capacity(1024), BytesMut::with_capacity(1024));
    let before = allocations();
    for _ in 0..1000 {
        pp_cycle(&response, &mut pp_out, &mut pp_in);
    }
    let pp_per_cycle =
        f64::from(u32::try_from(allocations() - before).unwrap_or(u32::MAX)) / 1000.0;
    println!("allocations per cycle: pgproto {per_cycle}, postgres-protocol {pp_per_cycle}");
    assert_eq!(per_cycle, 0, "the client cycle must not allocate");

    let mut group = c.benchmark_group("client_extended_cycle");
    group.bench_function("pgproto", |b| {
        b.iter(|| black_box(pgproto_cycle(&mut conn, black_box(&response), &mut out)));
    });
    group.bench_function("postgres-protocol", |b| {
        b.iter(|| black_box(pp_cycle(black_box(&response), &mut pp_out, &mut pp_in)));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
