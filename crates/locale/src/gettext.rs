//! GNU gettext `.mo` catalogues, read as Python's `gettext.GNUTranslations` reads them.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::plural::PluralRule;

const LOG_TARGET: &str = "tornado.general";
const LE_MAGIC: u32 = 0x9504_12de;
const BE_MAGIC: u32 = 0xde12_0495;

/// The separator between a `msgctxt` and its `msgid` in a catalogue key.
pub const CONTEXT_SEPARATOR: char = '\x04';

/// One compiled gettext catalogue (a `.mo` file).
///
/// Both byte orders are read. The `Content-Type` header's charset (UTF-8, ASCII or
/// ISO-8859-1; ASCII when there is no header) decodes the messages, and the
/// `Plural-Forms` header's `plural=` expression (see [`PluralRule`]) picks plural
/// forms, `n != 1` without one.
///
/// ```
/// use tornado_locale::Catalog;
///
/// let mo = std::fs::read("tests/data/gettext_translations/fr_FR/LC_MESSAGES/tornado_test.mo")?;
/// let catalog = Catalog::parse(&mo)?;
/// assert_eq!(catalog.gettext("school"), Some("école"));
/// assert_eq!(catalog.ngettext("organization\x04club", 2), Some("les clubs"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Catalog {
    messages: HashMap<String, String>,
    plurals: HashMap<String, Vec<String>>,
    rule: PluralRule,
    charset: Option<String>,
}

fn read_u32(buf: &[u8], at: usize, big_endian: bool) -> Option<u32> {
    let bytes: [u8; 4] = buf.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(if big_endian {
        u32::from_be_bytes(bytes)
    } else {
        u32::from_le_bytes(bytes)
    })
}

/// Python's codec names for the charsets a catalogue may declare.
#[derive(Clone, Copy)]
enum Charset {
    Utf8,
    Ascii,
    Latin1,
}

impl Charset {
    fn from_name(name: &str) -> Option<Charset> {
        let norm: String = name
            .chars()
            .map(|c| match c {
                '-' | ' ' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        Some(match norm.as_str() {
            "utf_8" | "utf8" | "u8" | "utf" => Charset::Utf8,
            "ascii" | "us_ascii" | "646" | "us" => Charset::Ascii,
            "latin_1" | "latin1" | "latin" | "l1" | "iso_8859_1" | "iso8859_1" | "8859"
            | "cp819" | "iso_ir_100" => Charset::Latin1,
            _ => return None,
        })
    }

    fn decode(self, bytes: &[u8]) -> std::result::Result<String, String> {
        match self {
            Charset::Utf8 => String::from_utf8(bytes.to_vec()).map_err(|e| {
                format!(
                    "invalid utf-8 at offset {} of {:?}",
                    e.utf8_error().valid_up_to(),
                    String::from_utf8_lossy(bytes)
                )
            }),
            Charset::Ascii if !bytes.is_ascii() => Err(format!(
                "non-ascii byte in {:?} (no charset declared)",
                String::from_utf8_lossy(bytes)
            )),
            Charset::Ascii | Charset::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        }
    }
}

impl Catalog {
    /// Parses the bytes of a `.mo` file.
    ///
    /// Errors (a bad magic number or major version, a table or string outside the file,
    /// an unknown charset, headers that are not UTF-8, a malformed `Plural-Forms`)
    /// are the cases where Python's `GNUTranslations` raises.
    pub fn parse(buf: &[u8]) -> Result<Catalog> {
        Catalog::parse_bytes(buf).map_err(Error::mo)
    }

    fn parse_bytes(buf: &[u8]) -> std::result::Result<Catalog, String> {
        let magic = read_u32(buf, 0, false).ok_or("file is too short")?;
        let big_endian = match magic {
            LE_MAGIC => false,
            BE_MAGIC => true,
            _ => return Err("bad magic number".to_owned()),
        };
        let word = |at: usize| read_u32(buf, at, big_endian).ok_or("file is too short");
        let version = word(4)?;
        let count = word(8)?;
        let mut originals = word(12)? as usize;
        let mut translations = word(16)? as usize;
        if !matches!(version >> 16, 0 | 1) {
            return Err(format!("bad version number {}", version >> 16));
        }
        let mut catalog = Catalog {
            messages: HashMap::new(),
            plurals: HashMap::new(),
            rule: PluralRule::germanic(),
            charset: None,
        };
        let mut charset = Charset::Ascii;
        // Entries may point at the same bytes; bound what they can make us copy.
        let mut budget = buf.len().saturating_mul(8).saturating_add(1 << 16);
        for _ in 0..count {
            let entry = |at: usize| -> std::result::Result<&[u8], String> {
                let len = read_u32(buf, at, big_endian).ok_or("string table outside the file")?;
                let off =
                    read_u32(buf, at + 4, big_endian).ok_or("string table outside the file")?;
                let end = u64::from(off) + u64::from(len);
                // As Python: the string must end before the last byte (its NUL).
                if end >= buf.len() as u64 {
                    return Err("file is corrupt".to_owned());
                }
                Ok(&buf[off as usize..end as usize])
            };
            let msg = entry(originals)?;
            let tmsg = entry(translations)?;
            budget = budget
                .checked_sub(msg.len() + tmsg.len())
                .ok_or("strings overlap beyond any real catalogue")?;
            if msg.is_empty()
                && let Some(name) = catalog.read_headers(tmsg)?
            {
                charset =
                    Charset::from_name(&name).ok_or_else(|| format!("unknown charset {name:?}"))?;
                catalog.charset = Some(name);
            }
            if let Some(nul) = msg.iter().position(|b| *b == 0) {
                let (id, plural_id) = (&msg[..nul], &msg[nul + 1..]);
                if plural_id.contains(&0) {
                    return Err("a message id with more than one plural".to_owned());
                }
                let id = charset.decode(id)?;
                let forms = tmsg
                    .split(|b| *b == 0)
                    .map(|f| charset.decode(f))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                let slot = catalog.plurals.entry(id).or_default();
                for (i, form) in forms.into_iter().enumerate() {
                    match slot.get_mut(i) {
                        Some(old) => *old = form,
                        None => slot.push(form),
                    }
                }
            } else {
                catalog
                    .messages
                    .insert(charset.decode(msg)?, charset.decode(tmsg)?);
            }
            originals += 8;
            translations += 8;
        }
        Ok(catalog)
    }

    /// Reads the header entry; returns the declared charset, if any.
    fn read_headers(&mut self, header: &[u8]) -> std::result::Result<Option<String>, String> {
        let mut charset = None;
        for raw in header.split(|b| *b == b'\n') {
            let line = std::str::from_utf8(raw).map_err(|_| "headers are not utf-8".to_owned())?;
            let item = line.trim();
            if item.is_empty() || (item.starts_with("#-#-#-#-#") && item.ends_with("#-#-#-#-#")) {
                continue;
            }
            let Some((key, value)) = item.split_once(':') else {
                continue;
            };
            let (key, value) = (key.trim().to_lowercase(), value.trim());
            if key == "content-type" {
                let (_, after) = value
                    .split_once("charset=")
                    .ok_or_else(|| format!("no charset in Content-Type {value:?}"))?;
                let name = after.split("charset=").next().unwrap_or(after);
                charset = Some(name.to_owned());
            } else if key == "plural-forms" {
                let second = value
                    .split(';')
                    .nth(1)
                    .ok_or_else(|| format!("malformed Plural-Forms {value:?}"))?;
                let expr = second
                    .split("plural=")
                    .nth(1)
                    .ok_or_else(|| format!("malformed Plural-Forms {value:?}"))?;
                self.rule = PluralRule::parse(expr).map_err(|e| e.to_string())?;
            }
        }
        Ok(charset)
    }

    /// The catalogue's plural rule.
    pub fn plural_rule(&self) -> &PluralRule {
        &self.rule
    }

    /// The charset its `Content-Type` header declares, if any.
    pub fn charset(&self) -> Option<&str> {
        self.charset.as_deref()
    }

    /// The translation of `message` (or, as Python does, the singular form of a plural
    /// entry with that id); `None` when the catalogue lacks it.
    pub fn gettext(&self, message: &str) -> Option<&str> {
        self.messages
            .get(message)
            .or_else(|| self.form(message, 1))
            .map(String::as_str)
    }

    /// The plural form for `n` of the plural entry whose singular id is `message`;
    /// `None` when the catalogue lacks it (or the rule picks a form it does not have).
    pub fn ngettext(&self, message: &str, n: i64) -> Option<&str> {
        self.form(message, n).map(String::as_str)
    }

    fn form(&self, message: &str, n: i64) -> Option<&String> {
        let forms = self.plurals.get(message)?;
        let index = usize::try_from(self.rule.eval(n)?).ok()?;
        forms.get(index)
    }
}

/// A locale's catalogue and its fallbacks, most specific first (`fr_CA`, then `fr`).
#[derive(Debug, Default)]
pub(crate) struct GettextChain {
    pub(crate) catalogs: Vec<Arc<Catalog>>,
}

impl GettextChain {
    pub(crate) fn gettext<'a>(&'a self, message: &'a str) -> &'a str {
        self.catalogs
            .iter()
            .find_map(|c| c.gettext(message))
            .unwrap_or(message)
    }

    pub(crate) fn ngettext<'a>(&'a self, message: &'a str, plural: &'a str, n: i64) -> &'a str {
        self.catalogs
            .iter()
            .find_map(|c| c.ngettext(message, n))
            .unwrap_or(if n == 1 { message } else { plural })
    }
}

/// Loads `{dir}/{lang}/LC_MESSAGES/{domain}.mo` for every `lang`. A file that fails to
/// load is logged and skipped, as Tornado does.
pub(crate) fn load_dir(dir: &Path, domain: &str) -> Result<BTreeMap<String, GettextChain>> {
    let mut langs = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let Ok(lang) = entry.file_name().into_string() else {
            continue;
        };
        // Like Python's glob `*`: hidden names are not matched.
        if !lang.starts_with('.') && mo_path(dir, &lang, domain).exists() {
            langs.push(lang);
        }
    }
    langs.sort();
    let mut cache: HashMap<String, Option<Arc<Catalog>>> = HashMap::new();
    let mut load = |lang: &str| -> std::result::Result<Option<Arc<Catalog>>, Error> {
        if let Some(hit) = cache.get(lang) {
            return Ok(hit.clone());
        }
        let path = mo_path(dir, lang, domain);
        let loaded = if path.exists() {
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            let catalog = Catalog::parse(&bytes).map_err(|e| e.in_file(&path))?;
            Some(Arc::new(catalog))
        } else {
            None
        };
        cache.insert(lang.to_owned(), loaded.clone());
        Ok(loaded)
    };
    let mut chains = BTreeMap::new();
    for lang in langs {
        let mut chain = GettextChain::default();
        let language = lang.split_once('_').map(|(l, _)| l);
        let result = (|| -> Result<()> {
            let main = load(&lang)?;
            let path = mo_path(dir, &lang, domain);
            chain
                .catalogs
                .push(main.ok_or_else(|| Error::mo("file vanished").in_file(&path))?);
            if let Some(language) = language.filter(|l| !l.is_empty())
                && let Some(fallback) = load(language)?
            {
                chain.catalogs.push(fallback);
            }
            Ok(())
        })();
        match result {
            Ok(()) => {
                chains.insert(lang, chain);
            }
            Err(e) => {
                log::error!(target: LOG_TARGET, "Cannot load translation for '{lang}': {e}");
            }
        }
    }
    Ok(chains)
}

fn mo_path(dir: &Path, lang: &str, domain: &str) -> std::path::PathBuf {
    dir.join(lang)
        .join("LC_MESSAGES")
        .join(format!("{domain}.mo"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a little-endian `.mo` image from (id, translation) pairs.
    pub(crate) fn mo(entries: &[(&[u8], &[u8])]) -> Vec<u8> {
        let n = entries.len() as u32;
        let mut head = Vec::new();
        let mut strings = Vec::new();
        let data_start = 28 + 16 * n;
        let mut ids = Vec::new();
        let mut strs = Vec::new();
        for (id, _) in entries {
            ids.push((id.len() as u32, data_start + strings.len() as u32));
            strings.extend_from_slice(id);
            strings.push(0);
        }
        for (_, tr) in entries {
            strs.push((tr.len() as u32, data_start + strings.len() as u32));
            strings.extend_from_slice(tr);
            strings.push(0);
        }
        for w in [LE_MAGIC, 0, n, 28, 28 + 8 * n, 0, 0] {
            head.extend_from_slice(&w.to_le_bytes());
        }
        for (l, o) in ids.into_iter().chain(strs) {
            head.extend_from_slice(&l.to_le_bytes());
            head.extend_from_slice(&o.to_le_bytes());
        }
        head.extend_from_slice(&strings);
        head
    }

    const HEADER: &[u8] =
        b"Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=3; plural=n==1 ? 0 : n<5 ? 1 : 2;\n";

    #[test]
    fn parses_messages_plurals_and_headers() {
        let buf = mo(&[
            (b"", HEADER),
            (b"cat", b"kot"),
            (b"ctx\x04cat", b"kocur"),
            (b"file\x00files", b"plik\x00pliki\x00plik\xc3\xb3w"),
        ]);
        let c = Catalog::parse(&buf).unwrap();
        assert_eq!(c.charset(), Some("UTF-8"));
        assert_eq!(c.gettext("cat"), Some("kot"));
        assert_eq!(c.gettext("ctx\x04cat"), Some("kocur"));
        assert_eq!(c.gettext("dog"), None);
        assert_eq!(c.gettext("file"), Some("plik"));
        assert_eq!(c.ngettext("file", 1), Some("plik"));
        assert_eq!(c.ngettext("file", 3), Some("pliki"));
        assert_eq!(c.ngettext("file", 7), Some("plików"));
        assert_eq!(c.ngettext("files", 7), None);
        assert!(c.gettext("").is_some_and(|h| h.contains("Plural-Forms")));
    }

    #[test]
    fn no_header_means_ascii_and_germanic() {
        let c = Catalog::parse(&mo(&[(b"a\x00b", b"x\x00y")])).unwrap();
        assert_eq!(c.ngettext("a", 1), Some("x"));
        assert_eq!(c.ngettext("a", 0), Some("y"));
        assert!(Catalog::parse(&mo(&[(b"caf\xc3\xa9", b"x")])).is_err());
        let latin = mo(&[
            (b"", b"Content-Type: text/plain; charset=ISO-8859-1\n"),
            (b"a", b"\xe9"),
        ]);
        assert_eq!(Catalog::parse(&latin).unwrap().gettext("a"), Some("é"));
    }

    #[test]
    fn rejects_corrupt_files() {
        let good = mo(&[(b"a", b"b")]);
        assert!(Catalog::parse(&good).is_ok());
        assert!(Catalog::parse(&good[..3]).is_err());
        assert!(
            Catalog::parse(&good[..good.len() - 1])
                .unwrap_err()
                .to_string()
                .contains("corrupt")
        );
        let mut bad_magic = good.clone();
        bad_magic[0] = 0;
        let err = Catalog::parse(&bad_magic).unwrap_err();
        assert!(err.is_mo() && err.path().is_none());
        assert!(err.to_string().contains("magic"), "{err}");
        let mut bad_version = good.clone();
        bad_version[6] = 2;
        assert!(
            Catalog::parse(&bad_version)
                .unwrap_err()
                .to_string()
                .contains("version")
        );
        let mut huge_count = good.clone();
        huge_count[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Catalog::parse(&huge_count).is_err());
        for header in [
            &b"Content-Type: text/plain\n"[..],
            b"Content-Type: text/plain; charset=klingon\n",
            b"Plural-Forms: nplurals=2\n",
            b"Plural-Forms: nplurals=2; n != 1\n",
            b"Plural-Forms: nplurals=2; plural=n +;\n",
            b"X: \xff\n",
        ] {
            assert!(Catalog::parse(&mo(&[(b"", header)])).is_err(), "{header:?}");
        }
        assert!(Catalog::parse(&mo(&[(b"a\x00b\x00c", b"x")])).is_err());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = Catalog::parse(&bytes);
        }

        #[test]
        fn never_panics_on_mutated_files(at in 0usize..200, byte in proptest::num::u8::ANY) {
            let mut buf = mo(&[(b"", HEADER), (b"cat", b"kot"), (b"file\x00files", b"a\x00b\x00c")]);
            let len = buf.len();
            buf[at % len] = byte;
            if let Ok(c) = Catalog::parse(&buf) {
                let _ = c.ngettext("file", 5);
            }
        }
    }
}
