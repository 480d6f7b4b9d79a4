//! COPY's data formats, as PostgreSQL reads and writes them: the text format (delimited fields,
//! `\N` for NULL, backslash escapes) and CSV (quotes, doubled quotes, unquoted empty for NULL,
//! an optional header).

use pgproto_service::pgproto::backend::ServerError;

use crate::translate::{self, CopyFormat, CopySpec, Kind, Translated};

/// Reads a COPY statement: `COPY table [(columns)] FROM STDIN | TO STDOUT [[WITH] (options)]`,
/// `COPY (query) TO STDOUT …`, with PostgreSQL's options (FORMAT, DELIMITER, NULL, HEADER,
/// QUOTE, ESCAPE; FREEZE and ENCODING are accepted and mean nothing here) or the old
/// unparenthesised ones (CSV, HEADER, DELIMITER 'x', NULL 'x').
pub fn statement(sql: &str) -> Result<Translated, ServerError> {
    let syntax = |what: &str| ServerError::error("42601", format!("syntax error in COPY: {what}"));
    let mut rest = sql.trim().trim_end_matches(';').trim();
    rest = rest.get(4..).unwrap_or("").trim_start(); // "COPY"
    let mut spec = CopySpec::new(false);
    let select = if let Some(inner) = rest.strip_prefix('(') {
        let end = closing_paren(inner).ok_or_else(|| syntax("unbalanced parentheses"))?;
        let query = &inner[..end];
        rest = inner[end + 1..].trim_start();
        let mut t =
            translate::translate(query).map_err(|e| ServerError::error("42601", e.message))?;
        if t.len() != 1 {
            return Err(syntax("one query expected"));
        }
        t.remove(0).sql
    } else {
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '(')
            .unwrap_or(rest.len());
        let table = rest[..end].trim_matches('"');
        let table = table
            .rsplit('.')
            .next()
            .unwrap_or(table)
            .trim_matches('"')
            .to_owned();
        rest = rest[end..].trim_start();
        if let Some(inner) = rest.strip_prefix('(') {
            let end = inner
                .find(')')
                .ok_or_else(|| syntax("unbalanced parentheses"))?;
            spec.columns = inner[..end]
                .split(',')
                .map(|c| c.trim().trim_matches('"').to_owned())
                .collect();
            rest = inner[end + 1..].trim_start();
        }
        let cols = if spec.columns.is_empty() {
            "*".to_owned()
        } else {
            spec.columns
                .iter()
                .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let select = format!("SELECT {cols} FROM \"{}\"", table.replace('"', "\"\""));
        spec.table = Some(table);
        select
    };
    let mut words = rest.split_whitespace();
    let direction = words.next().unwrap_or("").to_ascii_uppercase();
    let target = words.next().unwrap_or("").to_ascii_uppercase();
    spec.to = match (direction.as_str(), target.as_str()) {
        ("FROM", "STDIN") => false,
        ("TO", "STDOUT") => true,
        ("FROM" | "TO", _) => {
            return Err(ServerError::error(
                "42501",
                "must be superuser or have privileges of the pg_read_server_files role to COPY from a file",
            ))
        }
        _ => return Err(syntax("FROM STDIN or TO STDOUT expected")),
    };
    if !spec.to && spec.table.is_none() {
        return Err(syntax("COPY (query) FROM is not possible"));
    }
    let options: String = words.collect::<Vec<_>>().join(" ");
    apply_options(&mut spec, &options)?;
    Ok(Translated::of(Kind::Copy(Box::new(spec)), select))
}

/// Where the parenthesis closing an opened one is, outside quotes.
fn closing_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), ch) if ch == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => return Some(i),
            (None, ')') => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The options of a COPY, new style (`WITH (FORMAT csv, HEADER)`) or old (`CSV HEADER`).
fn apply_options(spec: &mut CopySpec, options: &str) -> Result<(), ServerError> {
    let mut text = options.trim();
    text = text
        .strip_prefix("WITH")
        .or_else(|| text.strip_prefix("with"))
        .unwrap_or(text)
        .trim();
    let list: Vec<String> = if let Some(inner) = text.strip_prefix('(') {
        inner
            .trim_end()
            .trim_end_matches(')')
            .split(',')
            .map(|o| o.trim().to_owned())
            .collect()
    } else {
        // Old style: keywords, some followed by [AS] 'value'.
        let mut items = Vec::new();
        let mut words = text.split_whitespace().peekable();
        while let Some(w) = words.next() {
            let upper = w.to_ascii_uppercase();
            if matches!(upper.as_str(), "DELIMITER" | "NULL" | "QUOTE" | "ESCAPE") {
                let mut value = words.next().unwrap_or("");
                if value.eq_ignore_ascii_case("AS") {
                    value = words.next().unwrap_or("");
                }
                items.push(format!("{upper} {value}"));
            } else if upper == "CSV" {
                items.push("FORMAT csv".into());
            } else if upper == "BINARY" {
                items.push("FORMAT binary".into());
            } else {
                items.push(upper);
            }
        }
        items
    };
    let mut delimiter = None;
    let mut null = None;
    for item in list.iter().filter(|i| !i.is_empty()) {
        let (name, value) = item.split_once(char::is_whitespace).unwrap_or((item, ""));
        let value = value.trim().trim_matches('\'');
        let byte = |v: &str| {
            let v = v.replace("\\t", "\t");
            match v.as_bytes() {
                [b] => Ok(*b),
                _ => Err(ServerError::error(
                    "22023",
                    format!(
                        "COPY {} must be a single one-byte character",
                        name.to_ascii_lowercase()
                    ),
                )),
            }
        };
        match name.to_ascii_uppercase().as_str() {
            "FORMAT" => match value.to_ascii_lowercase().as_str() {
                "text" => spec.format = CopyFormat::Text,
                "csv" => spec.format = CopyFormat::Csv,
                "binary" => spec.format = CopyFormat::Binary,
                other => {
                    return Err(ServerError::error(
                        "22023",
                        format!("COPY format \"{other}\" not recognized"),
                    ))
                }
            },
            "DELIMITER" => delimiter = Some(byte(value)?),
            "NULL" => null = Some(value.to_owned()),
            "HEADER" => {
                spec.header = !matches!(value.to_ascii_lowercase().as_str(), "false" | "off" | "0");
            }
            "QUOTE" => spec.quote = byte(value)?,
            "ESCAPE" => spec.escape = byte(value)?,
            "FREEZE" | "ENCODING" | "FORCE_QUOTE" | "FORCE_NOT_NULL" | "FORCE_NULL" => {}
            other => {
                return Err(ServerError::error(
                    "42601",
                    format!("option \"{}\" not recognized", other.to_ascii_lowercase()),
                ))
            }
        }
    }
    spec.delimiter = delimiter.unwrap_or(if spec.csv() { b',' } else { b'\t' });
    spec.null = null.unwrap_or_else(|| {
        if spec.csv() {
            String::new()
        } else {
            "\\N".into()
        }
    });
    Ok(())
}

/// One row's fields (text, or binary values in binary COPY); `None` is NULL.
pub type Fields = Vec<Option<Vec<u8>>>;

/// The signature that starts binary COPY data.
const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// The start of binary COPY TO data: signature, no flags, no header extension.
pub fn binary_header() -> Vec<u8> {
    let mut out = SIGNATURE.to_vec();
    out.extend_from_slice(&0i32.to_be_bytes());
    out.extend_from_slice(&0i32.to_be_bytes());
    out
}

/// One tuple of binary COPY TO data.
pub fn write_binary_row(out: &mut Vec<u8>, fields: &[Option<&[u8]>]) {
    out.extend_from_slice(&(fields.len() as i16).to_be_bytes());
    for f in fields {
        match f {
            None => out.extend_from_slice(&(-1i32).to_be_bytes()),
            Some(v) => {
                out.extend_from_slice(&(v.len() as i32).to_be_bytes());
                out.extend_from_slice(v);
            }
        }
    }
}

/// The end of binary COPY TO data.
pub const BINARY_TRAILER: [u8; 2] = (-1i16).to_be_bytes();

/// Splits COPY FROM STDIN data into rows as it arrives: whole rows come out, a partial one waits
/// for the next chunk.
#[derive(Debug, Default)]
pub struct Reader {
    pending: Vec<u8>,
    header_done: bool,
}

impl Reader {
    /// Takes a chunk; returns the rows it completes.
    pub fn feed(&mut self, spec: &CopySpec, data: &[u8]) -> Result<Vec<Fields>, String> {
        self.pending.extend_from_slice(data);
        self.rows(spec, false)
    }

    /// The end of the data: the last row, even without its newline.
    pub fn finish(&mut self, spec: &CopySpec) -> Result<Vec<Fields>, String> {
        self.rows(spec, true)
    }

    fn rows(&mut self, spec: &CopySpec, last: bool) -> Result<Vec<Fields>, String> {
        if spec.binary() {
            return self.binary_rows(last);
        }
        let mut out = Vec::new();
        let mut start = 0;
        while let Some(end) = row_end(&self.pending[start..], spec).map(|e| start + e) {
            let line = &self.pending[start..end];
            start = end + 1;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            // `\.` alone on a line ends the data, in both formats.
            if line == b"\\." {
                self.pending.clear();
                return Ok(out);
            }
            if spec.csv() && spec.header && !self.header_done {
                self.header_done = true;
                continue;
            }
            out.push(parse_line(line, spec)?);
        }
        self.pending.drain(..start);
        if last && !self.pending.is_empty() {
            let line = std::mem::take(&mut self.pending);
            if !(spec.csv() && spec.header && !self.header_done) && line != b"\\." {
                out.push(parse_line(&line, spec)?);
            }
        }
        Ok(out)
    }
}

impl Reader {
    /// The whole tuples buffered, in the binary format.
    fn binary_rows(&mut self, last: bool) -> Result<Vec<Fields>, String> {
        let bad = |what: &str| format!("invalid COPY file format: {what}");
        let mut at = 0;
        let buf = &self.pending;
        if !self.header_done {
            if buf.len() < 19 {
                return if last {
                    Err(bad("COPY file signature not recognized"))
                } else {
                    Ok(Vec::new())
                };
            }
            if &buf[..11] != SIGNATURE {
                return Err(bad("COPY file signature not recognized"));
            }
            let ext = u32::from_be_bytes([buf[15], buf[16], buf[17], buf[18]]) as usize;
            if buf.len() < 19 + ext {
                return Ok(Vec::new());
            }
            at = 19 + ext;
            self.header_done = true;
        }
        let mut out = Vec::new();
        let mut ended = false;
        while let Some(count) = buf.get(at..at + 2) {
            let count = i16::from_be_bytes([count[0], count[1]]);
            if count == -1 {
                ended = true;
                at += 2;
                break;
            }
            let mut p = at + 2;
            let mut fields = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
            let mut whole = true;
            for _ in 0..count.max(0) {
                let Some(len) = buf.get(p..p + 4) else {
                    whole = false;
                    break;
                };
                let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
                p += 4;
                if len == -1 {
                    fields.push(None);
                    continue;
                }
                let len = usize::try_from(len).map_err(|_| bad("negative field length"))?;
                let Some(value) = buf.get(p..p + len) else {
                    whole = false;
                    break;
                };
                fields.push(Some(value.to_vec()));
                p += len;
            }
            if !whole {
                break;
            }
            out.push(fields);
            at = p;
        }
        self.pending.drain(..at);
        if ended {
            self.pending.clear();
        } else if last && !self.pending.is_empty() {
            return Err(bad("unexpected end of data"));
        }
        Ok(out)
    }
}

/// Where the row starting the buffer ends (its newline), outside CSV quotes.
fn row_end(buf: &[u8], spec: &CopySpec) -> Option<usize> {
    if !spec.csv() {
        return buf.iter().position(|&b| b == b'\n');
    }
    let mut quoted = false;
    let mut i = 0;
    while i < buf.len() {
        let b = buf[i];
        if quoted
            && b == spec.escape
            && spec.escape != spec.quote
            && buf.get(i + 1) == Some(&spec.quote)
        {
            i += 2;
            continue;
        }
        if b == spec.quote {
            quoted = !quoted;
        } else if b == b'\n' && !quoted {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// One row's fields.
fn parse_line(line: &[u8], spec: &CopySpec) -> Result<Fields, String> {
    if spec.csv() {
        parse_csv(line, spec)
    } else {
        line.split(|&b| b == spec.delimiter)
            .map(|field| {
                if field == spec.null.as_bytes() {
                    Ok(None)
                } else {
                    unescape(field).map(|s| Some(s.into_bytes()))
                }
            })
            .collect()
    }
}

/// A text-format field with its backslash escapes undone.
#[allow(clippy::many_single_char_names)] // bytes, digits and positions of a small decoder
fn unescape(field: &[u8]) -> Result<String, String> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let b = field[i];
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some(&c) = field.get(i) else {
            break;
        };
        i += 1;
        match c {
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                for _ in 0..2 {
                    match field.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            b'x' => {
                let mut v = 0u8;
                let mut digits = 0;
                while digits < 2 {
                    match field.get(i).and_then(|d| char::from(*d).to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d as u8;
                            i += 1;
                            digits += 1;
                        }
                        None => break,
                    }
                }
                if digits == 0 {
                    out.push(b'x');
                } else {
                    out.push(v);
                }
            }
            other => out.push(other),
        }
    }
    String::from_utf8(out).map_err(|_| "invalid byte sequence for encoding \"UTF8\"".to_owned())
}

/// A CSV row's fields: quoted fields keep everything (doubled quotes undone); an unquoted
/// field equal to the NULL string is NULL.
fn parse_csv(line: &[u8], spec: &CopySpec) -> Result<Fields, String> {
    let mut fields = Vec::new();
    let mut field = Vec::new();
    let mut quoted_field = false;
    let mut in_quotes = false;
    let mut i = 0;
    loop {
        let b = line.get(i).copied();
        i += 1;
        match b {
            Some(c) if in_quotes => {
                if c == spec.escape && line.get(i) == Some(&spec.quote) {
                    field.push(spec.quote);
                    i += 1;
                } else if c == spec.quote {
                    in_quotes = false;
                } else {
                    field.push(c);
                }
            }
            Some(c) if c == spec.quote => {
                in_quotes = true;
                quoted_field = true;
            }
            Some(c) if c == spec.delimiter => {
                fields.push(csv_field(std::mem::take(&mut field), quoted_field, spec)?);
                quoted_field = false;
            }
            Some(c) => field.push(c),
            None => {
                if in_quotes {
                    return Err("unterminated CSV quoted field".into());
                }
                fields.push(csv_field(field, quoted_field, spec)?);
                return Ok(fields);
            }
        }
    }
}

fn csv_field(bytes: Vec<u8>, quoted: bool, spec: &CopySpec) -> Result<Option<Vec<u8>>, String> {
    if !quoted && bytes == spec.null.as_bytes() {
        return Ok(None);
    }
    std::str::from_utf8(&bytes)
        .map_err(|_| "invalid byte sequence for encoding \"UTF8\"".to_owned())?;
    Ok(Some(bytes))
}

/// Writes one row for COPY TO STDOUT (the fields are the columns' text, `None` NULL).
pub fn write_row(out: &mut Vec<u8>, fields: &[Option<&[u8]>], spec: &CopySpec) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(spec.delimiter);
        }
        match field {
            None => out.extend_from_slice(spec.null.as_bytes()),
            Some(f) if spec.csv() => write_csv_field(out, f, spec),
            Some(f) => {
                for &b in *f {
                    match b {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        b'\t' if spec.delimiter == b'\t' => out.extend_from_slice(b"\\t"),
                        8 => out.extend_from_slice(b"\\b"),
                        12 => out.extend_from_slice(b"\\f"),
                        11 => out.extend_from_slice(b"\\v"),
                        d if d == spec.delimiter => {
                            out.push(b'\\');
                            out.push(d);
                        }
                        other => out.push(other),
                    }
                }
            }
        }
    }
    out.push(b'\n');
}

/// A CSV field, quoted when it holds the delimiter, a quote, a line break, or equals the NULL
/// string (so an empty string stays distinct from NULL).
fn write_csv_field(out: &mut Vec<u8>, f: &[u8], spec: &CopySpec) {
    let needs = f == spec.null.as_bytes()
        || f.iter()
            .any(|&b| b == spec.delimiter || b == spec.quote || b == b'\n' || b == b'\r')
        || f.first().is_some_and(u8::is_ascii_whitespace)
        || f.last().is_some_and(u8::is_ascii_whitespace)
        || f == b"\\.";
    if !needs {
        out.extend_from_slice(f);
        return;
    }
    out.push(spec.quote);
    for &b in f {
        if b == spec.quote || b == spec.escape {
            out.push(spec.escape);
        }
        out.push(b);
    }
    out.push(spec.quote);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(csv: bool) -> CopySpec {
        let t = statement(if csv {
            "COPY t FROM STDIN WITH (FORMAT csv)"
        } else {
            "COPY t FROM STDIN"
        })
        .unwrap();
        match t.kind {
            Kind::Copy(spec) => *spec,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn statements_as_postgresql_reads_them() {
        let t = statement("copy pgbench_accounts from stdin with (freeze on)").unwrap();
        let Kind::Copy(s) = t.kind else { panic!() };
        assert_eq!(
            (s.to, s.table.as_deref(), s.csv(), s.delimiter),
            (false, Some("pgbench_accounts"), false, b'\t')
        );
        let t = statement("COPY (SELECT 1 AS a) TO STDOUT WITH (FORMAT csv, HEADER true)").unwrap();
        let Kind::Copy(s) = t.kind else { panic!() };
        assert_eq!(
            (s.to, s.csv(), s.delimiter, s.header, s.null.as_str()),
            (true, true, b',', true, "")
        );
        assert!(t.sql.starts_with("SELECT 1"), "{}", t.sql);
        let t = statement("COPY t (a, b) TO STDOUT CSV HEADER DELIMITER AS ';'").unwrap();
        let Kind::Copy(s) = t.kind else { panic!() };
        assert_eq!((s.csv(), s.header, s.delimiter), (true, true, b';'));
        assert_eq!(t.sql, "SELECT \"a\", \"b\" FROM \"t\"");
        assert_eq!(
            statement("COPY t FROM '/etc/passwd'").unwrap_err().code,
            "42501"
        );
        let t = statement("COPY t FROM STDIN (FORMAT binary)").unwrap();
        assert!(matches!(t.kind, Kind::Copy(s) if s.binary()));
    }

    #[test]
    fn text_format_rows_across_chunks() {
        let s = spec(false);
        let mut r = Reader::default();
        let rows = r.feed(&s, b"1\ta\\tb\t\\N\n2\tx").unwrap();
        assert_eq!(
            rows,
            vec![vec![
                Some("1".as_bytes().to_vec()),
                Some("a\tb".as_bytes().to_vec()),
                None
            ]]
        );
        let rows = r.feed(&s, b"y\\\\z\t\\101\n").unwrap();
        assert_eq!(
            rows,
            vec![vec![
                Some("2".as_bytes().to_vec()),
                Some("xy\\z".as_bytes().to_vec()),
                Some("A".as_bytes().to_vec())
            ]]
        );
        assert!(r.finish(&s).unwrap().is_empty());
        let mut out = Vec::new();
        write_row(&mut out, &[Some(b"a\tb\\c\n"), None], &s);
        assert_eq!(out, b"a\\tb\\\\c\\n\t\\N\n");
    }

    #[test]
    fn binary_tuples_across_chunks() {
        let s = statement("COPY t FROM STDIN (FORMAT binary)").unwrap();
        let Kind::Copy(s) = s.kind else { panic!() };
        let mut data = binary_header();
        write_binary_row(&mut data, &[Some(&7i32.to_be_bytes()), None]);
        write_binary_row(&mut data, &[Some(b"x"), Some(b"")]);
        data.extend_from_slice(&BINARY_TRAILER);
        let mut r = Reader::default();
        let mut rows = r.feed(&s, &data[..25]).unwrap();
        rows.extend(r.feed(&s, &data[25..]).unwrap());
        assert_eq!(
            rows,
            vec![
                vec![Some(7i32.to_be_bytes().to_vec()), None],
                vec![Some(b"x".to_vec()), Some(Vec::new())]
            ]
        );
        assert!(r.finish(&s).unwrap().is_empty());
        assert!(Reader::default()
            .feed(&s, b"PGCOPX\n\xff\r\n\0\0\0\0\0\0\0\0\0")
            .is_err());
    }

    #[test]
    fn csv_quotes_and_nulls() {
        let s = spec(true);
        let mut r = Reader::default();
        let rows = r.feed(&s, b"1,\"a,\"\"b\"\"\nc\",,\"\"\n").unwrap();
        assert_eq!(
            rows,
            vec![vec![
                Some("1".as_bytes().to_vec()),
                Some("a,\"b\"\nc".as_bytes().to_vec()),
                None,
                Some(Vec::new())
            ]]
        );
        let rows = r.feed(&s, b"2,last").unwrap();
        assert!(rows.is_empty());
        assert_eq!(
            r.finish(&s).unwrap(),
            vec![vec![
                Some("2".as_bytes().to_vec()),
                Some("last".as_bytes().to_vec())
            ]]
        );
        let mut out = Vec::new();
        write_row(
            &mut out,
            &[Some(b""), None, Some(b"a\"b"), Some(b"plain")],
            &s,
        );
        assert_eq!(out, b"\"\",,\"a\"\"b\",plain\n");
    }
}
