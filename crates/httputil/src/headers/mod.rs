//! [`HTTPHeaders`]: Tornado's case-insensitive, multi-valued, ordered header dictionary.
//!
//! # Storage
//!
//! Every name that is not in the static table of common names (see `names.rs`) and
//! every value live in one `String` owned by the header set; fields and values are
//! spans into it. Building the headers of a request therefore costs one text buffer
//! and two small vectors, whatever the number of headers, and reading a value hands
//! out a `&str` into that buffer with no copy and no re-validation. Values are text
//! (`&str`), as in Tornado: bytes from the wire are ISO-8859-1, so `0xE9` reads as
//! `é`, and [`HTTPHeaders::to_header_map`] / the HTTP/1 writer turn it back into the
//! same byte.
//!
//! `Bytes` slices of the read buffer (hyper's choice) would save copying the values,
//! but would hand out bytes, re-checked as UTF-8 on every `&str` access (this crate
//! forbids `unsafe`), and could not show obs-text as Tornado's text. The copy is a
//! `memcpy` of a few hundred bytes into a buffer reserved once.
//!
//! The whole set lives in one box, so a header set is a pointer wide: it moves with its
//! request through the parser, the connection and the delegates for free. An empty set
//! has no box; a dropped set's box, emptied, goes to a per-thread pool for the next
//! set, so a server that builds and drops a header set per request allocates nothing.
//!
//! The values of one name form a chain through the value vector, so `add` is O(1)
//! and `get_list` walks only that name's values. The combined value of a repeated
//! name (`h["Set-Cookie"]` is `"a=b,c=d"`) is computed when first asked for and cached
//! until the next change of that name (Tornado 6.5.3's fix for CVE-2025-67725): parsing
//! ten thousand lines of one header is linear. Names are found by a linear scan while
//! there are few (a typical request has 10 to 20), and through a hash index of their
//! lower-cased form beyond [`INDEX_THRESHOLD`].

mod convert;
mod names;
mod parse;

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

use crate::abnf;
use crate::error::{Error, Result, py_repr};

pub use convert::latin1_encode;
pub use names::normalize_header;

/// Past this many distinct names, lookups go through a hash index.
const INDEX_THRESHOLD: usize = 24;

/// "No value" in the value chains.
const NONE: u32 = u32::MAX;

/// A range of [`HTTPHeaders::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// A field's normalised name: an entry of the static table or a span of the text.
#[derive(Debug, Clone, Copy)]
enum Name {
    Static(u16),
    Text(Span),
}

/// One distinct header name and its values: the first in the field itself (most names
/// have one value), any others chained through the value vector.
#[derive(Debug, Clone)]
struct Field {
    name: Name,
    /// [`names::fingerprint`] of the name.
    hash: u32,
    /// The first value (meaningless while `count` is 0).
    value: Span,
    /// The second value in [`HTTPHeaders::values`], or [`NONE`].
    rest: u32,
    /// The last value in [`HTTPHeaders::values`], or [`NONE`] when `count <= 1`.
    last: u32,
    count: u32,
}

/// The joined values of the fields (see [`HTTPHeaders::get`]), one slot per field, each
/// filled on demand and emptied when its field changes.
type Joined = Vec<OnceLock<Box<str>>>;

/// The bit of [`HTTPHeaders::bloom`] that a name with this fingerprint sets.
#[inline]
fn bloom_bit(hash: u32) -> u64 {
    1 << (hash >> 26)
}

/// Where a name goes: a field that has it already, a new field with a name from the
/// static table, or a new field with a name of its own.
#[derive(Clone, Copy)]
enum Slot {
    Existing(usize),
    Static(u16),
    New,
}

#[derive(Debug, Clone, Copy)]
struct Value {
    span: Span,
    next: u32,
}

/// How the values of a header block are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// HTTP: RFC 9110 `field-value` over characters that stand for ISO-8859-1 bytes
    /// (a character above U+00FF fails).
    Strict,
    /// A multipart part's headers (Tornado's `_chars_are_bytes=False`): any character
    /// but the C0 controls other than HTAB, and DEL.
    Relaxed,
}

/// Tornado's `HTTPHeaders`: a dictionary of HTTP headers that ignores the case of
/// names, keeps every value of a repeated name, and remembers the order of names.
///
/// Names are stored in Tornado's `Http-Header-Case` ([`normalize_header`]): `etag`
/// comes back as `Etag`. [`get`](Self::get) returns a repeated header's values joined
/// with `,` (no space), [`get_list`](Self::get_list) each of them, and
/// [`get_all`](Self::get_all) every `(name, value)` pair, names in order of first
/// appearance and each name's values in order, as Tornado's `get_all()` does.
///
/// ```
/// use tornado_httputil::HTTPHeaders;
/// # fn main() -> tornado_httputil::Result<()> {
/// let mut h = HTTPHeaders::new();
/// h.set("content-type", "text/html")?;
/// h.add("Set-Cookie", "A=B")?;
/// h.add("Set-Cookie", "C=D")?;
/// assert_eq!(h.keys().collect::<Vec<_>>(), ["Content-Type", "Set-Cookie"]);
/// assert_eq!(h.get("set-cookie"), Some("A=B,C=D"));
/// assert_eq!(h.get_list("SET-COOKIE").collect::<Vec<_>>(), ["A=B", "C=D"]);
/// assert_eq!(h.to_string(), "Content-Type: text/html\nSet-Cookie: A=B\nSet-Cookie: C=D\n");
/// # Ok(()) }
/// ```
///
/// Parsing a header block checks it as Tornado 6.5 does: names must be tokens, values
/// RFC 9110 field values (no control characters, no bare CR), lines end in CRLF or LF,
/// and an obsolete folded line continues the previous value with one space.
///
/// ```
/// use tornado_httputil::HTTPHeaders;
/// let h = HTTPHeaders::parse("Foo: bar\r\n baz\r\nAsdf: qwer\r\n").unwrap();
/// assert_eq!(h.get("foo"), Some("bar baz"));
/// assert!(HTTPHeaders::parse("X-A: a\rX-B: b\r\n").is_err());
/// assert!(HTTPHeaders::parse("Bad Name: x\r\n").is_err());
/// ```
#[derive(Default)]
pub struct HTTPHeaders {
    /// Everything, boxed: a header set moves through several layers with its request,
    /// and a pointer moves for free. `None` until something is added (an empty set
    /// allocates nothing); the box goes back to the thread's pool when the set drops.
    store: Option<Box<Store>>,
}

/// What a header set holds (see [`HTTPHeaders`]; its methods reach these fields
/// through `Deref`).
#[doc(hidden)]
#[derive(Default)]
pub struct Store {
    /// Normalised names (those not in the static table) and values.
    text: String,
    /// Distinct names in order of first appearance.
    fields: Vec<Field>,
    /// The values after the first of each field, chained through `next`.
    values: Vec<Value>,
    /// A bit per field name (see [`bloom_bit`]): a name whose bit is clear is absent,
    /// so adding a new name does not scan the fields.
    bloom: u64,
    /// Hash of the lower-cased name → field index, once there are many fields.
    index: Option<Box<NameIndex>>,
    /// The field that the last `add` went to (for folded continuation lines).
    last_field: Option<u32>,
    /// Values (and their bytes of text) no longer reachable, reclaimed by
    /// `maybe_compact`.
    dead_values: u32,
    /// The values of repeated names joined with `,`: made when first asked for, then
    /// kept as long as the set lives (a slot per field).
    joined: OnceLock<Box<Joined>>,
    /// `text` is no longer exactly the HTTP/1 wire form of the headers. While this is
    /// false (a set built only by adding values of printable ASCII to new names or to
    /// the last name), `text` holds one `Name: value\r\n` line per value in
    /// [`get_all`](Self::get_all) order, and [`write_http1`](Self::write_http1) copies it
    /// whole.
    wire_broken: bool,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("fields", &self.fields.len())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Empties the store, keeping its buffers.
    fn clear(&mut self) {
        self.text.clear();
        self.fields.clear();
        self.values.clear();
        self.bloom = 0;
        self.index = None;
        self.last_field = None;
        self.dead_values = 0;
        self.joined = OnceLock::new();
        self.wire_broken = false;
    }
}

/// The store of every empty header set.
static EMPTY: Store = Store {
    text: String::new(),
    fields: Vec::new(),
    values: Vec::new(),
    bloom: 0,
    index: None,
    last_field: None,
    dead_values: 0,
    joined: OnceLock::new(),
    wire_broken: false,
};

impl std::ops::Deref for HTTPHeaders {
    type Target = Store;

    #[inline]
    fn deref(&self) -> &Store {
        match &self.store {
            Some(store) => store,
            None => &EMPTY,
        }
    }
}

impl std::ops::DerefMut for HTTPHeaders {
    #[inline]
    fn deref_mut(&mut self) -> &mut Store {
        self.store.get_or_insert_with(pool::take)
    }
}

/// A copy in buffers from the thread's pool when it has some: cloning a prepared set
/// (a response's standard headers, say) costs two copies and no allocation.
impl Clone for HTTPHeaders {
    fn clone(&self) -> Self {
        let mut copy = HTTPHeaders::new();
        if self.store.is_none() {
            return copy;
        }
        copy.text.push_str(&self.text);
        copy.fields.extend_from_slice(&self.fields);
        copy.values.clone_from(&self.values);
        copy.bloom = self.bloom;
        copy.index.clone_from(&self.index);
        copy.last_field = self.last_field;
        copy.dead_values = self.dead_values;
        copy.joined = self.joined.clone();
        copy.wire_broken = self.wire_broken;
        copy
    }
}

impl Drop for HTTPHeaders {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            pool::give(store);
        }
    }
}

/// The stores of dropped header sets, kept per thread for the next ones: a server
/// builds and drops a header set per request, and reusing its store (the box and the
/// buffers in it) saves their allocations each time.
mod pool {
    use super::Store;
    use crate::spare::{self, Spares};

    /// No store larger than this is kept.
    const MAX_TEXT: usize = 16 * 1024;
    const MAX_FIELDS: usize = 256;
    const MAX_VALUES: usize = 1024;

    thread_local! {
        /// Boxed: a header set takes its store with the box it lives in, allocating
        /// nothing.
        #[allow(clippy::vec_box)]
        static POOL: Spares<Box<Store>> = const { Spares::new(Vec::new()) };
    }

    /// An empty store: a recycled one if the thread has one.
    pub(super) fn take() -> Box<Store> {
        spare::take(&POOL).unwrap_or_default()
    }

    /// Empties `store` and keeps it for [`take`], unless it grew large.
    pub(super) fn give(mut store: Box<Store>) {
        if store.text.capacity() > MAX_TEXT
            || store.fields.capacity() > MAX_FIELDS
            || store.values.capacity() > MAX_VALUES
        {
            return;
        }
        store.clear();
        spare::keep(&POOL, store);
    }
}

/// The hash index of field names.
#[derive(Clone, Default)]
struct NameIndex {
    hasher: RandomState,
    /// Hash → field index. On the (astronomically rare) collision of two names, the
    /// second is simply not indexed and is found by the linear fallback.
    map: HashMap<u64, usize>,
}

impl NameIndex {
    fn hash(&self, name: &[u8]) -> u64 {
        let mut hasher = self.hasher.build_hasher();
        let mut buf = [0u8; 64];
        for chunk in name.chunks(buf.len()) {
            let lower = &mut buf[..chunk.len()];
            lower.copy_from_slice(chunk);
            lower.make_ascii_lowercase();
            hasher.write(lower);
        }
        hasher.write_usize(name.len());
        hasher.finish()
    }
}

impl HTTPHeaders {
    /// An empty header set.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty header set with room for `fields` names and `text` bytes of names and
    /// values, so that filling it does not reallocate.
    pub fn with_capacity(fields: usize, text: usize) -> Self {
        let mut headers = Self::default();
        headers.take_buffers(fields, text);
        headers
    }

    /// Gives this (empty) header set buffers with room for `fields` values and `text`
    /// bytes: recycled ones from the thread's pool if it has some, else new ones.
    fn take_buffers(&mut self, fields: usize, text: usize) {
        let store = &mut **self;
        store.text.reserve(text);
        store.fields.reserve(fields);
    }

    /// The number of distinct names (Python's `len(h)`).
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when there is no header.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// True when a header of this name is present (Python's `name in h`).
    pub fn contains(&self, name: &str) -> bool {
        self.find(name.as_bytes()).is_some()
    }

    /// The value of `name`, or `None`. A repeated header's values are joined with `,`
    /// (no space), as Tornado's `h[name]`; the joined text is computed on the first call
    /// and kept until the header changes.
    pub fn get(&self, name: &str) -> Option<&str> {
        let i = self.find(name.as_bytes())?;
        Some(self.field_value(i))
    }

    /// Every value of `name`, in order (empty when absent): Tornado's `get_list`.
    pub fn get_list(&self, name: &str) -> GetList<'_> {
        match self.find(name.as_bytes()).and_then(|i| self.fields.get(i)) {
            Some(field) => GetList {
                headers: self,
                first: (field.count > 0).then_some(field.value),
                next: field.rest,
                left: field.count as usize,
            },
            None => GetList {
                headers: self,
                first: None,
                next: NONE,
                left: 0,
            },
        }
    }

    /// Every `(name, value)` pair: names in order of first appearance, the values of
    /// each name in order. Tornado's `get_all()`, the order the HTTP/1 code writes.
    pub fn get_all(&self) -> GetAll<'_> {
        GetAll {
            headers: self,
            field: 0,
            first: true,
            next: self.fields.first().map_or(NONE, |f| f.rest),
        }
    }

    /// The distinct names, in order of first appearance (Python's `h.keys()`).
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.fields.iter().map(|f| self.field_name(f))
    }

    /// `(name, value)` for each distinct name, values joined as [`get`](Self::get)
    /// joins them (Python's `h.items()`).
    pub fn items(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.fields
            .iter()
            .enumerate()
            .map(|(i, f)| (self.field_name(f), self.field_value(i)))
    }

    /// Adds a value for `name`, keeping any earlier ones: Tornado's `add`.
    ///
    /// Fails with an `HTTPInputError` when `name` is not a token or `value` is not an
    /// RFC 9110 field value (see [`crate::is_valid_header_value`]).
    pub fn add(&mut self, name: &str, value: &str) -> Result<()> {
        self.add_text(name, value, Mode::Strict)
    }

    /// Sets `name` to the single value `value`, replacing any earlier values but
    /// keeping the name's place: Tornado's `h[name] = value`.
    ///
    /// Tornado checks nothing here; this checks that `name` is a token and that
    /// `value` has no control character other than HTAB (no CR, LF, NUL or DEL), so a
    /// header set can never hold a value that would split a header line. Leading and
    /// trailing spaces are allowed, as Tornado's `set_header` allows them.
    pub fn set(&mut self, name: &str, value: &str) -> Result<()> {
        check_name(name)?;
        if abnf::has_forbidden_relaxed(value.as_bytes()) {
            return Err(Error::input(format!(
                "Invalid header value {}",
                py_repr(value)
            )));
        }
        let hash = names::fingerprint(name.as_bytes());
        match self.locate(name.as_bytes(), hash) {
            Slot::Existing(i) => {
                let span = self.push_text(value)?;
                self.replace_values(i, span)
            }
            slot => {
                let printable = abnf::all_printable(value.as_bytes());
                self.append(slot, name, hash, value, printable).map(drop)
            }
        }
    }

    /// Removes every value of `name`; returns whether it was present (Python's
    /// `del h[name]`, without the `KeyError`).
    pub fn remove(&mut self, name: &str) -> bool {
        let Some(i) = self.find(name.as_bytes()) else {
            return false;
        };
        let field = self.fields.remove(i);
        if let Some(table) = self.joined.get_mut()
            && i < table.len()
        {
            table.remove(i);
        }
        self.wire_broken = true;
        self.dead_values = self.dead_values.saturating_add(field.count);
        self.bloom = self.fields.iter().fold(0, |b, f| b | bloom_bit(f.hash));
        self.last_field = match self.last_field {
            Some(last) if last as usize == i => None,
            Some(last) if last as usize > i => Some(last - 1),
            other => other,
        };
        if self.index.is_some() {
            self.rebuild_index();
        }
        self.maybe_compact();
        true
    }

    /// Returns the value of `name`, first setting it to `default` when absent:
    /// Python's `setdefault`.
    pub fn setdefault(&mut self, name: &str, default: &str) -> Result<&str> {
        if !self.contains(name) {
            self.set(name, default)?;
        }
        self.get(name)
            .ok_or_else(|| Error::input(format!("Invalid header name {}", py_repr(name))))
    }

    /// Removes every header.
    pub fn clear(&mut self) {
        // An empty set has no store to empty (and should not take one to do it).
        if let Some(store) = &mut self.store {
            store.clear();
        }
    }

    /// [`set`](Self::set)s each pair in turn: Python's `h.update(pairs)` (a later pair
    /// replaces an earlier one of the same name).
    pub fn update<I, K, V>(&mut self, pairs: I) -> Result<()>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        pairs
            .into_iter()
            .try_for_each(|(k, v)| self.set(k.as_ref(), v.as_ref()))
    }

    /// [`add`](Self::add)s each pair in turn (every value is kept).
    pub fn extend<I, K, V>(&mut self, pairs: I) -> Result<()>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        pairs
            .into_iter()
            .try_for_each(|(k, v)| self.add(k.as_ref(), v.as_ref()))
    }

    // ----- internals -----

    fn span_str(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    fn field_name<'a>(&'a self, field: &Field) -> &'a str {
        match field.name {
            Name::Static(id) => names::static_name(id),
            Name::Text(span) => self.span_str(span),
        }
    }

    fn value_at(&self, i: u32) -> Option<&Value> {
        self.values.get(i as usize)
    }

    /// The value of field `i`, a repeated header's values joined with `,`.
    fn field_value(&self, i: usize) -> &str {
        let Some(field) = self.fields.get(i) else {
            return "";
        };
        if field.count <= 1 {
            return self.span_str(field.value);
        }
        let table = self.joined.get_or_init(|| {
            Box::new(
                std::iter::repeat_with(OnceLock::new)
                    .take(self.fields.len())
                    .collect(),
            )
        });
        let Some(slot) = table.get(i) else {
            return "";
        };
        slot.get_or_init(|| {
            let mut out = String::from(self.span_str(field.value));
            let mut next = field.rest;
            while let Some(v) = self.value_at(next) {
                out.push(',');
                out.push_str(self.span_str(v.span));
                next = v.next;
            }
            out.into_boxed_str()
        })
    }

    /// Forgets the joined value of field `i`, whose values changed.
    fn unjoin(&mut self, i: usize) {
        if let Some(slot) = self.joined.get_mut().and_then(|t| t.get_mut(i)) {
            slot.take();
        }
    }

    /// The index of the field called `name` (any case).
    #[inline]
    fn find(&self, name: &[u8]) -> Option<usize> {
        self.find_hashed(name, names::fingerprint(name))
    }

    /// [`find`](Self::find) for a name whose fingerprint is known.
    #[inline]
    fn find_hashed(&self, name: &[u8], hash: u32) -> Option<usize> {
        if self.bloom & bloom_bit(hash) == 0 {
            return None;
        }
        self.find_slow(name, hash)
    }

    #[inline]
    fn find_slow(&self, name: &[u8], hash: u32) -> Option<usize> {
        if let Some(index) = &self.index {
            if let Some(&i) = index.map.get(&index.hash(name)) {
                if self.name_matches(i, name) {
                    return Some(i);
                }
            } else {
                return None;
            }
        }
        self.fields
            .iter()
            .position(|f| f.hash == hash && self.field_is(f, name))
    }

    /// The field is called `name` (any case).
    #[inline]
    fn field_is(&self, field: &Field, name: &[u8]) -> bool {
        match field.name {
            Name::Static(id) => names::is_static(id, name),
            Name::Text(span) => names::eq_name(self.span_str(span).as_bytes(), name),
        }
    }

    fn name_matches(&self, i: usize, name: &[u8]) -> bool {
        self.fields.get(i).is_some_and(|f| self.field_is(f, name))
    }

    /// Where `name` (a token, or not: a name that is not a token is `New`) goes.
    #[inline]
    fn locate(&self, name: &[u8], hash: u32) -> Slot {
        if let Some(i) = self.find_hashed(name, hash) {
            return Slot::Existing(i);
        }
        match names::lookup_static(name, hash) {
            Some(id) => Slot::Static(id),
            None => Slot::New,
        }
    }

    /// Appends `s` to the text buffer.
    fn push_text(&mut self, s: &str) -> Result<Span> {
        self.reserve_first();
        self.wire_broken = true;
        let start = self.text.len();
        self.text.push_str(s);
        self.span_to(start)
    }

    /// The span from `start` to the current end of the text buffer.
    fn span_to(&self, start: usize) -> Result<Span> {
        match (u32::try_from(start), u32::try_from(self.text.len())) {
            (Ok(start), Ok(end)) if end < NONE => Ok(Span { start, end }),
            _ => Err(Error::input("HTTP headers too large")),
        }
    }

    /// Creates the field for `name` (a token not yet present); returns its index.
    fn new_field(&mut self, name: &[u8]) -> Result<usize> {
        let hash = names::fingerprint(name);
        let slot = match names::lookup_static(name, hash) {
            Some(id) => Slot::Static(id),
            None => Slot::New,
        };
        self.field_for(slot, name, hash)
    }

    /// The field that `slot` (from [`locate`](Self::locate)) says `name` goes to,
    /// created if needed. For a `New` slot, `name` must be a checked token.
    #[inline]
    fn field_for(&mut self, slot: Slot, name: &[u8], hash: u32) -> Result<usize> {
        let name = match slot {
            Slot::Existing(i) => return Ok(i),
            Slot::Static(id) => Name::Static(id),
            Slot::New => {
                self.reserve_first();
                self.wire_broken = true;
                let start = self.text.len();
                let name = std::str::from_utf8(name).unwrap_or_default();
                names::push_normalized(name, &mut self.text);
                Name::Text(self.span_to(start)?)
            }
        };
        Ok(self.push_field(name, hash))
    }

    /// Gives a header set that has no buffers room for a typical set at once, rather
    /// than growing its buffers one reallocation at a time.
    #[inline]
    fn reserve_first(&mut self) {
        if self.fields.capacity() == 0 {
            self.take_buffers(8, 128);
        }
    }

    /// Appends a field without values; returns its index.
    fn push_field(&mut self, name: Name, hash: u32) -> usize {
        self.push_field_with(name, hash, Span { start: 0, end: 0 }, 0)
    }

    /// Appends a field with `count` (0 or 1) values, the first at `value`.
    #[inline(always)]
    fn push_field_with(&mut self, name: Name, hash: u32, value: Span, count: u32) -> usize {
        self.reserve_first();
        let i = self.fields.len();
        self.fields.push(Field {
            name,
            hash,
            value,
            rest: NONE,
            last: NONE,
            count,
        });
        if let Some(table) = self.joined.get_mut() {
            table.push(OnceLock::new());
        }
        self.bloom |= bloom_bit(hash);
        if self.index.is_some() || i >= INDEX_THRESHOLD {
            self.index_field(i);
        }
        i
    }

    /// Adds field `i` to the hash index, making the index if there is none yet.
    #[cold]
    #[inline(never)]
    fn index_field(&mut self, i: usize) {
        if let Some(index) = &self.index {
            let hash = index.hash(self.fields_name_bytes(i));
            if let Some(index) = &mut self.index {
                index.map.entry(hash).or_insert(i);
            }
        } else if self.fields.len() > INDEX_THRESHOLD {
            self.rebuild_index();
        }
    }

    fn fields_name_bytes(&self, i: usize) -> &[u8] {
        self.fields
            .get(i)
            .map_or(&[][..], |f| self.field_name(f).as_bytes())
    }

    fn rebuild_index(&mut self) {
        let mut index = self.index.take().unwrap_or_default();
        index.map.clear();
        for i in 0..self.fields.len() {
            let hash = index.hash(self.fields_name_bytes(i));
            index.map.entry(hash).or_insert(i);
        }
        self.index = Some(index);
    }

    /// Appends a value to field `i`.
    #[inline]
    fn push_value(&mut self, i: usize, span: Span) -> Result<()> {
        let Some(field) = self.fields.get_mut(i) else {
            return Ok(());
        };
        if field.count == 0 {
            field.value = span;
            field.rest = NONE;
            field.last = NONE;
            field.count = 1;
            return Ok(());
        }
        self.push_more(i, span)
    }

    /// Appends a second or later value to field `i`.
    fn push_more(&mut self, i: usize, span: Span) -> Result<()> {
        let vi = u32::try_from(self.values.len())
            .ok()
            .filter(|&vi| vi < NONE)
            .ok_or_else(|| Error::input("HTTP headers too large"))?;
        self.values.push(Value { span, next: NONE });
        let last = match self.fields.get_mut(i) {
            Some(field) => {
                let last = field.last;
                if last == NONE {
                    field.rest = vi;
                }
                field.last = vi;
                field.count += 1;
                last
            }
            None => return Ok(()),
        };
        if let Some(prev) = self.values.get_mut(last as usize) {
            prev.next = vi;
        }
        // A joined value may have been kept for the earlier values.
        self.unjoin(i);
        Ok(())
    }

    /// Makes `span` the only value of field `i`.
    fn replace_values(&mut self, i: usize, span: Span) -> Result<()> {
        let store = &mut **self;
        store.wire_broken = true;
        if let Some(field) = store.fields.get_mut(i) {
            store.dead_values = store.dead_values.saturating_add(field.count);
            field.value = span;
            field.rest = NONE;
            field.last = NONE;
            field.count = 1;
        }
        self.unjoin(i);
        self.maybe_compact();
        Ok(())
    }

    /// The shared path of `add`, `parse_line` and the parsers: checks `name` and
    /// `value` as `mode` says, then appends the value.
    pub(crate) fn add_text(&mut self, name: &str, value: &str, mode: Mode) -> Result<()> {
        let hash = names::fingerprint(name.as_bytes());
        let slot = self.locate(name.as_bytes(), hash);
        // A name already present or in the static table is a token.
        if let Slot::New = slot {
            check_name(name)?;
        }
        let bytes = value.as_bytes();
        let printable = abnf::all_printable(bytes);
        let valid = match mode {
            Mode::Strict if printable => abnf::field_value_from(bytes, bytes.len()),
            Mode::Strict => abnf::field_value_utf8(bytes),
            Mode::Relaxed => printable || !abnf::has_forbidden_relaxed(bytes),
        };
        if !valid {
            return Err(Error::input(format!(
                "Invalid header value {}",
                py_repr(value)
            )));
        }
        let field = self.append(slot, name, hash, value, printable)?;
        self.last_field = u32::try_from(field).ok();
        Ok(())
    }

    /// Appends a checked `value` to the header `name` (a checked token), found at
    /// `slot`; returns the field's index. Keeps the text in wire form when it can.
    #[inline]
    fn append(
        &mut self,
        slot: Slot,
        name: &str,
        hash: u32,
        value: &str,
        printable: bool,
    ) -> Result<usize> {
        let at_end = match slot {
            Slot::Existing(i) => i + 1 == self.fields.len(),
            Slot::Static(_) | Slot::New => true,
        };
        if self.wire_broken || !printable || !at_end {
            let span = self.push_text(value)?;
            let field = self.field_for(slot, name.as_bytes(), hash)?;
            self.push_value(field, span)?;
            return Ok(field);
        }
        // `Name: value\r\n`, the value's span within it.
        self.reserve_first();
        if let Slot::Static(id) = slot {
            // The common case, in a straight line.
            let known = names::static_name(id);
            let start = self.text.len();
            self.text.reserve(known.len() + value.len() + 4);
            self.text.push_str(known);
            self.text.push_str(": ");
            self.text.push_str(value);
            self.text.push_str("\r\n");
            let end = self.text.len();
            if end >= NONE as usize {
                return Err(Error::input("HTTP headers too large"));
            }
            // Every offset fits in u32 now.
            let span = Span {
                start: (start + known.len() + 2) as u32,
                end: (end - 2) as u32,
            };
            return Ok(self.push_field_with(Name::Static(id), hash, span, 1));
        }
        let existing_name = match slot {
            Slot::Existing(i) => self.fields.get(i).map(|f| f.name),
            Slot::Static(_) | Slot::New => None,
        };
        let name_len = match (slot, existing_name) {
            (Slot::Static(id), _) | (_, Some(Name::Static(id))) => names::static_name(id).len(),
            (_, Some(Name::Text(span))) => (span.end - span.start) as usize,
            _ => name.len(),
        };
        self.text.reserve(name_len + value.len() + 4);
        let name_start = self.text.len();
        match (slot, existing_name) {
            (Slot::Static(id), _) | (_, Some(Name::Static(id))) => {
                self.text.push_str(names::static_name(id));
            }
            (_, Some(Name::Text(span))) => {
                self.text
                    .extend_from_within(span.start as usize..span.end as usize);
            }
            _ => names::push_normalized(name, &mut self.text),
        }
        let name_end = self.text.len();
        self.text.push_str(": ");
        self.text.push_str(value);
        let value_end = self.text.len();
        self.text.push_str("\r\n");
        if self.text.len() >= NONE as usize {
            return Err(Error::input("HTTP headers too large"));
        }
        // Every offset fits in u32 now.
        let name_span = Span {
            start: name_start as u32,
            end: name_end as u32,
        };
        let value_span = Span {
            start: (name_end + 2) as u32,
            end: value_end as u32,
        };
        let field = match slot {
            Slot::Existing(i) => i,
            Slot::Static(id) => self.push_field(Name::Static(id), hash),
            Slot::New => self.push_field(Name::Text(name_span), hash),
        };
        self.push_value(field, value_span)?;
        Ok(field)
    }

    /// Appends the value at `value` of the text buffer (a checked field value) to the
    /// header called `name`, which is at `name_span` of the buffer and is re-cased
    /// there if needed. For parsers that copied their input into the buffer. Does
    /// nothing and returns false if `name` is not a token.
    #[inline]
    pub(crate) fn push_in_place(
        &mut self,
        name: &str,
        name_span: Span,
        value: Span,
    ) -> Result<bool> {
        let hash = names::fingerprint(name.as_bytes());
        let field = match self.locate(name.as_bytes(), hash) {
            Slot::Existing(i) => i,
            Slot::Static(id) => self.push_field(Name::Static(id), hash),
            Slot::New => {
                if !abnf::is_token(name.as_bytes()) {
                    return Ok(false);
                }
                if !names::is_normalized(name.as_bytes())
                    && let Some(text) = self
                        .text
                        .get_mut(name_span.start as usize..name_span.end as usize)
                {
                    names::normalize_in_place(text);
                }
                self.push_field(Name::Text(name_span), hash)
            }
        };
        self.last_field = u32::try_from(field).ok();
        self.push_value(field, value)?;
        Ok(true)
    }

    /// Appends `" " + part` to the last value of the field the last `add` went to
    /// (an obs-fold continuation line; `part` is already checked).
    pub(crate) fn continue_last(&mut self, part: &str) -> Result<()> {
        let no_field = || Error::input("first header line cannot start with whitespace");
        self.wire_broken = true;
        let field = self
            .last_field
            .and_then(|i| self.fields.get(i as usize))
            .ok_or_else(no_field)?;
        let (last, value) = if field.last == NONE {
            (NONE, field.value)
        } else {
            let last = field.last;
            (
                last,
                self.values.get(last as usize).ok_or_else(no_field)?.span,
            )
        };
        let start = if value.end as usize == self.text.len() {
            value.start as usize
        } else {
            // The value is not at the end of the buffer: move it there.
            let start = self.text.len();
            self.text
                .extend_from_within(value.start as usize..value.end as usize);
            start
        };
        self.text.push(' ');
        self.text.push_str(part);
        let span = self.span_to(start)?;
        if last == NONE {
            if let Some(f) = self
                .last_field
                .and_then(|i| self.fields.get_mut(i as usize))
            {
                f.value = span;
            }
        } else if let Some(v) = self.values.get_mut(last as usize) {
            v.span = span;
        }
        if let Some(i) = self.last_field {
            self.unjoin(i as usize);
        }
        Ok(())
    }

    /// Rebuilds the buffers when more than half of the values are dead.
    fn maybe_compact(&mut self) {
        let dead = self.dead_values as usize;
        if dead < 32 || 2 * dead < self.values.len() + self.fields.len() {
            return;
        }
        let mut fresh = HTTPHeaders::with_capacity(self.values.len(), self.text.len() / 2);
        for (name, value) in self.get_all() {
            // Names and values were checked when they came in.
            let field = match fresh.find(name.as_bytes()) {
                Some(i) => i,
                None => match fresh.new_field(name.as_bytes()) {
                    Ok(i) => i,
                    Err(_) => return,
                },
            };
            let pushed = fresh
                .push_text(value)
                .and_then(|span| fresh.push_value(field, span));
            if pushed.is_err() {
                return;
            }
        }
        fresh.last_field = self.last_field;
        *self = fresh;
    }
}

/// Checks that `name` is a token (Tornado's "Invalid header name %r").
fn check_name(name: &str) -> Result<()> {
    if abnf::is_token(name.as_bytes()) {
        Ok(())
    } else {
        Err(Error::input(format!(
            "Invalid header name {}",
            py_repr(name)
        )))
    }
}

/// The values of one name: see [`HTTPHeaders::get_list`].
#[derive(Debug, Clone)]
pub struct GetList<'a> {
    headers: &'a HTTPHeaders,
    first: Option<Span>,
    next: u32,
    left: usize,
}

impl<'a> Iterator for GetList<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let span = match self.first.take() {
            Some(span) => span,
            None => {
                let v = self.headers.value_at(self.next)?;
                self.next = v.next;
                v.span
            }
        };
        self.left = self.left.saturating_sub(1);
        Some(self.headers.span_str(span))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for GetList<'_> {}

/// Every `(name, value)` pair: see [`HTTPHeaders::get_all`].
#[derive(Debug, Clone)]
pub struct GetAll<'a> {
    headers: &'a HTTPHeaders,
    field: usize,
    /// The current field's first value is next.
    first: bool,
    next: u32,
}

impl<'a> Iterator for GetAll<'a> {
    type Item = (&'a str, &'a str);

    #[inline]
    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        loop {
            let field = self.headers.fields.get(self.field)?;
            let span = if self.first {
                self.first = false;
                (field.count > 0).then_some(field.value)
            } else {
                self.headers.value_at(self.next).map(|v| {
                    self.next = v.next;
                    v.span
                })
            };
            if let Some(span) = span {
                return Some((self.headers.field_name(field), self.headers.span_str(span)));
            }
            self.field += 1;
            self.first = true;
            self.next = self.headers.fields.get(self.field).map_or(NONE, |f| f.rest);
        }
    }
}

impl fmt::Debug for HTTPHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.get_all()).finish()
    }
}

/// Tornado's `str(headers)`: one `Name: value\n` line per value, in
/// [`get_all`](HTTPHeaders::get_all) order. [`HTTPHeaders::parse`] reads it back.
impl fmt::Display for HTTPHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, value) in self.get_all() {
            writeln!(f, "{name}: {value}")?;
        }
        Ok(())
    }
}

/// Equal when both have the same names with the same (joined) values, in any order of
/// names: Python's `Mapping.__eq__`, which compares `dict(h.items())`.
impl PartialEq for HTTPHeaders {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .items()
                .all(|(name, value)| other.get(name) == Some(value))
    }
}

impl Eq for HTTPHeaders {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_are_equal_and_independent() {
        let mut many = HTTPHeaders::new();
        for i in 0..40 {
            many.add(&format!("X-Name-{i}"), "v").unwrap();
        }
        let mixed = HTTPHeaders::parse("Host: a\r\nSet-Cookie: 1\r\nSet-Cookie: 2\r\n").unwrap();
        let _ = mixed.get("Set-Cookie"); // a joined value made before the copy
        for original in [HTTPHeaders::new(), many, mixed] {
            let mut copy = original.clone();
            assert!(copy == original);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            original.write_http1(&mut a, &[]).unwrap();
            copy.write_http1(&mut b, &[]).unwrap();
            assert_eq!(a, b);
            assert_eq!(copy.get("Set-Cookie"), original.get("Set-Cookie"));
            copy.add("Set-Cookie", "3").unwrap();
            assert_ne!(copy.get("Set-Cookie"), original.get("Set-Cookie"));
            assert_eq!(copy.get("X-Name-39"), original.get("X-Name-39"));
        }
    }

    #[test]
    fn parsed_names_are_recased_where_they_are() {
        let h = HTTPHeaders::parse("x-my-HEADER: a\r\nX-Other: b\r\nhost: c\r\n").unwrap();
        assert_eq!(
            h.get_all().collect::<Vec<_>>(),
            [("X-My-Header", "a"), ("X-Other", "b"), ("Host", "c")]
        );
        assert_eq!(h.get("X-MY-header"), Some("a"));
    }

    #[test]
    fn replaced_values_are_reclaimed() {
        let mut h = HTTPHeaders::new();
        h.add("A", "first").unwrap();
        for i in 0..10_000 {
            h.set("B", &i.to_string()).unwrap();
            h.add("A", "x").unwrap();
            h.set("A", "y").unwrap();
        }
        assert_eq!(h.get_all().collect::<Vec<_>>(), [("A", "y"), ("B", "9999")]);
        assert!(h.text.len() < 1024, "{}", h.text.len());
    }

    #[test]
    fn first_value_inline_then_chained() {
        let mut h = HTTPHeaders::parse("A: 1\r\nB: 2\r\nA: 3\r\n").unwrap();
        h.parse_line(" more").unwrap();
        assert_eq!(h.get_list("a").collect::<Vec<_>>(), ["1", "3 more"]);
        assert_eq!(h.get("a"), Some("1,3 more"));
        h.add("A", "4").unwrap();
        assert_eq!(h.get("a"), Some("1,3 more,4"));
        assert!(h.remove("A"));
        assert_eq!(h.get("a"), None);
        assert_eq!(h.get_list("a").len(), 0);
        h.add("a", "5").unwrap();
        assert_eq!(h.get_all().collect::<Vec<_>>(), [("B", "2"), ("A", "5")]);
    }
}
