"""Hostile inputs, round three: a project's own record (`.mlrepro/`, `.copier-answers.yml`,
`.cruft.json`) is untrusted input, as is what a trusted hook leaves in a comparison copy; template
code runs only with --trust (bake's validators too); what `check` and `update` print is escaped."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run, tree, write_template

GIT_ENV = {"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org",
           "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.org"}
MANIFEST = "name:\n  type: str\n  default: demo\n"
DIGEST = "0" * 64


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV})
    return done.stdout.strip()


def commit_all(project: Path, message: str = "state") -> None:
    git("add", "-A", cwd=project)
    git("commit", "-q", "--allow-empty", "-m", message, cwd=project)


def generated(tmp_path: Path, files: dict[str, str] | None = None, *extra: str) -> Path:
    """A project made from a local (non-git) template, in a git repository of its own."""
    tpl = write_template(tmp_path / "tpl", MANIFEST, files or {"README.md.jinja": "# {{ name }}\n", "keep.txt": "k\n"})
    project = tmp_path / "proj"
    done = run("init", str(project), "--template", str(tpl), "--defaults", "--no-probe", *extra, cwd=tmp_path,
               env=GIT_ENV, timeout=60)
    assert done.returncode == 0, done.stderr
    return project


def add_checksum_line(project: Path, line: str) -> None:
    record = project / ".mlrepro" / "checksums"
    record.write_bytes(record.read_bytes() + line.encode() + b"\n")


# --- 2, 6: every path a record names stays inside the project, out of .git ------------------------

HOSTILE_RECORD_PATHS = ["../victim.txt", ".git/description", "/tmp/../etc/hostname", "sub/../../victim.txt",
                        ".GIT./config", ".git::$INDEX_ALLOCATION/description", "a//b", "./keep.txt"]


@pytest.mark.parametrize("path", HOSTILE_RECORD_PATHS)
def test_update_never_removes_a_path_the_record_names_outside_the_project(path: str, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    project = generated(tmp_path)
    add_checksum_line(project, f"{DIGEST}  {path}")
    commit_all(project, "hostile record")
    before, before_git = tree(project), (project / ".git" / "description").read_bytes()
    result = run("update", str(project), cwd=tmp_path, env=GIT_ENV, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert ".mlrepro/checksums:" in result.stderr and "is refused" in result.stderr, result.stderr
    assert victim.read_text() == "precious\n"
    assert tree(project) == before and (project / ".git" / "description").read_bytes() == before_git


def test_update_with_a_matching_digest_outside_still_removes_nothing(tmp_path: Path) -> None:
    """The exact attack: the victim's real digest, so the file looks unchanged since generation."""
    import hashlib
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    project = generated(tmp_path)
    add_checksum_line(project, f"{hashlib.sha256(b'precious' + bytes([10])).hexdigest()}  ../victim.txt")
    commit_all(project)
    result = run("update", str(project), cwd=tmp_path, env=GIT_ENV, timeout=60)
    assert result.returncode == 2 and victim.exists()


@pytest.mark.parametrize("json_output", [False, True])
def test_check_never_prints_a_file_outside_the_project(json_output: bool, tmp_path: Path) -> None:
    secret = tmp_path / "secret" / "key.txt"
    secret.parent.mkdir()
    secret.write_text("TOP-SECRET-KEY\n")
    project = generated(tmp_path)
    add_checksum_line(project, f"{DIGEST}  ../secret/key.txt")
    result = run("check", str(project), *(["--json"] if json_output else []), cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stdout
    assert "TOP-SECRET-KEY" not in result.stdout + result.stderr
    assert "checksums:" in result.stderr and "../secret/key.txt" in result.stderr


@pytest.mark.parametrize("pattern", ["../outside/*", "a/../../b", "ok\u001b]0;x"])
def test_skip_patterns_that_leave_the_project_are_refused(pattern: str, tmp_path: Path) -> None:
    project = generated(tmp_path)
    answers = project / ".mlrepro" / "answers.yml"
    answers.write_text(answers.read_text() + f"_skip: [{json.dumps(pattern)}]\n")
    result = run("check", str(project), cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and "answers.yml:" in result.stderr and "_skip" not in result.stdout


# --- 5: record files are regular files inside the project, never read through links -------------

@pytest.mark.parametrize("record", [".mlrepro/environment.json", ".mlrepro/answers.yml", ".mlrepro/checksums"])
def test_check_refuses_a_record_file_that_is_a_link(record: str, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    project = generated(tmp_path, {"README.md.jinja": "# {{ name }} {{ env | tojson }}\n"})
    secret = elsewhere / "secret"
    shutil.copy(project / record, secret)
    if record.endswith(".json"):
        secret.write_text('{"token": "TOP-SECRET-TOKEN"}\n')
    (project / record).unlink()
    os.symlink(secret, project / record)
    result = run("check", str(project), cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stdout
    assert "symbolic link" in result.stderr and "TOP-SECRET-TOKEN" not in result.stdout


def test_the_record_folder_itself_may_not_be_a_link(tmp_path: Path) -> None:
    project = generated(tmp_path)
    shutil.move(project / ".mlrepro", tmp_path / "moved")
    os.symlink(tmp_path / "moved", project / ".mlrepro")
    result = run("check", str(project), cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and "symbolic link" in result.stderr


@pytest.mark.parametrize("name", [".copier-answers.yml", ".cruft.json"])
def test_copier_and_cruft_records_are_not_read_through_links(name: str, tmp_path: Path) -> None:
    elsewhere = tmp_path / "answers"
    elsewhere.write_text("_src_path: /usr\n" if name.endswith("yml") else '{"template": "/usr", "context": {"cookiecutter": {}}}')
    project = tmp_path / "proj"
    project.mkdir()
    os.symlink(elsewhere, project / name)
    result = run("check", str(project), cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and "symbolic link" in result.stderr, result.stderr


def test_a_fifo_as_record_file_is_refused_without_hanging(tmp_path: Path) -> None:
    project = generated(tmp_path)
    (project / ".mlrepro" / "environment.json").unlink()
    os.mkfifo(project / ".mlrepro" / "environment.json")
    result = run("check", str(project), cwd=tmp_path, timeout=30)
    assert result.returncode == 2 and "not a regular file" in result.stderr


# --- 4: nothing from a comparison copy lands in .git ----------------------------------------------

def cookiecutter_versions(root: Path, versions: list[dict[str, str]]) -> Path:
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    for number, files in enumerate(versions, start=1):
        for relative, content in {"cookiecutter.json": '{"project_slug": "study"}', **files}.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
        commit_all(root, f"v{number}")
        git("tag", f"v{number}", cwd=root)
    return root


SLUG = "{{cookiecutter.project_slug}}"
PLANT_HOOK = ("import os, pathlib\n"
              "for folder in ('.git/hooks', 'sub/.git', '.mlrepro'):\n"
              "    pathlib.Path(folder).mkdir(parents=True, exist_ok=True)\n"
              "pathlib.Path('.git/hooks/pre-commit').write_text('#!/bin/sh\\ntouch PWNED\\n')\n"
              "pathlib.Path('sub/.git/config').write_text('[core]\\n')\n"
              "pathlib.Path('.mlrepro/answers.yml').write_text('x: 1\\n')\n"
              "pathlib.Path('made.txt').write_text('made\\n')\n"
              "os.symlink('/etc/hostname', 'leak')\n")


def test_update_trust_applies_nothing_a_hook_leaves_in_git(tmp_path: Path) -> None:
    tpl = cookiecutter_versions(tmp_path / "tpl", [{f"{SLUG}/README.md": "v1\n"},
                                                   {f"{SLUG}/README.md": "v2\n", "hooks/post_gen_project.py": PLANT_HOOK}])
    project = tmp_path / "study"
    made = run("init", str(project), "--template", str(tpl), "--vcs-ref", "v1", "--defaults", "--no-probe",
               cwd=tmp_path, env=GIT_ENV, timeout=60)
    assert made.returncode == 0, made.stderr
    env = {**GIT_ENV, "MLREPRO_PYTHON": sys.executable}
    result = run("update", str(project), "--vcs-ref", "v2", "--trust", cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (project / ".git" / "hooks" / "pre-commit").exists()
    assert not (project / "sub").exists() and not (project / "leak").exists()
    assert (project / "made.txt").read_text() == "made\n" and (project / "README.md").read_text() == "v2\n"
    assert "x: 1" not in (project / ".mlrepro" / "answers.yml").read_text()
    commit_all(project, "updated")
    check = run("check", str(project), "--trust", cwd=tmp_path, env=env, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert ".git" not in check.stdout


# --- 1, 16: template code runs only with --trust, and is named for what it is --------------------

def test_bake_validate_refuses_bake_validators_without_trust(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    tpl = write_template(tmp_path / "tpl", MANIFEST + f"_bake_validators: [\"touch {marker}\", [touch, {marker}-2]]\n",
                         {"README.md.jinja": "# {{ name }}\n"})
    result = run("bake", "--template", str(tpl), "--output", str(tmp_path / "out"), "--validate", cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"touch {marker}" in result.stderr and "--trust" in result.stderr
    assert not marker.exists() and not (tmp_path / "out").exists()
    trusted = run("bake", "--template", str(tpl), "--output", str(tmp_path / "out"), "--validate", "--trust",
                  cwd=tmp_path, timeout=120)
    assert trusted.returncode in (0, 1), trusted.stderr
    assert marker.exists() and Path(f"{marker}-2").exists()


@pytest.mark.parametrize("hooks,words", [
    ({"hooks/pre_prompt.py": "print('x')\n"}, ["pre_prompt hook", "before the questions"]),
    ({"hooks/pre_gen_project.sh": "true\n"}, ["pre_gen_project hook", "before the files are written"]),
    ({"hooks/post_gen_project.py": "pass\n"}, ["post_gen_project hook", "after the files are written"]),
])
def test_cookiecutter_hooks_are_named_as_hooks_when_refused(hooks: dict[str, str], words: list[str], tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    for relative, content in {"cookiecutter.json": '{"project_slug": "p"}', f"{SLUG}/a.txt": "a\n", **hooks}.items():
        (tpl / relative).parent.mkdir(parents=True, exist_ok=True)
        (tpl / relative).write_text(content)
    result = run("init", str(tmp_path / "out"), "--template", str(tpl), "--defaults", "--no-probe", "--no-git",
                 cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert all(word in result.stderr for word in words), result.stderr
    assert "_tasks" not in result.stderr and not (tmp_path / "out").exists()


def test_a_failed_post_gen_hook_message_says_only_what_happened(tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    for relative, content in {"cookiecutter.json": '{"project_slug": "p"}', f"{SLUG}/a.txt": "a\n",
                              "hooks/post_gen_project.sh": "exit 3\n"}.items():
        (tpl / relative).parent.mkdir(parents=True, exist_ok=True)
        (tpl / relative).write_text(content)
    result = run("init", str(tmp_path / "out"), "--template", str(tpl), "--defaults", "--no-probe", "--no-git", "--trust",
                 cwd=tmp_path, timeout=60)
    assert result.returncode != 0 and "removed again" in result.stderr and "were kept" not in result.stderr
    assert not (tmp_path / "out").exists()


# --- 15: the Python helper's own imports cannot be replaced by the template's modules ------------

def test_a_templates_json_py_does_not_replace_the_helpers_json(tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "copier.yml").write_text("_jinja_extensions: [ext.py:Shout]\nname: {default: world}\n")
    (tpl / "json.py").write_text("raise SystemExit('the template json.py was imported')\n")
    (tpl / "jinja2.py").write_text("raise SystemExit('the template jinja2.py was imported')\n")
    (tpl / "ext.py").write_text("from jinja2.ext import Extension\n\nclass Shout(Extension):\n"
                                "    def __init__(self, environment):\n        super().__init__(environment)\n"
                                "        environment.filters['shout'] = lambda v: v.upper() + '!'\n")
    (tpl / "out.txt.jinja").write_text("{{ name | shout }}\n")
    result = run("init", str(tmp_path / "out"), "--template", str(tpl), "--defaults", "--no-probe", "--no-git", "--trust",
                 cwd=tmp_path, env={"MLREPRO_PYTHON": sys.executable}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "out.txt").read_text() == "WORLD!\n"


# --- 17: NTFS stream spellings of .git, and links into .git ---------------------------------------

@pytest.mark.parametrize("path", [".git::$INDEX_ALLOCATION/config", ".git:x/config", "sub/.GIT::$DATA/hooks/x"])
def test_stream_spellings_of_git_are_refused(path: str, tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "tpl", MANIFEST + "_exclude: []\n", {path: "x\n", "ok.txt": "ok\n"})
    result = run("init", str(tmp_path / "out"), "--template", str(tpl), "--defaults", "--no-probe", "--no-git",
                 cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and "version-control folder" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("target", [".git/config", "sub/../.git/hooks", ".mlrepro/answers.yml", ".Git./config"])
def test_a_preserved_link_into_git_is_refused(target: str, tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "copier.yml").write_text("_preserve_symlinks: true\nname: {default: n}\n")
    (tpl / "sub").mkdir()
    (tpl / "sub" / "x.txt").write_text("x\n")
    os.symlink(target, tpl / "cfg")
    result = run("init", str(tmp_path / "out"), "--template", str(tpl), "--defaults", "--no-probe", "--no-git",
                 cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and "may not point into" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


# --- 18: a cache entry is used only for the repository it was cloned from ------------------------

def test_a_swapped_cache_entry_is_cloned_again(tmp_path: Path) -> None:
    repos = {}
    for name in ("good", "evil"):
        repo = tmp_path / name
        repo.mkdir()
        (repo / "mlrepro.yml").write_text(MANIFEST)
        (repo / "who.txt").write_text(f"{name}\n")
        git("init", "-q", "-b", "main", cwd=repo)
        commit_all(repo, name)
        repos[name] = repo
    cache = tmp_path / "cache"
    env = {**GIT_ENV, "XDG_CACHE_HOME": str(cache)}
    url = f"file://{repos['good']}"
    first = run("init", str(tmp_path / "a"), "--template", url, "--defaults", "--no-probe", "--no-git", cwd=tmp_path, env=env, timeout=60)
    assert first.returncode == 0, first.stderr
    entries = list((cache / "mlrepro" / "git").glob("*.git"))
    assert len(entries) == 1
    shutil.rmtree(entries[0])
    subprocess.run(["git", "clone", "-q", "--bare", str(repos["evil"]), str(entries[0])], check=True)
    second = run("init", str(tmp_path / "b"), "--template", url, "--defaults", "--no-probe", "--no-git", cwd=tmp_path, env=env, timeout=60)
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "b" / "who.txt").read_text() == "good\n"
    shutil.rmtree(entries[0])
    os.symlink(entries[0].parent / "elsewhere", entries[0])
    third = run("init", str(tmp_path / "c"), "--template", url, "--defaults", "--no-probe", "--no-git", cwd=tmp_path, env=env, timeout=60)
    assert third.returncode == 0 and (tmp_path / "c" / "who.txt").read_text() == "good\n"


# --- 14: what check and update print is escaped ---------------------------------------------------

def test_check_and_update_escape_terminal_controls_in_paths(tmp_path: Path) -> None:
    name = "a\u009b31mred\u2028.txt"
    project = generated(tmp_path, {name: "one\n", "README.md.jinja": "# {{ name }}\n"})
    (project / name).write_text("two\n")
    result = run("check", str(project), cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    assert "\u009b" not in result.stdout and "\u2028" not in result.stdout
    assert "\\u009b31mred\\u2028.txt" in result.stdout
    as_json = run("check", str(project), "--json", cwd=tmp_path, timeout=60)
    assert json.loads(as_json.stdout)["files"][0]["path"] == name


# --- 19, 20: cruft records without a commit; what check without --trust could not verify ---------

def test_cruft_null_commit_and_unverified_files_without_trust(tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    for relative, content in {"cookiecutter.json": '{"project_slug": "study"}', f"{SLUG}/a.txt": "a\n",
                              f"{SLUG}/gone.txt": "gone\n",
                              "hooks/post_gen_project.py": "import os\nos.remove('gone.txt')\n"}.items():
        (tpl / relative).parent.mkdir(parents=True, exist_ok=True)
        (tpl / relative).write_text(content)
    project = tmp_path / "study"
    project.mkdir()
    (project / "a.txt").write_text("a\n")
    (project / ".cruft.json").write_text(json.dumps({"template": str(tpl), "commit": None, "checkout": None,
                                                     "context": {"cookiecutter": {"project_slug": "study"}}}))
    plain = run("check", str(project), cwd=tmp_path, timeout=60)
    assert plain.returncode == 1, plain.stderr
    assert "could not verify 1 file(s)" in plain.stderr and "gone.txt" in plain.stderr
    assert json.loads(run("check", str(project), "--json", cwd=tmp_path, timeout=60).stdout)["unverified"] == ["gone.txt"]
    trusted = run("check", str(project), "--trust", cwd=tmp_path, env={"MLREPRO_PYTHON": sys.executable}, timeout=60)
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr


def test_check_never_reads_a_record_only_path_through_a_link(tmp_path: Path) -> None:
    """A checksums line the template no longer renders, under a folder that is now a link, even one
    that stays inside the project: record paths are never read through links."""
    project = generated(tmp_path)
    (project / "real").mkdir()
    (project / "real" / "gone.txt").write_text("TOP-SECRET\n")
    os.symlink("real", project / "alias")
    add_checksum_line(project, f"{DIGEST}  alias/gone.txt")
    result = run("check", str(project), cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and "symbolic link" in result.stderr and "TOP-SECRET" not in result.stdout
