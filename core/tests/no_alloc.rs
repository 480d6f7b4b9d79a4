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

#[test]
fn fixed_size_types_without_an_allocator() {
    use pgproto::types::bytea;
    use pgproto::types::datetime::{Date, Interval, Time, TimeTz, Timestamp, TimestampTz};
    use pgproto::types::inet::Inet;
    use pgproto::types::money::Money;
    use pgproto::types::uuid::Uuid;
    use pgproto::types::Codec;

    /// Text in, text and binary out, binary back in: the same value, all on the stack.
    fn round_trip<T: Codec + PartialEq + core::fmt::Debug>(text: &str, expect_text: &str) {
        let value = T::decode_text(text).unwrap();
        let mut storage = [0u8; 64];
        let mut buf = SliceBuf::new(&mut storage);
        value.encode_text(&mut buf).unwrap();
        assert_eq!(buf.filled(), expect_text.as_bytes());
        let mut storage = [0u8; 64];
        let mut buf = SliceBuf::new(&mut storage);
        value.encode_binary(&mut buf).unwrap();
        assert_eq!(T::decode_binary(buf.filled()).unwrap(), value);
    }
    round_trip::<bool>(" yes ", "t");
    round_trip::<i32>("-2147483648", "-2147483648");
    round_trip::<i64>("9223372036854775807", "9223372036854775807");
    round_trip::<f64>("1e15", "1e+15");
    round_trip::<f32>("0.1", "0.1");
    round_trip::<Date>("2024-02-29", "2024-02-29");
    round_trip::<Time>("24:00:00", "24:00:00");
    round_trip::<TimeTz>("12:34:56.789+05:30", "12:34:56.789+05:30");
    round_trip::<Timestamp>("0001-12-31 23:59:59 BC", "0001-12-31 23:59:59 BC");
    round_trip::<TimestampTz>("2024-02-29 13:45:00+02", "2024-02-29 11:45:00+00");
    round_trip::<Interval>("1 year -2 days 03:04:05.5", "1 year -2 days +03:04:05.5");
    round_trip::<Uuid>(
        "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    );
    round_trip::<Inet>("2001:db8::1/64", "2001:db8::1/64");
    round_trip::<Money>("1234.5", "$1,234.50");

    // bytea decodes into a caller's buffer, and a value too big for it is an error, not a panic.
    let mut storage = [0u8; 4];
    let mut buf = SliceBuf::new(&mut storage);
    bytea::decode_text_into("\\x00ff10", &mut buf).unwrap();
    assert_eq!(buf.filled(), [0, 0xff, 0x10]);
    assert!(bytea::decode_text_into("\\x0011223344", &mut buf).is_err());
}
