"""A project made from several copier templates, one answers file each: check reports every record,
refuses two templates that generate the same file, and update/recopy ask which record to use."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run, tree

COPIER = Path(sys.executable).parent / "copier"
ANSWERS = "{{ _copier_answers|to_nice_yaml -}}\n"


def template(root: Path, manifest: str, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    (root / "copier.yml").write_text(manifest)
    (root / "{{ _copier_conf.answers_file }}.jinja").write_text(ANSWERS)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def copier_copy(source: Path, project: Path) -> None:
    subprocess.run([str(COPIER), "copy", "--defaults", "--quiet", str(source), str(project)],
                   check=True, capture_output=True, env={"PATH": "/usr/bin:/bin", "HOME": str(project.parent)})


@pytest.fixture
def layered(tmp_path: Path) -> Path:
    if not COPIER.exists():
        pytest.skip("copier is not installed in the test virtualenv (Tests/requirements.txt)")
    base = template(tmp_path / "base", "name: {default: demo}\n", {"README.md.jinja": "# {{ name }}\n"})
    ci = template(tmp_path / "ci", "_answers_file: .copier-answers.ci.yml\npython: {default: '3.12'}\n",
                  {"ci.yml.jinja": "python: {{ python }}\n"})
    project = tmp_path / "proj"
    copier_copy(base, project)
    copier_copy(ci, project)
    return project


def test_check_reports_every_template_of_the_project(layered: Path):
    checked = run("check", str(layered), cwd=layered.parent)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "== .copier-answers.ci.yml: template" in checked.stdout
    assert "== .copier-answers.yml: template" in checked.stdout
    (layered / "ci.yml").write_text("python: 2.7\n")
    drifted = run("check", str(layered), "--json", cwd=layered.parent)
    assert drifted.returncode == 1
    report = json.loads(drifted.stdout)
    assert report["in_sync"] is False
    by_record = {item["record"]: item["report"] for item in report["records"]}
    assert by_record[".copier-answers.ci.yml"]["summary"]["changed"] == 1
    assert by_record[".copier-answers.yml"]["in_sync"] is True
    versions = run("check", str(layered), "--updates", "--json", cwd=layered.parent)
    assert versions.returncode in (0, 1), versions.stderr
    assert [item["record"] for item in json.loads(versions.stdout)["records"]] == [".copier-answers.ci.yml", ".copier-answers.yml"]
    one = run("check", str(layered), "-a", ".copier-answers.yml", cwd=layered.parent)
    assert one.returncode == 0, one.stdout + one.stderr
    assert "==" not in one.stdout


def test_two_templates_generating_one_file_are_refused_unless_one_declares_it_the_projects(layered: Path, tmp_path: Path):
    docs = template(tmp_path / "docs", "_answers_file: .copier-answers.docs.yml\ntitle: {default: Docs}\n",
                    {"README.md.jinja": "# {{ title }}\n", "docs.md.jinja": "{{ title }}\n"})
    (layered / "README.md").write_text("# demo\n")
    subprocess.run([str(COPIER), "copy", "--defaults", "--quiet", "--overwrite", str(docs), str(layered)], check=True,
                   capture_output=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    refused = run("check", str(layered), cwd=layered.parent)
    assert refused.returncode == 2
    assert "both generate this file" in refused.stderr and "README.md" in refused.stderr
    assert ".copier-answers.docs.yml" in refused.stderr and "_project_owned" in refused.stderr
    (docs / "copier.yml").write_text("_answers_file: .copier-answers.docs.yml\n_skip_if_exists: [README.md]\ntitle: {default: Docs}\n")
    (layered / "README.md").write_text("# demo\n")
    allowed = run("check", str(layered), cwd=layered.parent)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


def test_update_and_recopy_ask_which_template_and_change_nothing(layered: Path):
    subprocess.run(["git", "init", "-q"], cwd=layered, check=True)
    before = tree(layered)
    for command in ("update", "recopy"):
        refused = run(command, str(layered), cwd=layered.parent)
        assert refused.returncode == 2
        assert "made from 2 templates" in refused.stderr
        assert f"mlrepro {command} --answers-file .copier-answers.yml" in refused.stderr
    assert tree(layered) == before


def test_a_copier_project_mlrepro_updated_is_still_one_template(tmp_path: Path):
    if not COPIER.exists():
        pytest.skip("copier is not installed in the test virtualenv (Tests/requirements.txt)")
    base = template(tmp_path / "base", "name: {default: demo}\n", {"README.md.jinja": "# {{ name }}\n"})
    project = tmp_path / "proj"
    copier_copy(base, project)
    git_env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e",
               "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", "commit", "-qm", "copied"], cwd=project, check=True, env=git_env)
    updated = run("update", str(project), cwd=tmp_path)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert (project / ".mlrepro" / "answers.yml").exists() and (project / ".copier-answers.yml").exists()
    checked = run("check", str(project), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "==" not in checked.stdout
