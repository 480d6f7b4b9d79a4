//! Real-client scenarios written once and run against the example servers of every binding:
//! the scenarios are this crate's tests; here are the servers they start and what they share.
#![allow(clippy::missing_panics_doc)] // test support: a panic is how it fails the test

#[path = "../../../core/tests/support/pg15.rs"]
pub mod pg15;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A binding's example servers.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The binding's name.
    pub name: &'static str,
    /// Its `greeting` example.
    pub greeting: &'static str,
    /// Its `select1` example.
    pub select1: &'static str,
    /// Its `lab` example (`pgproto_demo::Lab`).
    pub lab: &'static str,
}

/// Every binding.
pub const BINDINGS: &[Binding] = &[
    Binding {
        name: "tokio",
        greeting: "greeting",
        select1: "select1",
        lab: "lab",
    },
    Binding {
        name: "smol",
        greeting: "greeting_smol",
        select1: "select1_smol",
        lab: "lab_smol",
    },
    Binding {
        name: "async-std",
        greeting: "greeting_async_std",
        select1: "select1_async_std",
        lab: "lab_async_std",
    },
    Binding {
        name: "glommio",
        greeting: "greeting_glommio",
        select1: "select1_glommio",
        lab: "lab_glommio",
    },
    Binding {
        name: "monoio",
        greeting: "greeting_monoio",
        select1: "select1_monoio",
        lab: "lab_monoio",
    },
];

/// The lab's user and password.
pub const USER: &str = "alice";
/// The lab user's password.
pub const PASSWORD: &str = "secret";

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// An example binary built next to the running test (by `cargo build --examples`, which the
/// test command runs first).
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --examples` first (scripts/test.sh does)",
        path.display()
    );
    path
}

/// A server process started for a test; killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    /// Its TCP port on 127.0.0.1.
    pub port: u16,
}

impl Server {
    /// Starts example `name` on a free port with `args`; waits for its `listening on` line.
    pub fn start(name: &str, args: &[&str]) -> Self {
        Self::start_under(&[], name, args)
    }

    /// As [`Server::start`], run by `wrapper` (a program and its arguments, the example's
    /// command line after them), such as strace.
    pub fn start_under(wrapper: &[&str], name: &str, args: &[&str]) -> Self {
        let mut command = match wrapper.split_first() {
            Some((program, wrapper_args)) => {
                let mut c = Command::new(program);
                c.args(wrapper_args).arg(example(name));
                c
            }
            None => Command::new(example(name)),
        };
        let mut child = command
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        // The rest of the server's output goes with the test's (shown when it fails).
        let name_owned = name.to_owned();
        std::thread::spawn(move || {
            for l in stderr.lines().map_while(Result::ok) {
                eprintln!("[{name_owned}] {l}");
            }
        });
        let port = line
            .trim()
            .strip_prefix("listening on 127.0.0.1:")
            .unwrap_or_else(|| panic!("{name}: unexpected first line {line:?}"))
            .parse()
            .unwrap();
        Self {
            child: Some(child),
            port,
        }
    }

    /// The lab of `binding` with user alice/secret, SCRAM unless `args` say otherwise, two
    /// workers and a short shutdown grace.
    pub fn lab(binding: &Binding, args: &[&str]) -> Self {
        let mut all = vec![
            "--user",
            USER,
            "--password",
            PASSWORD,
            "--auth",
            "scram",
            "--workers",
            "2",
            "--shutdown-grace",
            "0.3",
        ];
        all.extend_from_slice(args);
        Self::start(binding.lab, &all)
    }

    /// Sends SIGTERM and waits: the server must exit cleanly.
    pub fn stop(self) {
        self.stop_pid(None);
    }

    /// As [`Server::stop`] for a server started by a wrapper that exits with its status (as
    /// strace does): the signal goes to the wrapper's child.
    pub fn stop_wrapped(self) {
        let wrapper = self.child.as_ref().unwrap().id();
        let children = std::fs::read_to_string(format!("/proc/{wrapper}/task/{wrapper}/children"))
            .expect("the wrapper's children");
        let server = children
            .split_whitespace()
            .next()
            .expect("a child")
            .parse()
            .unwrap();
        self.stop_pid(Some(server));
    }

    fn stop_pid(mut self, pid: Option<u32>) {
        let mut child = self.child.take().unwrap();
        let pid = pid.unwrap_or(child.id()).to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let status = child.wait().unwrap();
        assert!(status.success(), "stops cleanly on SIGTERM: {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A self-signed certificate and key (PEM) made with openssl, in a fresh directory.
pub fn certificate() -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "pgproto-compat-cert-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let (crt, key) = (dir.join("server.crt"), dir.join("server.key"));
    pg15::certificate(&crt, &key);
    (crt, key)
}
