//! Rules of `ServerConnection` that the frame scripts cannot show: timeouts (time is an input),
//! bounded memory before authentication, flushing, and asynchronous messages while idle.

mod support;

use pgproto::backend::{Event, Instant, Progress, Secrets, ServerConfig, ServerConnection};
use pgproto::frame::{self, Decoded, Limits};
use pgproto::message::backend::BackendMessage;
use pgproto::message::frontend::Query;
use pgproto::message::{Encode, ProtocolVersion, StartupMessage, StartupParam};
use pgproto::{List, PgStr};
use support::toy::{drive, Toy};

const SECOND: u64 = 1_000_000;

fn startup() -> Vec<u8> {
    let params = [StartupParam {
        name: PgStr::from_static("user"),
        value: PgStr::from_static("test"),
    }];
    let mut out = Vec::new();
    StartupMessage {
        version: ProtocolVersion::V3_0,
        params: List::new(&params),
    }
    .encode(&mut out)
    .unwrap();
    out
}

fn query(sql: &str) -> Vec<u8> {
    let mut out = Vec::new();
    Query::new(PgStr::new(sql.as_bytes()).unwrap())
        .encode(&mut out)
        .unwrap();
    out
}

/// The SQLSTATEs of the errors in `out`.
fn codes(out: &[u8]) -> Vec<String> {
    let mut rest = out;
    let mut codes = Vec::new();
    while let Ok(Decoded::Frame { frame, consumed }) = frame::decode(rest, Limits::BACKEND) {
        if let Ok(BackendMessage::ErrorResponse(e)) = BackendMessage::decode(frame) {
            codes.push(e.code().unwrap().to_str().unwrap().to_string());
        }
        rest = &rest[consumed..];
    }
    codes
}

fn logged_in(config: ServerConfig) -> (ServerConnection, Toy) {
    let mut conn = ServerConnection::new(config, Secrets::fixed(1), Instant(0));
    let mut toy = Toy::new();
    let (mut input, mut out) = (startup(), Vec::new());
    drive(&mut conn, &mut toy, Instant(0), &mut input, &mut out);
    assert!(conn.is_authenticated());
    (conn, toy)
}

#[test]
fn authentication_timeout_closes_silently() {
    let mut conn = ServerConnection::new(ServerConfig::default(), Secrets::fixed(1), Instant(5));
    assert_eq!(conn.poll_timeout(), Some(Instant(5 + 60 * SECOND)));
    let mut out = Vec::new();
    conn.handle_timeout(Instant(4 + 60 * SECOND), &mut out)
        .unwrap();
    assert!(!conn.is_closed(), "not yet");
    conn.handle_timeout(Instant(5 + 60 * SECOND), &mut out)
        .unwrap();
    assert!(conn.is_closed());
    assert!(
        out.is_empty(),
        "PostgreSQL says nothing to a client that timed out authenticating"
    );
}

#[test]
fn idle_in_transaction_timeout_is_fatal_25p03() {
    let config = ServerConfig {
        idle_in_transaction_session_timeout_us: Some(2 * SECOND),
        ..ServerConfig::default()
    };
    let (mut conn, mut toy) = logged_in(config);
    let mut out = Vec::new();
    // Outside a transaction only the (disabled) idle-session timeout applies.
    drive(
        &mut conn,
        &mut toy,
        Instant(SECOND),
        &mut Vec::new(),
        &mut out,
    );
    assert_eq!(conn.poll_timeout(), None);
    drive(
        &mut conn,
        &mut toy,
        Instant(3 * SECOND),
        &mut query("BEGIN"),
        &mut out,
    );
    assert_eq!(conn.poll_timeout(), Some(Instant(5 * SECOND)));
    out.clear();
    conn.handle_timeout(Instant(5 * SECOND), &mut out).unwrap();
    assert_eq!(codes(&out), ["25P03"]);
    assert!(conn.is_closed());
    assert!(conn.take_flush());
}

#[test]
fn idle_session_timeout_is_fatal_57p05_and_activity_resets_it() {
    let config = ServerConfig {
        idle_session_timeout_us: Some(10 * SECOND),
        ..ServerConfig::default()
    };
    let (mut conn, mut toy) = logged_in(config);
    let mut out = Vec::new();
    // Idle since the greeting at time 0; polling again later does not restart the clock.
    drive(
        &mut conn,
        &mut toy,
        Instant(SECOND),
        &mut Vec::new(),
        &mut out,
    );
    assert_eq!(conn.poll_timeout(), Some(Instant(10 * SECOND)));
    drive(
        &mut conn,
        &mut toy,
        Instant(8 * SECOND),
        &mut query("SELECT 1"),
        &mut out,
    );
    assert_eq!(
        conn.poll_timeout(),
        Some(Instant(18 * SECOND)),
        "a query restarts the idle clock"
    );
    out.clear();
    conn.handle_timeout(Instant(18 * SECOND), &mut out).unwrap();
    assert_eq!(codes(&out), ["57P05"]);
}

#[test]
fn before_authentication_long_messages_are_refused_from_the_header() {
    // A password message claiming 10,001 bytes: refused before any of its body is read.
    let mut conn = ServerConnection::new(ServerConfig::default(), Secrets::fixed(1), Instant(0));
    let mut out = Vec::new();
    let input = startup();
    let Progress::Event {
        event: Event::Startup(_),
        ..
    } = conn.poll_event(Instant(0), &input, &mut out).unwrap()
    else {
        panic!()
    };
    conn.authenticate(
        pgproto::backend::AuthMethod::Password,
        pgproto::backend::Secret::None,
        &mut out,
    )
    .unwrap();
    let mut header = vec![b'p'];
    header.extend_from_slice(&10_005i32.to_be_bytes());
    let p = conn.poll_event(Instant(0), &header, &mut out).unwrap();
    assert!(matches!(p, Progress::Closed { .. }), "{p:?}");

    // A startup packet over 10,000 bytes likewise.
    let mut conn = ServerConnection::new(ServerConfig::default(), Secrets::fixed(1), Instant(0));
    let long = 20_000i32.to_be_bytes();
    let p = conn.poll_event(Instant(0), &long, &mut out).unwrap();
    assert!(matches!(p, Progress::Closed { .. }), "{p:?}");
}

#[test]
fn output_is_flushed_when_postgresql_would() {
    let (mut conn, mut toy) = logged_in(ServerConfig::default());
    assert!(conn.take_flush(), "the greeting ends with ReadyForQuery");
    assert!(!conn.take_flush(), "reading the flag clears it");
    let mut out = Vec::new();
    // Parse and Bind alone are buffered: no flush until Flush or Sync.
    let mut input = Vec::new();
    pgproto::message::frontend::Parse {
        statement: PgStr::EMPTY,
        query: PgStr::from_static("SELECT 1"),
        param_types: List::empty(),
    }
    .encode(&mut input)
    .unwrap();
    drive(&mut conn, &mut toy, Instant(0), &mut input, &mut out);
    assert!(!out.is_empty());
    assert!(!conn.take_flush(), "ParseComplete waits for Flush or Sync");
    pgproto::message::frontend::Flush
        .encode(&mut input)
        .unwrap();
    drive(&mut conn, &mut toy, Instant(0), &mut input, &mut out);
    assert!(conn.take_flush());
    // A notification while idle goes out at once.
    conn.notification(7, "chan", "hello", &mut out).unwrap();
    assert!(conn.take_flush());
}

/// Runs a SCRAM login through `ServerConnection` over a (pretend) TLS connection whose
/// certificate hash is `server_binding`; the client binds to `client_binding` if given.
fn scram_over_tls(client_binding: Option<&[u8]>, password: &[u8]) -> Vec<u8> {
    use pgproto::auth::scram::{ClientExchange, Verifier};
    use pgproto::backend::{AuthMethod, Secret};
    use pgproto::message::frontend::{SaslInitialResponse, SaslResponse};
    use pgproto::message::Authentication;

    let server_binding = [0xab; 32];
    let mut conn = ServerConnection::new(ServerConfig::default(), Secrets::fixed(1), Instant(0));
    conn.tls_established(Some(&server_binding)).unwrap();
    let mut out = Vec::new();
    let input = startup();
    let Progress::Event {
        event: Event::Startup(_),
        ..
    } = conn.poll_event(Instant(0), &input, &mut out).unwrap()
    else {
        panic!()
    };
    let verifier = Verifier::from_password(b"pencil", b"salt-salt-salt-s", 4096);
    conn.authenticate(AuthMethod::ScramSha256, Secret::Scram(verifier), &mut out)
        .unwrap();
    // The offer lists -PLUS first, over TLS.
    let Ok(Decoded::Frame { frame, consumed }) = frame::decode(&out, Limits::BACKEND) else {
        panic!()
    };
    let Ok(BackendMessage::Authentication(Authentication::Sasl { mechanisms })) =
        BackendMessage::decode(frame)
    else {
        panic!()
    };
    let names: Vec<_> = mechanisms
        .iter()
        .map(|m| m.to_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]);
    out.drain(..consumed);

    let mut client = ClientExchange::new(password, client_binding, true, &[4; 18]);
    let first = client.client_first();
    let mut msg = Vec::new();
    SaslInitialResponse {
        mechanism: PgStr::new(client.mechanism().as_bytes()).unwrap(),
        data: Some(first.as_bytes()),
    }
    .encode(&mut msg)
    .unwrap();
    conn.poll_event(Instant(0), &msg, &mut out).unwrap();
    if conn.is_closed() {
        return out;
    }
    let Ok(Decoded::Frame { frame, consumed }) = frame::decode(&out, Limits::BACKEND) else {
        panic!()
    };
    let Ok(BackendMessage::Authentication(Authentication::SaslContinue { data })) =
        BackendMessage::decode(frame)
    else {
        panic!()
    };
    let last = client.server_first(data).unwrap();
    out.drain(..consumed);
    msg.clear();
    SaslResponse {
        data: last.as_bytes(),
    }
    .encode(&mut msg)
    .unwrap();
    conn.poll_event(Instant(0), &msg, &mut out).unwrap();
    out
}

#[test]
fn scram_sha_256_plus_binds_to_the_tls_certificate() {
    let out = scram_over_tls(Some(&[0xab; 32]), b"pencil");
    let msgs: Vec<String> = {
        let mut rest = &out[..];
        let mut v = Vec::new();
        while let Ok(Decoded::Frame { frame, consumed }) = frame::decode(rest, Limits::BACKEND) {
            v.push(format!("{:?}", BackendMessage::decode(frame).unwrap()));
            rest = &rest[consumed..];
        }
        v
    };
    assert!(msgs[0].starts_with("Authentication(SaslFinal"), "{msgs:?}");
    assert_eq!(msgs[1], "Authentication(Ok)");
    // Another certificate (a man in the middle): the binding check fails.
    assert_eq!(
        codes(&scram_over_tls(Some(&[0xcd; 32]), b"pencil")),
        ["08P01"]
    );
    assert_eq!(
        codes(&scram_over_tls(Some(&[0xab; 32]), b"wrong")),
        ["28P01"]
    );
    // A client able to bind that chose plain SCRAM over TLS ('y'): refused as a downgrade.
    assert_eq!(codes(&scram_over_tls(None, b"pencil")), ["08P01"]);
}
