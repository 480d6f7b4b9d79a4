//! `ClientConnection` on arbitrary server bytes, fed in arbitrary chunks, with requests
//! pipelined as soon as it is ready: it never panics (errors are fine), and it never holds more
//! input than one frame needs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pgproto::frontend::{ClientConfig, ClientConnection, ClientEvent, ClientProgress};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let mut config = ClientConfig::new("fuzz");
    config.password = Some(b"pw".to_vec());
    if mode & 1 != 0 {
        config.ssl = pgproto::frontend::SslMode::Prefer;
    }
    let mut conn: ClientConnection<8> = ClientConnection::new(config, [1; 18]);
    let mut out = Vec::new();
    conn.start(&mut out).unwrap();
    let mut input = Vec::new();
    let step = usize::from(mode >> 2) + 1;
    'feed: for piece in rest.chunks(step) {
        input.extend_from_slice(piece);
        loop {
            match conn.poll(&input, &mut out) {
                Ok(ClientProgress::Event { event, raw, consumed }) => {
                    assert!(raw.len() <= consumed && consumed <= input.len());
                    if matches!(event, ClientEvent::Ready) {
                        let _ = conn.query("SELECT 1", &mut out);
                        let _ = conn.parse("", "SELECT $1", &[23], &mut out);
                        let _ = conn.bind("", "", &[], &[Some(b"1")], &[], &mut out);
                        let _ = conn.execute("", 1, &mut out);
                        let _ = conn.sync(&mut out);
                    }
                    input.drain(..consumed);
                }
                Ok(ClientProgress::NeedData { .. }) => break,
                Ok(ClientProgress::Closed { .. }) | Err(_) => break 'feed,
            }
        }
        out.clear();
    }
});
