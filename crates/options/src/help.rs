//! The `--help` text, laid out byte for byte as Tornado's `print_help`, with the pieces of
//! Python it needs: `textwrap.wrap` and `os.path.normpath`.

/// Python's ASCII whitespace set used by `textwrap`.
fn is_tw_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// `\w` of Python's `re` (Unicode).
fn is_word(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// `[^\d\W]`: a word character that is not a digit.
fn is_letter(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

/// `[\w!"'&.,?]`.
fn is_word_punct(c: char) -> bool {
    is_word(c) || matches!(c, '!' | '"' | '\'' | '&' | '.' | ',' | '?')
}

/// Python's `str.expandtabs(8)`.
fn expand_tabs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut column = 0usize;
    for c in text.chars() {
        match c {
            '\t' => {
                let n = 8 - column % 8;
                out.extend(std::iter::repeat_n(' ', n));
                column += n;
            }
            '\n' | '\r' => {
                out.push(c);
                column = 0;
            }
            c => {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

/// Length of a run of `-` starting at `i`.
fn dash_run(t: &[char], i: usize) -> usize {
    t[i.min(t.len())..]
        .iter()
        .take_while(|c| **c == '-')
        .count()
}

/// At `j`, does `(?<=wp)(?=-{2,}\w)` hold?
fn em_dash_ahead(t: &[char], j: usize) -> bool {
    let run = dash_run(t, j);
    j > 0 && is_word_punct(t[j - 1]) && run >= 2 && t.get(j + run).is_some_and(|c| is_word(*c))
}

/// Splits text into `textwrap`'s chunks: whitespace runs, words, and word pieces ending in
/// a hyphen (its `wordsep_re`, written out by hand since Rust's regex has no look-behind).
fn split_chunks(t: &[char]) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let start = i;
        if is_tw_space(t[i]) {
            while i < t.len() && is_tw_space(t[i]) {
                i += 1;
            }
        } else if em_dash_ahead(t, i) {
            i += dash_run(t, i);
        } else {
            // A lazy run of non-space characters, ended by the first of: a hyphen inside a
            // hyphenated word, the end of the word, or the start of an em-dash.
            let mut j = i + 1;
            loop {
                if j >= t.len() || is_tw_space(t[j]) {
                    i = j;
                    break;
                }
                if t[j] == '-' {
                    let behind = (j >= 2 && is_letter(t[j - 2]) && is_letter(t[j - 1]))
                        || (j >= 3
                            && is_letter(t[j - 3])
                            && t[j - 2] == '-'
                            && is_letter(t[j - 1]));
                    let ahead = t.get(j + 1).is_some_and(|c| is_letter(*c))
                        && (t.get(j + 2).is_some_and(|c| is_letter(*c))
                            || (t.get(j + 2) == Some(&'-')
                                && t.get(j + 3).is_some_and(|c| is_letter(*c))));
                    if behind && ahead {
                        i = j + 1;
                        break;
                    }
                }
                if em_dash_ahead(t, j) {
                    i = j;
                    break;
                }
                j += 1;
            }
        }
        chunks.push(t[start..i].iter().collect());
    }
    chunks
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

/// Python's `textwrap.wrap(text, width)` with its default settings.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let munged: Vec<char> = expand_tabs(text)
        .chars()
        .map(|c| if is_tw_space(c) { ' ' } else { c })
        .collect();
    let mut chunks = split_chunks(&munged);
    chunks.reverse();
    let mut lines = Vec::new();
    while !chunks.is_empty() {
        let mut line: Vec<String> = Vec::new();
        let mut len = 0;
        if chunks.last().is_some_and(|c| is_blank(c)) && !lines.is_empty() {
            chunks.pop();
        }
        while let Some(chunk) = chunks.last() {
            let l = char_len(chunk);
            if len + l <= width {
                len += l;
                line.extend(chunks.pop());
            } else {
                break;
            }
        }
        if let Some(chunk) = chunks.last_mut()
            && char_len(chunk) > width
        {
            // Break a word longer than the line, after a hyphen if one fits.
            let space_left = if width < 1 { 1 } else { width - len };
            let cs: Vec<char> = chunk.chars().collect();
            let mut end = space_left;
            if cs.len() > space_left
                && let Some(h) = cs[..space_left].iter().rposition(|c| *c == '-')
                && h > 0
                && cs[..h].iter().any(|c| *c != '-')
            {
                end = h + 1;
            }
            line.push(cs[..end].iter().collect());
            *chunk = cs[end..].iter().collect();
        }
        if line.last().is_some_and(|c| is_blank(c)) {
            line.pop();
        }
        if !line.is_empty() {
            lines.push(line.concat());
        }
    }
    lines
}

/// Python's `posixpath.normpath`.
pub fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let initial = if path.starts_with("//") && !path.starts_with("///") {
        "//"
    } else if path.starts_with('/') {
        "/"
    } else {
        ""
    };
    let mut parts: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        if comp.is_empty() || comp == "." {
            continue;
        }
        if comp != ".." || (initial.is_empty() && parts.is_empty()) || parts.last() == Some(&"..") {
            parts.push(comp);
        } else if !parts.is_empty() {
            parts.pop();
        }
    }
    let joined = format!("{initial}{}", parts.join("/"));
    if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

/// One option as the help text needs it.
pub(crate) struct HelpEntry<'a> {
    pub name: &'a str,
    pub group: &'a str,
    pub metavar: Option<&'a str>,
    pub help: Option<&'a str>,
    /// `str()` of the default, or `None` when the default is `None` or `""`.
    pub default: Option<String>,
}

/// Tornado's `print_help` layout.
pub(crate) fn format_help(program: &str, entries: &mut [HelpEntry<'_>]) -> String {
    let mut out = format!("Usage: {program} [OPTIONS]\n\nOptions:\n\n");
    entries.sort_by(|a, b| a.group.cmp(b.group).then_with(|| a.name.cmp(b.name)));
    let mut current: Option<&str> = None;
    for e in entries.iter() {
        if current != Some(e.group) {
            current = Some(e.group);
            if !e.group.is_empty() {
                out.push_str(&format!("\n{} options:\n\n", normpath(e.group)));
            }
        }
        let mut prefix = e.name.replace('_', "-");
        if let Some(m) = e.metavar.filter(|m| !m.is_empty()) {
            prefix.push('=');
            prefix.push_str(m);
        }
        let mut description = e.help.unwrap_or("").to_owned();
        if let Some(d) = &e.default {
            description.push_str(&format!(" (default {d})"));
        }
        let mut lines = wrap(&description, 79 - 35);
        if char_len(&prefix) > 30 || lines.is_empty() {
            lines.insert(0, String::new());
        }
        let pad = 30usize.saturating_sub(char_len(&prefix));
        out.push_str(&format!("  --{prefix}{} {}\n", " ".repeat(pad), lines[0]));
        for line in &lines[1..] {
            out.push_str(&format!("{:34} {line}\n", " "));
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_like_textwrap() {
        assert_eq!(wrap("", 10), Vec::<String>::new());
        assert_eq!(wrap("   ", 10), Vec::<String>::new());
        assert_eq!(wrap("hello world foo", 11), ["hello world", "foo"]);
        assert_eq!(wrap("a well-known thing", 8), ["a well-", "known", "thing"]);
        assert_eq!(wrap("abcdefghijkl", 5), ["abcde", "fghij", "kl"]);
        assert_eq!(wrap("aaa-bbbbbbbbb", 6), ["aaa-bb", "bbbbbb", "b"]);
        assert_eq!(wrap("x\ty", 20), ["x       y"]);
        assert_eq!(wrap("ab--cd ef", 4), ["ab--", "cd", "ef"]);
    }

    #[test]
    fn normpath_like_python() {
        assert_eq!(normpath("a/./b//c/../d"), "a/b/d");
        assert_eq!(normpath("/../x"), "/x");
        assert_eq!(normpath("../x/.."), "..");
        assert_eq!(normpath("//a"), "//a");
        assert_eq!(normpath("///a/"), "/a");
        assert_eq!(normpath("."), ".");
        assert_eq!(normpath("a/.."), ".");
    }

    proptest::proptest! {
        #[test]
        fn wrap_keeps_words_and_width(s in "[a-z -]{0,80}", w in 1usize..30) {
            let lines = wrap(&s, w);
            for l in &lines {
                proptest::prop_assert!(l.chars().count() <= w);
            }
            let a: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let b: String = s.chars().filter(|c| *c != ' ').collect();
            proptest::prop_assert_eq!(a, b);
        }
    }
}
