#!/usr/bin/env python3
"""Generate the test vectors in this folder with Python Tornado 6.5.2.

Each JSON file holds inputs and the output Python Tornado's `tornado.escape` gives for
them; `crates/escape/tests/escape_vectors.rs` checks that tornado-escape gives the same.
Byte strings are written as lower-case hex (fields ending in `_hex`). The inputs are
drawn from a fixed seed, so re-running gives the same files.

Re-run from the repository root:

    python3 -m venv v && v/bin/pip install tornado==6.5.2
    v/bin/python crates/escape/tests/vectors/generate.py

The committed files were made with CPython 3.11.7 and Tornado 6.5.2.
"""

import html.entities
import json
import math
import os
import random
import struct
import sys

import tornado
from tornado import escape

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20240605)

# Characters that exercise the differences between Python's and Rust's ideas of
# words, spaces and escapes: astral characters, combining marks, numerics, controls.
EXOTIC = [
    "\u00e9", "\u00b2", "\u00bd", "\u0301", "\u203f", "\u2160", "\u27a1", "\u4a39",
    "\u00a0", "\u3000", "\u2028", "\u0085", "\u180e", "\u200b", "\ufeff", "\x1c",
    "\x1f", "\x7f", "\x00", "\x0b", "\x0c", "\r", "\n", "\t", "\U0001f600",
    "\U00010348", "\U0010fffd", "\ufffd", "\u0660", "\u00aa", "\u02b0",
]


def random_text(alphabet, max_len):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, max_len)))


def random_unicode(max_len):
    out = []
    for _ in range(rng.randint(0, max_len)):
        r = rng.random()
        if r < 0.4:
            out.append(chr(rng.randint(0x20, 0x7E)))
        elif r < 0.6:
            out.append(rng.choice(EXOTIC))
        elif r < 0.8:
            out.append(chr(rng.randint(0x80, 0xD7FF)))
        else:
            cp = rng.randint(0xE000, 0x10FFFF)
            out.append(chr(cp))
    return "".join(out)


def write(name, cases):
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        json.dump(
            {"generator": "generate.py, Tornado %s, Python %s" % (tornado.version, sys.version.split()[0]),
             "cases": cases},
            f, ensure_ascii=True, indent=0,
        )
        f.write("\n")
    print("%s: %d cases" % (name, len(cases)))


def xhtml():
    inputs = ["", "plain", "<>&\"'", "&amp;", "<\u00e9>", "a&b<c>d\"e'f" * 5]
    inputs += [random_text("<>&\"'ab \u00e9\U0001f600", 40) for _ in range(150)]
    inputs += [random_unicode(40) for _ in range(150)]
    write("xhtml_escape.json", [{"input": s, "output": escape.xhtml_escape(s)} for s in inputs])

    inputs = []
    for name in sorted(html.entities.html5):
        inputs.append("x&%sy" % name)
        inputs.append("&%s" % name)
    for n in list(range(0, 0x200)) + [0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFDD0,
                                      0xFDEF, 0xFDF0, 0xFFFE, 0xFFFF, 0x1FFFE, 0x10FFFF,
                                      0x110000, 0xFFFFFFFF, 10 ** 30]:
        inputs.append("a&#%d;b" % n)
        inputs.append("a&#x%x;b" % n)
        inputs.append("a&#X%X" % n)
        inputs.append("&#%07d" % n)
    for _ in range(200):
        n = rng.randint(0, 0x10FFFF)
        inputs.append("&#%d;&#x%x" % (n, n))
    inputs += ["&", "&&", "&;", "&#", "&#;", "&#x", "&#x;", "&#xyz;", "&#12a", "&# 1;",
               "&ampamp;", "&amp", "&AMP;", "&notit;", "&notin;", "&not", "&#x27;&#39;",
               "&" + "a" * 40 + ";", "&" + "\u00e9" * 40, "&amp\u00e9;", "&lt\t;",
               "&" + "x" * 31 + "lt;", "&\U0001f600;", "&ltx" * 3, "&#0000000000065;"]
    alphabet = ["&", "#", "x", "X", ";", "a", "m", "p", "l", "t", "1", "9", "f", " ",
                "\u00e9", "lt", "amp", "nbsp", "not", "in", "\n", "<", "Z"]
    inputs += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25))) for _ in range(400)]
    inputs += [random_unicode(30).replace("a", "&") for _ in range(100)]
    write("xhtml_unescape.json", [{"input": s, "output": escape.xhtml_unescape(s)} for s in inputs])


def url():
    cases = []
    byte_inputs = [bytes([b]) for b in range(256)] + [bytes(range(256)), b""]
    byte_inputs += [bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 20))) for _ in range(100)]
    for b in byte_inputs:
        cases.append({"input_hex": b.hex(), "plus": escape.url_escape(b, plus=True),
                      "path": escape.url_escape(b, plus=False)})
    for _ in range(150):
        s = random_unicode(20)
        cases.append({"input": s, "plus": escape.url_escape(s, plus=True),
                      "path": escape.url_escape(s, plus=False)})
    write("url_escape.json", cases)

    cases = []
    alphabet = ["%", "%2", "%41", "%e9", "%C3", "%A9", "%c3%a9", "%ED%A0%80", "%F0%9F%98",
                "%80", "%zz", "+", " ", "a", "/", "%2B", "%25", "\u00e9", "\U0001f600", "%F4%90%80%80",
                "%E2%82", "%EF%BF%BD", "%C0%AF", "%FF"]
    inputs = ["", "+ #%", "%2B+%23%25", "%2B%20%23%25", "%C3%A9", "%E9"]
    inputs += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(400)]
    for s in inputs:
        cases.append({
            "input": s,
            "text_plus": escape.url_unescape(s, plus=True),
            "text_path": escape.url_unescape(s, plus=False),
            "bytes_plus_hex": escape.url_unescape(s, encoding=None, plus=True).hex(),
            "bytes_path_hex": escape.url_unescape(s, encoding=None, plus=False).hex(),
        })
    write("url_unescape.json", cases)


def parse_qs():
    alphabet = [b"a", b"b", b"=", b"&", b"+", b"%", b"%41", b"%e9", b"%zz", b";", b"\xe9",
                b"\xc3\xa9", b" ", b"%26", b"%3D", b"key", b"val", b"", b"=="]
    inputs = [b"", b"&", b"=", b"a", b"a=", b"=b", b"a=1&a=2&b=3", b"a=1;b=2", b"&&a=1&&",
              b"x=%E9&%E9=y", b"a+b=c+d", b"a=b=c"]
    inputs += [b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(300)]
    cases = []
    for qs in inputs:
        case = {"input_hex": qs.hex()}
        for keep in (False, True):
            for strict in (False, True):
                key = "keep%d_strict%d" % (keep, strict)
                try:
                    result = escape.parse_qs_bytes(qs, keep, strict)
                    case[key] = [[k, [v.hex() for v in vs]] for k, vs in result.items()]
                except ValueError as e:
                    case[key] = {"error": str(e)}
        cases.append(case)
    write("parse_qs_bytes.json", cases)


def random_json_value(depth=0):
    r = rng.random()
    if depth > 3 or r < 0.5:
        kind = rng.randint(0, 6)
        if kind == 0:
            return None
        if kind == 1:
            return rng.choice([True, False])
        if kind == 2:
            return rng.randint(-(2 ** 63), 2 ** 64 - 1)
        if kind == 3:
            return rng.choice([0.0, -0.0, 1.0, 0.5, 1e16, 1e-5, 123.456, 1e300, 2.5e-308])
        if kind == 4:
            return struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        return random_unicode(12) + rng.choice(["", "</", "</script>", "<\\/"])
    if r < 0.75:
        return [random_json_value(depth + 1) for _ in range(rng.randint(0, 4))]
    return {random_unicode(6): random_json_value(depth + 1) for _ in range(rng.randint(0, 4))}


def json_vectors():
    cases = []
    for _ in range(400):
        v = random_json_value()
        if isinstance(v, float) and not math.isfinite(v):
            continue
        try:
            text = json.dumps(v, allow_nan=False)
        except ValueError:
            continue  # the input has to be JSON that serde_json can read
        cases.append({"input": text, "output": escape.json_encode(escape.json_decode(text))})
    write("json_encode.json", cases)

    cases = []
    for _ in range(1500):
        bits = rng.getrandbits(64)
        value = struct.unpack("<d", struct.pack("<Q", bits))[0]
        cases.append({"bits": "%016x" % bits, "output": escape.json_encode(value)})
    for value in [0.0, -0.0, 1.0, 0.1, 1e16, 1e15, 1e-4, 1e-5, 9999999999999998.0, 1e22, 1e21,
                  5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, float("nan"),
                  float("inf"), float("-inf"), 123456789012345680.0, 0.30000000000000004]:
        bits = struct.unpack("<Q", struct.pack("<d", value))[0]
        cases.append({"bits": "%016x" % bits, "output": escape.json_encode(value)})
    for e in range(-30, 30):
        for m in (1, 1.5, 9.99):
            value = m * 10.0 ** e
            bits = struct.unpack("<Q", struct.pack("<d", value))[0]
            cases.append({"bits": "%016x" % bits, "output": escape.json_encode(value)})
    write("json_floats.json", cases)

    texts = ['"foo"', ' [1, 2.50, 0, -0.0, 1E5, 1e-7, -1.5e+300] ', '{"a": {"b": [true, false, null]}}',
             '"\\u00e9\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\\"\\\\"', '{"k": 1, "k": 2, "j": 3}',
             '"\u00e9 raw utf-8"', "\t\n\r [ ]", '{"": ""}', "123456789012345678", "0.1",
             "1.7976931348623157e308", "5e-324", "-0.0", "[[[[[[[[[[]]]]]]]]]]"]
    for _ in range(100):
        v = random_json_value()
        try:
            texts.append(json.dumps(v, allow_nan=False, ensure_ascii=rng.random() < 0.5,
                                    indent=rng.choice([None, 2])))
        except ValueError:
            pass
    cases = [{"input": t, "output": escape.json_encode(escape.json_decode(t))} for t in texts]
    errors = ["", "{", "[1,]", "{'a': 1}", "01", "1.", ".5", "tru", '"\x01"', "[1] x", "+1",
              '"\\x41"', "{\"a\" 1}", "[1 2]", "nul"]
    for t in errors:
        try:
            escape.json_decode(t)
        except ValueError:
            cases.append({"input": t, "error": True})
        else:
            sys.exit("expected %r to be invalid JSON" % t)
    write("json_decode.json", cases)


def squeeze():
    inputs = ["", " ", "sequences     of    whitespace   chars", "\x00a\x01\x02b\x20\x1f",
              "\u00a0 a \u3000", "\u2028x\u2029", "\x85y\x85", " \u200b "]
    inputs += [random_text([" ", "\t", "\n", "\x00", "\x1c", "\x1f", "\x20", "\x21", "a",
                            "\u00a0", "\u3000", "\u0085", "\u2028", "\u180e", "\u200b", "\u00e9"], 20)
               for _ in range(250)]
    inputs += [random_unicode(20) for _ in range(100)]
    write("squeeze.json", [{"input": s, "output": escape.squeeze(s)} for s in inputs])


def extra_params_callable(href):
    # The Rust test builds the same function: attributes that depend on the href.
    if href.startswith("http://www"):
        return '  class="internal"  '
    return ' rel="nofollow" data-len="%d"' % len(href)


def linkify():
    tokens = ["http://", "https://", "www.", "ftp://", "rdar:/", "file:///", "mailto:",
              "javascript:", "x:", "-x://", "a-b://", "foo", "bar.com", "example.com/path",
              "/", "?", "=", "&", "&amp;", "(", ")", ".", ",", "!", ";", ":", " ", "  ", "-",
              "_", "@", "~", "#", "%20", '"', "'", "<", ">", "\n", "\t", "\x1c", "\u3000",
              "\u00e9", "\u27a1", "\u4a39", "\u00b2", "\u0301", "\u203f", "\u2160", "\U0001f600",
              "a" * 12, "reallylongdomainname", "w", "ww", "www", "wwW.", "WWW.", "1", "0"]
    option_sets = [
        {},
        {"shorten": True},
        {"require_protocol": True},
        {"permitted_protocols": ["http", "ftp", "x", "a-b", "-x", "file", "rdar", "mailto"]},
        {"shorten": True, "extra_params": '  rel="nofollow"  '},
        {"extra_params": "   "},
        {"extra_params": "callable"},
        {"shorten": True, "extra_params": "callable", "permitted_protocols": ["https", "\u00e9"]},
    ]
    inputs = []
    for _ in range(700):
        inputs.append("".join(rng.choice(tokens) for _ in range(rng.randint(1, 14))))
    inputs += [
        "http://" + "a" * 60, "http://" + "a" * 20 + "/" + "b" * 30,
        "http://example.com/" + "&amp;" * 10, "http://example.com/abc&def&ghi&jkl&mno&pqr",
        "http://example.com/" + "\u00e9" * 40, "www." + "x" * 40 + "/y?z.q",
        "https://a.b/1234567890?x=y.z", "\u00e9://x.com/" + "\u00e9" * 30,
        "http://url.com/w(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "http://x/" + "(" * 300 + "a)", "http://x/" + "." * 300, "-" * 100 + "://x",
        "a-" * 100 + "://x", "www." * 50,
    ]
    cases = []
    for i, text in enumerate(inputs):
        opts = option_sets[i % len(option_sets)]
        kwargs = dict(opts)
        if kwargs.get("extra_params") == "callable":
            kwargs["extra_params"] = extra_params_callable
        cases.append({"input": text, "options": opts, "output": escape.linkify(text, **kwargs)})
    write("linkify.json", cases)


def main():
    if tornado.version != "6.5.2":
        sys.exit("these vectors are made with Tornado 6.5.2, not %s" % tornado.version)
    xhtml()
    url()
    parse_qs()
    json_vectors()
    squeeze()
    linkify()


if __name__ == "__main__":
    main()
