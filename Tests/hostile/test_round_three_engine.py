"""Hostile inputs, round three (manifest includes and the template engine): `!include` fan-out
and exponential globs, values whose shared structure is exponentially large when walked, and
rendering that holds more memory than one render's limits would allow, across a whole run."""
from __future__ import annotations

import resource
import subprocess
from pathlib import Path

import pytest

from conftest import binary, hang_guard, run, tree, write_template

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


# --- Values with shared structure: every walk is charged as it goes --------------------------------

def bomb_source(expression: str) -> str:
    text = "{% set d0 = {'k': 'v'} %}{% set e0 = {'k': 'v'} %}"
    for i in range(1, 41):
        text += f"{{% set d{i} = {{'a': d{i - 1}, 'b': d{i - 1}}} %}}{{% set e{i} = {{'a': e{i - 1}, 'b': e{i - 1}}} %}}"
    return text + "\n" + expression + "\n"


BOMB_EXPRESSIONS = [
    "{{ d40 }}", "{{ d40 == e40 }}", "{{ d40 | tojson }}", "{{ d40 | string }}", "{{ d40 ~ '' }}",
    "{{ d40 | pprint }}", "{{ d40 | to_yaml }}", "{{ d40 | to_nice_json }}", "{{ d40 | hash('sha1') }}",
    "{{ [d40, e40] | unique | length }}", "{{ d40 | dictsort }}", "{{ d40 in [e40] }}",
]


@pytest.mark.parametrize("expression", BOMB_EXPRESSIONS)
def test_shared_structure_walks_stop_with_a_located_error(expression: str, tmp_path: Path) -> None:
    template = tmp_path / "bomb.txt.jinja"
    template.write_text(bomb_source(expression))
    result = run("render", str(template), cwd=tmp_path, timeout=60)  # a hang guard: 2^40 items never finish
    assert result.returncode == 2, result.stderr
    assert f"{template}:2:" in result.stderr
    assert "exceed" in result.stderr or "more than" in result.stderr


def test_a_shared_structure_bomb_in_a_project_file_leaves_nothing(tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST, {"bomb.txt.jinja": bomb_source("{{ d40 | tojson }}")})
    dest = tmp_path / "out"
    result = init(tpl, dest, cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "bomb.txt.jinja:2:" in result.stderr
    assert not dest.exists() and leftovers(tmp_path) == []


# --- One budget for all the renders of a generation -------------------------------------------------

def limited_memory(megabytes: int):
    def apply() -> None:
        limit = megabytes << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


@pytest.mark.parametrize("questions", [20, 40])
def test_large_defaults_share_one_budget_and_leave_no_staging(questions: int, tmp_path: Path) -> None:
    manifest = "".join(f"q{i}:\n  type: str\n  default: \"{{{{ 'x' * 60000000 }}}}\"\n" for i in range(questions))
    tpl = write_template(tmp_path / "tpl", manifest, {"a.txt.jinja": "{{ q0 | length }}\n"})
    dest = tmp_path / "o"
    proc = subprocess.run([str(binary()), "init", str(dest), "--template", str(tpl), "--defaults", "--no-probe", "--no-git"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=hang_guard(120),
                          env={"NO_COLOR": "1", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
                          preexec_fn=limited_memory(1536))
    assert proc.returncode == 2, proc.stderr[-2000:]  # not 134 (an abort)
    assert "bytes in one generation" in proc.stderr
    assert "mlrepro.yml" in proc.stderr  # names the question whose default went over
    assert not dest.exists() and leftovers(tmp_path) == []


def test_large_file_contents_share_one_budget(tmp_path: Path) -> None:
    files = {f"f{i}.txt.jinja": "{{ 'x' * 60000000 }}\n" for i in range(12)}
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST, files)
    dest = tmp_path / "o"
    proc = subprocess.run([str(binary()), "init", str(dest), "--template", str(tpl), "--defaults", "--no-probe", "--no-git"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=hang_guard(120),
                          env={"NO_COLOR": "1", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
                          preexec_fn=limited_memory(1536))
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "bytes in one generation" in proc.stderr and ".txt.jinja:" in proc.stderr
    assert not dest.exists() and leftovers(tmp_path) == []


def test_a_loop_of_plain_text_stops_at_one_files_limit(tmp_path: Path) -> None:
    body = "{% for i in range(1000000) %}" + "x" * 1000 + "{% endfor %}\n"
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST, {"big.txt.jinja": body})
    dest = tmp_path / "o"
    result = init(tpl, dest, cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "big.txt.jinja:1:" in result.stderr and "output exceeds 67108864 bytes" in result.stderr
    assert not dest.exists() and leftovers(tmp_path) == []
