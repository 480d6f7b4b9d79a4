//! Property tests of the type codecs: for random values of each type, text → value → binary →
//! value → text gives back the same text and the same value (the forms are stable), and any
//! input at all is decoded without a panic.

use pgproto::message::Format;
use pgproto::types::array::Array;
use pgproto::types::datetime::{Date, Interval, Time, TimeTz, Timestamp, TimestampTz};
use pgproto::types::uuid::Uuid;
use pgproto::types::{Type, Value};
use proptest::prelude::*;

/// The whole chain for one value's text; returns the failure, if any.
fn stable(type_name: &str, text: &str) -> Result<(), TestCaseError> {
    let ty = Type::by_name(type_name).unwrap();
    let v1 = Value::decode(ty, Format::Text, text.as_bytes())
        .map_err(|e| TestCaseError::fail(format!("{type_name} {text:?}: {}", e.message(text))))?;
    let mut binary = Vec::new();
    v1.encode(ty, Format::Binary, &mut binary).unwrap();
    let v2 = Value::decode(ty, Format::Binary, &binary)
        .map_err(|e| TestCaseError::fail(format!("{type_name} {text:?}: binary refused: {e}")))?;
    prop_assert_eq!(format!("{v1:?}"), format!("{v2:?}"));
    let mut printed = Vec::new();
    v2.encode(ty, Format::Text, &mut printed).unwrap();
    let printed = String::from_utf8(printed).unwrap();
    let v3 = Value::decode(ty, Format::Text, printed.as_bytes()).map_err(|e| {
        TestCaseError::fail(format!(
            "{type_name}: our {printed:?} refused: {}",
            e.message(&printed)
        ))
    })?;
    prop_assert_eq!(format!("{v2:?}"), format!("{v3:?}"));
    let mut reprinted = Vec::new();
    v3.encode(ty, Format::Text, &mut reprinted).unwrap();
    prop_assert_eq!(printed.as_bytes(), &reprinted[..]);
    Ok(())
}

/// The text of a value, printed by our own encoder.
fn text_of(type_name: &str, v: &Value) -> String {
    let ty = Type::by_name(type_name).unwrap();
    let mut out = Vec::new();
    v.encode(ty, Format::Text, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Any string PostgreSQL can hold in text: no NUL.
fn pg_string() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|s| s.replace('\0', ""))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn integers_and_floats(a in any::<i16>(), b in any::<i32>(), c in any::<i64>(), d in any::<u64>(), e in any::<u32>()) {
        stable("int2", &a.to_string())?;
        stable("int4", &b.to_string())?;
        stable("int8", &c.to_string())?;
        stable("float8", &text_of("float8", &Value::Float8(f64::from_bits(d))))?;
        stable("float4", &text_of("float4", &Value::Float4(f32::from_bits(e))))?;
    }

    #[test]
    fn numerics(text in "-?[0-9]{1,60}(\\.[0-9]{1,60})?([eE][-+]?[0-9]{1,3})?") {
        stable("numeric", &text)?;
    }

    #[test]
    fn dates_and_times(
        date in Date::MIN.0..=Date::MAX.0,
        ts in Timestamp::MIN.0..=Timestamp::MAX.0,
        time in 0i64..=86_400_000_000,
        offset in -57_599i32..=57_599,
        months in any::<i32>(), days in any::<i32>(), micros in (i64::MIN + 1)..=i64::MAX,
    ) {
        stable("date", &text_of("date", &Value::Date(Date(date))))?;
        stable("timestamp", &text_of("timestamp", &Value::Timestamp(Timestamp(ts))))?;
        stable("timestamptz", &text_of("timestamptz", &Value::TimestampTz(TimestampTz(ts))))?;
        stable("time", &text_of("time", &Value::Time(Time(time))))?;
        stable("timetz", &text_of("timetz", &Value::TimeTz(TimeTz { time: Time(time), offset })))?;
        stable("interval", &text_of("interval", &Value::Interval(Interval { months, days, micros })))?;
    }

    #[test]
    fn strings_bytes_and_json(s in pg_string(), bytes in any::<Vec<u8>>(), u in any::<[u8; 16]>()) {
        stable("text", &s)?;
        stable("bytea", &text_of("bytea", &Value::Bytea(bytes)))?;
        stable("uuid", &text_of("uuid", &Value::Uuid(Uuid(u))))?;
        let json = serde_json::json!({ "k": s, "n": [1, 2.5], s.clone(): null }).to_string();
        stable("jsonb", &json)?;
        stable("json", &json)?;
    }

    #[test]
    fn arrays(ints in proptest::collection::vec(proptest::option::of(any::<i32>()), 0..20),
              strings in proptest::collection::vec(proptest::option::of(pg_string()), 0..10)) {
        let a = Value::Array(Array::from_vec(ints.into_iter().map(|i| i.map(Value::Int4)).collect()));
        stable("_int4", &text_of("_int4", &a))?;
        let t = Value::Array(Array::from_vec(strings.into_iter().map(|s| s.map(Value::Text)).collect()));
        stable("_text", &text_of("_text", &t))?;
    }

    #[test]
    fn ranges(a in any::<i32>(), b in any::<i32>(), lo in "[\\[(]", hi in "[\\])]") {
        let (a, b) = (a.min(b), a.max(b));
        let text = format!("{lo}{a},{b}{hi}");
        if Value::decode(Type::by_name("int4range").unwrap(), Format::Text, text.as_bytes()).is_ok() {
            stable("int4range", &text)?;
            stable("int4multirange", &format!("{{{text},[{a},{a}]}}"))?;
        }
    }

    #[test]
    fn any_input_is_decoded_without_a_panic(pick in any::<usize>(), bytes in any::<Vec<u8>>()) {
        let types = Type::all();
        let ty = &types[pick % types.len()];
        let _ = Value::decode(ty, Format::Binary, &bytes);
        let _ = Value::decode(ty, Format::Text, &bytes);
    }
}
