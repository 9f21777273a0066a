#!/usr/bin/env python3
"""Generates cases.json: templates, JSON contexts and the bytes Python Tornado renders.

Re-run (from this directory):

    python3 -m venv v && v/bin/pip install tornado==6.5.2 && v/bin/python gen_vectors.py

Every case names its templates (inline, or a folder of files such as the demos' templates
under demos/), the loader settings, a JSON context, and the expected output (or the
expected error, as "ExceptionClass: message"). The context is JSON with a few tagged
objects, which tests/vectors.rs converts the same way this script does:

  {"$datetime": "2024-01-02T03:04:05"}  datetime.datetime
  {"$bytes": "text"}                    UTF-8 bytes
  {"$tuple": [...]}                     tuple
  {"$range": N}                         range(N)
  {"$obj": {...}}                       tornado.util.ObjectDict (attribute and item access)
  {"$func": "name"}                     one of the stub functions in STUBS below
  {"$modules": {"Name": spec}}          UI-module stand-ins (see make_modules)

Stubs stand in for what a RequestHandler puts in the namespace (`_`, `static_url`,
`xsrf_form_html`, `locale.format_date`, `request.full_url`, UI modules).
"""
import json
import os
import sys

import tornado
from tornado import escape
from tornado.template import DictLoader, Loader
from tornado.util import ObjectDict

HERE = os.path.dirname(os.path.abspath(__file__))
XSRF = '<input type="hidden" name="_xsrf" value="2|0a1b2c3d|e4f5a6b7|1700000000"/>'


def stub_upper(s):
    return s.upper()


def stub_translate(message, plural_message=None, count=None):
    return message


def stub_static_url(path, include_host=None, **kwargs):
    return "/static/" + path + "?v=0123abcd"


def stub_xsrf_form_html():
    return XSRF


def stub_format_date(date, gmt_offset=0, relative=True, shorter=False, full_format=False):
    return "%s|full=%s|shorter=%s" % (date.strftime("%Y-%m-%d %H:%M"), full_format, shorter)


def stub_full_url():
    return "http://blog.example.com/feed"


def stub_py_escape(s):
    assert type(s) is bytes
    return repr(escape.native_str(s))


def stub_inc(x):
    return x + 1


STUBS = {
    "upper": stub_upper,
    "_": stub_translate,
    "static_url": stub_static_url,
    "xsrf_form_html": stub_xsrf_form_html,
    "format_date": stub_format_date,
    "full_url": stub_full_url,
    "py_escape": stub_py_escape,
    "inc": stub_inc,
}


def make_modules(spec, loader, ctx):
    """UI modules: each renders a template of the same loader with the page's namespace
    plus its arguments, as tornado.web's UIModule.render_string does."""
    mods = ObjectDict()
    for name, how in spec.items():
        if how == "Template":
            mods[name] = lambda path, **kw: loader.load(path).generate(**dict(ctx, **kw))
        elif how == "xsrf_form_html":
            mods[name] = lambda: XSRF
        elif how == "linkify":
            mods[name] = lambda text, **kw: escape.linkify(text, **kw)
        else:  # {"template": path, "args": [names]}
            def module(*args, _how=how):
                kw = dict(zip(_how["args"], args))
                return loader.load(_how["template"]).generate(**dict(ctx, **kw))

            mods[name] = module
    return mods


def to_py(v, loader, ctx):
    if isinstance(v, list):
        return [to_py(x, loader, ctx) for x in v]
    if isinstance(v, dict):
        if len(v) == 1:
            (tag, body), = v.items()
            if tag == "$datetime":
                import datetime
                return datetime.datetime.fromisoformat(body)
            if tag == "$bytes":
                return body.encode("utf-8")
            if tag == "$tuple":
                return tuple(to_py(x, loader, ctx) for x in body)
            if tag == "$range":
                return range(body)
            if tag == "$obj":
                return ObjectDict({k: to_py(x, loader, ctx) for k, x in body.items()})
            if tag == "$func":
                return STUBS[body]
            if tag == "$modules":
                return make_modules(body, loader, ctx)
        return {k: to_py(x, loader, ctx) for k, x in v.items()}
    return v


def render(case):
    opts = {}
    lo = case.get("loader", {})
    if "autoescape" in lo:
        opts["autoescape"] = lo["autoescape"]
    if lo.get("whitespace"):
        opts["whitespace"] = lo["whitespace"]
    if "dir" in case:
        loader = Loader(os.path.join(HERE, case["dir"]), **opts)
    else:
        loader = DictLoader(case["templates"], **opts)
    ctx = {}
    # Modules see the finished namespace, so fill ctx in place.
    for k, v in case.get("context", {}).items():
        ctx[k] = to_py(v, loader, ctx)
    try:
        out = loader.load(case["render"]).generate(**ctx)
    except Exception as e:
        if type(e).__name__ == "ParseError":
            return {"error": str(e)}
        return {"error": "%s: %s" % (type(e).__name__, e)}
    return {"expected": out.decode("utf-8")}


def t(name, src, context=None, **kw):
    """A case with one inline template called name."""
    case = {"name": name, "templates": {name: src}, "render": name, "context": context or {}}
    case.update(kw)
    return case


# ---- The templates of template_test.py ----
AUTOESCAPE = {
    "escaped.html": "{% autoescape xhtml_escape %}{{ name }}",
    "unescaped.html": "{% autoescape None %}{{ name }}",
    "default.html": "{{ name }}",
    "include.html": "escaped: {% include 'escaped.html' %}\nunescaped: {% include 'unescaped.html' %}\ndefault: {% include 'default.html' %}\n",
    "escaped_block.html": "{% autoescape xhtml_escape %}{% block name %}base: {{ name }}{% end %}",
    "unescaped_block.html": "{% autoescape None %}{% block name %}base: {{ name }}{% end %}",
    "escaped_extends_unescaped.html": "{% autoescape xhtml_escape %}{% extends \"unescaped_block.html\" %}",
    "escaped_overrides_unescaped.html": "{% autoescape xhtml_escape %}{% extends \"unescaped_block.html\" %}{% block name %}extended: {{ name }}{% end %}",
    "unescaped_extends_escaped.html": "{% autoescape None %}{% extends \"escaped_block.html\" %}",
    "unescaped_overrides_escaped.html": "{% autoescape None %}{% extends \"escaped_block.html\" %}{% block name %}extended: {{ name }}{% end %}",
    "raw_expression.html": "{% autoescape xhtml_escape %}expr: {{ name }}\nraw: {% raw name %}",
}
WHITESPACE = {
    "foo.html": "   \n\t\n asdf\t   ",
    "bar.js": " \n\n\n\t qwer     ",
    "baz.txt": "\t    zxcv\n\n",
    "include.html": "  {% include baz.txt %} \n ",
    "include.txt": "\t\t{% include foo.html %}    ",
}

CASES = [
    t("simple.html", "Hello {{ name }}!", {"name": "Ben"}),
    t("bytes.html", "Hello {{ name }}!", {"name": {"$bytes": "Ben"}}),
    t("expressions.txt", "2 + 2 = {{ 2 + 2 }}"),
    t("comment.txt", "Hello{# TODO i18n #} {{ name }}!", {"name": {"$bytes": "Ben"}}),
    {"name": "include", "templates": {"index.html": '{% include "header.html" %}\nbody text', "header.html": "header text"}, "render": "index.html"},
    {"name": "extends", "templates": {
        "base.html": "<title>{% block title %}default title{% end %}</title>\n<body>{% block body %}default body{% end %}</body>\n",
        "page.html": "{% extends \"base.html\" %}\n{% block title %}page title{% end %}\n{% block body %}page body{% end %}\n"},
     "render": "page.html"},
    {"name": "relative_load", "templates": {"a/1.html": "{% include '2.html' %}", "a/2.html": "{% include '../b/3.html' %}", "b/3.html": "ok"}, "render": "a/1.html"},
    t("escaping.txt", "{{ 'expr' }} {{!jquery expr}} {%! x %} {#! y #}"),
    t("unicode.txt", "\u00e9 {{ \"\u00e9\" }}"),
    t("apply.txt", "{% apply upper %}foo \u00e9{% end %}", {"upper": {"$func": "upper"}}),
    t("if.txt", "{% if x > 4 %}yes{% else %}no{% end %}", {"x": 5}),
    t("if_else.txt", "{% if x > 4 %}yes{% else %}no{% end %}", {"x": 3}),
    t("if_empty.txt", "{% if True %}{% else %}{% end %}"),
    t("try_ok.txt", "{% try %}\ntry{% set y = 1/x %}\n{% except %}-except\n{% else %}-else\n{% finally %}-finally\n{% end %}", {"x": 1}),
    t("try_err.txt", "{% try %}\ntry{% set y = 1/x %}\n{% except %}-except\n{% else %}-else\n{% finally %}-finally\n{% end %}", {"x": 0}),
    t("comment_directive.txt", "{% comment blah blah %}foo"),
    t("break_continue.txt", "{% for i in range(10) %}\n    {% if i == 2 %}\n        {% continue %}\n    {% end %}\n    {{ i }}\n    {% if i == 6 %}\n        {% break %}\n    {% end %}\n{% end %}"),
    {"name": "non_ascii_name", "templates": {"t\u00e9st.html": "hello"}, "render": "t\u00e9st.html"},
    t("custom_namespace.html", "{{ inc(5) }}", {"inc": {"$func": "inc"}}),
    t("manual_minimize.txt", "{% for i in items\n  %}{% if i > 0 %}, {% end %}{#\n  #}{{i\n  }}{% end\n%}", {"items": {"$range": 5}}),
    t("whitespace_directive.html", "{% whitespace oneline %}\n    {% for i in range(3) %}\n        {{ i }}\n    {% end %}\n{% whitespace all %}\n    pre\tformatted\n"),
    t("custom_escape.py", "{% autoescape py_escape %}s = {{ name }}\n", {"py_escape": {"$func": "py_escape"}, "name": "';sys.exit()"}),
    t("custom_escape_list.py", "{% autoescape py_escape %}s = {{ name }}\n", {"py_escape": {"$func": "py_escape"}, "name": ["not a string"]}),
]
for render_name in ["escaped.html", "unescaped.html", "default.html", "include.html"]:
    for ae in [None, "xhtml_escape"]:
        CASES.append({"name": "autoescape_%s_%s" % (ae, render_name), "templates": AUTOESCAPE, "render": render_name,
                      "loader": {"autoescape": ae}, "context": {"name": "Bobby <table>s"}})
for render_name in ["escaped_block.html", "unescaped_block.html", "escaped_extends_unescaped.html",
                    "escaped_overrides_unescaped.html", "unescaped_extends_escaped.html",
                    "unescaped_overrides_escaped.html", "raw_expression.html"]:
    CASES.append({"name": "autoescape_" + render_name, "templates": AUTOESCAPE, "render": render_name,
                  "context": {"name": "<script>&\"'"}})
for render_name in WHITESPACE:
    CASES.append({"name": "whitespace_" + render_name, "templates": WHITESPACE, "render": render_name})
for mode in ["all", "single", "oneline"]:
    for render_name in ["foo.html", "bar.txt"]:
        CASES.append({"name": "whitespace_%s_%s" % (mode, render_name),
                      "templates": {"foo.html": "\t\tfoo\n\n", "bar.txt": "\t\tbar\n\n"},
                      "render": render_name, "loader": {"whitespace": mode}})

# ---- The expression language, compared with Python ----
EXPRESSIONS = [
    "{{ [x * 2 for x in range(5) if x % 2] }}",
    "{{ {k: v for k, v in [('a', 1), ('b', 2)]} }}",
    "{{ sum(x for x in [1, 2, 3]) }} {{ max(len(w) for w in ['a', 'abc']) }}",
    "{{ '%s-%05.1f-%d%%' % ('a', 2.25, 7) }} {{ '%(x)s/%(y)r' % {'x': 'X', 'y': 'Y'} }}",
    "{{ '%-6s|%6s|%x|%o|%e|%g|%+d' % ('ab', 'cd', 255, 8, 12345.678, 0.00001, 5) }}",
    "{{ '{0}/{name}/{1:>4}/{2:.3f}/{3!r}'.format(1, 'b', 3.14159, 'q', name='n') }}",
    "{{ '{:,}|{:08.2f}|{:^9}|{:x}|{:%}'.format(1234567, -3.5, 'mid', 255, 0.25) }}",
    "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ None is None }} {{ [] is not None }}",
    "{{ 'a' in 'cat' and not None }} {{ 3 not in [1, 2] }} {{ 'k' in {'k': 1} }}",
    "{{ None or [] or 'x' }} {{ 0 and 1 }} {{ 1 and 2 }}",
    "{{ [1, 2, 3][::-1] }} {{ 'hello'[1:3] }} {{ (1, 2, 3)[-1] }} {{ 'h\u00e9llo'[1] }} {{ [0, 1, 2, 3, 4][1:4:2] }}",
    "{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 10 / 4 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }}",
    "{{ 1e16 }} {{ 1e15 }} {{ 0.1 + 0.2 }} {{ 1/3 }} {{ 1e-5 }} {{ 0.0001 }} {{ -0.0 }} {{ 2.5e-7 }} {{ 123456789.125 }}",
    "{{ True + 1 }} {{ 'x' * 3 }} {{ (1,) }} {{ () }} {{ [] }} {{ {} }} {{ [(1, 'a'), None] }} {{ 3 * [0] }}",
    "{{ sorted([3, 1, 2], reverse=True) }} {{ sorted(['b', 'a']) }} {{ list(reversed('abc')) }}",
    "{{ max([1, 5, 3]) }} {{ min(4, 2) }} {{ abs(-3) }} {{ abs(-2.5) }} {{ round(2.5) }} {{ round(3.5) }} {{ round(2.675, 2) }} {{ round(1234, -2) }}",
    "{{ list(zip([1, 2], 'ab')) }} {{ list(enumerate('ab', 1)) }} {{ dict(a=1, b=[2]) }} {{ tuple([1]) }}",
    "{{ ', '.join(str(i) for i in reversed(range(3))) }} {{ '-'.join(['a', 'b']) }}",
    "{{ int('42') + float('0.5') }} {{ int(3.9) }} {{ int('-7') }} {{ float('1e3') }} {{ bool(0) }} {{ bool('x') }} {{ str(1.0) }} {{ repr('x') }} {{ repr(b'y') }}",
    "{{ 'Hello World'.lower().split() }} {{ ' a b '.strip() }} {{ 'a,b,,c'.split(',') }} {{ 'x'.upper() }} {{ 'ab'.center(6, '*') }}",
    "{{ 'hello world'.title() }} {{ 'abc'.capitalize() }} {{ 'abc'.startswith(('x', 'a')) }} {{ 'abc'.endswith('c') }} {{ 'abcabc'.count('b') }}",
    "{{ 'a-b-c'.replace('-', '+', 1) }} {{ 'abc'.find('c') }} {{ 'abc'.find('z') }} {{ '42'.zfill(5) }} {{ 'a=b=c'.rpartition('=') }}",
    "{{ {'a': 1}.get('b', 2) }} {{ {'a': 1}.get('a') }} {{ len({'a': 1}) }} {{ list({'a': 1, 'b': 2}.items()) }} {{ list({'a': 1}.keys()) }}",
    "{% set x = [] %}{% set x.append(1) %}{% set x += [2] %}{% set x.extend([3]) %}{{ x }} {{ x.pop() }} {{ x }}",
    "{% set d = {} %}{% set d['k'] = 'v' %}{% set d.update(z=1) %}{{ d }} {{ d.setdefault('k', 0) }}",
    "{% set a, b = 1, 2 %}{{ a + b }} {% set (c, d), e = (3, 4), 5 %}{{ c * d * e }}",
    "{% for i in range(3) %}{{ i }}{% else %}!{% end %} {% for i in range(3) %}{% if i == 1 %}{% break %}{% end %}{{ i }}{% else %}!{% end %}",
    "{% set i = 0 %}{% while i < 3 %}{% set i += 1 %}{{ i }}{% else %}.{% end %}",
    "{% if 0 %}a{% elif 1 %}b{% else %}c{% end %}{% if 0 %}a{% elif 0 %}b{% else %}c{% end %}",
    "{% for k, v in [('a', 1), ('b', 2)] %}{{ k }}={{ v }};{% end %}{% for i, (a, b) in enumerate([(1, 2)]) %}{{ i }}{{ a }}{{ b }}{% end %}",
    "{% from tornado.escape import url_escape as u %}{{ u('a b&c') }} {{ u('a b', plus=False) }}",
    "{% import tornado.escape %}{{ tornado.escape.squeeze(' a  b ') }} {{ tornado.escape.xhtml_escape('<&>') }}",
    "{% import datetime %}{{ datetime.datetime(2024, 1, 2, 3, 4, 5).strftime('%Y/%m/%d %H:%M:%S %a %b %j') }} {{ datetime.datetime(2024, 1, 2) }}",
    "{{ datetime.datetime(2024, 1, 2, 3, 4, 5, 6) }} {{ datetime.datetime(2024, 1, 2, 3, 4, 5).isoformat() }} {{ datetime.datetime(2020, 2, 29) < datetime.datetime(2021, 1, 1) }}",
    "{{ datetime.datetime.strptime('2012-01-02T03:04:05+0000', '%Y-%m-%dT%H:%M:%S+0000') }} {{ datetime.datetime(2024, 1, 2) - datetime.datetime(2024, 1, 1) }} {{ datetime.timedelta(hours=25) }}",
    "{{ json_encode({'a': [1, 2.5, None, True, '</x>\u00e9']}) }} {{ json_encode('x') }}",
    "{{ url_escape('/a b?c=d&e') }} {{ squeeze('  a \\t\\n b  ') }} {{ escape('<\"\\'&>') }} {{ xhtml_escape(b'<b>') }}",
    "{{ linkify('see http://example.com/a?b=1&c=2 or www.x.org') }}",
    "{% raw linkify('http://example.com/a_very_long_url_that_goes_on_and_on_and_on/and_on', shorten=True, extra_params='rel=\"nofollow\"') %}",
    "{% apply linkify %}go to http://example.com/{% end %} {% apply squeeze %}  a   b  {% end %}",
    "{{{ 1 }}} {{{{x}}}} {", 
    "<pre>  keep   this  </pre>\n\n   collapse   this  \n\n",
    "{{ len('h\u00e9llo') }} {{ len([1, 2]) }} {{ len(range(10)) }} {{ range(3) }} {{ range(1, 9, 2) }} {{ list(range(5, 0, -2)) }}",
    "{{ isinstance(1, int) }} {{ isinstance('a', (int, str)) }} {{ getattr(x, 'a', 'dflt') }} {{ hasattr(x, 'a') }} {{ chr(233) }} {{ ord('A') }} {{ hex(255) }} {{ divmod(7, 2) }}",
    "{{ any([0, 1]) }} {{ all([]) }} {{ list(map(str, [1, 2])) }} {{ list(filter(None, [0, 1, 2])) }} {{ pow(2, 8) }} {{ callable(len) }}",
    "{{ 'b' if 0 else 'c' }} {{ -5 }} {{ +5 }} {{ ~5 }} {{ 6 & 3 }} {{ 6 | 3 }} {{ 6 ^ 3 }} {{ 1 << 4 }} {{ 256 >> 2 }}",
    "{{ \"it's\" }} {{ repr(\"it's\") }} {{ repr('a\"b') }} {{ repr('tab\\there') }} {{ ['\\n', '\u00e9', '\\x00'] }}",
    "{{ x }} {{ x.a }} {{ x['a'] }}",
    "{{ 'a' 'b' }} {{ r'\\n' }} {{ b'bytes' }} {{ [b'a'] }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1_000_000 }}",
    "{% try %}{{ {}['k'] }}{% except ZeroDivisionError %}zero{% except LookupError as e %}lookup {{ e }}{% end %}",
    "{% try %}{% try %}{{ 1/0 }}{% finally %}[f]{% end %}{% except ArithmeticError %}[caught]{% end %}",
    "{% set x = 1 %}{% apply upper %}{% set x = 'inner' %}{{ x }}{% end %}{{ x }}",
    "{% for i in range(3) %}{% apply upper %}a{{ i }}{% end %}{% end %}",
    "{{ '%s' % [1, 2] }} {{ '%s %s' % (1, [2]) }} {{ '%r' % 'x' }} {{ '%5.2f|%-5d|%05d' % (3.14159, 42, -42) }}",
    "{{ 1000 // 10 if False else 2 ** 62 }} {{ 9007199254740993 }} {{ -9223372036854775807 - 1 }}",
]
CASES.append(t("pre.html", "<pre>  keep   this  </pre>\n\n   collapse   this  \n\n{{ 1 }}  <pre>\n\n  x</pre>  \n  y"))
for i, src in enumerate(EXPRESSIONS):
    CASES.append(t("expr%02d.txt" % i, src, {"upper": {"$func": "upper"}, "x": {"$obj": {"a": "A"}}}))

# ---- Errors, compared with Python's messages ----
ERRORS = [
    "{{", "{%", "{#", "\n\n{{ }}", "{% %}", "{% end %}", "{% if x %}\n", "{% foo %}", "{% extends %}",
    "{% include '' %}", "{% set %}", "{% import %}", "{% apply %}{% end %}", "{% block %}{% end %}",
    "{% whitespace bogus %}", "{% for x in y %}{% elif %}{% end %}", "{% try %}{% elif %}{% end %}",
    "{{ nope }}", "{{ x }}{% set x = 1 %}", "{{ [][0] }}", "{{ {}['k'] }}", "{{ 'a' + 1 }}", "\n{{ len(1) }}",
    "{{ 1 / 0 }}", "{{ 1 // 0 }}", "{{ 1 % 0 }}", "{{ 1.0 / 0 }}", "{{ None.x }}", "{{ 'x'.nope }}", "{{ 1() }}",
    "{% set a, b = [1] %}", "{% set a, b = [1, 2, 3] %}", "{{ int('x') }}", "{{ float('y') }}", "{{ max([]) }}",
    "{{ 1 < 'a' }}", "{{ (1)[0] }}", "{{ [1][1:2:0] }}", "{% import nope %}", "{{ -'a' }}", "{{ {}[[]] }}",
    "{{ ''.join([1]) }}", "{{ [].pop() }}", "{{ 'abc'.index('z') }}", "{{ chr(-1) }}", "{{ '%d' % 'x' }}",
    "{{ '%s %s' % (1,) }}", "{{ '%s' % (1, 2) }}", "{{ '{}'.format() }}", "{{ datetime.datetime.strptime('x', '%Y') }}",
]
for i, src in enumerate(ERRORS):
    CASES.append(t("err%02d.html" % i, src))

# ---- The benchmark templates (../shared/bench/templates/tpl/tornado), small ----
BENCH = os.path.join(HERE, "bench")
CASES.append({"name": "bench_big_table", "dir": "bench", "render": "big-table.html",
              "context": {"table": [list(range(5)) for _ in range(5)]}})
CASES.append({"name": "bench_teams", "dir": "bench", "render": "teams.html",
              "context": {"year": 2015, "teams": [{"$obj": {"name": n, "score": s}} for n, s in
                                                  [("Jiangsu", 43), ("Beijing", 27), ("Guangzhou", 22), ("Shandong", 12)]]}})

# ---- The demos ----
def dt(s):
    return {"$datetime": s}


ENTRIES = [
    {"$obj": {"id": 2, "slug": "second-post", "title": "Second <post> & more", "markdown": "*hi*",
              "html": "<p><em>hi</em> &amp; bye</p>", "published": dt("2024-02-03T04:05:06"),
              "updated": dt("2024-03-01T10:00:00")}},
    {"$obj": {"id": 1, "slug": "first-post", "title": "First \u00e9 post", "markdown": "x",
              "html": "<p>x</p>", "published": dt("2024-01-02T03:04:05"), "updated": dt("2024-01-05T00:00:00")}},
]
BLOG_CTX = {
    "handler": {"$obj": {"settings": {"blog_title": "Tornado <Blog> & co"}}},
    "request": {"$obj": {"uri": "/archive?x=1&y=<2>", "path": "/compose", "host": "blog.example.com",
                         "full_url": {"$func": "full_url"}}},
    "current_user": {"$obj": {"name": "Ann", "id": 1}},
    "locale": {"$obj": {"format_date": {"$func": "format_date"}}},
    "_": {"$func": "_"},
    "static_url": {"$func": "static_url"},
    "xsrf_form_html": {"$func": "xsrf_form_html"},
    "entries": ENTRIES,
    "_tt_modules": {"$modules": {"Entry": {"template": "modules/entry.html", "args": ["entry"]},
                                 "xsrf_form_html": "xsrf_form_html", "Template": "Template"}},
}
for page, extra in [("home.html", {}), ("archive.html", {}), ("feed.xml", {}),
                    ("compose.html", {"entry": ENTRIES[0]}), ("compose.html", {"entry": None}),
                    ("login.html", {"error": "Bad <password>"}), ("login.html", {"error": None}),
                    ("create_author.html", {}), ("home.html", {"current_user": None})]:
    ctx = dict(BLOG_CTX, **extra)
    CASES.append({"name": "demo_blog_%s_%d" % (page, len([c for c in CASES if c["name"].startswith("demo_blog_" + page)])),
                  "dir": "demos/blog/templates", "render": page, "context": ctx})

MESSAGES = [{"id": "a1", "from": "Ann <ann@x.org>", "body": "hello http://tornadoweb.org/ & <b>you</b>"},
            {"id": "b2", "from": "Bob", "body": "\u00e9t\u00e9 www.example.com"}]
CHAT_CTX = {
    "messages": MESSAGES,
    "request": {"$obj": {"path": "/chat?room=<1>"}},
    "_": {"$func": "_"},
    "static_url": {"$func": "static_url"},
    "_tt_modules": {"$modules": {"Template": "Template", "xsrf_form_html": "xsrf_form_html", "linkify": "linkify"}},
}
CASES.append({"name": "demo_chat_index", "dir": "demos/chat/templates", "render": "index.html", "context": CHAT_CTX})
CASES.append({"name": "demo_chat_message", "dir": "demos/chat/templates", "render": "message.html",
              "context": dict(CHAT_CTX, message=MESSAGES[0])})
CASES.append({"name": "demo_websocket_index", "dir": "demos/websocket/templates", "render": "index.html", "context": CHAT_CTX})

POSTS = [
    {"actor_id": "7", "from": {"id": "7", "name": "Zo\u00eb <z>"}, "message": "Look & see",
     "created_time": "2012-01-02T03:04:05+0000", "actions": [{"link": "http://fb.example/7/posts/1?a=1&b=2"}]},
    {"actor_id": "8", "from": {"id": "8", "name": "Max"}, "created_time": "2013-05-06T07:08:09+0000"},
]
FB_CTX = {
    "current_user": {"name": "Ann & <Bob>"},
    "stream": {"posts": POSTS, "profiles": {"7": {"name": "Zo\u00eb"}, "8": {"name": "Max"}}},
    "_": {"$func": "_"},
    "static_url": {"$func": "static_url"},
    "locale": {"$obj": {"format_date": {"$func": "format_date"}}},
    "modules": {"$modules": {"Post": {"template": "modules/post.html", "args": ["post"]}}},
}
CASES.append({"name": "demo_facebook_stream", "dir": "demos/facebook/templates", "render": "stream.html",
              "loader": {"autoescape": None}, "context": FB_CTX})


def main():
    out = []
    for case in CASES:
        result = render(case)
        case = dict(case)
        case.update(result)
        out.append(case)
    path = os.path.join(HERE, "cases.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"generator": "gen_vectors.py", "tornado": tornado.version, "cases": out}, f,
                  ensure_ascii=False, indent=1)
        f.write("\n")
    print("%d cases (%d errors) written to %s" % (len(out), sum("error" in c for c in out), path), file=sys.stderr)


if __name__ == "__main__":
    main()
