"""`mlrepro recopy`: regenerate a project from its recorded answers when a merge is not worth it."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import run, tree, write_template

MANIFEST = """\
project_slug:
  type: str
  default: demo
_project_owned:
  - train.py
"""


def git(*args: str, cwd: Path) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(cwd), "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def made_project(tmp_path: Path) -> tuple[Path, Path]:
    template = write_template(tmp_path / "tpl", MANIFEST, {
        "README.md.jinja": "# {{ project_slug }}\nold layout\n",
        "old.txt": "generated once\n",
        "train.py": "print('train')\n",
    })
    made = run("init", "proj", "--template", str(template), "--defaults", "--no-probe", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "proj"
    (project / "README.md").write_text("# demo\nold layout\nmy note\n")
    (project / "train.py").write_text("print('my training')\n")
    (project / "notes.md").write_text("mine\n")
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "work", cwd=project)
    # The template is rewritten: README changes, old.txt goes, new.txt comes.
    (template / "README.md.jinja").write_text("# {{ project_slug }}\nnew layout\n")
    (template / "old.txt").unlink()
    (template / "new.txt").write_text("added\n")
    return template, project


def test_pretend_lists_what_recopy_overwrites_and_writes_nothing(tmp_path):
    _, project = made_project(tmp_path)
    before = tree(project)
    shown = run("recopy", "proj", "--pretend", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "overwrite  README.md  (your changes to it are replaced)" in shown.stdout
    assert "create  new.txt" in shown.stdout
    assert "remove  old.txt" in shown.stdout
    assert "keep  train.py  (project-owned" in shown.stdout
    assert "pretend: nothing was written" in shown.stdout
    assert tree(project) == before


def test_recopy_regenerates_keeps_own_files_and_rewrites_the_record(tmp_path):
    _, project = made_project(tmp_path)
    done = run("recopy", "proj", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (project / "README.md").read_text() == "# demo\nnew layout\n"
    assert (project / "new.txt").read_text() == "added\n"
    assert not (project / "old.txt").exists()
    assert (project / "notes.md").read_text() == "mine\n"
    assert (project / "train.py").read_text() == "print('my training')\n"
    assert not list(project.glob(".mlrepro-update-*"))
    checked = run("check", "proj", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_include_owned_replaces_project_owned_files(tmp_path):
    _, project = made_project(tmp_path)
    done = run("recopy", "proj", "--include-owned", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "overwrite  train.py" in done.stdout
    assert (project / "train.py").read_text() == "print('train')\n"


def test_recopy_refuses_uncommitted_changes_and_changes_nothing(tmp_path):
    _, project = made_project(tmp_path)
    (project / "README.md").write_text("uncommitted\n")
    before = tree(project)
    refused = run("recopy", "proj", cwd=tmp_path)
    assert refused.returncode == 2
    assert "uncommitted changes" in refused.stderr
    assert tree(project) == before


def test_recopy_stays_at_the_recorded_version_unless_given_a_newer_ref(tmp_path):
    template = write_template(tmp_path / "tpl", MANIFEST, {"README.md.jinja": "# {{ project_slug }}\nv1\n"})
    git("init", "-q", "-b", "main", cwd=template)
    git("add", "-A", cwd=template)
    git("commit", "-q", "-m", "v1", cwd=template)
    git("tag", "v1.0.0", cwd=template)
    (template / "README.md.jinja").write_text("# {{ project_slug }}\nv2\n")
    git("commit", "-q", "-am", "v2", cwd=template)
    git("tag", "v2.0.0", cwd=template)
    made = run("init", "proj", "--template", str(template), "--vcs-ref", "v1.0.0", "--defaults", "--no-probe", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "proj"
    (project / "README.md").write_text("broken\n")
    git("commit", "-q", "-am", "broke it", cwd=project)
    again = run("recopy", "proj", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (project / "README.md").read_text() == "# demo\nv1\n"
    git("commit", "-q", "-am", "recopied", cwd=project)
    newer = run("recopy", "proj", "--vcs-ref", "v2.0.0", cwd=tmp_path)
    assert newer.returncode == 0, newer.stderr
    assert (project / "README.md").read_text() == "# demo\nv2\n"
    v2 = git("rev-parse", "v2.0.0^{commit}", cwd=template).strip()
    # YAML quotes a commit id only when it would read as a number (`52e080...`).
    assert re.search(rf'^_commit: "?{v2}"?$', (project / ".mlrepro" / "answers.yml").read_text(), re.MULTILINE)
