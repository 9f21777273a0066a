//! `json_encode` and `json_decode`: Python's `json.dumps` (with Tornado's `</` escape)
//! and `json.loads`.
//!
//! serde_json writes compact JSON and refuses NaN and the infinities, so the encoder
//! here is a small `serde::Serializer` of its own that writes exactly what Python
//! writes. Decoding is serde_json's parser.

use std::fmt::Display;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde::ser::{self, Impossible};

use crate::error::{Error, Result};

/// Encodes `value` as JSON text exactly as Tornado's `json_encode` (Python's
/// `json.dumps(value)` then `"</"` → `"<\/"`).
///
/// That is: `", "` between items and `": "` after keys; every character outside
/// printable ASCII written as `\uXXXX` (lower-case hex, surrogate pairs past U+FFFF);
/// floats as Python prints them (`1.0`, `1e+100`, `1e-05`) with `NaN`, `Infinity` and
/// `-Infinity` for the non-finite ones; maps and structs in their own order (a
/// `serde_json::Value` keeps insertion order); and never the sequence `</`, so the
/// output can sit inside a `<script>` element.
///
/// Map keys may be strings, integers, floats, bools, `()` or `None`, which become
/// strings as in Python (`1` → `"1"`, `true` → `"true"`, `None` → `"null"`); any other
/// key is an error ([`Error::is_json`]), as is an error from a `Serialize` impl.
///
/// ```
/// use serde_json::json;
/// use tornado_escape::json_encode;
/// let value = json!({"b": [1, 2.0, null], "a": "\u{e9}</script>"});
/// assert_eq!(
///     json_encode(&value).unwrap(),
///     r#"{"b": [1, 2.0, null], "a": "\u00e9<\/script>"}"#
/// );
/// assert_eq!(json_encode(&f64::INFINITY).unwrap(), "Infinity");
/// assert_eq!(json_encode("\u{1F600}").unwrap(), r#""\ud83d\ude00""#);
/// ```
pub fn json_encode<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let mut out = String::new();
    value.serialize(&mut Encoder { out: &mut out })?;
    if out.contains("</") {
        out = out.replace("</", "<\\/");
    }
    Ok(out)
}

/// Decodes JSON text (Tornado's `json_decode`, Python's `json.loads`) into a
/// [`serde_json::Value`], whose objects keep the order of their keys.
///
/// The input is UTF-8, as `&str` or bytes; a leading UTF-8 byte-order mark is skipped.
/// Invalid JSON is an error ([`Error::is_json`]) that names the line and column.
///
/// ```
/// use serde_json::json;
/// use tornado_escape::json_decode;
/// assert_eq!(json_decode(b"\"\xc3\xa9\"").unwrap(), json!("\u{e9}"));
/// assert_eq!(json_decode(r#"{"a": [1, 2]}"#).unwrap(), json!({"a": [1, 2]}));
/// assert!(json_decode("{").unwrap_err().is_json());
/// ```
pub fn json_decode(value: impl AsRef<[u8]>) -> Result<serde_json::Value> {
    json_decode_as(value)
}

/// Decodes JSON text into any `T: DeserializeOwned` (see [`json_decode`]).
///
/// ```
/// let pair: (u8, String) = tornado_escape::json_decode_as("[1, \"x\"]").unwrap();
/// assert_eq!(pair, (1, "x".to_string()));
/// ```
pub fn json_decode_as<T: DeserializeOwned>(value: impl AsRef<[u8]>) -> Result<T> {
    let bytes = value.as_ref();
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(Error::json_decode)
}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error::json_encode(msg.to_string())
    }
}

/// Writes a finite or non-finite float as Python's `json` module does (`float.__repr__`,
/// with `NaN`, `Infinity` and `-Infinity`). `shortest` is Rust's shortest round-trip
/// form of the number in `{:e}` notation, which has the same digits as Python's repr.
fn write_float(out: &mut String, shortest: &str, is_nan: bool, is_infinite: bool, negative: bool) {
    if is_nan {
        out.push_str("NaN");
        return;
    }
    if is_infinite {
        out.push_str(if negative { "-Infinity" } else { "Infinity" });
        return;
    }
    // `shortest` looks like "-1.2345e-7": sign, digits with an optional point, exponent.
    let (mantissa, exponent) = shortest.split_once('e').unwrap_or((shortest, "0"));
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let ndigits = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    // Python's repr: the point goes after `decpt` digits; fixed notation when
    // -4 < decpt <= 16, scientific otherwise.
    let decpt = exponent + 1;
    out.push_str(sign);
    if -4 < decpt && decpt <= 16 {
        if decpt <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', decpt.unsigned_abs() as usize));
            out.push_str(&digits);
        } else if decpt >= ndigits {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', (decpt - ndigits) as usize));
            out.push_str(".0");
        } else {
            let (int, frac) = digits.split_at(decpt as usize);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        let magnitude = exponent.unsigned_abs();
        if magnitude < 10 {
            out.push('0');
        }
        out.push_str(&magnitude.to_string());
    }
}

fn write_f64(out: &mut String, v: f64) {
    write_float(
        out,
        &format!("{v:e}"),
        v.is_nan(),
        v.is_infinite(),
        v.is_sign_negative(),
    );
}

fn write_f32(out: &mut String, v: f32) {
    write_float(
        out,
        &format!("{v:e}"),
        v.is_nan(),
        v.is_infinite(),
        v.is_sign_negative(),
    );
}

/// Writes `s` as a JSON string with Python's `ensure_ascii` escapes.
fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    fn unicode_escape(out: &mut String, unit: u32) {
        out.push_str("\\u");
        for shift in [12, 8, 4, 0] {
            out.push(char::from(HEX[((unit >> shift) & 15) as usize]));
        }
    }
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let plain = (' '..='~').contains(&c) && c != '"' && c != '\\';
        if plain {
            continue;
        }
        out.push_str(&s[start..i]);
        start = i + c.len_utf8();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    unicode_escape(out, u32::from(*unit));
                }
            }
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// The serializer behind [`json_encode`].
struct Encoder<'a> {
    out: &'a mut String,
}

/// An array or object being written: whether a separator is due before the next item.
struct Compound<'e, 'a> {
    encoder: &'e mut Encoder<'a>,
    first: bool,
    /// What `end` writes: `]` or `}`, with a second `}` for a variant (`{"V": [...]}`).
    close: &'static str,
}

impl Compound<'_, '_> {
    fn separator(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.encoder.out.push_str(", ");
        }
    }
}

impl<'e, 'a> Encoder<'a> {
    fn open(&'e mut self, prefix: &str, open: char, close: &'static str) -> Compound<'e, 'a> {
        self.out.push_str(prefix);
        self.out.push(open);
        Compound {
            encoder: self,
            first: true,
            close,
        }
    }

    fn variant_prefix(variant: &str) -> String {
        let mut prefix = String::from("{");
        write_str(&mut prefix, variant);
        prefix.push_str(": ");
        prefix
    }
}

macro_rules! write_display {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result<()> {
            self.out.push_str(&v.to_string());
            Ok(())
        })*
    };
}

impl<'e, 'a> ser::Serializer for &'e mut Encoder<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'e, 'a>;
    type SerializeTuple = Compound<'e, 'a>;
    type SerializeTupleStruct = Compound<'e, 'a>;
    type SerializeTupleVariant = Compound<'e, 'a>;
    type SerializeMap = Compound<'e, 'a>;
    type SerializeStruct = Compound<'e, 'a>;
    type SerializeStructVariant = Compound<'e, 'a>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }

    write_display!(
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128
    );

    fn serialize_f32(self, v: f32) -> Result<()> {
        write_f32(self.out, v);
        Ok(())
    }

    fn serialize_f64(self, v: f64) -> Result<()> {
        write_f64(self.out, v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<()> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<()> {
        write_str(self.out, v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(b)?;
        }
        seq.end()
    }

    fn serialize_none(self) -> Result<()> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<()> {
        self.out.push_str("null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<()> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        self.out.push('{');
        write_str(self.out, variant);
        self.out.push_str(": ");
        value.serialize(&mut *self)?;
        self.out.push('}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Ok(self.open("", '[', "]"))
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        let prefix = Encoder::variant_prefix(variant);
        Ok(self.open(&prefix, '[', "]}"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Ok(self.open("", '{', "}"))
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Self::SerializeStruct> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        let prefix = Encoder::variant_prefix(variant);
        Ok(self.open(&prefix, '{', "}}"))
    }
}

impl Compound<'_, '_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.separator();
        value.serialize(&mut *self.encoder)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<()> {
        self.separator();
        write_str(self.encoder.out, key);
        self.encoder.out.push_str(": ");
        value.serialize(&mut *self.encoder)
    }

    fn finish(self) -> Result<()> {
        self.encoder.out.push_str(self.close);
        Ok(())
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.separator();
        key.serialize(KeyEncoder {
            out: self.encoder.out,
        })?;
        self.encoder.out.push_str(": ");
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut *self.encoder)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.field(key, value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.field(key, value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

/// Writes a map key: Python turns str, int, float, bool and None keys into strings and
/// refuses anything else.
struct KeyEncoder<'a> {
    out: &'a mut String,
}

impl KeyEncoder<'_> {
    fn text(self, text: &str) -> Result<()> {
        write_str(self.out, text);
        Ok(())
    }

    fn refuse(what: &str) -> Error {
        Error::json_encode(format!(
            "keys must be str, int, float, bool or None, not {what}"
        ))
    }
}

macro_rules! key_display {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result<()> {
            self.text(&v.to_string())
        })*
    };
}

impl ser::Serializer for KeyEncoder<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.text(if v { "true" } else { "false" })
    }

    key_display!(
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128
    );

    fn serialize_f32(self, v: f32) -> Result<()> {
        let mut text = String::new();
        write_f32(&mut text, v);
        self.text(&text)
    }

    fn serialize_f64(self, v: f64) -> Result<()> {
        let mut text = String::new();
        write_f64(&mut text, v);
        self.text(&text)
    }

    fn serialize_char(self, v: char) -> Result<()> {
        self.text(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<()> {
        self.text(v)
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<()> {
        Err(Self::refuse("bytes"))
    }

    fn serialize_none(self) -> Result<()> {
        self.text("null")
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<()> {
        self.text("null")
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        self.text("null")
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<()> {
        self.text(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<()> {
        Err(Self::refuse("an enum variant with data"))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(Self::refuse("a sequence"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(Self::refuse("tuple"))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(Self::refuse("tuple"))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(Self::refuse("an enum variant with data"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(Self::refuse("dict"))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(Self::refuse("a struct"))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(Self::refuse("an enum variant with data"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn float(v: f64) -> String {
        let mut out = String::new();
        write_f64(&mut out, v);
        out
    }

    #[test]
    fn floats_as_python_repr() {
        let cases = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (9999999999999998.0, "9999999999999998.0"),
            (1.5e16, "1.5e+16"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.2345e-7, "1.2345e-07"),
            (1e100, "1e+100"),
            (-1e-300, "-1e-300"),
            (123456.789, "123456.789"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (v, expected) in cases {
            assert_eq!(float(v), expected, "{v:e}");
        }
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        New(u8),
        Tuple(u8, u8),
        Struct { x: u8 },
    }

    #[test]
    fn serde_shapes() {
        assert_eq!(json_encode(&Shape::Unit).unwrap(), "\"Unit\"");
        assert_eq!(json_encode(&Shape::New(1)).unwrap(), "{\"New\": 1}");
        assert_eq!(
            json_encode(&Shape::Tuple(1, 2)).unwrap(),
            "{\"Tuple\": [1, 2]}"
        );
        assert_eq!(
            json_encode(&Shape::Struct { x: 1 }).unwrap(),
            "{\"Struct\": {\"x\": 1}}"
        );
        assert_eq!(json_encode(&(1, "a", [(); 0])).unwrap(), "[1, \"a\", []]");
        assert_eq!(json_encode(&Some(())).unwrap(), "null");
        let map: BTreeMap<i32, bool> = [(-1, true), (2, false)].into();
        assert_eq!(json_encode(&map).unwrap(), "{\"-1\": true, \"2\": false}");
        let empty: BTreeMap<String, u8> = BTreeMap::new();
        assert_eq!(json_encode(&empty).unwrap(), "{}");
    }

    #[test]
    fn bad_keys_are_errors() {
        let map: BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        let err = json_encode(&map).unwrap_err();
        assert!(err.is_json());
        assert!(err.to_string().contains("keys must be"), "{err}");
    }

    #[test]
    fn decode_differences_are_as_documented() {
        assert_eq!(json_encode(&json_decode("-0").unwrap()).unwrap(), "-0.0");
        assert!(json_decode("NaN").unwrap_err().is_json());
        assert!(json_decode("-Infinity").unwrap_err().is_json());
        assert_eq!(
            json_decode(b"\xef\xbb\xbf[1]").unwrap(),
            serde_json::json!([1])
        );
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(json_decode(deep).unwrap_err().is_json());
    }

    #[test]
    fn strings_escape_like_python() {
        assert_eq!(
            json_encode("a\"\\\n\r\t\u{8}\u{c}\u{1}\u{7f}").unwrap(),
            r#""a\"\\\n\r\t\b\f\u0001\u007f""#
        );
        assert_eq!(json_encode("</script></").unwrap(), r#""<\/script><\/""#);
    }
}
