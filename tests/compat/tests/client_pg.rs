//! Every binding's client against a real PostgreSQL 15: every authentication method (SCRAM-SHA-256-PLUS
//! over TLS too), simple and extended queries with typed parameters, pipelining, COPY both ways,
//! notifications and cancel.

#![allow(clippy::naive_bytecount, clippy::float_cmp)] // exact test values

use pgproto_compat::pg15;

/// The same scenarios for each binding's client (`connect`, `cancel`, `Client`).
macro_rules! client_scenarios {
    ($($module:ident => $binding:ident::$runtime:ident on $rt:ident),* $(,)?) => {$(
    mod $module {
        use $binding::{Runtime, $runtime as R};

        type Client = pgproto_service::client::Client<<R as Runtime>::Stream>;
        use super::{pg15, $rt as rt};

        async fn connect(
            addr: &str,
            config: ClientConfig,
            tls: Option<&pgproto_service::tls::TlsConnector>,
        ) -> Result<Client, pgproto_service::client::Error> {
            R::connect(addr, config, tls).await
        }

        async fn cancel(addr: &str, token: &pgproto_service::client::CancelToken) -> std::io::Result<()> {
            R::cancel(addr, token).await
        }

        use std::time::Duration;

        use pg15::pg15;
        use pgproto_service::client::{Query, ToParam};
        use pgproto_service::pgproto::frontend::{ChannelBinding, ClientConfig, SslMode};
        use pgproto_service::pgproto::message::TransactionStatus;

        fn addr() -> String {
            format!("127.0.0.1:{}", pg15().port)
        }

        fn config(user: &str, password: Option<&str>) -> ClientConfig {
            let mut c = ClientConfig::new(user);
            c.database = Some("postgres".into());
            c.password = password.map(|p| p.as_bytes().to_vec());
            c
        }

        async fn postgres() -> Client {
            connect(&addr(), config("postgres", None), None)
                .await
                .unwrap()
        }

        #[test]
        fn every_authentication_method_and_tls_with_channel_binding() {
            rt::block_on(async {
                for (user, pw) in [
                    ("trust_user", None),
                    ("md5_user", Some("md5-pw")),
                    ("scram_user", Some("scram-pw")),
                    ("clear_user", Some("clear-pw")),
                ] {
                    let c = connect(&addr(), config(user, pw), None).await.unwrap();
                    assert_eq!(c.parameter("session_authorization"), Some(user));
                    assert!(!c.is_tls());
                }
                let err = connect(&addr(), config("scram_user", Some("wrong")), None)
                    .await
                    .unwrap_err();
                assert_eq!(err.code(), Some("28P01"));
                let mut tls = config("scram_user", Some("scram-pw"));
                tls.ssl = SslMode::Require;
                tls.channel_binding = ChannelBinding::Require;
                let mut c = connect(&addr(), tls, None).await.unwrap();
                assert!(c.is_tls() && c.used_channel_binding());
                let rows = c
                    .simple_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                    .await
                    .unwrap();
                assert_eq!(rows[0].rows[0].text(0), Some("t"));
            });
        }

        #[test]
        fn simple_query_with_several_statements() {
            rt::block_on(async {
                let mut c = postgres().await;
                let r = c
                    .simple_query("SELECT 1 AS a, 'x' AS b; SELECT NULL::int; ; SET datestyle = 'ISO'")
                    .await
                    .unwrap();
                assert_eq!(r.len(), 3, "{r:?}");
                assert_eq!(r[0].columns[0].name, "a");
                assert_eq!(r[0].rows[0].get::<i32>(0).unwrap(), 1);
                assert_eq!(r[0].rows[0].get::<String>(1).unwrap(), "x");
                assert_eq!(r[1].rows[0].get::<Option<i32>>(0).unwrap(), None);
                assert_eq!(r[2].tag, "SET");
                let err = c.simple_query("SELECT 1/0").await.unwrap_err();
                assert_eq!(err.code(), Some("22012"));
                assert_eq!(
                    c.simple_query("SELECT 2").await.unwrap()[0].rows[0].text(0),
                    Some("2")
                );
            });
        }

        #[test]
        fn typed_parameters_and_prepared_statements() {
            rt::block_on(async {
                let mut c = postgres().await;
                let rows = c
                    .query(
                        "SELECT $1::int4 + 1, $2::text || '!', $3::int8, $4::float8, $5::bool, $6::bytea, $7::int4",
                        &[&41i32, &"hi", &(1i64 << 40), &1.5f64, &true, &vec![0u8, 255], &None::<i32>],
                    )
                    .await
                    .unwrap();
                let r = &rows[0];
                assert_eq!(r.get::<i32>(0).unwrap(), 42);
                assert_eq!(r.get::<String>(1).unwrap(), "hi!");
                assert_eq!(r.get::<i64>(2).unwrap(), 1 << 40);
                assert_eq!(r.get::<f64>(3).unwrap(), 1.5);
                assert!(r.get::<bool>(4).unwrap());
                assert_eq!(r.get::<Vec<u8>>(5).unwrap(), [0, 255]);
                assert_eq!(r.get::<Option<i32>>(6).unwrap(), None);
                let stmt = c.prepare("SELECT $1::int4 * 2").await.unwrap();
                assert_eq!(stmt.params(), [23]);
                for i in 0..100 {
                    let rows = c.query(&stmt, &[&i]).await.unwrap();
                    assert_eq!(rows[0].get::<i32>(0).unwrap(), i * 2);
                }
                c.simple_query("CREATE TEMP TABLE t (a int)").await.unwrap();
                assert_eq!(
                    c.execute("INSERT INTO t SELECT generate_series(1, $1)", &[&7i32])
                        .await
                        .unwrap(),
                    7
                );
                let err = c
                    .query("SELECT $1::int4", &[&"not a number"])
                    .await
                    .unwrap_err();
                assert_eq!(err.code(), Some("22P02"), "{err}");
            });
        }

        #[test]
        fn a_hundred_queries_in_one_pipeline_and_an_error_in_the_middle() {
            rt::block_on(async {
                let mut c = postgres().await;
                let values: Vec<i32> = (0..100).collect();
                let params: Vec<[&dyn ToParam; 1]> = values.iter().map(|v| [v as &dyn ToParam]).collect();
                let queries: Vec<(Query<'_>, &[&dyn ToParam])> = params
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let sql = if i == 50 {
                            "SELECT 1/($1::int4 - 50)"
                        } else {
                            "SELECT $1::int4"
                        };
                        (Query::Sql(sql), &p[..])
                    })
                    .collect();
                let results = c.pipeline(&queries).await.unwrap();
                assert_eq!(results.len(), 100);
                for (i, r) in results.iter().enumerate() {
                    if i == 50 {
                        assert_eq!(r.as_ref().unwrap_err().code(), Some("22012"));
                    } else {
                        let rows = &r.as_ref().unwrap()[0].rows;
                        assert_eq!(rows[0].get::<i32>(0).unwrap(), i as i32);
                    }
                }
                assert_eq!(c.transaction_status(), TransactionStatus::Idle);
            });
        }

        #[test]
        fn copy_in_100000_rows_and_out_again() {
            rt::block_on(async {
                let mut c = postgres().await;
                c.simple_query("CREATE TEMP TABLE big (n int, s text)")
                    .await
                    .unwrap();
                let mut copy = c.copy_in("COPY big FROM STDIN").await.unwrap();
                for i in 0..100_000 {
                    copy.send(format!("{i}\trow {i}\n").as_bytes())
                        .await
                        .unwrap();
                }
                assert_eq!(copy.finish().await.unwrap(), 100_000);
                let mut out = c.copy_out("COPY big TO STDOUT").await.unwrap();
                let mut lines = 0;
                let mut last = Vec::new();
                while let Some(chunk) = out.next().await.unwrap() {
                    lines += chunk.iter().filter(|b| **b == b'\n').count();
                    last = chunk;
                }
                assert_eq!(lines, 100_000);
                assert_eq!(last, b"99999\trow 99999\n");
                // A long stream that is always ready to read: the client must keep reading
                // (on tokio it spends the task's budget and has to yield, not spin).
                let mut out = c
                    .copy_out("COPY (SELECT generate_series(1, 1000000)) TO STDOUT")
                    .await
                    .unwrap();
                let mut lines = 0;
                while let Some(chunk) = out.next().await.unwrap() {
                    lines += chunk.iter().filter(|b| **b == b'\n').count();
                }
                assert_eq!(lines, 1_000_000);
                let copy = c.copy_in("COPY big FROM STDIN").await.unwrap();
                let err = copy.abort("changed my mind").await.unwrap_err();
                assert_eq!(err.code(), Some("57014"));
                let err = c.copy_in("COPY nosuch FROM STDIN").await.unwrap_err();
                assert_eq!(err.code(), Some("42P01"));
                assert_eq!(
                    c.simple_query("SELECT count(*) FROM big").await.unwrap()[0].rows[0].text(0),
                    Some("100000")
                );
            });
        }

        #[test]
        fn notification_arrives_while_idle() {
            rt::block_on(async {
                let mut listener = postgres().await;
                listener.simple_query("LISTEN chan").await.unwrap();
                let mut notifier = postgres().await;
                let pid = notifier.backend_pid();
                let waiting = rt::spawn(async move {
                    let n = listener.notification().await.unwrap();
                    (n, listener)
                });
                rt::sleep(Duration::from_millis(100)).await;
                notifier.simple_query("NOTIFY chan, 'hello'").await.unwrap();
                let (n, _) = rt::timeout(Duration::from_secs(5), waiting)
                    .await
                    .unwrap();
                assert_eq!(
                    (n.channel.as_str(), n.payload.as_str(), n.pid),
                    ("chan", "hello", pid)
                );
            });
        }

        #[test]
        fn cancel_stops_a_running_query() {
            rt::block_on(async {
                let mut c = postgres().await;
                let token = c.cancel_token();
                let canceller = rt::spawn(async move {
                    rt::sleep(Duration::from_millis(300)).await;
                    cancel(&addr(), &token).await.unwrap();
                });
                let started = std::time::Instant::now();
                let err = c.simple_query("SELECT pg_sleep(30)").await.unwrap_err();
                assert_eq!(err.code(), Some("57014"));
                assert!(started.elapsed() < Duration::from_secs(10));
                canceller.await;
                assert_eq!(c.simple_query("SELECT 1").await.unwrap()[0].rows.len(), 1);
            });
        }
    }
    )*};
}

/// The test runtime for clients that run on tokio's (or any) executor.
mod tokio_rt {
    use std::future::Future;
    use std::time::Duration;

    pub fn block_on<F: Future>(f: F) -> F::Output {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        tokio::task::LocalSet::new().block_on(&rt, f)
    }

    pub fn spawn<T: 'static>(f: impl Future<Output = T> + 'static) -> impl Future<Output = T> {
        let task = tokio::task::spawn_local(f);
        async move { task.await.unwrap() }
    }

    pub async fn sleep(d: Duration) {
        tokio::time::sleep(d).await;
    }

    pub async fn timeout<T>(d: Duration, f: impl Future<Output = T>) -> Option<T> {
        tokio::time::timeout(d, f).await.ok()
    }
}

/// The test runtime for the async-std client: async-std's executor.
mod async_std_rt {
    use std::future::Future;
    use std::time::Duration;

    pub fn block_on<F: Future>(f: F) -> F::Output {
        async_std::task::block_on(f)
    }

    pub fn spawn<T: 'static>(f: impl Future<Output = T> + 'static) -> impl Future<Output = T> {
        async_std::task::spawn_local(f)
    }

    pub async fn sleep(d: Duration) {
        async_std::task::sleep(d).await;
    }

    pub async fn timeout<T>(d: Duration, f: impl Future<Output = T>) -> Option<T> {
        async_std::future::timeout(d, f).await.ok()
    }
}

/// The test runtime for the glommio client: a glommio executor on the test's thread.
mod glommio_rt {
    use std::future::Future;
    use std::time::Duration;

    pub fn block_on<F: Future>(f: F) -> F::Output {
        glommio::LocalExecutorBuilder::new(glommio::Placement::Unbound)
            .make()
            .unwrap()
            .run(f)
    }

    pub fn spawn<T: 'static>(f: impl Future<Output = T> + 'static) -> impl Future<Output = T> {
        glommio::spawn_local(f)
    }

    pub async fn sleep(d: Duration) {
        glommio::timer::sleep(d).await;
    }

    pub async fn timeout<T>(d: Duration, f: impl Future<Output = T>) -> Option<T> {
        use futures_util::future::{select, Either};
        match select(Box::pin(f), Box::pin(glommio::timer::sleep(d))).await {
            Either::Left((value, _)) => Some(value),
            Either::Right(_) => None,
        }
    }
}

/// The test runtime for the monoio client: a monoio runtime with timers.
mod monoio_rt {
    use std::future::Future;
    use std::time::Duration;

    pub fn block_on<F: Future>(f: F) -> F::Output {
        monoio::RuntimeBuilder::<monoio::FusionDriver>::new()
            .enable_timer()
            .build()
            .unwrap()
            .block_on(f)
    }

    pub fn spawn<T: 'static>(f: impl Future<Output = T> + 'static) -> impl Future<Output = T> {
        monoio::spawn(f)
    }

    pub async fn sleep(d: Duration) {
        monoio::time::sleep(d).await;
    }

    pub async fn timeout<T>(d: Duration, f: impl Future<Output = T>) -> Option<T> {
        monoio::time::timeout(d, f).await.ok()
    }
}

client_scenarios!(
    tokio_client => pgproto_tokio::Tokio on tokio_rt,
    smol_client => pgproto_smol::Smol on tokio_rt,
    async_std_client => pgproto_smol::AsyncStd on async_std_rt,
    glommio_client => pgproto_smol::Glommio on glommio_rt,
    monoio_client => pgproto_monoio::Monoio on monoio_rt,
);
