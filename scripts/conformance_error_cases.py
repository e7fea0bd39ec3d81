"""Conformance cases that must fail in both Jinja2 and TemplateEngine (and a few that
Jinja2 accepts, which then must render identically)."""


def add_error_cases(case, CTX, STATEMENT_FILES):
    ERRORS = {
        "undefined-name": "{{ missing }}", "undefined-attr": "{{ d.missing }}", "undefined-attr-chain": "{{ missing.attr|default('x') }}",
        "undefined-in-op": "{{ missing + 1 }}", "undefined-in-if": "{% if missing %}x{% endif %}", "undefined-in-for": "{% for x in missing %}{% endfor %}",
        "undefined-index": "{{ nums[10] }}", "unclosed-if": "{% if t %}x", "unclosed-for": "{% for x in items %}x",
        "unclosed-var": "{{ name", "unclosed-comment": "{# x", "unclosed-raw": "{% raw %}x", "mismatched-end": "{% if t %}x{% endfor %}",
        "stray-end": "x{% endif %}", "unknown-tag": "{% frobnicate %}", "unknown-filter": "{{ name|nope }}", "unknown-test": "{{ n is nope }}",
        "bad-expr": "{{ 1 + }}", "bad-expr-2": "{{ (1 }}", "bad-expr-3": "{{ a b }}", "empty-expr": "{{ }}", "bad-set": "{% set = 1 %}",
        "div-zero": "{{ 1 / 0 }}", "floordiv-zero": "{{ 1 // 0 }}", "mod-zero": "{{ 1 % 0 }}", "float-div-zero": "{{ 1.0 / 0 }}",
        "not-iterable": "{% for x in 42 %}{% endfor %}", "not-callable": "{{ name() }}", "type-add": "{{ 1 + 'a' }}", "type-lt": "{{ 1 < 'a' }}",
        "macro-too-many": "{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", "macro-bad-kw": "{% macro m(a) %}{% endmacro %}{{ m(b=1) }}",
        "unpack-count": "{% for a, b in [[1, 2, 3]] %}{% endfor %}", "include-missing": "{% include 'nope.txt' %}",
        "first-empty": "{{ empty|first }}", "undefined-filter-arg": "{{ name|replace(missing, 'x') }}",
        "undefined-upper": "{{ missing|upper }}", "undefined-concat": "{{ 'a' ~ missing }}", "undefined-macro-arg": "{% macro m(a) %}{{ a }}{% endmacro %}{{ m() }}", "int-string-mul": "{{ 'a' - 1 }}", "elif-after-else": "{% if t %}{% else %}{% elif t %}{% endif %}",
        "unexpected-char": "{{ 1 $ 2 }}", "unterminated-string": "{{ 'abc }}", "len-of-int": "{{ 5|length }}",
    }
    MORE_ERRORS = [
        "{{ 'a' + 1 }}", "{{ [1] + 'a' }}", "{{ {'a': 1} + {} }}", "{{ 1 < none }}", "{{ none + 1 }}", "{{ 'abc'[1.5] }}", "{{ d[0] }}",
        "{{ items.upper() }}", "{{ 5|first }}", "{{ 5|join }}", "{{ 'x' * 'y' }}", "{{ -'a' }}", "{{ 1|round(2, 'x') }}",
        "{{ items|map('nope')|list }}", "{{ items|select('nope')|list }}", "{{ range(1.5) }}", "{{ range() }}", "{{ dict(1) }}",
        "{{ name.nonexistent_method() }}", "{{ loop.index }}", "{% for x in %}{% endfor %}", "{% for in items %}{% endfor %}",
        "{% include %}", "{% macro m %}{% endmacro %}", "{% macro m(a=1, b) %}{% endmacro %}", "{% macro m(a) %}{% endmacro %}{{ m(a=1, a=2) }}",
        "{{ 1 if }}", "{{ [1, }}", "{{ {'a' 1} }}", "{% if t %}{% else %}{% else %}{% endif %}", "{% for x in items %}{% endif %}",
        "{% set x %}", "{% set x = %}", "{{ 'a' is }}", "{{ x|default(1 }}", "{{ items[] }}", "{{ items[1:2:3:4] }}", "{% raw %}{% endraw",
        "{% endraw %}", "{{ '%d' % 'x' }}", "{{ '%s %s' % ('a',) }}", "{{ '{}'.format() }}", "{{ '{0}'.format() }}", "{{ 'a'|float + none }}",
        "{{ users|sort(attribute='missing')|list }}", "{{ users|sum(attribute='name') }}",
        "{{ d|dictsort(by='x') }}", "{{ 3|length }}", "{{ none|list }}", "{{ items|join(1) }}", "{{ 'a'|replace(1, 2) }}", 
        "{{ 'x'|indent('a', 'b', 'c', 'd') }}", "{{ 'a'|center('x') }}", "{{ 'ab'|b64decode }}", "{{ 'x'|hash('md5') }}", "{{ '['|regex_search('[') }}",
        "{% for a, b in items %}{% endfor %}", "{% set a, b = 1 %}", "{{ 2 ** 0.5 ** 'a' }}", "{{ 1 // 0.0 }}", "{{ 5 % 0.0 }}",
    ]
    for i, tpl in enumerate(MORE_ERRORS):
        case("error-more-%02d" % i, tpl, CTX, None, STATEMENT_FILES)
    for cid, tpl in ERRORS.items():
        case("error-" + cid, tpl, CTX, None, STATEMENT_FILES)
