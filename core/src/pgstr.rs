//! `PgStr`: protocol text, which is bytes in the client encoding and never contains NUL.

use core::fmt;

/// A protocol String without its NUL terminator.
///
/// The wire carries text in the client encoding, which need not be UTF-8, so this is a byte
/// string; [`PgStr::to_str`] validates it as UTF-8 when wanted. It never contains a NUL byte, so
/// encoding it is always well-formed.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PgStr<'a>(&'a [u8]);

/// A byte string could not become a [`PgStr`]: it contains a NUL byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("string contains a NUL byte at offset {0}")]
pub struct InteriorNul(pub usize);

impl<'a> PgStr<'a> {
    /// The empty string.
    pub const EMPTY: PgStr<'static> = PgStr(b"");

    /// Checks that `bytes` has no NUL.
    pub fn new(bytes: &'a [u8]) -> Result<Self, InteriorNul> {
        match bytes.iter().position(|&b| b == 0) {
            Some(at) => Err(InteriorNul(at)),
            None => Ok(Self(bytes)),
        }
    }

    /// A constant string; evaluating it in a `const` turns a NUL into a compile error.
    ///
    /// # Panics
    /// If `s` contains a NUL byte (at compile time when used in a constant).
    pub const fn from_static(s: &'static str) -> PgStr<'static> {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            assert!(b[i] != 0, "PgStr::from_static: string contains NUL");
            i += 1;
        }
        PgStr(b)
    }

    /// The bytes up to the first NUL (all of them if there is none): what a String field can
    /// carry of arbitrary text.
    pub fn until_nul(bytes: &'a [u8]) -> Self {
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        Self(bytes.get(..end).unwrap_or_default())
    }

    /// Wraps bytes already known to hold no NUL (the decoder checked them).
    pub(crate) const fn from_checked(bytes: &'a [u8]) -> Self {
        Self(bytes)
    }

    /// The raw bytes, without the terminator.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The text as UTF-8, if it is valid UTF-8.
    pub fn to_str(&self) -> Result<&'a str, core::str::Utf8Error> {
        core::str::from_utf8(self.0)
    }

    /// Length in bytes, without the terminator.
    pub const fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the string is empty.
    pub const fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Bytes this string takes on the wire, terminator included.
    pub(crate) const fn wire_len(&self) -> usize {
        self.0.len() + 1
    }
}

impl<'a> TryFrom<&'a str> for PgStr<'a> {
    type Error = InteriorNul;
    fn try_from(s: &'a str) -> Result<Self, InteriorNul> {
        Self::new(s.as_bytes())
    }
}

impl<'a> TryFrom<&'a [u8]> for PgStr<'a> {
    type Error = InteriorNul;
    fn try_from(s: &'a [u8]) -> Result<Self, InteriorNul> {
        Self::new(s)
    }
}

impl PartialEq<str> for PgStr<'_> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for PgStr<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl fmt::Debug for PgStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0.escape_ascii())
    }
}

impl fmt::Display for PgStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{FFFD}")?;
            }
        }
        Ok(())
    }
}
