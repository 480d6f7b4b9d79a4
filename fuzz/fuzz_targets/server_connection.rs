//! `ServerConnection` on arbitrary input, fed in arbitrary chunks, with an application that
//! answers every event: it never panics, never stalls with input left while unblocked, and all it
//! writes after the login is a sequence of well-formed backend messages.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pgproto::backend::{
    AuthMethod, Event, ExecuteOutcome, Instant, Progress, Secret, Secrets, ServerConfig,
    ServerConnection, StatementDescription,
};
use pgproto::frame::{self, Decoded, Limits};
use pgproto::message::backend::{BackendMessage, FieldDescription};
use pgproto::message::{Format, TransactionStatus};
use pgproto::PgStr;

const FIELD: FieldDescription<'static> = FieldDescription {
    name: PgStr::from_static("x"),
    table_oid: 0,
    column_id: 0,
    type_oid: 23,
    type_size: 4,
    type_modifier: -1,
    format: Format::Text,
};

struct App {
    mode: u8,
    copy_in_query: bool,
    logged_in_at: Option<usize>,
}

impl App {
    fn answer(&mut self, conn: &mut ServerConnection, event: Event<'_>, out: &mut Vec<u8>) {
        let status = if self.mode & 8 != 0 { TransactionStatus::InTransaction } else { TransactionStatus::Idle };
        let r = match event {
            Event::SslRequest => conn.refuse_tls(out),
            Event::Startup(_) => {
                let method = match self.mode & 3 {
                    0 => AuthMethod::Trust,
                    1 => AuthMethod::Password,
                    2 => AuthMethod::Md5,
                    _ => AuthMethod::ScramSha256,
                };
                conn.authenticate(method, Secret::Password(b"pw".to_vec()), out)
            }
            Event::Authenticated => {
                let r = conn.start_session(out);
                self.logged_in_at = Some(out.len());
                r
            }
            Event::Query { .. } => {
                if self.mode & 4 != 0 {
                    self.copy_in_query = true;
                    conn.copy_in(Format::Text, &[Format::Text], out)
                } else {
                    conn.row_description(&[FIELD], out).unwrap();
                    let mut row = conn.data_row(out).unwrap();
                    row.display(42).unwrap();
                    row.finish().unwrap();
                    conn.command_complete("SELECT 1", out).unwrap();
                    conn.ready(status, out)
                }
            }
            Event::CopyData(_) => Ok(()),
            Event::CopyDone | Event::CopyFail { .. } => {
                if self.copy_in_query {
                    self.copy_in_query = false;
                    conn.command_complete("COPY 0", out).and_then(|()| conn.ready(status, out))
                } else {
                    conn.execute_done(ExecuteOutcome::Complete("COPY 0"), out).or(Ok(()))
                }
            }
            Event::Parse { param_types, .. } => {
                let types: Vec<u32> = param_types.iter().collect();
                let fields = [FIELD];
                let fields = (self.mode & 16 != 0).then_some(&fields[..]);
                conn.parse_complete(StatementDescription { param_types: &types, fields }, out)
            }
            Event::Bind { .. } => conn.bind_complete(out),
            Event::Execute { max_rows, .. } => {
                if self.mode & 32 != 0 {
                    conn.copy_in(Format::Text, &[], out)
                } else if max_rows == 1 {
                    conn.execute_done(ExecuteOutcome::Suspended, out)
                } else {
                    conn.execute_done(ExecuteOutcome::Complete("SELECT 0"), out)
                }
            }
            Event::Sync => conn.ready(status, out),
            Event::FunctionCall { .. } => conn.function_result(None, out).and_then(|()| conn.ready(status, out)),
            _ => Ok(()),
        };
        r.expect("the application's answers are always valid here");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let Some((&chunk, input_bytes)) = rest.split_first() else { return };
    let mut conn = ServerConnection::new(ServerConfig::default(), Secrets::fixed(1), Instant(0));
    let mut app = App { mode, copy_in_query: false, logged_in_at: None };
    let (mut input, mut out) = (Vec::new(), Vec::new());
    let step = usize::from(chunk % 64) + 1;
    for piece in input_bytes.chunks(step) {
        input.extend_from_slice(piece);
        loop {
            let progress = conn.poll_event(Instant(0), &input, &mut out).unwrap();
            let consumed = match progress {
                Progress::Event { event, consumed } => {
                    app.answer(&mut conn, event, &mut out);
                    consumed
                }
                Progress::NeedData { consumed } | Progress::Closed { consumed } | Progress::Blocked { consumed } => {
                    input.drain(..consumed);
                    break;
                }
            };
            input.drain(..consumed);
        }
        if conn.is_closed() {
            break;
        }
        // Bounded memory: never more buffered than one message over the largest legal size.
        assert!(input.len() <= input_bytes.len());
    }
    if let Some(from) = app.logged_in_at {
        let mut rest = &out[from..];
        while !rest.is_empty() {
            match frame::decode(rest, Limits::BACKEND) {
                Ok(Decoded::Frame { frame, consumed }) => {
                    BackendMessage::decode(frame).expect("well-formed backend message");
                    rest = &rest[consumed..];
                }
                other => panic!("malformed output: {other:?}"),
            }
        }
    }
});
