//! The codec without an allocator: encode into `SliceBuf` and `heapless::Vec`, decode borrowed,
//! and write rows in place with `DataRowWriter`. Runs with `--no-default-features` too.

use pgproto::frame::{self, Decoded, Limits};
use pgproto::message::backend::{BackendMessage, DataRow, DataRowWriter, ReadyForQuery};
use pgproto::message::frontend::{Bind, FrontendMessage, PasswordKind};
use pgproto::message::{Encode, Format, TransactionStatus};
use pgproto::{BufferFull, EncodeError, List, PgStr, SliceBuf, WriteBuf};

fn decode_backend(bytes: &[u8]) -> (BackendMessage<'_>, usize) {
    match frame::decode(bytes, Limits::BACKEND).unwrap() {
        Decoded::Frame { frame, consumed } => (BackendMessage::decode(frame).unwrap(), consumed),
        Decoded::NeedMore(n) => panic!("need {n}"),
    }
}

#[test]
fn data_row_writer_encodes_in_place() {
    let mut storage = [0u8; 128];
    let mut buf = SliceBuf::new(&mut storage);
    let mut row = DataRowWriter::new(&mut buf).unwrap();
    row.value(b"abc").unwrap();
    row.null().unwrap();
    row.display(-12345i32).unwrap();
    row.column_with(|b| b.put_slice(b"in place")).unwrap();
    row.display(2.5f64).unwrap();
    assert_eq!(row.columns(), 5);
    row.finish().unwrap();
    let written = buf.filled();
    let (msg, consumed) = decode_backend(written);
    assert_eq!(consumed, written.len());
    let BackendMessage::DataRow(decoded) = msg else {
        panic!("not a DataRow: {msg:?}")
    };
    let expected: [Option<&[u8]>; 5] = [
        Some(b"abc"),
        None,
        Some(b"-12345"),
        Some(b"in place"),
        Some(b"2.5"),
    ];
    assert_eq!(decoded, DataRow::new(&expected));
    // The same row through the generic encoder is byte-identical.
    let mut again = [0u8; 128];
    let mut again_buf = SliceBuf::new(&mut again);
    DataRow::new(&expected).encode(&mut again_buf).unwrap();
    assert_eq!(again_buf.filled(), written);
}

#[test]
fn data_row_writer_rolls_back_when_dropped_or_full() {
    let mut buf: heapless::Vec<u8, 32> = heapless::Vec::new();
    ReadyForQuery {
        status: TransactionStatus::Idle,
    }
    .encode(&mut buf)
    .unwrap();
    let before = buf.len();
    {
        let mut row = DataRowWriter::new(&mut buf).unwrap();
        row.value(b"0123456789").unwrap();
        // Too big for what is left: an error, not a panic.
        assert_eq!(
            row.value(b"0123456789"),
            Err(EncodeError::BufferFull(BufferFull))
        );
    }
    assert_eq!(buf.len(), before, "a dropped row leaves nothing behind");
}

#[test]
fn encoding_into_a_full_buffer_writes_nothing() {
    let params: [Option<&[u8]>; 2] = [Some(b"1"), None];
    let bind = Bind {
        portal: PgStr::EMPTY,
        statement: PgStr::from_static("s1"),
        param_formats: List::new(&[Format::Binary]),
        params: List::new(&params),
        result_formats: List::empty(),
    };
    let need = bind.encoded_len();
    let mut small = [0u8; 64];
    let mut buf = SliceBuf::new(&mut small[..need - 1]);
    assert_eq!(
        bind.encode(&mut buf),
        Err(EncodeError::BufferFull(BufferFull))
    );
    assert_eq!(buf.written(), 0);
    let mut buf = SliceBuf::new(&mut small[..need]);
    bind.encode(&mut buf).unwrap();
    let Decoded::Frame { frame, .. } = frame::decode(buf.filled(), Limits::FRONTEND).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        FrontendMessage::decode(frame, PasswordKind::Password).unwrap(),
        FrontendMessage::Bind(bind)
    );
}
