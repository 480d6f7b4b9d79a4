//! The hot path allocates nothing per request: a session that has run a few queries runs a
//! thousand more (simple, extended as pgbench sends it, prepared) without a single allocation in
//! the connection loop, the core or the reply path.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::io;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::BytesMut;
use pgproto::backend::{Instant, ServerError};
use pgproto::message::frontend::{Bind, Describe, Execute, Parse, Query, Sync};
use pgproto::message::{
    Encode, FieldDescription, Format, ProtocolVersion, StartupMessage, StartupParam, Target,
};
use pgproto::{List, PgStr};
use pgproto_service::{
    Clock, Column, Credentials, Error, Executed, Handler, Login, Params, Readiness, Reply, Server,
    Session,
};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards every call to the system allocator unchanged; only counts allocations.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
        // SAFETY: the caller's layout contract is passed on as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
        // SAFETY: as for `dealloc` and `alloc`.
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Input in batches (one per read), output counted and dropped; the end of input is EOF.
struct Memory {
    batches: Vec<Vec<u8>>,
    next: usize,
    written: usize,
}

impl Readiness for Memory {
    async fn readable(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn try_read(&mut self, buf: &mut BytesMut) -> io::Result<usize> {
        let Some(b) = self.batches.get(self.next) else {
            return Ok(0);
        };
        self.next += 1;
        buf.extend_from_slice(b);
        Ok(b.len())
    }
    async fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        self.written += data.len();
        Ok(())
    }
}

struct NoClock;

impl Clock for NoClock {
    fn now(&self) -> Instant {
        Instant(0)
    }
    async fn sleep_until(&self, _: Instant) {
        std::future::pending::<()>().await;
    }
}

const FIELDS: [FieldDescription<'static>; 1] = [FieldDescription {
    name: PgStr::from_static("?column?"),
    table_oid: 0,
    column_id: 0,
    type_oid: 23,
    type_size: 4,
    type_modifier: -1,
    format: Format::Text,
}];

struct One;
/// Portals in a Vec: a HashMap with ever-new keys rehashes now and then, which is the test
/// application's allocation, not the server's.
#[derive(Default)]
struct OneSession {
    portals: Vec<(u64, Format)>,
}

impl Handler for One {
    type Session = OneSession;
    async fn credentials(&self, _: &Login) -> Result<Credentials, ServerError> {
        Ok(Credentials::trust())
    }
    async fn open(&self, _: &Login, _: &mut Reply<'_>) -> Result<OneSession, ServerError> {
        Ok(OneSession::default())
    }
}

impl Session for OneSession {
    async fn query(&mut self, _: &str, reply: &mut Reply<'_>) -> Result<(), Error> {
        reply.row_description(&FIELDS)?;
        let mut row = reply.data_row().await?;
        row.value(b"1")?;
        row.finish()?;
        reply.command_complete("SELECT 1")
    }
    async fn parse(
        &mut self,
        _: u64,
        _: &str,
        d: &mut pgproto_service::Describe,
    ) -> Result<(), Error> {
        d.column("?column?", Column::new(23, 4));
        Ok(())
    }
    async fn bind(
        &mut self,
        portal: u64,
        _: u64,
        _: Params<'_>,
        formats: List<'_, Format>,
    ) -> Result<(), Error> {
        self.portals.push((portal, formats.format_for(0)));
        Ok(())
    }
    async fn execute(&mut self, _: u64, _: u32, reply: &mut Reply<'_>) -> Result<Executed, Error> {
        let mut row = reply.data_row().await?;
        row.value(b"1")?;
        row.finish()?;
        Ok(Executed::Complete("SELECT 1".into()))
    }
    fn close_portal(&mut self, id: u64) {
        self.portals.retain(|(p, _)| *p != id);
    }
}

type Writes<'a> = &'a [&'a dyn Fn(&mut Vec<u8>)];

fn encode(messages: Writes<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        m(&mut out);
    }
    out
}

fn startup() -> Vec<u8> {
    let params = [StartupParam {
        name: PgStr::from_static("user"),
        value: PgStr::from_static("bench"),
    }];
    encode(&[&|o| {
        StartupMessage {
            version: ProtocolVersion::V3_0,
            params: List::new(&params),
        }
        .encode(o)
        .unwrap();
    }])
}

fn sql() -> PgStr<'static> {
    PgStr::from_static("SELECT 1")
}

fn simple() -> Vec<u8> {
    encode(&[&|o| Query::new(sql()).encode(o).unwrap()])
}

fn bind_execute_sync(o: &mut Vec<u8>, statement: &'static str) {
    Bind {
        portal: PgStr::from_static(""),
        statement: PgStr::from_static(statement),
        param_formats: List::new(&[]),
        params: List::new(&[]),
        result_formats: List::new(&[Format::Binary]),
    }
    .encode(o)
    .unwrap();
    Describe {
        target: Target::Portal,
        name: PgStr::from_static(""),
    }
    .encode(o)
    .unwrap();
    Execute {
        portal: PgStr::from_static(""),
        max_rows: 0,
    }
    .encode(o)
    .unwrap();
    Sync.encode(o).unwrap();
}

fn parse(o: &mut Vec<u8>, name: &'static str) {
    Parse {
        statement: PgStr::from_static(name),
        query: sql(),
        param_types: List::new(&[]),
    }
    .encode(o)
    .unwrap();
}

/// pgbench's extended mode: the unnamed statement parsed anew each time.
fn extended() -> Vec<u8> {
    encode(&[&|o| parse(o, ""), &|o| bind_execute_sync(o, "")])
}

/// pgbench's prepared mode, after the statement's first Parse.
fn prepared() -> Vec<u8> {
    encode(&[&|o| bind_execute_sync(o, "P0_0")])
}

/// Serves `batches` (after startup and a warm-up) to the end; returns the allocations made.
fn allocations(warm_up: &[Vec<u8>], repeat: &[u8], times: usize) -> u64 {
    let server = Server::new(One);
    let mut batches = vec![startup()];
    batches.extend_from_slice(warm_up);
    batches.extend(std::iter::repeat_n(repeat.to_vec(), times));
    let io = Memory {
        batches,
        next: 0,
        written: 0,
    };
    let mut fut = pin!(server.serve(io, &NoClock));
    let mut cx = Context::from_waker(Waker::noop());
    let before = ALLOCATIONS.with(Cell::get);
    loop {
        if let Poll::Ready(r) = fut.as_mut().poll(&mut cx) {
            r.unwrap();
            break;
        }
    }
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn a_thousand_more_requests_allocate_nothing() {
    allocations(&[], &simple(), 1); // fills this thread's buffer pool
    let prepare = encode(&[&|o| parse(o, "P0_0"), &|o| bind_execute_sync(o, "P0_0")]);
    for (mode, warm, batch) in [
        ("simple", vec![simple(), simple()], simple()),
        ("extended", vec![extended(), extended()], extended()),
        ("prepared", vec![prepare, prepared()], prepared()),
    ] {
        let few = allocations(&warm, &batch, 10);
        let many = allocations(&warm, &batch, 1010);
        assert_eq!(
            many,
            few,
            "{mode}: {} allocations for 1000 more requests",
            many - few
        );
    }
}
