//! SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677), as PostgreSQL speaks them.
//!
//! [`Verifier`] is PostgreSQL's stored secret, `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`
//! (what `pg_authid.rolpassword` holds). [`ServerExchange`] checks a client's messages against it;
//! [`ClientExchange`] is the client side. Nonces and salts are arguments: nothing here draws
//! randomness.

use core::fmt;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Mechanism name without channel binding.
pub const SCRAM_SHA_256: &str = "SCRAM-SHA-256";
/// Mechanism name with `tls-server-end-point` channel binding.
pub const SCRAM_SHA_256_PLUS: &str = "SCRAM-SHA-256-PLUS";
/// PostgreSQL's default iteration count (`scram_iterations`).
pub const DEFAULT_ITERATIONS: u32 = 4096;
/// Raw bytes of nonce PostgreSQL draws per exchange (base64-encoded on the wire).
pub const NONCE_RAW_LEN: usize = 18;
/// Salt length PostgreSQL uses for new verifiers.
pub const SALT_LEN: usize = 16;
/// The only channel-binding type PostgreSQL supports.
pub const CHANNEL_BINDING_TYPE: &str = "tls-server-end-point";

const KEY_LEN: usize = 32;
/// Longest salt a verifier may carry.
const MAX_SALT_LEN: usize = 64;

type Key = [u8; KEY_LEN];

fn hmac(key: &[u8], parts: &[&[u8]]) -> Key {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

fn sha256(data: &[u8]) -> Key {
    Sha256::digest(data).into()
}

/// SaltedPassword := Hi(Normalize(password), salt, i).
///
/// PostgreSQL normalizes with SASLprep; for ASCII passwords that is the identity, and where
/// SASLprep would fail PostgreSQL uses the raw bytes, as done here for every non-ASCII password.
fn salted_password(password: &[u8], salt: &[u8], iterations: u32) -> Key {
    let mut out = [0u8; KEY_LEN];
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out);
    out
}

/// A stored SCRAM-SHA-256 secret, in PostgreSQL's format.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    iterations: u32,
    salt: heapless::Vec<u8, MAX_SALT_LEN>,
    stored_key: Key,
    server_key: Key,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// Parses `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64 parts).
    pub fn parse(secret: &str) -> Option<Self> {
        let rest = secret.strip_prefix("SCRAM-SHA-256$")?;
        let (iter_salt, keys) = rest.split_once('$')?;
        let (iterations, salt) = iter_salt.split_once(':')?;
        let (stored, server) = keys.split_once(':')?;
        let iterations: u32 = iterations.parse().ok().filter(|&i| i > 0)?;
        let mut salt_buf = [0u8; MAX_SALT_LEN];
        let n = B64.decode_slice(salt, &mut salt_buf).ok()?;
        Some(Self {
            iterations,
            salt: heapless::Vec::from_slice(salt_buf.get(..n)?).ok()?,
            stored_key: decode_key(stored)?,
            server_key: decode_key(server)?,
        })
    }

    /// Builds the verifier PostgreSQL would store for `password` with this salt and iteration count.
    ///
    /// # Panics
    /// If `salt` is longer than 64 bytes.
    pub fn from_password(password: &[u8], salt: &[u8], iterations: u32) -> Self {
        let salted = salted_password(password, salt, iterations);
        let client_key = hmac(&salted, &[b"Client Key"]);
        Self {
            iterations,
            salt: heapless::Vec::from_slice(salt).expect("salt of at most 64 bytes"),
            stored_key: sha256(&client_key),
            server_key: hmac(&salted, &[b"Server Key"]),
        }
    }

    /// Whether `password` is the one this verifier was made from (for cleartext authentication).
    pub fn verify_password(&self, password: &[u8]) -> bool {
        let other = Self::from_password(password, &self.salt, self.iterations);
        bool::from(other.stored_key.ct_eq(&self.stored_key))
            & bool::from(other.server_key.ct_eq(&self.server_key))
    }

    /// The iteration count.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// The salt.
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }
}

/// Writes the verifier in PostgreSQL's stored format.
impl fmt::Display for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 96];
        write!(f, "SCRAM-SHA-256${}:", self.iterations)?;
        f.write_str(b64(&self.salt, &mut buf))?;
        f.write_str("$")?;
        f.write_str(b64(&self.stored_key, &mut buf))?;
        f.write_str(":")?;
        f.write_str(b64(&self.server_key, &mut buf))
    }
}

fn b64<'b>(data: &[u8], buf: &'b mut [u8; 96]) -> &'b str {
    let n = B64.encode_slice(data, buf).unwrap_or(0);
    core::str::from_utf8(&buf[..n]).unwrap_or_default()
}

fn decode_key(s: &str) -> Option<Key> {
    let mut out = [0u8; KEY_LEN + 2];
    let n = B64.decode_slice(s, &mut out).ok()?;
    (n == KEY_LEN).then(|| {
        let mut k = [0u8; KEY_LEN];
        k.copy_from_slice(&out[..KEY_LEN]);
        k
    })
}

/// Why a SCRAM exchange failed, with the SQLSTATE and wording PostgreSQL reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScramError {
    /// A message does not follow the SCRAM grammar; the detail says where.
    #[error("malformed SCRAM message")]
    Malformed(&'static str),
    /// The client asked for an authorization identity, which PostgreSQL does not support.
    #[error("client uses authorization identity, but it is not supported")]
    AuthzidUnsupported,
    /// The client requires a SCRAM extension (`m=`).
    #[error("client requires an unsupported SCRAM extension")]
    ExtensionUnsupported,
    /// The client names a channel-binding type other than `tls-server-end-point`.
    #[error("unsupported SCRAM channel-binding type")]
    UnsupportedChannelBinding,
    /// The client supports channel binding but believes the server does not, yet it does: a
    /// possible downgrade attack.
    #[error("SCRAM channel binding negotiation error")]
    ChannelBindingNegotiation,
    /// The channel-binding data in client-final-message does not match the TLS connection.
    #[error("SCRAM channel binding check failed")]
    ChannelBindingMismatch,
    /// The proof is wrong: wrong password, or no usable secret for the user.
    #[error("password authentication failed")]
    AuthenticationFailed,
    /// A message arrived when the exchange was not expecting it.
    #[error("SCRAM message out of order")]
    OutOfOrder,
}

impl ScramError {
    /// The SQLSTATE PostgreSQL reports for this failure.
    pub fn sqlstate(&self) -> &'static str {
        match self {
            Self::AuthzidUnsupported | Self::ExtensionUnsupported => "0A000",
            Self::AuthenticationFailed => "28P01",
            _ => "08P01",
        }
    }

    /// PostgreSQL's detail line, when it gives one.
    pub fn detail(&self) -> Option<&'static str> {
        match self {
            Self::Malformed(d) => Some(d),
            Self::ChannelBindingNegotiation => Some(
                "The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.",
            ),
            Self::ChannelBindingMismatch => {
                Some("SCRAM channel binding check failed.")
            }
            _ => None,
        }
    }
}

#[cfg(feature = "alloc")]
pub use exchange::{ClientExchange, ServerExchange};

#[cfg(feature = "alloc")]
mod exchange {
    use alloc::string::String;
    use alloc::vec::Vec;
    use core::fmt::Write as _;

    use super::{b64, hmac, salted_password, sha256, Key, ScramError, Verifier, B64, KEY_LEN};
    use base64::Engine as _;
    use subtle::ConstantTimeEq;

    /// How the client's gs2 header treats channel binding.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Cbind {
        /// `n`: the client does not support it.
        No,
        /// `y`: the client supports it but thinks the server does not.
        Unused,
        /// `p=tls-server-end-point`: in use.
        Used,
    }

    /// Reads `k=value` at the start of `s`; returns the value and what follows its comma.
    fn attr(s: &str, k: char) -> Result<(&str, &str), ScramError> {
        let mut chars = s.chars();
        if chars.next() != Some(k) || chars.next() != Some('=') {
            return Err(ScramError::Malformed(match k {
                'r' => "Expected attribute \"r\" but found something else.",
                'n' => "Expected attribute \"n\" but found something else.",
                'c' => "Expected attribute \"c\" but found something else.",
                'p' => "Expected attribute \"p\" but found something else.",
                _ => "Expected attribute but found something else.",
            }));
        }
        let body = &s[2..];
        Ok(match body.split_once(',') {
            Some((v, rest)) => (v, rest),
            None => (body, ""),
        })
    }

    enum ServerState {
        First,
        Final {
            client_first_bare: String,
            server_first: String,
            nonce: String,
            cbind: Cbind,
            gs2_header: String,
        },
        Done,
    }

    /// The server side of one SCRAM exchange.
    pub struct ServerExchange {
        verifier: Option<Verifier>,
        mock: Verifier,
        plus: bool,
        binding: Option<Vec<u8>>,
        server_nonce: String,
        state: ServerState,
    }

    impl ServerExchange {
        /// Starts an exchange.
        ///
        /// `verifier` is the user's secret; `None` runs a mock exchange that always fails at the
        /// end, so a client cannot tell a missing user from a wrong password. `plus` says the
        /// client chose SCRAM-SHA-256-PLUS; `binding` is the `tls-server-end-point` hash of the
        /// server certificate when the connection uses TLS (`None` without TLS). `nonce` is the
        /// server's raw random bytes.
        pub fn new(
            verifier: Option<Verifier>,
            plus: bool,
            binding: Option<&[u8]>,
            nonce: &[u8; super::NONCE_RAW_LEN],
        ) -> Self {
            Self {
                mock: Verifier::from_password(b"", nonce, 1),
                verifier,
                plus,
                binding: binding.map(<[u8]>::to_vec),
                server_nonce: B64.encode(nonce),
                state: ServerState::First,
            }
        }

        /// Uses a printable server nonce as is (for protocol test vectors).
        #[doc(hidden)]
        #[must_use]
        pub fn with_printable_nonce(mut self, nonce: &str) -> Self {
            self.server_nonce = nonce.into();
            self
        }

        fn secret(&self) -> &Verifier {
            self.verifier.as_ref().unwrap_or(&self.mock)
        }

        /// Takes client-first-message, returns server-first-message.
        pub fn client_first(&mut self, message: &[u8]) -> Result<String, ScramError> {
            if !matches!(self.state, ServerState::First) {
                return Err(ScramError::OutOfOrder);
            }
            let msg = core::str::from_utf8(message)
                .map_err(|_| ScramError::Malformed("Message is not valid UTF-8."))?;
            let (flag, rest) = msg.split_once(',').ok_or(ScramError::Malformed(
                "Comma expected, but found end of string.",
            ))?;
            let cbind = match flag {
                "n" | "y" if self.plus => {
                    return Err(ScramError::Malformed(
                        "The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.",
                    ))
                }
                "n" => Cbind::No,
                "y" if self.binding.is_some() => return Err(ScramError::ChannelBindingNegotiation),
                "y" => Cbind::Unused,
                p if p.starts_with("p=") => {
                    if !self.plus {
                        return Err(ScramError::Malformed(
                            "The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.",
                        ));
                    }
                    if &p[2..] != super::CHANNEL_BINDING_TYPE {
                        return Err(ScramError::UnsupportedChannelBinding);
                    }
                    Cbind::Used
                }
                _ => return Err(ScramError::Malformed("Unexpected channel-binding flag.")),
            };
            let (authzid, bare) = rest.split_once(',').ok_or(ScramError::Malformed(
                "Comma expected, but found end of string.",
            ))?;
            if !authzid.is_empty() {
                return Err(if authzid.starts_with("a=") {
                    ScramError::AuthzidUnsupported
                } else {
                    ScramError::Malformed("Unexpected attribute in client-first-message.")
                });
            }
            if bare.starts_with("m=") {
                return Err(ScramError::ExtensionUnsupported);
            }
            // The user name is ignored, as in PostgreSQL: the startup packet's user counts.
            let (_user, rest) = attr(bare, 'n')?;
            let (client_nonce, _extensions) = attr(rest, 'r')?;
            if client_nonce.is_empty()
                || !client_nonce
                    .bytes()
                    .all(|c| (0x21..=0x7e).contains(&c) && c != b',')
            {
                return Err(ScramError::Malformed("Could not parse the nonce."));
            }
            let gs2_len = msg.len() - bare.len();
            let nonce = alloc::format!("{client_nonce}{}", self.server_nonce);
            let secret = self.secret();
            let mut salt = [0u8; 96];
            let server_first = alloc::format!(
                "r={nonce},s={},i={}",
                b64(secret.salt(), &mut salt),
                secret.iterations()
            );
            self.state = ServerState::Final {
                client_first_bare: bare.into(),
                server_first: server_first.clone(),
                nonce,
                cbind,
                gs2_header: msg[..gs2_len].into(),
            };
            Ok(server_first)
        }

        /// Takes client-final-message; on a valid proof returns server-final-message.
        pub fn client_final(&mut self, message: &[u8]) -> Result<String, ScramError> {
            let ServerState::Final {
                client_first_bare,
                server_first,
                nonce,
                cbind,
                gs2_header,
            } = core::mem::replace(&mut self.state, ServerState::Done)
            else {
                return Err(ScramError::OutOfOrder);
            };
            let msg = core::str::from_utf8(message)
                .map_err(|_| ScramError::Malformed("Message is not valid UTF-8."))?;
            let (c, rest) = attr(msg, 'c')?;
            let c = B64
                .decode(c)
                .map_err(|_| ScramError::Malformed("Invalid channel binding data."))?;
            let mut expected = gs2_header.into_bytes();
            if cbind == Cbind::Used {
                expected.extend_from_slice(self.binding.as_deref().unwrap_or_default());
                if c != expected {
                    return Err(ScramError::ChannelBindingMismatch);
                }
            } else if c != expected {
                return Err(ScramError::Malformed(
                    "Unexpected SCRAM channel-binding attribute in client-final-message.",
                ));
            }
            let (r, mut rest) = attr(rest, 'r')?;
            if r != nonce {
                return Err(ScramError::Malformed("Nonce does not match."));
            }
            // Skip extensions up to the proof, which must come last.
            while !rest.starts_with("p=") {
                match rest.split_once(',') {
                    Some((_, more)) => rest = more,
                    None => {
                        return Err(ScramError::Malformed(
                            "Expected attribute \"p\" but found something else.",
                        ))
                    }
                }
            }
            let without_proof = &msg[..msg.len() - rest.len() - 1];
            let (proof, garbage) = attr(rest, 'p')?;
            if !garbage.is_empty() || msg.ends_with(',') {
                return Err(ScramError::Malformed(
                    "Garbage found at the end of client-final-message.",
                ));
            }
            let proof = B64
                .decode(proof)
                .ok()
                .filter(|p| p.len() == KEY_LEN)
                .ok_or(ScramError::Malformed(
                    "Malformed proof in client-final-message.",
                ))?;
            let auth_message = [
                client_first_bare.as_bytes(),
                b",",
                server_first.as_bytes(),
                b",",
                without_proof.as_bytes(),
            ];
            let secret = self.secret();
            let signature = hmac(&secret.stored_key, &auth_message);
            let mut client_key: Key = [0; KEY_LEN];
            for (k, (p, s)) in client_key.iter_mut().zip(proof.iter().zip(&signature)) {
                *k = p ^ s;
            }
            let ok = bool::from(sha256(&client_key).ct_eq(&secret.stored_key));
            if !ok || self.verifier.is_none() {
                return Err(ScramError::AuthenticationFailed);
            }
            let server_signature = hmac(&secret.server_key, &auth_message);
            let mut out = String::from("v=");
            let mut buf = [0u8; 96];
            out.push_str(b64(&server_signature, &mut buf));
            Ok(out)
        }
    }

    /// The client side of one SCRAM exchange.
    pub struct ClientExchange {
        password: Vec<u8>,
        gs2_header: String,
        binding: Option<Vec<u8>>,
        client_nonce: String,
        client_first_bare: String,
        server_signature: Option<Key>,
    }

    impl ClientExchange {
        /// Starts an exchange. `binding` is the server certificate's `tls-server-end-point` hash
        /// when the client chose SCRAM-SHA-256-PLUS; `tls` says the connection is encrypted (a
        /// client able to bind that did not is then `y`); `nonce` is the client's raw random bytes.
        pub fn new(password: &[u8], binding: Option<&[u8]>, tls: bool, nonce: &[u8]) -> Self {
            let gs2_header = match binding {
                Some(_) => alloc::format!("p={},,", super::CHANNEL_BINDING_TYPE),
                None if tls => "y,,".into(),
                None => "n,,".into(),
            };
            Self::with_printable_nonce(password, binding, gs2_header, &B64.encode(nonce))
        }

        fn with_printable_nonce(
            password: &[u8],
            binding: Option<&[u8]>,
            gs2_header: String,
            nonce: &str,
        ) -> Self {
            Self {
                password: password.to_vec(),
                gs2_header,
                binding: binding.map(<[u8]>::to_vec),
                client_nonce: nonce.into(),
                client_first_bare: alloc::format!("n=,r={nonce}"),
                server_signature: None,
            }
        }

        /// For protocol test vectors: a printable nonce and the user name in the message.
        #[doc(hidden)]
        pub fn for_test_vector(password: &[u8], user: &str, nonce: &str) -> Self {
            let mut me = Self::with_printable_nonce(password, None, "n,,".into(), nonce);
            me.client_first_bare = alloc::format!("n={user},r={nonce}");
            me
        }

        /// The mechanism this exchange uses.
        pub fn mechanism(&self) -> &'static str {
            if self.binding.is_some() {
                super::SCRAM_SHA_256_PLUS
            } else {
                super::SCRAM_SHA_256
            }
        }

        /// client-first-message.
        pub fn client_first(&self) -> String {
            alloc::format!("{}{}", self.gs2_header, self.client_first_bare)
        }

        /// Takes server-first-message, returns client-final-message.
        pub fn server_first(&mut self, message: &[u8]) -> Result<String, ScramError> {
            let msg = core::str::from_utf8(message)
                .map_err(|_| ScramError::Malformed("Message is not valid UTF-8."))?;
            let (nonce, rest) = attr(msg, 'r')?;
            if !nonce.starts_with(&self.client_nonce) || nonce.len() == self.client_nonce.len() {
                return Err(ScramError::Malformed("Nonce does not match."));
            }
            let (salt, rest) = attr(rest, 's')?;
            let (iterations, _) = attr(rest, 'i')?;
            let salt = B64
                .decode(salt)
                .map_err(|_| ScramError::Malformed("Invalid salt."))?;
            let iterations: u32 = iterations
                .parse()
                .ok()
                .filter(|&i| i > 0)
                .ok_or(ScramError::Malformed("Invalid iteration count."))?;
            let salted = salted_password(&self.password, &salt, iterations);
            let client_key = hmac(&salted, &[b"Client Key"]);
            let stored_key = sha256(&client_key);
            let server_key = hmac(&salted, &[b"Server Key"]);
            let mut cbind = self.gs2_header.clone().into_bytes();
            cbind.extend_from_slice(self.binding.as_deref().unwrap_or_default());
            let mut without_proof = String::from("c=");
            without_proof.push_str(&B64.encode(&cbind));
            let _ = write!(without_proof, ",r={nonce}");
            let auth_message = [
                self.client_first_bare.as_bytes(),
                b",",
                msg.as_bytes(),
                b",",
                without_proof.as_bytes(),
            ];
            let signature = hmac(&stored_key, &auth_message);
            let mut proof = client_key;
            for (p, s) in proof.iter_mut().zip(signature) {
                *p ^= s;
            }
            self.server_signature = Some(hmac(&server_key, &auth_message));
            let _ = write!(without_proof, ",p={}", B64.encode(proof));
            Ok(without_proof)
        }

        /// Takes server-final-message; succeeds only if it proves the server knew the secret.
        pub fn server_final(&self, message: &[u8]) -> Result<(), ScramError> {
            let msg = core::str::from_utf8(message)
                .map_err(|_| ScramError::Malformed("Message is not valid UTF-8."))?;
            // `e=…`: the server reports a failure instead of a signature.
            if msg.starts_with("e=") {
                return Err(ScramError::AuthenticationFailed);
            }
            let (v, _) = attr(msg, 'v')?;
            let v = B64
                .decode(v)
                .map_err(|_| ScramError::Malformed("Invalid server signature."))?;
            match self.server_signature {
                Some(expected) if bool::from(expected.as_slice().ct_eq(&v)) => Ok(()),
                _ => Err(ScramError::AuthenticationFailed),
            }
        }
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;
    use alloc::string::ToString;

    // RFC 7677, section 3.
    const CLIENT_NONCE: &str = "rOprNGfwEbeRWgbNEkqO";
    const SERVER_NONCE: &str = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    const CLIENT_FIRST: &str = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    const SERVER_FIRST: &str =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const CLIENT_FINAL: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    const SERVER_FINAL: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    fn rfc_verifier() -> Verifier {
        let salt = B64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        Verifier::from_password(b"pencil", &salt, 4096)
    }

    #[test]
    fn rfc7677_server() {
        let mut server = ServerExchange::new(Some(rfc_verifier()), false, None, &[0; 18])
            .with_printable_nonce(SERVER_NONCE);
        assert_eq!(
            server.client_first(CLIENT_FIRST.as_bytes()).unwrap(),
            SERVER_FIRST
        );
        assert_eq!(
            server.client_final(CLIENT_FINAL.as_bytes()).unwrap(),
            SERVER_FINAL
        );
    }

    #[test]
    fn rfc7677_client() {
        let mut client = ClientExchange::for_test_vector(b"pencil", "user", CLIENT_NONCE);
        assert_eq!(client.client_first(), CLIENT_FIRST);
        assert_eq!(
            client.server_first(SERVER_FIRST.as_bytes()).unwrap(),
            CLIENT_FINAL
        );
        client.server_final(SERVER_FINAL.as_bytes()).unwrap();
        assert_eq!(
            client.server_final(b"v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
            Err(ScramError::AuthenticationFailed)
        );
    }

    /// Runs a whole exchange; the first error either side reports.
    fn exchange(mut server: ServerExchange, mut client: ClientExchange) -> Result<(), ScramError> {
        let first = server.client_first(client.client_first().as_bytes())?;
        let fin = client.server_first(first.as_bytes())?;
        let last = server.client_final(fin.as_bytes())?;
        client.server_final(last.as_bytes())
    }

    #[test]
    fn wrong_password_and_mock_user_fail() {
        for verifier in [Some(rfc_verifier()), None] {
            let server = ServerExchange::new(verifier, false, None, &[7; 18]);
            let client = ClientExchange::new(b"wrong", None, false, &[1; 18]);
            assert_eq!(
                exchange(server, client),
                Err(ScramError::AuthenticationFailed)
            );
        }
        // No secret at all fails even with the "right" (empty) password.
        let server = ServerExchange::new(None, false, None, &[7; 18]);
        let client = ClientExchange::new(b"", None, false, &[1; 18]);
        assert_eq!(
            exchange(server, client),
            Err(ScramError::AuthenticationFailed)
        );
    }

    #[test]
    fn channel_binding_round_trip_and_downgrade() {
        let binding = [9u8; 32];
        let server = ServerExchange::new(Some(rfc_verifier()), true, Some(&binding), &[3; 18]);
        let client = ClientExchange::new(b"pencil", Some(&binding), true, &[4; 18]);
        assert_eq!(client.mechanism(), SCRAM_SHA_256_PLUS);
        exchange(server, client).unwrap();

        // Different TLS endpoint: the binding check fails.
        let server = ServerExchange::new(Some(rfc_verifier()), true, Some(&[8; 32]), &[3; 18]);
        let client = ClientExchange::new(b"pencil", Some(&binding), true, &[4; 18]);
        assert_eq!(
            exchange(server, client),
            Err(ScramError::ChannelBindingMismatch)
        );

        // A client that could bind but picked plain SCRAM over TLS ('y') is refused.
        let mut server = ServerExchange::new(Some(rfc_verifier()), false, Some(&binding), &[3; 18]);
        let client = ClientExchange::new(b"pencil", None, true, &[4; 18]);
        assert_eq!(
            server.client_first(client.client_first().as_bytes()),
            Err(ScramError::ChannelBindingNegotiation)
        );
    }

    #[test]
    fn verifier_text_round_trip() {
        let v = rfc_verifier();
        let text = v.to_string();
        assert!(text.starts_with("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"));
        assert_eq!(Verifier::parse(&text), Some(v.clone()));
        assert!(v.verify_password(b"pencil"));
        assert!(!v.verify_password(b"pencil2"));
        assert_eq!(Verifier::parse("SCRAM-SHA-256$0:AAAA$x:y"), None);
        assert_eq!(Verifier::parse("md5abc"), None);
    }

    #[test]
    fn malformed_messages_are_errors() {
        for bad in [
            &b""[..],
            b"x",
            b"n,",
            b"n,,",
            b"n,,n=u",
            b"n,,n=u,r=",
            b"q,,n=u,r=abc",
            b"\xff",
        ] {
            let mut server = ServerExchange::new(None, false, None, &[0; 18]);
            assert!(server.client_first(bad).is_err(), "{bad:?}");
        }
        let mut server = ServerExchange::new(None, false, None, &[0; 18]);
        assert_eq!(
            server.client_first(b"n,a=admin,n=u,r=abc"),
            Err(ScramError::AuthzidUnsupported)
        );
        assert_eq!(server.client_final(b"c=biws"), Err(ScramError::OutOfOrder));
    }
}
