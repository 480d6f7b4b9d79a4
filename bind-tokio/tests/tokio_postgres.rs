//! The tokio binding against a real driver, tokio-postgres: queries, binary parameters, COPY,
//! cancel, notifications, and the exact SQLSTATE a client sees for each refusal.

#![allow(clippy::naive_bytecount)]

mod support;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt, TryStreamExt};
use support::{conninfo, start, start_with};
use tokio_postgres::{AsyncMessage, Client, NoTls};

async fn connect(
    port: u16,
    extra: &str,
) -> Result<
    (
        Client,
        tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>,
    ),
    tokio_postgres::Error,
> {
    let (client, connection) = tokio_postgres::connect(&conninfo(port, extra), NoTls).await?;
    Ok((client, tokio::spawn(connection)))
}

fn code(e: &tokio_postgres::Error) -> String {
    e.as_db_error().map_or_else(
        || format!("no SQLSTATE: {e}"),
        |d| d.code().code().to_owned(),
    )
}

#[tokio::test]
async fn simple_prepared_and_binary_parameters() {
    let server = start(&[]);
    let (client, _c) = connect(server.port, "").await.unwrap();
    let rows = client.simple_query("SELECT 1; SELECT 1").await.unwrap();
    let values: Vec<_> = rows
        .iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
            _ => None,
        })
        .collect();
    assert_eq!(values, ["1", "1"]);
    let row = client
        .query_one("SELECT $1::int4, $2::int4", &[&5i32, &-7i32])
        .await
        .unwrap();
    assert_eq!((row.get::<_, i32>(0), row.get::<_, i32>(1)), (5, -7));
    let stmt = client.prepare("SELECT $1::int4").await.unwrap();
    for i in 0..200i32 {
        let row = client.query_one(&stmt, &[&i]).await.unwrap();
        assert_eq!(row.get::<_, i32>(0), i);
    }
    let none: Option<i32> = client
        .query_one("SELECT $1::int4", &[&None::<i32>])
        .await
        .unwrap()
        .get(0);
    assert_eq!(none, None);
    server.stop();
}

#[tokio::test]
async fn copy_in_and_out() {
    let server = start(&[]);
    let (client, _c) = connect(server.port, "").await.unwrap();
    let sink = client.copy_in("COPY t FROM STDIN").await.unwrap();
    let mut sink = Box::pin(sink);
    for i in 0..10_000 {
        sink.send(bytes::Bytes::from(format!("{i}\tsome text\n")))
            .await
            .unwrap();
    }
    assert_eq!(sink.as_mut().finish().await.unwrap(), 10_000);
    let out: Vec<_> = client
        .copy_out("COPY t TO STDOUT 50000")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let text: Vec<u8> = out.iter().flat_map(|b| b.iter().copied()).collect();
    assert_eq!(text.iter().filter(|b| **b == b'\n').count(), 50_000);
    assert!(text.ends_with(b"49999\n"));
    // The session goes on after both.
    assert_eq!(client.simple_query("SELECT 1").await.unwrap().len(), 3);
    server.stop();
}

#[tokio::test]
async fn cancel_stops_the_running_query_with_57014() {
    let server = start(&[]);
    let (client, _c) = connect(server.port, "").await.unwrap();
    let token = client.cancel_token();
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        token.cancel_query(NoTls).await.unwrap();
    });
    let started = std::time::Instant::now();
    let err = client
        .simple_query("SELECT pg_sleep(10)")
        .await
        .unwrap_err();
    assert_eq!(code(&err), "57014");
    assert_eq!(
        err.as_db_error().unwrap().message(),
        "canceling statement due to user request"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    canceller.await.unwrap();
    // Also in the extended protocol, and the session survives.
    let token = client.cancel_token();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        token.cancel_query(NoTls).await.unwrap();
    });
    let err = client.query("SELECT pg_sleep(10)", &[]).await.unwrap_err();
    assert_eq!(code(&err), "57014");
    assert_eq!(
        client
            .query_one("SELECT $1::int4", &[&3i32])
            .await
            .unwrap()
            .get::<_, i32>(0),
        3
    );
    server.stop();
}

#[tokio::test]
async fn a_wrong_cancel_key_does_nothing() {
    let server = start(&[]);
    let (client, _c) = connect(server.port, "").await.unwrap();
    let pid = *server.sessions.pids().first().unwrap();
    let mut wrong = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let mut packet = vec![0, 0, 0, 16, 4, 210, 22, 46];
    packet.extend_from_slice(&pid.to_be_bytes());
    packet.extend_from_slice(&[0, 0, 0, 0]);
    std::io::Write::write_all(&mut wrong, &packet).unwrap();
    drop(wrong);
    let rows = client.simple_query("SELECT pg_sleep(0.5)").await.unwrap();
    assert_eq!(rows.len(), 3, "the query ran to completion");
    server.stop();
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_28p01() {
    for auth in ["scram", "md5", "password"] {
        let server = start(&["--auth", auth]);
        let (client, _c) = connect(server.port, "").await.unwrap();
        client.simple_query("SELECT 1").await.unwrap();
        let err = tokio_postgres::connect(
            &format!(
                "host=127.0.0.1 port={} user=alice password=wrong",
                server.port
            ),
            NoTls,
        )
        .await
        .err()
        .unwrap();
        assert_eq!(code(&err), "28P01", "{auth}");
        assert_eq!(
            err.as_db_error().unwrap().message(),
            "password authentication failed for user \"alice\""
        );
        let err = tokio_postgres::connect(
            &format!(
                "host=127.0.0.1 port={} user=mallory password=secret",
                server.port
            ),
            NoTls,
        )
        .await
        .err()
        .unwrap();
        assert_eq!(code(&err), "28P01", "{auth}");
        server.stop();
    }
}

#[tokio::test]
async fn too_many_connections_get_53300() {
    let server = start(&["--max-connections", "2"]);
    let a = connect(server.port, "").await.unwrap();
    let b = connect(server.port, "").await.unwrap();
    let err = connect(server.port, "").await.err().unwrap();
    assert_eq!(code(&err), "53300");
    assert_eq!(
        err.as_db_error().unwrap().message(),
        "sorry, too many clients already"
    );
    drop(a);
    drop(b);
    // Once they are gone, there is room again.
    let mut ok = false;
    for _ in 0..100 {
        if connect(server.port, "").await.is_ok() {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ok);
    server.stop();
}

#[tokio::test]
async fn idle_session_timeout_ends_the_session_with_57p05() {
    let server = start(&["--idle-session-timeout", "0.3"]);
    let (client, connection) = connect(server.port, "").await.unwrap();
    client.simple_query("SELECT 1").await.unwrap();
    let err = tokio::time::timeout(Duration::from_secs(5), connection)
        .await
        .expect("the server ends the idle session")
        .unwrap()
        .unwrap_err();
    assert_eq!(code(&err), "57P05");
    server.stop();
}

#[tokio::test]
async fn idle_time_counts_from_the_end_of_a_long_query() {
    let server = start(&["--idle-session-timeout", "0.5"]);
    let (client, connection) = connect(server.port, "").await.unwrap();
    // A query longer than the timeout, then a pause shorter than it: the session lives on.
    client.simple_query("SELECT pg_sleep(0.8)").await.unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    client.simple_query("SELECT 1").await.unwrap();
    let err = tokio::time::timeout(Duration::from_secs(5), connection)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert_eq!(code(&err), "57P05");
    server.stop();
}

#[tokio::test]
async fn shutdown_lets_a_query_finish_then_ends_idle_sessions_with_57p01() {
    let server = start_with(&[], Duration::from_millis(300));
    let (client, connection) = connect(server.port, "").await.unwrap();
    let (busy, _busy_conn) = connect(server.port, "").await.unwrap();
    let running = tokio::spawn(async move { busy.simple_query("SELECT pg_sleep(0.1)").await });
    tokio::time::sleep(Duration::from_millis(30)).await;
    let port = server.port;
    let stopper = std::thread::spawn(move || server.stop());
    assert_eq!(
        running.await.unwrap().unwrap().len(),
        3,
        "the running query finished"
    );
    let err = tokio::time::timeout(Duration::from_secs(5), connection)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert_eq!(code(&err), "57P01");
    assert_eq!(
        err.as_db_error().unwrap().message(),
        "terminating connection due to administrator command"
    );
    drop(client);
    stopper.join().unwrap();
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "no longer accepting"
    );
}

#[tokio::test]
async fn notifications_reach_an_idle_session_at_once() {
    let server = start(&[]);
    let (listener, mut connection) = tokio_postgres::connect(&conninfo(server.port, ""), NoTls)
        .await
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    tokio::spawn(async move {
        while let Some(Ok(m)) = messages.next().await {
            if let AsyncMessage::Notification(n) = m {
                let _ = tx.send((
                    n.channel().to_owned(),
                    n.payload().to_owned(),
                    n.process_id(),
                ));
            }
        }
    });
    listener.simple_query("SELECT 1").await.unwrap();
    let (notifier, _c) = connect(server.port, "").await.unwrap();
    notifier.simple_query("NOTIFY chan, 'hello'").await.unwrap();
    let (channel, payload, _pid) = tokio::time::timeout(Duration::from_secs(2), rx.recv())
        .await
        .expect("delivered while idle")
        .unwrap();
    assert_eq!((channel.as_str(), payload.as_str()), ("chan", "hello"));
    server.stop();
}

/// A listener whose notifications and notices arrive on a channel.
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
async fn notifications_wait_for_the_end_of_a_transaction_block_notices_do_not() {
    let server = start(&[]);
    let (client, mut rx) = listener(server.port).await;
    client.simple_query("BEGIN").await.unwrap();
    let (notifier, _c) = connect(server.port, "").await.unwrap();
    notifier.simple_query("NOTIFY chan, 'later'").await.unwrap();
    let pid = server
        .sessions
        .pids()
        .into_iter()
        .min()
        .expect("the listener's session");
    let notice = pgproto_service::pgproto::backend::ServerError::new(
        pgproto_service::pgproto::backend::Severity::Notice,
        "00000",
        "hello from the server",
    );
    assert!(server
        .sessions
        .push(pid, pgproto_service::Push::Notice(notice)));
    let first = tokio::time::timeout(Duration::from_secs(2), rx.recv())
        .await
        .expect("the notice arrives at once")
        .unwrap();
    assert_eq!(first, Err("hello from the server".to_owned()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rx.try_recv().is_err(), "no notification inside the block");
    client.simple_query("COMMIT").await.unwrap();
    let n = tokio::time::timeout(Duration::from_secs(2), rx.recv())
        .await
        .expect("delivered after COMMIT")
        .unwrap();
    assert_eq!(n, Ok(("chan".to_owned(), "later".to_owned())));
    server.stop();
}

#[tokio::test]
async fn authentication_timeout_closes_a_silent_connection() {
    use tokio::io::AsyncReadExt;
    let server = start(&["--authentication-timeout", "0.3"]);
    let mut silent = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(5), silent.read(&mut buf))
        .await
        .expect("closed by the server")
        .unwrap_or(0);
    assert_eq!(n, 0, "closed without a word, as PostgreSQL does");
    server.stop();
}

#[tokio::test]
async fn unix_socket_and_auth_methods() {
    for auth in ["trust", "password", "md5", "scram"] {
        let server = start(&["--auth", auth]);
        let dir = server.unix_dir.display().to_string();
        let (client, connection) = tokio_postgres::Config::new()
            .host_path(&dir)
            .port(server.port)
            .user("alice")
            .password("secret")
            .connect(NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        assert_eq!(
            client.simple_query("SELECT 1").await.unwrap().len(),
            3,
            "{auth}"
        );
        server.stop();
    }
}

#[tokio::test]
async fn unknown_database_is_refused_after_authentication_with_3d000() {
    let server = start(&[]);
    let err = tokio_postgres::connect(
        &format!(
            "host=127.0.0.1 port={} user=alice password=secret dbname=nodb",
            server.port
        ),
        NoTls,
    )
    .await
    .err()
    .unwrap();
    assert_eq!(code(&err), "3D000");
    server.stop();
}

#[tokio::test]
async fn errors_in_a_transaction_block_fail_it_until_rollback() {
    let server = start(&[]);
    let (client, _c) = connect(server.port, "").await.unwrap();
    client.simple_query("BEGIN").await.unwrap();
    assert_eq!(
        code(&client.simple_query("FAIL").await.unwrap_err()),
        "22012"
    );
    assert_eq!(
        code(&client.simple_query("SELECT 1").await.unwrap_err()),
        "25P02"
    );
    client.simple_query("ROLLBACK").await.unwrap();
    client.simple_query("SELECT 1").await.unwrap();
    server.stop();
}
