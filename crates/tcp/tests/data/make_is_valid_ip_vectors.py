"""Generates is_valid_ip.tsv: what Python Tornado's netutil.is_valid_ip says about a few
thousand strings (Tornado's own table, inet_aton forms, IPv6 forms, and seeded random
strings over the characters addresses are made of).

Re-run (from this directory):

    python3 -m venv v && v/bin/pip install tornado==6.5.2 && v/bin/python make_is_valid_ip_vectors.py

Each line of the output is: the string's UTF-8 bytes in hex, a tab, 1 or 0, a tab, and
Python's repr of the string (for the reader). Only the interface name "lo" is used in
scopes, so the answers do not depend on the machine's other interfaces.
"""

import random

from tornado.netutil import is_valid_ip

FIXED = [
    # Tornado's IsValidIPTest
    "127.0.0.1", "4.4.4.4", "::1", "2620:0:1cfe:face:b00c::3",
    "www.google.com", "localhost", "4.4.4.4<", " 127.0.0.1", "", " ", "\n", "\x00", "a" * 100,
    # inet_aton forms
    "127.1", "0x7f.1", "0177.0.0.1", "1", "0", "4294967295", "4294967296", "256.1.1.1",
    "1.2.3.256", "1.2.65535", "1.2.65536", "1.16777215", "1.16777216", "01.02.03.04",
    "08.1.1.1", "0x", "0x1", "0X7F000001", "00000000000000000000001", "1e1", "+1", "-1",
    "1.2.3.0x4", "127.0.0.01", "09", "0x.1", "0xg", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2",
    "0xffffffff", "0x100000000", "037777777777", "040000000000", "99999999999999999999999",
    "1.2.3.4 ", "1.2.3.4\t", "1.2.3.4\n", "\t1.2.3.4", "1.2.3.4\x00",
    # IPv6
    "::", ":::", "1::2::3", "[::1]", "::ffff:1.2.3.4", "::ffff:1.2.3", "::1.2.3.4",
    "::ffff:01.2.3.4", "::ffff:256.2.3.4", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4", "12345::", "0001::",
    "00001::", "fe80::1%lo", "fe80::1%1", "fe80::1%99", "fe80::1%4294967295",
    "fe80::1%4294967296", "fe80::1%", "fe80::1%%", "::1%lo", "::1%1", " ::1", "::1 ",
    "a::b%lo%lo", "ff02::1%lo", "ff01::1%lo", "ff05::1%lo", "fe80::1%01", "fe80::1%+1",
    "fe80::1%-1", "fe80::1%1a", "FE80::1%lo", "abcd:EF01::", "g::",
]


def random_cases(rng, count):
    alphabet = "0123456789abcdefxX.:%" + "0123456789.:" * 3
    cases = []
    for _ in range(count):
        n = rng.randint(1, 24)
        cases.append("".join(rng.choice(alphabet) for _ in range(n)))
    # Mutations of valid addresses.
    valid = ["127.0.0.1", "10.1.2.3", "::1", "fe80::1:2", "2001:db8::8a2e:370:7334", "0x7f.1"]
    for _ in range(count):
        s = list(rng.choice(valid))
        for _ in range(rng.randint(1, 3)):
            op = rng.randint(0, 2)
            i = rng.randrange(len(s) + 1)
            if op == 0 and s:
                del s[min(i, len(s) - 1)]
            elif op == 1:
                s.insert(i, rng.choice(alphabet + " "))
            elif s:
                s[min(i, len(s) - 1)] = rng.choice(alphabet)
        cases.append("".join(s))
    return cases


def main():
    rng = random.Random(20260512)
    seen = set()
    with open("is_valid_ip.tsv", "w") as out:
        for case in FIXED + random_cases(rng, 2000):
            if case in seen:
                continue
            seen.add(case)
            answer = is_valid_ip(case)
            out.write("%s\t%d\t%r\n" % (case.encode().hex(), int(answer), case))


if __name__ == "__main__":
    main()
