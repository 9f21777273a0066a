//! Writing values: ints without allocating, strings escaped straight into the output,
//! and the text around them.

use crate::compile::Short;
use crate::error::{Error, Result};
use crate::out::Out;
use crate::value::{PAIRS, Value, itoa_buf, itoa_bytes};

/// Appends `str(v)` as UTF-8 (Tornado's `_tt_utf8(str(v))`, with `str`/`bytes` as is).
pub(super) fn write_value(v: &Value, out: &mut Out) {
    match v {
        Value::Str(s) => out.extend(s.as_bytes()),
        Value::Bytes(b) => out.extend(b),
        Value::Int(i) => push_int(out, *i),
        other => out.extend(other.to_str().as_bytes()),
    }
}

/// Appends the decimal digits of `n` with one fixed-size copy.
#[inline(always)]
pub(super) fn push_int(out: &mut Out, n: i64) {
    // Most numbers in pages are small.
    if (0..10).contains(&n) {
        out.push(b'0' + n as u8);
        return;
    }
    if (10..100).contains(&n) {
        out.push2(b'0' + (n / 10) as u8, b'0' + (n % 10) as u8);
        return;
    }
    push_int_general(out, n);
}

/// The four decimal digits of `n` (in `0..10000`), and how many of them are leading
/// zeros.
#[inline(always)]
pub(super) fn four_digits(n: i64) -> ([u8; 4], usize) {
    let (hi, lo) = ((n / 100) as usize % 100 * 2, (n % 100) as usize * 2);
    let skip = usize::from(n < 1000) + usize::from(n < 100) + usize::from(n < 10);
    ([PAIRS[hi], PAIRS[hi + 1], PAIRS[lo], PAIRS[lo + 1]], skip)
}

/// `prefix`, `n` and `suffix`.
#[inline(never)]
pub(super) fn int_between(out: &mut Out, prefix: &Short, n: i64, suffix: &Short) {
    let mut buf = [0u8; 20];
    let digits = crate::value::itoa_bytes(n, &mut buf);
    if digits.len() <= 16 {
        out.short_between(prefix, digits, suffix);
    } else {
        out.short(prefix);
        out.extend(digits);
        out.short(suffix);
    }
}

/// `prefix`, `s` (escaped when `escape`) and `suffix`.
#[inline(never)]
pub(super) fn str_between(out: &mut Out, prefix: &Short, s: &[u8], escape: bool, suffix: &Short) {
    out.short(prefix);
    if escape {
        out.extend_escaped(s);
    } else {
        out.extend(s);
    }
    out.short(suffix);
}

#[inline(never)]
pub(super) fn push_int_general(out: &mut Out, n: i64) {
    if (0..10_000).contains(&n) {
        // Four digits, then drop the leading zeros by shifting them out.
        let (hi, lo) = ((n / 100) as usize * 2, (n % 100) as usize * 2);
        let digits = u32::from_le_bytes([PAIRS[hi], PAIRS[hi + 1], PAIRS[lo], PAIRS[lo + 1]]);
        let len = if n >= 1000 { 4 } else { 3 };
        out.write4((digits >> (8 * (4 - len))).to_le_bytes(), len);
        return;
    }
    let mut buf = itoa_buf();
    out.extend(itoa_bytes(n, &mut buf));
}

/// Appends `xhtml_escape(str(v))`, escaping straight into the output.
#[inline(always)]
pub(super) fn write_escaped(v: &Value, out: &mut Out) -> Result<()> {
    match v {
        Value::Int(i) => {
            push_int(out, *i);
            Ok(())
        }
        Value::Str(s) => {
            out.extend_escaped(s.as_bytes());
            Ok(())
        }
        other => write_escaped_other(other, out),
    }
}

#[inline(never)]
pub(super) fn write_escaped_other(v: &Value, out: &mut Out) -> Result<()> {
    match v {
        Value::Str(s) => out.extend_escaped(s.as_bytes()),
        Value::Int(i) => push_int(out, *i),
        Value::Bytes(_) => {
            let t = v.as_text()?;
            out.extend_escaped(t.as_bytes());
        }
        Value::None | Value::Bool(_) | Value::Float(_) => write_value(v, out),
        other => out.extend_escaped(other.to_str().as_bytes()),
    }
    Ok(())
}

/// `_tt_utf8(x)` of what an escape or apply function returned.
pub(super) fn append_utf8(v: &Value, out: &mut Out) -> Result<()> {
    match v {
        Value::Str(s) => out.extend(s.as_bytes()),
        Value::Bytes(b) => out.extend(b),
        other => {
            return Err(Error::type_error(format!(
                "Expected bytes, unicode, or None; got {}",
                other.class_repr()
            )));
        }
    }
    Ok(())
}
