"""Hostile inputs, round three (manifest includes and the template engine): `!include` fan-out
and exponential globs, values whose shared structure is exponentially large when walked, and
rendering that holds more memory than one render's limits would allow, across a whole run."""
from __future__ import annotations

import resource
import subprocess
from pathlib import Path

import pytest

from conftest import binary, run, tree, write_template

OPEN_MANIFEST = "name:\n  type: str\n  default: demo\n"


def init(template: Path, dest: Path, *extra: str, cwd: Path, timeout: float = 60):
    return run("init", str(dest), "--template", str(template), "--defaults", "--no-probe", "--no-git", *extra,
               cwd=cwd, timeout=timeout)


def leftovers(folder: Path) -> list[str]:
    """Staging or backup folders mlrepro left next to (or inside) the destination."""
    return sorted(p.name for p in folder.iterdir() if "mlrepro-staging" in p.name or "mlrepro-backup" in p.name)


# --- !include: the documents of all includes together are bounded ---------------------------------

def fan_out_template(root: Path, levels: int, width: int) -> Path:
    files: dict[str, str] = {}
    for level in range(1, levels + 1):
        for k in range(width):
            body = f"--- !include 'inc/l{level + 1}/*.yml'\n" if level < levels else f"q{k}:\n  type: str\n  default: x\n"
            files[f"inc/l{level}/f{k}.yml"] = body
    root.mkdir(parents=True, exist_ok=True)
    (root / "copier.yml").write_text("name:\n  type: str\n  default: demo\n--- !include 'inc/l1/*.yml'\n")
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(content)
    return root


def test_include_fan_out_stops_with_a_located_error(tmp_path: Path) -> None:
    tpl = fan_out_template(tmp_path / "tpl", levels=15, width=4)
    dest = tmp_path / "out"
    result = init(tpl, dest, cwd=tmp_path, timeout=20)  # 4^15 documents never finish
    assert result.returncode == 2, result.stderr
    assert "more than 1000 documents" in result.stderr
    assert "/inc/l" in result.stderr and ".yml:1:" in result.stderr  # names the include that went over
    assert not dest.exists()


def test_include_bytes_are_bounded_in_total(tmp_path: Path) -> None:
    # Each file is small enough alone; read 40 times over they exceed 16 MiB.
    big = "# " + "x" * (1 << 20) + "\n" + "q: {type: str, default: x}\n"
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST + "".join("--- !include 'big/*.yml'\n" for _ in range(40)),
                         {"big/a.yml": big})
    (tpl / "mlrepro.yml").rename(tpl / "copier.yml")
    result = init(tpl, tmp_path / "out", cwd=tmp_path, timeout=20)
    assert result.returncode == 2, result.stderr
    assert "more than 16 MiB" in result.stderr and "copier.yml:" in result.stderr


def test_modest_includes_still_work(tmp_path: Path) -> None:
    tpl = fan_out_template(tmp_path / "tpl", levels=3, width=4)
    result = init(tpl, tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    answers = (tmp_path / "out" / ".mlrepro" / "answers.yml").read_text()
    assert "q3: x" in answers and "name: demo" in answers


# --- !include globs are matched in linear time ----------------------------------------------------

@pytest.mark.parametrize("pattern", [
    "/".join(["**"] * 20) + "/nomatch.yml",
    "/".join(["**", "d*"] * 20) + "/nomatch.yml",
    "/".join(["**", "*"] * 20) + "/**/nomatch.yml",
])
def test_include_globs_with_many_double_stars_finish(pattern: str, tmp_path: Path) -> None:
    deep = "/".join(f"d{i}" for i in range(100))
    tpl = write_template(tmp_path / "tpl", "", {
        f"{deep}/q.yml": "deep:\n  type: str\n  default: found\n", "keep.txt": "k\n"})
    (tpl / "mlrepro.yml").unlink()
    (tpl / "copier.yml").write_text(OPEN_MANIFEST + f"--- !include '{pattern}'\n--- !include '**/d99/*.yml'\n")
    result = init(tpl, tmp_path / "out", cwd=tmp_path, timeout=20)  # exponential matching never finishes
    assert result.returncode == 0, result.stderr
    assert "deep: found" in (tmp_path / "out" / ".mlrepro" / "answers.yml").read_text()


def test_include_patterns_have_the_exclude_bounds(tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST + "--- !include '" + "/".join(["a"] * 129) + "'\n", {})
    result = init(tpl, tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 2
    assert "at most 128 components" in result.stderr and "mlrepro.yml:4:" in result.stderr
