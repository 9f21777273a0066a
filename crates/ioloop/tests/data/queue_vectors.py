"""Generates the differential vectors of crates/ioloop/tests/queues.rs from Tornado.

Re-run (prints the Rust constant to paste over `VECTORS` in queues.rs):
    python3 -m venv v && v/bin/pip install tornado==6.5.2 && v/bin/python queue_vectors.py

Each vector drives one queue through operations that need no loop iteration (Tornado's
futures resolve synchronously) and records what each step returned and `str(queue)`.
Ops: `p N` put_nowait, `P N` put (kept pending), `g` get_nowait, `G` get (kept pending),
`t` task_done, `s` str(queue). The final line lists what each kept future holds.
"""
import asyncio
import random

from tornado import queues

KINDS = {"fifo": queues.Queue, "lifo": queues.LifoQueue, "priority": queues.PriorityQueue}


def run(kind, maxsize, ops):
    q = KINDS[kind](maxsize=maxsize)
    out, kept = [], []
    for op in ops:
        code, _, arg = op.partition(" ")
        if code == "p":
            try:
                q.put_nowait(int(arg))
                out.append("ok")
            except queues.QueueFull:
                out.append("full")
        elif code == "P":
            kept.append(("P", q.put(int(arg))))
            out.append("ok")
        elif code == "g":
            try:
                out.append(str(q.get_nowait()))
            except queues.QueueEmpty:
                out.append("empty")
        elif code == "G":
            kept.append(("G", q.get()))
            out.append("ok")
        elif code == "t":
            try:
                q.task_done()
                out.append("ok")
            except ValueError:
                out.append("too many")
        elif code == "s":
            out.append(str(q))
    futures = []
    for code, f in kept:
        if not f.done():
            futures.append("pending")
        elif code == "G":
            futures.append(str(f.result()))
        else:
            futures.append("done")
    return out, futures


def random_ops(rng, n):
    ops = []
    for _ in range(n):
        r = rng.random()
        if r < 0.25:
            ops.append("p %d" % rng.randrange(10))
        elif r < 0.4:
            ops.append("P %d" % rng.randrange(10))
        elif r < 0.6:
            ops.append("g")
        elif r < 0.7:
            ops.append("G")
        elif r < 0.8:
            ops.append("t")
        else:
            ops.append("s")
    ops.append("s")
    return ops


async def main():
    rng = random.Random(2152)
    print("const VECTORS: &[(&str, usize, &str, &str, &str)] = &[")
    for i in range(60):
        kind = ["fifo", "lifo", "priority"][i % 3]
        maxsize = rng.choice([0, 1, 2, 3])
        ops = random_ops(rng, rng.randrange(5, 25))
        out, futures = run(kind, maxsize, ops)
        print("    (")
        print("        %s," % rust_str(kind))
        print("        %d," % maxsize)
        print("        %s," % rust_str(";".join(ops)))
        print("        %s," % rust_str(";".join(out)))
        print("        %s," % rust_str(";".join(futures)))
        print("    ),")
    print("];")


def rust_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


asyncio.run(main())
