//! Numeric host addresses as the C library's `getaddrinfo(AI_NUMERICHOST)` reads them,
//! which is what Tornado's `is_valid_ip` and `bind_sockets` rely on.
//!
//! IPv4 follows `inet_aton`: one to four parts separated by dots, each decimal, octal
//! (leading `0`) or hexadecimal (`0x`), the last part filling the remaining bytes
//! (`127.1` is `127.0.0.1`, `0x7f000001` too). IPv6 is the standard text form, with an
//! optional `%scope`: a number, or for link-local addresses an interface name.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A numeric host: an IPv4 address, or an IPv6 address with its scope id (0 for none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumericHost {
    V4(Ipv4Addr),
    V6(Ipv6Addr, u32),
}

/// Reads `text` as a numeric host, or `None` if it is not one.
pub(crate) fn parse_numeric_host(text: &str) -> Option<NumericHost> {
    if text.is_empty() || text.contains('\0') {
        return None;
    }
    if let Some(v4) = parse_inet_aton(text.as_bytes()) {
        return Some(NumericHost::V4(v4));
    }
    let (address, scope) = match text.split_once('%') {
        Some((address, scope)) => (address, Some(scope)),
        None => (text, None),
    };
    let v6: Ipv6Addr = address.parse().ok()?;
    let scope_id = match scope {
        None => 0,
        Some(scope) => parse_scope(&v6, scope)?,
    };
    Some(NumericHost::V6(v6, scope_id))
}

/// `inet_aton`, exact: the whole text must be consumed.
fn parse_inet_aton(text: &[u8]) -> Option<Ipv4Addr> {
    let mut parts = [0u32; 3];
    let mut nparts = 0;
    let mut rest = text;
    loop {
        let (value, after) = parse_part(rest)?;
        match after.split_first() {
            Some((b'.', next)) => {
                if nparts == 3 || value > 0xff {
                    return None;
                }
                parts[nparts] = value;
                nparts += 1;
                rest = next;
            }
            Some(_) => return None,
            None => {
                let limit: u32 = match nparts {
                    0 => u32::MAX,
                    1 => 0xff_ffff,
                    2 => 0xffff,
                    _ => 0xff,
                };
                if value > limit {
                    return None;
                }
                let mut address = value;
                for (i, part) in parts[..nparts].iter().enumerate() {
                    address |= part << (24 - 8 * i);
                }
                return Some(Ipv4Addr::from(address));
            }
        }
    }
}

/// One part of an `inet_aton` address, as `strtoul(text, &end, 0)` reads it after a digit:
/// `0x` hexadecimal, `0` octal, else decimal. Gives the value and what follows it.
fn parse_part(text: &[u8]) -> Option<(u32, &[u8])> {
    let first = *text.first()?;
    if !first.is_ascii_digit() {
        return None;
    }
    let (radix, digits) = match text {
        [b'0', b'x' | b'X', next, ..] if next.is_ascii_hexdigit() => (16, &text[2..]),
        [b'0', ..] => (8, text),
        _ => (10, text),
    };
    let mut value: u64 = 0;
    let mut used = 0;
    for &byte in digits {
        let Some(digit) = char::from(byte).to_digit(radix) else {
            break;
        };
        // Past 32 bits the address is refused anyway; stop counting before overflowing.
        value = (value * u64::from(radix) + u64::from(digit)).min(u64::from(u32::MAX) + 1);
        used += 1;
    }
    let value = u32::try_from(value).ok()?;
    Some((value, &digits[used..]))
}

/// The scope of an IPv6 address: a decimal number up to `u32::MAX`, or, for link-local
/// and node- or link-local multicast addresses, the name of an interface of this host.
fn parse_scope(address: &Ipv6Addr, scope: &str) -> Option<u32> {
    let octets = address.octets();
    let link_local = (octets[0] == 0xfe && octets[1] & 0xc0 == 0x80)
        || (octets[0] == 0xff && matches!(octets[1] & 0x0f, 1 | 2));
    if link_local && let Some(index) = interface_index(scope) {
        return Some(index);
    }
    if scope.is_empty() || !scope.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Leading zeros are allowed; the value must fit in 32 bits.
    let trimmed = scope.trim_start_matches('0');
    if trimmed.len() > 10 {
        return None;
    }
    if trimmed.is_empty() {
        return Some(0);
    }
    trimmed.parse::<u32>().ok()
}

/// `if_nametoindex`, read from sysfs (no `unsafe` needed).
fn interface_index(name: &str) -> Option<u32> {
    // IFNAMSIZ is 16, with the terminating NUL.
    if name.is_empty() || name.len() > 15 || name.contains('/') || name == "." || name == ".." {
        return None;
    }
    let text = std::fs::read_to_string(format!("/sys/class/net/{name}/ifindex")).ok()?;
    text.trim().parse().ok().filter(|&index| index != 0)
}

/// True if `ip` is a well-formed IPv4 or IPv6 address (Tornado's `is_valid_ip`).
///
/// The rules are those of the C library's numeric address parser, which Tornado uses:
/// `inet_aton` forms such as `127.1` or `0x7f000001` are addresses, `" 127.0.0.1"` (with
/// a space), host names, the empty string and strings with a NUL byte are not. An IPv6
/// address may carry a `%scope`.
///
/// ```
/// use tornado_tcp::netutil::is_valid_ip;
///
/// assert!(is_valid_ip("127.0.0.1"));
/// assert!(is_valid_ip("2620:0:1cfe:face:b00c::3"));
/// assert!(!is_valid_ip("localhost"));
/// assert!(!is_valid_ip(" 127.0.0.1"));
/// ```
pub fn is_valid_ip(ip: &str) -> bool {
    parse_numeric_host(ip).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_aton_forms() {
        let v4 = |s: &str| match parse_numeric_host(s) {
            Some(NumericHost::V4(ip)) => Some(ip.to_string()),
            _ => None,
        };
        assert_eq!(v4("127.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(v4("0x7f.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(v4("0177.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(v4("4294967295").as_deref(), Some("255.255.255.255"));
        assert_eq!(v4("1.2.65535").as_deref(), Some("1.2.255.255"));
        assert_eq!(v4("1.2.3.0x4").as_deref(), Some("1.2.3.4"));
        assert_eq!(v4("0").as_deref(), Some("0.0.0.0"));
        for bad in [
            "4294967296",
            "256.1.1.1",
            "1.2.65536",
            "0x",
            "09",
            "1..2",
            "1.2.3.",
            ".1",
            "+1",
            "1.2.3.4.5",
            "99999999999999999999999",
        ] {
            assert_eq!(v4(bad), None, "{bad}");
        }
    }

    #[test]
    fn ipv6_scopes() {
        assert_eq!(
            parse_numeric_host("fe80::1%99"),
            Some(NumericHost::V6("fe80::1".parse().unwrap(), 99))
        );
        assert_eq!(
            parse_numeric_host("fe80::1%lo"),
            Some(NumericHost::V6("fe80::1".parse().unwrap(), 1)),
            "lo is interface 1 on Linux"
        );
        assert_eq!(
            parse_numeric_host("::1%lo"),
            None,
            "names only for link-local"
        );
        assert_eq!(parse_numeric_host("fe80::1%"), None);
        assert_eq!(parse_numeric_host("fe80::1%4294967296"), None);
        assert_eq!(parse_numeric_host("fe80::1%no-such-interface"), None);
    }
}
