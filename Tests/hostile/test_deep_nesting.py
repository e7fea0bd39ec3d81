"""Hostile inputs: values and syntax nested far deeper than any real template needs. Every walk
over a value (printing, comparing, ordering, hashing, serialising, flattening), every `set` that
would keep such a value, and the parser stop with one located error (exit 2), never a crash, and
`init` leaves no output folder behind."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run, write_template

LIMIT = 500
MESSAGE = f"lists and dicts nest deeper than {LIMIT} levels"
OPEN_MANIFEST = "name:\n  type: str\n  default: demo\n"

# A list nested thousands of levels deep, one loop turn a level (the namespace carries it), then
# each walk; the render must stop at the `set` that went past the limit, before any walk.
LOOP = ("{% set ns = namespace(x=[], y=[]) %}{% for i in range(5000) %}"
        "{% set ns.x = [ns.x] %}{% set ns.y = [ns.y] %}{% endfor %}{% set x, y = ns.x, ns.y %}")

# The same depth built without a namespace: a chain of `set`s, five levels each.
CHAIN = "{% set x = [] %}{% set y = [] %}" + "{% set x = [[[[[x]]]]] %}{% set y = [[[[[y]]]]] %}" * 1000

WALKS = ["x", "x | string", "x | pprint", "x | tojson", "x | to_json", "x | to_nice_json", "x | to_yaml",
         "x | to_nice_yaml", "x == y", "x < y", "x in [y]", "[x, y] | unique | list", "x | hash('sha1')",
         "x | flatten | length", "[x, y] | sort | length", "x ~ ''", "x | join", "x | max", "x | b64encode",
         "{'a': x} | combine({'a': y}, recursive=true)", "[x] | map('string') | list"]

BUILDERS = {"loop": LOOP, "chain": CHAIN}


def source(builder: str, walk: str) -> str:
    return "intro\n" + BUILDERS[builder] + "{{ " + walk + " }}\n"


@pytest.mark.parametrize("builder", sorted(BUILDERS))
@pytest.mark.parametrize("walk", WALKS)
def test_deep_values_stop_with_one_located_error(builder: str, walk: str, tmp_path: Path) -> None:
    template = tmp_path / "deep.txt.jinja"
    template.write_text(source(builder, walk))
    result = run("render", str(template), cwd=tmp_path, timeout=60)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert f"{template}:2:" in result.stderr and MESSAGE in result.stderr, result.stderr[-2000:]


DEEP_SYNTAX = {
    "parentheses": "{{ " + "(" * 100_000 + "1" + ")" * 100_000 + " }}",
    "brackets": "{{ " + "[" * 100_000 + "]" * 100_000 + " }}",
    "dicts": "{{ " + "{'a': " * 100_000 + "1" + "}" * 100_000 + " }}",
    "not": "{{ " + "not " * 100_000 + "1 }}",
    "if": "{% if 1 %}" * 10_000 + "{% endif %}" * 10_000,
    "filters": "{{ 1" + " | string" * 100_000 + " }}",
}


@pytest.mark.parametrize("name", sorted(DEEP_SYNTAX))
def test_deeply_nested_syntax_is_a_located_error(name: str, tmp_path: Path) -> None:
    template = tmp_path / "syntax.txt.jinja"
    template.write_text("intro\n" + DEEP_SYNTAX[name] + "\n")
    result = run("render", str(template), cwd=tmp_path, timeout=60)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert f"{template}:2:" in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize("walk", ["x | string", "x | tojson", "x == y"])
def test_a_deep_value_in_a_project_file_leaves_nothing(walk: str, tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST, {"deep.txt.jinja": source("loop", walk)})
    dest = tmp_path / "out"
    result = run("init", str(dest), "--template", str(tpl), "--defaults", "--no-probe", "--no-git",
                 cwd=tmp_path, timeout=60)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "deep.txt.jinja:2:" in result.stderr and MESSAGE in result.stderr, result.stderr[-2000:]
    assert not dest.exists()
    assert [p.name for p in tmp_path.iterdir() if "mlrepro" in p.name] == []


def test_modest_nesting_still_renders(tmp_path: Path) -> None:
    template = tmp_path / "ok.txt.jinja"
    template.write_text("{% set ns = namespace(x=[]) %}{% for i in range(400) %}{% set ns.x = [ns.x] %}{% endfor %}"
                        "{{ ns.x | tojson | length }} {{ ns.x == ns.x }} {{ ns.x | string | length }}\n")
    result = run("render", str(template), cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "802 True 802"


@pytest.mark.parametrize("walk", ["x | string", "x == y", "x | tojson", "x | to_yaml", "[x, y] | sort | length"])
def test_values_deepened_through_macro_arguments_stop_at_the_walk(walk: str, tmp_path: Path) -> None:
    # No `set` keeps them: 99 nested calls each wrap the arguments 190 levels deeper (19,000 in all).
    deeper = "|batch(1)" * 190
    template = tmp_path / "macro.txt.jinja"
    template.write_text("intro\n{% macro m(x, y, n) %}{% if n > 0 %}{{ m(x" + deeper + ", y" + deeper + ", n - 1) }}"
                        "{% else %}{{ " + walk + " }}{% endif %}{% endmacro %}{{ m([1], [1], 99) }}\n")
    result = run("render", str(template), cwd=tmp_path, timeout=60)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert f"{template}:2:" in result.stderr and MESSAGE in result.stderr, result.stderr[-2000:]
