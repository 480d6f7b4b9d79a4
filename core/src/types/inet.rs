//! `inet` and `cidr`: an IPv4 or IPv6 address with a netmask length.
//!
//! An [`Inet`] is a host address that may carry its network's mask (`10.0.0.1/8`); a [`Cidr`] is a
//! network, whose bits right of the mask are zero (`10.0.0.0/8`). Text input and output follow
//! `inet_in`/`cidr_in` and `inet_out`/`cidr_out` exactly: `inet` leaves out a full-length mask
//! (`/32`, `/128`), `cidr` always writes it, IPv6 is compressed as PostgreSQL does it (the longest
//! run of two or more zero groups, the first one on a tie; `::ffff:1.2.3.4` and `::1.2.3.4` keep
//! their IPv4 tail), and `cidr` accepts PostgreSQL's abbreviated and classful forms (`10/8`,
//! `10.1`, `0x0a0b/16`). The binary form (`inet_send`) is the family (2 for IPv4, 3 for IPv6),
//! the mask length, whether it is a `cidr`, the address length and the address.

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::str::FromStr;

use super::{write_display, Codec, TypeError};
use crate::buf::{BufferFull, WriteBuf};

/// The family byte of an IPv4 address in the binary form (`PGSQL_AF_INET`).
pub const PGSQL_AF_INET: u8 = 2;
/// The family byte of an IPv6 address in the binary form (`PGSQL_AF_INET6`).
pub const PGSQL_AF_INET6: u8 = 3;

/// An `inet` value: an address and a mask length, host bits kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Inet {
    /// The address.
    addr: IpAddr,
    /// The mask length, at most 32 (IPv4) or 128 (IPv6).
    bits: u8,
}

/// A `cidr` value: a network address and its mask length, with no bits set right of the mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    /// The network address.
    addr: IpAddr,
    /// The mask length, at most 32 (IPv4) or 128 (IPv6).
    bits: u8,
}

/// The longest mask for the address's family.
const fn max_bits(addr: &IpAddr) -> u8 {
    match addr {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

/// The address bytes in a 16-byte array, and how many of them are used.
fn addr_bytes(addr: &IpAddr) -> ([u8; 16], usize) {
    let mut out = [0u8; 16];
    match addr {
        IpAddr::V4(v4) => {
            out[..4].copy_from_slice(&v4.octets());
            (out, 4)
        }
        IpAddr::V6(v6) => (v6.octets(), 16),
    }
}

/// Whether every bit right of the first `bits` is zero (`addressOK`).
fn host_bits_zero(bytes: &[u8], bits: u8) -> bool {
    bytes.iter().enumerate().all(|(i, &byte)| {
        let first = i * 8;
        let kept = usize::from(bits).saturating_sub(first).min(8);
        // `kept` network bits at the top of this byte; the rest must be zero.
        let host_mask = if kept >= 8 { 0 } else { 0xffu8 >> kept };
        byte & host_mask == 0
    })
}

/// The address with every bit right of the first `bits` cleared.
fn mask_host_bits(addr: &IpAddr, bits: u8) -> IpAddr {
    let (mut bytes, len) = addr_bytes(addr);
    for (i, byte) in bytes.iter_mut().enumerate() {
        let kept = usize::from(bits).saturating_sub(i * 8).min(8);
        if kept < 8 {
            *byte &= !(0xffu8 >> kept);
        }
    }
    make_addr(&bytes, len)
}

/// An address from its first `len` (4 or 16) bytes.
fn make_addr(bytes: &[u8; 16], len: usize) -> IpAddr {
    if len == 4 {
        IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]))
    } else {
        IpAddr::V6(Ipv6Addr::from(*bytes))
    }
}

impl Inet {
    /// An address with a mask length; `None` if `bits` is longer than the family's address.
    pub fn new(addr: IpAddr, bits: u8) -> Option<Self> {
        (bits <= max_bits(&addr)).then_some(Self { addr, bits })
    }

    /// The address, host bits included.
    pub const fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The mask length.
    pub const fn bits(&self) -> u8 {
        self.bits
    }

    /// The network this address is in (host bits cleared), as `network(inet)` gives it.
    pub fn network(&self) -> Cidr {
        Cidr {
            addr: mask_host_bits(&self.addr, self.bits),
            bits: self.bits,
        }
    }
}

impl From<IpAddr> for Inet {
    /// A single host: the full-length mask.
    fn from(addr: IpAddr) -> Self {
        Self {
            bits: max_bits(&addr),
            addr,
        }
    }
}

impl From<Cidr> for Inet {
    fn from(cidr: Cidr) -> Self {
        Self {
            addr: cidr.addr,
            bits: cidr.bits,
        }
    }
}

impl Cidr {
    /// A network; `None` if `bits` is too long or `addr` has bits set right of the mask.
    pub fn new(addr: IpAddr, bits: u8) -> Option<Self> {
        let (bytes, len) = addr_bytes(&addr);
        (bits <= max_bits(&addr) && host_bits_zero(&bytes[..len], bits))
            .then_some(Self { addr, bits })
    }

    /// The network address.
    pub const fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The mask length.
    pub const fn bits(&self) -> u8 {
        self.bits
    }
}

// ---------------------------------------------------------------------------------------------
// Text input
// ---------------------------------------------------------------------------------------------

/// Reads a byte string as C does: past the end there is a NUL.
struct Cursor<'a> {
    /// The input.
    bytes: &'a [u8],
    /// The next byte to read.
    at: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `bytes`.
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    /// The byte at the cursor, or 0 at the end.
    fn peek(&self) -> u8 {
        self.peek_at(0)
    }

    /// The byte `ahead` places past the cursor, or 0 past the end.
    fn peek_at(&self, ahead: usize) -> u8 {
        self.at
            .checked_add(ahead)
            .and_then(|i| self.bytes.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// Reads one byte (0 at the end; the cursor still moves, as `*src++` does).
    fn next(&mut self) -> u8 {
        let c = self.peek();
        self.at = self.at.saturating_add(1);
        c
    }

    /// The bytes from the cursor on.
    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.at..).unwrap_or(&[])
    }
}

/// The value of an ASCII decimal digit.
fn dec_digit(c: u8) -> Option<u32> {
    c.is_ascii_digit().then(|| u32::from(c - b'0'))
}

/// The value of an ASCII hex digit.
fn hex_digit(c: u8) -> Option<u32> {
    char::from(c).to_digit(16)
}

/// Reads a decimal mask length after `/` whose first digit is at the cursor; `None` on anything
/// after the digits or a length over 32. (Leading zeros are allowed, as in `inet_net_pton`.)
fn v4_mask(s: &mut Cursor<'_>) -> Option<u8> {
    let mut bits: u32 = 0;
    let mut c = s.next();
    while let Some(d) = dec_digit(c) {
        bits = bits.saturating_mul(10).saturating_add(d);
        c = s.next();
    }
    (c == 0 && bits <= 32).then_some(bits as u8)
}

/// Reads one dotted-decimal octet whose first digit `c` was just read; returns it and the byte
/// that ended it.
fn v4_octet(s: &mut Cursor<'_>, first: u8) -> Option<(u8, u8)> {
    let mut value: u32 = 0;
    let mut c = first;
    while let Some(d) = dec_digit(c) {
        value = value * 10 + d;
        if value > 255 {
            return None;
        }
        c = s.next();
    }
    Some((value as u8, c))
}

/// `inet` input for IPv4 (`inet_net_pton_ipv4`): one to four octets, then `/bits`; without a
/// mask all four octets are needed, and the mask may not ask for more octets than were given.
fn parse_v4_inet(text: &[u8]) -> Option<([u8; 4], u8)> {
    let mut s = Cursor::new(text);
    let mut out = [0u8; 4];
    let mut n = 0;
    let mut c = s.next();
    while c.is_ascii_digit() {
        let (octet, end) = v4_octet(&mut s, c)?;
        *out.get_mut(n)? = octet;
        n += 1;
        c = end;
        if c == 0 || c == b'/' {
            break;
        }
        if c != b'.' {
            return None;
        }
        c = s.next();
    }
    let mut bits = None;
    if c == b'/' && s.peek().is_ascii_digit() && n > 0 {
        bits = Some(v4_mask(&mut s)?);
        c = 0;
    }
    if c != 0 {
        return None;
    }
    let bits = match bits {
        Some(bits) => bits,
        None if n == 4 => 32,
        None => return None,
    };
    if n == 0 || usize::from(bits / 8) > n {
        return None;
    }
    Some((out, bits))
}

/// `cidr` input for IPv4 (`inet_cidr_pton_ipv4`): hex (`0x0a0b`) or one to four dotted octets,
/// then `/bits`; without a mask the length follows the old address classes, widened to the
/// octets given.
fn parse_v4_cidr(text: &[u8]) -> Option<([u8; 4], u8)> {
    let mut s = Cursor::new(text);
    let mut out = [0u8; 4];
    let mut n = 0;
    let mut c = s.next();
    if c == b'0' && matches!(s.peek(), b'x' | b'X') && hex_digit(s.peek_at(1)).is_some() {
        s.next();
        let mut pending: Option<u32> = None;
        c = s.next();
        while let Some(d) = hex_digit(c) {
            match pending.take() {
                None => pending = Some(d),
                Some(hi) => {
                    *out.get_mut(n)? = (hi << 4 | d) as u8;
                    n += 1;
                }
            }
            c = s.next();
        }
        if let Some(hi) = pending {
            *out.get_mut(n)? = (hi << 4) as u8;
            n += 1;
        }
    } else if c.is_ascii_digit() {
        loop {
            let (octet, end) = v4_octet(&mut s, c)?;
            *out.get_mut(n)? = octet;
            n += 1;
            c = end;
            if c == 0 || c == b'/' {
                break;
            }
            if c != b'.' {
                return None;
            }
            c = s.next();
            if !c.is_ascii_digit() {
                return None;
            }
        }
    } else {
        return None;
    }

    let mut bits = None;
    if c == b'/' && s.peek().is_ascii_digit() && n > 0 {
        bits = Some(v4_mask(&mut s)?);
        c = 0;
    }
    if c != 0 || n == 0 {
        return None;
    }
    let bits = bits.unwrap_or_else(|| classful_bits(out[0], n));
    // Octets the mask covers but the text left out are zero already.
    Some((out, bits))
}

/// The mask length `cidr` infers from the first octet when none is given, widened to the
/// `given` octets.
fn classful_bits(first: u8, given: usize) -> u8 {
    let class = match first {
        240.. => 32,
        224.. => 8,
        192.. => 24,
        128.. => 16,
        _ => 8,
    };
    let bits = class.max(given as u8 * 8);
    // A bare class D network (224) gets /4.
    if bits == 8 && first == 224 {
        4
    } else {
        bits
    }
}

/// A mask length after `/` in IPv6 input (`getbits`): decimal, no leading zeros, at most 128.
fn v6_mask(text: &[u8]) -> Option<u8> {
    if text.is_empty() {
        return None;
    }
    let mut value: u32 = 0;
    for (i, &c) in text.iter().enumerate() {
        let d = dec_digit(c)?;
        if i != 0 && value == 0 {
            return None;
        }
        value = value * 10 + d;
        if value > 128 {
            return None;
        }
    }
    Some(value as u8)
}

/// The dotted IPv4 tail of an IPv6 address (`getv4`), into `dst` (4 bytes): at most four
/// octets without leading zeros, possibly followed by `/bits`. Returns the mask length, 128 when
/// none is given. (Like PostgreSQL, fewer than four octets leave the rest zero.)
fn v6_ipv4_tail(text: &[u8], dst: &mut [u8]) -> Option<u8> {
    let mut value: u32 = 0;
    let mut digits = 0;
    let mut octets = 0;
    for (i, &c) in text.iter().enumerate() {
        if let Some(d) = dec_digit(c) {
            if digits != 0 && value == 0 {
                return None;
            }
            digits += 1;
            value = value * 10 + d;
            if value > 255 {
                return None;
            }
            continue;
        }
        if c != b'.' && c != b'/' {
            return None;
        }
        *dst.get_mut(octets)? = value as u8;
        octets += 1;
        if c == b'/' {
            return v6_mask(text.get(i + 1..)?);
        }
        value = 0;
        digits = 0;
    }
    if digits == 0 {
        return None;
    }
    *dst.get_mut(octets)? = value as u8;
    Some(128)
}

/// IPv6 input (`inet_cidr_pton_ipv6`), for `inet` and `cidr` alike: up to eight groups of one to
/// four hex digits, one `::`, an optional dotted IPv4 tail, then `/bits` (128 if absent).
fn parse_v6(text: &[u8]) -> Option<([u8; 16], u8)> {
    let mut s = Cursor::new(text);
    let mut out = [0u8; 16];
    let mut filled = 0;
    let mut gap: Option<usize> = None;
    if s.peek() == b':' {
        if s.peek_at(1) != b':' {
            return None;
        }
        s.next();
    }
    let mut token = s.at;
    let mut group: Option<u32> = None;
    let mut digits = 0;
    let mut bits = 128;
    loop {
        let c = s.next();
        if c == 0 {
            break;
        }
        if let Some(d) = hex_digit(c) {
            group = Some(group.unwrap_or(0) << 4 | d);
            digits += 1;
            if digits > 4 {
                return None;
            }
            continue;
        }
        if c == b':' {
            token = s.at;
            let Some(value) = group.take() else {
                if gap.is_some() {
                    return None;
                }
                gap = Some(filled);
                continue;
            };
            if s.peek() == 0 || filled + 2 > 16 {
                return None;
            }
            out[filled..filled + 2].copy_from_slice(&(value as u16).to_be_bytes());
            filled += 2;
            digits = 0;
            continue;
        }
        if c == b'.' && filled + 4 <= 16 {
            let tail = text.get(token..)?;
            if let Some(mask) = v6_ipv4_tail(tail, &mut out[filled..filled + 4]) {
                filled += 4;
                group = None;
                bits = mask;
                break;
            }
        }
        if c == b'/' {
            if let Some(mask) = v6_mask(s.rest()) {
                bits = mask;
                break;
            }
        }
        return None;
    }
    if let Some(value) = group {
        if filled + 2 > 16 {
            return None;
        }
        out[filled..filled + 2].copy_from_slice(&(value as u16).to_be_bytes());
        filled += 2;
    }
    if let Some(at) = gap {
        if filled == 16 {
            return None;
        }
        // Move the groups after `::` to the end and zero the gap.
        let moved = filled - at;
        out.copy_within(at..filled, 16 - moved);
        out[at..16 - moved].fill(0);
        filled = 16;
    }
    (filled == 16).then_some((out, bits))
}

/// `inet_in`/`cidr_in`: an address and mask length, or the error PostgreSQL raises.
fn parse(text: &str, cidr: bool) -> Result<(IpAddr, u8), TypeError> {
    let type_name = if cidr { "cidr" } else { "inet" };
    let syntax = TypeError::syntax(type_name);
    if text.contains('\0') {
        return Err(syntax);
    }
    let bytes = text.as_bytes();
    let (addr, bits) = if bytes.contains(&b':') {
        let (octets, bits) = parse_v6(bytes).ok_or(syntax)?;
        (IpAddr::V6(Ipv6Addr::from(octets)), bits)
    } else {
        let parsed = if cidr {
            parse_v4_cidr(bytes)
        } else {
            parse_v4_inet(bytes)
        };
        let (octets, bits) = parsed.ok_or(syntax)?;
        (IpAddr::V4(Ipv4Addr::from(octets)), bits)
    };
    if cidr {
        let (octets, len) = addr_bytes(&addr);
        if !host_bits_zero(&octets[..len], bits) {
            return Err(TypeError::new(
                "22P02",
                "invalid cidr value: \"{input}\"",
                "cidr",
            ));
        }
    }
    Ok((addr, bits))
}

// ---------------------------------------------------------------------------------------------
// Text output
// ---------------------------------------------------------------------------------------------

/// The longest run of two or more zero groups (the first on a tie), as `(start, len)`.
fn longest_zero_run(words: &[u16; 8]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    let mut current: Option<(usize, usize)> = None;
    for (i, &word) in words.iter().enumerate() {
        if word == 0 {
            current = Some(current.map_or((i, 1), |(start, len)| (start, len + 1)));
        } else if let Some(run) = current.take() {
            if best.is_none_or(|b| run.1 > b.1) {
                best = Some(run);
            }
        }
    }
    if let Some(run) = current {
        if best.is_none_or(|b| run.1 > b.1) {
            best = Some(run);
        }
    }
    best.filter(|&(_, len)| len >= 2)
}

/// Writes an IPv6 address as `inet_net_ntop` does.
fn write_v6(f: &mut fmt::Formatter<'_>, addr: &Ipv6Addr) -> fmt::Result {
    let words = addr.segments();
    let octets = addr.octets();
    let run = longest_zero_run(&words);
    for (i, &word) in words.iter().enumerate() {
        if let Some((start, len)) = run {
            if (start..start + len).contains(&i) {
                if i == start {
                    f.write_str(":")?;
                }
                continue;
            }
        }
        if i != 0 {
            f.write_str(":")?;
        }
        // An IPv4-compatible (`::a.b.c.d`) or IPv4-mapped (`::ffff:a.b.c.d`) address.
        let ipv4_tail =
            i == 6 && (run == Some((0, 6)) || (run == Some((0, 5)) && words[5] == 0xffff));
        if ipv4_tail {
            let tail: [u8; 4] = [octets[12], octets[13], octets[14], octets[15]];
            return write!(f, "{}", Ipv4Addr::from(tail));
        }
        write!(f, "{word:x}")?;
    }
    if run.is_some_and(|(start, len)| start + len == 8) {
        f.write_str(":")?;
    }
    Ok(())
}

/// Writes `inet_out` (`always_bits` false) or `cidr_out` (true).
fn write_network(
    f: &mut fmt::Formatter<'_>,
    addr: &IpAddr,
    bits: u8,
    always_bits: bool,
) -> fmt::Result {
    match addr {
        // Always the four octets in decimal, as `Ipv4Addr` writes them.
        IpAddr::V4(v4) => write!(f, "{v4}")?,
        IpAddr::V6(v6) => write_v6(f, v6)?,
    }
    if always_bits || bits != max_bits(addr) {
        write!(f, "/{bits}")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Binary form
// ---------------------------------------------------------------------------------------------

/// `network_recv`: family, bits, is_cidr (ignored), address length, address.
fn decode_binary(bytes: &[u8], cidr: bool) -> Result<(IpAddr, u8), TypeError> {
    let type_name = if cidr { "cidr" } else { "inet" };
    let no_data = TypeError::new("08P01", "no data left in message", type_name);
    let mut input = bytes.iter().copied();
    let mut next = || input.next().ok_or(no_data);
    let family = next()?;
    let len = match family {
        PGSQL_AF_INET => 4,
        PGSQL_AF_INET6 => 16,
        _ => {
            return Err(TypeError::new(
                "22P03",
                "invalid address family in external \"{type}\" value",
                type_name,
            ))
        }
    };
    let bits = next()?;
    if usize::from(bits) > len * 8 {
        return Err(TypeError::new(
            "22P03",
            "invalid bits in external \"{type}\" value",
            type_name,
        ));
    }
    let _is_cidr = next()?;
    if usize::from(next()?) != len {
        return Err(TypeError::new(
            "22P03",
            "invalid length in external \"{type}\" value",
            type_name,
        ));
    }
    let mut octets = [0u8; 16];
    for byte in octets.iter_mut().take(len) {
        *byte = next()?;
    }
    if cidr && !host_bits_zero(&octets[..len], bits) {
        return Err(TypeError::new(
            "22P03",
            "invalid external \"cidr\" value",
            type_name,
        ));
    }
    if input.next().is_some() {
        return Err(TypeError::binary(type_name));
    }
    Ok((make_addr(&octets, len), bits))
}

/// `network_send`.
fn encode_binary<B: WriteBuf + ?Sized>(
    out: &mut B,
    addr: &IpAddr,
    bits: u8,
    cidr: bool,
) -> Result<(), BufferFull> {
    let (octets, len) = addr_bytes(addr);
    let family = if len == 4 {
        PGSQL_AF_INET
    } else {
        PGSQL_AF_INET6
    };
    let mut frame = [0u8; 20];
    frame[..4].copy_from_slice(&[family, bits, u8::from(cidr), len as u8]);
    frame[4..4 + len].copy_from_slice(&octets[..len]);
    out.put_slice(&frame[..4 + len])
}

impl Codec for Inet {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        parse(text, false).map(|(addr, bits)| Self { addr, bits })
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        decode_binary(bytes, false).map(|(addr, bits)| Self { addr, bits })
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        write_display(out, self)
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        encode_binary(out, &self.addr, self.bits, false)
    }
}

impl Codec for Cidr {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        parse(text, true).map(|(addr, bits)| Self { addr, bits })
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        decode_binary(bytes, true).map(|(addr, bits)| Self { addr, bits })
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        write_display(out, self)
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        encode_binary(out, &self.addr, self.bits, true)
    }
}

impl fmt::Display for Inet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_network(f, &self.addr, self.bits, false)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_network(f, &self.addr, self.bits, true)
    }
}

impl FromStr for Inet {
    type Err = TypeError;

    fn from_str(s: &str) -> Result<Self, TypeError> {
        Self::decode_text(s)
    }
}

impl FromStr for Cidr {
    type Err = TypeError;

    fn from_str(s: &str) -> Result<Self, TypeError> {
        Self::decode_text(s)
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;

    use core::fmt::Write as _;

    use super::*;
    use crate::message::Format;

    /// Hex of a byte slice, as psql shows a `bytea` (without `\x`).
    fn hex(bytes: &[u8]) -> String {
        bytes.iter().fold(String::new(), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
    }

    /// Decodes hex test data.
    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Either the text output or (SQLSTATE, message).
    type Answer = Result<&'static str, (&'static str, &'static str)>;

    /// Either (text output, `*_send` as hex) or (SQLSTATE, message).
    type Expect = Result<(&'static str, &'static str), (&'static str, &'static str)>;

    /// (input, PostgreSQL 15's `inet` answer, its `cidr` answer), generated by
    /// `SELECT 'input'::inet, inet_send('input'::inet)` and the same for `cidr`.
    const CASES: &[(&str, Expect, Expect)] = &[
        (
            "10.0.0.1",
            Ok(("10.0.0.1", "022000040a000001")),
            Ok(("10.0.0.1/32", "022001040a000001")),
        ),
        (
            "10.0.0.1/8",
            Ok(("10.0.0.1/8", "020800040a000001")),
            Err(("22P02", "invalid cidr value: \"10.0.0.1/8\"")),
        ),
        (
            "10.1.2.3/32",
            Ok(("10.1.2.3", "022000040a010203")),
            Ok(("10.1.2.3/32", "022001040a010203")),
        ),
        (
            "::1",
            Ok(("::1", "0380001000000000000000000000000000000001")),
            Ok(("::1/128", "0380011000000000000000000000000000000001")),
        ),
        (
            "2001:db8::/32",
            Ok(("2001:db8::/32", "0320001020010db8000000000000000000000000")),
            Ok(("2001:db8::/32", "0320011020010db8000000000000000000000000")),
        ),
        (
            "10/8",
            Ok(("10.0.0.0/8", "020800040a000000")),
            Ok(("10.0.0.0/8", "020801040a000000")),
        ),
        (
            "10.1/16",
            Ok(("10.1.0.0/16", "021000040a010000")),
            Ok(("10.1.0.0/16", "021001040a010000")),
        ),
        (
            "10",
            Err(("22P02", "invalid input syntax for type inet: \"10\"")),
            Ok(("10.0.0.0/8", "020801040a000000")),
        ),
        (
            "10.1",
            Err(("22P02", "invalid input syntax for type inet: \"10.1\"")),
            Ok(("10.1.0.0/16", "021001040a010000")),
        ),
        (
            "128",
            Err(("22P02", "invalid input syntax for type inet: \"128\"")),
            Ok(("128.0.0.0/16", "0210010480000000")),
        ),
        (
            "128.1.2",
            Err(("22P02", "invalid input syntax for type inet: \"128.1.2\"")),
            Ok(("128.1.2.0/24", "0218010480010200")),
        ),
        (
            "192.168",
            Err(("22P02", "invalid input syntax for type inet: \"192.168\"")),
            Ok(("192.168.0.0/24", "02180104c0a80000")),
        ),
        (
            "224",
            Err(("22P02", "invalid input syntax for type inet: \"224\"")),
            Ok(("224.0.0.0/4", "02040104e0000000")),
        ),
        (
            "225",
            Err(("22P02", "invalid input syntax for type inet: \"225\"")),
            Ok(("225.0.0.0/8", "02080104e1000000")),
        ),
        (
            "240",
            Err(("22P02", "invalid input syntax for type inet: \"240\"")),
            Ok(("240.0.0.0/32", "02200104f0000000")),
        ),
        (
            "0",
            Err(("22P02", "invalid input syntax for type inet: \"0\"")),
            Ok(("0.0.0.0/8", "0208010400000000")),
        ),
        (
            "224.1",
            Err(("22P02", "invalid input syntax for type inet: \"224.1\"")),
            Ok(("224.1.0.0/16", "02100104e0010000")),
        ),
        (
            "0x0a",
            Err(("22P02", "invalid input syntax for type inet: \"0x0a\"")),
            Ok(("10.0.0.0/8", "020801040a000000")),
        ),
        (
            "0x0a0b/16",
            Err(("22P02", "invalid input syntax for type inet: \"0x0a0b/16\"")),
            Ok(("10.11.0.0/16", "021001040a0b0000")),
        ),
        (
            "0X0A0B0C0D",
            Err((
                "22P02",
                "invalid input syntax for type inet: \"0X0A0B0C0D\"",
            )),
            Ok(("10.11.12.13/32", "022001040a0b0c0d")),
        ),
        (
            "0x0a0b0c0d0e",
            Err((
                "22P02",
                "invalid input syntax for type inet: \"0x0a0b0c0d0e\"",
            )),
            Err((
                "22P02",
                "invalid input syntax for type cidr: \"0x0a0b0c0d0e\"",
            )),
        ),
        (
            "0x",
            Err(("22P02", "invalid input syntax for type inet: \"0x\"")),
            Err(("22P02", "invalid input syntax for type cidr: \"0x\"")),
        ),
        (
            "0xg",
            Err(("22P02", "invalid input syntax for type inet: \"0xg\"")),
            Err(("22P02", "invalid input syntax for type cidr: \"0xg\"")),
        ),
        (
            "1.2.3.4.",
            Ok(("1.2.3.4", "0220000401020304")),
            Err(("22P02", "invalid input syntax for type cidr: \"1.2.3.4.\"")),
        ),
        (
            "1.2.3.4./8",
            Ok(("1.2.3.4/8", "0208000401020304")),
            Err((
                "22P02",
                "invalid input syntax for type cidr: \"1.2.3.4./8\"",
            )),
        ),
        (
            "1.2.3/24",
            Ok(("1.2.3.0/24", "0218000401020300")),
            Ok(("1.2.3.0/24", "0218010401020300")),
        ),
        (
            "1.2.3./24",
            Ok(("1.2.3.0/24", "0218000401020300")),
            Err(("22P02", "invalid input syntax for type cidr: \"1.2.3./24\"")),
        ),
        (
            "1.2.3",
            Err(("22P02", "invalid input syntax for type inet: \"1.2.3\"")),
            Ok(("1.2.3.0/24", "0218010401020300")),
        ),
        (
            "1.2/24",
            Err(("22P02", "invalid input syntax for type inet: \"1.2/24\"")),
            Ok(("1.2.0.0/24", "0218010401020000")),
        ),
        (
            "1.2/16",
            Ok(("1.2.0.0/16", "0210000401020000")),
            Ok(("1.2.0.0/16", "0210010401020000")),
        ),
        (
            "010.000.0.1",
            Ok(("10.0.0.1", "022000040a000001")),
            Ok(("10.0.0.1/32", "022001040a000001")),
        ),
        (
            "1.2.3.4/032",
            Ok(("1.2.3.4", "0220000401020304")),
            Ok(("1.2.3.4/32", "0220010401020304")),
        ),
        (
            "0.0.0.0/0",
            Ok(("0.0.0.0/0", "0200000400000000")),
            Ok(("0.0.0.0/0", "0200010400000000")),
        ),
        (
            "255.255.255.255",
            Ok(("255.255.255.255", "02200004ffffffff")),
            Ok(("255.255.255.255/32", "02200104ffffffff")),
        ),
        (
            " 1.2.3.4",
            Err(("22P02", "invalid input syntax for type inet: \" 1.2.3.4\"")),
            Err(("22P02", "invalid input syntax for type cidr: \" 1.2.3.4\"")),
        ),
        (
            "1.2.3.4 ",
            Err(("22P02", "invalid input syntax for type inet: \"1.2.3.4 \"")),
            Err(("22P02", "invalid input syntax for type cidr: \"1.2.3.4 \"")),
        ),
        (
            "1.2.3.4/33",
            Err((
                "22P02",
                "invalid input syntax for type inet: \"1.2.3.4/33\"",
            )),
            Err((
                "22P02",
                "invalid input syntax for type cidr: \"1.2.3.4/33\"",
            )),
        ),
        (
            "256.1.1.1",
            Err(("22P02", "invalid input syntax for type inet: \"256.1.1.1\"")),
            Err(("22P02", "invalid input syntax for type cidr: \"256.1.1.1\"")),
        ),
        (
            "1.2.3.4/",
            Err(("22P02", "invalid input syntax for type inet: \"1.2.3.4/\"")),
            Err(("22P02", "invalid input syntax for type cidr: \"1.2.3.4/\"")),
        ),
        (
            "1.2.3.4.5",
            Err(("22P02", "invalid input syntax for type inet: \"1.2.3.4.5\"")),
            Err(("22P02", "invalid input syntax for type cidr: \"1.2.3.4.5\"")),
        ),
        (
            "1..2.3",
            Err(("22P02", "invalid input syntax for type inet: \"1..2.3\"")),
            Err(("22P02", "invalid input syntax for type cidr: \"1..2.3\"")),
        ),
        (
            "/8",
            Err(("22P02", "invalid input syntax for type inet: \"/8\"")),
            Err(("22P02", "invalid input syntax for type cidr: \"/8\"")),
        ),
        (
            "10.1.2.3/8",
            Ok(("10.1.2.3/8", "020800040a010203")),
            Err(("22P02", "invalid cidr value: \"10.1.2.3/8\"")),
        ),
        (
            "10.1.2.0/24",
            Ok(("10.1.2.0/24", "021800040a010200")),
            Ok(("10.1.2.0/24", "021801040a010200")),
        ),
        (
            "192.168.1.0/23",
            Ok(("192.168.1.0/23", "02170004c0a80100")),
            Err(("22P02", "invalid cidr value: \"192.168.1.0/23\"")),
        ),
        (
            "10.0.0.0/7",
            Ok(("10.0.0.0/7", "020700040a000000")),
            Ok(("10.0.0.0/7", "020701040a000000")),
        ),
        (
            "::",
            Ok(("::", "0380001000000000000000000000000000000000")),
            Ok(("::/128", "0380011000000000000000000000000000000000")),
        ),
        (
            "::/0",
            Ok(("::/0", "0300001000000000000000000000000000000000")),
            Ok(("::/0", "0300011000000000000000000000000000000000")),
        ),
        (
            "::1/128",
            Ok(("::1", "0380001000000000000000000000000000000001")),
            Ok(("::1/128", "0380011000000000000000000000000000000001")),
        ),
        (
            "ffff::/16",
            Ok(("ffff::/16", "03100010ffff0000000000000000000000000000")),
            Ok(("ffff::/16", "03100110ffff0000000000000000000000000000")),
        ),
        (
            "1::/8",
            Ok(("1::/8", "0308001000010000000000000000000000000000")),
            Err(("22P02", "invalid cidr value: \"1::/8\"")),
        ),
        (
            "1::/16",
            Ok(("1::/16", "0310001000010000000000000000000000000000")),
            Ok(("1::/16", "0310011000010000000000000000000000000000")),
        ),
        (
            "::ffff:1.2.3.4",
            Ok(("::ffff:1.2.3.4", "0380001000000000000000000000ffff01020304")),
            Ok((
                "::ffff:1.2.3.4/128",
                "0380011000000000000000000000ffff01020304",
            )),
        ),
        (
            "::ffff:1.2.3.4/120",
            Ok((
                "::ffff:1.2.3.4/120",
                "0378001000000000000000000000ffff01020304",
            )),
            Err(("22P02", "invalid cidr value: \"::ffff:1.2.3.4/120\"")),
        ),
        (
            "::ffff:1.2.3.0/120",
            Ok((
                "::ffff:1.2.3.0/120",
                "0378001000000000000000000000ffff01020300",
            )),
            Ok((
                "::ffff:1.2.3.0/120",
                "0378011000000000000000000000ffff01020300",
            )),
        ),
        (
            "::1.2.3.4",
            Ok(("::1.2.3.4", "0380001000000000000000000000000001020304")),
            Ok(("::1.2.3.4/128", "0380011000000000000000000000000001020304")),
        ),
        (
            "::1.2.3.4/96",
            Ok(("::1.2.3.4/96", "0360001000000000000000000000000001020304")),
            Err(("22P02", "invalid cidr value: \"::1.2.3.4/96\"")),
        ),
        (
            "::2",
            Ok(("::2", "0380001000000000000000000000000000000002")),
            Ok(("::2/128", "0380011000000000000000000000000000000002")),
        ),
        (
            "::0.0.0.1",
            Ok(("::1", "0380001000000000000000000000000000000001")),
            Ok(("::1/128", "0380011000000000000000000000000000000001")),
        ),
        (
            "::ffff:0:0",
            Ok(("::ffff:0.0.0.0", "0380001000000000000000000000ffff00000000")),
            Ok((
                "::ffff:0.0.0.0/128",
                "0380011000000000000000000000ffff00000000",
            )),
        ),
        (
            "::ffff:0.0.0.0",
            Ok(("::ffff:0.0.0.0", "0380001000000000000000000000ffff00000000")),
            Ok((
                "::ffff:0.0.0.0/128",
                "0380011000000000000000000000ffff00000000",
            )),
        ),
        (
            "0:0:0:0:0:ffff:102:304",
            Ok(("::ffff:1.2.3.4", "0380001000000000000000000000ffff01020304")),
            Ok((
                "::ffff:1.2.3.4/128",
                "0380011000000000000000000000ffff01020304",
            )),
        ),
        (
            "1:0:0:1:0:0:0:1",
            Ok(("1:0:0:1::1", "0380001000010000000000010000000000000001")),
            Ok(("1:0:0:1::1/128", "0380011000010000000000010000000000000001")),
        ),
        (
            "1:0:0:0:1:0:0:1",
            Ok(("1::1:0:0:1", "0380001000010000000000000001000000000001")),
            Ok(("1::1:0:0:1/128", "0380011000010000000000000001000000000001")),
        ),
        (
            "0:0:1:0:0:1:0:0",
            Ok(("::1:0:0:1:0:0", "0380001000000000000100000000000100000000")),
            Ok((
                "::1:0:0:1:0:0/128",
                "0380011000000000000100000000000100000000",
            )),
        ),
        (
            "1:0:1:0:1:0:1:0",
            Ok((
                "1:0:1:0:1:0:1:0",
                "0380001000010000000100000001000000010000",
            )),
            Ok((
                "1:0:1:0:1:0:1:0/128",
                "0380011000010000000100000001000000010000",
            )),
        ),
        (
            "1::",
            Ok(("1::", "0380001000010000000000000000000000000000")),
            Ok(("1::/128", "0380011000010000000000000000000000000000")),
        ),
        (
            "1::1",
            Ok(("1::1", "0380001000010000000000000000000000000001")),
            Ok(("1::1/128", "0380011000010000000000000000000000000001")),
        ),
        (
            "FFFF:ABCD::1",
            Ok(("ffff:abcd::1", "03800010ffffabcd000000000000000000000001")),
            Ok((
                "ffff:abcd::1/128",
                "03800110ffffabcd000000000000000000000001",
            )),
        ),
        (
            "1:2:3:4:5:6:7:8",
            Ok((
                "1:2:3:4:5:6:7:8",
                "0380001000010002000300040005000600070008",
            )),
            Ok((
                "1:2:3:4:5:6:7:8/128",
                "0380011000010002000300040005000600070008",
            )),
        ),
        (
            "::1:2:3:4:5:6:7",
            Ok((
                "0:1:2:3:4:5:6:7",
                "0380001000000001000200030004000500060007",
            )),
            Ok((
                "0:1:2:3:4:5:6:7/128",
                "0380011000000001000200030004000500060007",
            )),
        ),
        (
            "1:2:3:4:5:6:7::",
            Ok((
                "1:2:3:4:5:6:7:0",
                "0380001000010002000300040005000600070000",
            )),
            Ok((
                "1:2:3:4:5:6:7:0/128",
                "0380011000010002000300040005000600070000",
            )),
        ),
        (
            "::2:3:4:5:6:7:8",
            Ok((
                "0:2:3:4:5:6:7:8",
                "0380001000000002000300040005000600070008",
            )),
            Ok((
                "0:2:3:4:5:6:7:8/128",
                "0380011000000002000300040005000600070008",
            )),
        ),
        (
            "1:2:3:4:5:6:1.2.3.4",
            Ok((
                "1:2:3:4:5:6:102:304",
                "0380001000010002000300040005000601020304",
            )),
            Ok((
                "1:2:3:4:5:6:102:304/128",
                "0380011000010002000300040005000601020304",
            )),
        ),
        (
            "1:2:3:4:5:6:7:1.2.3.4",
            Err((
                "22P02",
                "invalid input syntax for type inet: \"1:2:3:4:5:6:7:1.2.3.4\"",
            )),
            Err((
                "22P02",
                "invalid input syntax for type cidr: \"1:2:3:4:5:6:7:1.2.3.4\"",
            )),
        ),
        (
            "::/96",
            Ok(("::/96", "0360001000000000000000000000000000000000")),
            Ok(("::/96", "0360011000000000000000000000000000000000")),
        ),
        (
            "::ffff:0:0/96",
            Ok((
                "::ffff:0.0.0.0/96",
                "0360001000000000000000000000ffff00000000",
            )),
            Ok((
                "::ffff:0.0.0.0/96",
                "0360011000000000000000000000ffff00000000",
            )),
        ),
        (
            "1:2::/32",
            Ok(("1:2::/32", "0320001000010002000000000000000000000000")),
            Ok(("1:2::/32", "0320011000010002000000000000000000000000")),
        ),
        (
            "1:2:3::/47",
            Ok(("1:2:3::/47", "032f001000010002000300000000000000000000")),
            Err(("22P02", "invalid cidr value: \"1:2:3::/47\"")),
        ),
        (
            "1:2:3::/48",
            Ok(("1:2:3::/48", "0330001000010002000300000000000000000000")),
            Ok(("1:2:3::/48", "0330011000010002000300000000000000000000")),
        ),
        (
            "::1.2",
            Ok(("::1.2.0.0", "0380001000000000000000000000000001020000")),
            Ok(("::1.2.0.0/128", "0380011000000000000000000000000001020000")),
        ),
        (
            "::1..2",
            Ok(("::1.0.2.0", "0380001000000000000000000000000001000200")),
            Ok(("::1.0.2.0/128", "0380011000000000000000000000000001000200")),
        ),
        (
            "::1.2./8",
            Ok(("::1.2.0.0/8", "0308001000000000000000000000000001020000")),
            Err(("22P02", "invalid cidr value: \"::1.2./8\"")),
        ),
        (
            "::1.02.3.4",
            Err((
                "22P02",
                "invalid input syntax for type inet: \"::1.02.3.4\"",
            )),
            Err((
                "22P02",
                "invalid input syntax for type cidr: \"::1.02.3.4\"",
            )),
        ),
        (
            "::1.2.3.4/",
            Err((
                "22P02",
                "invalid input syntax for type inet: \"::1.2.3.4/\"",
            )),
            Err((
                "22P02",
                "invalid input syntax for type cidr: \"::1.2.3.4/\"",
            )),
        ),
        (
            "::1.2.3.4.5",
            Err((
                "22P02",
                "invalid input syntax for type inet: \"::1.2.3.4.5\"",
            )),
            Err((
                "22P02",
                "invalid input syntax for type cidr: \"::1.2.3.4.5\"",
            )),
        ),
        (
            "::1/08",
            Err(("22P02", "invalid input syntax for type inet: \"::1/08\"")),
            Err(("22P02", "invalid input syntax for type cidr: \"::1/08\"")),
        ),
        (
            "::1/0",
            Ok(("::1/0", "0300001000000000000000000000000000000001")),
            Err(("22P02", "invalid cidr value: \"::1/0\"")),
        ),
        (
            "1::1/64",
            Ok(("1::1/64", "0340001000010000000000000000000000000001")),
            Err(("22P02", "invalid cidr value: \"1::1/64\"")),
        ),
        (
            "::1/129",
            Err(("22P02", "invalid input syntax for type inet: \"::1/129\"")),
            Err(("22P02", "invalid input syntax for type cidr: \"::1/129\"")),
        ),
        (
            ":1::",
            Err(("22P02", "invalid input syntax for type inet: \":1::\"")),
            Err(("22P02", "invalid input syntax for type cidr: \":1::\"")),
        ),
        (
            "1::2:",
            Err(("22P02", "invalid input syntax for type inet: \"1::2:\"")),
            Err(("22P02", "invalid input syntax for type cidr: \"1::2:\"")),
        ),
        (
            ":::",
            Err(("22P02", "invalid input syntax for type inet: \":::\"")),
            Err(("22P02", "invalid input syntax for type cidr: \":::\"")),
        ),
        (
            "1::2::3",
            Err(("22P02", "invalid input syntax for type inet: \"1::2::3\"")),
            Err(("22P02", "invalid input syntax for type cidr: \"1::2::3\"")),
        ),
        (
            "1:2:3:4:5:6:7:8:9",
            Err((
                "22P02",
                "invalid input syntax for type inet: \"1:2:3:4:5:6:7:8:9\"",
            )),
            Err((
                "22P02",
                "invalid input syntax for type cidr: \"1:2:3:4:5:6:7:8:9\"",
            )),
        ),
        (
            "1:2:3:4:5:6:7::8",
            Err((
                "22P02",
                "invalid input syntax for type inet: \"1:2:3:4:5:6:7::8\"",
            )),
            Err((
                "22P02",
                "invalid input syntax for type cidr: \"1:2:3:4:5:6:7::8\"",
            )),
        ),
        (
            "12345::",
            Err(("22P02", "invalid input syntax for type inet: \"12345::\"")),
            Err(("22P02", "invalid input syntax for type cidr: \"12345::\"")),
        ),
        (
            "fe80::1%eth0",
            Err((
                "22P02",
                "invalid input syntax for type inet: \"fe80::1%eth0\"",
            )),
            Err((
                "22P02",
                "invalid input syntax for type cidr: \"fe80::1%eth0\"",
            )),
        ),
        (
            "0:0:0:0:0:0:1:0",
            Ok(("::0.1.0.0", "0380001000000000000000000000000000010000")),
            Ok(("::0.1.0.0/128", "0380011000000000000000000000000000010000")),
        ),
        (
            "0:0:0:0:0:1:0:0",
            Ok(("::1:0:0", "0380001000000000000000000000000100000000")),
            Ok(("::1:0:0/128", "0380011000000000000000000000000100000000")),
        ),
        (
            "1:0:2:3:4:5:6:7",
            Ok((
                "1:0:2:3:4:5:6:7",
                "0380001000010000000200030004000500060007",
            )),
            Ok((
                "1:0:2:3:4:5:6:7/128",
                "0380011000010000000200030004000500060007",
            )),
        ),
        (
            "0:0:0:0:0:ffff:0:1",
            Ok(("::ffff:0.0.0.1", "0380001000000000000000000000ffff00000001")),
            Ok((
                "::ffff:0.0.0.1/128",
                "0380011000000000000000000000ffff00000001",
            )),
        ),
        (
            "::ffff:1.2.3.4/100",
            Ok((
                "::ffff:1.2.3.4/100",
                "0364001000000000000000000000ffff01020304",
            )),
            Err(("22P02", "invalid cidr value: \"::ffff:1.2.3.4/100\"")),
        ),
        (
            "::ffff",
            Ok(("::ffff", "038000100000000000000000000000000000ffff")),
            Ok(("::ffff/128", "038001100000000000000000000000000000ffff")),
        ),
        (
            "::fffe:1:2",
            Ok(("::fffe:1:2", "0380001000000000000000000000fffe00010002")),
            Ok(("::fffe:1:2/128", "0380011000000000000000000000fffe00010002")),
        ),
        (
            "0:0:0:0:1:ffff:1:2",
            Ok(("::1:ffff:1:2", "0380001000000000000000000001ffff00010002")),
            Ok((
                "::1:ffff:1:2/128",
                "0380011000000000000000000001ffff00010002",
            )),
        ),
        (
            "abcd:ef01:2345:6789:abcd:ef01:2345:6789",
            Ok((
                "abcd:ef01:2345:6789:abcd:ef01:2345:6789",
                "03800010abcdef0123456789abcdef0123456789",
            )),
            Ok((
                "abcd:ef01:2345:6789:abcd:ef01:2345:6789/128",
                "03800110abcdef0123456789abcdef0123456789",
            )),
        ),
        (
            "1.2.3.4:80",
            Err((
                "22P02",
                "invalid input syntax for type inet: \"1.2.3.4:80\"",
            )),
            Err((
                "22P02",
                "invalid input syntax for type cidr: \"1.2.3.4:80\"",
            )),
        ),
        (
            "fe80::/10",
            Ok(("fe80::/10", "030a0010fe800000000000000000000000000000")),
            Ok(("fe80::/10", "030a0110fe800000000000000000000000000000")),
        ),
        (
            "fe80::1:2/64",
            Ok(("fe80::1:2/64", "03400010fe800000000000000000000000010002")),
            Err(("22P02", "invalid cidr value: \"fe80::1:2/64\"")),
        ),
        (
            "::ffff:255.255.255.255",
            Ok((
                "::ffff:255.255.255.255",
                "0380001000000000000000000000ffffffffffff",
            )),
            Ok((
                "::ffff:255.255.255.255/128",
                "0380011000000000000000000000ffffffffffff",
            )),
        ),
        (
            "::255.255.255.255",
            Ok((
                "::255.255.255.255",
                "03800010000000000000000000000000ffffffff",
            )),
            Ok((
                "::255.255.255.255/128",
                "03800110000000000000000000000000ffffffff",
            )),
        ),
        (
            "::1.2.3.256",
            Err((
                "22P02",
                "invalid input syntax for type inet: \"::1.2.3.256\"",
            )),
            Err((
                "22P02",
                "invalid input syntax for type cidr: \"::1.2.3.256\"",
            )),
        ),
        (
            "2001:db8:0:0:1:0:0:1",
            Ok((
                "2001:db8::1:0:0:1",
                "0380001020010db8000000000001000000000001",
            )),
            Ok((
                "2001:db8::1:0:0:1/128",
                "0380011020010db8000000000001000000000001",
            )),
        ),
        (
            "2001:0db8:0000:0000:0000:0000:0000:0001",
            Ok(("2001:db8::1", "0380001020010db8000000000000000000000001")),
            Ok((
                "2001:db8::1/128",
                "0380011020010db8000000000000000000000001",
            )),
        ),
        (
            "0::0",
            Ok(("::", "0380001000000000000000000000000000000000")),
            Ok(("::/128", "0380011000000000000000000000000000000000")),
        ),
        (
            "::/1",
            Ok(("::/1", "0301001000000000000000000000000000000000")),
            Ok(("::/1", "0301011000000000000000000000000000000000")),
        ),
        (
            "8000::/1",
            Ok(("8000::/1", "0301001080000000000000000000000000000000")),
            Ok(("8000::/1", "0301011080000000000000000000000000000000")),
        ),
        (
            "::1/64",
            Ok(("::1/64", "0340001000000000000000000000000000000001")),
            Err(("22P02", "invalid cidr value: \"::1/64\"")),
        ),
        (
            "",
            Err(("22P02", "invalid input syntax for type inet: \"\"")),
            Err(("22P02", "invalid input syntax for type cidr: \"\"")),
        ),
        (
            "1.2.3.4/8x",
            Err((
                "22P02",
                "invalid input syntax for type inet: \"1.2.3.4/8x\"",
            )),
            Err((
                "22P02",
                "invalid input syntax for type cidr: \"1.2.3.4/8x\"",
            )),
        ),
    ];

    /// Checks one decoder against one expected answer.
    fn check<T: Codec + fmt::Display>(input: &str, expected: &Expect) {
        match (T::decode_text(input), expected) {
            (Ok(value), Ok((text, send))) => {
                assert_eq!(value.to_string(), *text, "{input:?}");
                let mut out = Vec::new();
                value.encode_binary(&mut out).unwrap();
                assert_eq!(hex(&out), *send, "{input:?}");
            }
            (Err(err), Err((code, message))) => {
                assert_eq!(
                    (err.code, err.message(input)),
                    (*code, String::from(*message))
                );
            }
            (got, _) => panic!(
                "{input:?}: got {:?}, want {expected:?}",
                got.map(|v| v.to_string())
            ),
        }
    }

    #[test]
    fn text_input_output_and_send() {
        for (input, inet, cidr) in CASES {
            check::<Inet>(input, inet);
            check::<Cidr>(input, cidr);
        }
    }

    #[test]
    fn binary_input() {
        // (network_recv input, type, PostgreSQL 15's text output or SQLSTATE and message),
        // checked by COPY … FROM … (FORMAT binary).
        let cases: &[(&str, bool, Answer)] = &[
            ("022000040a000001", false, Ok("10.0.0.1")),
            (
                "0320011020010db8000000000000000000000000",
                false,
                Ok("2001:db8::/32"),
            ),
            // is_cidr is ignored on input.
            ("022001040a000001", false, Ok("10.0.0.1")),
            ("0208ff040a010203", false, Ok("10.1.2.3/8")),
            ("0208ff040a000000", true, Ok("10.0.0.0/8")),
            (
                "0380011000000000000000000000000000000001",
                true,
                Ok("::1/128"),
            ),
            (
                "04200004",
                false,
                Err(("22P03", "invalid address family in external \"inet\" value")),
            ),
            (
                "04200004",
                true,
                Err(("22P03", "invalid address family in external \"cidr\" value")),
            ),
            (
                "02210004",
                false,
                Err(("22P03", "invalid bits in external \"inet\" value")),
            ),
            (
                "03810010",
                false,
                Err(("22P03", "invalid bits in external \"inet\" value")),
            ),
            (
                "02200005",
                false,
                Err(("22P03", "invalid length in external \"inet\" value")),
            ),
            (
                "03800004",
                false,
                Err(("22P03", "invalid length in external \"inet\" value")),
            ),
            (
                "0208ff040a010203",
                true,
                Err(("22P03", "invalid external \"cidr\" value")),
            ),
            (
                "0220000401020304ff",
                false,
                Err(("22P03", "incorrect binary data format")),
            ),
            ("", false, Err(("08P01", "no data left in message"))),
            ("02", false, Err(("08P01", "no data left in message"))),
            ("0220", false, Err(("08P01", "no data left in message"))),
            ("022000", false, Err(("08P01", "no data left in message"))),
            ("02200004", false, Err(("08P01", "no data left in message"))),
            (
                "0220000401",
                true,
                Err(("08P01", "no data left in message")),
            ),
            (
                "0320001000",
                false,
                Err(("08P01", "no data left in message")),
            ),
        ];
        for (input, cidr, expected) in cases {
            let bytes = unhex(input);
            let got = if *cidr {
                Cidr::decode_binary(&bytes).map(|v| v.to_string())
            } else {
                Inet::decode_binary(&bytes).map(|v| v.to_string())
            };
            let got = got.map_err(|e| (e.code, e.message("")));
            let expected = expected
                .map(String::from)
                .map_err(|(code, msg)| (code, String::from(msg)));
            assert_eq!(got, expected, "{input} cidr={cidr}");
        }
    }

    #[test]
    fn constructors() {
        let v4 = IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3));
        let v6 = IpAddr::V6(Ipv6Addr::LOCALHOST);
        assert_eq!(Inet::new(v4, 33), None);
        assert_eq!(Inet::new(v6, 129), None);
        let inet = Inet::new(v4, 8).unwrap();
        assert_eq!((inet.addr(), inet.bits()), (v4, 8));
        assert_eq!(inet.to_string(), "10.1.2.3/8");
        assert_eq!(inet.network().to_string(), "10.0.0.0/8");
        assert_eq!(
            Inet::new(v4, 20).unwrap().network().to_string(),
            "10.1.0.0/20"
        );
        assert_eq!(Inet::from(v6).to_string(), "::1");
        assert_eq!(Cidr::new(v4, 8), None);
        assert_eq!(Cidr::new(v4, 32).unwrap().to_string(), "10.1.2.3/32");
        assert_eq!(Cidr::new(v6, 127), None);
        let net = Cidr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 0)), 8).unwrap();
        assert_eq!(Inet::from(net).to_string(), "10.0.0.0/8");
        assert_eq!(net.to_string(), "10.0.0.0/8");
    }

    #[test]
    fn round_trips() {
        for (input, inet, cidr) in CASES {
            if inet.is_ok() {
                let value: Inet = input.parse().unwrap();
                let mut text = Vec::new();
                value.encode(Format::Text, &mut text).unwrap();
                assert_eq!(Inet::decode(Format::Text, &text), Ok(value), "{input}");
                let mut bin = Vec::new();
                value.encode(Format::Binary, &mut bin).unwrap();
                assert_eq!(Inet::decode(Format::Binary, &bin), Ok(value), "{input}");
            }
            if cidr.is_ok() {
                let value: Cidr = input.parse().unwrap();
                let mut text = Vec::new();
                value.encode(Format::Text, &mut text).unwrap();
                assert_eq!(Cidr::decode(Format::Text, &text), Ok(value), "{input}");
                let mut bin = Vec::new();
                value.encode(Format::Binary, &mut bin).unwrap();
                assert_eq!(Cidr::decode(Format::Binary, &bin), Ok(value), "{input}");
            }
        }
    }

    proptest::proptest! {
        /// Any text or bytes decode to a value or an error, never a panic, and accepted values
        /// round-trip.
        #[test]
        fn never_panics(text in "[0-9a-fA-Fx:./ ]{0,48}", bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..24)) {
            for value in [Inet::decode_text(&text).ok(), Inet::decode_binary(&bytes).ok()].into_iter().flatten() {
                proptest::prop_assert_eq!(value.to_string().parse::<Inet>(), Ok(value));
            }
            for value in [Cidr::decode_text(&text).ok(), Cidr::decode_binary(&bytes).ok()].into_iter().flatten() {
                proptest::prop_assert_eq!(value.to_string().parse::<Cidr>(), Ok(value));
            }
        }
    }
}
