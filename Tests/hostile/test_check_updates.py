"""`check --updates`: are there template versions newer than the recorded one (cruft check, copier check-update)?"""
from __future__ import annotations

import json
import subprocess

from conftest import run, write_template
from living import FIXTURE, GIT_ENV, git, owned_template


def tagged_template(tmp_path):
    template = write_template(tmp_path / "tpl", "project_slug:\n  type: str\n  default: demo\n",
                              {"README.md.jinja": "# {{ project_slug }} v1\n"})
    git(template, "init", "-q")
    git(template, "add", "-A")
    git(template, "commit", "-qm", "v1")
    git(template, "tag", "v1.0.0")
    for version in ("1.1.0", "2.0.0-rc.1", "2.0.0"):
        (template / "README.md.jinja").write_text("# {{ project_slug }} " + version + "\n")
        git(template, "commit", "-qam", version)
        git(template, "tag", "v" + version)
    return template


def test_a_git_template_lists_newer_version_tags(tmp_path):
    template = tagged_template(tmp_path)
    project = tmp_path / "study"
    made = run("init", str(project), "--template", str(template), "--vcs-ref", "v1.0.0", "--defaults", "--no-probe", "--quiet", env=GIT_ENV)
    assert made.returncode == 0, made.stderr
    found = run("check", str(project), "--updates")
    assert found.returncode == 1, found.stdout + found.stderr
    assert "2 versions newer than v1.0.0:\n  v2.0.0\n  v1.1.0\n" in found.stdout  # newest first, no pre-release
    report = json.loads(run("check", str(project), "--updates", "--json").stdout)
    assert report["update_available"] is True and report["newer"] == ["v2.0.0", "v1.1.0"]
    assert run("update", str(project), env=GIT_ENV).returncode == 0
    git(project, "commit", "-qam", "update")
    latest = run("check", str(project), "--updates")
    assert latest.returncode == 0 and "up to date" in latest.stdout and "v2.0.0" in latest.stdout


def test_built_in_and_folder_templates_compare_their_content(tmp_path):
    old = tmp_path / "old-study"
    subprocess.run(["git", "clone", "-q", str(FIXTURE), str(old)], check=True)
    found = run("check", str(old), "--updates")
    assert found.returncode == 1 and "ml-research as built into mlrepro" in found.stdout, found.stdout
    template = owned_template(tmp_path / "tpl")
    project = tmp_path / "study"
    assert run("init", str(project), "--template", str(template), "--defaults", "--no-probe", "--no-git").returncode == 0
    assert run("check", str(project), "--updates").returncode == 0
    (template / "configs" / "train.yaml.jinja").write_text("changed\n")
    changed = run("check", str(project), "--updates")
    assert changed.returncode == 1 and "current content" in changed.stdout
