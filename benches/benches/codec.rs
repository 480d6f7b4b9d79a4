//! Codec benchmarks: pgproto against postgres-protocol 0.6 and pgwire 0.42, in one run.
//!
//! Every case has a `CASE/decode` and a `CASE/encode` group, with one function per library that
//! can do it, named `pgproto`, `postgres-protocol` and `pgwire`:
//!
//! * postgres-protocol encodes only frontend messages and decodes only backend messages, so it
//!   is absent from the frontend decode groups (Bind, the pgbench batch) and from the backend
//!   encode groups (DataRow, RowDescription, ErrorResponse).
//! * Decoding starts from the same bytes for every library and touches every field and column,
//!   folding them into a checksum that must agree across libraries: pgproto validates once and
//!   iterates lazily, postgres-protocol's bodies are lazy iterators, pgwire decodes eagerly into
//!   owned values. Text is not checked the same way: pgproto hands out bytes, postgres-protocol
//!   checks RowDescription names as UTF-8, pgwire copies every string into a `String`
//!   (lossily, so it checks UTF-8 too).
//! * The peers decode from a `BytesMut` that they split, consuming it; so every library, pgproto
//!   included, decodes a fresh copy per iteration, made outside the timing and already in shared
//!   storage, as a long-lived read buffer is after its first split. Neither the copy nor that
//!   one-time promotion (an allocation, which a fresh buffer's first split would make) is
//!   measured; the peers' per-message cost of splitting (reference counts) is.
//! * Encoding writes into a pre-sized `BytesMut` that is cleared between iterations. Each
//!   library's message values are built before timing starts (pgwire's own owned structs,
//!   postgres-protocol's function arguments, pgproto's borrowed structs).
//!
//! Before criterion runs, allocations per decode and per encode are counted and printed for
//! every library and case, and the run stops if pgproto allocates at all.

use std::error::Error;
use std::hint::black_box;

use bytes::{BufMut, Bytes, BytesMut};
use criterion::{BatchSize, Criterion, Throughput};
use fallible_iterator::FallibleIterator;
use pgproto::frame::{self, Decoded, Limits};
use pgproto::message::frontend::Bind;
use pgproto::message::{
    BackendMessage, DataRow, Encode, ErrorResponse, Format, FrontendMessage, PasswordKind,
    RowDescription,
};
use pgproto::PgStr;
use pgproto_benches::{
    allocations, CountingAlloc, Fixtures, BIND, DATA_ROW_COLUMNS, ERROR_FIELDS, PGBENCH_AID,
    PGBENCH_BATCH, PGBENCH_QUERY, PGBENCH_RESULT_FORMATS, ROW_FIELDS,
};
use pgwire::messages::data::{
    DataRow as PwDataRow, FieldDescription as PwFieldDescription,
    RowDescription as PwRowDescription,
};
use pgwire::messages::extendedquery::{
    Bind as PwBind, Describe as PwDescribe, Execute as PwExecute, Parse as PwParse, Sync as PwSync,
};
use pgwire::messages::response::ErrorResponse as PwErrorResponse;
use pgwire::messages::{
    DecodeContext, Message as _, PgWireBackendMessage, PgWireFrontendMessage, ProtocolVersion,
};
use postgres_protocol::message::backend::Message as PpMessage;
use postgres_protocol::message::frontend as pp_frontend;
use postgres_protocol::IsNull;

const PGPROTO: &str = "pgproto";
const POSTGRES_PROTOCOL: &str = "postgres-protocol";
const PGWIRE: &str = "pgwire";
const LIBRARIES: [&str; 3] = [PGPROTO, POSTGRES_PROTOCOL, PGWIRE];

/// Capacity of the reused output buffer; every case fits, so encoding never grows it.
const OUT_CAPACITY: usize = 4096;
/// Decode inputs prepared per timed batch: enough to hide the clock reads, few enough that the
/// inputs stay in cache (criterion's `SmallInput` batches grow with the iteration count, and the
/// timing then includes cache misses on inputs prepared long before).
const DECODE_BATCH: u64 = 64;
/// Calls per library and case when counting allocations.
const COUNT_CALLS: u32 = 1000;

// ---------------------------------------------------------------------------------------------
// Counting allocator

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

// ---------------------------------------------------------------------------------------------
// Checksums: every decoder folds every field into one of these, the same way for each library.

fn mix(acc: u64, x: u64) -> u64 {
    acc.wrapping_mul(0x0100_0000_01b3).wrapping_add(x)
}

/// A string or value: its length and its last byte, so that its bytes are really read.
fn text(s: &[u8]) -> u64 {
    (s.len() as u64) << 8 | u64::from(s.last().copied().unwrap_or(0))
}

fn value(v: Option<&[u8]>) -> u64 {
    v.map_or(u64::MAX, text)
}

fn int16(v: i16) -> u64 {
    u64::from(v as u16)
}

fn int32(v: i32) -> u64 {
    u64::from(v as u32)
}

/// One RowDescription field: its name, then table OID, column, type OID, size, modifier, format.
fn field_sum(acc: u64, name: &[u8], ints: [u64; 6]) -> u64 {
    ints.into_iter().fold(mix(acc, text(name)), mix)
}

// ---------------------------------------------------------------------------------------------
// pgproto

fn pgproto_backend(input: &[u8]) -> BackendMessage<'_> {
    match frame::decode(input, Limits::BACKEND) {
        Ok(Decoded::Frame { frame, consumed }) if consumed == input.len() => {
            BackendMessage::decode(frame).expect("a valid message")
        }
        other => panic!("not one whole frame: {other:?}"),
    }
}

fn pgproto_decode_data_row(input: &mut BytesMut) -> u64 {
    let BackendMessage::DataRow(row) = pgproto_backend(input) else {
        panic!("not a DataRow")
    };
    row.columns.iter().fold(0, |acc, c| mix(acc, value(c)))
}

fn pgproto_decode_row_description(input: &mut BytesMut) -> u64 {
    let BackendMessage::RowDescription(rd) = pgproto_backend(input) else {
        panic!("not a RowDescription")
    };
    rd.fields.iter().fold(0, |acc, f| {
        let ints = [
            u64::from(f.table_oid),
            int16(f.column_id),
            u64::from(f.type_oid),
            int16(f.type_size),
            int32(f.type_modifier),
            int16(f.format.code()),
        ];
        field_sum(acc, f.name.as_bytes(), ints)
    })
}

fn pgproto_decode_error_response(input: &mut BytesMut) -> u64 {
    let BackendMessage::ErrorResponse(e) = pgproto_backend(input) else {
        panic!("not an ErrorResponse")
    };
    e.fields.iter().fold(0, |acc, f| {
        mix(mix(acc, u64::from(f.code.0)), text(f.value.as_bytes()))
    })
}

fn pgproto_bind_sum(acc: u64, b: &Bind<'_>) -> u64 {
    let mut acc = mix(acc, text(b.portal.as_bytes()));
    acc = mix(acc, text(b.statement.as_bytes()));
    acc = b
        .param_formats
        .iter()
        .fold(acc, |a, f| mix(a, int16(f.code())));
    acc = b.params.iter().fold(acc, |a, p| mix(a, value(p)));
    b.result_formats
        .iter()
        .fold(acc, |a, f| mix(a, int16(f.code())))
}

fn pgproto_frontend_sum(acc: u64, msg: FrontendMessage<'_>) -> u64 {
    match msg {
        FrontendMessage::Parse(p) => {
            let acc = mix(mix(acc, u64::from(b'P')), text(p.statement.as_bytes()));
            let acc = mix(acc, text(p.query.as_bytes()));
            p.param_types.iter().fold(acc, |a, t| mix(a, u64::from(t)))
        }
        FrontendMessage::Bind(b) => pgproto_bind_sum(mix(acc, u64::from(b'B')), &b),
        FrontendMessage::Describe(d) => {
            let acc = mix(mix(acc, u64::from(b'D')), u64::from(d.target.byte()));
            mix(acc, text(d.name.as_bytes()))
        }
        FrontendMessage::Execute(e) => {
            let acc = mix(mix(acc, u64::from(b'E')), text(e.portal.as_bytes()));
            mix(acc, int32(e.max_rows))
        }
        FrontendMessage::Sync(_) => mix(acc, u64::from(b'S')),
        other => panic!("unexpected {other:?}"),
    }
}

/// Decodes every frame of a frontend stream and folds each message into the checksum.
fn pgproto_decode_frontend(input: &mut BytesMut) -> u64 {
    let mut rest: &[u8] = input;
    let mut acc = 0;
    while !rest.is_empty() {
        let Ok(Decoded::Frame { frame, consumed }) = frame::decode(rest, Limits::FRONTEND) else {
            panic!("not a whole frame")
        };
        let msg = FrontendMessage::decode(frame, PasswordKind::Password).expect("a valid message");
        acc = pgproto_frontend_sum(acc, msg);
        rest = &rest[consumed..];
    }
    acc
}

fn pgproto_encode<M: Encode>(msg: &M, out: &mut BytesMut) {
    msg.encode(out).expect("encodes");
}

// ---------------------------------------------------------------------------------------------
// postgres-protocol (decodes backend messages only)

fn pp_backend(input: &mut BytesMut) -> PpMessage {
    let msg = match PpMessage::parse(input) {
        Ok(Some(msg)) => msg,
        Ok(None) => panic!("incomplete message"),
        Err(e) => panic!("{e}"),
    };
    assert!(input.is_empty(), "one message expected");
    msg
}

fn pp_decode_data_row(input: &mut BytesMut) -> u64 {
    let PpMessage::DataRow(body) = pp_backend(input) else {
        panic!("not a DataRow")
    };
    let buf = body.buffer();
    let mut ranges = body.ranges();
    let mut acc = 0;
    while let Some(range) = ranges.next().expect("valid columns") {
        acc = mix(acc, value(range.map(|r| &buf[r])));
    }
    acc
}

fn pp_decode_row_description(input: &mut BytesMut) -> u64 {
    let PpMessage::RowDescription(body) = pp_backend(input) else {
        panic!("not a RowDescription")
    };
    let mut fields = body.fields();
    let mut acc = 0;
    while let Some(f) = fields.next().expect("valid fields") {
        let ints = [
            u64::from(f.table_oid()),
            int16(f.column_id()),
            u64::from(f.type_oid()),
            int16(f.type_size()),
            int32(f.type_modifier()),
            int16(f.format()),
        ];
        acc = field_sum(acc, f.name().as_bytes(), ints);
    }
    acc
}

fn pp_decode_error_response(input: &mut BytesMut) -> u64 {
    let PpMessage::ErrorResponse(body) = pp_backend(input) else {
        panic!("not an ErrorResponse")
    };
    let mut fields = body.fields();
    let mut acc = 0;
    while let Some(f) = fields.next().expect("valid fields") {
        acc = mix(mix(acc, u64::from(f.type_())), text(f.value_bytes()));
    }
    acc
}

/// The value serializer postgres-protocol's `bind` calls for each parameter.
#[allow(
    clippy::unnecessary_wraps,
    reason = "the signature postgres-protocol requires"
)]
fn pp_serialize(
    v: Option<&[u8]>,
    buf: &mut BytesMut,
) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
    Ok(match v {
        Some(v) => {
            buf.put_slice(v);
            IsNull::No
        }
        None => IsNull::Yes,
    })
}

fn str_of(s: PgStr<'_>) -> &str {
    s.to_str().expect("UTF-8 fixture")
}

fn pp_bind_encoder() -> impl FnMut(&mut BytesMut) {
    let portal = str_of(BIND.portal);
    let statement = str_of(BIND.statement);
    let formats: Vec<i16> = BIND.param_formats.iter().map(Format::code).collect();
    let params: Vec<Option<&[u8]>> = BIND.params.iter().collect();
    let results: Vec<i16> = BIND.result_formats.iter().map(Format::code).collect();
    move |out| {
        let (formats, params, results) = black_box((&formats, &params, &results));
        let done = pp_frontend::bind(
            portal,
            statement,
            formats.iter().copied(),
            params.iter().copied(),
            pp_serialize,
            results.iter().copied(),
            out,
        );
        assert!(done.is_ok(), "bind encodes");
    }
}

fn pp_pgbench_encoder() -> impl FnMut(&mut BytesMut) {
    let params: [Option<&[u8]>; 1] = [Some(PGBENCH_AID)];
    let results: Vec<i16> = PGBENCH_RESULT_FORMATS.map(Format::code).to_vec();
    move |out| {
        let (query, params, results) = black_box((PGBENCH_QUERY, &params, &results));
        pp_frontend::parse("", query, std::iter::empty(), out).expect("parse encodes");
        let bound = pp_frontend::bind(
            "",
            "",
            std::iter::empty(),
            params.iter().copied(),
            pp_serialize,
            results.iter().copied(),
            out,
        );
        assert!(bound.is_ok(), "bind encodes");
        pp_frontend::describe(b'P', "", out).expect("describe encodes");
        pp_frontend::execute("", 0, out).expect("execute encodes");
        pp_frontend::sync(out);
    }
}

// ---------------------------------------------------------------------------------------------
// pgwire

/// A context past startup: regular messages in both directions.
fn pw_context() -> DecodeContext {
    let mut ctx = DecodeContext::new(ProtocolVersion::PROTOCOL3_0);
    ctx.awaiting_frontend_ssl = false;
    ctx.awaiting_frontend_startup = false;
    ctx
}

fn pw_backend(input: &mut BytesMut) -> PgWireBackendMessage {
    let msg = match PgWireBackendMessage::decode(input, &pw_context()) {
        Ok(Some(msg)) => msg,
        Ok(None) => panic!("incomplete message"),
        Err(e) => panic!("{e}"),
    };
    assert!(input.is_empty(), "one message expected");
    msg
}

fn pw_decode_data_row(input: &mut BytesMut) -> u64 {
    let PgWireBackendMessage::DataRow(row) = pw_backend(input) else {
        panic!("not a DataRow")
    };
    // pgwire keeps a DataRow's columns as one undecoded buffer and offers no reader for them;
    // this bounds-checked walk is the part its users write themselves.
    let mut rest: &[u8] = &row.data;
    let mut acc = 0;
    for _ in 0..row.field_count {
        let (len, tail) = rest.split_first_chunk::<4>().expect("a column length");
        let len = i32::from_be_bytes(*len);
        let column = if len < 0 {
            rest = tail;
            None
        } else {
            let (v, tail) = tail.split_at_checked(len as usize).expect("a column value");
            rest = tail;
            Some(v)
        };
        acc = mix(acc, value(column));
    }
    assert!(rest.is_empty(), "trailing bytes");
    acc
}

fn pw_decode_row_description(input: &mut BytesMut) -> u64 {
    let PgWireBackendMessage::RowDescription(rd) = pw_backend(input) else {
        panic!("not a RowDescription")
    };
    rd.fields.iter().fold(0, |acc, f| {
        let ints = [
            int32(f.table_id),
            int16(f.column_id),
            u64::from(f.type_id),
            int16(f.type_size),
            int32(f.type_modifier),
            int16(f.format_code),
        ];
        field_sum(acc, f.name.as_bytes(), ints)
    })
}

fn pw_decode_error_response(input: &mut BytesMut) -> u64 {
    let PgWireBackendMessage::ErrorResponse(e) = pw_backend(input) else {
        panic!("not an ErrorResponse")
    };
    e.fields.iter().fold(0, |acc, (code, v)| {
        mix(mix(acc, u64::from(*code)), text(v.as_bytes()))
    })
}

/// pgwire reads an empty name as `None`.
fn pw_name(name: Option<&String>) -> u64 {
    text(name.map_or(&[][..], String::as_bytes))
}

fn pw_bind_sum(acc: u64, b: &PwBind) -> u64 {
    let mut acc = mix(acc, pw_name(b.portal_name.as_ref()));
    acc = mix(acc, pw_name(b.statement_name.as_ref()));
    acc = b
        .parameter_format_codes
        .iter()
        .fold(acc, |a, f| mix(a, int16(*f)));
    acc = b
        .parameters
        .iter()
        .fold(acc, |a, p| mix(a, value(p.as_deref())));
    b.result_column_format_codes
        .iter()
        .fold(acc, |a, f| mix(a, int16(*f)))
}

fn pw_frontend_sum(acc: u64, msg: &PgWireFrontendMessage) -> u64 {
    match msg {
        PgWireFrontendMessage::Parse(p) => {
            let acc = mix(mix(acc, u64::from(b'P')), pw_name(p.name.as_ref()));
            let acc = mix(acc, text(p.query.as_bytes()));
            p.type_oids.iter().fold(acc, |a, t| mix(a, u64::from(*t)))
        }
        PgWireFrontendMessage::Bind(b) => pw_bind_sum(mix(acc, u64::from(b'B')), b),
        PgWireFrontendMessage::Describe(d) => {
            let acc = mix(mix(acc, u64::from(b'D')), u64::from(d.target_type));
            mix(acc, pw_name(d.name.as_ref()))
        }
        PgWireFrontendMessage::Execute(e) => {
            let acc = mix(mix(acc, u64::from(b'E')), pw_name(e.name.as_ref()));
            mix(acc, int32(e.max_rows))
        }
        PgWireFrontendMessage::Sync(_) => mix(acc, u64::from(b'S')),
        other => panic!("unexpected {other:?}"),
    }
}

/// Decodes every message of a frontend stream and folds each into the checksum.
fn pw_decode_frontend(input: &mut BytesMut) -> u64 {
    let ctx = pw_context();
    let mut acc = 0;
    while !input.is_empty() {
        match PgWireFrontendMessage::decode(input, &ctx) {
            Ok(Some(msg)) => acc = pw_frontend_sum(acc, &msg),
            Ok(None) => panic!("incomplete message"),
            Err(e) => panic!("{e}"),
        }
    }
    acc
}

fn pw_name_of(s: PgStr<'_>) -> Option<String> {
    (!s.is_empty()).then(|| str_of(s).to_owned())
}

fn pw_bind_of(b: &Bind<'_>) -> PwBind {
    PwBind::new(
        pw_name_of(b.portal),
        pw_name_of(b.statement),
        b.param_formats.iter().map(Format::code).collect(),
        b.params
            .iter()
            .map(|p| p.map(Bytes::copy_from_slice))
            .collect(),
        b.result_formats.iter().map(Format::code).collect(),
    )
}

/// pgwire's DataRow carries its columns pre-serialized, so its encoder is given the same work as
/// the others: serialize the columns into the row's (reused) buffer, then encode the message.
fn pw_data_row_encoder() -> impl FnMut(&mut BytesMut) {
    let mut row = PwDataRow::new(BytesMut::with_capacity(OUT_CAPACITY), 0);
    move |out| {
        row.data.clear();
        let columns = black_box(&DATA_ROW_COLUMNS);
        for c in columns {
            match c {
                Some(v) => {
                    row.data.put_i32(v.len() as i32);
                    row.data.put_slice(v);
                }
                None => row.data.put_i32(-1),
            }
        }
        row.field_count = columns.len() as i16;
        row.encode(out).expect("encodes");
    }
}

fn pw_row_description() -> PwRowDescription {
    PwRowDescription::new(
        ROW_FIELDS
            .iter()
            .map(|f| {
                PwFieldDescription::new(
                    str_of(f.name).to_owned(),
                    f.table_oid as i32,
                    f.column_id,
                    f.type_oid,
                    f.type_size,
                    f.type_modifier,
                    f.format.code(),
                )
            })
            .collect(),
    )
}

fn pw_error_response() -> PwErrorResponse {
    PwErrorResponse::new(
        ERROR_FIELDS
            .iter()
            .map(|f| (f.code.0, str_of(f.value).to_owned()))
            .collect(),
    )
}

fn pw_pgbench_batch() -> Vec<PgWireFrontendMessage> {
    PGBENCH_BATCH
        .iter()
        .map(|m| match m {
            FrontendMessage::Parse(p) => PgWireFrontendMessage::Parse(PwParse::new(
                pw_name_of(p.statement),
                str_of(p.query).to_owned(),
                p.param_types.iter().collect(),
            )),
            FrontendMessage::Bind(b) => PgWireFrontendMessage::Bind(pw_bind_of(b)),
            FrontendMessage::Describe(d) => PgWireFrontendMessage::Describe(PwDescribe::new(
                d.target.byte(),
                pw_name_of(d.name),
            )),
            FrontendMessage::Execute(e) => {
                PgWireFrontendMessage::Execute(PwExecute::new(pw_name_of(e.portal), e.max_rows))
            }
            FrontendMessage::Sync(_) => PgWireFrontendMessage::Sync(PwSync::new()),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The cases, visited once to count allocations and once to benchmark

/// What is done with each (case, library) pair.
trait Visit {
    /// `decode` reads one copy of `input` and returns its checksum.
    fn decode(
        &mut self,
        case: &str,
        lib: &str,
        input: &[u8],
        decode: impl Fn(&mut BytesMut) -> u64,
    );
    /// `encode` appends the case's message(s), which must come out as `expected`.
    fn encode(&mut self, case: &str, lib: &str, expected: &[u8], encode: impl FnMut(&mut BytesMut));
}

/// A copy of `input` in a `BytesMut` whose storage is already shared, as a connection's read
/// buffer is after its first split; made outside every measurement.
fn read_buffer(input: &[u8]) -> BytesMut {
    let mut buf = BytesMut::from(input);
    drop(buf.split_to(0));
    buf
}

fn data_row<V: Visit>(v: &mut V, fx: &Fixtures) {
    let bytes = &fx.data_row;
    v.decode("data_row", PGPROTO, bytes, pgproto_decode_data_row);
    v.decode("data_row", POSTGRES_PROTOCOL, bytes, pp_decode_data_row);
    v.decode("data_row", PGWIRE, bytes, pw_decode_data_row);
    let row = DataRow::new(&DATA_ROW_COLUMNS);
    v.encode("data_row", PGPROTO, bytes, |out| {
        pgproto_encode(black_box(&row), out);
    });
    // postgres-protocol has no encoder for backend messages.
    v.encode("data_row", PGWIRE, bytes, pw_data_row_encoder());
}

fn bind<V: Visit>(v: &mut V, fx: &Fixtures) {
    let bytes = &fx.bind;
    // postgres-protocol has no decoder for frontend messages.
    v.decode("bind", PGPROTO, bytes, pgproto_decode_frontend);
    v.decode("bind", PGWIRE, bytes, pw_decode_frontend);
    v.encode("bind", PGPROTO, bytes, |out| {
        pgproto_encode(black_box(&BIND), out);
    });
    v.encode("bind", POSTGRES_PROTOCOL, bytes, pp_bind_encoder());
    let msg = pw_bind_of(&BIND);
    v.encode("bind", PGWIRE, bytes, |out| {
        black_box(&msg).encode(out).expect("encodes");
    });
}

fn row_description<V: Visit>(v: &mut V, fx: &Fixtures) {
    let bytes = &fx.row_description;
    let case = "row_description";
    v.decode(case, PGPROTO, bytes, pgproto_decode_row_description);
    v.decode(case, POSTGRES_PROTOCOL, bytes, pp_decode_row_description);
    v.decode(case, PGWIRE, bytes, pw_decode_row_description);
    let rd = RowDescription::new(&ROW_FIELDS);
    v.encode(case, PGPROTO, bytes, |out| {
        pgproto_encode(black_box(&rd), out);
    });
    // postgres-protocol has no encoder for backend messages.
    let msg = pw_row_description();
    v.encode(case, PGWIRE, bytes, |out| {
        black_box(&msg).encode(out).expect("encodes");
    });
}

fn error_response<V: Visit>(v: &mut V, fx: &Fixtures) {
    let bytes = &fx.error_response;
    let case = "error_response";
    v.decode(case, PGPROTO, bytes, pgproto_decode_error_response);
    v.decode(case, POSTGRES_PROTOCOL, bytes, pp_decode_error_response);
    v.decode(case, PGWIRE, bytes, pw_decode_error_response);
    let e = ErrorResponse::new(&ERROR_FIELDS);
    v.encode(case, PGPROTO, bytes, |out| {
        pgproto_encode(black_box(&e), out);
    });
    // postgres-protocol has no encoder for backend messages.
    let msg = pw_error_response();
    v.encode(case, PGWIRE, bytes, |out| {
        black_box(&msg).encode(out).expect("encodes");
    });
}

fn pgbench_batch<V: Visit>(v: &mut V, fx: &Fixtures) {
    let bytes = &fx.pgbench_batch;
    let case = "pgbench_extended";
    // postgres-protocol has no decoder for frontend messages.
    v.decode(case, PGPROTO, bytes, pgproto_decode_frontend);
    v.decode(case, PGWIRE, bytes, pw_decode_frontend);
    v.encode(case, PGPROTO, bytes, |out| {
        for m in black_box(&PGBENCH_BATCH) {
            pgproto_encode(m, out);
        }
    });
    v.encode(case, POSTGRES_PROTOCOL, bytes, pp_pgbench_encoder());
    let msgs = pw_pgbench_batch();
    v.encode(case, PGWIRE, bytes, |out| {
        for m in black_box(&msgs) {
            m.encode(out).expect("encodes");
        }
    });
}

fn all_cases<V: Visit>(v: &mut V, fx: &Fixtures) {
    data_row(v, fx);
    bind(v, fx);
    row_description(v, fx);
    error_response(v, fx);
    pgbench_batch(v, fx);
}

// ---------------------------------------------------------------------------------------------
// Allocation count

/// Counts allocations per call, checks every library against pgproto's results, and prints.
#[derive(Default)]
struct AllocationReport {
    /// (case, "decode" or "encode", library, allocations per call).
    rows: Vec<(String, &'static str, String, f64)>,
    /// pgproto's checksum per case, which every other decoder must reproduce.
    checksums: Vec<(String, u64)>,
}

impl AllocationReport {
    fn record(&mut self, case: &str, op: &'static str, lib: &str, total: usize) {
        if lib == PGPROTO {
            assert_eq!(
                total, 0,
                "pgproto allocated {total} times in {COUNT_CALLS} {case} {op}s"
            );
        }
        let per_call = f64::from(u32::try_from(total).expect("counted")) / f64::from(COUNT_CALLS);
        self.rows
            .push((case.to_owned(), op, lib.to_owned(), per_call));
    }

    fn print(&self) {
        println!("Allocations per call ({COUNT_CALLS} calls each; input copies are made outside the count)");
        println!(
            "{:<18} {:<7} {:>9} {:>18} {:>9}",
            "case", "op", LIBRARIES[0], LIBRARIES[1], LIBRARIES[2]
        );
        let mut keys: Vec<(&str, &str)> = Vec::new();
        for (case, op, _, _) in &self.rows {
            if !keys.contains(&(case.as_str(), op)) {
                keys.push((case, op));
            }
        }
        for (case, op) in keys {
            let cell = |lib: &str| {
                self.rows
                    .iter()
                    .find(|r| r.0 == case && r.1 == op && r.2 == lib)
                    .map_or_else(|| "n/a".to_owned(), |r| format!("{:.2}", r.3))
            };
            println!(
                "{case:<18} {op:<7} {:>9} {:>18} {:>9}",
                cell(LIBRARIES[0]),
                cell(LIBRARIES[1]),
                cell(LIBRARIES[2])
            );
        }
        println!();
    }
}

impl Visit for AllocationReport {
    fn decode(
        &mut self,
        case: &str,
        lib: &str,
        input: &[u8],
        decode: impl Fn(&mut BytesMut) -> u64,
    ) {
        let mut total = 0;
        let mut checksum = 0;
        for _ in 0..COUNT_CALLS {
            let mut buf = read_buffer(input);
            let before = allocations();
            checksum = black_box(decode(black_box(&mut buf)));
            total += allocations() - before;
        }
        if let Some(&(_, expected)) = self.checksums.iter().find(|(c, _)| c == case) {
            assert_eq!(
                checksum, expected,
                "{lib} decodes {case} differently from pgproto"
            );
        } else {
            assert_eq!(lib, PGPROTO, "pgproto is visited first");
            self.checksums.push((case.to_owned(), checksum));
        }
        self.record(case, "decode", lib, total);
    }

    fn encode(
        &mut self,
        case: &str,
        lib: &str,
        expected: &[u8],
        mut encode: impl FnMut(&mut BytesMut),
    ) {
        let mut out = BytesMut::with_capacity(OUT_CAPACITY);
        let mut total = 0;
        for _ in 0..COUNT_CALLS {
            out.clear();
            let before = allocations();
            encode(black_box(&mut out));
            total += allocations() - before;
        }
        assert_eq!(
            &out[..],
            expected,
            "{lib} encodes {case} differently from pgproto"
        );
        self.record(case, "encode", lib, total);
    }
}

// ---------------------------------------------------------------------------------------------
// Criterion

struct Bench<'c> {
    c: &'c mut Criterion,
}

impl Visit for Bench<'_> {
    fn decode(
        &mut self,
        case: &str,
        lib: &str,
        input: &[u8],
        decode: impl Fn(&mut BytesMut) -> u64,
    ) {
        let mut group = self.c.benchmark_group(format!("{case}/decode"));
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(lib, |b| {
            b.iter_batched_ref(
                || read_buffer(input),
                |buf| decode(buf),
                BatchSize::NumIterations(DECODE_BATCH),
            );
        });
        group.finish();
    }

    fn encode(
        &mut self,
        case: &str,
        lib: &str,
        expected: &[u8],
        mut encode: impl FnMut(&mut BytesMut),
    ) {
        let mut group = self.c.benchmark_group(format!("{case}/encode"));
        group.throughput(Throughput::Bytes(expected.len() as u64));
        let mut out = BytesMut::with_capacity(OUT_CAPACITY);
        group.bench_function(lib, |b| {
            b.iter(|| {
                out.clear();
                encode(&mut out);
                black_box(&out);
            });
        });
        group.finish();
    }
}

fn main() {
    let fixtures = Fixtures::new();
    let mut report = AllocationReport::default();
    all_cases(&mut report, &fixtures);
    report.print();

    let mut c = Criterion::default().configure_from_args();
    all_cases(&mut Bench { c: &mut c }, &fixtures);
    c.final_summary();
}
