//! Fixtures shared by the codec benchmarks: the messages every library encodes and decodes.
//!
//! The values are pgproto messages (borrowed, so they can be constants); the peers' benchmarks
//! build their own message types from the same values, and [`Fixtures`] holds the wire bytes,
//! encoded by pgproto, that every library decodes.

use pgproto::message::frontend::{self, Bind, Describe, Execute, FrontendMessage, Parse};
use pgproto::message::{
    DataRow, Encode, ErrorField, ErrorResponse, FieldCode, FieldDescription, Format,
    RowDescription, Target,
};
use pgproto::{List, PgStr};

/// A DataRow's ten columns: small text values of mixed kinds, one NULL.
pub const DATA_ROW_COLUMNS: [Option<&[u8]>; 10] = [
    Some(b"48213"),
    Some(b"alice"),
    Some(b"2024-03-14 09:26:53.589+00"),
    Some(b"t"),
    Some(b"-2757"),
    None,
    Some(b"3.14159"),
    Some(b"pending"),
    Some(b"7f3e9c1a-5b2d-4e8f-9a6c-1d0b2e3f4a5b"),
    Some(b"{1,2,3}"),
];

/// Bind's parameter formats, one per parameter: text and binary mixed.
pub const BIND_PARAM_FORMATS: [Format; 5] = [
    Format::Text,
    Format::Binary,
    Format::Text,
    Format::Binary,
    Format::Text,
];

/// Bind's five parameters: text `48213`, binary int4 3000, text, binary int8 300, NULL.
pub const BIND_PARAMS: [Option<&[u8]>; 5] = [
    Some(b"48213"),
    Some(&[0, 0, 0x0b, 0xb8]),
    Some(b"pgbench"),
    Some(&[0, 0, 0, 0, 0, 0, 0x01, 0x2c]),
    None,
];

/// Bind's result formats: one code, binary for every column.
pub const BIND_RESULT_FORMATS: [Format; 1] = [Format::Binary];

/// A Bind of five parameters to the named statement `S_1`, unnamed portal.
pub const BIND: Bind<'static> = Bind {
    portal: PgStr::EMPTY,
    statement: PgStr::from_static("S_1"),
    param_formats: List::new(&BIND_PARAM_FORMATS),
    params: List::new(&BIND_PARAMS),
    result_formats: List::new(&BIND_RESULT_FORMATS),
};

/// One RowDescription field in text format.
const fn field(
    name: &'static str,
    column_id: i16,
    type_oid: u32,
    type_size: i16,
    type_modifier: i32,
) -> FieldDescription<'static> {
    FieldDescription {
        name: PgStr::from_static(name),
        table_oid: 16_397,
        column_id,
        type_oid,
        type_size,
        type_modifier,
        format: Format::Text,
    }
}

/// A RowDescription's ten fields: int4, bpchar(84), timestamptz, bool, numeric(12,2) and more.
pub const ROW_FIELDS: [FieldDescription<'static>; 10] = [
    field("aid", 1, 23, 4, -1),
    field("bid", 2, 23, 4, -1),
    field("abalance", 3, 23, 4, -1),
    field("filler", 4, 1042, -1, 88),
    field("created_at", 5, 1184, 8, -1),
    field("active", 6, 16, 1, -1),
    field("amount", 7, 1700, -1, (12 << 16 | 2) + 4),
    field("ratio", 8, 701, 8, -1),
    field("external_id", 9, 2950, 16, -1),
    field("tags", 10, 1009, -1, -1),
];

/// An ErrorResponse with the fields a real unique violation carries (S V C M D H P F L R).
pub const ERROR_FIELDS: [ErrorField<'static>; 10] = [
    ErrorField::new(FieldCode::SEVERITY, PgStr::from_static("ERROR")),
    ErrorField::new(
        FieldCode::SEVERITY_NONLOCALIZED,
        PgStr::from_static("ERROR"),
    ),
    ErrorField::new(FieldCode::CODE, PgStr::from_static("23505")),
    ErrorField::new(
        FieldCode::MESSAGE,
        PgStr::from_static(
            "duplicate key value violates unique constraint \"pgbench_accounts_pkey\"",
        ),
    ),
    ErrorField::new(
        FieldCode::DETAIL,
        PgStr::from_static("Key (aid)=(48213) already exists."),
    ),
    ErrorField::new(
        FieldCode::HINT,
        PgStr::from_static("Use INSERT ... ON CONFLICT to skip or update the existing row."),
    ),
    ErrorField::new(FieldCode::POSITION, PgStr::from_static("13")),
    ErrorField::new(FieldCode::FILE, PgStr::from_static("nbtinsert.c")),
    ErrorField::new(FieldCode::LINE, PgStr::from_static("666")),
    ErrorField::new(FieldCode::ROUTINE, PgStr::from_static("_bt_check_unique")),
];

/// The query of pgbench's built-in select-only script, as `-M extended` sends it.
pub const PGBENCH_QUERY: &str = "SELECT abalance FROM pgbench_accounts WHERE aid = $1;";

/// The text value pgbench binds to `$1`.
pub const PGBENCH_AID: &[u8] = b"48213";

/// The single text parameter of the pgbench Bind.
const PGBENCH_PARAMS: [Option<&[u8]>; 1] = [Some(PGBENCH_AID)];

/// The single result format code (text) libpq always sends in Bind.
pub const PGBENCH_RESULT_FORMATS: [Format; 1] = [Format::Text];

/// One query of `pgbench -M extended`, as libpq's `PQsendQueryParams` sends it: Parse (no
/// parameter types), Bind (no parameter format codes, one text value, one result format),
/// Describe portal, Execute (no row limit), Sync; all unnamed.
pub const PGBENCH_BATCH: [FrontendMessage<'static>; 5] = [
    FrontendMessage::Parse(Parse {
        statement: PgStr::EMPTY,
        query: PgStr::from_static(PGBENCH_QUERY),
        param_types: List::empty(),
    }),
    FrontendMessage::Bind(Bind {
        portal: PgStr::EMPTY,
        statement: PgStr::EMPTY,
        param_formats: List::empty(),
        params: List::new(&PGBENCH_PARAMS),
        result_formats: List::new(&PGBENCH_RESULT_FORMATS),
    }),
    FrontendMessage::Describe(Describe {
        target: Target::Portal,
        name: PgStr::EMPTY,
    }),
    FrontendMessage::Execute(Execute {
        portal: PgStr::EMPTY,
        max_rows: 0,
    }),
    FrontendMessage::Sync(frontend::Sync),
];

/// The wire bytes of each benchmark case, encoded by pgproto.
#[derive(Debug, Clone)]
pub struct Fixtures {
    /// DataRow of [`DATA_ROW_COLUMNS`].
    pub data_row: Vec<u8>,
    /// [`BIND`].
    pub bind: Vec<u8>,
    /// RowDescription of [`ROW_FIELDS`].
    pub row_description: Vec<u8>,
    /// ErrorResponse of [`ERROR_FIELDS`].
    pub error_response: Vec<u8>,
    /// [`PGBENCH_BATCH`], five frames in one buffer.
    pub pgbench_batch: Vec<u8>,
}

impl Fixtures {
    /// Encodes every case.
    ///
    /// # Panics
    /// If pgproto refuses one of the constant messages (it does not).
    pub fn new() -> Self {
        Self {
            data_row: encode_all(&[DataRow::new(&DATA_ROW_COLUMNS)]),
            bind: encode_all(&[BIND]),
            row_description: encode_all(&[RowDescription::new(&ROW_FIELDS)]),
            error_response: encode_all(&[ErrorResponse::new(&ERROR_FIELDS)]),
            pgbench_batch: encode_all(&PGBENCH_BATCH),
        }
    }
}

impl Default for Fixtures {
    fn default() -> Self {
        Self::new()
    }
}

/// Encodes `messages` one after another into a new buffer.
fn encode_all<M: Encode>(messages: &[M]) -> Vec<u8> {
    let mut out = Vec::with_capacity(messages.iter().map(Encode::encoded_len).sum());
    for m in messages {
        m.encode(&mut out).expect("fixture messages are valid");
    }
    out
}

/// The column of pgbench's `SELECT abalance FROM pgbench_accounts WHERE aid = $1`.
pub const ABALANCE: FieldDescription<'static> = FieldDescription {
    name: PgStr::from_static("abalance"),
    table_oid: 16_397,
    column_id: 3,
    type_oid: 23,
    type_size: 4,
    type_modifier: -1,
    format: Format::Text,
};

// Counting allocator: each bench binary installs it with
// `#[global_allocator] static GLOBAL: CountingAlloc = CountingAlloc;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts every allocation (and reallocation) of the process, then lets `System` do it.
pub struct CountingAlloc;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards its arguments unchanged to `System`, so the memory returned and
// freed is exactly `System`'s and `System`'s guarantees carry over; the only addition is a
// relaxed increment of an atomic counter, which neither allocates nor touches that memory.
#[allow(
    unsafe_code,
    reason = "a global allocator is an unsafe impl; this one only forwards"
)]
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: `ptr` and `layout` came from this allocator, that is from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` and `layout` came from this allocator, that is from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Allocations (and reallocations) made by the process so far.
pub fn allocations() -> usize {
    ALLOCATIONS.load(Ordering::Relaxed)
}
