"""Conformance cases for TemplateEngine: template, context, options, included files.

Each case is a dict: id, template, and optionally context (JSON-like), options
(trim_blocks, lstrip_blocks, keep_trailing_newline, *_string delimiters, undefined:
"lenient" for Jinja2's default Undefined) and files
(name -> source, for include). conformance_expected.py renders them with Jinja2.
"""

import re

CASES = []


def case(id, template, context=None, options=None, files=None):
    c = {"id": id, "template": template}
    if context is not None:
        c["context"] = context
    if options:
        c["options"] = options
    if files:
        c["files"] = files
    CASES.append(c)


CTX = {
    "name": "World", "n": 7, "f": 2.5, "neg": -3, "zero": 0, "t": True, "no": False, "nothing": None,
    "items": ["b", "a", "c"], "nums": [3, 1, 2, 10], "empty": [], "emptyd": {}, "s": "  Hello World  ",
    "d": {"b": 2, "a": 1, "c": {"x": [1, 2]}},
    "users": [{"name": "ann", "age": 31, "team": "x", "admin": True},
              {"name": "Bob", "age": 25, "team": "y", "admin": False},
              {"name": "cid", "age": 31, "team": "x", "admin": False}],
    "pairs": [["a", 1], ["b", 2]], "path": "/srv/app/config.yaml", "text": "The quick brown fox jumps over the lazy dog",
    "uni": "Zoë 🚀 e\u0301", "words": "one two  three",
}

# ---------------------------------------------------------------- whitespace matrix
STATEMENTS = {
    "if": ("{%S if t E%}\n  yes\n{%S endif E%}\n", {}),
    "ifelse": ("{%S if no E%}\n  a\n{%S elif t E%}\n  b\n{%S else E%}\n  c\n{%S endif E%}\n", {}),
    "for": ("{%S for x in items E%}\n  - {{ x }}\n{%S endfor E%}\n", {}),
    "forelse": ("{%S for x in empty E%}\n  x\n{%S else E%}\n  none\n{%S endfor E%}\n", {}),
    "set": ("a\n  {%S set v = 1 E%}\n  b{{ v }}\n", {}),
    "setblock": ("{%S set v E%}\n  inner\n{%S endset E%}\n[{{ v }}]\n", {}),
    "macro": ("{%S macro m(x) E%}\n  <{{ x }}>\n{%S endmacro E%}\n{{ m(1) }}{{ m(2) }}\n", {}),
    "raw": ("  {%S raw E%}\n  {{ x }}\n  {%S endraw E%}\n", {}),
    "comment": ("a\n  {#S note E#}\n  b\n", {}),
    "include": ("x\n  {%S include 'p.txt' E%}\n  y\n", {"p.txt": "P\n"}),
    "filter": ("{%S filter upper E%}\n  abc\n{%S endfilter E%}\n", {}),
    "output": ("a\n  {{S name E}}\n  b\n", {}),
}
CONTROLS = {"plain": ("", ""), "left": ("-", ""), "right": ("", "-"), "both": ("-", "-"), "plus": ("+", "")}
OPTIONS = {"default": {}, "trim": {"trim_blocks": True}, "lstrip": {"lstrip_blocks": True},
           "trimlstrip": {"trim_blocks": True, "lstrip_blocks": True}}
for sname, (tpl, files) in STATEMENTS.items():
    for cname, (left, right) in CONTROLS.items():
        if cname == "plus" and sname == "output":
            continue
        body = tpl.replace("S", left).replace(" E", " " + right if right else " ")
        for oname, opts in OPTIONS.items():
            case("ws-%s-%s-%s" % (sname, cname, oname), body, CTX, opts, files or None)

# ---------------------------------------------------------------- expressions
EXPRESSIONS = [
    "1 + 2", "7 - 10", "3 * 4", "7 / 2", "6 / 3", "7 // 2", "-7 // 2", "7 % 3", "-7 % 3", "7 % -3", "2 ** 10",
    "2 ** -1", "2 ** 3 ** 2", "7.5 // 2", "-7.5 % 2", "1.5 * 2", "0.1 + 0.2", "1e20", "1e16", "1e15", "123456789.125",
    "1.5e-7", "0.0001", "0.00001", "-0.0", "3.0", "1_000 + 1", "10 / 4", "1 / 3", "2.0 ** 0.5", "100000000000000000000.0",
    "'a' ~ 1 ~ none ~ true", "'ab' * 3", "3 * 'ab'", "[1, 2] * 2", "[1] + [2, 3]", "'x' + 'y'",
    "1 < 2 < 3", "3 > 2 > 2", "1 == 1.0", "'a' < 'b'", "'B' < 'a'", "[1, 2] < [1, 3]", "1 != 2", "2 >= 2",
    "'a' in 'cat'", "'z' not in 'cat'", "2 in [1, 2]", "'a' in {'a': 1}", "'b' not in {'a': 1}",
    "true and 'x'", "false or 'y'", "0 or none", "none and 1", "not 0", "not not 'a'", "not empty",
    "'yes' if t else 'no'", "'yes' if no else 'no'", "'yes' if no", "1 if 0 else 2 if 0 else 3",
    "-n", "+n", "-(1 + 2)", "- 2 ** 2", "(1 + 2) * 3", "1 + 2 * 3", "n|abs", "-n|abs", "neg|abs",
    "items", "d", "nums[0]", "nums[-1]", "nums[1:3]", "nums[::-1]", "nums[::2]", "nums[-2:]", "nums[:-1]",
    "nums[5:]", "name[0]", "name[-1]", "name[1:4]", "name[::-1]", "uni[3]", "uni|length", "uni[::-1]",
    "d.a", "d['b']", "d.c.x[1]", "d['c']['x']", "users[1].name", "users.0.name", "pairs[0][1]",
    "[1, 'a', none, true, 2.5]", "{'k': 'v', 'n': [1]}", "{}", "[]", "(1)", "[[1, [2]], {'a': {'b': none}}]",
    "'it\\'s'", "\"say \\\"hi\\\"\"", "'tab\\there'", "'nl\\nx'", "'\\u00e9\\x41'", "'a' 'b' \"c\"",
    "\"it's\"", "['it\\'s', \"x\"]", "['a\\nb', 'c\\\\d']", "{'q': \"'\"}", "true", "True", "none", "None", "false",
    "range(3)|list", "range(1, 10, 3)|list", "range(5, 0, -2)|list", "range(0)|list", "dict(a=1, b=2)", "dict(pairs)",
    "namespace(a=1).a", "d.items()|map('join', '=')|list", "d.keys()|list", "d.values()|list", "d.get('a')", "d.get('zz', 'dflt')", "d.get('zz')",
    "'a,b,,c'.split(',')", "words.split()", "' x y '.split(' ')", "'a b c'.split(' ', 1)", "'  p  '.strip()",
    "'xxpxx'.strip('x')", "'  p  '.lstrip()", "'  p  '.rstrip()", "name.upper()", "name.lower()",
    "'a-b'.replace('-', '+')", "'aaa'.replace('a', 'b', 2)", "name.startswith('Wo')", "name.endswith(('x', 'ld'))",
    "', '.join(items)", "'{} and {}'.format(1, 'two')", "'{0}{1}{0}'.format('a', 'b')", "'{x}-{y}'.format(x=1, y=2)",
    "'{:>5}|{:<4}|{:^7}'.format('a', 'b', 'c')", "'{:.2f}'.format(3.14159)", "'{:05d}'.format(42)", "'{:,}'.format(1234567)",
    "'%s is %d' % ('x', 3)", "'%.3f' % 2.5", "'%5s|%-5s|' % ('a', 'b')", "'%05.1f' % 3.14159", "'%x' % 255", "'%(a)s' % {'a': 1}",
    "'hello world'.title()", "'hello'.capitalize()", "'banana'.count('a')", "'banana'.find('n')", "'42'.isdigit()",
    "'abc'.isalpha()", "'7'.zfill(3)", "'ab'.center(6, '*')", "'ab'.ljust(4) ~ '|'", "'ab'.rjust(4)",
    "'line1\\nline2'.splitlines()", "nums.index(2)", "nums.count(3)", "'ABC'.isupper()", "'abc'.islower()",
    "users|map(attribute='name')|list", "n is odd", "n is even", "f", "f * 2", "neg // 2", "neg % 2", "9 // -2",
    "1 == true", "0 == false", "none == none", "'1' == 1", "[1] == [1.0]", "{'a': 1} == {'a': 1}",
]
for i, e in enumerate(EXPRESSIONS):
    case("expr-%03d" % i, "{{ %s }}" % e, CTX)

# ---------------------------------------------------------------- filters
FILTERS = [
    "-5|abs", "-2.5|abs", "users[0]|attr('name')", "nums|batch(3)|list", "nums|batch(3, 0)|list", "'hello WORLD'|capitalize",
    "'abc'|center(9)", "'abc'|center(8)", "items|count", "missing|default('dflt')", "nothing|default('dflt')",
    "''|default('dflt', true)", "0|d('zero', true)", "d.missing|default('x')", "d.a|default('x')", "name|d",
    "d|dictsort|map('join', '=')|list", "d|dictsort(reverse=true)|map('first')|list", "{'b': 1, 'A': 2, 'a': 3}|dictsort|map('last')|list",
    "{'b': 1, 'A': 2, 'a': 3}|dictsort(true)|map('join')|list", "{'x': 2, 'y': 1}|dictsort(false, 'value')|map('first')|join", "items|first", "name|first", "'3.5'|float", "'abc'|float", "3|float",
    "'x'|float(1.5)", "'%s-%s'|format('a', 2)", "'%(k)s!'|format(k='v')", "users|groupby('team')|map(attribute='grouper')|list", "users|groupby('age')|map(attribute='list')|map('length')|list", "'a\\nb\\n\\nc'|indent",
    "'a\\nb\\n\\nc'|indent(2, true)", "'a\\nb\\n\\nc'|indent(2, true, true)", "'a\\nb\\n'|indent(3)", "'a\\nb'|indent('> ', true)",
    "'42'|int", "'4.7'|int", "4.7|int", "'x'|int", "'x'|int(9)", "'0x1A'|int(0, 16)", "'ff'|int(base=16)", "true|int",
    "d|items|map('first')|list", "items|join", "items|join(', ')", "users|join(', ', attribute='name')", "nums|join('|')", "items|last",
    "name|length", "d|length", "'abc'|list", "d|list", "'ABC'|lower", "nums|map('string')|join(',')", "items|map('upper')|list",
    "users|map(attribute='age')|list", "users|map(attribute='zip', default='?')|list", "nums|max", "nums|min", "items|max",
    "['b', 'A', 'a']|max", "['b', 'A', 'a']|min", "users|max(attribute='age')", "{'a': [1, 'x', none]}|pprint", "nums|reject('odd')|list",
    "users|rejectattr('admin')|map(attribute='name')|list", "name|replace('o', '0')", "'aaa'|replace('a', 'b', 2)", "items|reverse|list",
    "name|reverse", "2.5|round", "3.5|round", "2.675|round(2)", "1.2345|round(2)", "3.14159|round(2, 'floor')", "3.14159|round(1, 'ceil')",
    "7|round", "-2.5|round", "nums|select('odd')|list", "nums|select('>', 2)|list", "nums|select('divisibleby', 5)|list",
    "users|selectattr('admin')|map(attribute='name')|list", "users|selectattr('age', 'equalto', 31)|map(attribute='name')|join(',')",
    "users|selectattr('name', 'in', ['Bob', 'cid'])|list|length", "nums|slice(3)|list", "range(10)|slice(3, 'x')|list",
    "nums|sort", "nums|sort(reverse=true)", "['b', 'A', 'c']|sort", "['b', 'A', 'c']|sort(case_sensitive=true)",
    "users|sort(attribute='age')|map(attribute='name')|list", "users|sort(attribute='age,name')|map(attribute='name')|list",
    "users|sort(attribute='name')|map(attribute='name')|list", "3|string", "none|string ~ '!'", "nums|sum", "users|sum(attribute='age')",
    "[0.1, 0.2]|sum", "nums|sum(start=10)", "'hello big-world (x)'|title", "\"they're\"|title", "d|tojson", "[1, 'a<b>&\\'']|tojson",
    "{'é': 1, 'z': [true, none, 1.5]}|tojson", "d|tojson(2)", "s|trim", "'xxhixx'|trim('x')", "text|truncate(20)", "text|truncate(20, true)",
    "text|truncate(20, false, '…', 0)", "'short'|truncate(3)", "text|truncate(40)", "['a', 'A', 'b', 'a']|unique|list",
    "['a', 'A', 'b']|unique(true)|list", "users|unique(attribute='team')|map(attribute='name')|list", "name|upper",
    "'a b&c/d?e=é'|urlencode", "{'a': 'x y', 'b': 1}|urlencode", "text|wordcount", "'a-b c_d e.f'|wordcount", "text|wordwrap(10)",
    "text|wordwrap(10, wrapstring='<br>')", "'supercalifragilistic word'|wordwrap(8)", "'supercalifragilistic word'|wordwrap(8, false)",
    "'line one\\nline two is longer'|wordwrap(8)", "[3, 1]|list|sort|first", "'abc'|first|upper", "items|length > 2",
]
EXTRA = [
    "'build-123-x'|regex_search('[0-9]+')", "'abc'|regex_search('z')", "'a1b22c333'|regex_findall('[0-9]+')",
    "'k=v, x=y'|regex_findall('(\\\\w)=(\\\\w)')", "'a1b22'|regex_findall('[a-z]([0-9])')", "'Hello World'|regex_replace('o', '0')",
    "'2024-01-05'|regex_replace('(\\\\d+)-(\\\\d+)-(\\\\d+)', '\\\\3/\\\\2/\\\\1')", "'AbC'|regex_replace('[a-z]', '_', ignorecase=true)",
    "'ab'|regex_replace('(?P<x>a)', '<\\\\g<x>>')", "'x\\ny'|regex_replace('^', '> ', multiline=true)",
    "d|to_json", "users[0]|to_json", "'é\"\\n'|to_json", "d|to_nice_json", "{'z': 1, 'a': {'é': [1, 2.5, none]}}|to_nice_json",
    "[]|to_nice_json", "{'a': []}|to_nice_json(2)", "d|to_yaml", "users|to_yaml", "{'a': [1, {'b': [2, 3]}], 'c': {}}|to_yaml",
    "{'s': 'yes', 'n': '123', 'e': '', 'c': 'a: b', 'h': '# x', 'sp': ' lead', 'q': \"it's\", 'u': 'Zoë', 'f': '1.5'}|to_yaml",
    "{'t': 'null', 'b': true, 'x': none, 'fl': 1.0, 'big': 1e20, 'dash': '- x', 'star': '*x', 'tilde': '~'}|to_yaml",
    "'plain'|to_yaml", "42|to_yaml", "[]|to_yaml", "{'k': 'multi\\nline'}|to_yaml", "{'k': 'tab\\there', 'bell': '\\x07'}|to_yaml",
    "d|to_nice_yaml", "users|to_nice_yaml", "{'b': [1, [2, 3]], 'a': {'x': {'y': 1}}}|to_nice_yaml", "users|to_nice_yaml(2)",
    "'yes'|bool", "'Off'|bool", "1|bool", "0|bool", "none|bool", "'true'|bool", "' y '|bool", "path|basename", "path|dirname",
    "'file'|dirname", "'/file'|dirname", "'a/b/'|dirname", "'a/b/'|basename", "'héllo'|b64encode", "'aMOpbGxv'|b64decode",
    "'abc'|hash('sha256')", "''|hash('sha256')", "text|hash('sha256')", "'Hello, World! Ça va?'|slugify", "'  --Zoë Über  café--'|slugify",
    "'My Project 2'|slugify", "'HTTPServerError'|snake_case", "'myVariableName'|snake_case", "'Some Title-Here'|snake_case",
    "'already_snake'|snake_case", "'version2Update'|snake_case", "'ABCDef'|kebab_case", "'Hello World'|kebab_case", "'__x__Y'|kebab_case",
    "'plain-word_1.txt'|quote", "\"it's a test\"|quote", "''|quote", "'<b>&\"x\"'|e", "'<b>'|escape ~ '<i>'", "'<b>'|safe",
]
for i, e in enumerate(FILTERS + EXTRA):
    case("filter-%03d" % i, "{{ %s }}" % e, CTX)

YAML_STRINGS = ["123abc", "0o17", "017", "1_000", "0x1F", "2024-01-01", "2024-1-1 10:00:00", "null", "~", "Null", ":", "a:b", "a: b",
                "-", "- a", "-a", "?", "? a", "a #b", "a# b", "@x", "`x", "%x", "!x", "&x", "*x", "|x", ">x", "'x", '"x', "x'",
                " x", "x ", "\tx", "é", "🚀", "a\u2028b", "---", "...", "--- x", "a\n b", "a \nb", "line\n", "\nlead",
                "1.5e3", "1e3", ".5", "+1", "-1", ".inf", "-.inf", ".nan", "yes", "n", "y", "Y", "on", "OFF", "=", "<<", "[a]",
                "{a}", "a,b", "a]b", "a{b", "#", "a#", "\\", "x\x00", "\ufeffx", "\x85", "é\u00a0z", "a\r\nb", "ok ok"]
for i, value in enumerate(YAML_STRINGS):
    case("yaml-%02d" % i, "{{ v|to_yaml }}{{ {'k': v, v: 1}|to_yaml }}{{ [v, [v]]|to_nice_yaml }}", {"v": value})
for i, (text, width) in enumerate([("  leading spaces here and there", 10), ("multiple   spaces    between words here", 12),
                                  ("a b c d e f g h i j k l m n o p", 5), ("trailing spaces   ", 8), ("x" * 25, 10),
                                  ("tab\tseparated words in a line", 9), ("", 5), ("one\n\ntwo three four five", 9)]):
    case("wordwrap-%02d" % i, "{{ t|wordwrap(%d) }}|{{ t|wordwrap(%d, false) }}" % (width, width), {"t": text})

MORE = [
    "'  a\n\n  b\n'|indent(2)", "''|indent", "'\n'|indent(first=true)", "'a\n'|indent(2, blank=true)", "'x'|indent(0, true)",
    "'hello world foo'|truncate(11)", "'hello world foo'|truncate(12, leeway=0)", "'hello'|truncate(5, leeway=0)",
    "'hello world'|truncate(9, true, '..', 0)", "'abcdefghij'|truncate(3, false, '...', 0)",
    "'%.2e' % 12345.678", "'%g' % 0.0001", "'%g' % 1234567", "'%i%%' % 50", "'%r' % 'x'", "'%s %s' % (none, true)",
    "'{:e}'.format(1234.5)", "'{:g}'.format(0.5)", "'{!r}'.format('x')", "'{0:>{1}}'.format('a', 3) if false else 'skip'",
    "'{:x}'.format(255)", "'{:#x}'.format(255) if false else '{:X}'.format(255)", "'{:+.1f}'.format(2)", "'{:10.3f}|'.format(-3.14159)",
    "'{:*^9}'.format('mid')", "'{:.3}'.format('abcdef')", "'{}'.format(1.0)", "'{}'.format(none)", "'{:d}'.format(true) if false else 1",
    "0.5|round", "1.5|round", "-0.5|round", "2.345|round(2)", "1234.5678|round(-2) if false else 1", "10|round(1)", "0.1|round(1, 'ceil')",
    "'1e3'|float", "' 12 '|int", "'1_000'|int", "'-7'|int", "'+3'|int", "'3.99'|int", "'0b101'|int(0, 2)", "'z'|int(default=-1)",
    "none|int", "[1]|int", "1e10|int", "-2.7|int", "'nan'|float", "'-inf'|float", "'  2.5  '|float",
    "'a1b2'|regex_replace('\\d', '#')", "'one two'|regex_replace('(\\w+) (\\w+)', '\\2 \\1')", "'aaa'|regex_replace('a*', '-')",
    "'path/to/file.txt'|regex_search('[^/]+$')", "'ab12cd'|regex_search('(?P<num>[0-9]+)')", "'Hello'|regex_search('hello', ignorecase=true)",
    "'a.b.c'|regex_findall('\\.')", "'x=1;y=22'|regex_findall('(?P<k>\\w)=(\\d+)')", "'café'|regex_findall('\\w+')",
    "'line1\nline2'|regex_findall('^line\\d$', multiline=true)", "'tab\there'|regex_replace('\\s', '_')",
    "[3, 'a']|sort if false else [3, 1]|sort", "[[2, 'b'], [1, 'a']]|sort", "['b', 'a']|sort|first", "[1.5, 1, 2]|sort", "[true, 0, 2]|sort",
    "{'b': 1, 'a': 2}|dictsort|first|last", "[1, 2, 3]|sum / 3", "['a', 'b']|sum(start='')", "[[1], [2]]|sum(start=[])",
    "users|map(attribute='name')|map('upper')|join", "users|selectattr('admin', 'false')|list|length", "nums|select|list",
    "[0, 1, '', 'a', none, [], [0]]|select|list", "[0, 1, '', 'a']|reject|list", "users|rejectattr('age', 'lt', 30)|map(attribute='name')|list",
    "range(7)|batch(3)|map('sum')|list", "range(7)|slice(3)|map('length')|list", "'abc'|batch(2)|list", "users|groupby('admin')|map(attribute='grouper')|list",
    "users|groupby('name', case_sensitive=false)|map(attribute='grouper')|list", "users|unique(attribute='age')|list|length",
    "'Hello'|center(10, ) if false else 'Hello'|center(10)", "12|string|length", "[1, [2, [3]]]|string", "{'a': 'b'}|string",
    "'ÀÉÎ'|lower", "'straße'|upper", "'ǆ'|title", "'élan vital'|capitalize", "'i'|upper", "'ΣΑΣ'|lower", "'ﬁ'|upper",
    "'a-b c'|title", "'x_y z'|title", "\"o'neil mc-d\"|title", "'  spaced   out  '|wordcount", "'3.14'|wordcount",
    "users[0]|dictsort|map('first')|list", "users[0]|items|list|length", "{'z': 1}|tojson(indent=2)", "{'a': 'é'}|tojson",
    "'</script>'|tojson", "none|tojson", "1.0|tojson", "[1e100, -0.0]|tojson", "'a&b'|urlencode", "'ü/ä?'|urlencode", "[['a b', 'c']]|urlencode",
    "1|urlencode", "'x'|e|length", "{'b': 1}|pprint", "'multi\nline'|pprint",
]
for i, e in enumerate(MORE):
    case("more-%03d" % i, "{{ %s }}" % e, CTX)

# ---------------------------------------------------------------- tests
TESTS = [
    "n is defined", "missing is defined", "missing is undefined", "d.zz is defined", "d.a is defined", "nothing is none",
    "missing is none", "0 is none", "name is string", "n is string", "n is number", "f is number", "t is number", "n is integer",
    "f is integer", "f is float", "d is mapping", "items is mapping", "items is sequence", "name is sequence", "d is sequence",
    "n is sequence", "items is iterable", "n is iterable", "4 is even", "3 is odd", "9 is divisibleby 3", "9 is divisibleby(4)",
    "none is sameas none", "true is sameas true", "1 is sameas true", "2 is in [1, 2]", "'a' is in 'abc'", "1 is eq 1",
    "1 is ne 1", "1 is lt 2", "2 is le 1", "3 is gt 2", "2 is ge 3", "3 is equalto 3", "true is true", "1 is true",
    "false is false", "0 is false", "'abc' is lower", "'aBc' is lower", "'ABC' is upper", "n is not string",
    "missing is not defined", "n is not odd and n is number", "n is > 5", "n is == 7", "t is boolean", "1 is boolean",
]
for i, e in enumerate(TESTS):
    case("test-%03d" % i, "{{ %s }}" % e, CTX)

# ---------------------------------------------------------------- statements
STATEMENT_CASES = {
    "loop-vars": "{% for x in items %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}",
    "loop-cycle": "{% for x in nums %}{{ loop.cycle('odd', 'even') }} {% endfor %}",
    "loop-prev-next": "{% for x in items %}{{ loop.previtem|default('-') }}>{{ x }}>{{ loop.nextitem|default('-') }};{% endfor %}",
    "loop-nested": "{% for a in [1, 2] %}{% for b in 'xy' %}{{ loop.depth }}{{ a }}{{ b }}{{ loop.index }} {% endfor %}{{ loop.index }}|{% endfor %}",
    "loop-unpack": "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",
    "loop-unpack-pairs": "{% for (a, b) in pairs %}{{ a }}{{ b }}{% endfor %}",
    "loop-filter": "{% for x in nums if x > 1 %}{{ x }}{{ loop.index }}/{{ loop.length }} {% endfor %}",
    "loop-dict": "{% for k in d %}{{ k }}{% endfor %}",
    "loop-string": "{% for c in uni %}[{{ c }}]{% endfor %}",
    "loop-else-filtered": "{% for x in nums if x > 100 %}{{ x }}{% else %}none{% endfor %}",
    "loop-scope": "{% set c = 0 %}{% for i in nums %}{% set c = c + i %}{{ c }},{% endfor %}{{ c }}",
    "loop-var-leak": "{% for x in items %}{% endfor %}{{ x is defined }}",
    "loop-range": "{% for i in range(2, 11, 4) %}{{ i }} {% endfor %}",
    "loop-tuple-literal": "{% for x in 1, 2, 3 %}{{ x }}{% endfor %}",
    "namespace": "{% set ns = namespace(total=0, seen=[]) %}{% for u in users %}{% set ns.total = ns.total + u.age %}{% endfor %}{{ ns.total }}",
    "set-tuple": "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set x, y = pairs[1] %}{{ x }}{{ y }}",
    "set-block-filter": "{% set v | upper %}text {{ name }}{% endset %}{{ v }}",
    "set-in-if": "{% if t %}{% set v = 'in' %}{% endif %}{{ v }}",
    "if-elif": "{% for i in range(4) %}{% if i == 0 %}zero{% elif i == 1 %}one{% elif i == 2 %}two{% else %}many{% endif %} {% endfor %}",
    "if-nested": "{% if t %}{% if no %}a{% else %}{% if n > 5 %}b{% endif %}{% endif %}{% endif %}",
    "macro-defaults": "{% macro greet(who, greeting='Hello', punct='!') %}{{ greeting }}, {{ who }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', 'Hi') }} {{ greet(punct='?', who='C') }}",
    "macro-recursive": "{% macro fact(k) %}{% if k <= 1 %}1{% else %}{{ k * fact(k - 1)|int }}{% endif %}{% endmacro %}{{ fact(5) }}",
    "macro-in-loop": "{% macro li(x) %}<li>{{ x }}</li>{% endmacro %}{% for i in items %}{{ li(i) }}{% endfor %}",
    "macro-sees-globals": "{% macro m() %}{{ name }}{% endmacro %}{{ m() }}",
    "macro-filter": "{% macro m(x) %}  {{ x }}  {% endmacro %}[{{ m('a')|trim }}]",
    "raw-block": "{% raw %}{{ not rendered }} {% if %}{% endraw %}",
    "raw-github": "run: echo {% raw %}${{ github.sha }}{% endraw %} and {{ '{{' }} secrets.X {{ '}}' }}",
    "include-basic": "a{% include 'inc.txt' %}b",
    "include-context": "{% for x in items %}{% include 'item.txt' %}{% endfor %}",
    "include-list": "{% include ['nope.txt', 'inc.txt'] %}",
    "include-ignore-missing": "[{% include 'nope.txt' ignore missing %}]",
    "include-nested": "{% include 'outer.txt' %}",
    "include-set-isolated": "{% include 'setter.txt' %}{{ v is defined }}",
    "groupby-loop": "{% for team, members in users|groupby('team') %}{{ team }}: {{ members|map(attribute='name')|join(', ') }}\n{% endfor %}",
    "groupby-attrs": "{% for g in users|groupby('age') %}{{ g.grouper }}={{ g.list|length }};{% endfor %}",
    "copier-when": "{% if use_docker is defined and use_docker %}docker{% else %}no-docker{% endif %}|{{ license|default('MIT') }}",
    "format-pad": "{{ '%-10s|%5.2f|%+d' % ('name', 3.14159, 5) }}|{{ '{:<8}|{:>6.1%}'.format('ab', 0.256) }}",
    "slice-join": "{{ items[1:]|join('+') }} {{ d.get('a', 0) + 1 }} {{ (nums|sort|reverse|list)[:2] }}",
    "macro-include": "{% macro box(x) %}[{% include 'item.txt' %}]{% endmacro %}{{ box('q') }}",
    "set-block-in-loop": "{% for x in items %}{% set line %}{{ x|upper }}!{% endset %}{{ line }}{% endfor %}",
    "nested-data": "{% for u in users if u.admin or u.age > 30 %}{{ u.name }}{{ ',' if not loop.last }}{% endfor %}",
    "string-compare": "{{ 'abc' < 'abd' }} {{ 'Z' < 'a' }} {{ 'é' > 'z' }} {{ [1, 'a'] == [1, 'a'] }} {{ 'a' in ['a'] }}",
    "none-printing": "{{ none }} {{ [none, true, false] }} {{ {'a': none} }} {{ nothing is none }}",
    "scope-set-after-macro": "{% macro m() %}{{ later }}{% endmacro %}{% set later = 'L' %}{{ m() }}",
    "scope-macro-default-ref": "{% macro m(a, b=a ~ '!') %}{{ a }}{{ b }}{% endmacro %}{{ m('x') }}",
    "scope-macro-loop-var": "{% for i in [1, 2] %}{% macro m() %}{{ i }}{% endmacro %}{{ m() }}{% endfor %}",
    "scope-macro-shadow": "{% set name = 'outer' %}{% macro m(name) %}{{ name }}{% endmacro %}{{ m('inner') }}{{ name }}",
    "scope-macro-set-local": "{% set v = 1 %}{% macro m() %}{% set v = 2 %}{{ v }}{% endmacro %}{{ m() }}{{ v }}",
    "scope-if-in-loop-set": "{% for i in [1, 2] %}{% if true %}{% set w = i * 10 %}{% endif %}{{ w }}{% endfor %}",
    "scope-nested-loop-outer": "{% for a in [1, 2] %}{% for b in [3] %}{{ a }}{{ b }}{{ loop.index }}{% endfor %}{{ loop.index }}{% endfor %}",
    "scope-loop-shadows-ctx": "{% for name in ['a'] %}{{ name }}{% endfor %}{{ name }}",
    "scope-include-sees-loop": "{% for x in [7] %}{% set y = x + 1 %}{% include 'item.txt' %}{% endfor %}",
    "scope-set-top-include": "{% set x = 'topset' %}{% include 'item.txt' %}",
    "scope-namespace-in-macro": "{% set ns = namespace(c=0) %}{% macro bump() %}{% set ns.c = ns.c + 1 %}{% endmacro %}{{ bump() }}{{ bump() }}{{ ns.c }}",
    "macro-kw-only-default": "{% macro m(a=1, b=2) %}{{ a }}-{{ b }}{% endmacro %}{{ m(b=5) }} {{ m(3) }} {{ m() }}",
    "macro-returns-string": "{% macro m() %}5{% endmacro %}{{ m() ~ 1 }} {{ m()|int + 1 }}",
    "loop-over-macro-output": "{% macro csv() %}a,b,c{% endmacro %}{% for p in csv().split(',') %}[{{ p }}]{% endfor %}",
    "filter-block": "{% filter upper %}hello {{ name }}{% endfilter %}",
    "filter-block-args": "{% filter indent(2, true) %}a\nb{% endfilter %}",
    "comment-multiline": "a{# line\n  {{ not }} {% here %}\n #}b",
    "deep-nesting": "".join("{% if t %}" for _ in range(30)) + "deep" + "".join("{% endif %}" for _ in range(30)),
    "deep-loops": "".join("{%% for v%d in [1] %%}" % i for i in range(12)) + "{{ v0 + v11 }}" + "{% endfor %}" * 12,
    "deep-expr": "{{ " + "(" * 40 + "1" + " + 1)" * 40 + " }}",
    "empty": "",
    "only-newline": "\n",
    "only-comment": "{# nothing #}",
    "text-only": "plain text, {not a tag} % } { %\n",
    "crlf": "line1\r\n{% if t %}\r\nyes\r\n{% endif %}\r\nend\r\n",
    "cr-only": "a\rb{{ name }}\rc",
    "crlf-string": "{{ 'x\r\ny' }}|{{ name }}\r\n",
    "unicode-text": "Zoë {{ uni }} — ✓ 🚀\n",
    "unicode-combining": "{{ 'e\u0301'|length }} {{ 'e\u0301'[0] }} {{ 'e\u0301'|upper }} {{ '👩‍💻'|length }}",
    "unicode-emoji-slice": "{{ '🚀ab🚀'[1:3] }}{{ '🚀ab🚀'|reverse }}",
    "dict-order": "{{ {'z': 1, 'a': 2, 'm': 3} }} {% for k, v in {'z': 1, 'a': 2}.items() %}{{ k }}{% endfor %}",
    "trailing-text-after-tag": "{{ name }}",
    "keep-trailing": "x\n",
    "multi-output": "{{ name }}{{ name }} {{ n }}{{ f }}",
    "chained-filters": "{{ '  MiXeD  '|trim|lower|replace('x', 'X')|center(9)|length }}",
    "filter-on-expr": "{{ (nums|sort)[0] }} {{ -1|abs }} {{ (1 - 3)|abs }}",
    "test-in-if": "{% if missing is not defined and d.a is number %}ok{% endif %}",
    "whitespace-inline": "a {{- name -}} b {%- if t -%} c {%- endif -%} d",
    "whitespace-newlines": "{{ name }}\n\n{{- name }}\n{{ name -}}\n\n!",
}
STATEMENT_FILES = {
    "inc.txt": "[inc {{ name }}]", "item.txt": "<{{ x }}>", "outer.txt": "O({% include 'inner.txt' %})",
    "inner.txt": "I{{ n }}", "setter.txt": "{% set v = 1 %}{{ v }}",
}
for cid, tpl in STATEMENT_CASES.items():
    case("stmt-" + cid, tpl, CTX, None, STATEMENT_FILES)
case("opt-no-trailing", "x\n{{ name }}\n", CTX, {"keep_trailing_newline": False})
case("opt-no-trailing-two", "x\n\n", CTX, {"keep_trailing_newline": False})
case("opt-delimiters", "[% if t %]<< name >>[% endif %][# c #] {{ raw }}", CTX,
     {"block_start_string": "[%", "block_end_string": "%]", "variable_start_string": "<<",
      "variable_end_string": ">>", "comment_start_string": "[#", "comment_end_string": "#]"})
case("opt-delimiters-copier", "[[ name ]] [% for x in items %][[ x ]][% endfor %] ${{ github.sha }}", CTX,
     {"block_start_string": "[%", "block_end_string": "%]", "variable_start_string": "[[",
      "variable_end_string": "]]"})
case("opt-trim-crlf", "{% if t %}\r\n  a\r\n{% endif %}\r\n", CTX, {"trim_blocks": True, "lstrip_blocks": True})

# ---------------------------------------------------------------- realistic files
case("real-dockerfile", """# syntax=docker/dockerfile:1
{% if use_gpu -%}
FROM nvidia/cuda:{{ cuda_version }}-cudnn-runtime-ubuntu22.04
{% else -%}
FROM python:{{ python_version }}-slim
{% endif %}
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PIP_NO_CACHE_DIR=1
COPY requirements.txt .
RUN pip install -r requirements.txt
{% for port in ports %}
EXPOSE {{ port }}
{% endfor %}
CMD ["python", "-m", "{{ package_name }}.train"]
""", {"use_gpu": True, "cuda_version": "12.4.1", "python_version": "3.11", "ports": [5000, 8888], "package_name": "my_study"},
     {"trim_blocks": True})
case("real-compose", """services:
{% for svc in services %}
  {{ svc.name }}:
    image: {{ svc.image }}
{% if svc.ports %}
    ports:
{% for p in svc.ports %}
      - "{{ p }}"
{% endfor %}
{% endif %}
    environment:
{% for k, v in svc.env|dictsort %}
      {{ k }}: ${{ '{' }}{{ v }}{{ '}' }}
{% endfor %}
{% endfor %}
volumes:
  data: {}
""", {"services": [{"name": "mlflow", "image": "ghcr.io/mlflow/mlflow:v2", "ports": ["5000:5000"], "env": {"B": "BUCKET", "A": "AWS_KEY"}},
                   {"name": "postgres", "image": "postgres:16", "ports": [], "env": {"POSTGRES_DB": "DB"}}]},
     {"trim_blocks": True, "lstrip_blocks": True})
case("real-workflow", """name: CI
on:
  push:
    branches: [{{ branches|join(', ') }}]
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: {{ pythons|tojson }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: {% raw %}${{ matrix.python }}{% endraw %}

      - run: pip install -e .[test]
      - run: pytest -q --junitxml=report-{{ '${{ matrix.python }}' }}.xml
      - name: Cache key
        run: echo "{{ '{{' }} hashFiles('**/requirements.txt') {{ '}}' }}"
""", {"branches": ["main", "dev"], "pythons": ["3.10", "3.11"]})
case("real-python", '''"""{{ project_name }}: {{ description }}."""
from dataclasses import dataclass


@dataclass
class Config:
{% for key, value in params.items() %}
    {{ key }}: {{ value.__class__.__name__ if false else ("float" if value is float else "int" if value is integer else "str") }} = {{ value|tojson if value is string else value }}
{% endfor %}


def main() -> None:
    cfg = Config()
    print(f"{{ '{' }}cfg{{ '}' }}")
''', {"project_name": "demo", "description": "Train a model", "params": {"lr": 0.001, "epochs": 10, "name": "run-1"}},
     {"trim_blocks": True, "lstrip_blocks": True})
case("real-markdown-table", """# {{ title }}

| Name | Age | Team |
|------|----:|------|
{% for u in users|sort(attribute='name') -%}
| {{ u.name|title }} | {{ u.age }} | {{ u.team|upper }} |
{% endfor %}

Total: {{ users|sum(attribute='age') }} years, mean {{ (users|sum(attribute='age') / users|length)|round(2) }}.
""", dict(CTX, title="Team"))
case("real-readme", """# {{ project_name }}

{{ description|wordwrap(40) }}

## Install

```bash
pip install {{ project_name|slugify }}
```
{% if license %}
License: {{ license }}
{% endif %}
""", {"project_name": "My Study", "description": "A reproducible study of things that take longer than forty characters to describe.", "license": "MIT"})
case("real-env-file", "{% for k, v in env.items() %}{{ k|upper }}={{ v }}\n{% endfor %}", {"env": {"db_user": "ml", "db_pass": "s3cret", "port": 5432}})
case("real-yaml-config", "experiment:\n  name: {{ name|to_json }}\n  params:\n{{ params|to_nice_yaml(2)|indent(4, true) }}",
     {"name": "run \"1\"", "params": {"lr": 0.01, "layers": [64, 32], "opt": {"type": "adam"}}})

# ---------------------------------------------------------------- templates made of templates
MACROS = {
    "macros.jinja": "{% macro hello(who='world') %}Hello {{ who }}!{% endmacro %}\n"
                    "{% macro shout(x) %}{{ hello(x)|upper }}{% endmacro %}\n"
                    "{% macro _private() %}p{% endmacro %}\n"
                    "{% set version = '1.2' %}{% set _hidden = 1 %}",
    "ctx.jinja": "{% macro greet() %}Hi {{ name }}{% endmacro %}",
    "wrap.jinja": "{% macro box(title) %}[{{ title }}: {{ caller() }}]{% endmacro %}"
                  "{% macro rows(items) %}{% for i in items %}{{ caller(i, loop.index) }}{% endfor %}{% endmacro %}",
    "uses.jinja": "{% import 'macros.jinja' as m %}<{{ m.hello('inc') }}>",
    "nested/deep.jinja": "{% from 'macros.jinja' import hello %}{% macro twice(x) %}{{ hello(x) }}{{ hello(x) }}{% endmacro %}",
}
case("import-as", "{% import 'macros.jinja' as m %}{{ m.hello() }} {{ m.hello('you') }} {{ m.version }}", CTX, files=MACROS)
case("import-sibling-macro", "{% import 'macros.jinja' as m %}{{ m.shout('x') }}", CTX, files=MACROS)
case("from-import", "{% from 'macros.jinja' import hello, shout as s %}{{ hello(name) }}|{{ s('a') }}", CTX, files=MACROS)
case("from-import-trailing-comma", "{% from 'macros.jinja' import hello, %}{{ hello() }}", CTX, files=MACROS)
case("from-import-version", "{% from 'macros.jinja' import version %}v{{ version }}", CTX, files=MACROS)
case("import-with-context", "{% import 'ctx.jinja' as c with context %}{{ c.greet() }}", CTX, files=MACROS)
case("from-import-with-context", "{% set name = 'local' %}{% from 'ctx.jinja' import greet with context %}{{ greet() }}",
     CTX, files=MACROS)
case("import-without-context", "{% import 'ctx.jinja' as c without context %}{{ c.greet() }}", CTX, files=MACROS)
case("import-default-no-context", "{% from 'ctx.jinja' import greet %}{{ greet() }}", CTX, files=MACROS)
case("import-private-hidden", "{% import 'macros.jinja' as m %}{{ m._private is defined }} {{ m._hidden is defined }}",
     CTX, files=MACROS)
case("import-in-include", "a{% include 'uses.jinja' %}b", CTX, files=MACROS)
case("import-nested-dir", "{% from 'nested/deep.jinja' import twice %}{{ twice('z') }}", CTX, files=MACROS)
case("import-in-loop", "{% for n in items %}{% import 'macros.jinja' as m %}{{ m.hello(n) }}{% endfor %}", CTX, files=MACROS)
case("import-in-macro", "{% macro f() %}{% import 'macros.jinja' as m %}{{ m.hello('f') }}{% endmacro %}{{ f() }}",
     CTX, files=MACROS)
case("import-dynamic-name", "{% set lib = 'macros' %}{% import lib ~ '.jinja' as m %}{{ m.hello() }}", CTX, files=MACROS)
case("error-import-missing", "line1\n{% import 'nope.jinja' as m %}", CTX, files=MACROS)
case("error-from-import-missing-template", "{% from 'nope.jinja' import a %}", CTX, files=MACROS)
case("error-from-import-undefined-macro", "{% from 'macros.jinja' import nosuch %}{{ nosuch() }}", CTX, files=MACROS)
case("from-import-undefined-unused", "{% from 'macros.jinja' import nosuch %}ok", CTX, files=MACROS)
case("error-from-import-underscore", "{% from 'macros.jinja' import _private %}", CTX, files=MACROS)
case("error-import-undefined-attribute", "{% import 'macros.jinja' as m %}{{ m.nosuch() }}", CTX, files=MACROS)
case("error-import-no-as", "{% import 'macros.jinja' %}", CTX, files=MACROS)
case("error-import-outside-root", "{% import '../x.jinja' as m %}", CTX, files=MACROS)
case("error-import-context-in-macro", "{% from 'ctx.jinja' import greet %}{% set name = 'x' %}{{ greet() }}", {}, files=MACROS)

case("include-with-context", "{% set local = 'L' %}{% include 'inc.jinja' with context %}", CTX, files={"inc.jinja": "{{ name }}{{ local }}"})
case("include-without-context", "{% include 'inc.jinja' without context %}", CTX, files={"inc.jinja": "static {{ 1 + 1 }}"})
case("error-include-without-context-undefined", "{% include 'inc.jinja' without context %}", CTX, files={"inc.jinja": "{{ name }}"})
case("include-ignore-missing-without-context", "a{% include 'nope.jinja' ignore missing without context %}b", CTX)

# call blocks and caller()
case("call-block", "{% from 'wrap.jinja' import box %}{% call box('T') %}inside {{ name }}{% endcall %}", CTX, files=MACROS)
case("call-block-args", "{% from 'wrap.jinja' import rows %}{% call(item, n) rows(items) %}{{ n }}={{ item }};{% endcall %}",
     CTX, files=MACROS)
case("call-block-local", "{% macro m() %}<{{ caller() }}>{% endmacro %}{% for x in items %}{% call m() %}{{ x }}{{ loop.index }}{% endcall %}{% endfor %}", CTX)
case("call-block-default-arg", "{% macro m() %}{{ caller() }}{{ caller('B') }}{% endmacro %}{% call(v='A') m() %}{{ v }}{% endcall %}", CTX)
case("call-block-nested", "{% macro o() %}({{ caller() }}){% endmacro %}{% call o() %}{% call o() %}in{% endcall %}{% endcall %}", CTX)
case("call-block-caller-defined", "{% macro m() %}{{ caller is defined }}{% endmacro %}{{ m() }}|{% call m() %}x{% endcall %}", CTX)
case("error-call-block-not-call", "{% call foo %}x{% endcall %}", CTX)
case("error-caller-undefined", "{% macro m() %}{{ caller() }}{% endmacro %}{{ m() }}", CTX)

# varargs / kwargs
case("macro-varargs-kwargs", "{% macro m(a) %}{{ a }}|{{ varargs|join(',') }}|{% for k, v in kwargs|dictsort %}{{ k }}={{ v }};{% endfor %}{% endmacro %}{{ m(1, 2, 3, x=4, b=5) }} {{ m(0) }}", CTX)
case("macro-kwargs-only", "{% macro attrs() %}{% for k, v in kwargs|dictsort %} {{ k }}=\"{{ v }}\"{% endfor %}{% endmacro %}<a{{ attrs(href='/x', id='y') }}>", CTX)
case("macro-varargs-length", "{% macro count() %}{{ varargs|length }}{% endmacro %}{{ count() }}{{ count(1, 2, 3) }}", CTX)
case("macro-kwargs-nested-use", "{% macro outer() %}{% macro inner() %}{{ kwargs }}{% endmacro %}{{ inner(z=1) }}{% endmacro %}{{ outer(q=2) }}", CTX)
case("error-macro-extra-positional", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}", CTX)
case("error-macro-unknown-kwarg", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, b=2) }}", CTX)
case("error-call-block-macro-without-caller", "{% macro m() %}x{% endmacro %}{% call m() %}c{% endcall %}", CTX)
case("call-block-caller-kwargs", "{% macro m() %}{{ caller(1, k=2) }}{% endmacro %}{% call(a) m() %}{{ a }}{{ kwargs }}{% endcall %}", CTX)

# with
case("with-block", "{% with a = 1, b = name %}{{ a }}{{ b }}{% endwith %}[{{ a is defined }}]", CTX)
case("with-outer-scope", "{% set a = 5 %}{% with a = 1, b = a %}{{ a }}{{ b }}{% endwith %}{{ a }}", CTX)
case("with-set-inside", "{% with %}{% set x = 2 %}{{ x }}{% endwith %}{{ x is defined }}", CTX)
case("with-tuple", "{% with a, b = pairs[0] %}{{ a }}{{ b }}{% endwith %}", CTX)

# loops
case("loop-changed", "{% for u in users|sort(attribute='team') %}{% if loop.changed(u.team) %}[{{ u.team }}]{% endif %}{{ u.name }} {% endfor %}", CTX)
case("loop-changed-multi", "{% for a in [1, 1, 2, 2, 1] %}{{ loop.changed(a, 0) }} {% endfor %}", CTX)
case("loop-changed-nested", "{% for x in [1, 2] %}{% for y in [1, 1] %}{{ loop.changed(y) }}{% endfor %};{% endfor %}", CTX)
case("loop-previtem-nextitem", "{% for x in nums %}{{ loop.previtem|default('^') }}<{{ x }}>{{ loop.nextitem|default('$') }} {% endfor %}", CTX)
TREE = {"tree": [{"name": "a", "children": [{"name": "a1", "children": []}, {"name": "a2", "children": [{"name": "a2x", "children": []}]}]},
                 {"name": "b", "children": []}]}
case("loop-recursive", "{% for n in tree recursive %}{{ '  ' * loop.depth0 }}- {{ n.name }} ({{ loop.depth }}/{{ loop.index }})\n"
     "{% if n.children %}{{ loop(n.children) }}{% endif %}{% endfor %}", TREE)
case("loop-recursive-ul", "<ul>{%- for n in tree recursive %}<li>{{ n.name }}{% if n.children -%}<ul>{{ loop(n.children) }}</ul>{%- endif %}</li>{%- endfor %}</ul>", TREE)
case("loop-recursive-filter", "{% for n in tree if n.name != 'a1' recursive %}{{ n.name }}[{{ loop(n.children) }}]{% endfor %}", TREE)
case("loop-recursive-else", "{% for n in tree recursive %}{{ n.name }}({{ loop(n.children) }}){% else %}-{% endfor %}", TREE)
case("loop-depth-nonrecursive", "{% for x in [1] %}{% for y in [2] %}{{ loop.depth }}{{ loop.depth0 }}{% endfor %}{% endfor %}", CTX)
case("error-loop-not-recursive", "{% for n in tree %}{{ loop(n.children) }}{% endfor %}", TREE)

# extends / block / super
LAYOUTS = {
    "base.jinja": "<title>{% block title %}Base{% endblock %}</title>\n"
                  "{% block body %}body of base{% endblock body %}\n"
                  "{% block footer %}(c) {{ year }}{% endblock %}\n",
    "mid.jinja": "{% extends 'base.jinja' %}{% block title %}Mid-{{ super() }}{% endblock %}"
                 "{% block footer %}{{ super() }} mid{% endblock %}",
    "loopbase.jinja": "{% for i in [1, 2] %}{% block item %}{{ i is defined }}{% endblock %}{% block sitem scoped %}{{ i }}{% endblock %}{% endfor %}",
    "nestbase.jinja": "{% block outer %}O[{% block inner %}i{% endblock %}]{% endblock %}",
    "req.jinja": "{% block needed required %}{% endblock %}|{% block other %}o{% endblock %}",
    "setbase.jinja": "{% set who = 'base' %}{% block b %}{{ who }}{% endblock %}",
    "partial.jinja": "{% extends 'base.jinja' %}{% block title %}Included{% endblock %}",
    "self-a.jinja": "{% extends 'self-b.jinja' %}",
    "self-b.jinja": "{% extends 'self-a.jinja' %}",
}
LCTX = dict(CTX, year=2026)
case("extends-basic", "{% extends 'base.jinja' %}{% block title %}Child{% endblock %}", LCTX, files=LAYOUTS)
case("extends-super", "{% extends 'base.jinja' %}{% block body %}[{{ super() }}] and more{% endblock %}", LCTX, files=LAYOUTS)
case("extends-three-levels", "{% extends 'mid.jinja' %}{% block title %}Leaf/{{ super() }}{% endblock %}{% block footer %}{{ super() }} leaf{% endblock %}",
     LCTX, files=LAYOUTS)
case("extends-outside-blocks-dropped", "before {% extends 'base.jinja' %}after {{ name }}{% block title %}T{% endblock %} trailing", LCTX, files=LAYOUTS)
case("extends-child-set-visible", "{% extends 'base.jinja' %}{% set who = 'child' %}{% block title %}{{ who }}{% endblock %}", LCTX, files=LAYOUTS)
case("extends-child-macro", "{% extends 'base.jinja' %}{% macro m() %}M{% endmacro %}{% block title %}{{ m() }}{% endblock %}", LCTX, files=LAYOUTS)
case("extends-parent-set", "{% extends 'setbase.jinja' %}{% block b %}<{{ who }}>{% endblock %}", LCTX, files=LAYOUTS)
case("extends-scoped", "{% extends 'loopbase.jinja' %}{% block item %}{{ i is defined }}{% endblock %}{% block sitem %}<{{ i }}>{% endblock %}",
     LCTX, files=LAYOUTS)
case("extends-nested-blocks", "{% extends 'nestbase.jinja' %}{% block inner %}I{{ super() }}{% endblock %}", LCTX, files=LAYOUTS)
case("extends-nested-outer", "{% extends 'nestbase.jinja' %}{% block outer %}X{{ super() }}X{% endblock %}{% block inner %}J{% endblock %}",
     LCTX, files=LAYOUTS)
case("extends-required-filled", "{% extends 'req.jinja' %}{% block needed %}N{% endblock %}", LCTX, files=LAYOUTS)
case("error-extends-required-missing", "{% extends 'req.jinja' %}", LCTX, files=LAYOUTS)
case("extends-dynamic", "{% extends layout %}{% block title %}D{% endblock %}", dict(LCTX, layout="base.jinja"), files=LAYOUTS)
case("extends-in-include", "<{% include 'partial.jinja' %}>", LCTX, files=LAYOUTS)
case("extends-with-import", "{% extends 'base.jinja' %}{% import 'macros.jinja' as m %}{% block title %}{{ m.hello() }}{% endblock %}",
     LCTX, files=dict(LAYOUTS, **MACROS))
case("block-without-extends", "a{% block x %}b{{ name }}{% endblock %}c{% block y %}{{ super is defined }}{% endblock %}", LCTX)
case("block-loop-var-unscoped", "{% for i in [1] %}{% block x %}{{ i is defined }}{% endblock %}{% endfor %}", LCTX)
case("error-extends-missing", "x\n{% extends 'missing.jinja' %}", LCTX, files=LAYOUTS)
case("error-extends-twice", "{% extends 'base.jinja' %}{% extends 'base.jinja' %}", LCTX, files=LAYOUTS)
case("extends-super-empty-parent", "{% extends 'base.jinja' %}{% block title %}{{ super() }}{{ super() }}{% endblock %}{% block footer %}{{ super() }}{% endblock %}",
     LCTX, files=dict(LAYOUTS, **{"base.jinja": "{% block title %}{% endblock %}{% block footer %}f{% endblock %}"}))
case("error-super-top-level", "{% extends 'base.jinja' %}{% block body %}{{ super() }}{% endblock %}",
     LCTX, files={"base.jinja": "{% block body %}{{ super() }}{% endblock %}"})
case("error-block-twice", "{% block a %}{% endblock %}{% block a %}{% endblock %}", LCTX)
case("error-endblock-mismatch", "{% block a %}{% endblock b %}", LCTX)
case("error-extends-cycle", "{% extends 'self-a.jinja' %}", LCTX, files=LAYOUTS)

case("extends-include-after", "{% extends 'base.jinja' %}{% include 'partial.jinja' %}{% block title %}T{% endblock %}", LCTX, files=LAYOUTS)
case("extends-call-in-block", "{% extends 'base.jinja' %}{% from 'wrap.jinja' import box %}{% block body %}{% call box('B') %}{{ year }}{% endcall %}{% endblock %}",
     LCTX, files=dict(LAYOUTS, **MACROS))
case("extends-import-template-that-extends", "{% import 'partial.jinja' as p %}[{{ p is defined }}]", LCTX, files=LAYOUTS)
case("extends-set-block-after", "{% extends 'setbase.jinja' %}{% set x %}captured{% endset %}{% block b %}{{ x }}{% endblock %}", LCTX, files=LAYOUTS)
case("extends-loop-at-top", "{% extends 'base.jinja' %}{% for i in [1, 2] %}{{ i }}{% endfor %}{% block title %}L{% endblock %}", LCTX, files=LAYOUTS)
case("import-macro-with-caller", "{% import 'wrap.jinja' as w %}{% for n in [1, 2] %}{% call w.box(n) %}<{{ n * 10 }}>{% endcall %}{% endfor %}", CTX, files=MACROS)
case("import-module-set-visible-in-macro", "{% import 'mod2.jinja' as m %}{{ m.show() }}", CTX,
     files={"mod2.jinja": "{% set prefix = 'P:' %}{% macro show() %}{{ prefix }}{{ helper() }}{% endmacro %}{% macro helper() %}h{% endmacro %}"})
case("import-module-top-level-call", "{% import 'mod3.jinja' as m %}{{ m.value }}", CTX,
     files={"mod3.jinja": "{% macro f() %}F{% endmacro %}{% set value = f() ~ '!' %}"})
case("loop-changed-no-args", "{% for x in [1, 2] %}{{ loop.changed() }}{% endfor %}", CTX)
case("with-nested-in-loop", "{% for x in items %}{% with y = x|upper %}{{ y }}{% endwith %}{% endfor %}", CTX)
case("call-block-in-imported-macro-uses-module", "{% from 'mod4.jinja' import outer %}{% call outer() %}[{{ name }}]{% endcall %}", CTX,
     files={"mod4.jinja": "{% set sep = '|' %}{% macro outer() %}{{ sep }}{{ caller() }}{{ sep }}{% endmacro %}"})

case("extends-after-call-filter-now-with", "{% extends 'base.jinja' %}{% macro m() %}M{{ caller() }}{% endmacro %}{% call m() %}c{% endcall %}"
     "{% filter upper %}f{% endfilter %}{% now 'utc' %}{% with a = 1 %}w{{ a }}{% endwith %}{% if true %}i{% endif %}", LCTX, files=LAYOUTS)

case("extends-self-block", "{% extends 'base.jinja' %}{% block title %}T{% endblock %}{% block body %}again: {{ self.title() }}{% endblock %}", LCTX, files=LAYOUTS)
case("self-block-no-extends", "{% block a %}A{% endblock %}|{{ self.a() }}", LCTX)
case("error-self-missing-block", "{% block a %}A{% endblock %}{{ self.b() }}", LCTX)
case("jinja-random", "{{ items|random in items }} {{ 'abc'|random in 'abc' }} {{ [7]|random }}", CTX)
case("error-jinja-random-empty", "{{ []|random }}", CTX)

# ---------------------------------------------------------------- jinja2-time's now (clock fixed at 2026-01-02T03:04:05.123456Z)
case("now-utc-default", "{% now 'utc' %}", CTX)
case("now-utc-format", "{% now 'utc', '%Y-%m-%d %H:%M:%S.%f %z %Z %a %b %j %%' %}", CTX)
case("now-local", "{% now 'local', '%Y %H:%M %Z %z' %}", CTX)
case("now-zone-name", "{% now 'Europe/Paris', '%H:%M %Z %z' %}|{% now 'America/New_York', '%d %H %Z' %}", CTX)
case("now-fixed-offset", "{% now '+05:30', '%H:%M %z' %}", CTX)
case("now-in-expression-context", "{% set fmt = '%Y' %}(c) {% now 'utc', fmt %} {{ name }}", CTX)
case("error-now-shift-plural", "{% now 'utc' + 'hours=1', '%H' %}", CTX)
case("error-now-shift-singular", "{% now 'utc' - 'hour=1', '%H' %}", CTX)
case("error-now-bad-zone", "{% now 'Nowhere/City' %}", CTX)
case("error-now-zone-type", "{% now 5 %}", CTX)

# ---------------------------------------------------------------- jinja2-ansible-filters (what copier loads)
ACTX = dict(CTX, base={"a": 1, "nested": {"x": 1, "y": [1, 2]}, "l": [1, 2]},
            patch={"b": 2, "nested": {"y": [2, 3], "z": 3}, "l": [2, 3]},
            winpaths=["C:\\Users\\me\\file.txt", "C:/x/y", "\\\\server\\share\\dir\\f.py", "rel\\a\\", "D:", "\\\\?\\UNC\\srv\\sh\\x", "plain"],
            paths=["a/b.tar.gz", ".bashrc", "a/.hidden", "noext", "dir.d/file", "..", "a/b.", "/x/..y"],
            multiline="first line\nsecond line\n\nlast")
case("ansible-ternary", "{{ t|ternary('yes', 'no') }} {{ no|ternary('yes', 'no') }} {{ nothing|ternary('y', 'n', 'none') }} "
     "{{ nothing|ternary('y', 'n') }} {{ items|ternary(1, 2) }} {{ (n > 5)|ternary('big', 'small') }}", ACTX)
case("ansible-ternary-kw", "{{ zero|ternary(true_val='T', false_val='F') }}", ACTX)
case("error-ansible-ternary-missing-arg", "{{ t|ternary('only') }}", ACTX)
case("ansible-combine", "{{ base|combine(patch) }}", ACTX)
case("ansible-combine-recursive", "{{ base|combine(patch, recursive=True) }}", ACTX)
case("ansible-combine-list-merge", "{% for m in ['replace', 'keep', 'append', 'prepend', 'append_rp', 'prepend_rp'] %}"
     "{{ base|combine(patch, recursive=True, list_merge=m) }}\n{% endfor %}", ACTX)
case("ansible-combine-many", "{{ [base, patch, {'a': 9}]|combine }} {{ base|combine({'c': 1}, {'c': 2}) }} {{ {}|combine(base) }}", ACTX)
case("ansible-combine-single", "{{ [base]|combine }} {{ []|combine }}", ACTX)
case("error-ansible-combine-not-dict", "{{ base|combine([1]) }}", ACTX)
case("error-ansible-combine-bad-kw", "{{ base|combine(patch, deep=True) }}", ACTX)
case("error-ansible-combine-bad-list-merge", "{{ base|combine(patch, list_merge='zip') }}", ACTX)
case("ansible-mandatory", "{{ name|mandatory }} {{ d.a|mandatory }}", ACTX)
case("error-ansible-mandatory", "{{ missing_var|mandatory }}", ACTX)
case("error-ansible-mandatory-msg", "{{ d.zz|mandatory('please set d.zz') }}", ACTX)
case("ansible-splitext", "{% for p in paths %}{{ (p|splitext)[0] }}|{{ (p|splitext)[1] }}|{{ p|splitext|list|length }} {% endfor %}", ACTX)
case("ansible-win-paths", "{% for p in winpaths %}[{{ p|win_basename }}|{{ p|win_dirname }}|{{ (p|win_splitdrive)[0] }}|{{ (p|win_splitdrive)[1] }}]\n{% endfor %}", ACTX)
case("ansible-comment-plain", "{{ multiline|comment }}", ACTX)
case("ansible-comment-styles", "{% for st in ['plain', 'erlang', 'c', 'cblock', 'xml'] %}{{ 'a\nb'|comment(st) }}\n--\n{% endfor %}", ACTX)
case("ansible-comment-custom", "{{ 'text'|comment(decoration='; ', prefix_count=2, postfix_count=0) }}|{{ 'x\ny'|comment('c', beginning='BEGIN', end='END', newline='\n') }}", ACTX)
case("ansible-comment-in-file", "{{ ('Generated by mlrepro for ' ~ name)|comment }}\nkey: value\n", ACTX)
case("error-ansible-comment-style", "{{ 'x'|comment('lisp') }}", ACTX)
case("ansible-strftime-epoch", "{{ '%Y-%m-%d %H:%M:%S %a %j %z %Z'|strftime(1700000000) }} {{ '%d/%m/%y'|strftime('86400') }} {{ '%s'|strftime(0.9) }}", ACTX)
case("ansible-strftime-now", "{{ ('%Y-%m-%d %H:%M'|strftime)|length }} {{ '%Y'|strftime|int > 2000 }}", ACTX)
case("error-ansible-strftime-bad-epoch", "{{ '%Y'|strftime('soon') }}", ACTX)
case("ansible-regex-escape", "{{ 'a.b*c (d) [e] {f} ^$ | + ? \\ # & ~ -'|regex_escape }}|{{ 'a.b*c[d]^$'|regex_escape('posix_basic') }}", ACTX)
case("ansible-flatten", "{{ [1, [2, [3, [4]]], 5]|flatten }} {{ [1, [2, [3, [4]]]]|flatten(1) }} {{ [1, [2, none, 3], 4]|flatten }} {{ [[1], 'None', [2]]|flatten }}", ACTX)
case("ansible-extract", "{{ ['a', 'b']|map('extract', d)|list }} {{ 'c'|extract(d, 'x') }} {{ 0|extract(items) }}", ACTX)
case("ansible-type-debug", "{{ name|type_debug }} {{ n|type_debug }} {{ f|type_debug }} {{ items|type_debug }} {{ d|type_debug }} {{ nothing|type_debug }} {{ t|type_debug }}", ACTX)
case("ansible-copier-like", "{%- set cfg = {'python': '3.11'}|combine(overrides, recursive=True) -%}\n"
     "python: {{ cfg.python }}\ngpu: {{ cfg.gpu|ternary('cuda', 'cpu') }}\n{{ 'settings'|comment }}",
     dict(ACTX, overrides={"gpu": True}))

case("ansible-dict2items", "{{ d|dict2items }} {{ {'a': 1}|dict2items('k', 'v') }} {{ {}|dict2items }}", ACTX)
case("ansible-items2dict", "{{ d|dict2items|items2dict }} {{ [{'n': 'x', 'val': 1}]|items2dict(key_name='n', value_name='val') }}", ACTX)
case("ansible-dict2items-loop", "{% for e in {'b': 2, 'a': 1}|dict2items %}{{ e.key }}={{ e.value }};{% endfor %}", ACTX)
case("error-ansible-dict2items-list", "{{ items|dict2items }}", ACTX)
case("error-ansible-items2dict-missing-key", "{{ [{'key': 'a'}]|items2dict }}", ACTX)

# seeded random numbers: Python's Mersenne Twister, seeded as random.Random(seed) seeds it
case("ansible-shuffle-seeded", "{% for seed in [1, 42, 2**40 + 7, -5, 'host1', 'Zoë', 'a much longer seed string for hashing'] %}"
     "{{ range(20)|shuffle(seed=seed) }}\n{% endfor %}", ACTX)
case("ansible-shuffle-kinds", "{{ 'abcdef'|shuffle(seed=3) }} {{ d|shuffle(seed=3) }} {{ []|shuffle(seed=3) }} {{ 5|shuffle(seed=3) }}", ACTX)
case("ansible-shuffle-unseeded", "{{ range(50)|shuffle|sort == range(50)|list }} {{ items|shuffle(seed=0)|length }}", ACTX)
case("ansible-random-seeded", "{% for seed in [1, 'x', 99] %}{{ 100|ans_random(seed=seed) }} {{ 60|ans_random(10, 5, seed) }} "
     "{{ 10|ans_random(0, -1, seed=seed) if false else '' }}{{ items|ans_random(seed=seed) }} {{ 'word'|ans_random(seed=seed) }} "
     "{{ (2**40)|ans_random(seed=seed) }} {{ 1|ans_random(seed=seed) }}\n{% endfor %}", ACTX)
case("ansible-random-many", "{% set ns = namespace(out=[]) %}{% for i in range(30) %}{% set ns.out = ns.out + [1000|ans_random(seed=i)] %}{% endfor %}{{ ns.out }}", ACTX)
case("ansible-random-unseeded", "{{ 10|ans_random < 10 }} {{ items|ans_random in items }}", ACTX)
case("error-ansible-random-empty", "{{ 0|ans_random(seed=1) }}", ACTX)
case("error-ansible-random-empty-list", "{{ []|ans_random(seed=1) }}", ACTX)
case("error-ansible-random-start-on-list", "{{ items|ans_random(1, seed=1) }}", ACTX)
case("ansible-hashes", "{{ ''|md5 }} {{ 'abc'|md5 }} {{ uni|md5 }} {{ 'abc'|sha1 }} {{ text|checksum }} {{ text|hash }} {{ 'abc'|hash('md5') }} "
     "{{ 'abc'|hash('sha512') }} {{ ('x' * 200)|md5 }} {{ ('y' * 1000)|sha1 }} {{ ('z' * 300)|hash('sha512') }}", ACTX)
case("ansible-to-uuid", "{{ 'host1'|to_uuid }} {{ ''|to_uuid }} {{ uni|to_uuid }} {{ 42|to_uuid }}", ACTX)

# the filters copier's jinja2-ansible-filters defines differently from TemplateEngine's first versions
case("ansible-bool", "{% for v in [none, true, false, 'yes', 'On', ' yes ', 'y', 't', '1', 1, 1.0, 2, 0, 'TRUE'] %}{{ v|bool }} {% endfor %}", ACTX)
case("ansible-regex-search-groups", "{{ 'k=v; x=y'|regex_search('(\\w)=(\\w)', '\\\\2', '\\\\1') }} {{ 'ab12'|regex_search('(?P<d>\\d+)', '\\\\g<d>') }} "
     "{{ 'ABC'|regex_search('b', ignorecase=true) }} {{ 'a\nb'|regex_search('^b', multiline=true) }} {{ 'zz'|regex_search('q') }}", ACTX)
case("error-ansible-regex-search-bad-arg", "{{ 'ab'|regex_search('a', 'x') }}", ACTX)
case("ansible-regex-positional", "{{ 'A-a'|regex_replace('a', 'b', true) }} {{ 'a\nA'|regex_findall('^a', true, true) }} {{ 'x1y2'|regex_findall('([a-z])(\\d)') }}", ACTX)
case("ansible-to-nice-json", "{{ {'b': 'é', 'a': [1, {'z': none}]}|to_nice_json }}\n{{ {'b': 1, 'a': 2}|to_nice_json(2, false) }}\n{{ {'b': 'é'}|to_json }}", ACTX)

# PyYAML's layout as yaml.dump writes it for jinja2-ansible-filters: flow leaves, folding at 80 columns
YCTX = dict(ACTX, long="lorem ipsum dolor sit amet " * 6, longq="it's a long value: " * 8, longd="tab\there and more words " * 6,
            cfg={"name": "study", "tags": ["a", "b"], "nested": {"x": 1, "y": [1, 2, {"z": None}]}, "empty": [], "none": {}},
            many=list(range(40)), words=["word%02d" % i for i in range(25)])
for i, tpl in enumerate(["{{ cfg|to_yaml }}", "{{ cfg|to_nice_yaml }}", "{{ cfg|to_nice_yaml(2) }}", "{{ {'k': long}|to_yaml }}",
                         "{{ {'k': long}|to_nice_yaml }}", "{{ [long, longq, longd]|to_nice_yaml }}", "{{ {'q': longq}|to_yaml }}",
                         "{{ {'d': longd}|to_nice_yaml }}", "{{ many|to_yaml }}", "{{ {'nums': many, 'w': words}|to_yaml }}",
                         "{{ {'w': words}|to_nice_yaml }}", "{{ long|to_yaml }}", "{{ [[1, 2], [3, [4]]]|to_yaml }}",
                         "{{ {'a': {'b': {'c': long}}}|to_nice_yaml }}", "{{ {long: 1, 'k': 'v'}|to_yaml }}",
                         "{{ {'': 1, 'x': ''}|to_yaml }}", "{{ users|to_yaml }}", "{{ {'m': 'multi\nline text\n'}|to_yaml }}",
                         "{{ {'z': 1, 'a': 2, 'M': 3}|to_yaml }}", "{{ [{'a': 1}, []]|to_yaml }}",
                         "{{ {'u': 'Zoë ' * 25}|to_nice_yaml }}", "{{ {'s': 'x' * 90 + ' y'}|to_yaml }}"]):
    case("ansible-yaml-%02d" % i, tpl, YCTX)

# ---------------------------------------------------------------- Jinja2's lenient Undefined (copier templates)
LENIENT = {"undefined": "lenient"}
for i, tpl in enumerate([
        "[{{ missing }}] [{{ d.nope }}] [{{ d['nope'] }}] [{{ items[10] }}] [{{ 'a' ~ missing ~ 'b' }}]",
        "{% if missing %}yes{% else %}no{% endif %} {% if not d.nope %}empty{% endif %} {{ missing is defined }} {{ missing is undefined }}",
        "{% for x in missing %}{{ x }}{% else %}none{% endfor %} {{ missing|length }} {{ missing|list }} {{ missing|join(',') }}",
        "{{ missing|default('dflt') }} {{ missing|upper }}|{{ missing|trim }}|{{ missing|string }}|{{ missing|pprint }} {{ missing|replace('a', 'b') }}",
        "{% set y = missing %}[{{ y }}] {{ y is defined }} {{ y|default('z') }} {{ [missing]|length }} {{ missing == missing }} {{ missing != 1 }}",
        "{{ missing is none }} {{ missing is string }} {{ 'a' in missing }} {{ 'a' not in missing }} {{ missing in ['a'] }} {{ missing in 'abc' if false else 'skip' }}",
        "{% macro m(a, b) %}<{{ a }}|{{ b }}>{% endmacro %}{{ m(1) }} {{ m() }}",
        "{{ (missing or 'alt') }} {{ missing and 'x' }} {{ 'yes' if missing else 'no' }} {{ not missing }} {{ [1, missing, 2]|select|list }}",
        "{{ {'a': missing}.a is defined }} {{ d.c.nope }}|{{ users[0].nope }}|{{ users|map(attribute='nope')|list }}",
        "{{ users|selectattr('nope')|list }} {{ users|rejectattr('nope')|map(attribute='name')|join(',') }} [{{ 'x'|attr('nope') }}]",
        "{{ missing|lower }}{{ missing|capitalize }}{{ missing|title }}{{ missing|center(3) }}!{{ missing|truncate(3) }}{{ missing|wordcount }}",
        "[{{ missing|first }}{{ missing|last }}{{ missing|min }}{{ missing|max }}] {{ missing|sum }} {{ missing|slice(2)|list }} {{ missing|batch(2)|list }} {{ missing|sort }}",
        ]):
    case("lenient-%02d" % i, tpl, CTX, LENIENT)
for i, tpl in enumerate([
        "{{ missing.attr }}", "{{ missing['k'] }}", "{{ missing() }}", "{{ missing + 1 }}", "{{ 1 + missing }}",
        "{{ missing < 1 }}", "{{ -missing }}", "{{ missing|int }}", "{{ missing|tojson }}", "{{ d.nope.deeper }}",
        "{{ missing is even }}", "{{ missing * 2 }}", "{{ missing.upper() }}", "{{ missing|abs }}",
        "{{ missing|indent(2) }}", "{{ missing|dictsort }}", "{{ missing|float }}",
        ]):
    case("error-lenient-%02d" % i, tpl, CTX, LENIENT)

# ---------------------------------------------------------------- HTML and size filters, cycler, joiner
HTML_CTX = dict(CTX, html="<p class='x'>Hello &amp; <b>bye</b></p>", attrs={"class": "a b", "id": 7, "skip": None,
                "title": "<\"q\">&'", "on": True, "l": [1, "x"]})
for i, tpl in enumerate([
        "{{ 0|filesizeformat }}|{{ 1|filesizeformat }}|{{ 2|filesizeformat }}|{{ 999|filesizeformat }}|{{ 1000|filesizeformat }}",
        "{{ 1023|filesizeformat(true) }}|{{ 1024|filesizeformat(true) }}|{{ 1536|filesizeformat(binary=true) }}",
        "{{ 1234567|filesizeformat }}|{{ 1234567890123|filesizeformat }}|{{ 1e30|filesizeformat }}|{{ 1e27|filesizeformat }}|{{ 1e24|filesizeformat }}",
        "{{ (2.0**80)|filesizeformat(true) }}|{{ (2.0**90)|filesizeformat(true) }}|{{ (2**62)|filesizeformat(true) }}|{{ 1.5|filesizeformat }}|{{ 0.5|filesizeformat }}",
        "{{ -5|filesizeformat }}|{{ -5000|filesizeformat }}|{{ true|filesizeformat }}|{{ false|filesizeformat }}",
        "{{ '1500'|filesizeformat }}|{{ ' 2_000 '|filesizeformat }}|{{ '1e6'|filesizeformat }}|{{ 'inf'|filesizeformat }}|{{ 'nan'|filesizeformat }}",
        "{{ 999999|filesizeformat }}|{{ 999950|filesizeformat }}|{{ 1048575|filesizeformat(true) }}|{{ 12345.678|filesizeformat }}",
        "{{ html|forceescape }}|{{ html|safe|forceescape }}|{{ 42|forceescape }}|{{ none|forceescape }}|{{ items|forceescape }}",
        "{{ html|striptags }}|{{ '  a \n\t b  '|striptags }}|{{ 'x<!-- c -->y'|striptags }}|{{ 'x<!-- open'|striptags }}",
        "{{ 'a <b unclosed'|striptags }}|{{ '<i>x</i> &lt;tag&gt; &amp;amp; &quot;'|striptags }}|{{ 42|striptags }}",
        "{{ '&copy &copy; &notit; &notin; &#65;&#x42;&#X43 &#0; &#128; &#xD800; &#1114112; &#x1F680;'|striptags }}",
        "{{ '&bogus; & &; &#; &#x; &amp &AMP; &ampx &#65x'|striptags }}|{{ '<a href=\"x>y\">link</a>'|striptags }}",
        "{{ '\u00a0a\u2003b\x1cc'|striptags }}|{{ html|safe|striptags }}|{{ '&#9;&#13;&#127;&#65534;'|striptags|list }}",
        "<a{{ attrs|xmlattr }}>|<a{{ attrs|xmlattr(false) }}>|<a{{ {}|xmlattr }}>|<a{{ {'k': none}|xmlattr }}>",
        "<a{{ {'data-x': missing}|xmlattr }}>|{{ {'a': 1}|xmlattr(autospace=false) }}",
        "{% set c = cycler('odd', 'even') %}{% for x in items %}{{ c.next() }} {% endfor %}{{ c.current }}|{{ c.reset() }}{{ c.next() }}",
        "{% set c = cycler(1) %}{{ c.next() }}{{ c.next() }}{{ c.current }}{% set d = cycler(none, [1]) %}{{ d.next() }}{{ d.next() }}{{ d.next() }}",
        "{% set j = joiner() %}{% for x in items %}{{ j() }}{{ x }}{% endfor %}|{% set k = joiner(' | ') %}{{ k() }}a{{ k() }}b{{ k() }}c",
        "{% set j = joiner(sep='-') %}{{ j() }}{{ j() }}{{ j() }}|{{ cycler(1) is callable }} {{ joiner() is callable }} {{ cycler(1, 2).items|list }}",
        "{{ 'see http://example.com/a?b=1#c, and www.example.org. (https://x.io/p_(q)) <http://e.com>'|urlize }}",
        "{{ 'mail a@b.co or mailto:c@d.org, not @x@y.z or a@b or x:y@z.com; foo.com bar.net baz.dev'|urlize }}",
        "{{ 'http://127.0.0.1:8080/x http://[::1]/ http://[2001:db8::1]:80 http://999.1.1.1 https://xn--bcher-kva.example'|urlize }}",
        "{{ 'http://example.com/a/very/long/path'|urlize(10) }}|{{ 'www.e.com'|urlize(trim_url_limit=3, nofollow=true) }}",
        "{{ 'http://e.com'|urlize(target='_blank', rel='me  you') }}|{{ 'http://e.com'|urlize(none, false, none, 'noopener') }}",
        "{{ 'ftp://x tel:+1 ftp:// git://y'|urlize(extra_schemes=['ftp://', 'tel:']) }}|{{ 'http://e.com'|urlize(target='<\"t\">') }}",
        "{{ '  lead\ttab\nhttp://a.com\n\n(www.b.com), ((c.org)) [d.com] \\'e.com\\' <b>www.x.com</b>'|urlize }}",
        "{{ 'http://a.com/&amp; &lt;www.b.com&gt; (http://c.com/x(y)z).'|urlize }}|{{ ''|urlize }}|{{ 42|urlize }}|{{ none|urlize }}",
        "{{ 'WWW.EXAMPLE.COM HTTP://E.COM exämple.com http://例え.jp/パス caf\u00e9@exämple.org'|urlize }}",
        "{{ 'x\u00a0www.a.com\u2003b.com\u3000c.org'|urlize }}|{{ missing|urlize }}|{{ 'http://e.com'|urlize(-1) }}",
        ]):
    case("html-%02d" % i, tpl, HTML_CTX, LENIENT if "missing" in tpl else None)
for i, tpl in enumerate([
        "{{ 'abc'|filesizeformat }}", "{{ none|filesizeformat }}", "{{ items|filesizeformat }}", "{{ ''|filesizeformat }}",
        "{{ '1__0'|filesizeformat }}", "{{ 1|filesizeformat(true, 2) }}", "{{ items|xmlattr }}", "{{ 'x'|xmlattr }}",
        "{{ {'a b': 1}|xmlattr }}", "{{ {'a/b': 1}|xmlattr }}", "{{ {'a>': 1}|xmlattr }}", "{{ {'a=': 1}|xmlattr }}",
        "{{ {'a\tb': 1}|xmlattr }}", "{{ 'x'|striptags(1) }}", "{{ 'x'|forceescape(1) }}", "{{ cycler() }}",
        "{% set c = cycler(1) %}{{ c.nope() }}", "{{ joiner(1, 2) }}", "{{ missing|filesizeformat }}", "{{ missing|xmlattr }}",
        "{{ 'x'|urlize(extra_schemes=['x']) }}", "{{ 'x'|urlize(extra_schemes=['a:///']) }}", "{{ 'http://e.com'|urlize('a') }}",
        "{{ 'x'|urlize(1, 2, 3, 4, 5, 6) }}", "{{ 'x'|urlize(rel=1) }}", "{{ 'x'|urlize(extra_schemes=[1]) }}",
        ]):
    case("error-html-%02d" % i, tpl, HTML_CTX)

# ---------------------------------------------------------------- '%c': a code point or a one-character string
for i, e in enumerate(["'%c' % 65", "'%c|%c' % ('x', true)", "'%c' % 1114111 == '\\U0010ffff'", "'%3c|%-3c|' % (97, 'b')",
                       "'%c' % '\u00e9'"]):
    case("percent-c-%02d" % i, "{{ %s }}" % e, CTX)
for i, e in enumerate(["'%c' % -1", "'%c' % 1114112", "'%c' % 'ab'", "'%c' % ''", "'%c' % 'e\u0301'", "'%c' % 2.5",
                       "'%c' % none"]):
    case("error-percent-c-%02d" % i, "{{ %s }}" % e, CTX)

# ---------------------------------------------------------------- pprint: Python's pprint.pformat (width 80, sorted dicts)
PCTX = dict(CTX, long="lorem ipsum dolor sit amet, consectetur adipiscing elit " * 4, many=list(range(60)),
            big={"key_%02d" % i: "value number %d" % i for i in range(12, 0, -1)},
            cfg={"name": "study", "tags": ["alpha", "beta", "gamma"], "nested": {"z": 1, "a": list(range(30))}, "empty": [], "none": {}},
            uniq="Zoë 🚀 e\u0301 ünïcödé naïve café — “quoted” " * 3, quotes="it's \"both\" " * 12, lines="first line\nsecond line\n" * 5,
            word="x" * 120, spaced="   leading and trailing spaces   " * 4, ctrl="tab\there\x00\x7f\u200b " * 10)
for i, tpl in enumerate([
        "{{ 1|pprint }}|{{ 'a'|pprint }}|{{ none|pprint }}|{{ [1.5, true, 'x']|pprint }}|{{ ''|pprint }}|{{ []|pprint }}|{{ {}|pprint }}",
        "{{ {'b': 1, 'a': 2, 'C': 3, 'é': 4}|pprint }}|{{ d|pprint }}|{{ users[0]|pprint }}",
        "{{ many|pprint }}", "{{ range(25)|list|pprint }}", "{{ range(26)|list|pprint }}", "{{ big|pprint }}", "{{ cfg|pprint }}",
        "{{ users|pprint }}", "{{ {'users': users, 'nums': nums, 'd': d}|pprint }}", "{{ [[[[many]]]]|pprint }}",
        "{{ long|pprint }}", "{{ [long, long ~ long, 'short']|pprint }}", "{{ {'text': long, 'k': [long]}|pprint }}",
        "{{ uniq|pprint }}", "{{ [uniq]|pprint }}", "{{ quotes|pprint }}", "{{ lines|pprint }}", "{{ {'l': lines}|pprint }}",
        "{{ word|pprint }}", "{{ (word ~ ' ' ~ word)|pprint }}", "{{ spaced|pprint }}", "{{ ctrl|pprint }}",
        "{{ {long: 1, 'k': {'deeper': {'deepest': many}}}|pprint }}", "{{ ('x' * 78)|pprint }}|{{ ('x' * 79)|pprint }}",
        "{{ ['x' * 75]|pprint }}|{{ ['x' * 76]|pprint }}|{{ ['ab ' * 30]|pprint }}", "{{ ('a\r\nb\rc\x0bd\x0ce\x1cf\u2028g ' * 12)|pprint }}",
        "{{ [1, [2, [3, [4, [5, [6, ['x' * 70]]]]]]]|pprint }}", "{{ [{'a': 1, 'b': 'x' * 70}, {'c': many}]|pprint }}",
        ]):
    # Only the values the case prints, so that cases.json stays small.
    case("pprint-%02d" % i, tpl, {k: v for k, v in PCTX.items() if re.search(r"\b%s\b" % k, tpl)})

# ---------------------------------------------------------------- markup-safe strings (Markup)
# Every built-in filter (read from the engine's filter tables) applied to a markup-safe string, made
# by `e` and by `safe`, then escaped: a filter that keeps the Markup is not escaped twice.
MARKUP_SOURCE = "'<a href=\"x\">&amp;</a>'"
MARKUP_INPUTS = {"e": MARKUP_SOURCE + "|e", "safe": MARKUP_SOURCE + "|safe"}
MARKUP_FILTER_ARGS = {
    "attr": "('x')", "batch": "(2)", "center": "(40)", "combine": "({})", "d": "('x')", "default": "('x')",
    "extract": "([1])", "groupby": "('x')", "hash": "('sha1')", "indent": "(2, true)", "join": "('<,>')",
    "map": "('upper')", "regex_findall": "('[a-z]+')", "regex_replace": "('a', '<i>')", "regex_search": "('[a-z]+')",
    "reject": "('eq', 'a')", "rejectattr": "('x')", "replace": "('&amp;', '<i>')", "select": "('eq', 'a')",
    "selectattr": "('x')", "slice": "(2)", "ternary": "('<y>', '<n>')", "trim": "('<>')", "truncate": "(12, true, '<>')",
    "wordwrap": "(8)",
}
# Random results, the engine's own filters that Jinja2 and jinja2-ansible-filters do not have, and
# slugify (conformance_expected.py's stand-in does not decode entities as python-slugify does).
MARKUP_FILTERS_LEFT_OUT = {"random", "shuffle", "ans_random", "to_uuid", "jsonify", "python_string", "toml_string", "yaml_string",
                           "slugify"}
# Filters that return generators in Jinja2: their items are listed.
MARKUP_FILTERS_LISTED = {"batch", "items", "map", "reject", "rejectattr", "select", "selectattr", "slice", "unique", "dict2items"}
# Refused for a Markup input (their Python result cannot be matched); MarkupTests checks the errors.
MARKUP_FILTERS_REFUSED = {"to_yaml", "to_nice_yaml", "splitext", "win_splitdrive"}


def registry_filters():
    """The filter names of the engine's tables (`table([...])` in Sources/TemplateEngine/Filters)."""
    import glob
    import os
    names = set()
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "TemplateEngine", "Filters")
    for path in glob.glob(os.path.join(root, "*.swift")):
        with open(path, encoding="utf-8") as f:
            for table in re.findall(r"table\(\[(.*?)\]\)", f.read(), re.S):
                names.update(re.findall(r'"([a-z_0-9]+)"\s*:', table))
    return sorted(names)


for name in registry_filters():
    if name in MARKUP_FILTERS_LEFT_OUT | MARKUP_FILTERS_REFUSED:
        continue
    for kind, source in MARKUP_INPUTS.items():
        listed = "|list" if name in MARKUP_FILTERS_LISTED else ""
        case("markup-filter-%s-%s" % (name, kind), "{{ (%s)|%s%s%s|e }}" % (source, name, MARKUP_FILTER_ARGS.get(name, ""), listed))
# The filters that make Markup from other values.
for i, tpl in enumerate([
        "{{ 5|e|e }}|{{ none|e }}|{{ [1, '<']|e|e }}|{{ items|safe|e }}|{{ 3|safe|length }}|{{ d|tojson|e }}",
        "{{ ('%s<%s>'|e|format('<', 2))|e }}|{{ ('%(k)s'|safe|format(k='&'))|e }}|{{ ('%d'|safe|format(3))|e }}",
        "{{ ['<'|e]|pprint }}|{{ {'k': '<'|safe} }}|{{ ['<'|e] }}|{{ '<'|e|type_debug }}|{{ '<'|e is string }}",
        "{{ '<b>www.x.org</b>'|safe|urlize }}|{{ '<b>www.x.org</b>'|urlize }}|{{ {'a': '<'|e}|tojson }}",
        "{{ ('<'|e)|forceescape|e }}|{{ ('<'|safe)|string|e }}|{{ ('<'|safe)|list|e }}|{{ ('a<'|safe)|last|e }}",
        ]):
    case("markup-made-%02d" % i, tpl, CTX)
# Every method of Python's str (and Markup's own) called on a Markup value, then escaped.
MARKUP_METHOD_ARGS = {
    "center": "(40, '<')", "ljust": "(40, '<'|safe)", "count": "('a')", "endswith": "('>')", "expandtabs": "()", "find": "('a')",
    "format": "('<')", "format_map": "({})", "index": "('a')", "join": "(['<', 1])",
    "lstrip": "('<&;lt')", "partition": "('&')", "removeprefix": "('<a')", "removesuffix": "('</a>')",
    "replace": "('<a', '<i')", "splitlines": "(true)", "rfind": "('a')", "rindex": "('a')", "rjust": "(40, '<')", "rpartition": "('&')",
    "rsplit": "('&')", "rstrip": "('<&;gt')", "split": "('&')", "startswith": "('<a')", "strip": "('<&;lgt')",
    "zfill": "(40)",
}
# Refused by name on every string, and (format, format_map) refused on Markup: MarkupTests checks them.
MARKUP_METHODS_LEFT_OUT = {"encode", "maketrans", "translate", "format", "format_map"}
for name in sorted([m for m in dir(str) if not m.startswith("_")] + ["unescape", "striptags"]):
    if name in MARKUP_METHODS_LEFT_OUT:
        continue
    for kind, source in MARKUP_INPUTS.items():
        listed = "|list" if name in ("partition", "rpartition") else ""  # tuples print as lists
        case("markup-method-%s-%s" % (name, kind), "{{ (%s).%s%s%s|e }}" % (source, name, MARKUP_METHOD_ARGS.get(name, "()"), listed))
# Operators: `+` and `%` escape plain operands, `~` makes a plain string, `*`, comparison, `in`,
# iteration, indexing and slicing.
for i, tpl in enumerate([
        "{{ ('<a>'|e) + '<b>' }}|{{ '<b>' + ('<a>'|e) }}|{{ ('<a>'|safe) + ('<b>'|safe) }}|{{ (('<a>'|e) + '<b>')|e }}",
        "{{ ('<a>'|e) ~ '<b>' }}|{{ (('<a>'|e) ~ '<b>')|e }}|{{ ('<a>'|safe ~ 1)|e }}",
        "{{ ('<%s>'|safe) % '<' }}|{{ ('%s %s'|safe) % ('<', '<'|safe) }}|{{ ('%(a)s'|safe) % {'a': '&'} }}|{{ ('%05.1f'|safe) % 2.5 }}",
        "{{ (('<'|safe) * 3)|e }}|{{ (2 * ('<'|safe))|e }}|{{ '<' == '<'|safe }}|{{ ('<'|e) == '&lt;' }}|{{ ('a'|safe) < 'b' }}",
        "{{ '<' in ('<a>'|safe) }}|{{ ('<'|safe) in '<a>' }}|{{ ('<'|safe) in ['<'] }}|{{ {'<': 1}['<'|safe] }}",
        "{% for c in '<a'|safe %}{{ c|e }},{% endfor %}|{{ ('<a>'|safe)[0]|e }}|{{ ('<a>'|safe)[1:]|e }}|{{ ('<a>'|safe)[::-1]|e }}",
        "{{ ('<a>'|e)|length }}|{{ ('<a>'|safe)|length }}|{{ '' |safe is string }}|{{ 'x' if ''|safe else 'y' }}",
        "{{ ('<'|safe) + 1 }}", "{{ 1 + ('<'|safe) }}",
        "{{ ('a'|e) is lower }}|{{ ('A'|safe) is upper }}|{{ ('a'|e) is sequence }}|{{ ('a'|e) is iterable }}|{{ ('a'|e) is eq 'a' }}|"
        "{{ ('a'|e) is in 'abc' }}|{{ 'a' is in ('abc'|safe) }}|{{ ('a'|safe) is sameas 'a' }}|{{ ('a'|e) is mapping }}",
        "{{ 'a<b'.strip('a'|safe) }}|{{ 'a,b'.split(','|e) }}|{{ ','.join(['a'|e, 'b'])|e }}|{{ {'k': 1}.get('k'|e) }}|"
        "{{ '{}-{:s}'.format('<'|e, 'a'|safe)|e }}|{{ '%c' % ('x'|safe) }}|{{ ('%s' % ('<'|e))|e }}|{{ {'k': 1}['k'|safe] }}",
        "{{ ['b'|e, 'C', 'a'|safe]|sort|e }}|{{ ['B'|e, 'a']|sort|e }}|{{ ['b'|e, 'B'|safe, 'a']|unique|list|e }}|{{ ['<'|e, '<']|unique(true)|list|e }}|"
        "{{ ['b', 'a'|e]|max|e }}|{{ ['x'|e, 'y']|join('<')|e }}|{{ ['x'|e, 'y']|map('upper')|list|e }}",
        ]):
    case("markup-operators-%02d" % i, tpl)

# ---------------------------------------------------------------- errors: in conformance_error_cases.py
from conformance_error_cases import add_error_cases  # noqa: E402

add_error_cases(case, CTX, STATEMENT_FILES)

# ---------------------------------------------------------------- shared contexts and included files
# cases.json holds each of these once, under its name, and a case whose context (or files) is equal
# to one of them names it instead of repeating it. The names are only labels inside cases.json.
SHARED_CONTEXTS = {"base": CTX, "layouts": LCTX, "ansible": ACTX, "yaml": YCTX, "html": HTML_CTX, "tree": TREE}
SHARED_FILES = {"statements": STATEMENT_FILES, "macros": MACROS, "layouts": LAYOUTS}
