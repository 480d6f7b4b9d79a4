//! Authentication computations, pure functions of their inputs: SCRAM-SHA-256 (RFC 5802/7677,
//! with `tls-server-end-point` channel binding), PostgreSQL's MD5 scheme, and stored secrets in
//! PostgreSQL's own formats. No RNG: salts and nonces are arguments.

pub mod channel_binding;
pub mod md5;
pub mod scram;
