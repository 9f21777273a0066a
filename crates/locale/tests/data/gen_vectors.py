"""Generates the test vectors of crates/locale/tests/vectors.rs with Python Tornado.

Re-run from this directory (crates/locale/tests/data):

    python3 -m venv v && v/bin/pip install tornado==6.5.2 && v/bin/python gen_vectors.py

It writes vectors/*.json. Every output comes from Tornado 6.5.2 itself (and Python's
gettext and % formatting); "now" is pinned by replacing the clock that
tornado.locale reads. Setups: "none" (no translations loaded, as Tornado ships),
"csv" (load_translations("csv_dates")), "gettext"
(load_gettext_translations("gettext_dates", "dates")) and the fixtures of
locale_test.py.
"""
import base64
import datetime as real_datetime
import gettext
import json
import logging
import os
import random
import shutil
import tempfile
import types

import tornado
import tornado.locale as L

assert tornado.version == "6.5.2", tornado.version
logging.disable(logging.CRITICAL)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vectors")
UTC = real_datetime.timezone.utc

NOW = [None]


class PinnedDatetime(real_datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW[0].astimezone(tz) if tz else NOW[0].replace(tzinfo=None)


L.datetime = types.SimpleNamespace(
    datetime=PinnedDatetime,
    timedelta=real_datetime.timedelta,
    timezone=real_datetime.timezone,
)


def reset():
    L._translations = {}
    L._supported_locales = frozenset(["en_US"])
    L._use_gettext = False
    L._default_locale = "en_US"
    L.Locale._cache = {}


def setup(kind):
    reset()
    if kind == "csv":
        L.load_translations(os.path.join(HERE, "csv_dates"))
    elif kind == "gettext":
        L.load_gettext_translations(os.path.join(HERE, "gettext_dates"), "dates")
    elif kind == "tornado_test":
        L.load_gettext_translations(os.path.join(HERE, "gettext_translations"), "tornado_test")
    elif kind == "tornado_test_be":
        L.load_gettext_translations(os.path.join(HERE, "gettext_translations"), "tornado_test_be")
    elif kind == "fallback":
        L.load_gettext_translations(os.path.join(HERE, "gettext_fallback"), "fallback")
    L.Locale._cache = {}


def locale_for(kind, code):
    if kind == "none":
        return L.CSVLocale(code, {})
    return L.get(code)


def run(f):
    try:
        return f()
    except Exception as e:  # noqa: BLE001 - the vector records that Python raised
        return {"error": type(e).__name__}


LOCALES = {
    "none": ["en", "en_US", "en_GB", "fr_FR", "zh_CN", "fa_IR", "de_DE", "ar_AR"],
    "csv": ["fr_FR", "de_DE", "eo", "en_US"],
    "gettext": ["fr_FR", "ru_RU", "pl_PL", "cs_CZ", "ar_AR", "ja_JP"],
}
NOWS = [
    "2013-04-28T18:35:00+00:00",  # case[2] is an index in this list
    "2024-02-29T00:00:30.500000+00:00",
    "2021-01-01T00:10:00+00:00",
    "2019-03-10T23:59:59.999999+00:00",
]
SPANS = [0, 0.4, 1, 2, 49, 49.9, 50, 59, 60, 89, 90, 91, 149, 150, 151, 2969, 2970,
         2999, 3000, 3599, 5399, 5400, 9000, 9001, 43200, 86399, 86399.9, 86400, 86401,
         90000, 129600, 172800, 259200, 345600, 431999, 432000, 518400, 2592000,
         28771200, 28857600, 31536000, 43200000, 315360000,
         -0.5, -1, -30, -59, -59.5, -60, -61, -3600, -86430, -86400, -259200, -31536000]
SWEEP = list(range(0, 50)) + [60 * k for k in range(1, 50)] + [3600 * k for k in range(1, 24)]
OFFSETS = [0, 300, -330, -60, 720, -840]
ZONES = [UTC, real_datetime.timezone(real_datetime.timedelta(hours=2)),
         real_datetime.timezone(-real_datetime.timedelta(hours=7, minutes=30))]


def encode_date(date, style):
    """The date as the Rust test reads it: n: naive, a: aware, t: int, f: float."""
    if style == "naive":
        return "n:" + date.astimezone(UTC).replace(tzinfo=None).isoformat(), date.astimezone(UTC).replace(tzinfo=None)
    if style.startswith("aware"):
        zone = ZONES[int(style[-1])]
        d = date.astimezone(zone)
        return "a:" + d.isoformat(), d
    ts = date.timestamp()
    if style == "int" and ts == int(ts):
        return "t:%d" % int(ts), int(ts)
    return "f:" + repr(ts), ts


STYLES = ["naive", "aware0", "aware1", "aware2", "int", "float"]


def format_date_vectors():
    rng = random.Random(20240229)
    cases = []

    def add(kind, code, now_i, span, style, offset, rel, short, full):
        now = real_datetime.datetime.fromisoformat(NOWS[now_i])
        NOW[0] = now
        date = now - real_datetime.timedelta(seconds=span)
        spec, value = encode_date(date, style)
        loc = locale_for(kind, code)
        out = run(lambda: loc.format_date(value, gmt_offset=offset, relative=rel, shorter=short, full_format=full))
        flags = (4 if rel else 0) | (2 if short else 0) | (1 if full else 0)
        cases.append([kind, code, now_i, spec, offset, flags, out])

    for kind, codes in LOCALES.items():
        setup(kind)
        for code in codes:
            if kind == "none" and code == "en_US":
                # The full product for the reference locale.
                for now_i in (0, 1):
                    for span in SPANS:
                        for flags in range(8):
                            add(kind, code, now_i, span, rng.choice(STYLES), rng.choice(OFFSETS),
                                bool(flags & 4), bool(flags & 2), bool(flags & 1))
                continue
            for _ in range(150):
                flags = rng.randrange(8)
                add(kind, code, rng.randrange(len(NOWS)), rng.choice(SPANS), rng.choice(STYLES),
                    rng.choice(OFFSETS), bool(flags & 4), bool(flags & 2), bool(flags & 1))
            if code == "eo":
                # A translation naming a key that is not there: Python raises.
                for span in (86400, 90000, 100000):
                    add(kind, code, 0, span, "naive", 0, True, False, False)
            if kind == "gettext" or code in ("en", "zh_CN"):
                for span in SWEEP:
                    add(kind, code, 0, span, "aware0", 0, True, False, False)
    return cases


def format_day_vectors():
    cases = []
    dates = ["2013-04-28T18:35:00", "2024-02-29T00:30:00+00:00", "2021-01-01T00:10:00-07:30",
             "1999-12-31T23:59:59+02:00"]
    for kind, codes in LOCALES.items():
        setup(kind)
        for code in codes:
            loc = locale_for(kind, code)
            for d in dates:
                date = real_datetime.datetime.fromisoformat(d)
                spec = ("a:" if date.tzinfo else "n:") + d
                for offset in (0, 300, -330, 720):
                    for dow in (True, False):
                        out = run(lambda: loc.format_day(date, gmt_offset=offset, dow=dow))
                        cases.append([kind, code, spec, offset, dow, out])
    return cases


def list_vectors():
    cases = []
    lists = [[], ["A"], ["A", "B"], ["A", "B", "C"], ["Ana", "Bo", "Çé", "Dø"], ["", ""], ["%(last)s", "x"]]
    for kind, codes in LOCALES.items():
        setup(kind)
        for code in codes:
            loc = locale_for(kind, code)
            for parts in lists:
                cases.append([kind, code, parts, run(lambda: loc.list(parts))])
    return cases


def number_vectors():
    cases = []
    values = [0, 1, -1, 12, 123, 1234, -100, -999, -1000, 999999, 1000000, 12345678,
              10**18, -(10**18), 2**63 - 1, -(2**63), 2**64 - 1]
    for code in ["en", "en_US", "en_GB", "fr_FR", "de_DE", "fa_IR"]:
        loc = L.CSVLocale(code, {})
        for v in values:
            cases.append([code, str(v), loc.friendly_number(v)])
    return cases


def translate_vectors():
    """translate / pgettext calls after each kind of load."""
    cases = []
    calls = [
        ("school",), ("Monday",), ("missing",), ("yesterday",), ("",),
        ("1 second ago", "%(seconds)d seconds ago", 1), ("1 second ago", "%(seconds)d seconds ago", 0),
        ("1 second ago", "%(seconds)d seconds ago", 2), ("1 second ago", "%(seconds)d seconds ago", 5),
        ("1 second ago", "%(seconds)d seconds ago", 21), ("1 second ago", "%(seconds)d seconds ago", 111),
        ("apple", "apples", 0), ("apple", "apples", 1), ("apple", "apples", 2),
        ("colour",), ("truck",), ("club", "clubs", 1), ("club", "clubs", 3), ("nope", "nopes", 1),
        ("nope", "nopes", 7), ("apple",), ("date",),
    ]
    pcalls = [
        ("law", "right"), ("good", "right"), ("none", "right"), ("law", "school"),
        ("organization", "club", "clubs", 1), ("organization", "club", "clubs", 2),
        ("stick", "club", "clubs", 1), ("stick", "club", "clubs", 2), ("stick", "club", "clubs", 0),
        ("nothing", "apple", "apples", 1), ("nothing", "apple", "apples", 5), ("fruit", "date"),
        ("nothing", "nope", "nopes", 2),
    ]
    setups = {
        "tornado_test": ["fr_FR", "en_US"], "tornado_test_be": ["fr_FR"],
        "fallback": ["fr_CA", "fr", "de_DE", "fr_FR"], "csv": ["fr_FR", "de_DE", "eo"],
        "gettext": ["fr_FR", "ru_RU", "ar_AR", "ja_JP"],
    }
    for kind, codes in setups.items():
        setup(kind)
        for code in codes:
            loc = L.get(code)
            entry = {"setup": kind, "code": code, "got_code": loc.code,
                     "gettext": isinstance(loc, L.GettextLocale), "name": loc.name,
                     "rtl": loc.rtl, "months": loc._months, "weekdays": loc._weekdays,
                     "supported": sorted(L.get_supported_locales()), "translate": [], "pgettext": []}
            for c in calls:
                if len(c) == 1:
                    entry["translate"].append([c[0], None, 0, run(lambda: loc.translate(c[0]))])
                else:
                    entry["translate"].append([c[0], c[1], c[2], run(lambda: loc.translate(*c))])
            for c in pcalls:
                if len(c) == 2:
                    entry["pgettext"].append([c[0], c[1], None, 0, run(lambda: loc.pgettext(*c))])
                else:
                    entry["pgettext"].append(list(c) + [run(lambda: loc.pgettext(*c))])
            cases.append(entry)
    return cases


def closest_vectors():
    setup("csv")
    L.set_default_locale("en_US")
    queries = [["fr_FR"], ["fr-fr"], ["FR_fr"], ["fr"], ["fr_CA"], ["FR"], ["de"], ["de-AT"],
               ["eo"], ["eo_XX"], ["EO"], ["xx", "de_CH"], ["en_US"], ["en"], ["zz"], [""],
               ["fr_FR_x", "de"], ["a_b_c"], [], ["pt_BR", "fr-CA", "de"], ["fr_FR.UTF-8"]]
    out = [[q, L.get(*q).code] for q in queries]
    L.set_default_locale("de_DE")
    out += [[["zz"], L.get("zz").code], [["de"], L.get("de").code]]
    return {"supported": sorted(L.get_supported_locales()), "cases": out}


RULES = {
    "french": "(n > 1)", "japanese": "0", "germanic": "n != 1",
    "russian": "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",
    "polish": "(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",
    "czech": "(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2",
    "irish": "n==1 ? 0 : n==2 ? 1 : (n>2 && n<7) ? 2 :(n>6 && n<11) ? 3 : 4",
    "slovenian": "(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3)",
    "arabic": "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)",
    "latvian": "(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2)",
    "lithuanian": "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && (n%100<10 || n%100>=20) ? 1 : 2)",
    "romanian": "(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2)",
    "welsh": "(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3",
    "maltese": "(n==1 ? 0 : n==0 || ( n%100>1 && n%100<11) ? 1 : (n%100>10 && n%100<20 ) ? 2 : 3)",
    "icelandic": "(n%10!=1 || n%100==11)",
    "odd_not": "!n % 10 == 1 && n || 7",
    "odd_chain": "!n == 1 == 0 ? n / 3 : n % (0 - 4) - 2",
    "odd_ops": "n || 5 ? n && 9 : (n - 10) / 3",
    "odd_compare": "1 < n < 3 == n > 2",
    "zero_div": "n % (n - 3)",
    "big": "n * 1000000 * 1000000 % 1000000007",
    "nested": "n ? n > 3 ? 1 ? 2 : 3 : 4 : 5",
}
BAD_RULES = ["", "n +", "(n", "n)", "n ? 1", "n = 1", "x", "nn", "10n", "n & 1", "n == !n",
             "n + !1", "-1", "n\n", "n ? 1 : 2 : 3", "(" * 21 + "n" + ")" * 21, "n " * 501,
             "1 == 2 == 3 == 4 == 5 == 6 == 7 == 8 == 9 == 10 == 11 == 12 == 13 == 14 == 15 == 16 == 17 == 18 == 19 == 20 == 21 == 22 == 23",
             "n ? : 1", "n ! 1", "n !! 1", "n >== 1", "()", "n ++ 1"]
GOOD_RULES = ["(" * 20 + "n" + ")" * 20, "!!!n", "n && !n", "!n ? 1 : 0", "n ? !n : 1", "n || !n",
              "1 == 2 == 3", "n\t>\t1", "007", "n?1:n?2:n?3:4"]


def plural_vectors():
    ns = list(range(-3, 230)) + [1000, 1001, 1011, 1021, 10**6 + 1, 2**40, 2**62]
    rules = dict(RULES)
    for i, g in enumerate(GOOD_RULES):
        rules["good%d" % i] = g
    out = {"ns": ns, "rules": {}, "bad": []}
    for name, expr in rules.items():
        f = gettext.c2py(expr)
        vals = []
        for n in ns:
            try:
                vals.append(f(n))
            except ZeroDivisionError:
                vals.append(None)
        out["rules"][name] = {"expr": expr, "values": vals}
    for expr in BAD_RULES:
        try:
            gettext.c2py(expr)
        except (ValueError, SyntaxError):
            out["bad"].append(expr)
        else:
            raise AssertionError("accepted: %r" % expr)
    return out


def interpolate_vectors():
    mapping = {"s": "héllo", "n": 42, "neg": -7, "z": 0, "big": 10**20, "e": "",
               "q": "it's \\ \"x\"", "dq": "say \"hi\"", "ctl": "a\tb\n\x01\x7f\xe9\u20ac\U0001f600"}
    formats = ["", "plain", "%%", "100%% sure", "%(s)s", "%(n)s", "%(n)d", "%(neg)d", "%(n)i", "%(n)u",
               "%(s)10s|", "%(s)-10s|", "%(s).3s", "%(s)10.2s", "%(n)5d", "%(n)-5d|", "%(n)05d",
               # A bare "%s" formats the whole mapping in Python; Rust refuses it.
             "%(neg)05d", "%(n)+d", "%(neg)+d", "%(n) d", "%(n)x", "%(n)X", "%(n)#x", "%(n)#X",
               "%(n)o", "%(n)#o", "%(neg)#x", "%(n)#010x", "%(n).5d", "%(neg).5d", "%(n)8.5d",
               "%(n)f", "%(n).2f", "%(neg)10.3f", "%(n)010.1f", "%(z)+.0f", "%(n)#.0f", "%(big)d",
               "%(big)s", "%(n)c", "%(e)s|%(e)5s", "%(s)s %(s)s", "%(n)ld", "%(n)hd", "%(s)05s",
               "%(a)s", "%(s)d", "%(s", "tail %", "%(n)", "%(n)*d", "%(n).*d", "%(n)q",
               "%(n)5", "%(n)r", "%(s)r", "%(s)a", "%(q)r", "%(q)a", "%(dq)r", "%(ctl)a", "%d", "%(s)c", "%(neg)c", "%((s))s", "%()s", "%(s)%", "%5%", "%-%"]
    out = []
    for f in formats:
        m = dict(mapping)
        m["(s)"] = "nested"
        m[""] = "empty"
        try:
            out.append([f, f % m])
        except (KeyError, ValueError, TypeError, OverflowError):
            out.append([f, None])
    return out


def csv_load_vectors():
    """Files loaded with Tornado's load_translations: bytes in, tables out."""
    texts = [
        b'"school","\xc3\xa9cole"\n',
        b'\xef\xbb\xbf"school","\xc3\xa9cole"\r\n',
        '"school","école"\n"a","b"\n'.encode("utf-16"),
        '"school","école"\n'.encode("utf-16-be").join([b"\xfe\xff", b""]),
        b'a,b\n\n"c,d","e""f"\r\nlone\n"x","y","plural"\n"x","z","singular"\n"q","r","bogus"\n',
        b'"multi\r\nline","two\rlines"\n',
        b'  spaced  ,  cells  \n\t"tab"\t,x\n',
        b'"ab"cd,e\n',
        b'a"b,c\n',
        b'"unterminated,x\n',
        b'a,b,c,d,e\n',
        b'a,b,,\n',
        b'a,b, plural\n',
        b'a,b,Plural\n',
        b'\xff\xfe',
        b'"ok","fine"\n\xff\n',
        b'a,\xe9\n',
        b'"a","b"\r\n"a","c"\r\n',
        b'x\x1c,y\x1f\n',
        b'\xc2\xa0nbsp\xc2\xa0,\xe2\x80\x83em\n',
        b'"",""\n"",x\n',
        b'a,b\r',
        b'"a\n\nb",c\n',
    ]
    out = []
    for raw in texts:
        tmp = tempfile.mkdtemp()
        try:
            with open(os.path.join(tmp, "xx.csv"), "wb") as f:
                f.write(raw)
            reset()
            try:
                L.load_translations(tmp)
                result = L._translations.get("xx", {})
            except Exception as e:  # noqa: BLE001
                result = {"error": type(e).__name__}
            out.append([base64.b64encode(raw).decode(), result])
        finally:
            shutil.rmtree(tmp)
    return out


def names_vector():
    return {k: [v["name_en"], v["name"]] for k, v in sorted(L.LOCALE_NAMES.items())}


def dumps(data):
    """JSON with one case (or one top-level entry) per line, for readable diffs."""
    def one(v):
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    if isinstance(data, dict):
        items = []
        for k, v in data.items():
            if isinstance(v, list) and len(v) > 8:
                items.append(one(k) + ":[\n" + ",\n".join(one(c) for c in v) + "\n]")
            else:
                items.append(one(k) + ":" + one(v))
        return "{\n" + ",\n".join(items) + "\n}"
    return one(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    outputs = {
        "format_date.json": {"nows": NOWS, "cases": format_date_vectors()},
        "format_day.json": {"cases": format_day_vectors()},
        "list.json": {"cases": list_vectors()},
        "friendly_number.json": {"cases": number_vectors()},
        "translate.json": {"cases": translate_vectors()},
        "closest.json": closest_vectors(),
        "plural.json": plural_vectors(),
        "interpolate.json": {"cases": interpolate_vectors()},
        "csv_load.json": {"cases": csv_load_vectors()},
        "locale_names.json": names_vector(),
    }
    for name, data in outputs.items():
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            f.write(dumps(data))
            f.write("\n")
        print(name, os.path.getsize(os.path.join(OUT, name)))


if __name__ == "__main__":
    main()
