//! `tls-server-end-point` channel binding data (RFC 5929 §4.1), as PostgreSQL computes it for
//! SCRAM-SHA-256-PLUS: the hash of the server certificate, with the hash function of the
//! certificate's signature algorithm (SHA-256 when that is MD5 or SHA-1).

use sha2::{Digest, Sha256, Sha384, Sha512};

/// The channel binding data: a SHA-256, SHA-384 or SHA-512 digest.
pub type EndPoint = heapless::Vec<u8, 64>;

/// Signature algorithm OIDs (DER content bytes) and the digest each one implies.
const ALGORITHMS: &[(&[u8], Hash)] = &[
    // md5WithRSAEncryption, sha1WithRSAEncryption, sha256/384/512WithRSAEncryption
    (
        &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x04],
        Hash::Sha256,
    ),
    (
        &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x05],
        Hash::Sha256,
    ),
    (
        &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B],
        Hash::Sha256,
    ),
    (
        &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0C],
        Hash::Sha384,
    ),
    (
        &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0D],
        Hash::Sha512,
    ),
    // ecdsa-with-SHA1, ecdsa-with-SHA256/384/512
    (&[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01], Hash::Sha256),
    (
        &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02],
        Hash::Sha256,
    ),
    (
        &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03],
        Hash::Sha384,
    ),
    (
        &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x04],
        Hash::Sha512,
    ),
];

#[derive(Clone, Copy)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

/// The `tls-server-end-point` data of a DER certificate, or `None` when its signature algorithm
/// has no defined hash (Ed25519, RSASSA-PSS…): PostgreSQL then cannot offer channel binding.
pub fn tls_server_end_point(cert_der: &[u8]) -> Option<EndPoint> {
    let oid = signature_algorithm(cert_der)?;
    let (_, hash) = ALGORITHMS.iter().find(|(o, _)| *o == oid)?;
    let mut out = EndPoint::new();
    let digest: &[u8] = match hash {
        Hash::Sha256 => &Sha256::digest(cert_der),
        Hash::Sha384 => &Sha384::digest(cert_der),
        Hash::Sha512 => &Sha512::digest(cert_der),
    };
    out.extend_from_slice(digest).ok()?;
    Some(out)
}

/// The OID of `Certificate.signatureAlgorithm`: SEQUENCE { tbsCertificate, AlgorithmIdentifier
/// SEQUENCE { OID, … }, … }.
fn signature_algorithm(der: &[u8]) -> Option<&[u8]> {
    let (cert, _) = tlv(der, 0x30)?;
    let (_, rest) = tlv(cert, 0x30)?; // tbsCertificate
    let (algorithm, _) = tlv(rest, 0x30)?;
    let (oid, _) = tlv(algorithm, 0x06)?;
    Some(oid)
}

/// One DER element with tag `tag`: its content and what follows it.
fn tlv(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&t, rest) = input.split_first()?;
    if t != tag {
        return None;
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (bytes, tail) = rest.split_at(n);
        rest = tail;
        bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    (rest.len() >= len).then(|| rest.split_at(len))
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;

    /// A minimal certificate-shaped DER value with the given signature algorithm OID.
    fn cert(oid: &[u8]) -> alloc::vec::Vec<u8> {
        let mut alg = alloc::vec![0x06, oid.len() as u8];
        alg.extend_from_slice(oid);
        let mut body = alloc::vec![0x30, 0x03, 0x02, 0x01, 0x00, 0x30, alg.len() as u8];
        body.extend_from_slice(&alg);
        let mut der = alloc::vec![0x30, 0x81, body.len() as u8];
        der.extend_from_slice(&body);
        der
    }

    #[test]
    fn hash_follows_the_signature_algorithm() {
        let sha256 = cert(ALGORITHMS[2].0);
        assert_eq!(
            tls_server_end_point(&sha256).unwrap().as_slice(),
            Sha256::digest(&sha256).as_slice()
        );
        let sha1 = cert(ALGORITHMS[1].0);
        assert_eq!(tls_server_end_point(&sha1).unwrap().len(), 32);
        let sha384 = cert(ALGORITHMS[7].0);
        assert_eq!(
            tls_server_end_point(&sha384).unwrap().as_slice(),
            Sha384::digest(&sha384).as_slice()
        );
        assert_eq!(
            tls_server_end_point(&cert(ALGORITHMS[4].0)).unwrap().len(),
            64
        );
    }

    #[test]
    fn unknown_algorithms_and_garbage_give_none() {
        assert!(tls_server_end_point(&cert(&[0x2B, 0x65, 0x70])).is_none()); // Ed25519
        assert!(tls_server_end_point(b"").is_none());
        assert!(tls_server_end_point(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]).is_none());
        let full = cert(ALGORITHMS[2].0);
        for n in 0..full.len() {
            assert!(tls_server_end_point(&full[..n]).is_none());
        }
    }
}
