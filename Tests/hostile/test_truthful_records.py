"""Records that tell the truth: the content hash compared is reported, a moved template can be named,
and update leaves no empty folder behind."""
from __future__ import annotations

import json
import shutil

from conftest import run
from living import GIT_ENV, git, owned_template


def test_a_recorded_hash_that_is_not_the_templates_is_reported(tmp_path):
    project = tmp_path / "my-study"
    assert run("init", str(project), "--defaults", "--no-probe", "--no-git", "--quiet", cwd=tmp_path).returncode == 0
    answers = project / ".mlrepro" / "answers.yml"
    text = answers.read_text()
    real = text.split('_commit: "')[1].split('"')[0]
    answers.write_text(text.replace(real, "sha256:" + "0" * 64))
    checked = run("check", str(project))
    assert checked.returncode == 0, checked.stdout + checked.stderr  # the files do match
    assert f"at {real} (the record says sha256:{'0' * 64}, which is not this template's content" in checked.stdout
    assert f'"template_hash": "{real}"' in run("check", str(project), "--json").stdout
    answers.write_text(text)
    assert '"template_hash": null' in run("check", str(project), "--json").stdout


def test_a_moved_folder_template_is_named_with_template(tmp_path):
    template = owned_template(tmp_path / "tpl")
    project = tmp_path / "study"
    assert run("init", str(project), "--template", str(template), "--defaults", "--no-probe", "--quiet", env=GIT_ENV).returncode == 0
    moved = tmp_path / "elsewhere" / "tpl"
    moved.parent.mkdir()
    shutil.move(str(template), str(moved))
    assert run("check", str(project)).returncode == 2
    found = run("check", str(project), "--template", str(moved))
    assert found.returncode == 0, found.stdout + found.stderr
    updated = run("update", str(project), "--template", str(moved), env=GIT_ENV)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert f"_template: {moved}" in (project / ".mlrepro" / "answers.yml").read_text()
    git(project, "commit", "-qam", "moved template")
    assert run("check", str(project)).returncode == 0


def test_update_removes_folders_the_template_no_longer_fills(tmp_path):
    template = owned_template(tmp_path / "tpl")
    (template / "docs" / "guide").mkdir(parents=True)
    (template / "docs" / "guide" / "intro.md").write_text("intro\n")
    project = tmp_path / "study"
    assert run("init", str(project), "--template", str(template), "--defaults", "--no-probe", "--quiet", env=GIT_ENV).returncode == 0
    shutil.rmtree(template / "docs")
    updated = run("update", str(project), env=GIT_ENV)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert not (project / "docs").exists()
    assert "docs/guide/" in updated.stdout and "docs/" in updated.stdout


def test_update_of_a_cruft_project_rewrites_cruft_json(tmp_path):
    template = tmp_path / "tpl"
    (template / "{{cookiecutter.project_slug}}").mkdir(parents=True)
    (template / "cookiecutter.json").write_text('{"project_slug": "study", "author": "Ada"}')
    (template / "{{cookiecutter.project_slug}}" / "README.md").write_text("# {{ cookiecutter.project_slug }} by {{ cookiecutter.author }}\n")
    git(template, "init", "-q", "-b", "main")
    git(template, "add", "-A")
    git(template, "commit", "-qm", "v1")
    first = git(template, "rev-parse", "HEAD").strip()
    work = tmp_path / "work"
    work.mkdir()
    made = run("init", str(work / "study"), "--template", str(template), "--vcs-ref", "main", "--defaults", "--no-probe",
               "--no-git", "--quiet", "--data", "author=Grace")
    assert made.returncode == 0, made.stderr
    project = work / "study"
    shutil.rmtree(project / ".mlrepro")
    (project / ".cruft.json").write_text(json.dumps({
        "template": str(template), "commit": first, "checkout": None,
        "context": {"cookiecutter": {"project_slug": "study", "author": "Grace", "_template": str(template)}},
        "directory": None}, indent=2))
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    (template / "cookiecutter.json").write_text('{"project_slug": "study", "author": "Ada", "license": "MIT"}')
    git(template, "commit", "-qam", "v2")
    second = git(template, "rev-parse", "HEAD").strip()
    updated = run("update", str(project), "--vcs-ref", "main", env=GIT_ENV)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    record = json.loads((project / ".cruft.json").read_text())
    assert record["commit"] == second and record["template"] == str(template)
    assert record["context"]["cookiecutter"] == {"project_slug": "study", "author": "Grace", "_template": str(template), "license": "MIT"}
    assert list(record) == ["template", "commit", "checkout", "context", "directory"]


def test_a_template_folder_beside_the_project_is_recorded_relative_to_it(tmp_path):
    lab = tmp_path / "lab"
    template = owned_template(lab / "templates" / "tpl")
    project = lab / "study"
    assert run("init", str(project), "--template", str(template), "--defaults", "--no-probe", "--quiet", env=GIT_ENV).returncode == 0
    assert "_template: ../templates/tpl\n" in (project / ".mlrepro" / "answers.yml").read_text()
    # The lab folder moves as a whole: the record still finds its template.
    moved = tmp_path / "moved-lab"
    shutil.move(str(lab), str(moved))
    checked = run("check", str(moved / "study"), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    again = run("init", str(tmp_path / "copy"), "--answers", str(moved / "study" / ".mlrepro" / "answers.yml"), "--no-probe",
                "--no-git", "--quiet", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "copy" / "src" / "demo" / "train.py").exists()
    # A template elsewhere keeps its absolute path.
    other = tmp_path / "elsewhere"
    assert run("init", str(other / "p"), "--template", str(moved / "templates" / "tpl"), "--defaults", "--no-probe",
               "--no-git", "--quiet").returncode == 0
    assert f"_template: {moved / 'templates' / 'tpl'}\n" in (other / "p" / ".mlrepro" / "answers.yml").read_text()
