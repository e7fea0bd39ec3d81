"""Hostile inputs, round two: version-control folders, one-character names, exponential
`_exclude` patterns, control characters in answers and messages, `--force` commits."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import run, tree, write_template

OPEN_MANIFEST = "name:\n  type: str\n  default: demo\n"


def init(template: Path, dest: Path, *extra: str, cwd: Path, git: bool = False, timeout: float = 60):
    flags = [] if git else ["--no-git"]
    return run("init", str(dest), "--template", str(template), "--defaults", "--no-probe", *flags, *extra,
               cwd=cwd, timeout=timeout,
               env={"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org",
                    "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.org"})


# --- A template cannot write into .git (or other VCS folders), whatever _exclude says -------------

VCS_PATHS = [
    ".git/config", ".git/hooks/post-checkout", ".GIT/config", ".Git/hooks/pre-commit", "sub/.git/config",
    ".git./config", ".g\u200cit/config", ".hg/hgrc", ".svn/entries", "GIT~1/config",
]


@pytest.mark.parametrize("path", VCS_PATHS)
@pytest.mark.parametrize("exclude", ["_exclude: []\n", "_exclude: ['*.pyc']\n"])
def test_no_output_path_enters_a_vcs_folder(path: str, exclude: str, tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST + exclude, {
        path: "[core]\n\tfsmonitor = touch /tmp/mlrepro-pwned\n", "ok.txt": "ok\n"})
    dest = tmp_path / "out"
    result = init(tpl, dest, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "version-control folder" in result.stderr
    assert str(tpl / path.split("/")[0]) in result.stderr  # names the template file
    assert not dest.exists()


def test_rendered_name_cannot_become_git(tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST + "_exclude: []\n", {"{{ name }}/hooks/post-checkout": "x\n"})
    result = init(tpl, tmp_path / "out", "--data", "name=.git", cwd=tmp_path)
    assert result.returncode == 2 and "version-control folder" in result.stderr


def test_force_cannot_overwrite_hooks_of_an_existing_repository(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    dest.mkdir()
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
    hook = dest / ".git" / "hooks" / "post-checkout"
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST + "_exclude: []\n", {".git/hooks/post-checkout": "#!/bin/sh\necho pwned\n"})
    before = tree(dest)
    result = init(tpl, dest, "--force", cwd=tmp_path)
    assert result.returncode == 2
    assert tree(dest) == before and not hook.exists()


def test_the_record_folder_is_refused_in_any_case(tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST, {".MLRepro/answers.yml": "x: 1\n"})
    result = init(tpl, tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 2 and ".mlrepro/ is written by mlrepro itself" in result.stderr


def test_a_default_exclude_still_drops_git_quietly(tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST, {".git/config": "x\n", "ok.txt": "ok\n"})
    dest = tmp_path / "out"
    result = init(tpl, dest, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (dest / ".git").exists() and (dest / "ok.txt").read_text() == "ok\n"


# --- One- and two-character names ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["R", "f", "d/x", "f.jinja", "ab", "a.", ".a", "_", "R/S/T"])
def test_short_names_generate(name: str, tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST, {name: "{{ name }}\n"})
    dest = tmp_path / "out"
    result = init(tpl, dest, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    expected = name[:-len(".jinja")] if name.endswith(".jinja") else name
    content = (dest / expected).read_text()
    assert content == ("demo\n" if name.endswith(".jinja") else "{{ name }}\n")


def test_one_character_names_check_in_sync(tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST, {"R": "r\n", "d/e.jinja": "{{ name }}\n"})
    dest = tmp_path / "out"
    assert init(tpl, dest, cwd=tmp_path).returncode == 0
    result = run("check", str(dest), cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


# --- _exclude patterns are matched in linear time ---------------------------------------------------

def test_deep_double_star_patterns_finish(tmp_path: Path) -> None:
    deep = "/".join(f"d{i}" for i in range(100)) + "/zz"
    pattern = "/".join(["**"] * 50) + "/zz/nomatch"
    near = "/".join(["**", "d1"] * 25) + "/**/yy"
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST + f"_exclude: ['{pattern}', '{near}', '**/d99/zz']\n",
                         {deep: "x\n", "keep.txt": "k\n"})
    dest = tmp_path / "out"
    result = init(tpl, dest, cwd=tmp_path, timeout=60)  # a hang guard; exponential matching never finishes
    assert result.returncode == 0, result.stderr
    assert (dest / "keep.txt").exists()
    assert not (dest / deep).exists()  # '**/d99/zz' matched


# --- Control characters in answers -----------------------------------------------------------------

@pytest.mark.parametrize("value", ["a\x00b", "a\rb", "a\x1b[31mb", "line\nbreak", "tab\there", "del\x7f"])
def test_control_characters_in_str_answers_are_refused(value: str, tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST, {"f.txt.jinja": "{{ name }}\n"})
    answers = tmp_path / "answers.yml"
    import json
    answers.write_text("name: " + json.dumps(value) + "\n")
    dest = tmp_path / "out"
    result = init(tpl, dest, "--answers", str(answers), cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert "answer 'name': contains the control character U+" in result.stderr
    assert f"{answers}:1:" in result.stderr
    assert not dest.exists()


def test_a_multiline_question_takes_newlines_and_tabs(tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", "notes:\n  type: str\n  multiline: true\n  default: x\n",
                         {"f.txt.jinja": "{{ notes }}\n"})
    answers = tmp_path / "answers.yml"
    answers.write_text('notes: "one\\n\\ttwo"\n')
    dest = tmp_path / "out"
    result = init(tpl, dest, "--answers", str(answers), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (dest / "f.txt").read_text() == "one\n\ttwo\n"
    answers.write_text('notes: "a\\u0000b"\n')
    assert init(tpl, tmp_path / "out2", "--answers", str(answers), cwd=tmp_path).returncode == 2


# --- Terminal escapes are shown, not obeyed --------------------------------------------------------

def test_messages_and_errors_escape_terminal_controls(tmp_path: Path) -> None:
    manifest = OPEN_MANIFEST + '_message_after_copy: "done\\e]0;pwned\\a\\u202eevil\\nsecond line"\n'
    tpl = write_template(tmp_path / "tpl", manifest, {"ok.txt": "ok\n"})
    result = init(tpl, tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout and "\x07" not in result.stdout
    assert "done\\e]0;pwned\\u0007\\u202eevil\nsecond line" in result.stdout
    bad = write_template(tmp_path / "bad", OPEN_MANIFEST, {"x.jinja": "{{ 1 + }}\x1b[2J\n"})
    failed = init(bad, tmp_path / "out2", cwd=tmp_path)
    assert failed.returncode == 2 and "\x1b" not in failed.stderr


# --- --force commits only what the template produced -----------------------------------------------

def test_force_into_a_folder_commits_only_generated_files(tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST, {"ok.txt": "ok\n", "sub/b.txt": "b\n"})
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "credentials.json").write_text('{"token": "secret"}\n')
    (dest / "sub").mkdir()
    (dest / "sub" / "mine.txt").write_text("mine\n")
    result = init(tpl, dest, "--force", cwd=tmp_path, git=True)
    assert result.returncode == 0, result.stderr
    files = subprocess.run(["git", "-C", str(dest), "ls-files"], capture_output=True, text=True, check=True).stdout.split()
    assert "credentials.json" not in files and "sub/mine.txt" not in files
    assert {"ok.txt", "sub/b.txt", ".mlrepro/answers.yml", ".mlrepro/checksums"} <= set(files)
    assert (dest / "credentials.json").read_text() == '{"token": "secret"}\n'


def test_pattern_and_depth_bounds_are_located_errors(tmp_path: Path) -> None:
    long_pattern = "/".join(["a"] * 129)
    tpl = write_template(tmp_path / "tpl", OPEN_MANIFEST + f"_exclude: ['{long_pattern}']\n", {"ok.txt": "ok\n"})
    result = init(tpl, tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 2 and "at most 128 components" in result.stderr and "mlrepro.yml:" in result.stderr
    deep = "/".join(f"d{i}" for i in range(210)) + "/f.txt"
    tpl2 = write_template(tmp_path / "tpl2", OPEN_MANIFEST, {deep: "x\n"})
    result2 = init(tpl2, tmp_path / "out2", cwd=tmp_path, timeout=60)
    assert result2.returncode == 2 and "deeper than 200 folders" in result2.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "out2").exists()
