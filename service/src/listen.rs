//! Listening sockets for a thread-per-core server, made with std and handed to each runtime:
//! every worker gets its own `SO_REUSEPORT` TCP listener per address (the kernel spreads the
//! connections, no hand-off between threads) and a clone of each Unix listener.

use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::os::unix::net::UnixListener;
use std::path::PathBuf;

use socket2::{Domain, Socket, Type};

/// Where to accept connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listen {
    /// A TCP address, `HOST:PORT` (port 0 picks a free one; the line printed says which).
    Tcp(String),
    /// A Unix socket at this path (PostgreSQL names it `DIR/.s.PGSQL.PORT`).
    Unix(PathBuf),
}

impl Listen {
    /// The listeners command-line options ask for: every `--listen`, then every
    /// `--unix-socket` directory's socket file.
    pub fn from_args(args: &crate::args::ServerArgs) -> Vec<Self> {
        (args.listen.iter().cloned().map(Self::Tcp))
            .chain(args.unix_socket_paths().into_iter().map(Self::Unix))
            .collect()
    }
}

/// One worker's listening sockets, non-blocking.
#[derive(Debug, Default)]
pub struct Listeners {
    /// Its own TCP listeners.
    pub tcp: Vec<TcpListener>,
    /// Clones of the Unix listeners.
    pub unix: Vec<UnixListener>,
}

/// A non-blocking TCP listener on `addr` that other workers can share the port with.
fn reuseport_listener(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// Binds every listener for `workers` workers, so that any failure shows before serving
/// starts; returns them and the addresses to announce (`listening on …`).
pub fn bind_all(listen: &[Listen], workers: usize) -> io::Result<(Vec<Listeners>, Vec<String>)> {
    let mut per_worker: Vec<Listeners> =
        (0..workers.max(1)).map(|_| Listeners::default()).collect();
    let mut announced = Vec::new();
    for l in listen {
        match l {
            Listen::Tcp(addr) => {
                let fail = |e: io::Error| {
                    io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}"))
                };
                let resolved = addr
                    .to_socket_addrs()
                    .map_err(fail)?
                    .next()
                    .ok_or_else(|| fail(io::ErrorKind::AddrNotAvailable.into()))?;
                let first = reuseport_listener(resolved).map_err(fail)?;
                let bound = first.local_addr()?;
                announced.push(bound.to_string());
                per_worker[0].tcp.push(first);
                for w in &mut per_worker[1..] {
                    w.tcp.push(reuseport_listener(bound).map_err(fail)?);
                }
            }
            Listen::Unix(path) => {
                let _ = std::fs::remove_file(path);
                let listener = UnixListener::bind(path).map_err(|e| {
                    io::Error::new(
                        e.kind(),
                        format!("cannot listen on {}: {e}", path.display()),
                    )
                })?;
                listener.set_nonblocking(true)?;
                announced.push(path.display().to_string());
                for w in &mut per_worker[1..] {
                    w.unix.push(listener.try_clone()?);
                }
                per_worker[0].unix.push(listener);
            }
        }
    }
    Ok((per_worker, announced))
}

/// Prints `listening on ADDRESS` to stderr for each address; a closed stderr is not an error
/// (the server keeps serving).
pub fn announce(addresses: &[String]) {
    use std::io::Write;
    let mut err = io::stderr().lock();
    for a in addresses {
        let _ = writeln!(err, "listening on {a}");
    }
}

/// Removes the Unix socket files of `listen` (at the end of a run).
pub fn remove_unix_sockets(listen: &[Listen]) {
    for l in listen {
        if let Listen::Unix(path) = l {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_worker_listens_on_the_same_port() {
        let (workers, announced) = bind_all(&[Listen::Tcp("127.0.0.1:0".into())], 3).unwrap();
        let ports: Vec<u16> = workers
            .iter()
            .map(|w| w.tcp[0].local_addr().unwrap().port())
            .collect();
        assert_eq!(ports.len(), 3);
        assert!(ports.iter().all(|p| *p == ports[0] && *p != 0));
        assert_eq!(announced, [format!("127.0.0.1:{}", ports[0])]);
        let err = bind_all(&[Listen::Tcp("203.0.113.1:1".into())], 1).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot listen on 203.0.113.1:1"),
            "{err}"
        );
    }
}
