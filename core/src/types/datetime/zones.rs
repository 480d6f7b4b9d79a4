//! Time zone names without a time zone database: PostgreSQL's `Default` abbreviation set
//! (`timezone_abbreviations`), fixed-offset zone names equal to UTC, and POSIX-style fixed
//! offsets such as `UTC+3`. Zones whose offset depends on the date (`Europe/Paris`, `MSK`) are
//! not known here.

/// What a time zone abbreviation of the `Default` set stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Abbrev {
    /// A fixed offset in seconds east of UTC, standard time (`EST`).
    Std(i32),
    /// A fixed offset in seconds east of UTC, daylight-saving time (`EDT`).
    Dst(i32),
    /// An abbreviation whose offset changed over time; it needs the time zone database.
    Dynamic,
}

/// PostgreSQL 15's `Default` abbreviations (share/timezonesets/Default), lower case, sorted.
const ABBREVS: &[(&str, Abbrev)] = &[
    ("acdt", Abbrev::Dst(37800)),
    ("acsst", Abbrev::Dst(37800)),
    ("acst", Abbrev::Std(34200)),
    ("act", Abbrev::Std(-18000)),
    ("acwst", Abbrev::Std(31500)),
    ("adt", Abbrev::Dst(-10800)),
    ("aedt", Abbrev::Dst(39600)),
    ("aesst", Abbrev::Dst(39600)),
    ("aest", Abbrev::Std(36000)),
    ("aft", Abbrev::Std(16200)),
    ("akdt", Abbrev::Dst(-28800)),
    ("akst", Abbrev::Std(-32400)),
    ("almst", Abbrev::Dst(25200)),
    ("almt", Abbrev::Std(21600)),
    ("amst", Abbrev::Dynamic),
    ("amt", Abbrev::Std(-14400)),
    ("anast", Abbrev::Dynamic),
    ("anat", Abbrev::Dynamic),
    ("arst", Abbrev::Dynamic),
    ("art", Abbrev::Dynamic),
    ("ast", Abbrev::Std(-14400)),
    ("awsst", Abbrev::Dst(32400)),
    ("awst", Abbrev::Std(28800)),
    ("azost", Abbrev::Dst(0)),
    ("azot", Abbrev::Std(-3600)),
    ("azst", Abbrev::Dynamic),
    ("azt", Abbrev::Dynamic),
    ("bdst", Abbrev::Dst(7200)),
    ("bdt", Abbrev::Std(21600)),
    ("bnt", Abbrev::Std(28800)),
    ("bort", Abbrev::Std(28800)),
    ("bot", Abbrev::Std(-14400)),
    ("bra", Abbrev::Std(-10800)),
    ("brst", Abbrev::Dst(-7200)),
    ("brt", Abbrev::Std(-10800)),
    ("bst", Abbrev::Dst(3600)),
    ("btt", Abbrev::Std(21600)),
    ("cadt", Abbrev::Dst(37800)),
    ("cast", Abbrev::Std(34200)),
    ("cct", Abbrev::Std(28800)),
    ("cdt", Abbrev::Dst(-18000)),
    ("cest", Abbrev::Dst(7200)),
    ("cet", Abbrev::Std(3600)),
    ("cetdst", Abbrev::Dst(7200)),
    ("chadt", Abbrev::Dst(49500)),
    ("chast", Abbrev::Std(45900)),
    ("chut", Abbrev::Std(36000)),
    ("ckt", Abbrev::Dynamic),
    ("clst", Abbrev::Dst(-10800)),
    ("clt", Abbrev::Dynamic),
    ("cot", Abbrev::Std(-18000)),
    ("cst", Abbrev::Std(-21600)),
    ("cxt", Abbrev::Std(25200)),
    ("davt", Abbrev::Dynamic),
    ("ddut", Abbrev::Std(36000)),
    ("easst", Abbrev::Dynamic),
    ("east", Abbrev::Dynamic),
    ("eat", Abbrev::Std(10800)),
    ("edt", Abbrev::Dst(-14400)),
    ("eest", Abbrev::Dst(10800)),
    ("eet", Abbrev::Std(7200)),
    ("eetdst", Abbrev::Dst(10800)),
    ("egst", Abbrev::Dst(0)),
    ("egt", Abbrev::Std(-3600)),
    ("est", Abbrev::Std(-18000)),
    ("fet", Abbrev::Std(10800)),
    ("fjst", Abbrev::Dst(46800)),
    ("fjt", Abbrev::Std(43200)),
    ("fkst", Abbrev::Dynamic),
    ("fkt", Abbrev::Dynamic),
    ("fnst", Abbrev::Dst(-3600)),
    ("fnt", Abbrev::Std(-7200)),
    ("galt", Abbrev::Std(-21600)),
    ("gamt", Abbrev::Std(-32400)),
    ("gest", Abbrev::Dynamic),
    ("get", Abbrev::Dynamic),
    ("gft", Abbrev::Std(-10800)),
    ("gilt", Abbrev::Std(43200)),
    ("gmt", Abbrev::Std(0)),
    ("gyt", Abbrev::Dynamic),
    ("hkt", Abbrev::Std(28800)),
    ("hst", Abbrev::Std(-36000)),
    ("ict", Abbrev::Std(25200)),
    ("idt", Abbrev::Dst(10800)),
    ("iot", Abbrev::Dynamic),
    ("irkst", Abbrev::Dynamic),
    ("irkt", Abbrev::Dynamic),
    ("irt", Abbrev::Std(12600)),
    ("ist", Abbrev::Std(7200)),
    ("jayt", Abbrev::Std(32400)),
    ("jst", Abbrev::Std(32400)),
    ("kdt", Abbrev::Dst(36000)),
    ("kgst", Abbrev::Dst(21600)),
    ("kgt", Abbrev::Dynamic),
    ("kost", Abbrev::Dynamic),
    ("krast", Abbrev::Dynamic),
    ("krat", Abbrev::Dynamic),
    ("kst", Abbrev::Std(32400)),
    ("lhdt", Abbrev::Dynamic),
    ("lhst", Abbrev::Std(37800)),
    ("ligt", Abbrev::Std(36000)),
    ("lint", Abbrev::Dynamic),
    ("lkt", Abbrev::Dynamic),
    ("magst", Abbrev::Dynamic),
    ("magt", Abbrev::Dynamic),
    ("mart", Abbrev::Std(-34200)),
    ("mawt", Abbrev::Dynamic),
    ("mdt", Abbrev::Dst(-21600)),
    ("mest", Abbrev::Dst(7200)),
    ("mesz", Abbrev::Dst(7200)),
    ("met", Abbrev::Std(3600)),
    ("metdst", Abbrev::Dst(7200)),
    ("mez", Abbrev::Std(3600)),
    ("mht", Abbrev::Std(43200)),
    ("mmt", Abbrev::Std(23400)),
    ("mpt", Abbrev::Std(36000)),
    ("msd", Abbrev::Dst(14400)),
    ("msk", Abbrev::Dynamic),
    ("mst", Abbrev::Std(-25200)),
    ("must", Abbrev::Dst(18000)),
    ("mut", Abbrev::Std(14400)),
    ("mvt", Abbrev::Std(18000)),
    ("myt", Abbrev::Std(28800)),
    ("ndt", Abbrev::Dst(-9000)),
    ("nft", Abbrev::Std(-12600)),
    ("novst", Abbrev::Dynamic),
    ("novt", Abbrev::Dynamic),
    ("npt", Abbrev::Std(20700)),
    ("nst", Abbrev::Std(-12600)),
    ("nut", Abbrev::Dynamic),
    ("nzdt", Abbrev::Dst(46800)),
    ("nzst", Abbrev::Std(43200)),
    ("nzt", Abbrev::Std(43200)),
    ("omsst", Abbrev::Dynamic),
    ("omst", Abbrev::Dynamic),
    ("pdt", Abbrev::Dst(-25200)),
    ("pet", Abbrev::Std(-18000)),
    ("petst", Abbrev::Dynamic),
    ("pett", Abbrev::Dynamic),
    ("pgt", Abbrev::Std(36000)),
    ("pht", Abbrev::Std(28800)),
    ("pkst", Abbrev::Dst(21600)),
    ("pkt", Abbrev::Std(18000)),
    ("pmdt", Abbrev::Dst(-7200)),
    ("pmst", Abbrev::Std(-10800)),
    ("pont", Abbrev::Std(39600)),
    ("pst", Abbrev::Std(-28800)),
    ("pwt", Abbrev::Std(32400)),
    ("pyst", Abbrev::Dst(-10800)),
    ("pyt", Abbrev::Dynamic),
    ("ret", Abbrev::Std(14400)),
    ("sadt", Abbrev::Dst(37800)),
    ("sast", Abbrev::Std(7200)),
    ("sct", Abbrev::Std(14400)),
    ("sgt", Abbrev::Dynamic),
    ("taht", Abbrev::Std(-36000)),
    ("tft", Abbrev::Std(18000)),
    ("tjt", Abbrev::Std(18000)),
    ("tkt", Abbrev::Dynamic),
    ("tmt", Abbrev::Dynamic),
    ("tot", Abbrev::Std(46800)),
    ("trut", Abbrev::Std(36000)),
    ("tvt", Abbrev::Std(43200)),
    ("uct", Abbrev::Std(0)),
    ("ulast", Abbrev::Dst(32400)),
    ("ulat", Abbrev::Dynamic),
    ("ut", Abbrev::Std(0)),
    ("utc", Abbrev::Std(0)),
    ("uyst", Abbrev::Dst(-7200)),
    ("uyt", Abbrev::Std(-10800)),
    ("uzst", Abbrev::Dst(21600)),
    ("uzt", Abbrev::Std(18000)),
    ("vet", Abbrev::Dynamic),
    ("vlast", Abbrev::Dynamic),
    ("vlat", Abbrev::Dynamic),
    ("volt", Abbrev::Dynamic),
    ("vut", Abbrev::Std(39600)),
    ("wadt", Abbrev::Dst(28800)),
    ("wakt", Abbrev::Std(43200)),
    ("wast", Abbrev::Std(25200)),
    ("wat", Abbrev::Std(3600)),
    ("wdt", Abbrev::Dst(32400)),
    ("wet", Abbrev::Std(0)),
    ("wetdst", Abbrev::Dst(3600)),
    ("wft", Abbrev::Std(43200)),
    ("wgst", Abbrev::Dst(-7200)),
    ("wgt", Abbrev::Std(-10800)),
    ("xjt", Abbrev::Std(21600)),
    ("yakst", Abbrev::Dynamic),
    ("yakt", Abbrev::Dynamic),
    ("yapt", Abbrev::Std(36000)),
    ("yekst", Abbrev::Dst(21600)),
    ("yekt", Abbrev::Dynamic),
    ("z", Abbrev::Std(0)),
    ("zulu", Abbrev::Std(0)),
];

/// Looks a lower-case token up in the abbreviation table.
pub(crate) fn abbrev(token: &[u8]) -> Option<Abbrev> {
    ABBREVS
        .binary_search_by(|(name, _)| name.as_bytes().cmp(token))
        .ok()
        .and_then(|at| ABBREVS.get(at))
        .map(|&(_, kind)| kind)
}

/// A full zone name's meaning, as far as it is known without a time zone database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Zone {
    /// A fixed offset in seconds WEST of UTC (PostgreSQL's sign).
    Fixed(i64),
    /// A valid zone whose offset depends on the date (a POSIX zone with daylight-saving time).
    Dynamic,
}

/// Zone names (lower case) that are UTC under another name, with or without `etc/`.
const UTC_NAMES: &[&str] = &[
    "gmt",
    "gmt+0",
    "gmt-0",
    "gmt0",
    "greenwich",
    "uct",
    "universal",
    "utc",
    "zulu",
];

/// A full zone name (lower case) that needs no time zone database: one of UTC's aliases, or a
/// POSIX TZ string (`utc+3` is three hours west, `est5edt` has daylight-saving time).
pub(crate) fn named_zone(name: &[u8]) -> Option<Zone> {
    let bare = name.strip_prefix(b"etc/").unwrap_or(name);
    if UTC_NAMES.iter().any(|n| n.as_bytes() == bare) {
        return Some(Zone::Fixed(0));
    }
    posix_zone(name)
}

/// A POSIX TZ string as PostgreSQL's `tzparse` reads it: `std offset [dst [offset]]`, where a
/// name runs up to a digit or sign and the offset is `[+-]h[:mm[:ss]]` (hours up to 167).
fn posix_zone(spec: &[u8]) -> Option<Zone> {
    let (std_len, rest) = posix_name(spec);
    if std_len == 0 {
        return None;
    }
    let (west, rest) = posix_offset(rest)?;
    if rest.is_empty() {
        return Some(Zone::Fixed(west));
    }
    let (dst_len, rest) = posix_name(rest);
    if dst_len == 0 {
        return None;
    }
    let rest = if rest.is_empty() {
        rest
    } else {
        posix_offset(rest)?.1
    };
    rest.is_empty().then_some(Zone::Dynamic)
}

/// The length of a POSIX zone name at the start of `s` (up to a digit, sign or comma), and
/// what follows it.
fn posix_name(s: &[u8]) -> (usize, &[u8]) {
    let len = s
        .iter()
        .take_while(|&&b| !b.is_ascii_digit() && !matches!(b, b',' | b'-' | b'+'))
        .count();
    (len, s.get(len..).unwrap_or_default())
}

/// A POSIX offset `[+-]h[:m[:s]]` in seconds (west positive), and what follows it.
fn posix_offset(s: &[u8]) -> Option<(i64, &[u8])> {
    let (sign, s) = match s.split_first() {
        Some((b'-', tail)) => (-1, tail),
        Some((b'+', tail)) => (1, tail),
        _ => (1, s),
    };
    let (hours, mut s) = posix_number(s, 167)?;
    let mut seconds = hours * 3600;
    if let Some(tail) = s.strip_prefix(b":") {
        let (minutes, tail) = posix_number(tail, 59)?;
        seconds += minutes * 60;
        s = tail;
        if let Some(tail) = s.strip_prefix(b":") {
            let (secs, tail) = posix_number(tail, 60)?;
            seconds += secs;
            s = tail;
        }
    }
    Some((sign * seconds, s))
}

/// Digits at the start of `s` whose value stays within `max` (`tzcode`'s `getnum`).
fn posix_number(s: &[u8], max: i64) -> Option<(i64, &[u8])> {
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut value = 0;
    for &d in s.get(..digits)? {
        value = value * 10 + i64::from(d - b'0');
        if value > max {
            return None;
        }
    }
    Some((value, s.get(digits..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted() {
        assert!(ABBREVS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(abbrev(b"est"), Some(Abbrev::Std(-18000)));
        assert_eq!(abbrev(b"cest"), Some(Abbrev::Dst(7200)));
        assert_eq!(abbrev(b"msk"), Some(Abbrev::Dynamic));
        assert_eq!(abbrev(b"foo"), None);
    }

    #[test]
    fn zone_names() {
        assert_eq!(named_zone(b"etc/utc"), Some(Zone::Fixed(0)));
        assert_eq!(named_zone(b"utc+3"), Some(Zone::Fixed(10800)));
        assert_eq!(named_zone(b"utc-3:30"), Some(Zone::Fixed(-12600)));
        assert_eq!(named_zone(b"utc3"), Some(Zone::Fixed(10800)));
        assert_eq!(named_zone(b"tt23:00:60"), Some(Zone::Fixed(82860)));
        assert_eq!(named_zone(b"juliantsept.30"), Some(Zone::Fixed(108_000)));
        assert_eq!(named_zone(b"etc/gmt+5"), Some(Zone::Fixed(18000)));
        assert_eq!(named_zone(b"est5edt"), Some(Zone::Dynamic));
        assert_eq!(named_zone(b"t-08:00:00tad"), Some(Zone::Dynamic));
        assert_eq!(named_zone(b"utc+"), None);
        assert_eq!(named_zone(b"x+168"), None);
        assert_eq!(named_zone(b"tt23:60"), None);
        assert_eq!(named_zone(b"foo/bar"), None);
    }
}
