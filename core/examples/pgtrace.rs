//! pgtrace: prints a captured PostgreSQL conversation message by message, decoded by pgproto.
//!
//! `cargo run -p pgproto --example pgtrace -- core/tests/captures/conn-0015.pgcap`
//! Captures are made by `tools/capture/make_captures.sh` (a recording relay in front of a server).

#[path = "../tests/support/capture.rs"]
mod capture;

use std::io::Write;

use capture::Event;

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: pgtrace FILE.pgcap...");
        std::process::exit(2);
    }
    for path in paths {
        let data = std::fs::read(&path).unwrap_or_else(|e| {
            eprintln!("pgtrace: {path}: {e}");
            std::process::exit(1);
        });
        println!("== {path}");
        let result = capture::replay(&data, |event, bytes| {
            let (arrow, what) = match event {
                Event::Startup(p) => ("F>", format!("{p:?}")),
                Event::Frontend(m) => ("F>", format!("{m:?}")),
                Event::EncryptionAnswer(a) => ("<B", format!("encryption answer '{}'", a as char)),
                Event::Backend(m) => ("<B", format!("{m:?}")),
            };
            let mut what = what;
            if what.chars().count() > 160 {
                what = what.chars().take(157).chain("...".chars()).collect();
            }
            // A closed pipe (`| head`) ends the trace quietly.
            if writeln!(
                std::io::stdout().lock(),
                "{arrow} {:>6}B  {what}",
                bytes.len()
            )
            .is_err()
            {
                std::process::exit(0);
            }
        });
        if let Err(e) = result {
            eprintln!("pgtrace: {path}: {e}");
            std::process::exit(1);
        }
    }
}
