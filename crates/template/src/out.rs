//! The output buffer of a render: a byte vector kept at its full length, with a write
//! position, so that appending a short piece is one bounds check and a fixed-size copy.

use crate::compile::Short;

/// The replacement `xhtml_escape` makes for each byte (`""` when the byte is kept).
static ESCAPES: [&[u8]; 256] = {
    let mut t: [&[u8]; 256] = [b""; 256];
    t[b'&' as usize] = b"&amp;";
    t[b'<' as usize] = b"&lt;";
    t[b'>' as usize] = b"&gt;";
    t[b'"' as usize] = b"&quot;";
    t[b'\'' as usize] = b"&#x27;";
    t
};

/// Whether any of the eight bytes of `w` is one of `& < > " '` (the "has a zero byte"
/// test, three times: `"`, then `&`/`'` (0x26, 0x27) with bit 0 set, then `<`/`>`
/// (0x3c, 0x3e) with bit 1 set). A zero byte is never special, so short strings may be
/// zero-padded.
#[inline(always)]
fn has_special(w: u64) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(LO) & !x & HI;
    (zero(w ^ (LO * 0x22)) | zero((w | LO) ^ (LO * 0x27)) | zero((w | (LO * 2)) ^ (LO * 0x3e))) != 0
}

/// Whether `s` has a byte that `xhtml_escape` replaces.
#[inline(always)]
pub(crate) fn needs_escape(s: &[u8]) -> bool {
    let n = s.len();
    if n < 8 {
        // Overlapping loads cover every byte; a repeated byte changes nothing.
        let w = if n >= 4 {
            u64::from(u32::from_le_bytes(word(s, 0)))
                | u64::from(u32::from_le_bytes(word(s, n - 4))) << 32
        } else if n > 0 {
            u64::from(s[0]) | u64::from(s[n / 2]) << 8 | u64::from(s[n - 1]) << 16
        } else {
            0
        };
        return has_special(w);
    }
    let mut chunks = s.chunks_exact(8);
    chunks.any(|c| has_special(u64::from_le_bytes(word(c, 0))))
        || has_special(u64::from_le_bytes(word(s, n - 8)))
}

/// Copies `s` (at most 16 bytes) to the start of `dst` (16 bytes) with overlapping
/// fixed-size copies.
#[inline(always)]
fn copy_short(dst: &mut [u8], s: &[u8]) {
    let n = s.len();
    match n {
        0 => {}
        1..=3 => {
            dst[0] = s[0];
            dst[n / 2] = s[n / 2];
            dst[n - 1] = s[n - 1];
        }
        4..=7 => {
            let (head, tail): ([u8; 4], [u8; 4]) = (word(s, 0), word(s, n - 4));
            dst[..4].copy_from_slice(&head);
            dst[n - 4..n].copy_from_slice(&tail);
        }
        _ => {
            let (head, tail): ([u8; 8], [u8; 8]) = (word(s, 0), word(s, n - 8));
            dst[..8].copy_from_slice(&head);
            dst[n - 8..n].copy_from_slice(&tail);
        }
    }
}

/// `N` bytes of `s` from `at` (which the caller keeps in bounds).
#[inline(always)]
fn word<const N: usize>(s: &[u8], at: usize) -> [u8; N] {
    let mut w = [0u8; N];
    w.copy_from_slice(&s[at..at + N]);
    w
}

pub(crate) struct Out {
    buf: Vec<u8>,
    pos: usize,
}

impl Out {
    /// Continues after the bytes already in `buf`.
    pub(crate) fn from_vec(buf: Vec<u8>) -> Out {
        let pos = buf.len();
        Out { buf, pos }
    }

    /// An empty buffer with room for `n` bytes (the first few kilobytes ready).
    pub(crate) fn with_capacity(n: usize) -> Out {
        let mut buf = Vec::with_capacity(n);
        buf.resize(n.min(8192), 0);
        Out { buf, pos: 0 }
    }

    /// The bytes written (and those `from_vec` started with).
    pub(crate) fn into_vec(mut self) -> Vec<u8> {
        self.buf.truncate(self.pos);
        self.buf
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, need: usize) {
        // Zero-fill a few kilobytes ahead of the writes (within the capacity the vector
        // has, which `Template::generate` sizes from the previous render), so the bytes
        // are still in cache when the writes reach them.
        const AHEAD: usize = 8192;
        let want = self.pos + need;
        let cap = self.buf.capacity();
        let size = if want + AHEAD <= cap {
            want + AHEAD
        } else {
            want.max(cap).max(256)
        };
        self.buf.resize(size, 0);
    }

    #[inline(always)]
    fn room(&mut self, n: usize) {
        if self.pos + n > self.buf.len() {
            self.grow(n);
        }
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, b: u8) {
        self.room(1);
        self.buf[self.pos] = b;
        self.pos += 1;
    }

    #[inline(always)]
    pub(crate) fn push2(&mut self, a: u8, b: u8) {
        self.room(2);
        self.buf[self.pos] = a;
        self.buf[self.pos + 1] = b;
        self.pos += 2;
    }

    /// Writes a short text.
    #[inline(always)]
    pub(crate) fn short(&mut self, s: &Short) {
        if s.len > 0 {
            self.write16(&s.bytes, usize::from(s.len));
        }
    }

    /// Writes `prefix`, then `text` when `on`, with one check of the room left.
    #[inline(always)]
    pub(crate) fn short_if(&mut self, prefix: &Short, on: bool, text: &Short) {
        const NEED: usize = 16 + 16;
        self.room(NEED);
        let at = self.pos;
        let Some(dst) = self.buf.get_mut(at..at + NEED) else {
            return;
        };
        let p = usize::from(prefix.len).min(16);
        dst[..16].copy_from_slice(&prefix.bytes);
        dst[p..p + 16].copy_from_slice(&text.bytes);
        self.pos = at + p + if on { usize::from(text.len).min(16) } else { 0 };
    }

    /// Writes `prefix`, `s` (at most 16 bytes: the rest is dropped) and `suffix`, with
    /// one check of the room left.
    #[inline(always)]
    pub(crate) fn short_between(&mut self, prefix: &Short, s: &[u8], suffix: &Short) {
        const NEED: usize = 16 + 16 + 16;
        self.room(NEED);
        let at = self.pos;
        let Some(dst) = self.buf.get_mut(at..at + NEED) else {
            return;
        };
        let p = usize::from(prefix.len).min(16);
        dst[..16].copy_from_slice(&prefix.bytes);
        let n = s.len().min(16);
        copy_short(&mut dst[p..p + 16], &s[..n]);
        let q = p + n;
        dst[q..q + 16].copy_from_slice(&suffix.bytes);
        self.pos = at + q + usize::from(suffix.len).min(16);
    }

    /// Writes `prefix`, `n` (below 100) in decimal, then `suffix`, with one check of
    /// the room left.
    #[inline(always)]
    pub(crate) fn two_digits_between(&mut self, prefix: &Short, n: u8, suffix: &Short) {
        const NEED: usize = 16 + 2 + 16;
        self.room(NEED);
        let at = self.pos;
        let Some(dst) = self.buf.get_mut(at..at + NEED) else {
            return;
        };
        let p = usize::from(prefix.len).min(16);
        dst[..16].copy_from_slice(&prefix.bytes);
        dst[p] = b'0' + n / 10;
        dst[p + 1] = b'0' + n % 10;
        let q = p + 1 + usize::from(n >= 10);
        if n < 10 {
            dst[p] = b'0' + n;
        }
        dst[q..q + 16].copy_from_slice(&suffix.bytes);
        self.pos = at + q + usize::from(suffix.len).min(16);
    }

    /// Writes the first `n` bytes of `padded` (a multiple of 16 bytes long): with one
    /// fixed-size copy when it is at most 64 bytes long.
    #[inline]
    pub(crate) fn write_padded(&mut self, padded: &[u8], n: usize) {
        /// Copies the first `N` bytes of `s` to `d` (both at least `N` long).
        #[inline(always)]
        fn fixed<const N: usize>(d: &mut [u8], s: &[u8]) {
            if let (Some(d), Some(s)) = (d.get_mut(..N), s.get(..N)) {
                d.copy_from_slice(s);
            }
        }
        let m = padded.len();
        if m > 64 {
            self.extend(padded.get(..n).unwrap_or(padded));
            return;
        }
        self.room(m);
        let at = self.pos;
        let Some(dst) = self.buf.get_mut(at..at + m) else {
            return;
        };
        // Fixed-size copies (no call to `memcpy`).
        match m {
            0..=16 => fixed::<16>(dst, padded),
            17..=32 => fixed::<32>(dst, padded),
            33..=48 => fixed::<48>(dst, padded),
            _ => fixed::<64>(dst, padded),
        }
        self.pos = at + n.min(m);
    }

    /// Writes the first `n` bytes of `a` (copying all 4).
    #[inline(always)]
    pub(crate) fn write4(&mut self, a: [u8; 4], n: usize) {
        self.room(4);
        self.buf[self.pos..self.pos + 4].copy_from_slice(&a);
        self.pos += n.min(4);
    }

    /// Writes the first `n` bytes of `a` (copying all 16).
    #[inline(always)]
    pub(crate) fn write16(&mut self, a: &[u8; 16], n: usize) {
        self.room(16);
        self.buf[self.pos..self.pos + 16].copy_from_slice(a);
        self.pos += n.min(16);
    }

    #[inline]
    pub(crate) fn extend(&mut self, s: &[u8]) {
        let n = s.len();
        self.room(n);
        let at = self.pos;
        // Short pieces are copied as two overlapping words, without a call to `memcpy`.
        match n {
            0 => {}
            1..=3 => {
                self.buf[at] = s[0];
                self.buf[at + n / 2] = s[n / 2];
                self.buf[at + n - 1] = s[n - 1];
            }
            4..=7 => {
                let (head, tail): ([u8; 4], [u8; 4]) = (word(s, 0), word(s, n - 4));
                self.buf[at..at + 4].copy_from_slice(&head);
                self.buf[at + n - 4..at + n].copy_from_slice(&tail);
            }
            8..=16 => {
                let (head, tail): ([u8; 8], [u8; 8]) = (word(s, 0), word(s, n - 8));
                self.buf[at..at + 8].copy_from_slice(&head);
                self.buf[at + n - 8..at + n].copy_from_slice(&tail);
            }
            _ => self.buf[at..at + n].copy_from_slice(s),
        }
        self.pos += n;
    }

    /// Writes `s` escaped as Tornado's `xhtml_escape` does (`& < > " '`).
    #[inline]
    pub(crate) fn extend_escaped(&mut self, s: &[u8]) {
        // Most text has nothing to escape: check eight bytes at a time first.
        if needs_escape(s) {
            self.extend_escaped_slow(s);
        } else {
            self.extend(s);
        }
    }

    #[inline(never)]
    fn extend_escaped_slow(&mut self, s: &[u8]) {
        let mut start = 0;
        for (i, &b) in s.iter().enumerate() {
            let rep = ESCAPES[usize::from(b)];
            if !rep.is_empty() {
                self.extend(&s[start..i]);
                self.extend(rep);
                start = i + 1;
            }
        }
        self.extend(&s[start..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_grow_and_escape() {
        let mut o = Out::from_vec(b"ab".to_vec());
        for _ in 0..100 {
            o.write16(b"0123456789abcdef", 3);
        }
        o.push(b'!');
        o.extend_escaped(b"<a href='x'>&\"</a>");
        let v = o.into_vec();
        assert_eq!(v.len(), 2 + 300 + 1 + 49);
        assert!(v.starts_with(b"ab012012"));
        assert!(v.ends_with(b"!&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;&lt;/a&gt;"));
    }

    #[test]
    fn needs_escape_checks_every_byte() {
        // Every length up to 40, every special byte at every position, and every other
        // byte value alone.
        for n in 0..40 {
            let clean = vec![b'a'; n];
            assert!(!needs_escape(&clean), "{n}");
            for i in 0..n {
                for &c in b"&<>\"'" {
                    let mut s = clean.clone();
                    s[i] = c;
                    assert!(needs_escape(&s), "{n} {i} {c}");
                }
            }
        }
        for b in 0..=255u8 {
            let special = b"&<>\"'".contains(&b);
            for n in 1..12 {
                assert_eq!(needs_escape(&vec![b; n]), special, "{b} {n}");
            }
        }
    }
}
