//! Walks a `.pgcap` capture (see `tools/capture/README.md`) and decodes every frame in the order
//! the two peers sent them. Shared by the capture test and the `pgtrace` example.

use pgproto::frame::{self, Decoded, Limits};
use pgproto::message::backend::{Authentication, BackendMessage};
use pgproto::message::frontend::{FrontendMessage, PasswordKind};
use pgproto::message::StartupPacket;

/// One decoded unit of a conversation.
#[derive(Debug)]
pub enum Event<'a> {
    /// A startup-phase packet from the client.
    Startup(StartupPacket<'a>),
    /// A regular message from the client.
    Frontend(FrontendMessage<'a>),
    /// The server's one-byte answer to SSLRequest or GSSENCRequest.
    EncryptionAnswer(u8),
    /// A message from the server.
    Backend(BackendMessage<'a>),
}

/// What the frontend stream carries next.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Startup,
    EncryptionAnswer,
    Regular,
    Encrypted,
}

/// Calls `on(event, exact_bytes)` for every frame of the capture, in order.
pub fn replay(data: &[u8], mut on: impl FnMut(Event<'_>, &[u8])) -> Result<(), String> {
    let (mut fe, mut be) = (Vec::<u8>::new(), Vec::<u8>::new());
    let mut expect = Expect::Startup;
    let mut password = PasswordKind::Password;
    let mut rest = data;
    while !rest.is_empty() {
        let header = rest.get(..5).ok_or("truncated record header")?;
        let len = u32::from_be_bytes(header[1..5].try_into().unwrap()) as usize;
        let payload = rest.get(5..5 + len).ok_or("truncated record")?;
        rest = &rest[5 + len..];
        match header[0] {
            b'F' => fe.extend_from_slice(payload),
            b'B' => be.extend_from_slice(payload),
            other => return Err(format!("bad record direction {other}")),
        }
        // Backend first: its answers decide how the frontend stream reads.
        loop {
            match expect {
                Expect::Encrypted => {
                    be.clear();
                    break;
                }
                Expect::EncryptionAnswer => {
                    let Some(&answer) = be.first() else { break };
                    on(Event::EncryptionAnswer(answer), &be[..1]);
                    be.remove(0);
                    expect = match answer {
                        b'N' => Expect::Startup,
                        b'S' | b'G' => Expect::Encrypted,
                        other => return Err(format!("SSL/GSS answer {other}")),
                    };
                    continue;
                }
                Expect::Startup | Expect::Regular => {}
            }
            let (consumed, f) = match frame::decode(&be, Limits::BACKEND) {
                Ok(Decoded::Frame { frame, consumed }) => (consumed, frame),
                Ok(Decoded::NeedMore(_)) => break,
                Err(e) => return Err(format!("backend framing: {e}")),
            };
            let msg = BackendMessage::decode(f).map_err(|e| format!("backend {f:?}: {e}"))?;
            if let BackendMessage::Authentication(auth) = msg {
                password = match auth {
                    Authentication::Sasl { .. } => PasswordKind::SaslInitial,
                    Authentication::SaslContinue { .. } => PasswordKind::Sasl,
                    Authentication::Gss | Authentication::GssContinue { .. } => PasswordKind::Gss,
                    _ => PasswordKind::Password,
                };
            }
            on(Event::Backend(msg), &be[..consumed]);
            be.drain(..consumed);
        }
        loop {
            let consumed = match expect {
                Expect::Encrypted => {
                    fe.clear();
                    break;
                }
                Expect::EncryptionAnswer => break,
                Expect::Startup => {
                    let (consumed, body) = match frame::decode_startup(&fe) {
                        Ok(Decoded::Frame { frame, consumed }) => (consumed, frame),
                        Ok(Decoded::NeedMore(_)) => break,
                        Err(e) => return Err(format!("startup framing: {e}")),
                    };
                    let packet =
                        StartupPacket::decode(body).map_err(|e| format!("startup: {e}"))?;
                    expect = match packet {
                        StartupPacket::SslRequest | StartupPacket::GssEncRequest => {
                            Expect::EncryptionAnswer
                        }
                        StartupPacket::Startup(_) | StartupPacket::Cancel(_) => Expect::Regular,
                    };
                    on(Event::Startup(packet), &fe[..consumed]);
                    consumed
                }
                Expect::Regular => {
                    let (consumed, f) = match frame::decode(&fe, Limits::FRONTEND) {
                        Ok(Decoded::Frame { frame, consumed }) => (consumed, frame),
                        Ok(Decoded::NeedMore(_)) => break,
                        Err(e) => return Err(format!("frontend framing: {e}")),
                    };
                    let msg = FrontendMessage::decode(f, password)
                        .map_err(|e| format!("frontend {f:?}: {e}"))?;
                    on(Event::Frontend(msg), &fe[..consumed]);
                    consumed
                }
            };
            fe.drain(..consumed);
        }
    }
    if !fe.is_empty() || !be.is_empty() {
        return Err(format!(
            "{} frontend and {} backend bytes left undecoded",
            fe.len(),
            be.len()
        ));
    }
    Ok(())
}
