//! PostgreSQL's MD5 password scheme.
//!
//! The stored secret is `"md5" + hex(md5(password + user))`; the client answers a 4-byte salt with
//! `"md5" + hex(md5(hex(md5(password + user)) + salt))`.

use md5::{Digest, Md5};

/// Length of an MD5 secret or response: `md5` and 32 hex digits.
pub const MD5_LEN: usize = 35;

fn hex_md5(parts: &[&[u8]]) -> [u8; MD5_LEN] {
    let mut h = Md5::new();
    for p in parts {
        h.update(p);
    }
    let digest = h.finalize();
    let mut out = [0u8; MD5_LEN];
    out[..3].copy_from_slice(b"md5");
    for (i, b) in digest.iter().enumerate() {
        out[3 + 2 * i] = HEX[usize::from(b >> 4)];
        out[4 + 2 * i] = HEX[usize::from(b & 15)];
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The secret PostgreSQL stores for `user` with `password` (as in `pg_authid.rolpassword`).
pub fn secret(user: &[u8], password: &[u8]) -> [u8; MD5_LEN] {
    hex_md5(&[password, user])
}

/// What the client sends for a stored `secret` (`md5…`) and the server's `salt`.
pub fn response(secret: &[u8; MD5_LEN], salt: [u8; 4]) -> [u8; MD5_LEN] {
    hex_md5(&[&secret[3..], &salt])
}

/// Whether `secret` looks like an MD5 secret: `md5` and 32 lowercase hex digits.
pub fn is_secret(secret: &[u8]) -> bool {
    secret.len() == MD5_LEN
        && secret.starts_with(b"md5")
        && secret[3..].iter().all(|c| HEX.contains(c))
}

/// Checks a client's `response` against the stored `secret`, in constant time.
pub fn verify(secret: &[u8; MD5_LEN], salt: [u8; 4], response: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    let expected = self::response(secret, salt);
    response.len() == MD5_LEN && bool::from(expected.ct_eq(response))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Values computed independently (Python's hashlib), as PostgreSQL stores and libpq sends them.
    const SECRET: &[u8; MD5_LEN] = b"md54a0a68b43b6cd5cf266fa02f196e2371";
    const RESPONSE: &[u8; MD5_LEN] = b"md598a0412b9c31436fc53776e863350083";

    #[test]
    fn secret_and_response_match_postgresql() {
        assert_eq!(&secret(b"alice", b"secret"), SECRET);
        assert_eq!(&response(SECRET, [1, 2, 3, 4]), RESPONSE);
        assert!(is_secret(SECRET));
        assert!(!is_secret(b"md5xyz"));
    }

    #[test]
    fn verify_accepts_only_the_right_response() {
        assert!(verify(SECRET, [1, 2, 3, 4], RESPONSE));
        assert!(!verify(SECRET, [1, 2, 3, 5], RESPONSE));
        assert!(!verify(SECRET, [1, 2, 3, 4], &RESPONSE[..34]));
    }
}
