//! The tokenizer of the expression language: Python's tokens (names, numbers, string
//! literals with prefixes and escapes, operators), whitespace and newlines ignored as
//! inside Python brackets.

use std::sync::Arc;

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Name(Arc<str>),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Op(&'static str),
    End,
}

const OPS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "**", "//", "==", "!=", "<=", ">=", "<<", ">>", "+=", "-=",
    "*=", "/=", "%=", "&=", "|=", "^=", "->", ":=", "+", "-", "*", "/", "%", "<", ">", "=", "(",
    ")", "[", "]", "{", "}", ",", ":", ".", ";", "~", "&", "|", "^", "@",
];

/// Splits `src` into tokens; the last one is always `Tok::End`.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Tok>, String> {
    let b = src.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b' ' || c == b'\t' || c == b'\n' || c == b'\r' || c == b'\x0c' {
            i += 1;
            continue;
        }
        if c == b'\\' && matches!(b.get(i + 1), Some(b'\n')) {
            i += 2;
            continue;
        }
        if c == b'#' {
            // A comment runs to the end of the line.
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let (tok, next) = number(src, i)?;
            toks.push(tok);
            i = next;
            continue;
        }
        if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 {
            let start = i;
            while i < b.len() {
                let ch = src[i..].chars().next().unwrap_or(' ');
                if ch == '_' || ch.is_alphanumeric() {
                    i += ch.len_utf8();
                } else {
                    break;
                }
            }
            if start == i {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(format!("invalid character '{ch}'"));
            }
            let word = &src[start..i];
            if matches!(b.get(i), Some(b'\'' | b'"')) && word.len() <= 2 {
                let lower = word.to_ascii_lowercase();
                if matches!(lower.as_str(), "r" | "b" | "u" | "br" | "rb") {
                    let (tok, next) = string(src, i, lower.contains('r'), lower.contains('b'))?;
                    push_string(&mut toks, tok)?;
                    i = next;
                    continue;
                }
                if matches!(lower.as_str(), "f" | "fr" | "rf") {
                    return Err("f-strings are not supported; use str.format()".into());
                }
            }
            toks.push(Tok::Name(Arc::from(word)));
            continue;
        }
        if c == b'\'' || c == b'"' {
            let (tok, next) = string(src, i, false, false)?;
            push_string(&mut toks, tok)?;
            i = next;
            continue;
        }
        match OPS.iter().find(|op| src[i..].starts_with(**op)) {
            Some(op) => {
                toks.push(Tok::Op(op));
                i += op.len();
            }
            None => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(format!("invalid character '{ch}'"));
            }
        }
    }
    toks.push(Tok::End);
    Ok(toks)
}

/// Adjacent string literals concatenate, as in Python.
fn push_string(toks: &mut Vec<Tok>, tok: Tok) -> Result<(), String> {
    match (toks.last_mut(), tok) {
        (Some(Tok::Str(a)), Tok::Str(b)) => a.push_str(&b),
        (Some(Tok::Bytes(a)), Tok::Bytes(b)) => a.extend_from_slice(&b),
        (Some(Tok::Str(_)), Tok::Bytes(_)) | (Some(Tok::Bytes(_)), Tok::Str(_)) => {
            return Err("cannot mix bytes and nonbytes literals".into());
        }
        (_, tok) => toks.push(tok),
    }
    Ok(())
}

fn number(src: &str, start: usize) -> Result<(Tok, usize), String> {
    let b = src.as_bytes();
    let mut i = start;
    if b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X' | b'o' | b'O' | b'b' | b'B')) {
        let radix = match b[i + 1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            _ => 2,
        };
        i += 2;
        let s = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        let digits: String = src[s..i].chars().filter(|&c| c != '_').collect();
        let v = i64::from_str_radix(&digits, radix)
            .map_err(|_| format!("invalid number literal '{}'", &src[start..i]))?;
        return Ok((Tok::Int(v), i));
    }
    let mut is_float = false;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' && b.get(i + 1).is_none_or(|c| *c != b'.') {
        is_float = true;
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            is_float = true;
            i = j;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    if i < b.len() && (b[i] == b'j' || b[i] == b'J') {
        return Err("complex numbers are not supported".into());
    }
    if i < b.len() && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
        return Err(format!("invalid decimal literal '{}'", &src[start..=i]));
    }
    let text: String = src[start..i].chars().filter(|&c| c != '_').collect();
    if is_float {
        let f: f64 = text
            .parse()
            .map_err(|_| format!("invalid number literal '{text}'"))?;
        Ok((Tok::Float(f), i))
    } else {
        if text.len() > 1 && text.starts_with('0') && text.bytes().any(|c| c != b'0') {
            return Err("leading zeros in decimal integer literals are not permitted".into());
        }
        match text.parse::<i64>() {
            Ok(v) => Ok((Tok::Int(v), i)),
            Err(_) => Err(format!("integer literal {text} does not fit in 64 bits")),
        }
    }
}

fn string(src: &str, start: usize, raw: bool, bytes: bool) -> Result<(Tok, usize), String> {
    let b = src.as_bytes();
    let q = b[start];
    let triple = b.get(start + 1) == Some(&q) && b.get(start + 2) == Some(&q);
    let mut i = start + if triple { 3 } else { 1 };
    let mut out = String::new();
    loop {
        let Some(&c) = b.get(i) else {
            return Err("unterminated string literal".into());
        };
        if c == q {
            if !triple {
                i += 1;
                break;
            }
            if b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q) {
                i += 3;
                break;
            }
        }
        if c == b'\n' && !triple {
            return Err("unterminated string literal".into());
        }
        if c == b'\\' {
            let Some(&n) = b.get(i + 1) else {
                return Err("unterminated string literal".into());
            };
            if raw {
                out.push('\\');
                let ch = src[i + 1..].chars().next().unwrap_or('\\');
                out.push(ch);
                i += 1 + ch.len_utf8();
                continue;
            }
            i += 2;
            match n {
                b'\n' => {}
                b'\\' => out.push('\\'),
                b'\'' => out.push('\''),
                b'"' => out.push('"'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'a' => out.push('\x07'),
                b'b' => out.push('\x08'),
                b'f' => out.push('\x0c'),
                b'v' => out.push('\x0b'),
                b'0'..=b'7' => {
                    let mut v = u32::from(n - b'0');
                    let mut k = 0;
                    while k < 2 && matches!(b.get(i), Some(b'0'..=b'7')) {
                        v = v * 8 + u32::from(b[i] - b'0');
                        i += 1;
                        k += 1;
                    }
                    push_code(&mut out, v, bytes)?;
                }
                b'x' | b'u' | b'U' if !(bytes && n != b'x') => {
                    let len = match n {
                        b'x' => 2,
                        b'u' => 4,
                        _ => 8,
                    };
                    let hex = src.get(i..i + len).ok_or("truncated escape sequence")?;
                    let v = u32::from_str_radix(hex, 16)
                        .map_err(|_| format!("truncated \\{}XX escape", char::from(n)))?;
                    i += len;
                    push_code(&mut out, v, bytes && n == b'x')?;
                }
                _ => {
                    out.push('\\');
                    let ch = src[i - 1..].chars().next().unwrap_or('\\');
                    out.push(ch);
                    i += ch.len_utf8() - 1;
                }
            }
            continue;
        }
        let ch = src[i..].chars().next().unwrap_or('\u{fffd}');
        if bytes && !ch.is_ascii() {
            return Err("bytes can only contain ASCII literal characters".into());
        }
        out.push(ch);
        i += ch.len_utf8();
    }
    if bytes {
        // Escapes \x80-\xff were stored as U+0080-U+00FF: map back to single bytes.
        let v: Vec<u8> = out.chars().map(|c| c as u32 as u8).collect();
        Ok((Tok::Bytes(v), i))
    } else {
        Ok((Tok::Str(out), i))
    }
}

fn push_code(out: &mut String, v: u32, byte: bool) -> Result<(), String> {
    if byte && v > 0xff {
        return Err("octal escape out of range".into());
    }
    out.push(char::from_u32(v).ok_or("invalid \\U escape: not a code point")?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let t = tokenize("a.b(1, x=2.5) // 0x1F ** 'q' \"r\" ").unwrap();
        assert_eq!(
            t,
            vec![
                Tok::Name("a".into()),
                Tok::Op("."),
                Tok::Name("b".into()),
                Tok::Op("("),
                Tok::Int(1),
                Tok::Op(","),
                Tok::Name("x".into()),
                Tok::Op("="),
                Tok::Float(2.5),
                Tok::Op(")"),
                Tok::Op("//"),
                Tok::Int(31),
                Tok::Op("**"),
                Tok::Str("qr".into()),
                Tok::End
            ]
        );
    }

    #[test]
    fn string_escapes() {
        let t = tokenize(r#"'a\n\x41\u00e9\101' r'\n', b'\xff', """t"q""" 'é'"#).unwrap();
        assert_eq!(t[0], Tok::Str("a\nAéA\\n".into()));
        assert_eq!(t[2], Tok::Bytes(vec![0xff]));
        assert_eq!(t[4], Tok::Str("t\"qé".into()));
        assert!(tokenize("'a' b'b'").is_err());
        assert!(tokenize("'abc").is_err());
        assert!(tokenize("b'é'").is_err());
        assert!(tokenize("f'x'").is_err());
        assert!(tokenize("1e").is_err());
        assert!(tokenize("012").is_err());
        assert_eq!(
            tokenize("1e3 .5 1_000").unwrap()[..3],
            [Tok::Float(1000.0), Tok::Float(0.5), Tok::Int(1000)]
        );
    }
}
