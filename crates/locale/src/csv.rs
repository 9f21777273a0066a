//! Tornado's CSV translation files: `LOCALE.csv` with rows
//! `"message","translation"[,"plural"|"singular"|"unknown"]`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::error::{Error, Result};

const LOG_TARGET: &str = "tornado.general";

/// The text encoding of CSV translation files, for
/// [`Translations::load_translations_with_encoding`](crate::Translations::load_translations_with_encoding).
///
/// Without an explicit encoding the loader sniffs each file: a UTF-16 byte-order mark
/// (either byte order) selects [`Encoding::Utf16`], anything else is read as
/// [`Encoding::Utf8Sig`]. The names Python uses parse with [`str::parse`]
/// (`"utf-8"`, `"UTF8"`, `"utf_16_le"`, `"latin-1"`, `"ascii"`...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8; a byte-order mark is kept as a U+FEFF character (Python's `utf-8`).
    Utf8,
    /// UTF-8 with an optional byte-order mark, which is dropped (Python's `utf-8-sig`).
    Utf8Sig,
    /// UTF-16 in the byte order its byte-order mark says, little-endian without one
    /// (Python's `utf-16`).
    Utf16,
    /// UTF-16, little-endian; a byte-order mark is kept as a character.
    Utf16Le,
    /// UTF-16, big-endian; a byte-order mark is kept as a character.
    Utf16Be,
    /// ISO-8859-1: every byte is the code point of the same value.
    Latin1,
    /// 7-bit ASCII; any byte above 0x7f is an error.
    Ascii,
}

impl FromStr for Encoding {
    type Err = Error;

    fn from_str(name: &str) -> Result<Encoding> {
        let norm: String = name
            .trim()
            .chars()
            .map(|c| match c {
                '-' | ' ' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        Ok(match norm.as_str() {
            "utf_8" | "utf8" | "u8" | "utf" | "cp65001" => Encoding::Utf8,
            "utf_8_sig" | "utf8_sig" => Encoding::Utf8Sig,
            "utf_16" | "utf16" | "u16" => Encoding::Utf16,
            "utf_16_le" | "utf_16le" | "utf16le" => Encoding::Utf16Le,
            "utf_16_be" | "utf_16be" | "utf16be" => Encoding::Utf16Be,
            "latin_1" | "latin1" | "latin" | "l1" | "iso_8859_1" | "iso8859_1" | "8859"
            | "cp819" | "iso_ir_100" => Encoding::Latin1,
            "ascii" | "us_ascii" | "646" | "us" => Encoding::Ascii,
            _ => return Err(Error::encoding(name)),
        })
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Sig => "utf-8-sig",
            Encoding::Utf16 => "utf-16",
            Encoding::Utf16Le => "utf-16-le",
            Encoding::Utf16Be => "utf-16-be",
            Encoding::Latin1 => "latin-1",
            Encoding::Ascii => "ascii",
        })
    }
}

/// Decodes a whole file; errors name the line of the first undecodable byte.
pub(crate) fn decode(path: &Path, bytes: &[u8], encoding: Option<Encoding>) -> Result<String> {
    let encoding = encoding.unwrap_or(match bytes {
        [0xff, 0xfe, ..] | [0xfe, 0xff, ..] => Encoding::Utf16,
        _ => Encoding::Utf8Sig,
    });
    let line_of =
        |text_before: &[u8]| 1 + text_before.iter().filter(|b| **b == b'\n').count() as u64;
    match encoding {
        Encoding::Utf8 | Encoding::Utf8Sig => {
            let body = match (encoding, bytes) {
                (Encoding::Utf8Sig, [0xef, 0xbb, 0xbf, rest @ ..]) => rest,
                _ => bytes,
            };
            match std::str::from_utf8(body) {
                Ok(text) => Ok(text.to_owned()),
                Err(e) => {
                    let at = e.valid_up_to();
                    let byte = body.get(at).copied().unwrap_or(0);
                    Err(Error::decode(
                        path,
                        line_of(&body[..at]),
                        format!("invalid {encoding} (byte 0x{byte:02x} at offset {at})"),
                    ))
                }
            }
        }
        Encoding::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        Encoding::Ascii => match bytes.iter().position(|b| !b.is_ascii()) {
            None => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
            Some(at) => Err(Error::decode(
                path,
                line_of(&bytes[..at]),
                format!("invalid ascii (byte 0x{:02x} at offset {at})", bytes[at]),
            )),
        },
        Encoding::Utf16 | Encoding::Utf16Le | Encoding::Utf16Be => {
            let (big_endian, body) = match (encoding, bytes) {
                (Encoding::Utf16, [0xfe, 0xff, rest @ ..]) => (true, rest),
                (Encoding::Utf16, [0xff, 0xfe, rest @ ..]) => (false, rest),
                (Encoding::Utf16Be, _) => (true, bytes),
                _ => (false, bytes),
            };
            decode_utf16(path, body, big_endian, encoding)
        }
    }
}

fn decode_utf16(path: &Path, body: &[u8], big_endian: bool, encoding: Encoding) -> Result<String> {
    let units = body.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    let mut text = String::with_capacity(body.len() / 2);
    let mut line = 1u64;
    for (i, unit) in char::decode_utf16(units).enumerate() {
        match unit {
            Ok(c) => {
                if c == '\n' {
                    line += 1;
                }
                text.push(c);
            }
            Err(e) => {
                return Err(Error::decode(
                    path,
                    line,
                    format!(
                        "invalid {encoding} (lone surrogate 0x{:04x} near offset {})",
                        e.unpaired_surrogate(),
                        2 * i
                    ),
                ));
            }
        }
    }
    if body.len() % 2 == 1 {
        return Err(Error::decode(
            path,
            line,
            format!("invalid {encoding} (odd number of bytes)"),
        ));
    }
    Ok(text)
}

/// The translations of one CSV file, by plural kind.
#[derive(Debug, Default)]
pub(crate) struct CsvTable {
    pub(crate) unknown: HashMap<String, String>,
    pub(crate) singular: HashMap<String, String>,
    pub(crate) plural: HashMap<String, String>,
}

impl CsvTable {
    /// Whether any row was loaded (Tornado warns about `pgettext` only then).
    pub(crate) fn is_empty(&self) -> bool {
        self.unknown.is_empty() && self.singular.is_empty() && self.plural.is_empty()
    }
}

/// Python's `str.isspace`: Unicode white space plus the four ASCII separators.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `text` as Python's `repr` would quote a simple string in a log line.
pub(crate) fn quoted(text: &str) -> String {
    if text.contains(['\'', '\\']) || text.chars().any(char::is_control) {
        format!("{text:?}")
    } else {
        format!("'{text}'")
    }
}

/// Parses CSV text (Python's `excel` dialect, read in universal-newline text mode)
/// into rows of fields, each with the line it starts on.
pub(crate) fn parse_rows(path: &Path, text: &str) -> Result<Vec<(u64, Vec<String>)>> {
    // Python opens the file in text mode: `\r\n` and `\r` become `\n` first.
    let mut text = text.replace("\r\n", "\n").replace('\r', "\n");
    // The csv crate drops a byte-order mark at the very start; Python keeps it (in
    // `utf-8` mode). A leading blank line, which both skip, keeps it in the text.
    let shifted = text.starts_with('\u{feff}');
    if shifted {
        text.insert(0, '\n');
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(b',')
        .quote(b'"')
        .double_quote(true)
        .from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    let (mut scanned, mut line) = (0usize, 1u64);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, ::csv::Position::line);
            Error::csv(path, line, e.to_string())
        })?;
        // The record's position is where the reader resumed, before any blank lines:
        // count lines up to its first byte (one pass over the text in all).
        let mut start = record
            .position()
            .map_or(scanned, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        start = start.clamp(scanned, bytes.len());
        while bytes.get(start) == Some(&b'\n') {
            start += 1;
        }
        line += bytes[scanned..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        scanned = start;
        let fields = record.iter().map(str::to_owned).collect();
        rows.push((line - u64::from(shifted), fields));
    }
    Ok(rows)
}

/// Builds the table of one file as Tornado does: cells stripped, rows of fewer than
/// two cells skipped, an unknown plural indicator logged and its row skipped.
pub(crate) fn table_from_text(path: &Path, text: &str) -> Result<CsvTable> {
    let mut table = CsvTable::default();
    for (line, row) in parse_rows(path, text)? {
        if row.len() < 2 {
            continue;
        }
        let cell = |i: usize| row.get(i).map_or("", |c| c.trim_matches(py_space));
        let (english, translation) = (cell(0), cell(1));
        let kind = match cell(2) {
            "" => "unknown",
            kind => kind,
        };
        let dict = match kind {
            "unknown" => &mut table.unknown,
            "singular" => &mut table.singular,
            "plural" => &mut table.plural,
            other => {
                log::error!(
                    target: LOG_TARGET,
                    "Unrecognized plural indicator {} in {} line {line}",
                    quoted(other),
                    path.display()
                );
                continue;
            }
        };
        dict.insert(english.to_owned(), translation.to_owned());
    }
    Ok(table)
}

/// Tornado's file-name rule: `[a-z]+(_[A-Z]+)?`.
fn valid_code(code: &str) -> bool {
    let (lang, country) = match code.split_once('_') {
        Some((lang, country)) => (lang, Some(country)),
        None => (code, None),
    };
    !lang.is_empty()
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && country.is_none_or(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_uppercase()))
}

/// Loads every `LOCALE.csv` of `dir`.
pub(crate) fn load_dir(
    dir: &Path,
    encoding: Option<Encoding>,
) -> Result<BTreeMap<String, CsvTable>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        names.push(entry.file_name());
    }
    names.sort();
    let mut tables = BTreeMap::new();
    for name in names {
        let full = dir.join(&name);
        let Some(name) = name.to_str() else {
            if name.as_encoded_bytes().ends_with(b".csv") {
                log::error!(target: LOG_TARGET, "Unrecognized locale (path: {})", full.display());
            }
            continue;
        };
        let Some(code) = name.strip_suffix(".csv") else {
            continue;
        };
        if code.contains('.') || !valid_code(code) {
            log::error!(
                target: LOG_TARGET,
                "Unrecognized locale {} (path: {})",
                quoted(code),
                full.display()
            );
            continue;
        }
        let bytes = std::fs::read(&full).map_err(|e| Error::io(&full, e))?;
        let text = decode(&full, &bytes, encoding)?;
        tables.insert(code.to_owned(), table_from_text(&full, &text)?);
    }
    Ok(tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Vec<String>> {
        parse_rows(Path::new("t.csv"), text)
            .unwrap()
            .into_iter()
            .map(|(_, r)| r)
            .collect()
    }

    #[test]
    fn file_names() {
        for good in ["fr", "fr_FR", "pt_BR", "abc_DEF"] {
            assert!(valid_code(good), "{good}");
        }
        for bad in ["", "Fr", "fr_fr", "fr_", "_FR", "fr_FR_X", "fr-FR", "é"] {
            assert!(!valid_code(bad), "{bad}");
        }
    }

    #[test]
    fn encodings_by_name() {
        assert_eq!("UTF-8".parse::<Encoding>().unwrap(), Encoding::Utf8);
        assert_eq!("utf_8_sig".parse::<Encoding>().unwrap(), Encoding::Utf8Sig);
        assert_eq!("utf-16-be".parse::<Encoding>().unwrap(), Encoding::Utf16Be);
        assert_eq!("Latin-1".parse::<Encoding>().unwrap(), Encoding::Latin1);
        assert!("klingon".parse::<Encoding>().unwrap_err().is_encoding());
    }

    #[test]
    fn decoding() {
        let p = Path::new("x.csv");
        assert_eq!(decode(p, b"\xef\xbb\xbfa", None).unwrap(), "a");
        assert_eq!(
            decode(p, b"\xef\xbb\xbfa", Some(Encoding::Utf8)).unwrap(),
            "\u{feff}a"
        );
        assert_eq!(decode(p, b"\xff\xfea\x00", None).unwrap(), "a");
        assert_eq!(decode(p, b"\xfe\xff\x00a", None).unwrap(), "a");
        assert_eq!(decode(p, b"a\x00", Some(Encoding::Utf16)).unwrap(), "a");
        assert_eq!(decode(p, b"\xe9", Some(Encoding::Latin1)).unwrap(), "é");
        let err = decode(p, b"a\nb\n\xffc", None).unwrap_err();
        assert!(err.is_decode());
        assert_eq!(err.line(), Some(3));
        assert!(err.to_string().contains("x.csv line 3"), "{err}");
        let err = decode(p, b"\xff\xfea\x00\n\x00\x00\xd8", None).unwrap_err();
        assert_eq!(err.line(), Some(2));
        assert!(decode(p, b"\xff\xfea", None).unwrap_err().is_decode());
        assert!(decode(p, b"caf\xc3\xa9\x80", Some(Encoding::Ascii)).is_err());
    }

    #[test]
    fn excel_dialect() {
        assert_eq!(
            rows("a,b\n\n\"c,d\",\"e\"\"f\"\r\n"),
            [["a", "b"], ["c,d", "e\"f"]]
        );
        assert_eq!(rows("\"multi\r\nline\",x"), [["multi\nline", "x"]]);
        assert_eq!(rows("a,b,c,d"), [["a", "b", "c", "d"]]);
        assert_eq!(rows("\u{feff}a,b"), [["\u{feff}a", "b"]]);
        let lines = |text: &str| -> Vec<u64> {
            let rows = parse_rows(Path::new("t.csv"), text).unwrap();
            rows.into_iter().map(|(line, _)| line).collect()
        };
        assert_eq!(lines("a\n\n\nb\n\"c\nd\"\ne"), [1, 4, 5, 7]);
        assert_eq!(lines("\u{feff}a\n\nb"), [1, 3]);
        assert_eq!(lines("\r\n\ra\r\nb"), [3, 4]);
    }

    #[test]
    fn tornado_rules() {
        let t = table_from_text(
            Path::new("fr_FR.csv"),
            " school , école \nlone\n\"a\",\"b\",\"plural\"\n\"a\",\"c\",\"singular\"\nx,y,\nq,r,bogus\n",
        )
        .unwrap();
        assert_eq!(t.unknown.get("school").map(String::as_str), Some("école"));
        assert_eq!(t.unknown.get("x").map(String::as_str), Some("y"));
        assert_eq!(t.plural.get("a").map(String::as_str), Some("b"));
        assert_eq!(t.singular.get("a").map(String::as_str), Some("c"));
        assert!(!t.unknown.contains_key("q"));
        assert!(!t.unknown.contains_key("lone"));
        assert!(CsvTable::default().is_empty());
    }

    proptest::proptest! {
        #[test]
        fn decode_and_parse_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let p = Path::new("p.csv");
            for enc in [None, Some(Encoding::Utf16Be), Some(Encoding::Ascii), Some(Encoding::Latin1)] {
                if let Ok(text) = decode(p, &bytes, enc) {
                    let _ = table_from_text(p, &text);
                }
            }
        }
    }
}
