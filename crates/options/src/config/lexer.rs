//! Tokens of the Python subset that config files use.

/// A config error: (1-based line, message).
pub(crate) type ConfigError = (usize, String);

/// A token and the line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Name(String),
    Int(i128),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Op(&'static str),
    /// Leading whitespace before a statement (an error, reported when the parser gets there).
    Indent,
    /// The end of a logical line.
    Newline,
    End,
}

const OPS: [&str; 18] = [
    "**", "//", "=", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "+", "-", "*", "/", "%",
];

struct Lexer {
    s: Vec<char>,
    i: usize,
    line: usize,
    toks: Vec<Token>,
    /// Open brackets and the lines they were opened on.
    open: Vec<(char, usize)>,
}

impl Lexer {
    fn peek(&self, k: usize) -> Option<char> {
        self.s.get(self.i + k).copied()
    }

    fn push(&mut self, tok: Tok, line: usize) {
        self.toks.push(Token { tok, line });
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, ConfigError> {
        Err((self.line, message.into()))
    }

    fn newline(&mut self) {
        if self.open.is_empty() && self.toks.last().is_some_and(|t| t.tok != Tok::Newline) {
            self.push(Tok::Newline, self.line);
        }
    }

    fn run(&mut self) -> Result<(), ConfigError> {
        let mut line_start = true;
        while let Some(c) = self.peek(0) {
            if line_start && self.open.is_empty() {
                line_start = false;
                let mut j = self.i;
                while matches!(self.s.get(j), Some(' ' | '\t' | '\x0c')) {
                    j += 1;
                }
                let blank = matches!(self.s.get(j), None | Some('\n' | '#'));
                if j > self.i && !blank {
                    self.push(Tok::Indent, self.line);
                }
                self.i = j;
                continue;
            }
            match c {
                ' ' | '\t' | '\x0c' | '\r' => self.i += 1,
                '\n' => {
                    self.newline();
                    self.line += 1;
                    self.i += 1;
                    line_start = true;
                }
                '#' => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.i += 1;
                    }
                }
                '\\' => {
                    if self.peek(1) != Some('\n') {
                        return self.err("unexpected character after line continuation character");
                    }
                    self.i += 2;
                    self.line += 1;
                }
                '\'' | '"' => self.string("")?,
                c if c.is_ascii_digit()
                    || (c == '.' && self.peek(1).is_some_and(|d| d.is_ascii_digit())) =>
                {
                    self.number()?
                }
                c if c == '_' || c.is_alphabetic() => {
                    let start = self.i;
                    while self
                        .peek(0)
                        .is_some_and(|c| c == '_' || c.is_alphanumeric())
                    {
                        self.i += 1;
                    }
                    let name: String = self.s[start..self.i].iter().collect();
                    let is_prefix = matches!(
                        name.to_ascii_lowercase().as_str(),
                        "r" | "u" | "b" | "br" | "rb" | "f" | "fr" | "rf"
                    );
                    if is_prefix && matches!(self.peek(0), Some('\'' | '"')) {
                        self.string(&name.to_ascii_lowercase())?;
                    } else {
                        self.push(Tok::Name(name), self.line);
                    }
                }
                _ => self.op(c)?,
            }
        }
        if let Some((c, line)) = self.open.last() {
            return Err((*line, format!("'{c}' was never closed")));
        }
        self.newline();
        self.push(Tok::End, self.line);
        Ok(())
    }

    fn op(&mut self, c: char) -> Result<(), ConfigError> {
        let two: String = self.s[self.i..].iter().take(2).collect();
        if matches!(two.as_str(), "==" | "!=" | "<=" | ">=") || matches!(c, '<' | '>' | '!') {
            return self.err("comparisons are not supported in config files");
        }
        let Some(op) = OPS.iter().find(|op| two.starts_with(**op)) else {
            return self.err(format!(
                "unexpected character {}",
                crate::value::py_repr_str(&c.to_string())
            ));
        };
        match c {
            '(' | '[' | '{' => self.open.push((c, self.line)),
            ')' | ']' | '}' => {
                let want = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                match self.open.pop() {
                    Some((open, _)) if open == want => {}
                    Some((open, line)) => {
                        return self.err(format!(
                            "closing '{c}' does not match '{open}' opened on line {line}"
                        ));
                    }
                    None => return self.err(format!("unmatched '{c}'")),
                }
            }
            _ => {}
        }
        self.i += op.len();
        self.push(Tok::Op(op), self.line);
        Ok(())
    }

    fn number(&mut self) -> Result<(), ConfigError> {
        let line = self.line;
        let start = self.i;
        let take = |lx: &mut Lexer, f: fn(char) -> bool| {
            while lx.peek(0).is_some_and(f) {
                lx.i += 1;
            }
        };
        let radix = match (self.peek(0), self.peek(1).map(|c| c.to_ascii_lowercase())) {
            (Some('0'), Some('x')) => 16,
            (Some('0'), Some('o')) => 8,
            (Some('0'), Some('b')) => 2,
            _ => 10,
        };
        let mut is_float = false;
        if radix != 10 {
            self.i += 2;
            take(self, |c| c.is_ascii_alphanumeric() || c == '_');
        } else {
            take(self, |c| c.is_ascii_digit() || c == '_');
            if self.peek(0) == Some('.') {
                is_float = true;
                self.i += 1;
                take(self, |c| c.is_ascii_digit() || c == '_');
            }
            if matches!(self.peek(0), Some('e' | 'E')) {
                let sign = usize::from(matches!(self.peek(1), Some('+' | '-')));
                if self.peek(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                    is_float = true;
                    self.i += 1 + sign;
                    take(self, |c| c.is_ascii_digit() || c == '_');
                }
            }
        }
        let text: String = self.s[start..self.i].iter().collect();
        if matches!(self.peek(0), Some('j' | 'J')) {
            return self.err("complex numbers are not supported");
        }
        if self
            .peek(0)
            .is_some_and(|c| c == '_' || c.is_alphanumeric())
        {
            return self.err(format!("invalid number {text}..."));
        }
        let invalid = || (line, format!("invalid number {text}"));
        let body = if radix == 10 {
            text.as_str()
        } else {
            &text[2..]
        };
        let body = body
            .strip_prefix('_')
            .filter(|_| radix != 10)
            .unwrap_or(body);
        if body.is_empty()
            || body.ends_with('_')
            || body.contains("__")
            || body.contains("_.")
            || body.contains("._")
        {
            return Err(invalid());
        }
        let clean = body.replace('_', "");
        let tok = if is_float {
            Tok::Float(clean.parse().map_err(|_| invalid())?)
        } else {
            if radix == 10
                && clean.len() > 1
                && clean.starts_with('0')
                && clean.chars().any(|c| c != '0')
            {
                return Err((
                    line,
                    format!("leading zeros in decimal integer literals are not permitted: {text}"),
                ));
            }
            Tok::Int(
                i128::from_str_radix(&clean, radix)
                    .map_err(|_| (line, format!("integer {text} is too large or invalid")))?,
            )
        };
        self.push(tok, line);
        Ok(())
    }

    fn string(&mut self, prefix: &str) -> Result<(), ConfigError> {
        let line = self.line;
        if prefix.contains('f') {
            return self.err("f-strings are not supported in config files");
        }
        let raw = prefix.contains('r');
        let bytes = prefix.contains('b');
        let q = self.peek(0).unwrap_or('"');
        let triple = self.peek(1) == Some(q) && self.peek(2) == Some(q);
        self.i += if triple { 3 } else { 1 };
        let mut body = String::new();
        loop {
            let Some(c) = self.peek(0) else {
                return Err((line, "unterminated string literal".into()));
            };
            if c == '\\' {
                body.push(c);
                if let Some(next) = self.peek(1) {
                    body.push(next);
                    if next == '\n' {
                        self.line += 1;
                    }
                    self.i += 2;
                } else {
                    self.i += 1;
                }
                continue;
            }
            if c == q {
                if !triple {
                    self.i += 1;
                    break;
                }
                if self.peek(1) == Some(q) && self.peek(2) == Some(q) {
                    self.i += 3;
                    break;
                }
            }
            if c == '\n' {
                if !triple {
                    return Err((line, "unterminated string literal".into()));
                }
                self.line += 1;
            }
            body.push(c);
            self.i += 1;
        }
        let tok = if bytes {
            if !body.is_ascii() {
                return Err((
                    line,
                    "bytes can only contain ASCII literal characters".into(),
                ));
            }
            Tok::Bytes(if raw {
                body.into_bytes()
            } else {
                unescape_bytes(&body).map_err(|e| (line, e))?
            })
        } else {
            Tok::Str(if raw {
                body
            } else {
                unescape_str(&body).map_err(|e| (line, e))?
            })
        };
        self.push(tok, line);
        Ok(())
    }
}

/// Reads up to `max` digits of `radix` from `chars`.
fn digits(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    radix: u32,
    max: usize,
) -> (u32, usize) {
    let mut value = 0u32;
    let mut n = 0;
    while n < max {
        match chars.peek().and_then(|c| c.to_digit(radix)) {
            Some(d) => {
                value = value * radix + d;
                n += 1;
                chars.next();
            }
            None => break,
        }
    }
    (value, n)
}

/// One escape sequence after a backslash. `Ok(None)` means "keep the backslash".
enum Escaped {
    Char(char),
    Code(u32),
    Skip,
    Keep(char),
}

fn escape(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    bytes: bool,
) -> Result<Escaped, String> {
    let Some(c) = chars.next() else {
        return Ok(Escaped::Skip);
    };
    Ok(match c {
        '\n' => Escaped::Skip,
        '\\' | '\'' | '"' => Escaped::Char(c),
        'a' => Escaped::Char('\x07'),
        'b' => Escaped::Char('\x08'),
        'f' => Escaped::Char('\x0c'),
        'n' => Escaped::Char('\n'),
        'r' => Escaped::Char('\r'),
        't' => Escaped::Char('\t'),
        'v' => Escaped::Char('\x0b'),
        '0'..='7' => {
            let (rest, n) = digits(chars, 8, 2);
            let first = c.to_digit(8).unwrap_or(0);
            Escaped::Code(first * 8u32.pow(n as u32) + rest)
        }
        'x' => {
            let (v, n) = digits(chars, 16, 2);
            if n != 2 {
                return Err("truncated \\xXX escape".into());
            }
            Escaped::Code(v)
        }
        'u' | 'U' if !bytes => {
            let want = if c == 'u' { 4 } else { 8 };
            let (v, n) = digits(chars, 16, want);
            if n != want {
                return Err(format!("truncated \\{c} escape"));
            }
            Escaped::Code(v)
        }
        'N' if !bytes => return Err("\\N{...} escapes are not supported in config files".into()),
        other => Escaped::Keep(other),
    })
}

fn unescape_str(body: &str) -> Result<String, String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match escape(&mut chars, false)? {
            Escaped::Char(c) => out.push(c),
            Escaped::Code(v) => {
                out.push(char::from_u32(v).ok_or_else(|| format!("invalid character code {v:#x}"))?)
            }
            Escaped::Skip => {}
            Escaped::Keep(c) => {
                out.push('\\');
                out.push(c);
            }
        }
    }
    Ok(out)
}

fn unescape_bytes(body: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c as u8);
            continue;
        }
        match escape(&mut chars, true)? {
            Escaped::Char(c) => out.push(c as u8),
            Escaped::Code(v) => out
                .push(u8::try_from(v).map_err(|_| "octal escape out of range 0-0o377".to_owned())?),
            Escaped::Skip => {}
            Escaped::Keep(c) => {
                out.push(b'\\');
                out.push(c as u8);
            }
        }
    }
    Ok(out)
}

/// Splits config-file text into tokens.
pub(crate) fn tokenize(source: &str) -> Result<Vec<Token>, ConfigError> {
    let source = source
        .strip_prefix('\u{feff}')
        .unwrap_or(source)
        .replace("\r\n", "\n");
    let mut lexer = Lexer {
        s: source.chars().collect(),
        i: 0,
        line: 1,
        toks: Vec::new(),
        open: Vec::new(),
    };
    lexer.run()?;
    Ok(lexer.toks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s)
            .map(|t| t.into_iter().map(|t| t.tok).collect())
            .unwrap_or_default()
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(
            toks(r#"'a\tb\x41\101\u00e9\q'"#)[0],
            Tok::Str("a\tbAAé\\q".into())
        );
        assert_eq!(toks(r#"r'a\'b'"#)[0], Tok::Str("a\\'b".into()));
        assert_eq!(toks(r#"b'\xe9\u'"#)[0], Tok::Bytes(vec![0xe9, b'\\', b'u']));
        assert_eq!(toks("'''a\nb'''")[0], Tok::Str("a\nb".into()));
        assert_eq!(toks("U\"x\"")[0], Tok::Str("x".into()));
        assert!(tokenize("'abc").is_err());
        assert!(tokenize("'a\nb'").is_err());
        assert!(tokenize("f'x'").is_err());
        assert!(tokenize("b'é'").is_err());
    }

    #[test]
    fn numbers() {
        assert_eq!(
            toks("1_000 0x_1f 0o17 0b101 .5 1e3 2.")[..7],
            [
                Tok::Int(1000),
                Tok::Int(31),
                Tok::Int(15),
                Tok::Int(5),
                Tok::Float(0.5),
                Tok::Float(1000.0),
                Tok::Float(2.0)
            ]
        );
        assert!(tokenize("012").is_err());
        assert!(tokenize("1__0").is_err());
        assert!(tokenize("1j").is_err());
        assert!(tokenize("1abc").is_err());
        assert_eq!(toks("00")[0], Tok::Int(0));
    }

    #[test]
    fn lines_brackets_and_errors() {
        let t = tokenize("a = [1,\n  2]\n\n# c\nb = 3").unwrap_or_default();
        let lines: Vec<usize> = t.iter().map(|t| t.line).collect();
        assert_eq!(lines, [1, 1, 1, 1, 1, 2, 2, 2, 5, 5, 5, 5, 5]);
        assert_eq!(tokenize("a = (1,\n").map_err(|e| e.0), Err(1));
        assert_eq!(toks("a = 1\n  b = 2")[4], Tok::Indent);
        assert!(tokenize("a = [1)").is_err());
        assert!(tokenize("a == 1").is_err());
        assert!(tokenize("a = 1 \\\n + 2").is_ok());
    }
}
