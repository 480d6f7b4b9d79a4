//! Text type decoding on arbitrary input: the first byte picks a built-in type, the rest is the
//! text. Never panics, and every accepted value prints text that reads back to the same value,
//! whose binary form reads back to it too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pgproto::types::{Type, Value};

/// Values PostgreSQL 15 itself prints as text its input refuses: a `timetz` whose zone is beyond
/// ±15:59:59 (`'22:uh-46'::timetz` is accepted and prints `22:00:00+46`), and an interval of
/// -2^63 microseconds (`-2562047788:00:54.775808`), and arrays of them. Their text is not read
/// back.
fn text_is_unreadable_in_postgresql(value: &Value) -> bool {
    match value {
        Value::TimeTz(t) => t.offset.unsigned_abs() > 15 * 3600 + 59 * 60 + 59,
        Value::Interval(i) => i.micros == i64::MIN,
        Value::Array(a) => a.elements().iter().flatten().any(text_is_unreadable_in_postgresql),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else { return };
    let types = Type::all();
    let ty = &types[usize::from(pick) % types.len()];
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let Ok(value) = Value::decode_text(ty, text) else { return };
    let mut printed = Vec::new();
    value.encode_text(ty, &mut printed).unwrap();
    let printed = String::from_utf8(printed).unwrap();
    if text_is_unreadable_in_postgresql(&value) {
        return;
    }
    let again = Value::decode_text(ty, &printed)
        .unwrap_or_else(|e| panic!("{}: our text {printed:?} is refused: {e}", ty.name));
    let mut reprinted = Vec::new();
    again.encode_text(ty, &mut reprinted).unwrap();
    assert_eq!(printed.as_bytes(), reprinted, "{}", ty.name);
    let mut binary = Vec::new();
    again.encode_binary(ty, &mut binary).unwrap();
    let from_binary = Value::decode_binary(ty, &binary)
        .unwrap_or_else(|e| panic!("{}: our binary of {printed:?} is refused: {e}", ty.name));
    assert_eq!(format!("{from_binary:?}"), format!("{again:?}"), "{}", ty.name);
});
