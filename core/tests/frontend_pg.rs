//! `ClientConnection` against a real PostgreSQL 15 (started by the test, see `support::pg15`),
//! through a small blocking std-socket driver: authentication methods, protocol negotiation,
//! simple and extended queries, pipelining with errors, row limits, COPY both ways,
//! notifications while idle, and cancel.
#![allow(clippy::pedantic)] // test scaffolding: clarity over pedantry

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use pgproto::frontend::{
    AuthKind, ChannelBinding, ClientConfig, ClientConnection, ClientError, ClientEvent,
    ClientProgress, RequestId, SslMode,
};
use pgproto::message::backend::BackendMessage;
use pgproto::message::{Format, ProtocolVersion};
use support::pg15::pg15;

/// An owned summary of an event, for assertions.
#[derive(Debug, Clone, PartialEq)]
enum Ev {
    Ready,
    Authenticated,
    Negotiated(u16),
    Notice(String),
    Notify(String, String),
    /// A response: request, message type, done, detail (SQLSTATE, tag, values, status).
    Resp(u64, char, bool, String),
    Skipped(u64),
    Fatal(String),
    Ssl(bool),
    Other,
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn owned(e: ClientEvent<'_>) -> Ev {
    match e {
        ClientEvent::Ready => Ev::Ready,
        ClientEvent::SslResponse { accepted } => Ev::Ssl(accepted),
        ClientEvent::Authenticated => Ev::Authenticated,
        ClientEvent::Negotiated { version, .. } => Ev::Negotiated(version.minor),
        ClientEvent::Notice(n) => Ev::Notice(s(n.code().unwrap().as_bytes())),
        ClientEvent::Notification(n) => {
            Ev::Notify(s(n.channel.as_bytes()), s(n.payload.as_bytes()))
        }
        ClientEvent::Skipped { request } => Ev::Skipped(request.0),
        ClientEvent::Fatal(e) => Ev::Fatal(s(e.code().unwrap().as_bytes())),
        ClientEvent::Response {
            request,
            message,
            done,
        } => {
            let detail = match &message {
                BackendMessage::ErrorResponse(e) => s(e.code().unwrap().as_bytes()),
                BackendMessage::CommandComplete(c) => s(c.tag.as_bytes()),
                BackendMessage::ReadyForQuery(z) => (z.status.byte() as char).to_string(),
                BackendMessage::DataRow(d) => d
                    .columns
                    .iter()
                    .map(|c| c.map_or("NULL".to_string(), s))
                    .collect::<Vec<_>>()
                    .join(","),
                BackendMessage::CopyData(d) => s(d.data),
                BackendMessage::FunctionCallResponse(v) => format!("{:?}", v.result),
                _ => String::new(),
            };
            Ev::Resp(request.0, message.tag() as char, done, detail)
        }
        _ => Ev::Other,
    }
}

/// A byte stream: TCP, or TLS over TCP.
trait Io: Read + Write {}
impl<T: Read + Write> Io for T {}

struct Client {
    stream: Box<dyn Io>,
    conn: ClientConnection<512>,
    input: Vec<u8>,
    out: Vec<u8>,
}

fn config(user: &str, password: Option<&str>) -> ClientConfig {
    let mut c = ClientConfig::new(user);
    c.database = Some("postgres".into());
    c.password = password.map(|p| p.as_bytes().to_vec());
    c
}

impl Client {
    /// Connects and logs in; returns the error or the FATAL SQLSTATE if login fails.
    fn connect(config: ClientConfig) -> Result<Client, String> {
        let tcp = TcpStream::connect(("127.0.0.1", pg15().port)).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut c = Client {
            stream: Box::new(tcp.try_clone().unwrap()),
            conn: ClientConnection::new(config, [9; 18]),
            input: Vec::new(),
            out: Vec::new(),
        };
        c.conn.start(&mut c.out).unwrap();
        loop {
            match c.next() {
                Ok(Ev::Ready) => return Ok(c),
                Ok(Ev::Ssl(true)) => {
                    // The handshake, then the certificate's tls-server-end-point hash.
                    let mut stream =
                        rustls::StreamOwned::new(tls::client(), tcp.try_clone().unwrap());
                    while stream.conn.is_handshaking() {
                        stream.conn.complete_io(&mut stream.sock).unwrap();
                    }
                    let cert = stream.conn.peer_certificates().unwrap()[0].clone();
                    let hash: [u8; 32] =
                        <sha2::Sha256 as sha2::Digest>::digest(cert.as_ref()).into();
                    c.stream = Box::new(stream);
                    c.conn.tls_established(Some(&hash), &mut c.out).unwrap();
                }
                Ok(Ev::Fatal(code)) => return Err(code),
                Ok(_) => {}
                Err(e) => return Err(format!("{e}")),
            }
        }
    }

    fn send(&mut self) {
        self.stream.write_all(&self.out).unwrap();
        self.out.clear();
    }

    /// The next event, reading as needed (and writing what the connection wrote, e.g. auth).
    fn next(&mut self) -> Result<Ev, ClientError> {
        loop {
            if !self.out.is_empty() {
                self.send();
            }
            match self.conn.poll(&self.input, &mut self.out)? {
                ClientProgress::Event {
                    event, consumed, ..
                } => {
                    let ev = owned(event);
                    self.input.drain(..consumed);
                    return Ok(ev);
                }
                ClientProgress::NeedData { .. } => {
                    let mut buf = [0u8; 65536];
                    let n = self.stream.read(&mut buf).expect("read from PostgreSQL");
                    assert!(n > 0, "PostgreSQL closed the connection");
                    self.input.extend_from_slice(&buf[..n]);
                }
                ClientProgress::Closed { .. } => panic!("connection closed"),
            }
        }
    }

    /// The events of request `r`, up to its end (its last message, or its skipping); events of
    /// earlier requests are passed over.
    fn until(&mut self, r: RequestId) -> Vec<Ev> {
        let mut evs = Vec::new();
        loop {
            let ev = self.next().unwrap();
            let (mine, end) = match ev {
                Ev::Resp(id, _, done, _) => (id == r.0, id == r.0 && done),
                Ev::Skipped(id) => (id == r.0, id == r.0),
                _ => (true, false),
            };
            if mine {
                evs.push(ev);
            }
            if end {
                return evs;
            }
        }
    }
}

fn kinds(evs: &[Ev]) -> String {
    evs.iter()
        .map(|e| match e {
            Ev::Resp(_, t, _, _) => *t,
            Ev::Skipped(_) => '-',
            Ev::Notice(_) => 'N',
            _ => '?',
        })
        .collect()
}

#[test]
fn authentication_methods() {
    for (user, pw) in [
        ("trust_user", None),
        ("md5_user", Some("md5-pw")),
        ("scram_user", Some("scram-pw")),
        ("clear_user", Some("clear-pw")),
    ] {
        let c = Client::connect(config(user, pw)).unwrap_or_else(|e| panic!("{user}: {e}"));
        assert!(c.conn.is_ready());
        assert_eq!(c.conn.parameter("session_authorization"), Some(user));
    }
    assert_eq!(
        Client::connect(config("scram_user", Some("wrong")))
            .err()
            .unwrap(),
        "28P01"
    );
    assert_eq!(
        Client::connect(config("md5_user", Some("wrong")))
            .err()
            .unwrap(),
        "28P01"
    );
    assert!(Client::connect(config("scram_user", None))
        .err()
        .unwrap()
        .contains("password required"));
    // require_auth: a server that skips authentication, or picks a weaker method, is refused.
    let mut c = config("trust_user", None);
    c.require_auth = Some(vec![AuthKind::ScramSha256]);
    assert!(Client::connect(c).err().unwrap().contains("require_auth"));
    let mut c = config("md5_user", Some("md5-pw"));
    c.require_auth = Some(vec![AuthKind::ScramSha256]);
    assert!(Client::connect(c).err().unwrap().contains("require_auth"));
    // channel_binding=require without TLS cannot be met.
    let mut c = config("scram_user", Some("scram-pw"));
    c.channel_binding = ChannelBinding::Require;
    assert!(Client::connect(c)
        .err()
        .unwrap()
        .contains("channel binding"));
}

#[test]
fn protocol_3_2_requested_3_0_negotiated() {
    let mut c = Client::connect(config("trust_user", None)).unwrap();
    assert_eq!(c.conn.protocol_version(), ProtocolVersion::V3_0);
    // PostgreSQL 15 sent a 4-byte cancel key for 3.0.
    c.conn.cancel_request(&mut c.out).unwrap();
    assert_eq!(c.out.len(), 16);
}

#[test]
fn simple_query_with_several_statements() {
    let mut c = Client::connect(config("trust_user", None)).unwrap();
    let r = c
        .conn
        .query(
            "SELECT 1; SELECT 'a', NULL; SELECT 1/0; SELECT 2",
            &mut c.out,
        )
        .unwrap();
    c.send();
    let evs = c.until(r);
    assert_eq!(kinds(&evs), "TDCTDCEZ");
    assert_eq!(evs[4], Ev::Resp(r.0, 'D', false, "a,NULL".into()));
    assert_eq!(evs[6], Ev::Resp(r.0, 'E', false, "22012".into()));
}

#[test]
fn extended_query_with_typed_parameters() {
    let mut c = Client::connect(config("trust_user", None)).unwrap();
    let o = &mut c.out;
    let p = c
        .conn
        .parse("s1", "SELECT $1::int4 + 1, $2::text || '!'", &[23, 25], o)
        .unwrap();
    let d = c.conn.describe_statement("s1", o).unwrap();
    let params: [Option<&[u8]>; 2] = [Some(&41i32.to_be_bytes()), Some(b"hi")];
    let b = c
        .conn
        .bind(
            "",
            "s1",
            &[Format::Binary, Format::Text],
            &params,
            &[Format::Text],
            o,
        )
        .unwrap();
    let e = c.conn.execute("", 0, o).unwrap();
    let y = c.conn.sync(o).unwrap();
    c.send();
    assert_eq!(kinds(&c.until(p)), "1");
    assert_eq!(kinds(&c.until(d)), "tT");
    assert_eq!(kinds(&c.until(b)), "2");
    assert_eq!(
        c.until(e),
        [
            Ev::Resp(e.0, 'D', false, "42,hi!".into()),
            Ev::Resp(e.0, 'C', true, "SELECT 1".into())
        ]
    );
    assert_eq!(c.until(y), [Ev::Resp(y.0, 'Z', true, "I".into())]);
}

#[test]
fn hundred_queries_pipelined_under_one_sync() {
    let mut c = Client::connect(config("trust_user", None)).unwrap();
    let parse = c
        .conn
        .parse("", "SELECT $1::int4 * 2", &[23], &mut c.out)
        .unwrap();
    let mut executes = Vec::new();
    for i in 0..100i32 {
        let v = i.to_string();
        let params: [Option<&[u8]>; 1] = [Some(v.as_bytes())];
        c.conn.bind("", "", &[], &params, &[], &mut c.out).unwrap();
        executes.push((i, c.conn.execute("", 0, &mut c.out).unwrap()));
    }
    let sync = c.conn.sync(&mut c.out).unwrap();
    assert_eq!(c.conn.in_flight(), 202);
    c.send(); // one write for the whole pipeline
    c.until(parse);
    for (i, e) in executes {
        let evs = c.until(e);
        assert_eq!(
            evs.last().unwrap(),
            &Ev::Resp(e.0, 'C', true, "SELECT 1".into())
        );
        assert!(
            evs.contains(&Ev::Resp(e.0, 'D', false, (i * 2).to_string())),
            "{evs:?}"
        );
    }
    assert_eq!(kinds(&c.until(sync)), "Z");
    assert_eq!(c.conn.in_flight(), 0);
}

#[test]
fn error_in_the_middle_of_a_pipeline_skips_until_sync() {
    let mut c = Client::connect(config("trust_user", None)).unwrap();
    let o = &mut c.out;
    c.conn.parse("", "SELECT 10 / $1::int4", &[23], o).unwrap();
    let mut ids = Vec::new();
    for v in ["5", "0", "2"] {
        let params: [Option<&[u8]>; 1] = [Some(v.as_bytes())];
        ids.push(c.conn.bind("", "", &[], &params, &[], o).unwrap());
        ids.push(c.conn.execute("", 0, o).unwrap());
    }
    let sync = c.conn.sync(o).unwrap();
    let after = c.conn.query("SELECT 'after'", o).unwrap();
    c.send();
    assert_eq!(kinds(&c.until(ids[1])), "DC");
    // PostgreSQL plans (and so folds 10 / 0) at Bind: the error answers the second Bind.
    assert_eq!(
        c.until(ids[2]),
        [Ev::Resp(ids[2].0, 'E', true, "22012".into())]
    );
    assert_eq!(c.until(ids[3]), [Ev::Skipped(ids[3].0)]);
    assert_eq!(c.until(ids[4]), [Ev::Skipped(ids[4].0)]);
    assert_eq!(c.until(ids[5]), [Ev::Skipped(ids[5].0)]);
    assert_eq!(kinds(&c.until(sync)), "Z");
    assert_eq!(kinds(&c.until(after)), "TDCZ");
}

#[test]
fn row_limited_execute_and_portal_suspended() {
    let mut c = Client::connect(config("trust_user", None)).unwrap();
    let o = &mut c.out;
    c.conn.query("BEGIN", o).unwrap();
    c.conn
        .parse("", "SELECT generate_series(1, 5)", &[], o)
        .unwrap();
    c.conn.bind("cur", "", &[], &[], &[], o).unwrap();
    let e1 = c.conn.execute("cur", 2, o).unwrap();
    let e2 = c.conn.execute("cur", 2, o).unwrap();
    let e3 = c.conn.execute("cur", 2, o).unwrap();
    let y = c.conn.sync(o).unwrap();
    c.send();
    assert_eq!(kinds(&c.until(e1)), "DDs");
    assert_eq!(kinds(&c.until(e2)), "DDs");
    assert_eq!(
        c.until(e3),
        [
            Ev::Resp(e3.0, 'D', false, "5".into()),
            Ev::Resp(e3.0, 'C', true, "SELECT 1".into())
        ]
    );
    assert_eq!(c.until(y), [Ev::Resp(y.0, 'Z', true, "T".into())]);
}

#[test]
fn copy_in_100000_rows_and_out_again() {
    let mut c = Client::connect(config("trust_user", None)).unwrap();
    let r = c
        .conn
        .query("CREATE TEMP TABLE t(a int, b text)", &mut c.out)
        .unwrap();
    c.send();
    c.until(r);
    let mut data = String::new();
    for i in 0..100_000 {
        data.push_str(&format!("{i}\trow {i}\n"));
    }
    let r = c.conn.query("COPY t FROM STDIN", &mut c.out).unwrap();
    c.send();
    assert_eq!(kinds(&[c.next().unwrap()]), "G");
    for chunk in data.as_bytes().chunks(60_000) {
        c.conn.copy_data(chunk, &mut c.out).unwrap();
        c.send();
    }
    c.conn.copy_done(&mut c.out).unwrap();
    c.send();
    let evs = c.until(r);
    assert!(
        evs.contains(&Ev::Resp(r.0, 'C', false, "COPY 100000".into())),
        "{evs:?}"
    );
    let r = c.conn.query("COPY t TO STDOUT", &mut c.out).unwrap();
    c.send();
    let mut back = String::new();
    for ev in c.until(r) {
        if let Ev::Resp(_, 'd', _, chunk) = ev {
            back.push_str(&chunk);
        }
    }
    assert_eq!(back, data);
}

#[test]
fn copy_fail_aborts_the_copy() {
    let mut c = Client::connect(config("trust_user", None)).unwrap();
    let r = c
        .conn
        .query("CREATE TEMP TABLE f(a int); COPY f FROM STDIN", &mut c.out)
        .unwrap();
    c.send();
    assert_eq!(kinds(&[c.next().unwrap(), c.next().unwrap()]), "CG");
    c.conn.copy_data(b"1\n", &mut c.out).unwrap();
    c.conn.copy_fail("changed my mind", &mut c.out).unwrap();
    c.send();
    let evs = c.until(r);
    assert!(
        evs.contains(&Ev::Resp(r.0, 'E', false, "57014".into())),
        "{evs:?}"
    );
}

#[test]
fn notification_arrives_while_idle() {
    let mut listener = Client::connect(config("trust_user", None)).unwrap();
    let r = listener
        .conn
        .query("LISTEN chan", &mut listener.out)
        .unwrap();
    listener.send();
    listener.until(r);
    let mut notifier = Client::connect(config("trust_user", None)).unwrap();
    let r = notifier
        .conn
        .query("NOTIFY chan, 'hello'", &mut notifier.out)
        .unwrap();
    notifier.send();
    notifier.until(r);
    // The listener sends nothing: the notification comes on its own.
    assert_eq!(
        listener.next().unwrap(),
        Ev::Notify("chan".into(), "hello".into())
    );
}

#[test]
fn cancel_stops_a_running_query_within_a_second() {
    let mut c = Client::connect(config("trust_user", None)).unwrap();
    let r = c.conn.query("SELECT pg_sleep(10)", &mut c.out).unwrap();
    c.send();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let mut cancel = Vec::new();
    c.conn.cancel_request(&mut cancel).unwrap();
    TcpStream::connect(("127.0.0.1", pg15().port))
        .unwrap()
        .write_all(&cancel)
        .unwrap();
    let evs = c.until(r);
    assert!(
        evs.contains(&Ev::Resp(r.0, 'E', false, "57014".into())),
        "{evs:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn function_call() {
    let mut c = Client::connect(config("trust_user", None)).unwrap();
    let args: [Option<&[u8]>; 1] = [Some(&(-42i32).to_be_bytes())];
    let r = c
        .conn
        .function_call(1397, &[Format::Binary], &args, Format::Binary, &mut c.out)
        .unwrap();
    c.send();
    let evs = c.until(r);
    assert_eq!(
        evs[0],
        Ev::Resp(
            r.0,
            'V',
            false,
            format!("{:?}", Some(&42i32.to_be_bytes()[..]))
        )
    );
}

/// A TLS client that accepts the test server's self-signed certificate: what matters here is
/// the channel binding, which SCRAM-SHA-256-PLUS checks end to end.
mod tls {
    use std::sync::Arc;

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::{ring, verify_tls12_signature, verify_tls13_signature, CryptoProvider};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};

    #[derive(Debug)]
    struct AcceptAny(Arc<CryptoProvider>);

    impl ServerCertVerifier for AcceptAny {
        fn verify_server_cert(
            &self,
            _: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }
        fn verify_tls12_signature(
            &self,
            m: &[u8],
            c: &CertificateDer<'_>,
            d: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
        }
        fn verify_tls13_signature(
            &self,
            m: &[u8],
            c: &CertificateDer<'_>,
            d: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
        }
        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }

    pub fn client() -> rustls::ClientConnection {
        let provider = Arc::new(ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
            .with_no_client_auth();
        rustls::ClientConnection::new(Arc::new(config), ServerName::try_from("localhost").unwrap())
            .unwrap()
    }
}

#[test]
fn tls_with_scram_sha_256_plus() {
    let mut c = config("scram_user", Some("scram-pw"));
    c.ssl = SslMode::Require;
    c.channel_binding = ChannelBinding::Require;
    let mut client = Client::connect(c.clone()).unwrap();
    assert!(
        client.conn.used_channel_binding(),
        "SCRAM-SHA-256-PLUS over TLS"
    );
    let r = client
        .conn
        .query(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &mut client.out,
        )
        .unwrap();
    client.send();
    assert!(client
        .until(r)
        .contains(&Ev::Resp(r.0, 'D', false, "t".into())));
    // Wrong password over TLS: 28P01 still.
    c.password = Some(b"wrong".to_vec());
    assert_eq!(Client::connect(c).err().unwrap(), "28P01");
    // Without channel binding the server refuses nothing, but require_auth can.
    let mut c = config("md5_user", Some("md5-pw"));
    c.ssl = SslMode::Require;
    c.channel_binding = ChannelBinding::Require;
    assert!(Client::connect(c)
        .err()
        .unwrap()
        .contains("channel binding"));
}
