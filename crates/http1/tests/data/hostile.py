"""Records how Python Tornado 6.5.2 answers hostile and edge-case HTTP/1 requests.

Re-run (writes hostile.json next to this script):
    python3 -m venv v && v/bin/pip install tornado==6.5.2 && v/bin/python hostile.py

A bare tornado.httpserver.HTTPServer with a request callback that answers every request
with "ok" (Content-Length: 2) listens on 127.0.0.1; each case is sent on a fresh
connection and the answer recorded: the bytes received until the server closes, or until
half a second of silence (then "open": the server kept the connection open). Date-like
headers are not involved: the callback writes a fixed response.
"""
import json
import os
import socket
import threading
import time

import tornado.httpserver
import tornado.ioloop

CASES = [
    # (name, request bytes)
    ("simple get", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("http10 no host", b"GET / HTTP/1.0\r\n\r\n"),
    ("missing host", b"GET / HTTP/1.1\r\n\r\n"),
    ("invalid host", b"GET / HTTP/1.1\r\nHost: foo bar\r\n\r\n"),
    ("two hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
    ("content-length plus", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +10\r\n\r\n0123456789"),
    ("content-length underscore", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1_0\r\n\r\n0123456789"),
    ("content-length hex", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n0123456789"),
    ("content-length leading space in value", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length:  10\r\n\r\n0123456789"),
    ("content-length unequal", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc"),
    ("content-length equal", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab"),
    ("te and cl", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    ("te chunked twice", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    ("te gzip chunked", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
    ("te identity", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n"),
    ("te xchunked", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
    ("te nbsp", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \xa0chunked\r\n\r\n0\r\n\r\n"),
    ("te Chunked", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
    ("chunk size underscore", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1_a\r\n" + b"x" * 26 + b"\r\n0\r\n\r\n"),
    ("chunk size 0x", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x1f\r\n" + b"x" * 31 + b"\r\n0\r\n\r\n"),
    ("chunk extension", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;ext=x\r\na\r\n0\r\n\r\n"),
    ("chunk size line too long", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + b"0" * 70 + b"1\r\na\r\n0\r\n\r\n"),
    ("chunk size huge", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\na\r\n0\r\n\r\n"),
    ("chunk trailer", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-Trailer: 1\r\n\r\n"),
    ("bare cr in header", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rX-B: b\r\n\r\n"),
    ("nul in header", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n"),
    ("control in header", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n"),
    ("space before colon", b"GET / HTTP/1.1\r\nHost: x\r\nX-A : a\r\n\r\n"),
    ("non-token header name", b"GET / HTTP/1.1\r\nHost: x\r\nX(A): a\r\n\r\n"),
    ("no colon", b"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n"),
    ("continuation first", b"GET / HTTP/1.1\r\n continued\r\nHost: x\r\n\r\n"),
    ("obs fold", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"),
    ("malformed request line", b"GET\r\nHost: x\r\n\r\n"),
    ("control in target", b"GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("method with comma", b"FOO,BAR / HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("http 2.0", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"),
    ("http 0.9", b"GET /\r\n\r\n"),
    ("blank lines first", b"\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("one crlf first", b"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("bare lf", b"GET / HTTP/1.1\nHost: x\n\n"),
    ("head", b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("expect continue", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc"),
    ("connection close", b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    ("http10 keep-alive", b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
    ("pipelined two", b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("body too large", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n"),
]


def serve(port_holder, ready):
    def handle(request):
        request.connection.write_headers(
            tornado.httputil.ResponseStartLine("HTTP/1.1", 200, "OK"),
            tornado.httputil.HTTPHeaders({"Content-Length": "2"}),
            b"ok",
        )
        request.connection.finish()

    async def main():
        server = tornado.httpserver.HTTPServer(handle)
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        server.add_sockets(sockets)
        port_holder.append(sockets[0].getsockname()[1])
        ready.set()
        await asyncio.Event().wait()

    import asyncio
    import tornado.netutil
    asyncio.run(main())


def exchange(port, data):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(data)
    s.settimeout(0.5)
    received = b""
    state = "closed"
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            received += chunk
    except socket.timeout:
        state = "open"
    except ConnectionResetError:
        state = "reset"
    s.close()
    return received, state


def main():
    port_holder, ready = [], threading.Event()
    threading.Thread(target=serve, args=(port_holder, ready), daemon=True).start()
    ready.wait()
    port = port_holder[0]
    vectors = []
    for name, data in CASES:
        received, state = exchange(port, data)
        vectors.append({
            "name": name,
            "request": data.decode("latin-1"),
            "response": received.decode("latin-1"),
            "state": state,
        })
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hostile.json")
    with open(path, "w") as f:
        json.dump({"tornado": tornado.version, "cases": vectors}, f, indent=1, ensure_ascii=True)
        f.write("\n")


if __name__ == "__main__":
    main()
