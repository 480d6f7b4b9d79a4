//! `serde_json::Value` ⇄ [`Json`] and [`Jsonb`], through the JSON text.

use alloc::string::ToString;

use crate::types::json::{Json, Jsonb};
use crate::types::{Codec, TypeError};

/// serde_json refused JSON that PostgreSQL accepted (a number beyond `f64`, without its
/// `arbitrary_precision` feature).
const NOT_FOR_SERDE: TypeError = TypeError::new(
    "22P02",
    "the JSON value does not fit serde_json::Value",
    "json",
);

impl TryFrom<&::serde_json::Value> for Jsonb {
    type Error = TypeError;

    fn try_from(v: &::serde_json::Value) -> Result<Self, TypeError> {
        Jsonb::decode_text(&v.to_string())
    }
}

impl TryFrom<&::serde_json::Value> for Json {
    type Error = TypeError;

    fn try_from(v: &::serde_json::Value) -> Result<Self, TypeError> {
        Json::decode_text(&v.to_string())
    }
}

impl TryFrom<&Jsonb> for ::serde_json::Value {
    type Error = TypeError;

    fn try_from(v: &Jsonb) -> Result<Self, TypeError> {
        let mut text = alloc::vec::Vec::new();
        v.encode_text(&mut text).map_err(|_| NOT_FOR_SERDE)?;
        ::serde_json::from_slice(&text).map_err(|_| NOT_FOR_SERDE)
    }
}

impl TryFrom<&Json> for ::serde_json::Value {
    type Error = TypeError;

    fn try_from(v: &Json) -> Result<Self, TypeError> {
        ::serde_json::from_str(v.as_str()).map_err(|_| NOT_FOR_SERDE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn through_the_text() {
        let v = ::serde_json::json!({"b": [1, 2.5, null], "a": "é\n"});
        let b = Jsonb::try_from(&v).unwrap();
        assert_eq!(::serde_json::Value::try_from(&b).unwrap(), v);
        let j = Json::try_from(&v).unwrap();
        assert_eq!(::serde_json::Value::try_from(&j).unwrap(), v);
    }
}
