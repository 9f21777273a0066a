//! Reading header blocks and header lines: Tornado's `HTTPHeaders.parse` and
//! `parse_line`, with 6.5's checks.

use super::{HTTPHeaders, Mode, NONE, Span};
use crate::abnf;
use crate::error::{Error, Result, py_repr};

/// Removes the line terminator as Tornado's `re.search(r"\r?\n$", line)` does: a final
/// LF and the CR before it. (Python's `$` also matches before a final newline, so a
/// line ending in two LFs loses both.)
fn strip_eol(line: &str) -> &str {
    let Some(mut line) = line.strip_suffix('\n') else {
        return line;
    };
    if let Some(shorter) = line.strip_suffix('\n') {
        line = shorter;
    }
    line.strip_suffix('\r').unwrap_or(line)
}

/// Where the parts of a simple header line are (byte offsets).
struct SimpleLine {
    colon: usize,
    value_start: usize,
    value_end: usize,
    /// The start of the next line.
    next: usize,
}

/// Reads the line at `pos` if it is `name ":" [ws] field-value [ws]` followed by CRLF,
/// LF or the end of the text, where `name` is printable ASCII (it is a simple line if
/// `name` is a token, which the caller checks); `None` for anything else.
#[inline]
fn scan_simple_line(b: &[u8], pos: usize) -> Option<SimpleLine> {
    let colon = abnf::find_colon(b, pos);
    if colon == pos || b.get(colon) != Some(&b':') {
        return None;
    }
    let mut j = colon + 1;
    while matches!(b.get(j), Some(b' ' | b'\t')) {
        j += 1;
    }
    let value_start = j;
    loop {
        j = abnf::skip_printable(b, j);
        match b.get(j) {
            Some(&c) if abnf::FIELD_BYTE_UTF8[usize::from(c)] => j += 1,
            _ => break,
        }
    }
    let next = match (b.get(j), b.get(j + 1)) {
        (None, _) => j,
        (Some(b'\n'), _) => j + 1,
        (Some(b'\r'), Some(b'\n')) => j + 2,
        _ => return None,
    };
    let mut value_end = j;
    while value_end > value_start && matches!(b.get(value_end - 1), Some(b' ' | b'\t')) {
        value_end -= 1;
    }
    Some(SimpleLine {
        colon,
        value_start,
        value_end,
        next,
    })
}

fn trim_ws(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

impl HTTPHeaders {
    /// Parses a header block given as text: Tornado's `HTTPHeaders.parse`.
    ///
    /// Lines end in CRLF or a bare LF; an empty line is skipped; a line that starts
    /// with a space or a tab continues the previous value (obsolete line folding,
    /// joined with one space). Each name must be a token and each value an RFC 9110
    /// field value of characters up to U+00FF (ISO-8859-1, as HTTP/1 bytes are read);
    /// anything else is an `HTTPInputError`, and so is a bare CR.
    ///
    /// ```
    /// use tornado_httputil::HTTPHeaders;
    /// let h = HTTPHeaders::parse("Content-Type: text/html\r\nContent-Length: 42\r\n").unwrap();
    /// assert_eq!(h.items().collect::<Vec<_>>(), [("Content-Type", "text/html"), ("Content-Length", "42")]);
    /// ```
    pub fn parse(text: &str) -> Result<Self> {
        Self::parse_with(text, Mode::Strict)
    }

    /// Parses a header block as it came off the wire (each byte one ISO-8859-1
    /// character): what the HTTP/1 code calls with the bytes after the start line.
    /// The same rules as [`parse`](Self::parse).
    ///
    /// ```
    /// use tornado_httputil::HTTPHeaders;
    /// let h = HTTPHeaders::parse_bytes(b"Host: example.com\r\nX-Name: caf\xe9\r\n\r\n").unwrap();
    /// assert_eq!(h.get("x-name"), Some("caf\u{e9}"));
    /// ```
    pub fn parse_bytes(block: &[u8]) -> Result<Self> {
        if block.is_ascii() {
            // ASCII is the same text in ISO-8859-1 and UTF-8.
            if let Ok(text) = std::str::from_utf8(block) {
                return Self::parse(text);
            }
        }
        let text: String = block.iter().map(|&b| char::from(b)).collect();
        Self::parse(&text)
    }

    /// Parses the headers of a `multipart/form-data` part, decoded as UTF-8: the same
    /// rules but for values, which may hold any character except the C0 controls other
    /// than HTAB, and DEL (Tornado's `_chars_are_bytes=False`, with 6.5.5's ban on CR).
    pub(crate) fn parse_relaxed(text: &str) -> Result<Self> {
        Self::parse_with(text, Mode::Relaxed)
    }

    fn parse_with(text: &str, mode: Mode) -> Result<Self> {
        let mut headers = HTTPHeaders::with_capacity(16, text.len());
        match mode {
            Mode::Strict => headers.parse_fast(text)?,
            Mode::Relaxed => {
                for line in text.split_inclusive('\n') {
                    headers.parse_line_with(line, mode)?;
                }
            }
        }
        Ok(headers)
    }

    /// The common case at speed: a `Name: value` line ending in CRLF or LF is read in
    /// one pass that checks as it goes. Any other line (empty, folded, malformed) goes
    /// through [`parse_line_with`](Self::parse_line_with), which gives it the same
    /// meaning, so the result is that of reading every line that way.
    ///
    /// The text is copied into the header set's buffer once, and the names and values
    /// of simple lines are spans of that copy.
    fn parse_fast(&mut self, text: &str) -> Result<()> {
        self.wire_broken = true;
        let base = self.text.len();
        self.text.push_str(text);
        let too_large = || Error::input("HTTP headers too large");
        let end = u32::try_from(self.text.len()).map_err(|_| too_large())?;
        if end == NONE {
            return Err(too_large());
        }
        // Offsets into `text` fit in u32 from here on.
        let span = |start: usize, end: usize| Span {
            start: (base + start) as u32,
            end: (base + end) as u32,
        };
        let bytes = text.as_bytes();
        let mut pos = 0;
        while pos < bytes.len() {
            // An empty line (the end of a head) is skipped, as parse_line skips it.
            match (bytes.get(pos), bytes.get(pos + 1)) {
                (Some(b'\n'), _) => {
                    pos += 1;
                    continue;
                }
                (Some(b'\r'), Some(b'\n')) => {
                    pos += 2;
                    continue;
                }
                _ => {}
            }
            if let Some(line) = scan_simple_line(bytes, pos) {
                let name = text.get(pos..line.colon).unwrap_or_default();
                let pushed = self.push_in_place(
                    name,
                    span(pos, line.colon),
                    span(line.value_start, line.value_end),
                )?;
                if pushed {
                    pos = line.next;
                    continue;
                }
            }
            {
                let end = bytes
                    .get(pos..)
                    .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
                    .map_or(bytes.len(), |i| pos + i + 1);
                self.parse_line_with(text.get(pos..end).unwrap_or_default(), Mode::Strict)?;
                pos = end;
            }
        }
        Ok(())
    }

    /// Adds the header in one line (with or without its CRLF or LF): Tornado's
    /// `parse_line`. A line starting with a space or tab continues the previous value.
    ///
    /// ```
    /// use tornado_httputil::HTTPHeaders;
    /// let mut h = HTTPHeaders::new();
    /// h.parse_line("Content-Type: text/html").unwrap();
    /// h.parse_line("Content-Length: 42\r\n").unwrap();
    /// assert_eq!(h.get("content-type"), Some("text/html"));
    /// assert_eq!(h.get("content-length"), Some("42"));
    /// ```
    pub fn parse_line(&mut self, line: &str) -> Result<()> {
        self.parse_line_with(line, Mode::Strict)
    }

    pub(crate) fn parse_line_with(&mut self, line: &str, mode: Mode) -> Result<()> {
        let line = strip_eol(line);
        let Some(&first) = line.as_bytes().first() else {
            // An empty line, or the end of a header block.
            return Ok(());
        };
        if first == b' ' || first == b'\t' {
            // Obsolete line folding: continues the last value.
            if self.last_field.is_none() {
                return Err(Error::input(
                    "first header line cannot start with whitespace",
                ));
            }
            let part = trim_ws(line);
            match mode {
                Mode::Strict if !abnf::field_value_utf8(part.as_bytes()) => {
                    return Err(Error::input(format!(
                        "Invalid header continuation {}",
                        py_repr(&format!(" {part}"))
                    )));
                }
                Mode::Relaxed if abnf::has_forbidden_relaxed(part.as_bytes()) => {
                    return Err(Error::input(format!(
                        "Invalid header value {}",
                        py_repr(&format!(" {part}"))
                    )));
                }
                _ => {}
            }
            self.continue_last(part)
        } else {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| Error::input("no colon in header line"))?;
            self.add_text(name, trim_ws(value), mode)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eol_like_python() {
        assert_eq!(strip_eol("a"), "a");
        assert_eq!(strip_eol("a\n"), "a");
        assert_eq!(strip_eol("a\r\n"), "a");
        assert_eq!(strip_eol("a\r"), "a\r");
        assert_eq!(strip_eol("a\n\n"), "a");
        assert_eq!(strip_eol("a\r\n\n"), "a");
        assert_eq!(strip_eol("a\n\r\n"), "a\n");
        assert_eq!(strip_eol("a\n\n\n"), "a\n");
        assert_eq!(strip_eol("\r\n"), "");
    }

    #[test]
    fn continuation_after_set_moves_value() {
        let mut h = HTTPHeaders::new();
        h.parse_line("A: 1").unwrap();
        h.set("B", "2").unwrap();
        h.parse_line(" more").unwrap();
        assert_eq!(h.get("a"), Some("1 more"));
        assert_eq!(h.get("b"), Some("2"));
        h.parse_line("\t").unwrap();
        assert_eq!(h.get("a"), Some("1 more "));
    }

    #[test]
    fn relaxed_mode_allows_utf8_but_not_cr() {
        let h =
            HTTPHeaders::parse_relaxed("Content-Disposition: form-data; filename=\"测试.txt\"\r\n")
                .unwrap();
        assert_eq!(
            h.get("content-disposition"),
            Some("form-data; filename=\"测试.txt\"")
        );
        assert!(HTTPHeaders::parse_relaxed("A: b\rc\r\n").is_err());
        assert!(HTTPHeaders::parse("A: 测试\r\n").is_err());
    }
}
