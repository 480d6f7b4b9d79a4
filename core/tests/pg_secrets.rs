//! Secrets made by PostgreSQL 15 itself (`tools/pg/secrets.sh`: a SCRAM verifier and an MD5
//! secret for password `pencil`, read from `pg_authid`) authenticate with the right password and
//! fail with a wrong one. The recorded fixture is used unless `PGPROTO_PG_SECRETS` names a fresh
//! file (the test script makes one against a live server).

use pgproto::auth::md5;
use pgproto::auth::scram::{ClientExchange, ScramError, ServerExchange, Verifier};

fn secrets() -> (String, String) {
    let path = std::env::var("PGPROTO_PG_SECRETS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pg15-secrets.txt"
        )
        .into()
    });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut lines = text.lines();
    (lines.next().unwrap().into(), lines.next().unwrap().into())
}

fn exchange(verifier: &Verifier, password: &[u8]) -> Result<(), ScramError> {
    let mut server = ServerExchange::new(Some(verifier.clone()), false, None, &[9; 18]);
    let mut client = ClientExchange::new(password, None, false, &[3; 18]);
    let first = server.client_first(client.client_first().as_bytes())?;
    let last = client.server_first(first.as_bytes())?;
    let fin = server.client_final(last.as_bytes())?;
    client.server_final(fin.as_bytes())
}

#[test]
fn postgresql_scram_verifier() {
    let (scram, _) = secrets();
    let v = Verifier::parse(&scram).expect("PostgreSQL's verifier parses");
    assert_eq!(
        v.to_string(),
        scram,
        "formatting gives PostgreSQL's text back"
    );
    assert_eq!(v.iterations(), 4096);
    assert!(v.verify_password(b"pencil"));
    assert!(!v.verify_password(b"Pencil"));
    exchange(&v, b"pencil").expect("right password");
    assert_eq!(
        exchange(&v, b"pencil!"),
        Err(ScramError::AuthenticationFailed)
    );
    // Made from the same password and salt, ours is PostgreSQL's verifier exactly.
    assert_eq!(Verifier::from_password(b"pencil", v.salt(), 4096), v);
}

#[test]
fn postgresql_md5_secret() {
    let (_, stored) = secrets();
    assert_eq!(
        md5::secret(b"md5_user", b"pencil").as_slice(),
        stored.as_bytes()
    );
    let stored: [u8; md5::MD5_LEN] = stored.as_bytes().try_into().unwrap();
    let response = md5::response(&stored, [9, 8, 7, 6]);
    assert!(md5::verify(&stored, [9, 8, 7, 6], &response));
    assert!(!md5::verify(
        &md5::secret(b"md5_user", b"pencil2"),
        [9, 8, 7, 6],
        &response
    ));
}
