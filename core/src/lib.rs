//! pgproto: the PostgreSQL frontend/backend protocol as a Sans-IO library.
//!
//! This crate is the core of pgproto: a codec for every message of protocol 3.0 and 3.2, in both
//! directions. It never does I/O, never allocates while decoding, and never panics on any input.
//!
//! * [`frame`] splits a byte stream into frames and checks lengths before any body is buffered.
//! * [`message`] decodes frames into borrowed, validated messages and encodes them again.
//! * [`WriteBuf`] is where encoders write: `Vec<u8>`, `BytesMut`, `heapless::Vec` or a `&mut [u8]`.
//!
//! ```
//! use pgproto::frame::{self, Decoded, Limits};
//! use pgproto::message::{Encode, FrontendMessage, PasswordKind, frontend::Query};
//! use pgproto::PgStr;
//!
//! let mut out = Vec::new();
//! Query::new(PgStr::from_static("SELECT 1")).encode(&mut out).unwrap();
//! let Decoded::Frame { frame, consumed } = frame::decode(&out, Limits::FRONTEND).unwrap() else {
//!     unreachable!()
//! };
//! assert_eq!(consumed, out.len());
//! let msg = FrontendMessage::decode(frame, PasswordKind::Password).unwrap();
//! assert!(matches!(msg, FrontendMessage::Query(q) if q.sql == "SELECT 1"));
//! ```
#![no_std]
#![forbid(unsafe_code)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod auth;
#[cfg(feature = "alloc")]
pub mod backend;
mod buf;
mod error;
pub mod frame;
#[cfg(feature = "alloc")]
pub mod frontend;
mod list;
pub mod message;
mod pgstr;
mod reader;
pub mod types;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

pub use buf::{BufferFull, SliceBuf, WriteBuf};
pub use error::{DecodeError, EncodeError};
pub use list::{List, ListIter};
pub use pgstr::{InteriorNul, PgStr};
