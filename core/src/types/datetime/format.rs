//! Text output without `core::fmt`: the date/time types write their digits into a [`TextBuf`]
//! on the stack, which `encode_text` then appends in one slice and `Display` writes as one `&str`.

use super::calendar::{j2date, split_time};
use crate::buf::{BufferFull, WriteBuf};

/// Room for the longest text written here: a timestamp from any `i64` at any `i32` zone (a
/// 12-digit year, 22 bytes of date and time, a 13-byte zone, ` BC`) or an interval's time part.
const CAP: usize = 64;

/// ASCII text built on the stack.
pub(crate) struct TextBuf {
    /// The bytes, `len` of them written.
    bytes: [u8; CAP],
    /// Bytes written.
    len: usize,
}

impl TextBuf {
    /// An empty buffer.
    pub(crate) const fn new() -> Self {
        Self {
            bytes: [0; CAP],
            len: 0,
        }
    }

    /// The text written so far.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// The text written so far, as a `str` (it is ASCII).
    pub(crate) fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// Appends the text to `out`, all or nothing.
    pub(crate) fn put<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_slice(self.as_bytes())
    }

    /// Appends one byte (`CAP` leaves room for every text written here).
    pub(crate) fn push(&mut self, b: u8) {
        self.push_bytes(&[b]);
    }

    /// Appends ASCII text.
    pub(crate) fn push_str(&mut self, s: &str) {
        self.push_bytes(s.as_bytes());
    }

    /// Appends bytes (`CAP` leaves room for every text written here).
    fn push_bytes(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        if let Some(slots) = self.bytes.get_mut(self.len..end) {
            slots.copy_from_slice(bytes);
            self.len = end;
        }
    }

    /// Appends the last `N` decimal digits of `value`.
    fn push_fixed<const N: usize>(&mut self, value: u32) {
        let mut digits = [0u8; N];
        let mut rest = value;
        for slot in digits.iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        self.push_bytes(&digits);
    }

    /// Appends `value` in decimal, zero-padded to at least `width` digits.
    pub(crate) fn push_padded(&mut self, value: u64, width: usize) {
        // The usual widths and values first: months, days, times, years, microseconds.
        match (width, value) {
            (2, 0..=99) => return self.push_fixed::<2>(value as u32),
            (4, 0..=9999) => return self.push_fixed::<4>(value as u32),
            (6, 0..=999_999) => return self.push_fixed::<6>(value as u32),
            _ => {}
        }
        let len = value.checked_ilog10().map_or(1, |log| log as usize + 1);
        let end = self.len + len.max(width);
        let Some(slots) = self.bytes.get_mut(self.len..end) else {
            return;
        };
        // Right to left; once `rest` is 0 the padding zeros follow.
        let mut rest = value;
        for slot in slots.iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        self.len = end;
    }

    /// Appends a year as PostgreSQL does: at least four digits, BC years counted from 1 (the
    /// caller appends ` BC` when `year <= 0`).
    pub(crate) fn push_year(&mut self, year: i64) {
        let shown = if year > 0 { year } else { 1 - year };
        self.push_padded(shown.unsigned_abs(), 4);
    }

    /// Appends the date of a Julian day as `YYYY-MM-DD` and returns its year (BC when `<= 0`).
    pub(crate) fn push_date(&mut self, julian_day: i64) -> i64 {
        let (year, month, day) = j2date(julian_day);
        self.push_year(year);
        self.push(b'-');
        self.push_padded(month.unsigned_abs(), 2);
        self.push(b'-');
        self.push_padded(day.unsigned_abs(), 2);
        year
    }

    /// Appends microseconds (of a day, or of an interval, signs dropped) as
    /// `HH:MM:SS[.ffffff]`.
    pub(crate) fn push_time(&mut self, micros: i64) {
        let (hour, min, sec, usec) = split_time(micros);
        self.push_padded(hour.unsigned_abs(), 2);
        self.push(b':');
        self.push_padded(min.unsigned_abs(), 2);
        self.push(b':');
        self.push_seconds(sec, usec);
    }

    /// Appends seconds as two digits and, when nonzero, the microseconds without trailing
    /// zeros (PostgreSQL's `AppendSeconds` with precision 6); signs are dropped.
    pub(crate) fn push_seconds(&mut self, sec: i64, usec: i64) {
        self.push_padded(sec.unsigned_abs(), 2);
        let frac = usec.unsigned_abs();
        if frac == 0 {
            return;
        }
        self.push(b'.');
        self.push_padded(frac, 6);
        while self.as_bytes().last() == Some(&b'0') {
            self.len -= 1;
        }
    }

    /// Appends a zone given in seconds west of UTC as PostgreSQL prints it: `+02`, `+05:30`,
    /// `-03:00:15` (`EncodeTimezone`).
    pub(crate) fn push_zone(&mut self, west: i64) {
        let total = west.unsigned_abs();
        let (hour, min, sec) = (total / 3600, total / 60 % 60, total % 60);
        self.push(if west <= 0 { b'+' } else { b'-' });
        self.push_padded(hour, 2);
        if min != 0 || sec != 0 {
            self.push(b':');
            self.push_padded(min, 2);
        }
        if sec != 0 {
            self.push(b':');
            self.push_padded(sec, 2);
        }
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::TextBuf;
    use alloc::format;

    #[test]
    fn numbers_match_fmt_padding() {
        for value in [0, 1, 9, 10, 99, 100, 999, 1000, 12345, u64::MAX] {
            for width in [0, 1, 2, 4, 6, 25] {
                let mut buf = TextBuf::new();
                buf.push_padded(value, width);
                assert_eq!(buf.as_str(), format!("{value:0width$}"));
            }
        }
    }

    #[test]
    fn seconds_drop_trailing_zeros() {
        for (sec, usec, want) in [
            (0, 0, "00"),
            (5, 500_000, "05.5"),
            (59, 123_456, "59.123456"),
            (7, 10, "07.00001"),
            (-3, -120_000, "03.12"),
        ] {
            let mut buf = TextBuf::new();
            buf.push_seconds(sec, usec);
            assert_eq!(buf.as_str(), want);
        }
    }

    #[test]
    fn zones() {
        for (west, want) in [
            (0, "+00"),
            (-7200, "+02"),
            (-19800, "+05:30"),
            (10815, "-03:00:15"),
            (i64::from(i32::MIN), "+596523:14:08"),
        ] {
            let mut buf = TextBuf::new();
            buf.push_zone(west);
            assert_eq!(buf.as_str(), want);
        }
    }
}
