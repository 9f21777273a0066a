"""Writes the seed corpus of tornado-http1's fuzz targets (corpus/<target>/).

Re-run from crates/http1/fuzz (plain Python 3, no packages needed):
    python3 seeds.py

The seeds are the hostile requests recorded in ../tests/data/hostile.json (as request
heads, as pipelines, and their chunked bodies) plus hand-made inputs for each target,
in the input formats that src/*.rs describe. Old seeds are removed first, so the corpus
is exactly what this script makes.
"""
import json
import os
import re
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def latin1(s):
    return s.encode("latin-1")


def hostile():
    with open(os.path.join(HERE, "..", "tests", "data", "hostile.json")) as f:
        return [(c["name"], latin1(c["request"])) for c in json.load(f)["cases"]]


def cuts(*deltas):
    """The cut-point prefix of chunked_body and pipeline inputs."""
    return bytes([len(deltas)] + [d - 1 for d in deltas])


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def request_head():
    for name, request in hostile():
        write("request_head", "hostile " + name, request)
    extra = {
        "http10 host": b"GET / HTTP/1.0\r\nHost: example.com:8080\r\n\r\n",
        "cl and te lowercase": b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n",
        "cl list with spaces": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 7, 7,\t7\r\n\r\n",
        "cl zero": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        "cl huge": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "te obs fold": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n",
        "te vertical tab": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\x0b\r\n\r\n",
        "host ipv6": b"GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
        "host with at": b"GET / HTTP/1.1\r\nHost: a@b\r\n\r\n",
        "host percent": b"GET / HTTP/1.1\r\nHost: a%2cb\r\n\r\n",
        "host empty": b"GET / HTTP/1.1\r\nHost:\r\n\r\n",
        "latin1 value": b"GET / HTTP/1.1\r\nHost: x\r\nX-A: caf\xe9\r\n\r\n",
        "utf8 value": "GET / HTTP/1.1\r\nHost: x\r\nX-A: caf\u00e9 \u20ac\r\n\r\n".encode(),
        "absolute form": b"GET http://x/a?b HTTP/1.1\r\nHost: x\r\n\r\n",
        "lf then crlf end": b"GET / HTTP/1.1\r\nHost: x\n\r\n",
        "incomplete": b"GET / HTTP/1.1\r\nHost: x\r\n",
        "http15 keep-alive": b"GET / HTTP/1.5\r\nHost: x\r\nConnection: keep-alive\r\n\r\n",
        "http19 no host": b"GET / HTTP/1.9\r\n\r\n",
        "connection close mixed case": b"GET / HTTP/1.1\r\nHost: x\r\nConnection: ClOsE\r\n\r\n",
    }
    for name, data in extra.items():
        write("request_head", name, data)


def chunked_body():
    for name, request in hostile():
        head_end = request.find(b"\r\n\r\n")
        if b"chunked" in request[:head_end].lower():
            write("chunked_body", "hostile " + name, b"\x00\x00" + request[head_end + 4:])
    bodies = {
        "one chunk": (cuts(), 0, b"3\r\nabc\r\n0\r\n\r\n"),
        "two chunks cut": (cuts(2, 3, 5), 0, b"3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n"),
        "uppercase hex": (cuts(1), 0, b"A\r\n0123456789\r\n0\r\n\r\n"),
        "pieces of one": (cuts(), 0x10, b"5\r\nhello\r\n0\r\n\r\n"),
        "pieces of three": (cuts(4, 4), 0x20, b"b\r\nhello world\r\n0\r\n\r\n"),
        "over limit": (cuts(), 0x02, b"11\r\n01234567890123456\r\n0\r\n\r\n"),
        "zero limit": (cuts(), 0x01, b"1\r\na\r\n0\r\n\r\n"),
        "zero limit empty": (cuts(), 0x01, b"0\r\n\r\n"),
        "missing crlf after data": (cuts(), 0, b"3\r\nabcX\r\n0\r\n\r\n"),
        "missing final crlf": (cuts(), 0, b"3\r\nabc\r\n0\r\nX"),
        "leading zeros": (cuts(), 0, b"0003\r\nabc\r\n0000\r\n\r\n"),
        "bare lf size": (cuts(), 0, b"3\nabc\r\n0\r\n\r\n"),
        "space after size": (cuts(), 0, b"3 \r\nabc\r\n0\r\n\r\n"),
        "negative size": (cuts(), 0, b"-3\r\nabc\r\n0\r\n\r\n"),
        "line 63 bytes": (cuts(30), 0, b"0" * 60 + b"3\r\nabc\r\n0\r\n\r\n"),
        "line 64 bytes": (cuts(30), 0, b"0" * 61 + b"3\r\nabc\r\n0\r\n\r\n"),
        "line 65 bytes": (cuts(30), 0, b"0" * 62 + b"3\r\nabc\r\n0\r\n\r\n"),
        "last line 64 bytes": (cuts(), 0, b"3\r\nabc\r\n" + b"0" * 62 + b"\r\n\r\n"),
        "last line 65 bytes": (cuts(), 0, b"3\r\nabc\r\n" + b"0" * 63 + b"\r\n\r\n"),
        "u64 max size": (cuts(), 0x04, b"ffffffffffffffff\r\n"),
        "i64 max size": (cuts(), 0x04, b"7fffffffffffffff\r\nabc"),
        "sizes add up past u64": (cuts(), 0x04, b"8000000000000000\r\n"),
        "trailing bytes after end": (cuts(), 0, b"0\r\n\r\nGET / HTTP/1.1\r\n\r\n"),
        "empty": (cuts(), 0, b""),
        "truncated data": (cuts(3), 0, b"10\r\n0123"),
    }
    for name, (prefix, config, body) in bodies.items():
        write("chunked_body", name, prefix + bytes([config]) + body)


GET = b"GET /%d HTTP/1.1\r\nHost: x\r\n\r\n"


def pipeline():
    for name, request in hostile():
        write("pipeline", "hostile " + name, b"\x00\x00" + request)
    streams = {
        "three gets": (cuts(5, 30), 0, b"".join(GET % i for i in range(3))),
        "post then get": (cuts(40), 0, b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: x\r\n\r\n"),
        "chunked then get": (cuts(60, 4), 0, b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"),
        "cl te smuggle": (cuts(), 0, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"),
        "te cl smuggle": (cuts(), 0, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n"),
        "te te obfuscated": (cuts(), 0, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-encoding: x\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"),
        "te space before colon": (cuts(), 0, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n"),
        "cl with body holding a request": (cuts(50), 0, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 27\r\n\r\nGET /inner HTTP/1.1\r\nHost:\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n"),
        "http10 keep-alive pair": (cuts(), 0, b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\nGET /c HTTP/1.0\r\n\r\n"),
        "http15 keep-alive pair": (cuts(), 0, b"GET /a HTTP/1.5\r\nHost: x\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.5\r\nHost: x\r\n\r\nGET /c HTTP/1.5\r\nHost: x\r\n\r\n"),
        "http15 post keep-alive": (cuts(), 0, b"POST /a HTTP/1.5\r\nHost: x\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.5\r\nHost: x\r\n\r\n"),
        "http10 post no keep-alive": (cuts(), 0, b"POST /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n"),
        "no keep alive param": (cuts(), 0x20, b"".join(GET % i for i in range(2))),
        "tiny header limit": (cuts(), 0x01, b"".join(GET % i for i in range(2))),
        "header limit 200": (cuts(100), 0x02, b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 200 + b"\r\n\r\n"),
        "body limit 10": (cuts(), 0x04, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890"),
        "chunked over body limit 10": (cuts(), 0x04, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n"),
        "chunk size 3 pieces": (cuts(7), 0x10, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789" + GET % 1),
        "blank line between requests": (cuts(), 0, GET % 1 + b"\r\n" + GET % 2),
        "two blank lines between": (cuts(), 0, GET % 1 + b"\r\n\r\n" + GET % 2),
        "connection close then more": (cuts(), 0, b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + GET % 2),
        "second host missing": (cuts(), 0, GET % 1 + b"GET /2 HTTP/1.1\r\n\r\n"),
        "incomplete second head": (cuts(), 0, GET % 1 + b"GET /2 HTTP/1.1\r\nHo"),
        "incomplete body": (cuts(), 0, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234"),
        "head request": (cuts(), 0, b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + GET % 2),
    }
    for name, (prefix, config, stream) in streams.items():
        write("pipeline", name, prefix + bytes([config]) + stream)


def fields(*items):
    return b"".join(bytes([len(i)]) + i for i in items)


def response(code, flags, reason, *headers, block=None):
    data = struct.pack("<H", code) + bytes([flags]) + fields(reason)
    return data + (block if block is not None else fields(*headers))


def response_head():
    ADD, SET, PARSE, MAP = 0x00, 0x40, 0x80, 0xC0
    HEAD, POST = 0x04, 0x08
    HTTP10, ASKED, CLOSE = 0x01, 0x10, 0x20
    seeds = {
        "ok with length": response(200, ADD, b"OK", b"Content-Length", b"2", b"Content-Type", b"text/plain"),
        "ok chunked": response(200, ADD, b"OK", b"Content-Type", b"text/html"),
        "no content": response(204, ADD, b"No Content"),
        "not modified": response(304, ADD, b"Not Modified", b"Etag", b'"x"'),
        "head": response(200, ADD | HEAD, b"OK"),
        "post close": response(201, ADD | POST | CLOSE, b"Created", b"Connection", b"keep-alive", b"Location", b"/x"),
        "http10 keep-alive": response(200, ADD | HTTP10 | ASKED, b"OK", b"Content-Length", b"0"),
        "continue": response(100, ADD, b"Continue"),
        "code zero": response(0, ADD, b""),
        "code 65535": response(65535, ADD, b"Big"),
        "reason crlf": response(200, ADD, b"OK\r\nX-Injected: 1"),
        "reason lf": response(200, ADD, b"OK\nX-Injected: 1"),
        "reason latin1": response(200, ADD, b"D\xe9j\xe0 vu"),
        "reason beyond latin1": response(200, ADD, "\u20ac".encode()),
        "reason nul": response(200, ADD, b"O\x00K"),
        "add value crlf": response(200, ADD, b"OK", b"X-A", b"a\r\nX-B: b"),
        "set value crlf": response(200, SET, b"OK", b"X-A", b"a\r\nX-B: b"),
        "set value control": response(200, SET, b"OK", b"X-A", b"a\x01b"),
        "set value spaces": response(200, SET, b"OK", b"X-A", b"  spaced  "),
        "set value beyond latin1": response(200, SET, b"OK", b"X-A", "\u20ac".encode()),
        "te given": response(200, ADD, b"OK", b"Transfer-Encoding", b"gzip"),
        "length not integer": response(200, ADD, b"OK", b"Content-Length", b"ten"),
        "repeated header": response(200, ADD, b"OK", b"Set-Cookie", b"a=1", b"X-A", b"x", b"Set-Cookie", b"b=2"),
        "parsed block": response(200, PARSE, b"OK", block=b"Content-Length: 3\r\nX-A: a\r\n\r\n"),
        "parsed folded": response(200, PARSE, b"OK", block=b"X-A: a\r\n b\r\nX-B: c\r\n"),
        "parsed bare lf": response(200, PARSE | CLOSE, b"OK", block=b"X-A: a\nConnection: x\nX-B: b\n"),
        "parsed latin1": response(200, PARSE, b"OK", block=b"X-A: caf\xe9\r\n"),
        "map obs-text": response(200, MAP, b"OK", b"x-a", b"caf\xe9", b"connection", b"upgrade"),
        "map repeated": response(200, MAP | CLOSE, b"OK", b"x-a", b"1", b"x-a", b"2"),
    }
    for name, data in seeds.items():
        write("response_head", name, data)


if __name__ == "__main__":
    shutil.rmtree(os.path.join(HERE, "corpus"), ignore_errors=True)
    request_head()
    chunked_body()
    pipeline()
    response_head()
    for target in sorted(os.listdir(os.path.join(HERE, "corpus"))):
        print(target, len(os.listdir(os.path.join(HERE, "corpus", target))))
