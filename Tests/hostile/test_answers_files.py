"""Hostile answers files: each is refused with exit 2, a file:line:col diagnostic, within
1 s, and nothing is created."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import run

CASES: dict[str, bytes] = {
    "alias bomb": (
        b"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        b"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        b"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        b"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        b"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
        b"epochs: *g\n"
    ),
    "deep flow nesting": b"epochs: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
    "deep block nesting": b"".join(b"  " * i + b"k:\n" for i in range(5_000)) + b"  " * 5_000 + b"v\n",
    "duplicate keys": b"epochs: 1\nproject_slug: demo\nepochs: 2\n",
    "not UTF-8": b"project_slug: caf\xe9\n",
    "binary": bytes(range(256)) * 4,
    "top-level list": b"- project_slug\n- epochs\n",
    "top-level scalar": b"just a string\n",
    "python tag": b"epochs: !!python/object/apply:os.system ['touch pwned']\n",
    "custom tag": b"project_slug: !shell demo\n",
    "YAML 2.0 directive": b"%YAML 2.0\n---\nepochs: 1\n",
    "TAG directive": b"%TAG !e! tag:example.com,2000:\n---\nepochs: !e!x 1\n",
    "unknown key": b"project_slug: demo\nepockhs: 3\n",
    "wrong type": b"project_slug: demo\nepochs: ten\n",
    "NUL in value": b'project_slug: "de\\0mo"\n',
    "bidi override in value": "project_slug: \"demo\u202eslug\"\n".encode(),
    "control character in value": b'project_slug: "de\\x1bmo"\n',
    "enormous value": b"project_slug: " + b"a" * 8_000_000 + b"\n",
    "enormous file": b"# " + b"x" * 20_000_000 + b"\nepochs: 1\n",
}

LOCATION = re.compile(r"answers\.yml:\d+:\d+: error: ")


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_answers_file_is_refused(name: str, simple_template: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_bytes(CASES[name])
    dest = tmp_path / "out" / "project"
    result = run("init", str(dest), "--template", str(simple_template), "--answers", str(answers),
                 "--no-git", "--no-probe", cwd=tmp_path)
    assert result.returncode == 2, f"{name}: exit {result.returncode}\nstderr: {result.stderr[:500]}"
    assert LOCATION.search(result.stderr), f"{name}: no file:line:col diagnostic in: {result.stderr[:500]}"
    assert "Fatal error" not in result.stderr and "Stack dump" not in result.stderr
    assert not dest.exists(), f"{name}: destination was created"
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir()), "leftovers next to DEST"
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("case, expected", [
    # A duplicate key points at the second line and names the first.
    ("duplicate keys", ["answers.yml:3:1: error: duplicate key 'epochs'", "first at line 1"]),
    # A wrongly typed answer is located and names its key.
    ("wrong type", ["answers.yml:2:", "epochs"]),
])
def test_errors_are_located_and_name_the_key(case: str, expected: list[str], simple_template: Path,
                                             tmp_path: Path) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_bytes(CASES[case])
    result = run("validate", "--answers", str(answers), "--template", str(simple_template), cwd=tmp_path)
    assert result.returncode == 2
    for text in expected:
        assert text in result.stderr, result.stderr


@pytest.mark.parametrize("value", ["../escape", "/abs/path", "a/b", "..", ".", "x" * 300, "de\u202emo", "a\tb"])
def test_values_used_in_paths_are_refused(value: str, simple_template: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    result = run("init", str(dest), "--template", str(simple_template), "--data", f"project_slug={value}",
                 "--defaults", "--no-git", "--no-probe", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "project_slug" in result.stderr
    assert not dest.exists()
    assert not (tmp_path / "escape").exists() and not Path("/abs/path").exists()
