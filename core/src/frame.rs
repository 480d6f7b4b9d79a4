//! Framing: split a byte stream into frames, checking each length before its body is buffered.
//!
//! Regular messages have a 1-byte type and an Int32 length that counts itself. Startup-phase
//! packets (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest) have no type byte: an Int32
//! length, then an Int32 request code or protocol version.

use crate::error::DecodeError;
use crate::message::tag;

/// PostgreSQL's limit on a startup-phase packet body (`MAX_STARTUP_PACKET_LENGTH`).
pub const MAX_STARTUP_PACKET_LEN: u32 = 10_000;
/// PostgreSQL's limit on "small" frontend messages (`PQ_SMALL_MESSAGE_LIMIT`).
pub const SMALL_FRONTEND_MESSAGE_LEN: u32 = 10_000;
/// PostgreSQL's limit on an authentication response (`PG_MAX_AUTH_TOKEN_LENGTH`).
pub const MAX_AUTH_MESSAGE_LEN: u32 = 65_535;
/// libpq's bound on backend messages of types that are never long (its desync check).
pub const SMALL_BACKEND_MESSAGE_LEN: u32 = 30_000;
/// PostgreSQL's limit on long messages (`PQ_LARGE_MESSAGE_LIMIT`, 1 GiB − 1).
pub const MAX_MESSAGE_LEN: u32 = 0x3fff_ffff;

/// One regular message: its type byte and its body (the bytes after the length word).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The message type byte.
    pub tag: u8,
    /// The message body, excluding type byte and length word.
    pub body: &'a [u8],
}

/// The outcome of framing: a complete frame, or how many more bytes are needed at least.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded<T> {
    /// A complete frame, and the number of input bytes it used.
    Frame {
        /// The frame.
        frame: T,
        /// Bytes of input consumed by it, header included.
        consumed: usize,
    },
    /// The input holds only part of a frame; at least this many more bytes are needed.
    NeedMore(usize),
}

/// Which direction a stream flows, and so which message types exist and may be long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Frontend,
    Backend,
}

/// Per-type length limits applied from the header, before any body is buffered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    direction: Direction,
    max_message_len: u32,
}

impl Limits {
    /// Messages a server reads, limited as PostgreSQL limits them.
    pub const FRONTEND: Self = Self::frontend(MAX_MESSAGE_LEN);
    /// Messages a client reads, limited as libpq limits them.
    pub const BACKEND: Self = Self::backend(MAX_MESSAGE_LEN);

    /// Frontend messages; Query, Parse, Bind, FunctionCall and CopyData may be up to `max` bytes,
    /// authentication responses 65,535 and every other type 10,000, as in PostgreSQL. Unknown
    /// types are refused from their first byte, as PostgreSQL does.
    pub const fn frontend(max: u32) -> Self {
        Self {
            direction: Direction::Frontend,
            max_message_len: max,
        }
    }

    /// Backend messages; RowDescription, DataRow, CopyData, FunctionCallResponse, ErrorResponse,
    /// NoticeResponse and NotificationResponse may be up to `max` bytes, others 30,000.
    pub const fn backend(max: u32) -> Self {
        Self {
            direction: Direction::Backend,
            max_message_len: max,
        }
    }

    /// The largest body accepted for a message of type `tag`.
    pub fn limit_for(&self, t: u8) -> Result<u32, DecodeError> {
        let large = self.max_message_len;
        match self.direction {
            Direction::Frontend => match t {
                tag::QUERY | tag::PARSE | tag::BIND | tag::FUNCTION_CALL | tag::COPY_DATA => {
                    Ok(large)
                }
                tag::PASSWORD => Ok(MAX_AUTH_MESSAGE_LEN.min(large)),
                tag::CLOSE
                | tag::DESCRIBE
                | tag::EXECUTE
                | tag::FLUSH
                | tag::SYNC
                | tag::TERMINATE
                | tag::COPY_DONE
                | tag::COPY_FAIL => Ok(SMALL_FRONTEND_MESSAGE_LEN.min(large)),
                other => Err(DecodeError::UnknownMessageType(other)),
            },
            Direction::Backend => Ok(match t {
                tag::ROW_DESCRIPTION
                | tag::DATA_ROW
                | tag::COPY_DATA
                | tag::FUNCTION_CALL_RESPONSE
                | tag::ERROR_RESPONSE
                | tag::NOTICE_RESPONSE
                | tag::NOTIFICATION_RESPONSE => large,
                _ => SMALL_BACKEND_MESSAGE_LEN.min(large),
            }),
        }
    }
}

/// Reads one regular message frame from the front of `input`.
///
/// The type and length are checked as soon as the 5-byte header is there, so an oversized or
/// malformed length is refused before its body is ever buffered.
pub fn decode(input: &[u8], limits: Limits) -> Result<Decoded<Frame<'_>>, DecodeError> {
    let Some(&t) = input.first() else {
        return Ok(Decoded::NeedMore(5));
    };
    let limit = limits.limit_for(t)?;
    let Some(len) = read_i32(input, 1) else {
        return Ok(Decoded::NeedMore(5 - input.len()));
    };
    let body_len = body_len(len, 4, limit)?;
    let total = 5 + body_len;
    match input.get(5..total) {
        Some(body) => Ok(Decoded::Frame {
            frame: Frame { tag: t, body },
            consumed: total,
        }),
        None => Ok(Decoded::NeedMore(total - input.len())),
    }
}

/// Reads one startup-phase packet (no type byte) from the front of `input`; returns its body,
/// which starts with the request code or protocol version.
///
/// As in PostgreSQL the body must hold at least that code and at most 10,000 bytes.
pub fn decode_startup(input: &[u8]) -> Result<Decoded<&[u8]>, DecodeError> {
    let Some(len) = read_i32(input, 0) else {
        return Ok(Decoded::NeedMore(4 - input.len()));
    };
    let body_len = body_len(len, 8, MAX_STARTUP_PACKET_LEN)?;
    let total = 4 + body_len;
    match input.get(4..total) {
        Some(body) => Ok(Decoded::Frame {
            frame: body,
            consumed: total,
        }),
        None => Ok(Decoded::NeedMore(total - input.len())),
    }
}

fn read_i32(input: &[u8], at: usize) -> Option<i32> {
    let bytes = input.get(at..at + 4)?;
    bytes.try_into().ok().map(i32::from_be_bytes)
}

/// Body length from a length word that counts itself; `min` is the smallest valid length word.
fn body_len(len: i32, min: i32, limit: u32) -> Result<usize, DecodeError> {
    if len < min {
        return Err(DecodeError::LengthTooShort(len));
    }
    let body = (len - 4) as u32;
    if body > limit {
        return Err(DecodeError::TooLong { len: body, limit });
    }
    Ok(body as usize)
}
