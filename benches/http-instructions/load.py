#!/usr/bin/env python3
"""A deterministic HTTP load for instruction counts (see count.sh).

usage: load.py PORT N MODE [PAUSE_MS]
  MODE seq       one connection, one request at a time, a pause after each answer
                 (the server waits in epoll for every request)
  MODE pipeN     one connection, batches of N pipelined requests, a pause after each batch
  MODE connsN    N connections; each round sends one request on every connection, reads
                 every answer, then pauses (one epoll wait finds many connections ready,
                 as under wrk)
Sends GET /plaintext N times in all and checks that every answer is complete.
"""
import socket
import sys
import time


def connect(port):
    for _ in range(100):
        try:
            s = socket.create_connection(("127.0.0.1", port))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return s
        except OSError:
            time.sleep(0.2)
    sys.exit(f"no server on port {port}")


def read_answer(s, buf):
    """Reads one answer (Content-Length framed) from s; returns what is left over."""
    while b"\r\n\r\n" not in buf:
        more = s.recv(65536)
        if not more:
            sys.exit("the server closed the connection")
        buf += more
    head, _, rest = buf.partition(b"\r\n\r\n")
    lengths = [line.split(b":", 1)[1] for line in head.split(b"\r\n")
               if line.lower().startswith(b"content-length:")]
    if not head.startswith(b"HTTP/1.1 200") or len(lengths) != 1:
        sys.exit(f"unexpected answer: {head[:200]!r}")
    length = int(lengths[0])
    while len(rest) < length:
        rest += s.recv(65536)
    return rest[length:]


def main():
    port, n, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    pause = float(sys.argv[4]) / 1000 if len(sys.argv) > 4 else 0.002
    request = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port
    if mode.startswith("conns"):
        socks = [connect(port) for _ in range(int(mode[5:]))]
    else:
        socks = [connect(port)]
    depth = int(mode[4:]) if mode.startswith("pipe") else 1
    leftovers = [b""] * len(socks)
    done = 0
    while done < n:
        for s in socks:
            s.sendall(request * depth)
        for i, s in enumerate(socks):
            for _ in range(depth):
                leftovers[i] = read_answer(s, leftovers[i])
                done += 1
        time.sleep(pause)
    print(done)


if __name__ == "__main__":
    main()
