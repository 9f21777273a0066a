//! Reading a fuzz input as a few control bytes followed by a payload.

/// A cursor over a fuzz input. Reads past the end give zeros and empty slices, so every
/// input, however short, means something.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    /// A cursor at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    /// The next byte (0 past the end).
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// The next `n` bytes (fewer at the end).
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }

    /// Cut points: a count byte (0 to 7 cuts), then one byte per cut, each the distance
    /// (1 to 256) from the previous cut. Cuts are offsets into the payload that follows;
    /// [`pieces`] clamps them to it.
    pub fn cuts(&mut self) -> Vec<usize> {
        let count = self.byte() % 8;
        let mut at = 0;
        (0..count)
            .map(|_| {
                at += usize::from(self.byte()) + 1;
                at
            })
            .collect()
    }

    /// Everything not read yet.
    pub fn rest(self) -> &'a [u8] {
        self.data
    }
}

/// `data` cut at `cuts` (clamped to its length; empty pieces dropped).
pub fn pieces<'d>(data: &'d [u8], cuts: &[usize]) -> Vec<&'d [u8]> {
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for &cut in cuts {
        let cut = cut.clamp(start, data.len());
        if cut > start {
            out.push(&data[start..cut]);
            start = cut;
        }
    }
    if start < data.len() {
        out.push(&data[start..]);
    }
    out
}

/// `data` one byte at a time.
pub fn bytewise(data: &[u8]) -> Vec<&[u8]> {
    data.chunks(1).collect()
}

/// Payloads up to this size are also fed one byte at a time (longer ones would make a
/// fuzz iteration slow without finding more).
pub const BYTEWISE_LIMIT: usize = 4096;
