//! `linkify`: plain text to HTML with links.

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::html::xhtml_escape;
use crate::tables::{PY_SPACE_CLASS, PY_WORD_CLASS};
use crate::text::py_strip;

/// Tornado's URL pattern, rewritten for Rust's `regex`.
///
/// Tornado's pattern starts with `\b` and uses `\w` and `\s`, whose meanings differ
/// between Python's `re` and Rust's `regex` outside ASCII. So the classes are spelled
/// out from Python's own tables, and `\b` (which `regex` would read with its own `\w`)
/// becomes a test of the character before the match: the pattern matches that one
/// character too (or the start of the text), and the link is the named group. A link
/// starting with a word character needs a non-word character (or the start) before
/// it; one starting with `-` needs a word character before it. This finds exactly the
/// matches of Python's `re.sub`, in linear time (`regex` never backtracks).
static URL_RE: LazyLock<Regex> = LazyLock::new(|| {
    let w = PY_WORD_CLASS;
    let s = PY_SPACE_CLASS;
    // What may follow the scheme or `www.` (Tornado's pattern after its first group).
    let tail = format!(
        r#"(?:(?:(?:[^{s}&()]|&amp;|&quot;)*[^!"\#$%&'()*+,.:;<=>?@\[\]^`{{|}}\~{s}])|(?:\((?:[^{s}&()]|&amp;|&quot;)*\)))+"#
    );
    let pattern = format!(
        r"(?:^|[^{w}])(?P<a>(?:(?P<pa>[{w}][{w}\-]*):(?P<sa>/{{1,3}})|www[.]){tail})|[{w}](?P<b>(?P<pb>-[{w}\-]*):(?P<sb>/{{1,3}}){tail})"
    );
    // The pattern is a constant: failing to build it is a bug caught by every test.
    Regex::new(&pattern).unwrap_or_else(|err| panic!("linkify pattern: {err}"))
});

/// The `extra_params` of [`linkify`]: attributes to add to each `<a>` tag.
pub enum ExtraParams<'a> {
    /// The same attributes on every link, such as `rel="nofollow" class="external"`.
    Text(Cow<'a, str>),
    /// A function of the link's `href` that returns its attributes.
    Callable(&'a dyn Fn(&str) -> String),
}

impl Default for ExtraParams<'_> {
    fn default() -> Self {
        ExtraParams::Text(Cow::Borrowed(""))
    }
}

impl fmt::Debug for ExtraParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtraParams::Text(text) => f.debug_tuple("Text").field(text).finish(),
            ExtraParams::Callable(_) => f.write_str("Callable(..)"),
        }
    }
}

impl<'a> From<&'a str> for ExtraParams<'a> {
    fn from(text: &'a str) -> Self {
        ExtraParams::Text(Cow::Borrowed(text))
    }
}

impl From<String> for ExtraParams<'_> {
    fn from(text: String) -> Self {
        ExtraParams::Text(Cow::Owned(text))
    }
}

impl<'a, F: Fn(&str) -> String> From<&'a F> for ExtraParams<'a> {
    fn from(callable: &'a F) -> Self {
        ExtraParams::Callable(callable)
    }
}

/// The keyword arguments of Tornado's `linkify`, with the same defaults.
#[derive(Debug)]
pub struct LinkifyOptions<'a> {
    /// Shorten the text of long links (the `href` stays whole and becomes the `title`).
    /// Default `false`.
    pub shorten: bool,
    /// Attributes to add to each link. Default: none.
    pub extra_params: ExtraParams<'a>,
    /// Link only text with a scheme (`http://...`), not bare `www.` names. Default
    /// `false`.
    pub require_protocol: bool,
    /// The schemes that become links; others stay text. Default `["http", "https"]`.
    /// Never add `javascript`.
    pub permitted_protocols: Vec<Cow<'a, str>>,
}

impl Default for LinkifyOptions<'_> {
    fn default() -> Self {
        LinkifyOptions {
            shorten: false,
            extra_params: ExtraParams::default(),
            require_protocol: false,
            permitted_protocols: vec![Cow::Borrowed("http"), Cow::Borrowed("https")],
        }
    }
}

/// Turns plain text into HTML with links, as Tornado's `linkify`.
///
/// The text is HTML-escaped first ([`xhtml_escape`]), then each URL (a scheme such as
/// `http://`, or a name starting `www.`) becomes `<a href="...">...</a>`; trailing
/// punctuation and unbalanced parentheses stay outside the link. A link without a scheme
/// gets `http://` in its `href`. See [`LinkifyOptions`] for the options.
///
/// ```
/// use tornado_escape::{linkify, LinkifyOptions};
/// assert_eq!(
///     linkify("Hello http://tornadoweb.org!", &LinkifyOptions::default()),
///     r#"Hello <a href="http://tornadoweb.org">http://tornadoweb.org</a>!"#
/// );
/// let nofollow = LinkifyOptions { extra_params: r#"rel="nofollow""#.into(), ..Default::default() };
/// assert_eq!(
///     linkify("see www.example.com & more", &nofollow),
///     r#"see <a href="http://www.example.com" rel="nofollow">www.example.com</a> &amp; more"#
/// );
/// ```
pub fn linkify(text: &str, options: &LinkifyOptions<'_>) -> String {
    let escaped = xhtml_escape(text);
    let text: &str = &escaped;
    // Tornado adds a space before non-empty fixed attributes, stripped.
    let fixed_params = match &options.extra_params {
        ExtraParams::Text(t) if !t.is_empty() => format!(" {}", py_strip(t)),
        _ => String::new(),
    };
    let mut out = String::with_capacity(text.len() + 32);
    // `done`: how much of `text` is already in `out`.
    let mut done = 0;
    while done < text.len() {
        // Start one character early: it may be the character before the next link.
        let from = text[..done]
            .chars()
            .next_back()
            .map_or(done, |c| done - c.len_utf8());
        let Some(caps) = URL_RE.captures_at(text, from) else {
            break;
        };
        let Some(link) = caps.name("a").or_else(|| caps.name("b")) else {
            break;
        };
        out.push_str(&text[done..link.start()]);
        make_link(&caps, link.as_str(), options, &fixed_params, &mut out);
        done = link.end();
    }
    out.push_str(&text[done..]);
    out
}

/// Appends the replacement for one match of [`URL_RE`] whose link text is `url`.
fn make_link(
    caps: &Captures<'_>,
    url: &str,
    options: &LinkifyOptions<'_>,
    fixed_params: &str,
    out: &mut String,
) {
    let proto = caps
        .name("pa")
        .or_else(|| caps.name("pb"))
        .map(|m| m.as_str());
    let slashes = caps
        .name("sa")
        .or_else(|| caps.name("sb"))
        .map_or("", |m| m.as_str());
    let permitted = match proto {
        None => !options.require_protocol,
        Some(p) => options
            .permitted_protocols
            .iter()
            .any(|allowed| allowed == p),
    };
    if !permitted {
        out.push_str(url);
        return;
    }
    let href: Cow<'_, str> = match proto {
        Some(_) => Cow::Borrowed(url),
        None => Cow::Owned(format!("http://{url}")),
    };
    let mut params = match &options.extra_params {
        ExtraParams::Callable(f) => format!(" {}", py_strip(&f(&href))),
        ExtraParams::Text(_) => fixed_params.to_owned(),
    };
    let mut shown = Cow::Borrowed(url);
    if options.shorten {
        let proto_len = proto.map_or(0, |p| p.chars().count() + 1 + slashes.len());
        if let Some(short) = shorten(url, proto_len) {
            shown = Cow::Owned(short);
            params.push_str(&format!(" title=\"{href}\""));
        }
    }
    out.push_str("<a href=\"");
    out.push_str(&href);
    out.push('"');
    out.push_str(&params);
    out.push('>');
    out.push_str(&shown);
    out.push_str("</a>");
}

/// Tornado's shortening of the text of a long link, counted in characters: `None` when
/// the link is short enough or shortening would not make it shorter.
fn shorten(url: &str, proto_len: usize) -> Option<String> {
    const MAX_LEN: usize = 30;
    let len = url.chars().count();
    if len <= MAX_LEN {
        return None;
    }
    // Byte offset of the character at index `n` (or the end).
    let at = |s: &str, n: usize| s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    let (scheme, rest) = url.split_at(at(url, proto_len));
    let mut short = url.to_owned();
    let mut parts = rest.split('/');
    if let (Some(host), Some(path)) = (parts.next(), parts.next()) {
        // The host and the start of the first path segment, cut at `?` or `.`.
        let path = &path[..at(path, 8)];
        let path = path.split('?').next().unwrap_or("");
        let path = path.split('.').next().unwrap_or("");
        short = format!("{scheme}{host}/{path}");
    }
    if short.chars().count() * 2 > MAX_LEN * 3 {
        short.truncate(at(&short, MAX_LEN));
    }
    if short == url {
        return None;
    }
    // Do not cut an entity such as `&amp;` in two.
    if let Some(amp) = short.rfind('&')
        && short[..amp].chars().count() > MAX_LEN - 5
    {
        short.truncate(amp);
    }
    short.push_str("...");
    (short.chars().count() < len).then_some(short)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> String {
        linkify(text, &LinkifyOptions::default())
    }

    #[test]
    fn word_boundary_rules() {
        let any_scheme = LinkifyOptions {
            permitted_protocols: ["x", "-x", "a-x", "http"].map(Cow::Borrowed).to_vec(),
            ..LinkifyOptions::default()
        };
        // After a non-word character a link may not start with '-': it starts after it.
        assert_eq!(
            linkify(" -x://y", &any_scheme),
            " -<a href=\"x://y\">x://y</a>"
        );
        // A scheme may contain '-' after its first character.
        assert_eq!(
            linkify("a-x://y", &any_scheme),
            "<a href=\"a-x://y\">a-x://y</a>"
        );
        // Python's \w: '\u{e9}' is a word character, so the scheme is "\u{e9}-x".
        assert_eq!(linkify("\u{e9}-x://y", &any_scheme), "\u{e9}-x://y");
        // '\u{203f}' is in Rust's \w but not Python's.
        assert_eq!(
            linkify("\u{203f}x://y", &any_scheme),
            "\u{203f}<a href=\"x://y\">x://y</a>"
        );
        // Python's \w: a combining mark is not a word character, '\u{b2}' is.
        assert_eq!(
            linkify("\u{301}x://y", &any_scheme),
            "\u{301}<a href=\"x://y\">x://y</a>"
        );
        assert_eq!(plain("\u{b2}http://y"), "\u{b2}http://y");
        assert_eq!(plain("ahttp://x"), "ahttp://x");
        assert_eq!(plain("(http://x)"), "(<a href=\"http://x\">http://x</a>)");
        assert_eq!(
            plain("http://a http://b"),
            "<a href=\"http://a\">http://a</a> <a href=\"http://b\">http://b</a>"
        );
    }

    #[test]
    fn long_hostile_inputs_are_fast() {
        let inputs = [
            format!("{}://", "-".repeat(50_000)) + &"a".repeat(50_000),
            "a-".repeat(50_000) + "://x",
            format!("http://x/{}", "(".repeat(50_000)),
            format!("http://x/{}", ".".repeat(100_000)),
            "www.".repeat(30_000),
            "&amp;".repeat(30_000),
        ];
        for input in inputs {
            let start = std::time::Instant::now();
            let _ = plain(&input);
            assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
        }
    }
}
