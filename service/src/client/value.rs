//! Typed parameters (sent in binary) and typed results (read from text), for the common
//! built-in types.

use super::Error;

/// Type OIDs used here.
pub mod oid {
    /// bool
    pub const BOOL: u32 = 16;
    /// bytea
    pub const BYTEA: u32 = 17;
    /// int8
    pub const INT8: u32 = 20;
    /// int2
    pub const INT2: u32 = 21;
    /// int4
    pub const INT4: u32 = 23;
    /// text
    pub const TEXT: u32 = 25;
    /// float4
    pub const FLOAT4: u32 = 700;
    /// float8
    pub const FLOAT8: u32 = 701;
}

/// A value that can be a query parameter (binary format).
pub trait ToParam {
    /// The PostgreSQL type OID (0 lets the server infer it).
    fn type_oid(&self) -> u32;
    /// Appends the binary value to `out`; returns false for NULL.
    fn encode(&self, out: &mut Vec<u8>) -> bool;
}

macro_rules! be_param {
    ($t:ty, $oid:expr) => {
        impl ToParam for $t {
            fn type_oid(&self) -> u32 {
                $oid
            }
            fn encode(&self, out: &mut Vec<u8>) -> bool {
                out.extend_from_slice(&self.to_be_bytes());
                true
            }
        }
    };
}
be_param!(i16, oid::INT2);
be_param!(i32, oid::INT4);
be_param!(i64, oid::INT8);
be_param!(f32, oid::FLOAT4);
be_param!(f64, oid::FLOAT8);

impl ToParam for bool {
    fn type_oid(&self) -> u32 {
        oid::BOOL
    }
    fn encode(&self, out: &mut Vec<u8>) -> bool {
        out.push(u8::from(*self));
        true
    }
}

impl ToParam for str {
    fn type_oid(&self) -> u32 {
        oid::TEXT
    }
    fn encode(&self, out: &mut Vec<u8>) -> bool {
        out.extend_from_slice(self.as_bytes());
        true
    }
}

impl ToParam for String {
    fn type_oid(&self) -> u32 {
        oid::TEXT
    }
    fn encode(&self, out: &mut Vec<u8>) -> bool {
        self.as_str().encode(out)
    }
}

impl ToParam for [u8] {
    fn type_oid(&self) -> u32 {
        oid::BYTEA
    }
    fn encode(&self, out: &mut Vec<u8>) -> bool {
        out.extend_from_slice(self);
        true
    }
}

impl ToParam for Vec<u8> {
    fn type_oid(&self) -> u32 {
        oid::BYTEA
    }
    fn encode(&self, out: &mut Vec<u8>) -> bool {
        self.as_slice().encode(out)
    }
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn type_oid(&self) -> u32 {
        (**self).type_oid()
    }
    fn encode(&self, out: &mut Vec<u8>) -> bool {
        (**self).encode(out)
    }
}

impl<T: ToParam + Default> ToParam for Option<T> {
    fn type_oid(&self) -> u32 {
        match self {
            Some(v) => v.type_oid(),
            None => T::default().type_oid(),
        }
    }
    fn encode(&self, out: &mut Vec<u8>) -> bool {
        self.as_ref().is_some_and(|v| v.encode(out))
    }
}

/// A value read from a result column (text format).
pub trait FromValue: Sized {
    /// Converts the column's text, `None` for NULL.
    fn from_text(text: Option<&str>) -> Result<Self, Error>;
}

fn not_null<'a>(text: Option<&'a str>, what: &str) -> Result<&'a str, Error> {
    text.ok_or_else(|| Error::Conversion(format!("NULL read as {what}")))
}

macro_rules! parsed {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_text(text: Option<&str>) -> Result<Self, Error> {
                let s = not_null(text, stringify!($t))?;
                s.parse().map_err(|_| Error::Conversion(format!("{s:?} is not a {}", stringify!($t))))
            }
        }
    )*};
}
parsed!(i16, i32, i64, u32, f32, f64);

impl FromValue for bool {
    fn from_text(text: Option<&str>) -> Result<Self, Error> {
        match not_null(text, "bool")? {
            "t" | "true" => Ok(true),
            "f" | "false" => Ok(false),
            s => Err(Error::Conversion(format!("{s:?} is not a bool"))),
        }
    }
}

impl FromValue for String {
    fn from_text(text: Option<&str>) -> Result<Self, Error> {
        Ok(not_null(text, "String")?.to_owned())
    }
}

impl FromValue for Vec<u8> {
    /// bytea in hex output (`\x…`).
    fn from_text(text: Option<&str>) -> Result<Self, Error> {
        let s = not_null(text, "bytea")?;
        let hex = s
            .strip_prefix("\\x")
            .ok_or_else(|| Error::Conversion(format!("{s:?} is not hex bytea")))?;
        let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        hex.as_bytes()
            .chunks(2)
            .map(|p| match p {
                [a, b] => Some(digit(*a)? << 4 | digit(*b)?),
                _ => None,
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| Error::Conversion(format!("{s:?} is not hex bytea")))
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_text(text: Option<&str>) -> Result<Self, Error> {
        text.map(|t| T::from_text(Some(t))).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_encode_in_binary() {
        let mut out = Vec::new();
        assert!(5i32.encode(&mut out));
        assert_eq!(out, [0, 0, 0, 5]);
        out.clear();
        assert!(!None::<i64>.encode(&mut out));
        assert_eq!(None::<i64>.type_oid(), oid::INT8);
        assert!("hé".encode(&mut out));
        assert_eq!(out, "hé".as_bytes());
    }

    #[test]
    fn results_parse_from_text() {
        assert_eq!(i32::from_text(Some("-12")).unwrap(), -12);
        assert!(i32::from_text(None).is_err());
        assert!(i16::from_text(Some("70000")).is_err());
        assert_eq!(Option::<i32>::from_text(None).unwrap(), None);
        assert!(bool::from_text(Some("t")).unwrap());
        assert_eq!(Vec::<u8>::from_text(Some("\\x00ff")).unwrap(), [0, 255]);
        assert!(Vec::<u8>::from_text(Some("\\x0")).is_err());
    }
}
