//! Real-client scenarios written once and run against the example servers of every binding
//! (the scenarios are this crate's tests; the Python and shell clients sit next to them).

/// Every binding's example servers: its name, then its `greeting` and `select1` examples.
pub const BINDINGS: &[(&str, &str, &str)] = &[
    ("tokio", "greeting", "select1"),
    ("smol", "greeting_smol", "select1_smol"),
];
