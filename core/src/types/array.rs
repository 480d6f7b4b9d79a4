//! Arrays of any element type: the text form (`{1,2}`, `[0:1]={a,"b c"}`, `{{1,2},{3,4}}`,
//! NULL elements, quoting) as `array_in`/`array_out`, and the binary form of `array_send`.

use alloc::vec::Vec;

use super::{Oid, TypeError};
use crate::buf::{BufferFull, WriteBuf};

/// The most dimensions an array may have (PostgreSQL's MAXDIM).
pub const MAX_DIMENSIONS: usize = 6;

/// One dimension of an array: its length and the subscript of its first element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dimension {
    /// How many elements along this dimension (at least 1).
    pub len: i32,
    /// The subscript of the first element (1 unless set otherwise).
    pub lower: i32,
}

/// An array: its dimensions and its elements in row-major order (`None` is NULL). The product of
/// the dimensions' lengths is always the number of elements; an empty array has no dimensions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Array<T> {
    dims: Vec<Dimension>,
    elements: Vec<Option<T>>,
}

/// `malformed array literal: "…"` with PostgreSQL's DETAIL.
const fn malformed(detail: &'static str) -> TypeError {
    TypeError::new("22P02", "malformed array literal: \"{input}\"", "array").with_detail(detail)
}

/// More than [`MAX_DIMENSIONS`] dimensions.
const TOO_MANY_DIMS: TypeError = TypeError::new(
    "54000",
    "number of array dimensions exceeds the maximum allowed (6)",
    "array",
);

impl<T> Array<T> {
    /// An empty array (no dimensions, no elements), as `'{}'`.
    pub const fn empty() -> Self {
        Self {
            dims: Vec::new(),
            elements: Vec::new(),
        }
    }

    /// A one-dimensional array with lower bound 1.
    pub fn from_vec(elements: Vec<Option<T>>) -> Self {
        if elements.is_empty() {
            return Self::empty();
        }
        let len = i32::try_from(elements.len()).unwrap_or(i32::MAX);
        Self {
            dims: alloc::vec![Dimension { len, lower: 1 }],
            elements,
        }
    }

    /// An array of these dimensions and elements; `None` unless the elements fill the dimensions
    /// exactly, there are at most six, and every upper bound fits an `int4`.
    pub fn new(dims: Vec<Dimension>, elements: Vec<Option<T>>) -> Option<Self> {
        if dims.is_empty() {
            return elements.is_empty().then(Self::empty);
        }
        let mut count: usize = 1;
        for d in &dims {
            let ok = d.len > 0 && d.lower.checked_add(d.len - 1).is_some();
            count = count.checked_mul(usize::try_from(d.len).ok()?)?;
            if !ok {
                return None;
            }
        }
        (dims.len() <= MAX_DIMENSIONS && count == elements.len()).then_some(Self { dims, elements })
    }

    /// The dimensions, outermost first; none for an empty array.
    pub fn dimensions(&self) -> &[Dimension] {
        &self.dims
    }

    /// The elements in row-major order.
    pub fn elements(&self) -> &[Option<T>] {
        &self.elements
    }

    /// The elements, taken out.
    pub fn into_elements(self) -> Vec<Option<T>> {
        self.elements
    }

    /// The same array with every element converted.
    pub fn try_map<U, E>(self, mut f: impl FnMut(T) -> Result<U, E>) -> Result<Array<U>, E> {
        let elements = self
            .elements
            .into_iter()
            .map(|e| e.map(&mut f).transpose())
            .collect::<Result<_, _>>()?;
        Ok(Array {
            dims: self.dims,
            elements,
        })
    }

    /// Parses the text form as `array_in` does, each element through `element` (which gets the
    /// element's text with quotes and escapes removed); `delim` is the element type's delimiter
    /// (`,`, or `;` for `box`).
    pub fn decode_text(
        text: &str,
        delim: u8,
        mut element: impl FnMut(&str) -> Result<T, TypeError>,
    ) -> Result<Self, TypeError> {
        let parsed = parse_text(text.as_bytes(), delim)?;
        let mut elements = Vec::with_capacity(parsed.items.len());
        for item in &parsed.items {
            let utf8 = || TypeError::encoding("array");
            elements.push(match item {
                Item::Null => None,
                // Input ranges start and end at ASCII bytes: always character boundaries.
                Item::Input(range) => Some(element(text.get(range.clone()).ok_or_else(utf8)?)?),
                Item::Copied(range) => {
                    let bytes = &parsed.text[range.clone()];
                    Some(element(core::str::from_utf8(bytes).map_err(|_| utf8())?)?)
                }
            });
        }
        Ok(Self {
            dims: parsed.dims,
            elements,
        })
    }

    /// Writes the text form as `array_out` does, each element's text through `element`.
    pub fn encode_text<B: WriteBuf + ?Sized>(
        &self,
        out: &mut B,
        delim: u8,
        mut element: impl FnMut(&T, &mut B) -> Result<(), BufferFull>,
    ) -> Result<(), BufferFull> {
        if self.dims.iter().any(|d| d.lower != 1) {
            for d in &self.dims {
                super::write_display(out, format_args!("[{}:{}]", d.lower, d.lower + (d.len - 1)))?;
            }
            out.put_u8(b'=')?;
        }
        if self.dims.is_empty() {
            return out.put_slice(b"{}");
        }
        // position[d]: the index of the current element along dimension d.
        let mut position = [0i32; MAX_DIMENSIONS];
        let n = self.dims.len();
        for _ in 0..n {
            out.put_u8(b'{')?;
        }
        for item in &self.elements {
            match item {
                None => out.put_slice(b"NULL")?,
                Some(v) => {
                    // Written in place; quoted afterwards in the rare case it needs it.
                    let start = out.written();
                    element(v, out)?;
                    if needs_quotes(&out.written_mut()[start..], delim) {
                        let text = out.written_mut()[start..].to_vec();
                        out.truncate(start);
                        put_quoted(out, &text)?;
                    }
                }
            }
            // Step to the next element, closing the sub-arrays that end here.
            let mut open = n;
            while open > 0 {
                position[open - 1] += 1;
                if position[open - 1] < self.dims[open - 1].len {
                    break;
                }
                position[open - 1] = 0;
                out.put_u8(b'}')?;
                open -= 1;
            }
            if open > 0 {
                out.put_u8(delim)?;
                for _ in open..n {
                    out.put_u8(b'{')?;
                }
            }
        }
        Ok(())
    }

    /// Parses the binary form as `array_recv` does, checking the element type is `elem` and each
    /// element through `element`.
    pub fn decode_binary(
        bytes: &[u8],
        elem: Oid,
        mut element: impl FnMut(&[u8]) -> Result<T, TypeError>,
    ) -> Result<Self, TypeError> {
        let mut r = Reader(bytes);
        let ndim = r.i32()?;
        let flags = r.i32()?;
        let elem_type = r.i32()? as u32;
        let bad = |detail| TypeError::new("22P03", detail, "array");
        if !(0..=MAX_DIMENSIONS as i32).contains(&ndim) {
            return Err(bad("invalid number of dimensions"));
        }
        if flags != 0 && flags != 1 {
            return Err(bad("invalid array flags"));
        }
        if elem_type != elem {
            return Err(TypeError::new(
                "42804",
                "binary data has array element type of a different type than expected",
                "array",
            ));
        }
        let mut dims = Vec::with_capacity(ndim as usize);
        let mut count: usize = 1;
        for _ in 0..ndim {
            let len = r.i32()?;
            let lower = r.i32()?;
            if len < 0 || (len > 0 && lower.checked_add(len - 1).is_none()) {
                return Err(TypeError::new(
                    "54000",
                    "array size exceeds the maximum allowed",
                    "array",
                ));
            }
            count = count.saturating_mul(len as usize);
            dims.push(Dimension { len, lower });
        }
        if ndim == 0 || count == 0 {
            return Ok(Self::empty());
        }
        // Each element takes at least its 4-byte length: no allocation beyond the input's size.
        if count > r.0.len() / 4 {
            return Err(TypeError::insufficient("array"));
        }
        let mut elements = Vec::with_capacity(count);
        for _ in 0..count {
            let len = r.i32()?;
            elements.push(if len == -1 {
                None
            } else {
                let len =
                    usize::try_from(len).map_err(|_| bad("insufficient data left in message"))?;
                Some(element(r.take(len)?)?)
            });
        }
        if !r.0.is_empty() {
            return Err(TypeError::binary("array"));
        }
        Ok(Self { dims, elements })
    }

    /// Writes the binary form as `array_send` does, each element through `element`.
    pub fn encode_binary<B: WriteBuf + ?Sized>(
        &self,
        out: &mut B,
        elem: Oid,
        mut element: impl FnMut(&T, &mut B) -> Result<(), BufferFull>,
    ) -> Result<(), BufferFull> {
        out.put_i32(self.dims.len() as i32)?;
        out.put_i32(i32::from(self.elements.iter().any(Option::is_none)))?;
        out.put_u32(elem)?;
        for d in &self.dims {
            out.put_i32(d.len)?;
            out.put_i32(d.lower)?;
        }
        for item in &self.elements {
            match item {
                None => out.put_i32(-1)?,
                Some(v) => {
                    super::put_length_prefixed(out, |o| element(v, o))?;
                }
            }
        }
        Ok(())
    }
}

/// Whether `array_out` quotes an element with this text.
fn needs_quotes(text: &[u8], delim: u8) -> bool {
    text.is_empty()
        || text.eq_ignore_ascii_case(b"NULL")
        || text
            .iter()
            .any(|&b| matches!(b, b'"' | b'\\' | b'{' | b'}') || b == delim || is_space(b))
}

/// Writes one element's text in quotes, its quotes and backslashes escaped.
fn put_quoted<B: WriteBuf + ?Sized>(out: &mut B, text: &[u8]) -> Result<(), BufferFull> {
    out.put_u8(b'"')?;
    for &b in text {
        if b == b'"' || b == b'\\' {
            out.put_u8(b'\\')?;
        }
        out.put_u8(b)?;
    }
    out.put_u8(b'"')
}

/// The whitespace `array_in` skips (`array_isspace`).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// A parsed text array: where each element's text is, the unescaped text of those with
/// escapes, and the dimensions.
struct Parsed {
    text: Vec<u8>,
    items: Vec<Item>,
    dims: Vec<Dimension>,
}

/// Parses `array_in`'s grammar.
fn parse_text(input: &[u8], delim: u8) -> Result<Parsed, TypeError> {
    let mut p = 0;
    let skip = |p: &mut usize| {
        while input.get(*p).is_some_and(|&b| is_space(b)) {
            *p += 1;
        }
    };
    skip(&mut p);
    // Optional explicit dimensions: [lower:upper] or [upper], repeated, then '='.
    let mut given: Vec<(i32, i32)> = Vec::new();
    while input.get(p) == Some(&b'[') {
        p += 1;
        skip(&mut p);
        let first = number(input, &mut p).ok_or(malformed(
            "\"[\" must introduce explicitly-specified array dimensions.",
        ))?;
        skip(&mut p);
        let (lower, upper) = if input.get(p) == Some(&b':') {
            p += 1;
            skip(&mut p);
            let upper = number(input, &mut p).ok_or(malformed("Missing array dimension value."))?;
            (first, upper)
        } else {
            (1, first)
        };
        skip(&mut p);
        if input.get(p) != Some(&b']') {
            return Err(malformed("Missing \"]\" after array dimensions."));
        }
        p += 1;
        if upper < lower.saturating_sub(1) {
            return Err(TypeError::new(
                "2202E",
                "upper bound cannot be less than lower bound",
                "array",
            ));
        }
        given.push((lower, upper));
        if given.len() > MAX_DIMENSIONS {
            return Err(TOO_MANY_DIMS);
        }
        skip(&mut p);
    }
    if !given.is_empty() {
        if input.get(p) != Some(&b'=') {
            return Err(malformed("Missing \"=\" after array dimensions."));
        }
        p += 1;
        skip(&mut p);
    }
    if input.get(p) != Some(&b'{') {
        return Err(malformed(
            "Array value must start with \"{\" or dimension information.",
        ));
    }
    let mut out = Parsed {
        text: Vec::new(),
        // One item per delimiter, and one more: room enough for a flat array.
        items: Vec::with_capacity(memchr::memchr_iter(delim, input).count() + 1),
        dims: Vec::new(),
    };
    // lens[d]: the length every sub-array at depth d must have (None until the first one ends).
    let mut lens: [Option<i32>; MAX_DIMENSIONS] = [None; MAX_DIMENSIONS];
    let mut depth_of_scalars: Option<usize> = None;
    parse_level(
        input,
        &mut p,
        delim,
        0,
        &mut lens,
        &mut depth_of_scalars,
        &mut out,
    )?;
    skip(&mut p);
    if p != input.len() {
        return Err(malformed("Junk after closing right brace."));
    }
    // Only "{}" has no elements (an empty sub-array is refused while parsing).
    let Some(scalar_depth) = depth_of_scalars else {
        return Ok(out);
    };
    let ndim = scalar_depth + 1;
    let mut dims = Vec::with_capacity(ndim);
    for (d, len) in lens.iter().take(ndim).enumerate() {
        let len = len.unwrap_or(0);
        let lower = given.get(d).map_or(1, |g| g.0);
        dims.push(Dimension { len, lower });
    }
    if !given.is_empty() {
        let matches = given.len() == dims.len()
            && given
                .iter()
                .zip(&dims)
                .all(|((lo, hi), d)| i64::from(*hi) - i64::from(*lo) + 1 == i64::from(d.len));
        if !matches {
            return Err(malformed(
                "Specified array dimensions do not match array contents.",
            ));
        }
    }
    out.dims = dims;
    Ok(out)
}

/// Reads a decimal integer (dimension bounds), with an optional sign.
fn number(input: &[u8], p: &mut usize) -> Option<i32> {
    let start = *p;
    if matches!(input.get(*p), Some(b'-' | b'+')) {
        *p += 1;
    }
    while input.get(*p).is_some_and(u8::is_ascii_digit) {
        *p += 1;
    }
    core::str::from_utf8(&input[start..*p]).ok()?.parse().ok()
}

/// Parses one `{…}` at `depth` (the `{` is at `*p`), recording element texts and checking that
/// sub-arrays match.
fn parse_level(
    input: &[u8],
    p: &mut usize,
    delim: u8,
    depth: usize,
    lens: &mut [Option<i32>; MAX_DIMENSIONS],
    scalar_depth: &mut Option<usize>,
    out: &mut Parsed,
) -> Result<(), TypeError> {
    if depth >= MAX_DIMENSIONS {
        return Err(TOO_MANY_DIMS);
    }
    *p += 1; // '{'
    let mut count: i32 = 0;
    loop {
        while input.get(*p).is_some_and(|&b| is_space(b)) {
            *p += 1;
        }
        match input.get(*p) {
            None => return Err(malformed("Unexpected end of input.")),
            Some(b'}') if count == 0 => {
                *p += 1;
                // "{}" is only the empty array; an empty sub-array is an error.
                if depth > 0 {
                    return Err(malformed("Unexpected \"}\" character."));
                }
                lens[0] = Some(0);
                return Ok(());
            }
            Some(b'{') => {
                if *scalar_depth == Some(depth) {
                    return Err(malformed("Unexpected \"{\" character."));
                }
                if scalar_depth.is_some_and(|d| d < depth) {
                    return Err(malformed("Unexpected \"{\" character."));
                }
                parse_level(input, p, delim, depth + 1, lens, scalar_depth, out)?;
            }
            Some(&b) if b == delim || b == b'}' => {
                return Err(if b == b'}' {
                    malformed("Unexpected \"}\" character.")
                } else {
                    malformed("Unexpected \",\" character.")
                });
            }
            Some(_) => {
                match *scalar_depth {
                    None => *scalar_depth = Some(depth),
                    Some(d) if d != depth => return Err(malformed("Unexpected array element.")),
                    Some(_) => {}
                }
                let item = parse_element(input, p, delim, &mut out.text)?;
                out.items.push(item);
            }
        }
        count += 1;
        while input.get(*p).is_some_and(|&b| is_space(b)) {
            *p += 1;
        }
        match input.get(*p) {
            Some(b'}') => {
                *p += 1;
                match lens[depth] {
                    None => lens[depth] = Some(count),
                    Some(l) if l != count => return Err(malformed(
                        "Multidimensional arrays must have sub-arrays with matching dimensions.",
                    )),
                    Some(_) => {}
                }
                return Ok(());
            }
            Some(&b) if b == delim => *p += 1,
            None => return Err(malformed("Unexpected end of input.")),
            Some(_) => return Err(malformed("Unexpected array element.")),
        }
    }
}

/// Where a parsed element's text is.
#[derive(Clone)]
enum Item {
    /// An unquoted `NULL`.
    Null,
    /// In the input as it stands (no quotes or escapes to remove): no copy.
    Input(core::ops::Range<usize>),
    /// In the parse's own buffer, unescaped.
    Copied(core::ops::Range<usize>),
}

/// Reads one element (quoted or not). An element with escapes is unescaped onto the end of
/// `text`; the bytes copied are whole characters of the UTF-8 input (only ASCII quotes and
/// backslashes are left out), so they stay UTF-8.
fn parse_element(
    input: &[u8],
    p: &mut usize,
    delim: u8,
    text: &mut Vec<u8>,
) -> Result<Item, TypeError> {
    let end_of_input = || malformed("Unexpected end of input.");
    let quoted = input.get(*p) == Some(&b'"');
    *p += usize::from(quoted);
    let begin = *p;
    let stop = |b: u8| {
        if quoted {
            b == b'"' || b == b'\\'
        } else {
            b == delim || matches!(b, b'}' | b'\\' | b'"' | b'{')
        }
    };
    let run = input[*p..]
        .iter()
        .position(|&b| stop(b))
        .ok_or_else(end_of_input)?;
    *p += run;
    let item = if input[*p] == b'\\' {
        // Escapes: unescape the element into the buffer.
        let start = text.len();
        text.extend_from_slice(&input[begin..*p]);
        let mut kept = start; // bytes up to here stay even if blank (they were escaped)
        loop {
            if input[*p] == b'\\' {
                let &c = input.get(*p + 1).ok_or_else(end_of_input)?;
                text.push(c);
                kept = text.len();
                *p += 2;
            } else if quoted {
                *p += 1; // the closing quote
                break;
            } else if matches!(input[*p], b'"' | b'{') {
                return Err(malformed("Unexpected array element."));
            } else {
                break;
            }
            let run = input[*p..]
                .iter()
                .position(|&b| stop(b))
                .ok_or_else(end_of_input)?;
            text.extend_from_slice(&input[*p..*p + run]);
            *p += run;
        }
        if !quoted {
            while text.len() > kept && text.last().is_some_and(|&b| is_space(b)) {
                text.pop();
            }
        }
        Item::Copied(start..text.len())
    } else if quoted {
        *p += 1; // the closing quote
        Item::Input(begin..*p - 1)
    } else if matches!(input[*p], b'"' | b'{') {
        return Err(malformed("Unexpected array element."));
    } else {
        // Unquoted without escapes: trailing blanks dropped, NULL recognised.
        let mut end = *p;
        while end > begin && is_space(input[end - 1]) {
            end -= 1;
        }
        if input[begin..end].eq_ignore_ascii_case(b"NULL") {
            Item::Null
        } else {
            Item::Input(begin..end)
        }
    };
    if quoted {
        while input.get(*p).is_some_and(|&b| is_space(b)) {
            *p += 1;
        }
        if !matches!(input.get(*p), Some(&b) if b == delim || b == b'}') {
            return Err(malformed("Unexpected array element."));
        }
    }
    Ok(item)
}

/// A cursor over binary input.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TypeError> {
        if self.0.len() < n {
            return Err(TypeError::insufficient("array"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn i32(&mut self) -> Result<i32, TypeError> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::test_prelude::*;
    use crate::types::Codec;

    fn ints(text: &str) -> Result<Array<i32>, TypeError> {
        Array::decode_text(text, b',', i32::decode_text)
    }

    fn strings(text: &str) -> Result<Array<String>, TypeError> {
        Array::decode_text(text, b',', |s| Ok(s.into()))
    }

    fn out<T: Codec>(a: &Array<T>) -> String {
        let mut o = Vec::new();
        a.encode_text(&mut o, b',', Codec::encode_text).unwrap();
        String::from_utf8(o).unwrap()
    }

    #[test]
    fn text_as_postgresql() {
        // PostgreSQL 15: input → output.
        for (input, output) in [
            ("{1,2,3}", "{1,2,3}"),
            ("[0:2]={1,2,3}", "[0:2]={1,2,3}"),
            ("{{1,2},{3,4}}", "{{1,2},{3,4}}"),
            ("{}", "{}"),
            (" { NULL , 2 } ", "{NULL,2}"),
            ("[2]={1,2}", "{1,2}"),
            ("[1:1][2:3]={{5,6}}", "[1:1][2:3]={{5,6}}"),
            ("{{{1},{2}},{{3},{4}}}", "{{{1},{2}},{{3},{4}}}"),
        ] {
            assert_eq!(out(&ints(input).unwrap()), output, "{input}");
        }
        for (input, output) in [
            (
                r#"{"", "a b", "NULL", "null", "x\"y", "c\\d", "{", "}", ",", "é"}"#,
                r#"{"","a b","NULL","null","x\"y","c\\d","{","}",",",é}"#,
            ),
            ("{ a , b c }", r#"{a,"b c"}"#),
            (r#"{a\ b, \"q}"#, r#"{"a b","\"q"}"#),
        ] {
            assert_eq!(out(&strings(input).unwrap()), output, "{input}");
        }
    }

    #[test]
    fn malformed_as_postgresql() {
        for (input, detail) in [
            (
                "{{1,2},{3}}",
                "Multidimensional arrays must have sub-arrays with matching dimensions.",
            ),
            ("{1,2", "Unexpected end of input."),
            ("{1}x", "Junk after closing right brace."),
            ("{{}}", "Unexpected \"}\" character."),
            ("{1,{2}}", "Unexpected \"{\" character."),
            (
                "1,2",
                "Array value must start with \"{\" or dimension information.",
            ),
            (
                "[0:1]={1,2,3}",
                "Specified array dimensions do not match array contents.",
            ),
            ("{1,,2}", "Unexpected \",\" character."),
        ] {
            let e = ints(input).unwrap_err();
            assert_eq!(
                (e.code, e.message(input), e.detail),
                (
                    "22P02",
                    format!("malformed array literal: \"{input}\""),
                    detail
                ),
                "{input}"
            );
        }
        for input in [r#"{"a"b}"#, r#"{ab"c}"#] {
            assert_eq!(
                strings(input).unwrap_err().detail,
                "Unexpected array element."
            );
        }
        assert_eq!(ints("{{{{{{{1}}}}}}}").unwrap_err().code, "54000");
        assert_eq!(ints("{x}").unwrap_err().code, "22P02");
    }

    #[test]
    fn binary_as_array_send() {
        let a = Array::from_vec(vec![Some(1), None]);
        let mut b = Vec::new();
        a.encode_binary(&mut b, 23, Codec::encode_binary).unwrap();
        // array_send('{1,NULL}'::int[])
        assert_eq!(
            b,
            [
                0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 23, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0,
                1, 255, 255, 255, 255
            ]
        );
        assert_eq!(Array::decode_binary(&b, 23, i32::decode_binary), Ok(a));
        assert_eq!(
            Array::decode_binary(&b, 20, i64::decode_binary)
                .unwrap_err()
                .code,
            "42804"
        );
        let mut e = Vec::new();
        Array::<i32>::empty()
            .encode_binary(&mut e, 23, Codec::encode_binary)
            .unwrap();
        assert_eq!(e, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23]);
        // A count of elements the input cannot hold is refused before allocating.
        let huge = [
            0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1,
        ];
        assert!(Array::decode_binary(&huge, 23, i32::decode_binary).is_err());
    }
}
