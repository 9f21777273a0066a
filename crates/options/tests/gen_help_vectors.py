"""Writes tests/data/help_vectors.json: Tornado's `print_help` output for sets of defines.

Each case lists its defines (name, default, type, help, metavar, multiple, group) and the
exact text Python Tornado 6.5.2 prints, which tests/options.rs compares byte for byte
with ours. Defaults of type datetime/timedelta are tagged objects in the JSON.

Re-run from this directory with:
    python3 -m venv v && v/bin/pip install tornado==6.5.2 && v/bin/python gen_help_vectors.py
"""

import datetime
import io
import json
import os
import sys

from tornado.log import define_logging_options
from tornado.options import OptionParser

TYPES = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "datetime": datetime.datetime,
    "timedelta": datetime.timedelta,
}


def to_python(default):
    if isinstance(default, dict):
        if "datetime" in default:
            return datetime.datetime.strptime(default["datetime"], "%Y-%m-%d %H:%M:%S")
        if "timedelta_us" in default:
            return datetime.timedelta(microseconds=default["timedelta_us"])
    if isinstance(default, list):
        return [to_python(d) for d in default]
    return default


LONG_HELP = (
    "A long help text that goes on and on so that it has to be wrapped over several "
    "lines, with a well-known hyphenated-word and an em--dash in it."
)

CASES = [
    {"name": "only_help", "program": "main.py", "defines": []},
    {
        "name": "types_and_defaults",
        "program": "server",
        "defines": [
            {"name": "port", "default": 8888, "help": "run on the given port", "group": "app.rs"},
            {"name": "debug", "default": False, "help": "debug mode", "group": "app.rs"},
            {"name": "name", "type": "str", "help": "a name without default", "group": "app.rs"},
            {"name": "empty", "default": "", "help": "empty default is not shown", "group": "app.rs"},
            {"name": "ratio", "default": 1.5, "group": "app.rs"},
            {"name": "huge", "default": 1e20, "help": "float repr", "group": "app.rs"},
            {"name": "small", "default": 0.00001, "group": "app.rs"},
            {"name": "hosts", "default": ["a:1", "b's:2"], "multiple": True, "group": "app.rs"},
            {"name": "ports", "type": "int", "multiple": True, "help": "no default", "group": "app.rs"},
            {"name": "when", "default": {"datetime": "2013-04-28 05:16:00"}, "group": "app.rs"},
            {"name": "delay", "default": {"timedelta_us": 45000000}, "group": "app.rs"},
            {"name": "back", "default": {"timedelta_us": -5000000}, "group": "app.rs"},
            {"name": "days", "default": {"timedelta_us": 90061000001}, "group": "app.rs"},
            {"name": "no_help", "type": "int"},
        ],
    },
    {
        "name": "wrapping_and_prefixes",
        "program": "/usr/bin/prog",
        "defines": [
            {"name": "short", "default": "x", "help": LONG_HELP, "group": "wrap.rs"},
            {"name": "with_metavar", "metavar": "PATH", "help": "a path", "group": "wrap.rs"},
            {
                "name": "a_very_long_option_name_indeed",
                "metavar": "VALUE",
                "help": "the prefix is longer than thirty characters",
                "group": "wrap.rs",
            },
            {"name": "exactly_thirty_characters_xyz", "help": "prefix of 29", "group": "wrap.rs"},
            {"name": "exactly_thirty_characters_xyzw", "help": "prefix of 30", "group": "wrap.rs"},
            {"name": "long_no_help_option_name_here_x", "group": "wrap.rs"},
            {"name": "unicode", "default": "李康", "help": "ünïcödé hélp " * 6, "group": "wrap.rs"},
            {"name": "tabs", "help": "a\ttab and\na newline", "group": "wrap.rs"},
            {"name": "word", "help": "x" * 60, "group": "wrap.rs"},
        ],
    },
    {
        "name": "groups",
        "program": "main.py",
        "defines": [
            {"name": "zeta", "default": 1, "group": "b_group"},
            {"name": "alpha", "default": 2, "group": "b_group"},
            {"name": "Beta", "default": 3, "group": "b_group"},
            {"name": "dashed-name", "default": 4, "group": "a_group"},
            {"name": "under_score", "default": 5, "group": "a_group"},
            {"name": "path", "default": 6, "group": "src/./x/../main.rs"},
            {"name": "abs", "default": 7, "group": "/abs//dir/file.rs"},
            {"name": "upper", "default": 8, "group": "Zed"},
        ],
    },
]


def run_case(case):
    options = OptionParser()
    for d in case["defines"]:
        kwargs = {"default": to_python(d.get("default"))}
        for key in ("help", "metavar", "multiple"):
            if key in d:
                kwargs[key] = d[key]
        if "type" in d:
            kwargs["type"] = TYPES[d["type"]]
        options.define(d["name"], **kwargs)
        # The default group is the calling file; give every case its group explicitly
        # (an empty group for those without one, as Tornado's own `help`).
        options._options[d["name"].replace("_", "-")].group_name = d.get("group", "")
    buf = io.StringIO()
    old_argv = sys.argv
    sys.argv = [case["program"]]
    try:
        options.print_help(buf)
    finally:
        sys.argv = old_argv
    return buf.getvalue()


def logging_case():
    """The logging options, grouped under the file that defines them in tornado-log."""
    options = OptionParser()
    define_logging_options(options)
    for name, opt in options._options.items():
        if name != "help":
            opt.group_name = "crates/log/src/options.rs"
    buf = io.StringIO()
    sys.argv = ["main.py"]
    options.print_help(buf)
    return buf.getvalue()


def main():
    out = []
    for case in CASES:
        out.append(dict(case, expected=run_case(case)))
    out.append({"name": "logging", "program": "main.py", "defines": "logging", "expected": logging_case()})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "help_vectors.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
