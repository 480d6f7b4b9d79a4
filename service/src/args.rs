//! The command-line options every pgproto server takes (DESIGN.md's conventions): `--listen`,
//! `--unix-socket`, `--auth`, `--user`, `--password` (or `PGPROTO_PASSWORD`), `--tls-cert`,
//! `--tls-key`, `--max-connections`, the timeouts and `--shutdown-grace`. Parsed once here so
//! every binding and application agrees.

use std::path::PathBuf;
use std::time::Duration;

use pgproto::backend::{sqlstate, AuthMethod, Secret, ServerConfig, ServerError};

use crate::handler::{Credentials, Login};
use crate::tls::TlsAcceptor;

/// Options of a server, as given on its command line.
#[derive(Debug, Clone)]
pub struct ServerArgs {
    /// TCP addresses to listen on (`--listen HOST:PORT`, repeatable; default `127.0.0.1:5432`).
    pub listen: Vec<String>,
    /// Directories for Unix sockets named `.s.PGSQL.<port>` (`--unix-socket DIR`).
    pub unix_sockets: Vec<PathBuf>,
    /// Authentication method for everyone (`--auth`).
    pub auth: AuthMethod,
    /// The one user allowed to log in (`--user`); any user when absent.
    pub user: Option<String>,
    /// That user's password (`--password` or `PGPROTO_PASSWORD`).
    pub password: Option<String>,
    /// TLS certificate chain and key, PEM (`--tls-cert FILE --tls-key FILE`).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// `--max-connections N` (default 100).
    pub max_connections: usize,
    /// `--idle-session-timeout SECONDS` (default none).
    pub idle_session_timeout: Option<Duration>,
    /// `--idle-in-transaction-timeout SECONDS` (default none).
    pub idle_in_transaction_timeout: Option<Duration>,
    /// `--authentication-timeout SECONDS` (default 60, as PostgreSQL).
    pub authentication_timeout: Duration,
    /// `--shutdown-grace SECONDS`: how long sessions may finish after SIGINT/SIGTERM before
    /// they get 57P01 (default 5).
    pub shutdown_grace: Duration,
    /// `--workers N`: threads serving connections (default: one per CPU).
    pub workers: usize,
}

impl ServerArgs {
    /// The defaults, with `auth` as the default method.
    pub fn new(auth: AuthMethod) -> Self {
        Self {
            listen: Vec::new(),
            unix_sockets: Vec::new(),
            auth,
            user: None,
            password: std::env::var("PGPROTO_PASSWORD").ok(),
            tls: None,
            max_connections: 100,
            idle_session_timeout: None,
            idle_in_transaction_timeout: None,
            authentication_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(5),
            workers: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }

    /// Parses `args` (without the program name); `extra` gets the options it does not know,
    /// with their value (return false to refuse one).
    pub fn parse(
        auth: AuthMethod,
        args: impl IntoIterator<Item = String>,
        mut extra: impl FnMut(&str, &str) -> bool,
    ) -> Result<Self, String> {
        let mut a = Self::new(auth);
        let mut cert = None;
        let mut key = None;
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let (flag, inline) = match flag.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
                _ => (flag, None),
            };
            let Some(value) = inline.or_else(|| args.next()) else {
                return Err(format!("{flag} needs a value"));
            };
            let seconds = |v: &str| {
                v.parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .map(Duration::from_secs_f64)
                    .ok_or_else(|| format!("{flag}: not a number of seconds: {v}"))
            };
            let count = |v: &str| {
                v.parse::<usize>()
                    .map_err(|_| format!("{flag}: not a number: {v}"))
            };
            match flag.as_str() {
                "--listen" => a.listen.push(value),
                "--unix-socket" => a.unix_sockets.push(value.into()),
                "--auth" => {
                    a.auth = match value.as_str() {
                        "trust" => AuthMethod::Trust,
                        "password" => AuthMethod::Password,
                        "md5" => AuthMethod::Md5,
                        "scram" | "scram-sha-256" => AuthMethod::ScramSha256,
                        _ => {
                            return Err(format!(
                                "--auth: trust, password, md5 or scram, not {value}"
                            ))
                        }
                    }
                }
                "--user" => a.user = Some(value),
                "--password" => a.password = Some(value),
                "--tls-cert" => cert = Some(PathBuf::from(value)),
                "--tls-key" => key = Some(PathBuf::from(value)),
                "--max-connections" => a.max_connections = count(&value)?,
                "--workers" => a.workers = count(&value)?.max(1),
                "--idle-session-timeout" => a.idle_session_timeout = Some(seconds(&value)?),
                "--idle-in-transaction-timeout" => {
                    a.idle_in_transaction_timeout = Some(seconds(&value)?);
                }
                "--authentication-timeout" => a.authentication_timeout = seconds(&value)?,
                "--shutdown-grace" => a.shutdown_grace = seconds(&value)?,
                other => {
                    if !extra(other, &value) {
                        return Err(format!("unknown option {other}"));
                    }
                }
            }
        }
        a.tls = match (cert, key) {
            (Some(c), Some(k)) => Some((c, k)),
            (None, None) => None,
            _ => return Err("--tls-cert and --tls-key go together".into()),
        };
        if a.auth != AuthMethod::Trust && a.password.is_none() {
            return Err("--auth other than trust needs --password or PGPROTO_PASSWORD".into());
        }
        if a.listen.is_empty() && a.unix_sockets.is_empty() {
            a.listen.push("127.0.0.1:5432".into());
        }
        Ok(a)
    }

    /// The Unix socket files to create: `DIR/.s.PGSQL.PORT` for each `--unix-socket DIR`, with
    /// the port of the first `--listen` (5432 without one), as PostgreSQL names them.
    pub fn unix_socket_paths(&self) -> Vec<PathBuf> {
        let port = self
            .listen
            .first()
            .and_then(|a| a.rsplit_once(':'))
            .map_or("5432", |(_, p)| p);
        self.unix_sockets
            .iter()
            .map(|dir| dir.join(format!(".s.PGSQL.{port}")))
            .collect()
    }

    /// The connection settings these options imply.
    pub fn config(&self) -> ServerConfig {
        let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        ServerConfig {
            authentication_timeout_us: micros(self.authentication_timeout),
            idle_session_timeout_us: self.idle_session_timeout.map(micros),
            idle_in_transaction_session_timeout_us: self.idle_in_transaction_timeout.map(micros),
            ..ServerConfig::default()
        }
    }

    /// The TLS acceptor, if `--tls-cert`/`--tls-key` were given.
    pub fn tls_acceptor(&self) -> std::io::Result<Option<TlsAcceptor>> {
        self.tls
            .as_ref()
            .map(|(c, k)| TlsAcceptor::from_pem_files(c, k))
            .transpose()
    }

    /// How `login` must authenticate under these options: the configured user with the
    /// configured password; anyone else fails as PostgreSQL fails an unknown role.
    pub fn credentials(&self, login: &Login) -> Result<Credentials, ServerError> {
        let known = self.user.as_deref().is_none_or(|u| u == login.user);
        if self.auth == AuthMethod::Trust {
            return if known {
                Ok(Credentials::trust())
            } else {
                Err(ServerError::fatal(
                    sqlstate::INVALID_AUTHORIZATION_SPECIFICATION,
                    format!("role \"{}\" does not exist", login.user),
                ))
            };
        }
        let secret = match &self.password {
            Some(p) if known => Secret::Password(p.as_bytes().to_vec()),
            _ => Secret::None,
        };
        Ok(Credentials {
            method: self.auth,
            secret,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<ServerArgs, String> {
        ServerArgs::parse(
            AuthMethod::Trust,
            args.iter().map(|s| (*s).to_owned()),
            |_, _| false,
        )
    }

    #[test]
    fn flags_and_defaults() {
        let a = parse(&[]).unwrap();
        assert_eq!(a.listen, ["127.0.0.1:5432"]);
        assert_eq!(a.auth, AuthMethod::Trust);
        let a = parse(&[
            "--listen",
            "0.0.0.0:1",
            "--listen=127.0.0.1:2",
            "--auth",
            "scram",
            "--password",
            "pw",
            "--idle-session-timeout",
            "1.5",
        ])
        .unwrap();
        assert_eq!(a.listen, ["0.0.0.0:1", "127.0.0.1:2"]);
        assert_eq!(a.auth, AuthMethod::ScramSha256);
        assert_eq!(a.idle_session_timeout, Some(Duration::from_millis(1500)));
        assert_eq!(a.config().idle_session_timeout_us, Some(1_500_000));
        let a = parse(&["--unix-socket", "/run/pg", "--listen", "127.0.0.1:6000"]).unwrap();
        assert_eq!(
            a.unix_socket_paths(),
            [PathBuf::from("/run/pg/.s.PGSQL.6000")]
        );
        let a = parse(&["--unix-socket", "/run/pg"]).unwrap();
        assert!(
            a.listen.is_empty(),
            "a Unix socket alone listens on no TCP port"
        );
        assert_eq!(
            a.unix_socket_paths(),
            [PathBuf::from("/run/pg/.s.PGSQL.5432")]
        );
    }

    #[test]
    fn bad_flags_are_refused() {
        assert!(parse(&["--bogus", "1"])
            .unwrap_err()
            .contains("unknown option"));
        assert!(parse(&["--listen"]).unwrap_err().contains("needs a value"));
        assert!(parse(&["--tls-cert", "x"]).is_err());
        assert!(parse(&["--auth", "kerberos"]).is_err());
        assert!(parse(&["--max-connections", "many"]).is_err());
    }
}
