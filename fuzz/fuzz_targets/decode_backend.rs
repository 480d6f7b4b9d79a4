//! Backend decoding on arbitrary bytes: never panics, and whatever decodes re-encodes to the
//! exact bytes it came from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pgproto::frame::{self, Decoded, Limits};
use pgproto::message::{BackendMessage, Encode};

fuzz_target!(|data: &[u8]| {
    let mut input = data;
    let mut out = Vec::new();
    while let Ok(Decoded::Frame { frame, consumed }) = frame::decode(input, Limits::BACKEND) {
        if let Ok(msg) = BackendMessage::decode(frame) {
            out.clear();
            msg.encode(&mut out).unwrap();
            assert_eq!(out, input[..consumed]);
            assert_eq!(msg.encoded_len(), consumed);
            if let BackendMessage::DataRow(row) = msg {
                assert_eq!(row.columns.iter().count(), row.columns.len());
            }
        }
        input = &input[consumed..];
    }
});
