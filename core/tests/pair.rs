//! `ClientConnection` and `ServerConnection` (with the toy application) talking in memory: the
//! two halves agree, including what a real server cannot show here (protocol 3.2 with 32-byte
//! cancel keys, SCRAM-SHA-256-PLUS over a pretend TLS channel). The raw bytes handed out with
//! each client event are exactly the server's output, so a proxy can forward them.
#![allow(clippy::pedantic)] // test scaffolding: clarity over pedantry

mod support;

use pgproto::auth::scram::Verifier;
use pgproto::backend::{AuthMethod, Instant, Secret, Secrets, ServerConfig, ServerConnection};
use pgproto::frontend::{
    ChannelBinding, ClientConfig, ClientConnection, ClientError, ClientEvent, ClientProgress,
};
use pgproto::message::backend::BackendMessage;
use pgproto::message::{ProtocolVersion, TransactionStatus};
use support::toy::{drive, Toy};

struct Pair {
    client: ClientConnection<64>,
    server: ServerConnection,
    toy: Toy,
    to_server: Vec<u8>,
    to_client: Vec<u8>,
    /// Every raw slice the client handed out, concatenated.
    forwarded: Vec<u8>,
    /// Everything the server wrote.
    sent: Vec<u8>,
}

/// A summary of a client event: message type (or a word) and, for errors, the SQLSTATE.
fn summary(e: &ClientEvent<'_>) -> String {
    match e {
        ClientEvent::Response {
            message: BackendMessage::ErrorResponse(err),
            ..
        } => {
            format!("E{}", err.code().unwrap())
        }
        ClientEvent::Response { message, .. } => (message.tag() as char).to_string(),
        ClientEvent::Skipped { .. } => "skip".into(),
        ClientEvent::Ready => "ready".into(),
        ClientEvent::Fatal(e) => format!("fatal{}", e.code().unwrap()),
        ClientEvent::Notification(_) => "A".into(),
        _ => String::new(),
    }
}

impl Pair {
    fn new(
        config: ClientConfig,
        auth: (AuthMethod, Secret),
        tls: Option<([u8; 32], [u8; 32])>,
    ) -> Self {
        let mut server =
            ServerConnection::new(ServerConfig::default(), Secrets::fixed(77), Instant(0));
        let mut client = ClientConnection::new(config, [3; 18]);
        let mut to_server = Vec::new();
        if let Some((server_cert, client_sees)) = tls {
            server.tls_established(Some(&server_cert)).unwrap();
            client
                .tls_established(Some(&client_sees), &mut to_server)
                .unwrap();
        } else {
            client.start(&mut to_server).unwrap();
        }
        let mut toy = Toy::new();
        toy.auth = auth;
        Pair {
            client,
            server,
            toy,
            to_server,
            to_client: Vec::new(),
            forwarded: Vec::new(),
            sent: Vec::new(),
        }
    }

    /// Runs both sides until neither has anything to do; returns the client's event summaries.
    fn run(&mut self) -> Result<Vec<String>, ClientError> {
        let mut events = Vec::new();
        loop {
            let before = (self.to_server.len(), self.to_client.len());
            let mut out = Vec::new();
            drive(
                &mut self.server,
                &mut self.toy,
                Instant(0),
                &mut self.to_server,
                &mut out,
            );
            self.sent.extend_from_slice(&out);
            self.to_client.extend_from_slice(&out);
            while let ClientProgress::Event {
                event,
                raw,
                consumed,
            } = self.client.poll(&self.to_client, &mut self.to_server)?
            {
                self.forwarded.extend_from_slice(raw);
                let s = summary(&event);
                if !s.is_empty() {
                    events.push(s);
                }
                self.to_client.drain(..consumed);
            }
            if (self.to_server.len(), self.to_client.len()) == before && out.is_empty() {
                return Ok(events);
            }
        }
    }
}

fn config(user: &str, password: Option<&str>) -> ClientConfig {
    let mut c = ClientConfig::new(user);
    c.password = password.map(|p| p.as_bytes().to_vec());
    c
}

fn verifier() -> Verifier {
    Verifier::from_password(b"pw", b"0123456789abcdef", 4096)
}

#[test]
fn login_with_every_method_on_protocol_3_2() {
    for auth in [
        (AuthMethod::Trust, Secret::None),
        (AuthMethod::Password, Secret::Password(b"pw".to_vec())),
        (AuthMethod::Md5, Secret::Password(b"pw".to_vec())),
        (AuthMethod::ScramSha256, Secret::Scram(verifier())),
    ] {
        let mut p = Pair::new(config("test", Some("pw")), auth, None);
        let events = p.run().unwrap();
        assert_eq!(
            events.last().map(String::as_str),
            Some("ready"),
            "{events:?}"
        );
        assert_eq!(
            p.client.protocol_version(),
            ProtocolVersion::V3_2,
            "no negotiation needed"
        );
        let mut cancel = Vec::new();
        p.client.cancel_request(&mut cancel).unwrap();
        assert_eq!(cancel.len(), 12 + 32, "3.2 carries a 32-byte key");
        assert_eq!(
            p.forwarded, p.sent,
            "raw slices are the server's exact bytes"
        );
    }
    let mut p = Pair::new(
        config("test", Some("nope")),
        (AuthMethod::ScramSha256, Secret::Scram(verifier())),
        None,
    );
    assert_eq!(
        p.run().unwrap().last().map(String::as_str),
        Some("fatal28P01")
    );
}

#[test]
fn scram_plus_binds_to_the_channel_and_require_is_enforced() {
    let cert = [0x5a; 32];
    let mut c = config("test", Some("pw"));
    c.channel_binding = ChannelBinding::Require;
    let mut p = Pair::new(
        c.clone(),
        (AuthMethod::ScramSha256, Secret::Scram(verifier())),
        Some((cert, cert)),
    );
    assert_eq!(p.run().unwrap().last().map(String::as_str), Some("ready"));
    assert!(p.client.used_channel_binding());
    // A man in the middle presents another certificate: the server refuses the binding.
    let mut p = Pair::new(
        c.clone(),
        (AuthMethod::ScramSha256, Secret::Scram(verifier())),
        Some((cert, [1; 32])),
    );
    assert_eq!(
        p.run().unwrap().last().map(String::as_str),
        Some("fatal08P01")
    );
    // channel_binding=require refuses a server that skips SCRAM.
    let mut p = Pair::new(c, (AuthMethod::Trust, Secret::None), Some((cert, cert)));
    assert!(matches!(p.run(), Err(ClientError::ChannelBindingRequired)));
}

#[test]
fn pipelined_batch_with_an_error_and_row_limits() {
    let mut p = Pair::new(
        config("test", None),
        (AuthMethod::Trust, Secret::None),
        None,
    );
    p.run().unwrap();
    let o = &mut p.to_server;
    let c = &mut p.client;
    c.parse("", "SELECT generate_series(1,3)", &[], o).unwrap();
    c.bind("", "", &[], &[], &[], o).unwrap();
    c.execute("", 2, o).unwrap();
    c.execute("", 2, o).unwrap();
    c.sync(o).unwrap();
    c.parse("", "SELECT 1/0", &[], o).unwrap();
    c.bind("", "", &[], &[], &[], o).unwrap();
    c.execute("", 0, o).unwrap();
    c.sync(o).unwrap();
    c.query("SELECT 1; SELECT 2", o).unwrap();
    let events = p.run().unwrap();
    assert_eq!(
        events.join(" "),
        "1 2 D D s D C Z 1 E22012 skip Z T D C T D C Z"
    );
    assert_eq!(p.client.in_flight(), 0);
    assert_eq!(p.client.transaction_status(), TransactionStatus::Idle);
    assert_eq!(p.forwarded, p.sent);
}

#[test]
fn copy_in_and_out() {
    let mut p = Pair::new(
        config("test", None),
        (AuthMethod::Trust, Secret::None),
        None,
    );
    p.run().unwrap();
    p.client
        .query("CREATE TEMP TABLE t(a int)", &mut p.to_server)
        .unwrap();
    p.client
        .query("COPY t FROM STDIN", &mut p.to_server)
        .unwrap();
    assert_eq!(p.run().unwrap().join(" "), "C Z G");
    p.client.copy_data(b"1\n2\n", &mut p.to_server).unwrap();
    p.client.copy_data(b"3\n", &mut p.to_server).unwrap();
    p.client.copy_done(&mut p.to_server).unwrap();
    p.client
        .query("COPY t TO STDOUT", &mut p.to_server)
        .unwrap();
    assert_eq!(p.run().unwrap().join(" "), "C Z H d d d c C Z");
}

#[test]
fn notifications_and_cancel_requests() {
    let mut p = Pair::new(
        config("test", None),
        (AuthMethod::Trust, Secret::None),
        None,
    );
    p.run().unwrap();
    p.client.query("LISTEN c", &mut p.to_server).unwrap();
    p.client.query("NOTIFY c, 'x'", &mut p.to_server).unwrap();
    assert_eq!(p.run().unwrap().join(" "), "C Z C A Z");

    // The CancelRequest the client writes reaches a new server connection as the right key.
    let mut cancel = Vec::new();
    p.client.cancel_request(&mut cancel).unwrap();
    let mut other = ServerConnection::new(ServerConfig::default(), Secrets::fixed(1), Instant(0));
    match other
        .poll_event(Instant(0), &cancel, &mut Vec::new())
        .unwrap()
    {
        pgproto::backend::Progress::Event {
            event: pgproto::backend::Event::CancelRequest { pid, key },
            ..
        } => {
            assert_eq!(pid, 77);
            assert_eq!(key.as_bytes(), &Secrets::fixed(77).cancel_key[..]);
        }
        other => panic!("{other:?}"),
    }
    assert!(other.is_closed());
}
