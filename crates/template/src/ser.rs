//! `serde` glue: any `Serialize` value converts into a [`Value`], and a `Value` serializes
//! (for `json_encode`) as the JSON Python's `json.dumps` would write for it.

use std::rc::Rc;

use serde::ser::{self, Serialize};

use crate::error::{Error, Result};
use crate::value::{Dict, Value};

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error::type_error(msg.to_string())
    }
}

/// The serializer behind [`Value::from_serialize`].
pub(crate) struct ValueSerializer;

pub(crate) struct SeqBuilder {
    items: Vec<Value>,
    tuple: bool,
    variant: Option<&'static str>,
}

pub(crate) struct MapBuilder {
    dict: Dict,
    key: Option<Value>,
    variant: Option<&'static str>,
}

fn wrap_variant(variant: Option<&'static str>, v: Value) -> Value {
    match variant {
        Some(name) => {
            let mut d = Dict::new();
            d.set(name, v);
            Value::dict(d)
        }
        None => v,
    }
}

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = SeqBuilder;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = MapBuilder;

    fn serialize_bool(self, v: bool) -> Result<Value> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value> {
        Ok(Value::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<Value> {
        Ok(Value::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<Value> {
        Ok(Value::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Value> {
        Ok(Value::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value> {
        i64::try_from(v).map(Value::Int).map_err(|_| {
            Error::new(
                crate::ErrorKind::Overflow,
                format!("integer {v} does not fit in 64 bits"),
            )
        })
    }
    fn serialize_u8(self, v: u8) -> Result<Value> {
        Ok(Value::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Value> {
        Ok(Value::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<Value> {
        Ok(Value::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<Value> {
        self.serialize_i128(i128::from(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Value> {
        i64::try_from(v).map(Value::Int).map_err(|_| {
            Error::new(
                crate::ErrorKind::Overflow,
                format!("integer {v} does not fit in 64 bits"),
            )
        })
    }
    fn serialize_f32(self, v: f32) -> Result<Value> {
        Ok(Value::Float(f64::from(v)))
    }
    fn serialize_f64(self, v: f64) -> Result<Value> {
        Ok(Value::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Value> {
        Ok(Value::from(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value> {
        Ok(Value::from(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value> {
        Ok(Value::from(v))
    }
    fn serialize_none(self) -> Result<Value> {
        Ok(Value::None)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<Value> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value> {
        Ok(Value::None)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value> {
        Ok(Value::None)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value> {
        Ok(Value::from(variant))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value> {
        Ok(wrap_variant(Some(variant), value.serialize(self)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder> {
        Ok(SeqBuilder {
            items: Vec::with_capacity(len.unwrap_or(0)),
            tuple: false,
            variant: None,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder> {
        Ok(SeqBuilder {
            items: Vec::with_capacity(len),
            tuple: true,
            variant: None,
        })
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqBuilder> {
        Ok(SeqBuilder {
            items: Vec::with_capacity(len),
            tuple: true,
            variant: None,
        })
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<SeqBuilder> {
        Ok(SeqBuilder {
            items: Vec::with_capacity(len),
            tuple: true,
            variant: Some(variant),
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapBuilder> {
        Ok(MapBuilder {
            dict: Dict::new(),
            key: None,
            variant: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<MapBuilder> {
        Ok(MapBuilder {
            dict: Dict::new(),
            key: None,
            variant: None,
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<MapBuilder> {
        Ok(MapBuilder {
            dict: Dict::new(),
            key: None,
            variant: Some(variant),
        })
    }
}

impl SeqBuilder {
    fn push<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.items.push(value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn done(self) -> Value {
        let v = if self.tuple {
            Value::Tuple(Rc::new(self.items))
        } else {
            Value::list(self.items)
        };
        wrap_variant(self.variant, v)
    }
}

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Value> {
        Ok(self.done())
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Value> {
        Ok(self.done())
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Value> {
        Ok(self.done())
    }
}

impl ser::SerializeTupleVariant for SeqBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Value> {
        Ok(self.done())
    }
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        self.key = Some(key.serialize(ValueSerializer)?);
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        let key = self.key.take().unwrap_or_default();
        self.dict.insert(key, value.serialize(ValueSerializer)?)
    }
    fn end(self) -> Result<Value> {
        Ok(wrap_variant(self.variant, Value::dict(self.dict)))
    }
}

impl ser::SerializeStruct for MapBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.dict.set(key, value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value> {
        Ok(wrap_variant(self.variant, Value::dict(self.dict)))
    }
}

impl ser::SerializeStructVariant for MapBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.dict.set(key, value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value> {
        Ok(wrap_variant(self.variant, Value::dict(self.dict)))
    }
}

/// Serializes as `json.dumps` sees the value: tuples and lists as arrays, dicts as
/// objects (non-string keys converted as Python does: `1` → `"1"`, `True` → `"true"`,
/// `None` → `"null"`), `bytes` and host objects as errors.
impl Serialize for Value {
    fn serialize<S: ser::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use ser::{Error as _, SerializeMap, SerializeSeq};
        match self {
            Value::None => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Str(v) => s.serialize_str(v),
            Value::List(items) | Value::Tuple(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Range(r) => {
                let mut seq = s.serialize_seq(Some(r.len()))?;
                for i in 0..r.len() {
                    seq.serialize_element(&r.get(i))?;
                }
                seq.end()
            }
            Value::Dict(d) => {
                let mut map = s.serialize_map(Some(d.len()))?;
                for (k, v) in d.iter() {
                    let key = match k {
                        Value::Str(k) => k.to_string(),
                        Value::Bool(true) => "true".to_string(),
                        Value::Bool(false) => "false".to_string(),
                        Value::None => "null".to_string(),
                        Value::Int(_) | Value::Float(_) => k.to_str(),
                        other => {
                            return Err(S::Error::custom(format!(
                                "keys must be str, int, float, bool or None, not {}",
                                other.type_name()
                            )));
                        }
                    };
                    map.serialize_entry(&key, v)?;
                }
                map.end()
            }
            other => Err(S::Error::custom(format!(
                "Object of type {} is not JSON serializable",
                other.type_name()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Entry {
        title: String,
        tags: Vec<&'static str>,
        pair: (i32, bool),
        missing: Option<u8>,
    }

    #[test]
    fn structs_become_dicts() {
        let e = Entry {
            title: "t".into(),
            tags: vec!["a"],
            pair: (1, true),
            missing: None,
        };
        let v = Value::from_serialize(&e).unwrap();
        assert_eq!(
            v.to_str(),
            "{'title': 't', 'tags': ['a'], 'pair': (1, True), 'missing': None}"
        );
        let json: serde_json::Value =
            serde_json::from_str(r#"{"b": [1, 2.5, null], "a": "x"}"#).unwrap();
        assert_eq!(
            Value::from(&json).to_str(),
            "{'b': [1, 2.5, None], 'a': 'x'}"
        );
        assert!(Value::from_serialize(&u64::MAX).is_err());
    }

    #[test]
    fn values_serialize_to_json() {
        let v = Value::from_serialize(&serde_json::json!({"a": [1, "x"], "b": null})).unwrap();
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"a":[1,"x"],"b":null}"#
        );
    }
}
