"""Rewrites a little-endian GNU .mo file in big-endian byte order.

Usage: python3 mo_to_be.py IN.mo OUT.mo

msgfmt writes the machine's byte order (little-endian here); readers must accept
both, so the tests load a big-endian copy too. Only the seven header words and the
two string tables are byte-swapped; the hash table is dropped (readers ignore it).
"""
import struct
import sys

data = open(sys.argv[1], "rb").read()
magic, version, count, orig, trans, hsize, hoff = struct.unpack("<7I", data[:28])
assert magic == 0x950412DE, "not a little-endian .mo file"
out = bytearray(data)
out[:28] = struct.pack(">7I", magic, version, count, orig, trans, 0, 0)
for table in (orig, trans):
    for i in range(count):
        at = table + 8 * i
        length, offset = struct.unpack("<2I", data[at:at + 8])
        out[at:at + 8] = struct.pack(">2I", length, offset)
open(sys.argv[2], "wb").write(bytes(out))
