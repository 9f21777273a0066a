#!/usr/bin/env python3
"""Generate the test vectors of tornado-httputil with Python Tornado 6.5.2.

Re-run from this directory with:

    python3 -m venv v && v/bin/pip install tornado==6.5.2 && v/bin/python generate.py

It writes one JSON file per function into this directory. Inputs are hand-picked edge
cases plus pseudo-random ones from a fixed seed, so a re-run gives the same files (as
long as Python's `random` keeps its sequence; the vectors were made with CPython 3.11).

Conventions of the files: bytes are written as text whose characters are the bytes
(ISO-8859-1), marked by a key ending in `_latin1`. A failure is {"error": type, "message": str(e)}.
"""

import datetime
import json
import random
import sys

import tornado
from tornado.httputil import (
    HTTPHeaders,
    HTTPInputError,
    _parse_header,
    _parse_request_range,
    format_timestamp,
    parse_cookie,
    parse_multipart_form_data,
    parse_request_start_line,
    parse_response_start_line,
    split_host_and_port,
    url_concat,
)

assert tornado.version == "6.5.2", tornado.version
rng = random.Random(20261126)


def latin1(b: bytes) -> str:
    return b.decode("latin-1")


def failure(e: Exception) -> dict:
    return {"error": type(e).__name__, "message": str(e)}


def write(name: str, cases: list) -> None:
    with open(name + ".json", "w", encoding="utf-8") as f:
        f.write("[\n")
        f.write(",\n".join(json.dumps(c, ensure_ascii=False) for c in cases))
        f.write("\n]\n")
    print(f"{name}.json: {len(cases)} cases", file=sys.stderr)


def rand_text(alphabet: list, lo: int, hi: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


# ---------------------------------------------------------------- parse_cookie

COOKIE_ALPHABET = list("ab Z09=;;\"\"\\\\ ,:/\t") + ["\\0", "\\1", "\\7", "\\3", "\\0"] + [
    "\u00e9", "\u00a0", "\x1c", "\n", "=\"", "\"; ", "\\\"", "\\\\\"",
]
cookie_inputs = [
    "", ";", "=", "a", "a=", "=b", "a=b", "a=b;", " a = b ; c = d ", "a=\"b\"", "a=\"b",
    "a=b\"", "a=\"\"", "a=\"", "a=\"\\\"", "a=\"\\\\\"", "a=\"\\12\"", "a=\"\\012\"",
    "a=\"\\400\"", "a=\"\\777\"", "a=\"\\\n\"", "a=\"x\\\"", "a=b; a=c; b=d; a=e",
    "a b c=d e = f; gh=i", "  =  b  ;  ;  =  ;   c  =  ;  ", "saint=Andr\u00e9 Bessette",
    "keebler=\"E=mc2; L=\\\"Loves\\\"; fudge=\\012;\"", "\u00a0a\u00a0=\u00a0b\u00a0",
    "\x1ca=b\x1f", "path=/; domain=x; Max-Age=1; /=2; a:b=3",
]
for _ in range(600):
    cookie_inputs.append(rand_text(COOKIE_ALPHABET, 0, 24))
write(
    "parse_cookie",
    [{"input": s, "output": list(parse_cookie(s).items())} for s in cookie_inputs],
)

# ---------------------------------------------------------------- url_concat

URL_BASES = [
    "", "/", "path", "/path", "/path?", "/path?x", "/path?x&", "/path?a=1&b=2", "/p?a=1&a=2",
    "/p?a=%7e+b&c=%zz&d=%C3%A9&e=%E9", "/p#frag", "/p?q=1#frag", "/p?#", "/p;params?x=1",
    "/a;b/c;d", "/a/b;", "http://example.com", "http://example.com/", "HTTP://Example.COM/P",
    "https://user:pw@host:8080/p?x=y#z", "http:path", "http:/path", "http://", "http:",
    "mailto:a@b.c", "//host/path?x", "  http://x/ ", "http://x/a\tb\nc", "file:///etc",
    "http://[::1]:80/p", "http://[fe80::1%25eth0]/", "http://[v1.x]/", "ftp://h/p;type=a",
    "tel:+1-555;ext=2", "a:b:c", "1http://x", "ht%tp://x", "/p?a=&=b&&c", "/p?+=+",
    "http://[::1/", "http://::1]/", "http://[1.2.3.4]/", "http://[vz.x]/",
]
URL_ARGS = [
    [], [("y", "y")], [("y", "y"), ("z", "z")], [("y", "/y"), ("z", "a b&c=d")],
    [("y", "y1"), ("y", "y2")], [("\u00e9", "\u2603")], [("", "")], [("a+b", "~._-")],
]
url_cases = []
for base in URL_BASES:
    for args in URL_ARGS:
        try:
            out = {"output": url_concat(base, list(args))}
        except Exception as e:
            out = failure(e)
        url_cases.append({"url": base, "args": args, **out})
URL_ALPHABET = list("ab/?#&=;:%+ .~_-[]@") + ["%2", "%41", "%e9", "http://", "//", "\u00e9"]
for _ in range(300):
    base = rand_text(URL_ALPHABET, 0, 16)
    args = [(rand_text(list("ab &=/+%\u00e9"), 0, 3), rand_text(list("ab &=/+%\u00e9"), 0, 3))
            for _ in range(rng.randint(0, 2))]
    try:
        out = {"output": url_concat(base, args)}
    except Exception as e:
        out = failure(e)
    url_cases.append({"url": base, "args": args, **out})
write("url_concat", url_cases)

# ---------------------------------------------------------------- format_timestamp

ts_cases = []
for ts in [0, 1, -1, 1359312200, 1359312200.503611, -0.5, 2**31, 2**31 - 1, 253402300799,
           -62135596800, 951782400, 951868800, 4107542400]:
    ts_cases.append({"timestamp": ts, "output": format_timestamp(ts)})
for _ in range(300):
    ts = rng.randint(-62135596800, 253402300799)
    ts_cases.append({"timestamp": ts, "output": format_timestamp(ts)})
for _ in range(100):
    ts = rng.uniform(-1e10, 1e10)
    ts_cases.append({"timestamp": ts, "output": format_timestamp(ts)})
for _ in range(50):
    dt = datetime.datetime(rng.randint(1, 9998), rng.randint(1, 12), rng.randint(1, 28),
                           rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
    offset = rng.randint(-12 * 60, 14 * 60)
    aware = dt.replace(tzinfo=datetime.timezone(datetime.timedelta(minutes=offset)))
    if not (datetime.datetime(1, 1, 2) < dt < datetime.datetime(9999, 12, 30)):
        continue
    ts_cases.append({"naive": dt.isoformat(), "output": format_timestamp(dt)})
    ts_cases.append({"aware": aware.isoformat(), "output": format_timestamp(aware)})
write("format_timestamp", ts_cases)

# ---------------------------------------------------------------- HTTPHeaders.parse

HEADER_LINES = [
    "Content-Type: text/html", "content-type:text/plain", "ETAG: \"x\"", "X-Xsrftoken: t",
    "Set-Cookie: a=1", "Set-Cookie: b=2", "Foo: bar", " baz", "\tqux", "   ", "Empty:",
    "Empty2:   ", "Spaces:  a  b  ", "Tab:\tv\t", "Latin: caf\u00e9", "Nbsp: \u00a0x\u00a0",
    "Next: \u0085", "NoColon", ": novalue", "Bad Name: x", "Bad\tName: x", "X:y:z",
    "Ctl: a\x01b", "Del: a\x7fb", "Cr: a\rb", "Ff: \x0cx", "\x0cfolded", "Host: a",
    "Host: b", "sec-websocket-accept: k", "x--y: 1", "-: dash", "A: 1", "a: 2", "A: 3",
]
header_inputs = [
    "", "\r\n", "Foo: bar\r\n baz\r\nAsdf: qwer\r\n\tzxcv\r\nFoo: even\r\n     more\r\n     lines\r\n",
    "Foo: bar\r\n\tasdf", " Foo: bar", "Foo: bar\r\n\fasdf", "CRLF: crlf\r\nLF: lf\nCR: cr\rMore: more\r\n",
    "CRLF: crlf\r\nLF: lf\nMore: more\r\n", "A: 1\r\n\r\nB: 2\r\n", "A: 1\n\n", "A: 1\r",
    "Transfer-Encoding: \u00a0chunked", "Transfer-Encoding: \tchunked",
]
for _ in range(600):
    lines = [rng.choice(HEADER_LINES) for _ in range(rng.randint(0, 6))]
    seps = [rng.choice(["\r\n", "\n", "\r\n", "\n\r\n"]) for _ in lines]
    header_inputs.append("".join(l + s for l, s in zip(lines, seps)))
for c in range(256):
    header_inputs.append(f"Foo: bar{chr(c)}baz\r\n")
    header_inputs.append(f"Fo{chr(c)}o: bar\r\n")
header_cases = []
for text in header_inputs:
    try:
        h = HTTPHeaders.parse(text)
        out = {"all": list(h.get_all()), "items": list(h.items()), "str": str(h)}
    except Exception as e:
        out = failure(e)
    header_cases.append({"input": text, **out})
write("headers_parse", header_cases)

# ---------------------------------------------------------------- _parse_header

PARAM_PIECES = [
    "form-data", "attachment", " Form-Data ", "; ", ";", "name=\"files\"", "name=files",
    "filename=\"a;b.txt\"", "filename=\"a\\\"b.txt\"", "filename=\"a\\\\b.txt\"", "filename=",
    "filename=\"\"", "filename=\"\\\"x\\\"\"", "filename*=UTF-8''%C3%A1b.txt", "filename*=utf-8''a%20b",
    "filename*=iso-8859-1'en'%E9", "filename*=''%41", "filename*=us-ascii''%E9", "filename*=nope",
    "title*0=\"a\"", "title*1=\"b\"", "title*2*=%41", "t*0*=UTF-8''%C3", "t*1*=%A9", "Name=\"Upper\"",
    "valueless", "k = v", "k=<angle>", "q=\"semi;colon\"", "q=\"unterminated;", "x=\"a\\\\\"", "\u00e9=\u00e9",
    "filename*=UTF-8''a%5Cb", "filename*=UTF-8''%22q%22", "a*=UTF-8''\u6d4b",
]
param_inputs = ["", ";", "form-data", "form-data; name=\"a\"; name=\"b\"",
                "permessage-deflate; client_max_window_bits; a=1",
                "form-data; foo=\"b\\\\a\\\"r\"; file*=utf-8''T%C3%A4st",
                "x; t*=a; t*0=b", "x; t*1=b; t*0=a; t*10=c", "x; t*=b; t*=a"]
for _ in range(600):
    param_inputs.append("".join(rng.choice(PARAM_PIECES) + rng.choice(["; ", ";", " ; ", ""])
                                for _ in range(rng.randint(1, 5))))
param_cases = []
for line in param_inputs:
    try:
        key, params = _parse_header(line)
        out = {"key": key, "params": list(params.items())}
    except Exception as e:
        out = failure(e)
    param_cases.append({"input": line, **out})
write("parse_header", param_cases)

# ---------------------------------------------------------------- parse_multipart_form_data


def disposition() -> str:
    if rng.random() < 0.05:
        return rng.choice(["", "Content-Disposition: invalid; name=x\r\n",
                           "Content-Disposition: form-data\r\n"])
    name = rng.choice(["files", "a", "\u00e9", "", "a b", "x\"y"])
    quoted = rng.random() < 0.7
    esc = name.replace("\\", "\\\\").replace('"', '\\"')
    parts = ["form-data", f'name="{esc}"' if quoted else f"name={name}"]
    r = rng.random()
    if r < 0.3:
        fname = rng.choice(["ab.txt", "a;b.txt", 'a"b.txt', 'a";b.txt', "a\\b.txt", "\u6d4b\u8bd5.txt", ""])
        fesc = fname.replace("\\", "\\\\").replace('"', '\\"')
        parts.append(f'filename="{fesc}"')
    elif r < 0.4:
        parts.append("filename*=UTF-8''%C3%A1b.txt")
    return "Content-Disposition: " + "; ".join(parts) + "\r\n"


def part(boundary: bytes) -> bytes:
    headers = disposition()
    if rng.random() < 0.3:
        headers += "Content-Type: " + rng.choice(["text/plain", "image/png", "a/b; x=\u00e9"]) + "\r\n"
    if rng.random() < 0.03:
        headers += "Bad Header\r\n"
    if rng.random() < 0.03:
        headers += "X: a\x01b\r\n"
    body = rng.choice([b"", b"Foo", b"a\r\nb", b"\r\n", b"--", b"\xff\xfe", b"x" * 50])
    head = headers.encode("utf-8")
    if rng.random() < 0.03:
        head = b"X: \xff\r\n" + head
    blank = b"\r\n" if rng.random() > 0.03 else b""
    tail = b"\r\n" if rng.random() > 0.03 else b""
    return b"--" + boundary + b"\r\n" + head + blank + body + tail


multipart_cases = []
fixed = [
    (b"1234", b"--1234\r\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\r\n\r\nFoo\r\n--1234--"),
    (b"1234", b"--1234\r\nContent-Disposition: form-data; name=files; filename=ab.txt\r\n\r\nFoo\r\n--1234--"),
    (b'"1234"', b"--1234\r\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\r\n\r\nFoo\r\n--1234--"),
    (b"1234", b"--1234\r\n\r\nFoo\r\n--1234--"),
    (b"1234", b"--1234\r\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\r\n\r\nFoo--1234--"),
    (b"1234", b"--1234\r\nContent-Disposition: form-data; filename=\"ab.txt\"\r\n\r\nFoo\r\n--1234--"),
    (b"1234", b"--1234\r\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\r\n\r\nFoo\r\n--1234--\r\n"),
    (b"1234", b"no boundary here"),
    (b"1234", b"preamble\r\n--1234\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--1234--epilogue--1234--"),
    (b"1234", b"--1234--"),
    (b"1234", b""),
    (b'"', b"----"),
    (b"a", b"--a\r\n--a\r\nContent-Disposition: form-data; name=x\r\n\r\n\r\n--a--"),
]
for boundary, data in fixed:
    multipart_cases.append((boundary, data))
for _ in range(500):
    boundary = rng.choice([b"1234", b"----WebKitFormBoundary7MA4YWxkTrZu0gW", b"b", b"--", b'"q"'])
    raw = boundary[1:-1] if boundary.startswith(b'"') and boundary.endswith(b'"') else boundary
    data = b"".join(part(raw) for _ in range(rng.randint(0, 5)))
    if rng.random() > 0.05:
        data += b"--" + raw + b"--"
    if rng.random() < 0.1:
        data += b"\r\n"
    multipart_cases.append((boundary, data))
out_cases = []
for boundary, data in multipart_cases:
    args, files = {}, {}
    try:
        parse_multipart_form_data(boundary, data, args, files)
        out = {
            "arguments": [[k, [latin1(v) for v in vs]] for k, vs in args.items()],
            "files": [[k, [[f.filename, latin1(f.body), f.content_type] for f in fs]]
                      for k, fs in files.items()],
        }
    except Exception as e:
        out = failure(e)
    out_cases.append({"boundary_latin1": latin1(boundary), "data_latin1": latin1(data), **out})
write("multipart", out_cases)

# ---------------------------------------------------------------- start lines, host:port, ranges

start_inputs = ["GET / HTTP/1.1", "GET /foo HTTP/1.0", "FOO /x HTTP/1.9", "GET / HTTP/2.0",
                "GET / HTTP/1.10", "GET  / HTTP/1.1", "GET / HTTP/1.1 ", "get / HTTP/1.1",
                "G,T / HTTP/1.1", "GET /a\x01 HTTP/1.1", "GET /caf\u00e9 HTTP/1.1", "GET",
                "", "GET / http/1.1", "M-SEARCH * HTTP/1.1", "GET\t/ HTTP/1.1"]
for _ in range(300):
    method = rng.choice(["GET", "POST", "X-Y", "a.b", "G(T", "", "GET,POST", "\u00e9"])
    target = rng.choice(["/", "/a?b=c", "*", "http://x/y", "/\u00e9", "/a b", "/\x7f", "", "/%20"])
    version = rng.choice(["HTTP/1.1", "HTTP/1.0", "HTTP/1.5", "HTTP/0.9", "HTTP/2.0", "HTTP/1", "HTTP/11"])
    seps = [rng.choice([" ", " ", " ", "  ", "\t", ""]) for _ in range(2)]
    start_inputs.append(method + seps[0] + target + seps[1] + version + rng.choice(["", "", " ", "\r"]))
start_cases = []
for line in start_inputs:
    try:
        r = parse_request_start_line(line)
        out = {"method": r.method, "path": r.path, "version": r.version}
    except Exception as e:
        out = failure(e)
    start_cases.append({"input": line, **out})
write("request_start_line", start_cases)

resp_inputs = ["HTTP/1.1 200 OK", "HTTP/1.1 200 ", "HTTP/1.1 200", "HTTP/1.0 000 x",
               "HTTP/2.0 200 OK", "HTTP/1.1 20 OK", "HTTP/1.1 404 Not  Found\t", "HTTP/1.1 200  ",
               "HTTP/1.1 200 \u00e9", "HTTP/1.1 200 a\rb", "http/1.1 200 OK", "HTTP/1.1 999 x y z"]
for _ in range(300):
    version = rng.choice(["HTTP/1.1", "HTTP/1.0", "HTTP/1.7", "HTTP/2.0", "HTTP/1", "http/1.1"])
    code = rng.choice(["200", "404", "000", "999", "20", "2000", "+20", "2a0"])
    reason = rng.choice(["OK", "", " ", "Not Found", "a\tb", "\u00e9", "a\x01b", "a\rb", "\x7f"])
    seps = [rng.choice([" ", " ", " ", "  ", "\t", ""]) for _ in range(2)]
    resp_inputs.append(version + seps[0] + code + seps[1] + reason)
resp_cases = []
for line in resp_inputs:
    try:
        r = parse_response_start_line(line)
        out = {"version": r.version, "code": r.code, "reason": r.reason}
    except Exception as e:
        out = failure(e)
    resp_cases.append({"input": line, **out})
write("response_start_line", resp_cases)

hp_inputs = ["example.com", "example.com:80", "[::1]:8080", "[::1]", ":80", "a:", "a:b:12",
             "a:65535", "a:0080", "a:80\n", "a\nb:80", "", ":", "::", "a::1"]
for _ in range(150):
    hp_inputs.append(rand_text(list("ab:[]0189."), 0, 8))
write("split_host_and_port",
      [{"input": s, "host": split_host_and_port(s)[0], "port": split_host_and_port(s)[1]}
       for s in hp_inputs
       if split_host_and_port(s)[1] is None or split_host_and_port(s)[1] < 65536])

range_inputs = ["bytes=1-2", "bytes=6-", "bytes=-6", "bytes=-0", "bytes=", "foo=42",
                "bytes=1-2,6-10", "bytes", "bytes=5", " bytes = 1 - 2 ", "bytes=--6",
                "bytes=+1-+2", "bytes=1_0-2_0", "bytes=_1-", "bytes=a-", "bytes=1-2-3", "Bytes=1-2"]
for _ in range(200):
    range_inputs.append(rand_text(["bytes", "=", "-", "1", "0", "9", " ", "_", "+", ",", "a"], 0, 8))
write("request_range",
      [{"input": s, "output": _parse_request_range(s)} for s in range_inputs])
