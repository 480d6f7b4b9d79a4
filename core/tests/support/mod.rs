//! Helpers shared by integration tests and examples.
#![allow(dead_code)]

pub mod capture;
pub mod toy;
