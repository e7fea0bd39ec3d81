"""Hostile templates: no write outside DEST, no escape through symlinks or includes, no
hang on recursion or size bombs, no code run without --trust."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import run, write_template

OPEN_MANIFEST = "name:\n  type: str\n  default: demo\n"


def init(template: Path, dest: Path, *extra: str, cwd: Path):
    return run("init", str(dest), "--template", str(template), "--defaults", "--no-git", "--no-probe",
               *extra, cwd=cwd, timeout=60)  # a hang guard, not a speed target


@pytest.mark.parametrize("value", ["../escape", "../../escape", "/tmp/mlrepro-abs-escape", "a/../../escape"])
def test_rendered_path_cannot_leave_dest(value: str, tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST, {"{{ name }}/file.txt": "x\n"})
    dest = tmp_path / "work" / "out"
    result = init(tpl, dest, "--data", f"name={value}", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert not dest.exists()
    assert not (tmp_path / "work" / "escape").exists() and not (tmp_path / "escape").exists()
    assert not Path("/tmp/mlrepro-abs-escape").exists()


def test_symlink_escaping_the_template_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not copy\n")
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST, {"ok.txt": "fine\n"})
    os.symlink(secret, tpl / "leak.txt")
    dest = tmp_path / "out"
    result = init(tpl, dest, cwd=tmp_path)
    assert result.returncode == 2
    assert "leak.txt" in result.stderr
    assert not dest.exists()


def test_include_outside_the_template_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("do not include\n")
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST, {"a.txt.jinja": "{% include '../secret.txt' %}\n"})
    dest = tmp_path / "out"
    result = init(tpl, dest, cwd=tmp_path)
    assert result.returncode == 2
    assert "a.txt.jinja:1:" in result.stderr
    assert not dest.exists()


BOMBS = {
    "macro recursion": "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}\n",
    "string repetition": "{{ 'x' * 10000000000 }}\n",
    "huge range": "{% for i in range(10000000000) %}{{ i }}{% endfor %}\n",
    "nested loops": "{% for a in range(100000) %}{% for b in range(100000) %}.{% endfor %}{% endfor %}\n",
    "self include": "{% include 'a.txt.jinja' %}\n",
    "deep expression": "{{ " + "(" * 10000 + "1" + ")" * 10000 + " }}\n",
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_template_bombs_fail_fast(name: str, tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST, {"a.txt.jinja": BOMBS[name]})
    dest = tmp_path / "out"
    result = init(tpl, dest, cwd=tmp_path)
    assert result.returncode == 2, f"{name}: {result.stderr[:300]}"
    assert "a.txt.jinja:" in result.stderr
    assert not dest.exists()


def test_tasks_are_refused_without_trust_before_anything_is_written(tmp_path: Path) -> None:
    manifest = OPEN_MANIFEST + "_tasks:\n  - touch {{ _copier_conf.dst_path }}/../pwned\n"
    tpl = write_template(tmp_path / "tpl", manifest, {"a.txt": "x\n"})
    dest = tmp_path / "out"
    result = init(tpl, dest, cwd=tmp_path)
    assert result.returncode == 2
    assert "--trust" in result.stderr
    assert not dest.exists()
    assert not (tmp_path / "pwned").exists()


def test_trusted_task_failure_reports_its_exit_status(tmp_path: Path) -> None:
    manifest = OPEN_MANIFEST + "_tasks:\n  - touch ran-first\n  - exit 7\n"
    tpl = write_template(tmp_path / "tpl", manifest, {"a.txt": "x\n"})
    dest = tmp_path / "out"
    result = init(tpl, dest, "--trust", cwd=tmp_path)
    assert result.returncode == 2
    assert "7" in result.stderr
    assert (dest / "ran-first").exists(), "tasks run in DEST"
