//! The template reader: splits a template into text, `{{ }}` expressions, `{# #}`
//! comments and `{% %}` directives exactly as Tornado's `_parse` does, and builds the
//! tree of one file.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::expr::{
    Expr, Import, Statement, Target, parse_except, parse_expr, parse_for, parse_import,
    parse_statement,
};

/// Whitespace handling of text chunks (`{% whitespace %}`, `Loader(whitespace=...)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whitespace {
    /// Keep all whitespace.
    All,
    /// Collapse runs of spaces and tabs to one space and runs of whitespace holding a
    /// newline to one newline.
    Single,
    /// Collapse every run of whitespace to one space.
    Oneline,
}

impl Whitespace {
    /// Parses `"all"`, `"single"` or `"oneline"`; anything else is Tornado's
    /// `invalid whitespace mode` error.
    pub fn from_name(mode: &str) -> Result<Whitespace> {
        match mode {
            "all" => Ok(Whitespace::All),
            "single" => Ok(Whitespace::Single),
            "oneline" => Ok(Whitespace::Oneline),
            // Tornado raises a plain `Exception` here, not a `ParseError`.
            other => Err(Error::custom(
                "Exception",
                format!("invalid whitespace mode {other}"),
            )),
        }
    }

    /// Tornado's default for a template name: `single` for `.html` and `.js`, else `all`.
    pub fn for_name(name: &str) -> Whitespace {
        if name.ends_with(".html") || name.ends_with(".js") {
            Whitespace::Single
        } else {
            Whitespace::All
        }
    }
}

/// Python's `str.isspace` (what `\s` matches in a `str` regex).
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Tornado's `filter_whitespace(mode, text)`.
pub fn filter_whitespace(mode: Whitespace, text: &str) -> String {
    match mode {
        Whitespace::All => text.to_string(),
        Whitespace::Single => {
            // First every run of spaces and tabs becomes one space, then every run of
            // whitespace that holds a newline becomes that newline.
            let mut step = String::with_capacity(text.len());
            let mut in_blank = false;
            for c in text.chars() {
                if c == ' ' || c == '\t' {
                    if !in_blank {
                        step.push(' ');
                    }
                    in_blank = true;
                } else {
                    in_blank = false;
                    step.push(c);
                }
            }
            collapse_runs(
                &step,
                |run| if run.contains('\n') { Some("\n") } else { None },
            )
        }
        Whitespace::Oneline => collapse_runs(text, |_| Some(" ")),
    }
}

fn collapse_runs(text: &str, replace: impl Fn(&str) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run_start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if is_py_space(c) {
            run_start.get_or_insert(i);
        } else {
            if let Some(s) = run_start.take() {
                let run = &text[s..i];
                out.push_str(replace(run).unwrap_or(run));
            }
            out.push(c);
        }
    }
    if let Some(s) = run_start {
        let run = &text[s..];
        out.push_str(replace(run).unwrap_or(run));
    }
    out
}

/// One piece of a parsed template file.
#[derive(Debug, Clone)]
pub(crate) enum Chunk {
    Text(Arc<[u8]>),
    Expr {
        expr: Expr,
        line: u32,
        raw: bool,
    },
    Statement(Statement, u32),
    Import(Import, u32),
    Break(u32),
    Continue(u32),
    Extends {
        name: String,
        line: u32,
    },
    Include {
        name: String,
        line: u32,
    },
    Block {
        name: String,
        body: Vec<Chunk>,
        line: u32,
    },
    Apply {
        func: Expr,
        body: Vec<Chunk>,
        line: u32,
    },
    If {
        branches: Vec<(Expr, Vec<Chunk>, u32)>,
        orelse: Vec<Chunk>,
    },
    For {
        target: Target,
        iter: Expr,
        body: Vec<Chunk>,
        orelse: Vec<Chunk>,
        line: u32,
    },
    While {
        cond: Expr,
        body: Vec<Chunk>,
        orelse: Vec<Chunk>,
        line: u32,
    },
    Try {
        body: Vec<Chunk>,
        handlers: Vec<Handler>,
        orelse: Vec<Chunk>,
        finally: Vec<Chunk>,
        line: u32,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Handler {
    pub classes: Option<Expr>,
    pub name: Option<Target>,
    pub body: Vec<Chunk>,
    pub line: u32,
}

/// The result of parsing one file.
#[derive(Debug)]
pub(crate) struct ParsedFile {
    pub chunks: Vec<Chunk>,
    /// `Some(..)` when a `{% autoescape %}` directive was seen (the last one wins):
    /// `Some(None)` for `{% autoescape None %}`.
    pub autoescape: Option<Option<String>>,
}

struct Reader<'a> {
    name: &'a str,
    text: &'a str,
    pos: usize,
    line: u32,
    whitespace: Whitespace,
    autoescape: Option<Option<String>>,
    depth: usize,
}

/// How deep directives may nest before the parser gives up (guards the stack).
const MAX_DEPTH: usize = 48;

/// An intermediate tag inside a block body (`else`, `elif`, `except`, `finally`).
enum Part {
    Chunk(Chunk),
    Intermediate {
        op: &'static str,
        suffix: String,
        line: u32,
    },
}

impl<'a> Reader<'a> {
    fn find(&self, needle: &str, from: usize) -> Option<usize> {
        self.text
            .get(self.pos + from..)?
            .find(needle)
            .map(|i| i + from)
    }

    fn remaining(&self) -> usize {
        self.text.len() - self.pos
    }

    fn byte(&self, i: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + i).copied()
    }

    fn consume(&mut self, n: usize) -> &'a str {
        let end = (self.pos + n).min(self.text.len());
        let s = &self.text[self.pos..end];
        self.line += s.bytes().filter(|&b| b == b'\n').count() as u32;
        self.pos = end;
        s
    }

    fn error(&self, msg: impl Into<String>) -> Error {
        Error::parse(msg, self.name, self.line)
    }

    fn text_chunk(&self, text: &str) -> Option<Chunk> {
        let value = if text.contains("<pre>") {
            text.to_string()
        } else {
            filter_whitespace(self.whitespace, text)
        };
        if value.is_empty() {
            None
        } else {
            Some(Chunk::Text(Arc::from(value.into_bytes())))
        }
    }

    fn syntax(&self, what: &str, src: &str, line: u32, e: String) -> Error {
        Error::parse(
            format!("invalid syntax in {what} '{src}': {e}"),
            self.name,
            line,
        )
    }

    /// Tornado's `_parse`: reads chunks until EOF (top level) or `{% end %}`.
    fn parse(&mut self, in_block: Option<&'static str>, in_loop: bool) -> Result<Vec<Part>> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("directives nested too deeply"));
        }
        let mut body = Vec::new();
        loop {
            // Find the next template directive.
            let mut curly = 0;
            loop {
                match self.find("{", curly) {
                    Some(c) if c + 1 != self.remaining() => curly = c,
                    _ => {
                        if let Some(block) = in_block {
                            return Err(
                                self.error(format!("Missing {{% end %}} block for {block}"))
                            );
                        }
                        let rest = self.consume(self.remaining());
                        body.extend(self.text_chunk(rest).map(Part::Chunk));
                        self.depth -= 1;
                        return Ok(body);
                    }
                }
                if !matches!(self.byte(curly + 1), Some(b'{' | b'%' | b'#')) {
                    curly += 1;
                    continue;
                }
                // With more than two curlies in a row, the innermost pair starts the tag.
                if curly + 2 < self.remaining()
                    && self.byte(curly + 1) == Some(b'{')
                    && self.byte(curly + 2) == Some(b'{')
                {
                    curly += 1;
                    continue;
                }
                break;
            }
            if curly > 0 {
                let text = self.consume(curly);
                body.extend(self.text_chunk(text).map(Part::Chunk));
            }
            let start = self.consume(2);
            let line = self.line;

            // `{{!`, `{%!` and `{#!` stand for the braces themselves.
            if self.byte(0) == Some(b'!') {
                self.consume(1);
                body.extend(self.text_chunk(start).map(Part::Chunk));
                continue;
            }

            if start == "{#" {
                let end = self
                    .find("#}", 0)
                    .ok_or_else(|| self.error("Missing end comment #}"))?;
                self.consume(end + 2);
                continue;
            }

            if start == "{{" {
                let end = self
                    .find("}}", 0)
                    .ok_or_else(|| self.error("Missing end expression }}"))?;
                let contents = self.consume(end).trim_matches(is_py_space);
                self.consume(2);
                if contents.is_empty() {
                    return Err(self.error("Empty expression"));
                }
                let expr = parse_expr(contents)
                    .map_err(|e| self.syntax("expression", contents, line, e))?;
                body.push(Part::Chunk(Chunk::Expr {
                    expr,
                    line,
                    raw: false,
                }));
                continue;
            }

            // A `{% %}` block.
            let end = self
                .find("%}", 0)
                .ok_or_else(|| self.error("Missing end block %}"))?;
            let contents = self.consume(end).trim_matches(is_py_space);
            self.consume(2);
            if contents.is_empty() {
                return Err(self.error("Empty block tag ({% %})"));
            }
            let (operator, suffix) = match contents.split_once(' ') {
                Some((op, rest)) => (op, rest.trim_matches(is_py_space)),
                None => (contents, ""),
            };

            let intermediate: Option<(&'static str, &[&str])> = match operator {
                "else" => Some(("else", &["if", "for", "while", "try"])),
                "elif" => Some(("elif", &["if"])),
                "except" => Some(("except", &["try"])),
                "finally" => Some(("finally", &["try"])),
                _ => None,
            };
            if let Some((op, allowed)) = intermediate {
                let set = allowed
                    .iter()
                    .map(|a| format!("'{a}'"))
                    .collect::<Vec<_>>()
                    .join(", ");
                match in_block {
                    None => return Err(self.error(format!("{op} outside {{{set}}} block"))),
                    Some(b) if !allowed.contains(&b) => {
                        return Err(
                            self.error(format!("{op} block cannot be attached to {b} block"))
                        );
                    }
                    Some(_) => {}
                }
                body.push(Part::Intermediate {
                    op,
                    suffix: suffix.to_string(),
                    line,
                });
                continue;
            }

            match operator {
                "end" => {
                    if in_block.is_none() {
                        return Err(self.error("Extra {% end %} block"));
                    }
                    self.depth -= 1;
                    return Ok(body);
                }
                "comment" => continue,
                "extends" | "include" => {
                    let path = suffix.trim_matches('"').trim_matches('\'');
                    if path.is_empty() {
                        return Err(self.error(format!("{operator} missing file path")));
                    }
                    let name = path.to_string();
                    body.push(Part::Chunk(if operator == "extends" {
                        Chunk::Extends { name, line }
                    } else {
                        Chunk::Include { name, line }
                    }));
                }
                "import" | "from" => {
                    if suffix.is_empty() {
                        return Err(self.error("import missing statement"));
                    }
                    let imp = parse_import(contents)
                        .map_err(|e| self.syntax("import", contents, line, e))?;
                    body.push(Part::Chunk(Chunk::Import(imp, line)));
                }
                "set" => {
                    if suffix.is_empty() {
                        return Err(self.error("set missing statement"));
                    }
                    let st = parse_statement(suffix)
                        .map_err(|e| self.syntax("statement", suffix, line, e))?;
                    body.push(Part::Chunk(Chunk::Statement(st, line)));
                }
                "autoescape" => {
                    let f = suffix.trim_matches(is_py_space);
                    self.autoescape = Some(if f == "None" {
                        None
                    } else {
                        Some(f.to_string())
                    });
                }
                "whitespace" => {
                    self.whitespace = Whitespace::from_name(suffix.trim_matches(is_py_space))?;
                }
                "raw" => {
                    let expr = parse_expr(suffix)
                        .map_err(|e| self.syntax("expression", suffix, line, e))?;
                    body.push(Part::Chunk(Chunk::Expr {
                        expr,
                        line,
                        raw: true,
                    }));
                }
                "module" => {
                    let src = format!("_tt_modules.{suffix}");
                    let expr =
                        parse_expr(&src).map_err(|e| self.syntax("module", suffix, line, e))?;
                    body.push(Part::Chunk(Chunk::Expr {
                        expr,
                        line,
                        raw: true,
                    }));
                }
                "apply" | "block" | "try" | "if" | "for" | "while" => {
                    let op: &'static str = match operator {
                        "apply" => "apply",
                        "block" => "block",
                        "try" => "try",
                        "if" => "if",
                        "for" => "for",
                        _ => "while",
                    };
                    let inner_loop = match op {
                        "for" | "while" => true,
                        // apply bodies are nested functions: a loop outside does not count.
                        "apply" => false,
                        _ => in_loop,
                    };
                    let parts = self.parse(Some(op), inner_loop)?;
                    let chunk = match op {
                        "apply" => {
                            if suffix.is_empty() {
                                return Err(self.error("apply missing method name"));
                            }
                            let func = parse_expr(suffix)
                                .map_err(|e| self.syntax("apply", suffix, line, e))?;
                            Chunk::Apply {
                                func,
                                body: plain(parts)?,
                                line,
                            }
                        }
                        "block" => {
                            if suffix.is_empty() {
                                return Err(self.error("block missing name"));
                            }
                            Chunk::Block {
                                name: suffix.to_string(),
                                body: plain(parts)?,
                                line,
                            }
                        }
                        _ => self.control(op, suffix, line, parts)?,
                    };
                    body.push(Part::Chunk(chunk));
                }
                "break" | "continue" => {
                    if !in_loop {
                        return Err(
                            self.error(format!("{operator} outside {{'for', 'while'}} block"))
                        );
                    }
                    if !suffix.is_empty() {
                        return Err(self.syntax(
                            "statement",
                            contents,
                            line,
                            "unexpected text".into(),
                        ));
                    }
                    body.push(Part::Chunk(if operator == "break" {
                        Chunk::Break(line)
                    } else {
                        Chunk::Continue(line)
                    }));
                }
                other => return Err(self.error(format!("unknown operator: '{other}'"))),
            }
        }
    }

    /// Builds an `if`/`for`/`while`/`try` from its body split at intermediate tags.
    fn control(&self, op: &str, suffix: &str, line: u32, parts: Vec<Part>) -> Result<Chunk> {
        let bad = |l: u32, msg: &str| Error::parse(format!("invalid syntax: {msg}"), self.name, l);
        // Split into sections: the first one, then one per intermediate tag.
        let mut sections: Vec<(&'static str, String, u32, Vec<Chunk>)> =
            vec![(op_static(op), suffix.to_string(), line, Vec::new())];
        for part in parts {
            match part {
                Part::Chunk(c) => {
                    if let Some(last) = sections.last_mut() {
                        last.3.push(c);
                    }
                }
                Part::Intermediate { op, suffix, line } => {
                    sections.push((op, suffix, line, Vec::new()))
                }
            }
        }
        let mut sections = sections.into_iter();
        let Some((_, head, head_line, head_body)) = sections.next() else {
            return Err(bad(line, "empty block"));
        };
        match op {
            "if" => {
                if head.is_empty() {
                    return Err(bad(line, "if missing condition"));
                }
                let cond = parse_expr(&head).map_err(|e| self.syntax("if", &head, line, e))?;
                let mut branches = vec![(cond, head_body, head_line)];
                let mut orelse = None;
                for (kind, text, l, body) in sections {
                    if orelse.is_some() {
                        return Err(bad(l, &format!("{kind} after else")));
                    }
                    match kind {
                        "elif" => {
                            let c =
                                parse_expr(&text).map_err(|e| self.syntax("elif", &text, l, e))?;
                            branches.push((c, body, l));
                        }
                        _ => {
                            if !text.is_empty() {
                                return Err(bad(l, "else takes no condition"));
                            }
                            orelse = Some(body);
                        }
                    }
                }
                Ok(Chunk::If {
                    branches,
                    orelse: orelse.unwrap_or_default(),
                })
            }
            "for" | "while" => {
                let mut orelse = None;
                for (_, text, l, body) in sections {
                    if orelse.is_some() || !text.is_empty() {
                        return Err(bad(l, "misplaced else"));
                    }
                    orelse = Some(body);
                }
                let orelse = orelse.unwrap_or_default();
                if op == "for" {
                    let (target, iter) =
                        parse_for(&head).map_err(|e| self.syntax("for", &head, line, e))?;
                    Ok(Chunk::For {
                        target,
                        iter,
                        body: head_body,
                        orelse,
                        line,
                    })
                } else {
                    let cond =
                        parse_expr(&head).map_err(|e| self.syntax("while", &head, line, e))?;
                    Ok(Chunk::While {
                        cond,
                        body: head_body,
                        orelse,
                        line,
                    })
                }
            }
            _ => {
                if !head.is_empty() {
                    return Err(bad(line, "try takes no expression"));
                }
                let mut handlers: Vec<Handler> = Vec::new();
                let mut orelse = None;
                let mut finally = None;
                for (kind, text, l, body) in sections {
                    if finally.is_some() {
                        return Err(bad(l, &format!("{kind} after finally")));
                    }
                    match kind {
                        "except" => {
                            if orelse.is_some() {
                                return Err(bad(l, "except after else"));
                            }
                            if handlers.last().is_some_and(|h| h.classes.is_none()) {
                                return Err(bad(l, "default 'except:' must be last"));
                            }
                            let (classes, name) = parse_except(&text)
                                .map_err(|e| self.syntax("except", &text, l, e))?;
                            handlers.push(Handler {
                                classes,
                                name: name.map(Target::Name),
                                body,
                                line: l,
                            });
                        }
                        "else" => {
                            if handlers.is_empty() || orelse.is_some() || !text.is_empty() {
                                return Err(bad(l, "misplaced else"));
                            }
                            orelse = Some(body);
                        }
                        _ => {
                            if !text.is_empty() {
                                return Err(bad(l, "finally takes no expression"));
                            }
                            finally = Some(body);
                        }
                    }
                }
                if handlers.is_empty() && finally.is_none() {
                    return Err(bad(line, "expected 'except' or 'finally' block"));
                }
                Ok(Chunk::Try {
                    body: head_body,
                    handlers,
                    orelse: orelse.unwrap_or_default(),
                    finally: finally.unwrap_or_default(),
                    line,
                })
            }
        }
    }
}

fn op_static(op: &str) -> &'static str {
    match op {
        "if" => "if",
        "for" => "for",
        "while" => "while",
        _ => "try",
    }
}

/// The body of an `apply` or `block`: intermediate tags cannot occur there (the reader
/// rejects them), so every part is a chunk.
fn plain(parts: Vec<Part>) -> Result<Vec<Chunk>> {
    Ok(parts
        .into_iter()
        .filter_map(|p| match p {
            Part::Chunk(c) => Some(c),
            Part::Intermediate { .. } => None,
        })
        .collect())
}

/// Parses one template file.
pub(crate) fn parse_file(name: &str, text: &str, whitespace: Whitespace) -> Result<ParsedFile> {
    let mut reader = Reader {
        name,
        text,
        pos: 0,
        line: 1,
        whitespace,
        autoescape: None,
        depth: 0,
    };
    let parts = reader.parse(None, false)?;
    Ok(ParsedFile {
        chunks: plain(parts)?,
        autoescape: reader.autoescape,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_modes() {
        assert_eq!(
            filter_whitespace(Whitespace::Single, "   \n\t\n asdf\t   "),
            "\nasdf "
        );
        assert_eq!(
            filter_whitespace(Whitespace::Single, " \n\n\n\t qwer     "),
            "\nqwer "
        );
        assert_eq!(
            filter_whitespace(Whitespace::Oneline, "\t\tbar\n\n"),
            " bar "
        );
        assert_eq!(
            filter_whitespace(Whitespace::Single, "\t\tfoo\n\n"),
            " foo\n"
        );
        assert_eq!(filter_whitespace(Whitespace::All, " a \n"), " a \n");
        assert_eq!(filter_whitespace(Whitespace::Single, "a\u{a0}\n b"), "a\nb");
        assert!(
            Whitespace::from_name("bogus")
                .unwrap_err()
                .message()
                .contains("invalid whitespace mode bogus")
        );
    }

    fn err(src: &str) -> String {
        parse_file("t.html", src, Whitespace::All)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn parse_errors_match_tornado() {
        assert_eq!(err("{{"), "Missing end expression }} at t.html:1");
        assert_eq!(err("\n\n{{"), "Missing end expression }} at t.html:3");
        assert_eq!(err("{%"), "Missing end block %} at t.html:1");
        assert_eq!(err("{#"), "Missing end comment #} at t.html:1");
        assert_eq!(err("{{ }}"), "Empty expression at t.html:1");
        assert_eq!(err("{% %}"), "Empty block tag ({% %}) at t.html:1");
        assert_eq!(err("{% end %}"), "Extra {% end %} block at t.html:1");
        assert_eq!(
            err("{% if x %}\n"),
            "Missing {% end %} block for if at t.html:1"
        );
        assert_eq!(err("{% foo %}"), "unknown operator: 'foo' at t.html:1");
        assert_eq!(
            err("{% break %}"),
            "break outside {'for', 'while'} block at t.html:1"
        );
        assert_eq!(
            err("{% else %}"),
            "else outside {'if', 'for', 'while', 'try'} block at t.html:1"
        );
        assert_eq!(
            err("{% for x in y %}{% elif %}{% end %}"),
            "elif block cannot be attached to for block at t.html:1"
        );
        assert_eq!(
            err("{% extends %}"),
            "extends missing file path at t.html:1"
        );
        assert_eq!(
            err("{% include '' %}"),
            "include missing file path at t.html:1"
        );
        assert_eq!(err("{% set %}"), "set missing statement at t.html:1");
        assert_eq!(err("{% import %}"), "import missing statement at t.html:1");
        assert_eq!(
            err("{% apply %}{% end %}"),
            "apply missing method name at t.html:1"
        );
        assert_eq!(
            err("{% block %}{% end %}"),
            "block missing name at t.html:1"
        );
        assert_eq!(
            err("{% whitespace x %}"),
            "Exception: invalid whitespace mode x"
        );
        assert!(err("{{ 1 + }}").starts_with("invalid syntax in expression '1 +'"));
        assert!(
            err("{% for i in [] %}{% apply f %}{% break %}{% end %}{% end %}")
                .contains("break outside")
        );
    }

    #[test]
    fn escapes_and_curlies() {
        let f = parse_file("t", "{{!a}} {%! {#! {{{x}}} {", Whitespace::All).unwrap();
        let texts: Vec<String> = f
            .chunks
            .iter()
            .filter_map(|c| match c {
                Chunk::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                _ => None,
            })
            .collect();
        assert_eq!(texts.concat(), "{{a}} {% {# {} {");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "{% if 1 %}".repeat(100);
        assert!(err(&src).contains("nested too deeply"));
    }
}
