//! Every binding's lab server against a real driver, tokio-postgres: queries, binary
//! parameters, COPY, cancel, notifications, and the exact SQLSTATE a client sees for each
//! refusal, timeout and shutdown. Each scenario runs once per binding.
#![allow(clippy::naive_bytecount)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt, TryStreamExt};
use pgproto_compat::{Binding, Server, BINDINGS, PASSWORD, USER};
use tokio_postgres::{AsyncMessage, Client, NoTls};

type Connection = tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>;

fn conninfo(port: u16, extra: &str) -> String {
    format!("host=127.0.0.1 port={port} user={USER} password={PASSWORD} dbname=lab {extra}")
}

async fn connect(port: u16) -> Result<(Client, Connection), tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(&conninfo(port, ""), NoTls).await?;
    Ok((client, tokio::spawn(connection)))
}

fn code(e: &tokio_postgres::Error) -> String {
    e.as_db_error().map_or_else(
        || format!("no SQLSTATE: {e}"),
        |d| d.code().code().to_owned(),
    )
}

async fn pid(client: &Client) -> i32 {
    let rows = client
        .simple_query("SELECT pg_backend_pid()")
        .await
        .unwrap();
    match &rows[1] {
        tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).unwrap().parse().unwrap(),
        other => panic!("{other:?}"),
    }
}

/// Runs `scenario` against the lab of every binding, started with `args`.
async fn each<F, Fut>(args: &[&str], scenario: F)
where
    F: Fn(&'static Binding, u16) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for b in BINDINGS {
        let server = Server::lab(b, args);
        scenario(b, server.port).await;
        server.stop();
    }
}

#[tokio::test]
async fn simple_prepared_and_binary_parameters() {
    each(&[], |b, port| async move {
        let (client, _c) = connect(port).await.unwrap();
        let rows = client.simple_query("SELECT 1; SELECT 1").await.unwrap();
        assert_eq!(rows.len(), 6, "{}", b.name);
        let row = client
            .query_one("SELECT $1::int4, $2::int4", &[&5i32, &-7i32])
            .await
            .unwrap();
        assert_eq!((row.get::<_, i32>(0), row.get::<_, i32>(1)), (5, -7));
        let stmt = client.prepare("SELECT $1::int4").await.unwrap();
        for i in 0..200i32 {
            assert_eq!(
                client
                    .query_one(&stmt, &[&i])
                    .await
                    .unwrap()
                    .get::<_, i32>(0),
                i
            );
        }
        let none: Option<i32> = client
            .query_one("SELECT $1::int4", &[&None::<i32>])
            .await
            .unwrap()
            .get(0);
        assert_eq!(none, None, "{}", b.name);
    })
    .await;
}

#[tokio::test]
async fn copy_in_and_out() {
    each(&[], |b, port| async move {
        let (client, _c) = connect(port).await.unwrap();
        let mut sink = Box::pin(client.copy_in("COPY t FROM STDIN").await.unwrap());
        for i in 0..10_000 {
            sink.send(bytes::Bytes::from(format!("{i}\tsome text\n")))
                .await
                .unwrap();
        }
        assert_eq!(sink.as_mut().finish().await.unwrap(), 10_000, "{}", b.name);
        let out: Vec<_> = client
            .copy_out("COPY t TO STDOUT 50000")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let text: Vec<u8> = out.iter().flat_map(|b| b.iter().copied()).collect();
        assert_eq!(text.iter().filter(|c| **c == b'\n').count(), 50_000);
        assert!(text.ends_with(b"49999\n"), "{}", b.name);
        assert_eq!(client.simple_query("SELECT 1").await.unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn cancel_stops_the_running_query_with_57014() {
    each(&[], |b, port| async move {
        let (client, _c) = connect(port).await.unwrap();
        for extended in [false, true] {
            let token = client.cancel_token();
            let canceller = tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                token.cancel_query(NoTls).await.unwrap();
            });
            let started = std::time::Instant::now();
            let err = if extended {
                client.query("SELECT pg_sleep(10)", &[]).await.unwrap_err()
            } else {
                client
                    .simple_query("SELECT pg_sleep(10)")
                    .await
                    .unwrap_err()
            };
            assert_eq!(code(&err), "57014", "{}", b.name);
            assert_eq!(
                err.as_db_error().unwrap().message(),
                "canceling statement due to user request"
            );
            assert!(started.elapsed() < Duration::from_secs(5), "{}", b.name);
            canceller.await.unwrap();
        }
        let row = client.query_one("SELECT $1::int4", &[&3i32]).await.unwrap();
        assert_eq!(row.get::<_, i32>(0), 3, "{}: the session survives", b.name);
    })
    .await;
}

#[tokio::test]
async fn a_wrong_cancel_key_does_nothing() {
    each(&[], |b, port| async move {
        let (client, _c) = connect(port).await.unwrap();
        let pid = pid(&client).await;
        let mut wrong = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut packet = vec![0, 0, 0, 16, 4, 210, 22, 46];
        packet.extend_from_slice(&pid.to_be_bytes());
        packet.extend_from_slice(&[0, 0, 0, 0]);
        std::io::Write::write_all(&mut wrong, &packet).unwrap();
        drop(wrong);
        let rows = client.simple_query("SELECT pg_sleep(0.5)").await.unwrap();
        assert_eq!(rows.len(), 3, "{}: the query ran to completion", b.name);
    })
    .await;
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_28p01() {
    for auth in ["scram", "md5", "password"] {
        each(&["--auth", auth], |b, port| async move {
            let (client, _c) = connect(port).await.unwrap();
            client.simple_query("SELECT 1").await.unwrap();
            for (user, password) in [(USER, "wrong"), ("mallory", PASSWORD)] {
                let err = tokio_postgres::connect(
                    &format!("host=127.0.0.1 port={port} user={user} password={password}"),
                    NoTls,
                )
                .await
                .err()
                .unwrap();
                assert_eq!(code(&err), "28P01", "{} {auth} {user}", b.name);
                assert_eq!(
                    err.as_db_error().unwrap().message(),
                    format!("password authentication failed for user \"{user}\"")
                );
            }
        })
        .await;
    }
}

#[tokio::test]
async fn too_many_connections_get_53300() {
    each(&["--max-connections", "2"], |b, port| async move {
        let first = connect(port).await.unwrap();
        let second = connect(port).await.unwrap();
        let err = connect(port).await.err().unwrap();
        assert_eq!(code(&err), "53300", "{}", b.name);
        assert_eq!(
            err.as_db_error().unwrap().message(),
            "sorry, too many clients already"
        );
        drop((first, second));
        let mut room = false;
        for _ in 0..100 {
            if connect(port).await.is_ok() {
                room = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(room, "{}: room again once they are gone", b.name);
    })
    .await;
}

#[tokio::test]
async fn idle_session_timeout_ends_the_session_with_57p05() {
    each(&["--idle-session-timeout", "0.5"], |b, port| async move {
        let (client, connection) = connect(port).await.unwrap();
        // A query longer than the timeout, then a pause shorter than it: the session lives on.
        client.simple_query("SELECT pg_sleep(0.8)").await.unwrap();
        tokio::time::sleep(Duration::from_millis(250)).await;
        client.simple_query("SELECT 1").await.unwrap();
        let err = tokio::time::timeout(Duration::from_secs(5), connection)
            .await
            .expect("the server ends the idle session")
            .unwrap()
            .unwrap_err();
        assert_eq!(code(&err), "57P05", "{}", b.name);
    })
    .await;
}

#[tokio::test]
async fn authentication_timeout_closes_a_silent_connection() {
    use tokio::io::AsyncReadExt;
    each(&["--authentication-timeout", "0.3"], |b, port| async move {
        let mut silent = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let mut buf = [0u8; 16];
        let n = tokio::time::timeout(Duration::from_secs(5), silent.read(&mut buf))
            .await
            .expect("closed by the server")
            .unwrap_or(0);
        assert_eq!(
            n, 0,
            "{}: closed without a word, as PostgreSQL does",
            b.name
        );
    })
    .await;
}

#[tokio::test]
async fn shutdown_lets_a_query_finish_then_ends_idle_sessions_with_57p01() {
    for b in BINDINGS {
        let server = Server::lab(b, &[]);
        let port = server.port;
        let (idle, connection) = connect(port).await.unwrap();
        let (busy, _busy_conn) = connect(port).await.unwrap();
        let running = tokio::spawn(async move { busy.simple_query("SELECT pg_sleep(0.2)").await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let stopper = std::thread::spawn(move || server.stop());
        let finished = running.await.unwrap().unwrap();
        assert_eq!(finished.len(), 3, "{}: the running query finished", b.name);
        let err = tokio::time::timeout(Duration::from_secs(5), connection)
            .await
            .unwrap()
            .unwrap()
            .unwrap_err();
        assert_eq!(code(&err), "57P01", "{}", b.name);
        assert_eq!(
            err.as_db_error().unwrap().message(),
            "terminating connection due to administrator command"
        );
        drop(idle);
        stopper.join().unwrap();
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "{}: no longer accepting",
            b.name
        );
    }
}

/// A client whose notifications and notices arrive on a channel.
async fn listener(
    port: u16,
) -> (
    Client,
    tokio::sync::mpsc::UnboundedReceiver<Result<(String, String), String>>,
) {
    let (client, mut connection) = tokio_postgres::connect(&conninfo(port, ""), NoTls)
        .await
        .unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    tokio::spawn(async move {
        while let Some(Ok(m)) = messages.next().await {
            let _ = tx.send(match m {
                AsyncMessage::Notification(n) => {
                    Ok((n.channel().to_owned(), n.payload().to_owned()))
                }
                AsyncMessage::Notice(n) => Err(n.message().to_owned()),
                _ => continue,
            });
        }
    });
    (client, rx)
}

#[tokio::test]
async fn notifications_reach_an_idle_session_at_once() {
    each(&[], |b, port| async move {
        let (client, mut rx) = listener(port).await;
        client.simple_query("SELECT 1").await.unwrap();
        let (notifier, _c) = connect(port).await.unwrap();
        notifier.simple_query("NOTIFY chan, 'hello'").await.unwrap();
        let n = tokio::time::timeout(Duration::from_secs(2), rx.recv())
            .await
            .expect("delivered while idle")
            .unwrap();
        assert_eq!(n, Ok(("chan".to_owned(), "hello".to_owned())), "{}", b.name);
    })
    .await;
}

#[tokio::test]
async fn a_notification_waits_for_a_running_query_and_does_not_cancel_it() {
    each(&[], |b, port| async move {
        let (client, mut rx) = listener(port).await;
        let (notifier, _c) = connect(port).await.unwrap();
        let running = tokio::spawn(async move {
            let r = client
                .simple_query("SELECT pg_sleep(0.6)")
                .await
                .map(|_| ());
            (client, r)
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        notifier
            .simple_query("NOTIFY chan, 'during'")
            .await
            .unwrap();
        let (_client, result) = running.await.unwrap();
        assert!(
            result.is_ok(),
            "{}: the query was stopped: {result:?}",
            b.name
        );
        let n = tokio::time::timeout(Duration::from_secs(2), rx.recv())
            .await
            .expect("delivered once the query ended")
            .unwrap();
        assert_eq!(
            n,
            Ok(("chan".to_owned(), "during".to_owned())),
            "{}",
            b.name
        );
    })
    .await;
}

#[tokio::test]
async fn notifications_wait_for_the_end_of_a_transaction_block_notices_do_not() {
    each(&[], |b, port| async move {
        let (client, mut rx) = listener(port).await;
        let listener_pid = pid(&client).await;
        client.simple_query("BEGIN").await.unwrap();
        let (notifier, _c) = connect(port).await.unwrap();
        notifier.simple_query("NOTIFY chan, 'later'").await.unwrap();
        notifier
            .simple_query(&format!("NOTICE {listener_pid} hello from the server"))
            .await
            .unwrap();
        let first = tokio::time::timeout(Duration::from_secs(2), rx.recv())
            .await
            .expect("the notice arrives at once")
            .unwrap();
        assert_eq!(first, Err("hello from the server".to_owned()), "{}", b.name);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            rx.try_recv().is_err(),
            "{}: no notification inside the block",
            b.name
        );
        client.simple_query("COMMIT").await.unwrap();
        let n = tokio::time::timeout(Duration::from_secs(2), rx.recv())
            .await
            .expect("delivered after COMMIT")
            .unwrap();
        assert_eq!(n, Ok(("chan".to_owned(), "later".to_owned())), "{}", b.name);
    })
    .await;
}

#[tokio::test]
async fn unix_socket_and_auth_methods() {
    let dir = std::env::temp_dir().join(format!("pgproto-compat-unix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.display().to_string();
    for auth in ["trust", "password", "md5", "scram"] {
        let args = ["--auth", auth, "--unix-socket", dir.as_str()];
        // The socket is named after the configured port, `--listen 127.0.0.1:0`: .s.PGSQL.0.
        each(&args, |b, _| {
            let dir = dir.clone();
            async move {
                let (client, connection) = tokio_postgres::Config::new()
                    .host_path(&dir)
                    .port(0)
                    .user(USER)
                    .password(PASSWORD)
                    .connect(NoTls)
                    .await
                    .unwrap();
                tokio::spawn(connection);
                let rows = client.simple_query("SELECT 1").await.unwrap();
                assert_eq!(rows.len(), 3, "{} {auth}", b.name);
            }
        })
        .await;
    }
}

#[tokio::test]
async fn unknown_database_is_refused_after_authentication_with_3d000() {
    each(&[], |b, port| async move {
        let err = tokio_postgres::connect(
            &format!("host=127.0.0.1 port={port} user={USER} password={PASSWORD} dbname=nodb"),
            NoTls,
        )
        .await
        .err()
        .unwrap();
        assert_eq!(code(&err), "3D000", "{}", b.name);
    })
    .await;
}

#[tokio::test]
async fn errors_in_a_transaction_block_fail_it_until_rollback() {
    each(&[], |b, port| async move {
        let (client, _c) = connect(port).await.unwrap();
        client.simple_query("BEGIN").await.unwrap();
        assert_eq!(
            code(&client.simple_query("FAIL").await.unwrap_err()),
            "22012"
        );
        let err = client.simple_query("SELECT 1").await.unwrap_err();
        assert_eq!(code(&err), "25P02", "{}", b.name);
        client.simple_query("ROLLBACK").await.unwrap();
        client.simple_query("SELECT 1").await.unwrap();
    })
    .await;
}
