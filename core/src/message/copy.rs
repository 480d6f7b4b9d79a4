//! CopyData and CopyDone: the COPY sub-protocol messages both sides send.

use super::{empty_messages, encode_via_message, tag, Message};
use crate::buf::WriteBuf;
use crate::error::{DecodeError, EncodeError};

/// CopyData (`d`, both directions): a chunk of COPY data stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyData<'a> {
    /// The bytes of the data stream.
    pub data: &'a [u8],
}

impl<'a> Message<'a> for CopyData<'a> {
    const TAG: u8 = tag::COPY_DATA;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        Ok(Self { data: body })
    }
    fn body_len(&self) -> usize {
        self.data.len()
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        Ok(buf.put_slice(self.data)?)
    }
}
encode_via_message!(CopyData<'_>);

empty_messages! {
    /// CopyDone (`c`, both directions): the COPY data stream is complete.
    CopyDone = tag::COPY_DONE;
}
