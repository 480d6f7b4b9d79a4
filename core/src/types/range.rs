//! Ranges and multiranges of any subtype: the text forms (`[1,5)`, `empty`, `(,"a b"]`,
//! `{[1,3),[5,7)}`) as `range_in`/`range_out` and `multirange_in`/`multirange_out`, the binary
//! forms of `range_send` and `multirange_send`, and PostgreSQL's normalisation (discrete ranges
//! made `[a,b)`, multiranges sorted and merged).

use alloc::vec::Vec;
use core::cmp::Ordering;
use core::ops::Bound;

use super::TypeError;
use crate::buf::{BufferFull, WriteBuf};

/// What a range needs of its subtype: an order, and for discrete subtypes (`int4`, `int8`,
/// `date`) the next value, which makes their ranges canonical (`[1,5]` is `[1,6)`).
pub trait Subtype: Sized + Clone {
    /// The subtype's order (its B-tree comparison).
    fn compare(&self, other: &Self) -> Ordering;

    /// The next value, for a discrete subtype; `Ok(None)` for a continuous one or a value with
    /// nothing after it to step to (`infinity`); the type's overflow error at its end.
    fn successor(&self) -> Result<Option<Self>, TypeError> {
        Ok(None)
    }
}

impl Subtype for i32 {
    fn compare(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }

    fn successor(&self) -> Result<Option<Self>, TypeError> {
        self.checked_add(1)
            .map(Some)
            .ok_or(TypeError::out_of_range("integer", "integer out of range"))
    }
}

impl Subtype for i64 {
    fn compare(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }

    fn successor(&self) -> Result<Option<Self>, TypeError> {
        self.checked_add(1)
            .map(Some)
            .ok_or(TypeError::out_of_range("bigint", "bigint out of range"))
    }
}

/// A range value: empty, or two bounds, each inclusive, exclusive or unbounded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Range<T> {
    /// `empty`.
    Empty,
    /// The values between `lower` and `upper`.
    Bounds {
        /// The lower bound.
        lower: Bound<T>,
        /// The upper bound.
        upper: Bound<T>,
    },
}

/// The binary form's flag bits (`range_send`).
const EMPTY: u8 = 0x01;
const LB_INC: u8 = 0x02;
const UB_INC: u8 = 0x04;
const LB_INF: u8 = 0x08;
const UB_INF: u8 = 0x10;

/// `malformed range literal: "…"` with PostgreSQL's DETAIL.
const fn malformed(detail: &'static str) -> TypeError {
    TypeError::new("22P02", "malformed range literal: \"{input}\"", "range").with_detail(detail)
}

/// `malformed multirange literal: "…"` with PostgreSQL's DETAIL.
const fn malformed_multi(detail: &'static str) -> TypeError {
    TypeError::new(
        "22P02",
        "malformed multirange literal: \"{input}\"",
        "multirange",
    )
    .with_detail(detail)
}

/// The value a bound holds, if bounded.
fn bound_value<T>(b: &Bound<T>) -> Option<&T> {
    match b {
        Bound::Included(v) | Bound::Excluded(v) => Some(v),
        Bound::Unbounded => None,
    }
}

impl<T: Subtype> Range<T> {
    /// The range PostgreSQL makes of these bounds (`make_range`): lower above upper is an error
    /// (22000), a discrete range becomes `[a,b)`, and a range with no values becomes empty.
    pub fn new(lower: Bound<T>, upper: Bound<T>) -> Result<Self, TypeError> {
        if let (Some(l), Some(u)) = (bound_value(&lower), bound_value(&upper)) {
            if l.compare(u) == Ordering::Greater {
                return Err(TypeError::new(
                    "22000",
                    "range lower bound must be less than or equal to range upper bound",
                    "range",
                ));
            }
        }
        let lower = match lower {
            Bound::Excluded(v) => match v.successor()? {
                Some(next) => Bound::Included(next),
                None => Bound::Excluded(v),
            },
            b => b,
        };
        let upper = match upper {
            Bound::Included(v) => match v.successor()? {
                Some(next) => Bound::Excluded(next),
                None => Bound::Included(v),
            },
            b => b,
        };
        if let (Some(l), Some(u)) = (bound_value(&lower), bound_value(&upper)) {
            let both_inclusive =
                matches!(lower, Bound::Included(_)) && matches!(upper, Bound::Included(_));
            match l.compare(u) {
                Ordering::Greater => return Ok(Self::Empty),
                Ordering::Equal if !both_inclusive => return Ok(Self::Empty),
                _ => {}
            }
        }
        Ok(Self::Bounds { lower, upper })
    }

    /// Parses the text form as `range_in` does, each bound through `element`.
    pub fn decode_text(
        text: &str,
        mut element: impl FnMut(&str) -> Result<T, TypeError>,
    ) -> Result<Self, TypeError> {
        let Some(parsed) = parse_range(text.as_bytes())? else {
            return Ok(Self::Empty);
        };
        let bound = |b: Option<Vec<u8>>,
                     inclusive: bool,
                     element: &mut dyn FnMut(&str) -> Result<T, TypeError>| {
            Ok::<_, TypeError>(match b {
                None => Bound::Unbounded,
                Some(bytes) => {
                    let s =
                        core::str::from_utf8(&bytes).map_err(|_| TypeError::encoding("range"))?;
                    let v = element(s)?;
                    if inclusive {
                        Bound::Included(v)
                    } else {
                        Bound::Excluded(v)
                    }
                }
            })
        };
        let lower = bound(parsed.lower, parsed.lower_inc, &mut element)?;
        let upper = bound(parsed.upper, parsed.upper_inc, &mut element)?;
        Self::new(lower, upper)
    }

    /// Parses the binary form as `range_recv` does, each bound through `element`.
    pub fn decode_binary(
        bytes: &[u8],
        mut element: impl FnMut(&[u8]) -> Result<T, TypeError>,
    ) -> Result<Self, TypeError> {
        let (&flags, mut rest) = bytes
            .split_first()
            .ok_or(TypeError::insufficient("range"))?;
        if flags & !(EMPTY | LB_INC | UB_INC | LB_INF | UB_INF) != 0 {
            return Err(TypeError::new("22P03", "invalid range flags", "range"));
        }
        if flags & EMPTY != 0 {
            return if rest.is_empty() {
                Ok(Self::Empty)
            } else {
                Err(TypeError::binary("range"))
            };
        }
        let mut bound = |inf: u8, inc: u8| -> Result<Bound<T>, TypeError> {
            if flags & inf != 0 {
                return Ok(Bound::Unbounded);
            }
            let (len, tail) = rest
                .split_first_chunk::<4>()
                .ok_or(TypeError::insufficient("range"))?;
            let len = usize::try_from(i32::from_be_bytes(*len))
                .map_err(|_| TypeError::insufficient("range"))?;
            if tail.len() < len {
                return Err(TypeError::insufficient("range"));
            }
            let (value, tail) = tail.split_at(len);
            rest = tail;
            let v = element(value)?;
            Ok(if flags & inc != 0 {
                Bound::Included(v)
            } else {
                Bound::Excluded(v)
            })
        };
        let lower = bound(LB_INF, LB_INC)?;
        let upper = bound(UB_INF, UB_INC)?;
        if !rest.is_empty() {
            return Err(TypeError::binary("range"));
        }
        Self::new(lower, upper)
    }
}

impl<T> Range<T> {
    /// Writes the text form as `range_out` does, each bound's text through `element`.
    pub fn encode_text<B: WriteBuf + ?Sized>(
        &self,
        out: &mut B,
        mut element: impl FnMut(&T, &mut Vec<u8>) -> Result<(), BufferFull>,
    ) -> Result<(), BufferFull> {
        let Self::Bounds { lower, upper } = self else {
            return out.put_slice(b"empty");
        };
        out.put_u8(if matches!(lower, Bound::Included(_)) {
            b'['
        } else {
            b'('
        })?;
        let mut scratch = Vec::new();
        if let Some(v) = bound_value(lower) {
            element(v, &mut scratch)?;
            put_bound(out, &scratch)?;
        }
        out.put_u8(b',')?;
        if let Some(v) = bound_value(upper) {
            scratch.clear();
            element(v, &mut scratch)?;
            put_bound(out, &scratch)?;
        }
        out.put_u8(if matches!(upper, Bound::Included(_)) {
            b']'
        } else {
            b')'
        })
    }

    /// Writes the binary form as `range_send` does, each bound through `element`.
    pub fn encode_binary<B: WriteBuf + ?Sized>(
        &self,
        out: &mut B,
        mut element: impl FnMut(&T, &mut B) -> Result<(), BufferFull>,
    ) -> Result<(), BufferFull> {
        let Self::Bounds { lower, upper } = self else {
            return out.put_u8(EMPTY);
        };
        let flag = |b: &Bound<T>, inc: u8, inf: u8| match b {
            Bound::Included(_) => inc,
            Bound::Excluded(_) => 0,
            Bound::Unbounded => inf,
        };
        out.put_u8(flag(lower, LB_INC, LB_INF) | flag(upper, UB_INC, UB_INF))?;
        for v in [lower, upper].into_iter().filter_map(bound_value) {
            super::put_length_prefixed(out, |o| element(v, o))?;
        }
        Ok(())
    }
}

/// Writes a bound's text, quoted as `range_out` quotes it (quotes and backslashes doubled).
fn put_bound<B: WriteBuf + ?Sized>(out: &mut B, text: &[u8]) -> Result<(), BufferFull> {
    let needs_quotes = text.is_empty()
        || text.iter().any(|&b| {
            matches!(b, b'"' | b'\\' | b'(' | b')' | b'[' | b']' | b',') || b.is_ascii_whitespace()
        });
    if !needs_quotes {
        return out.put_slice(text);
    }
    out.put_u8(b'"')?;
    for &b in text {
        if b == b'"' || b == b'\\' {
            out.put_u8(b)?;
        }
        out.put_u8(b)?;
    }
    out.put_u8(b'"')
}

/// A range literal taken apart: each bound's unquoted text (`None`: unbounded), inclusivity.
struct ParsedRange {
    lower: Option<Vec<u8>>,
    upper: Option<Vec<u8>>,
    lower_inc: bool,
    upper_inc: bool,
}

/// Parses `range_in`'s grammar; `None` for `empty`.
fn parse_range(input: &[u8]) -> Result<Option<ParsedRange>, TypeError> {
    let mut p = 0;
    while input.get(p).is_some_and(u8::is_ascii_whitespace) {
        p += 1;
    }
    if input.len() >= p + 5 && input[p..p + 5].eq_ignore_ascii_case(b"empty") {
        return if input[p + 5..].iter().all(u8::is_ascii_whitespace) {
            Ok(None)
        } else {
            Err(malformed("Junk after \"empty\" key word."))
        };
    }
    let lower_inc = match input.get(p) {
        Some(b'[') => true,
        Some(b'(') => false,
        _ => return Err(malformed("Missing left parenthesis or bracket.")),
    };
    p += 1;
    let lower = parse_bound(input, &mut p)?;
    if input.get(p) != Some(&b',') {
        return Err(malformed("Missing comma after lower bound."));
    }
    p += 1;
    let upper = parse_bound(input, &mut p)?;
    let upper_inc = match input.get(p) {
        Some(b']') => true,
        Some(b')') => false,
        Some(b',') => return Err(malformed("Too many commas.")),
        _ => return Err(malformed("Missing right parenthesis or bracket.")),
    };
    p += 1;
    if !input[p..].iter().all(u8::is_ascii_whitespace) {
        return Err(malformed("Junk after right parenthesis or bracket."));
    }
    // An unbounded side is never inclusive.
    Ok(Some(ParsedRange {
        lower_inc: lower_inc && lower.is_some(),
        upper_inc: upper_inc && upper.is_some(),
        lower,
        upper,
    }))
}

/// Reads one bound up to `,`, `)` or `]` outside quotes; nothing at all means unbounded.
fn parse_bound(input: &[u8], p: &mut usize) -> Result<Option<Vec<u8>>, TypeError> {
    if matches!(input.get(*p), Some(b',' | b')' | b']')) {
        return Ok(None);
    }
    let mut out = Vec::new();
    let mut quoted = false;
    loop {
        let Some(&c) = input.get(*p) else {
            return Err(malformed("Unexpected end of input."));
        };
        if !quoted && matches!(c, b',' | b')' | b']') {
            return Ok(Some(out));
        }
        *p += 1;
        match c {
            b'\\' => {
                let &next = input.get(*p).ok_or(malformed("Unexpected end of input."))?;
                out.push(next);
                *p += 1;
            }
            b'"' if !quoted => quoted = true,
            b'"' if input.get(*p) == Some(&b'"') => {
                out.push(b'"');
                *p += 1;
            }
            b'"' => quoted = false,
            _ => out.push(c),
        }
    }
}

/// A multirange: its ranges, non-empty, sorted and with no two overlapping or adjacent (as
/// PostgreSQL keeps them).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Multirange<T>(Vec<Range<T>>);

/// Orders ranges by lower bound, then upper bound (`range_cmp`).
fn compare_ranges<T: Subtype>(a: &Range<T>, b: &Range<T>) -> Ordering {
    let (
        Range::Bounds {
            lower: al,
            upper: au,
        },
        Range::Bounds {
            lower: bl,
            upper: bu,
        },
    ) = (a, b)
    else {
        return matches!(b, Range::Empty)
            .cmp(&matches!(a, Range::Empty))
            .reverse();
    };
    compare_bounds(al, bl, true).then_with(|| compare_bounds(au, bu, false))
}

/// Orders two lower (or two upper) bounds: unbounded first (last), and at equal values an
/// inclusive lower bound before an exclusive one (after, for upper bounds).
fn compare_bounds<T: Subtype>(a: &Bound<T>, b: &Bound<T>, lower: bool) -> Ordering {
    let rank = |b: &Bound<T>| match (b, lower) {
        (Bound::Included(_) | Bound::Unbounded, _) => 0,
        (Bound::Excluded(_), true) => 1,
        (Bound::Excluded(_), false) => -1,
    };
    match (bound_value(a), bound_value(b)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => {
            if lower {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (Some(_), None) => {
            if lower {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Some(x), Some(y)) => x.compare(y).then(rank(a).cmp(&rank(b))),
    }
}

/// Whether range `a` (sorted before `b`) touches or overlaps `b`, so the two merge.
fn touches<T: Subtype>(a_upper: &Bound<T>, b_lower: &Bound<T>) -> bool {
    match (bound_value(a_upper), bound_value(b_lower)) {
        (None, _) | (_, None) => true,
        (Some(u), Some(l)) => match u.compare(l) {
            Ordering::Greater => true,
            Ordering::Less => false,
            // Equal values: they meet unless both bounds exclude the point.
            Ordering::Equal => {
                matches!(a_upper, Bound::Included(_)) || matches!(b_lower, Bound::Included(_))
            }
        },
    }
}

impl<T: Subtype> Multirange<T> {
    /// The multirange of these ranges, normalised as `multirange_in` does.
    pub fn new(ranges: Vec<Range<T>>) -> Self {
        let mut ranges: Vec<Range<T>> = ranges
            .into_iter()
            .filter(|r| !matches!(r, Range::Empty))
            .collect();
        ranges.sort_by(compare_ranges);
        let mut merged: Vec<Range<T>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            let Range::Bounds { lower, upper } = r else {
                continue;
            };
            if let Some(Range::Bounds {
                upper: last_upper, ..
            }) = merged.last_mut()
            {
                if touches(last_upper, &lower) {
                    if compare_bounds(&upper, last_upper, false) == Ordering::Greater {
                        *last_upper = upper;
                    }
                    continue;
                }
            }
            merged.push(Range::Bounds { lower, upper });
        }
        Self(merged)
    }

    /// Parses the text form as `multirange_in` does, each bound through `element`.
    pub fn decode_text(
        text: &str,
        mut element: impl FnMut(&str) -> Result<T, TypeError>,
    ) -> Result<Self, TypeError> {
        let input = text.as_bytes();
        let mut p = 0;
        let skip = |p: &mut usize| {
            while input.get(*p).is_some_and(u8::is_ascii_whitespace) {
                *p += 1;
            }
        };
        skip(&mut p);
        if input.get(p) != Some(&b'{') {
            return Err(malformed_multi("Missing left brace."));
        }
        p += 1;
        skip(&mut p);
        let mut ranges = Vec::new();
        if input.get(p) == Some(&b'}') {
            p += 1;
        } else {
            loop {
                skip(&mut p);
                let start = p;
                let end = range_end(input, p).ok_or(malformed_multi("Expected range start."))?;
                let literal = core::str::from_utf8(&input[start..end])
                    .map_err(|_| TypeError::encoding("multirange"))?;
                ranges.push(Range::decode_text(literal, &mut element)?);
                p = end;
                skip(&mut p);
                match input.get(p) {
                    Some(b',') => p += 1,
                    Some(b'}') => {
                        p += 1;
                        break;
                    }
                    _ => return Err(malformed_multi("Expected comma or end of multirange.")),
                }
            }
        }
        if !input[p..].iter().all(u8::is_ascii_whitespace) {
            return Err(malformed_multi("Junk after closing right brace."));
        }
        Ok(Self::new(ranges))
    }

    /// Parses the binary form as `multirange_recv` does.
    pub fn decode_binary(
        bytes: &[u8],
        mut element: impl FnMut(&[u8]) -> Result<T, TypeError>,
    ) -> Result<Self, TypeError> {
        let (count, mut rest) = bytes
            .split_first_chunk::<4>()
            .ok_or(TypeError::insufficient("multirange"))?;
        let count = u32::from_be_bytes(*count);
        let mut ranges = Vec::new();
        for _ in 0..count {
            let (len, tail) = rest
                .split_first_chunk::<4>()
                .ok_or(TypeError::insufficient("multirange"))?;
            let len = usize::try_from(i32::from_be_bytes(*len))
                .map_err(|_| TypeError::insufficient("multirange"))?;
            if tail.len() < len {
                return Err(TypeError::insufficient("multirange"));
            }
            let (range, tail) = tail.split_at(len);
            ranges.push(Range::decode_binary(range, &mut element)?);
            rest = tail;
        }
        if !rest.is_empty() {
            return Err(TypeError::binary("multirange"));
        }
        Ok(Self::new(ranges))
    }
}

/// Where the range literal starting at `p` ends: after `empty`, or after the bracket closing
/// it outside quotes.
fn range_end(input: &[u8], p: usize) -> Option<usize> {
    let rest = &input[p..];
    if rest.len() >= 5 && rest[..5].eq_ignore_ascii_case(b"empty") {
        return Some(p + 5);
    }
    if !matches!(rest.first(), Some(b'[' | b'(')) {
        return None;
    }
    let mut quoted = false;
    let mut i = 1;
    while let Some(&c) = rest.get(i) {
        match c {
            b'\\' => i += 1,
            b'"' => quoted = !quoted,
            b']' | b')' if !quoted => return Some(p + i + 1),
            _ => {}
        }
        i += 1;
    }
    Some(input.len())
}

impl<T> Multirange<T> {
    /// The ranges, sorted.
    pub fn ranges(&self) -> &[Range<T>] {
        &self.0
    }

    /// Writes the text form as `multirange_out` does.
    pub fn encode_text<B: WriteBuf + ?Sized>(
        &self,
        out: &mut B,
        mut element: impl FnMut(&T, &mut Vec<u8>) -> Result<(), BufferFull>,
    ) -> Result<(), BufferFull> {
        out.put_u8(b'{')?;
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                out.put_u8(b',')?;
            }
            r.encode_text(out, &mut element)?;
        }
        out.put_u8(b'}')
    }

    /// Writes the binary form as `multirange_send` does.
    pub fn encode_binary<B: WriteBuf + ?Sized>(
        &self,
        out: &mut B,
        mut element: impl FnMut(&T, &mut B) -> Result<(), BufferFull>,
    ) -> Result<(), BufferFull> {
        out.put_u32(self.0.len() as u32)?;
        for r in &self.0 {
            super::put_length_prefixed(out, |o| r.encode_binary(o, &mut element))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::test_prelude::*;
    use crate::types::Codec;

    fn text<T: Codec>(r: &Range<T>) -> String {
        let mut o = Vec::new();
        r.encode_text(&mut o, Codec::encode_text).unwrap();
        String::from_utf8(o).unwrap()
    }

    fn int4(s: &str) -> Result<Range<i32>, TypeError> {
        Range::decode_text(s, i32::decode_text)
    }

    #[test]
    fn text_as_postgresql() {
        for (input, output) in [
            ("[1,5]", "[1,6)"),
            ("(1,5)", "[2,5)"),
            ("[,5]", "(,6)"),
            ("(,)", "(,)"),
            ("[5,5)", "empty"),
            (" empty ", "empty"),
            ("[ 1, 2)", "[1,2)"),
        ] {
            assert_eq!(text(&int4(input).unwrap()), output, "{input}");
        }
        let s: Range<String> = Range::Bounds {
            lower: Bound::Included("a b".into()),
            upper: Bound::Excluded("x\"y".into()),
        };
        assert_eq!(text(&s), r#"["a b","x""y")"#);
        let parsed = parse_range(text(&s).as_bytes()).unwrap().unwrap();
        assert_eq!(parsed.lower.as_deref(), Some(&b"a b"[..]));
        assert_eq!(parsed.upper.as_deref(), Some(&b"x\"y"[..]));
    }

    #[test]
    fn malformed_as_postgresql() {
        for (input, detail) in [
            ("[1,2", "Unexpected end of input."),
            ("emptyx", "Junk after \"empty\" key word."),
            ("[1,2,3]", "Too many commas."),
            ("[1,2]x", "Junk after right parenthesis or bracket."),
            ("1,2]", "Missing left parenthesis or bracket."),
        ] {
            let e = int4(input).unwrap_err();
            assert_eq!(
                (e.code, e.message(input), e.detail),
                (
                    "22P02",
                    format!("malformed range literal: \"{input}\""),
                    detail
                )
            );
        }
        let e = int4("[5,1]").unwrap_err();
        assert_eq!(
            (e.code, e.message("")),
            (
                "22000",
                "range lower bound must be less than or equal to range upper bound".into()
            )
        );
        assert_eq!(int4("[\"\",1]").unwrap_err().code, "22P02");
        assert_eq!(int4("[1,2147483647]").unwrap_err().code, "22003");
    }

    #[test]
    fn binary_as_range_send() {
        for (input, hex) in [
            ("[1,5]", "0200000004000000010000000400000006"),
            ("empty", "01"),
            ("(,5)", "080000000400000005"),
        ] {
            let r = int4(input).unwrap();
            let mut b = Vec::new();
            r.encode_binary(&mut b, Codec::encode_binary).unwrap();
            let got: String = b.iter().fold(String::new(), |h, x| h + &format!("{x:02x}"));
            assert_eq!(got, hex);
            assert_eq!(Range::decode_binary(&b, i32::decode_binary), Ok(r));
        }
        assert_eq!(
            Range::decode_binary(&[0x80], i32::decode_binary)
                .unwrap_err()
                .code,
            "22P03"
        );
    }

    #[test]
    fn multiranges_sort_and_merge() {
        let m = Multirange::decode_text("{[1,3), [3,5), empty, (7,9)}", i32::decode_text).unwrap();
        let mut o = Vec::new();
        m.encode_text(&mut o, Codec::encode_text).unwrap();
        assert_eq!(o, b"{[1,5),[8,9)}");
        let m = Multirange::decode_text(" {} ", i32::decode_text).unwrap();
        assert!(m.ranges().is_empty());
        for (input, detail) in [
            ("{[1,2] x}", "Expected comma or end of multirange."),
            ("[1,2]", "Missing left brace."),
            ("{[1,2],}", "Expected range start."),
        ] {
            let e = Multirange::decode_text(input, i32::decode_text).unwrap_err();
            assert_eq!(e.detail, detail, "{input}");
        }
        let m = Multirange::decode_text("{[5,7),[1,3)}", i32::decode_text).unwrap();
        let mut b = Vec::new();
        m.encode_binary(&mut b, Codec::encode_binary).unwrap();
        let hex: String = b.iter().fold(String::new(), |h, x| h + &format!("{x:02x}"));
        assert_eq!(hex, "00000002000000110200000004000000010000000400000003000000110200000004000000050000000400000007");
        assert_eq!(Multirange::decode_binary(&b, i32::decode_binary), Ok(m));
    }
}
