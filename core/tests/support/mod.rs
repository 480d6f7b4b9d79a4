//! Helpers shared by integration tests and examples.
#![allow(dead_code, clippy::pedantic)] // test scaffolding: clarity over pedantry

pub mod capture;
pub mod pg15;
pub mod toy;
