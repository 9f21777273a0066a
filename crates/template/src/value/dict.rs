//! [`Dict`]: Python's insertion-ordered `dict`, keyed with Python's equality.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU32, Ordering};

use indexmap::{Equivalent, IndexMap};

use super::Value;
use crate::error::{Error, Result};

/// A Python `dict`: insertion-ordered, keyed by hashable values (`str`, `int`, `float`,
/// `bool`, `None`, `bytes`, tuples of those).
#[derive(Clone, Default)]
pub struct Dict {
    map: IndexMap<Key, Value, std::hash::RandomState>,
}

/// A hashable dict key with Python's equality (`1 == 1.0 == True`).
#[derive(Clone)]
pub(crate) struct Key(pub(crate) Value);

const SMALL: usize = 8;

impl Dict {
    /// An empty dict.
    pub fn new() -> Dict {
        Dict::default()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the dict is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// `d[key] = value`; a `TypeError` for unhashable keys.
    pub fn insert(&mut self, key: Value, value: Value) -> Result<()> {
        check_hashable(&key)?;
        self.map.insert(Key(key), value);
        Ok(())
    }

    /// Sets a string key.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        self.map.insert(Key(Value::from(key)), value.into());
    }

    /// `d.get(key)`; a `TypeError` for unhashable keys.
    pub fn get(&self, key: &Value) -> Result<Option<&Value>> {
        if let Value::Str(s) = key {
            return Ok(self.get_str(s));
        }
        check_hashable(key)?;
        Ok(self.map.get(&Key(key.clone())))
    }

    /// Looks a string key up without hashing when the dict is small.
    pub fn get_str(&self, key: &str) -> Option<&Value> {
        if self.map.len() <= SMALL {
            for (k, v) in &self.map {
                if let Value::Str(s) = &k.0
                    && super::short_eq(s.as_bytes(), key.as_bytes())
                {
                    return Some(v);
                }
            }
            None
        } else {
            self.map.get(&StrKey(key))
        }
    }

    /// [`get_str`](Dict::get_str) that first tries the position `hint` remembers (where
    /// the key was in the dict of an earlier lookup from the same place), and updates it.
    #[inline]
    pub(crate) fn get_str_hinted(&self, key: &str, hint: &Hint) -> Option<&Value> {
        let h = hint.get();
        if let Some((Key(Value::Str(k)), v)) = self.map.get_index(h)
            && super::short_eq(k.as_bytes(), key.as_bytes())
        {
            return Some(v);
        }
        self.get_str_cold(key, hint)
    }

    #[inline(never)]
    fn get_str_cold(&self, key: &str, hint: &Hint) -> Option<&Value> {
        let i = if self.map.len() <= SMALL {
            self.map.keys().position(
                |k| matches!(&k.0, Value::Str(s) if super::short_eq(s.as_bytes(), key.as_bytes())),
            )?
        } else {
            self.map.get_index_of(&StrKey(key))?
        };
        hint.set(i);
        self.map.get_index(i).map(|(_, v)| v)
    }

    /// Removes `key`, keeping the order of the others.
    pub fn remove(&mut self, key: &Value) -> Result<Option<Value>> {
        check_hashable(key)?;
        Ok(self.map.shift_remove(&Key(key.clone())))
    }

    /// The entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&Value, &Value)> {
        self.map.iter().map(|(k, v)| (&k.0, v))
    }

    /// The keys in insertion order.
    pub fn keys(&self) -> impl Iterator<Item = &Value> {
        self.map.keys().map(|k| &k.0)
    }

    /// The values in insertion order.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.map.values()
    }

    pub(crate) fn clear(&mut self) {
        self.map.clear();
    }

    pub(crate) fn pop_last(&mut self) -> Option<(Value, Value)> {
        self.map.pop().map(|(k, v)| (k.0, v))
    }
}

impl fmt::Debug for Dict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

fn check_hashable(key: &Value) -> Result<()> {
    match key {
        Value::List(_) | Value::Dict(_) => Err(Error::type_error(format!(
            "unhashable type: '{}'",
            key.type_name()
        ))),
        Value::Tuple(items) => items.iter().try_for_each(check_hashable),
        _ => Ok(()),
    }
}

/// A remembered position (of a key in a dict, of a name in a namespace), shared by the
/// threads that render one compiled template: a guess that is checked before use.
#[derive(Debug, Default)]
pub(crate) struct Hint(AtomicU32);

impl Hint {
    #[inline(always)]
    pub(crate) fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed) as usize
    }

    #[inline(always)]
    pub(crate) fn set(&self, i: usize) {
        self.0
            .store(u32::try_from(i).unwrap_or(u32::MAX), Ordering::Relaxed);
    }
}

impl Clone for Hint {
    fn clone(&self) -> Hint {
        Hint(AtomicU32::new(self.0.load(Ordering::Relaxed)))
    }
}

struct StrKey<'a>(&'a str);

impl Hash for StrKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.0.as_bytes());
        state.write_u8(0xff);
    }
}

impl Equivalent<Key> for StrKey<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        matches!(&key.0, Value::Str(s) if **s == *self.0)
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_value(&self.0, state);
    }
}

fn hash_value<H: Hasher>(v: &Value, state: &mut H) {
    match v {
        Value::Str(s) => StrKey(s).hash(state),
        Value::Int(i) => state.write_i64(*i),
        Value::Bool(b) => state.write_i64(i64::from(*b)),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.2e18 {
                state.write_i64(*f as i64)
            } else {
                state.write_u64(f.to_bits())
            }
        }
        Value::None => state.write_u8(1),
        Value::Bytes(b) => {
            state.write(b);
            state.write_u8(0xfe);
        }
        Value::Tuple(items) => {
            state.write_usize(items.len());
            for item in items.iter() {
                hash_value(item, state);
            }
        }
        Value::Range(r) => {
            state.write_i64(r.start);
            state.write_i64(r.stop);
        }
        Value::Function(f) => state.write(f.name().as_bytes()),
        Value::Object(o) => state.write(o.type_name().as_bytes()),
        Value::List(_) | Value::Dict(_) => state.write_u8(2),
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.0 == other.0
    }
}

impl Eq for Key {}
