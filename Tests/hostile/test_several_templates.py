"""A project made from several templates, one record each (copier's answers files, or mlrepro's
`.mlrepro/answers.NAME.yml` written by `init --answers-file`): check reports every record, refuses two
templates that generate the same file, update updates each in turn, and recopy asks which to use."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run, tree, write_template

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


def test_recopy_asks_which_template_and_changes_nothing(layered: Path):
    subprocess.run(["git", "init", "-q"], cwd=layered, check=True)
    before = tree(layered)
    refused = run("recopy", str(layered), cwd=layered.parent)
    assert refused.returncode == 2
    assert "made from 2 templates" in refused.stderr
    assert "mlrepro recopy --answers-file .copier-answers.yml" in refused.stderr
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


GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e",
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}


def git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(project.parent), **GIT_ENV}).stdout


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-qm", message)


def files(project: Path) -> dict[str, bytes]:
    return {path: data for path, data in tree(project).items() if not path.startswith(".git/")}


@pytest.fixture
def two_records(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A project mlrepro made from a base template, then a CI template recorded apart, committed."""
    base = write_template(tmp_path / "base", "name: {type: str, default: demo}\n", {"README.md.jinja": "# {{ name }}\n\nintro\n"})
    ci = write_template(tmp_path / "ci", "python: {type: str, default: '3.12'}\n", {"ci.yml.jinja": "python: {{ python }}\nos: linux\n"})
    project = tmp_path / "proj"
    made = run("init", str(project), "--template", str(base), "--defaults", "--no-probe", "--quiet", cwd=tmp_path, env=GIT_ENV)
    assert made.returncode == 0, made.stderr
    added = run("init", str(project), "--template", str(ci), "--defaults", "--no-probe", "--answers-file", ".mlrepro/answers.ci.yml",
                cwd=tmp_path, env=GIT_ENV)
    assert added.returncode == 0, added.stdout + added.stderr
    commit_all(project, "CI template")
    return base, ci, project


def test_init_answers_file_records_a_second_template_apart(two_records: tuple[Path, Path, Path]):
    _, _, project = two_records
    record = project / ".mlrepro"
    assert sorted(p.name for p in record.iterdir()) == ["answers.ci.yml", "answers.yml", "checksums", "checksums.ci",
                                                       "environment.ci.json", "environment.json"]
    assert "python: \"3.12\"" in (record / "answers.ci.yml").read_text()
    assert "ci.yml" in (record / "checksums.ci").read_text() and "ci.yml" not in (record / "checksums").read_text()
    assert "README.md" in (record / "checksums").read_text()
    refs = git(project, "for-each-ref", "--format=%(refname)")
    assert "refs/mlrepro/base\n" in refs and "refs/mlrepro/records/ci/base\n" in refs
    checked = run("check", str(project), cwd=project.parent)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "== .mlrepro/answers.yml: template" in checked.stdout
    assert "== .mlrepro/answers.ci.yml: template" in checked.stdout
    (project / "ci.yml").write_text("python: 2.7\n")
    drifted = run("check", str(project), "--json", cwd=project.parent)
    assert drifted.returncode == 1
    by_record = {item["record"]: item["report"] for item in json.loads(drifted.stdout)["records"]}
    assert by_record[".mlrepro/answers.ci.yml"]["summary"]["changed"] == 1
    assert by_record[".mlrepro/answers.yml"]["in_sync"] is True
    one = run("check", str(project), "-a", ".mlrepro/answers.ci.yml", cwd=project.parent)
    assert one.returncode == 1 and "==" not in one.stdout


def test_init_answers_file_refuses_and_writes_nothing(two_records: tuple[Path, Path, Path], tmp_path: Path):
    base, ci, project = two_records
    before = tree(project)

    def refused(*args: str) -> str:
        result = run("init", str(project), "--defaults", "--no-probe", *args, cwd=tmp_path, env=GIT_ENV)
        assert result.returncode == 2, result.stdout + result.stderr
        assert tree(project) == before
        return result.stderr

    # A record of the same name.
    assert "already has the record .mlrepro/answers.ci.yml" in refused("--template", str(ci), "-a", ".mlrepro/answers.ci.yml")
    # Another template's file, under any name: ci.yml is the CI template's, README.md the base's.
    message = refused("--template", str(ci), "-a", ".mlrepro/answers.ci2.yml")
    assert "both generate this file" in message and "ci.yml" in message and ".mlrepro/answers.ci.yml" in message
    assert "nothing was written" in message
    docs = write_template(tmp_path / "docs", "title: {type: str, default: Docs}\n", {"README.md.jinja": "# {{ title }}\n", "docs.md": "docs\n"})
    message = refused("--template", str(docs), "-a", ".mlrepro/answers.docs.yml", "--force")
    assert "README.md" in message and "_project_owned" in message
    # A file of the project's own that no template generates is overwritten only with --force.
    notes = write_template(tmp_path / "notes", "x: {type: int, default: 1}\n", {"NOTES.md": "template notes\n"})
    (project / "NOTES.md").write_text("mine\n")
    before = tree(project)
    assert "NOTES.md" in refused("--template", str(notes), "-a", ".mlrepro/answers.notes.yml")
    # Names that are no record's.
    assert "must be .mlrepro/answers.yml or .mlrepro/answers.NAME.yml" in refused("--template", str(notes), "-a", "notes.yml")
    assert "letters, digits" in refused("--template", str(notes), "-a", ".mlrepro/answers.a b.yml")
    assert "already has the record .mlrepro/answers.yml" in refused("--template", str(notes), "-a", ".mlrepro/answers.yml")


def test_a_template_that_declares_the_file_its_projects_may_share_it(two_records: tuple[Path, Path, Path], tmp_path: Path):
    _, _, project = two_records
    docs = write_template(tmp_path / "docs", "_skip_if_exists: [README.md]\ntitle: {type: str, default: Docs}\n",
                          {"README.md.jinja": "# {{ title }}\n", "docs.md.jinja": "{{ title }}\n"})
    added = run("init", str(project), "--template", str(docs), "--defaults", "--no-probe", "-a", ".mlrepro/answers.docs.yml",
                cwd=tmp_path, env=GIT_ENV)
    assert added.returncode == 0, added.stdout + added.stderr
    assert (project / "README.md").read_text() == "# demo\n\nintro\n"
    assert (project / "docs.md").read_text() == "Docs\n"
    checked = run("check", str(project), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("== ") == 3


def test_update_without_answers_file_updates_every_record_each_against_its_base(two_records: tuple[Path, Path, Path]):
    base, ci, project = two_records
    (base / "README.md.jinja").write_text("# {{ name }}\n\nintro\n\nv2\n")
    (ci / "ci.yml.jinja").write_text("python: {{ python }}\nos: debian\n")
    readme = project / "README.md"
    readme.write_text("# demo (mine)\n\nintro\n")
    commit_all(project, "my title")
    before = files(project)
    pretend = run("update", str(project), "--pretend", cwd=project.parent)
    assert pretend.returncode == 0, pretend.stdout + pretend.stderr
    assert "== .mlrepro/answers.yml: template" in pretend.stdout and "== .mlrepro/answers.ci.yml: template" in pretend.stdout
    assert "merge  README.md" in pretend.stdout and "update  ci.yml" in pretend.stdout
    assert pretend.stdout.count("pretend: nothing was written") == 2
    assert files(project) == before
    updated = run("update", str(project), cwd=project.parent)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert readme.read_text() == "# demo (mine)\n\nintro\n\nv2\n"
    assert (project / "ci.yml").read_text() == "python: 3.12\nos: debian\n"
    assert ".mlrepro/answers.ci.yml" not in [line.split()[-1] for line in git(project, "status", "--short").splitlines() if line.startswith("??")]
    base_log = git(project, "log", "--format=%s", "refs/mlrepro/records/ci/base")
    assert base_log.count("mlrepro base:") == 2, base_log
    checked = run("check", str(project), cwd=project.parent)
    assert checked.returncode == 1  # README.md keeps my title: drift from the base template only
    assert checked.stdout.count("changed  README.md") == 1 and "in sync: 1 files match template ../ci" in checked.stdout
    # Options of one template's update need the record named.
    for option in (["--vcs-ref", "v1"], ["-d", "python=3.11"]):
        refused = run("update", str(project), *option, cwd=project.parent)
        assert refused.returncode == 2 and "name it with --answers-file" in refused.stderr
    commit_all(project, "updated")
    one = run("update", str(project), "-a", ".mlrepro/answers.ci.yml", "-d", "python=3.11", cwd=project.parent)
    assert one.returncode == 0, one.stdout + one.stderr
    assert (project / "ci.yml").read_text() == "python: 3.11\nos: debian\n"
    assert "python: \"3.11\"" in (project / ".mlrepro" / "answers.ci.yml").read_text()
    assert "3.11" not in (project / ".mlrepro" / "answers.yml").read_text()


def test_update_of_every_record_stops_at_the_first_conflicts(two_records: tuple[Path, Path, Path]):
    base, ci, project = two_records
    (base / "README.md.jinja").write_text("# {{ name }}\n\ntheirs\n")
    (ci / "ci.yml.jinja").write_text("python: {{ python }}\nos: debian\n")
    (project / "README.md").write_text("# demo\n\nmine\n")
    commit_all(project, "mine")
    ci_record = (project / ".mlrepro" / "answers.ci.yml").read_bytes()
    updated = run("update", str(project), cwd=project.parent)
    assert updated.returncode == 1, updated.stdout + updated.stderr
    assert "conflict  README.md" in updated.stdout
    assert "not updated yet: .mlrepro/answers.ci.yml" in updated.stdout
    assert (project / "ci.yml").read_text() == "python: 3.12\nos: linux\n"
    assert (project / ".mlrepro" / "answers.ci.yml").read_bytes() == ci_record
    # A dirty tree is refused before any record is touched.
    again = run("update", str(project), cwd=project.parent)
    assert again.returncode == 2 and "uncommitted changes" in again.stderr


def test_update_of_every_record_refuses_overlapping_templates_first(two_records: tuple[Path, Path, Path]):
    base, ci, project = two_records
    (ci / "README.md").write_text("ci's readme\n")
    (base / "README.md.jinja").write_text("# {{ name }}\n\nv2\n")
    before = files(project)
    refused = run("update", str(project), cwd=project.parent)
    assert refused.returncode == 2
    assert "both generate this file" in refused.stderr and "README.md" in refused.stderr
    assert files(project) == before


def test_recopy_of_a_template_recorded_apart_keeps_its_own_record(two_records: tuple[Path, Path, Path]):
    _, ci, project = two_records
    (project / "ci.yml").write_text("python: 2.7\n")
    commit_all(project, "drift")
    main_record = (project / ".mlrepro" / "answers.yml").read_bytes()
    done = run("recopy", str(project), "-a", ".mlrepro/answers.ci.yml", cwd=project.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project / "ci.yml").read_text() == "python: 3.12\nos: linux\n"
    assert (project / ".mlrepro" / "answers.yml").read_bytes() == main_record
    assert run("check", str(project), cwd=project.parent).returncode == 0


def git_template(root: Path, manifest: str, files: dict[str, str]) -> Path:
    template(root, manifest, files)
    git(root, "init", "-q")
    commit_all(root, "v1")
    git(root, "tag", "v1")
    return root


def test_a_copier_project_with_two_answers_files_is_updated_record_by_record(tmp_path: Path):
    if not COPIER.exists():
        pytest.skip("copier is not installed in the test virtualenv (Tests/requirements.txt)")
    base = git_template(tmp_path / "base", "name: {default: demo}\n", {"README.md.jinja": "# {{ name }}\n"})
    ci = git_template(tmp_path / "ci", "_answers_file: .copier-answers.ci.yml\npython: {default: '3.12'}\n",
                      {"ci.yml.jinja": "python: {{ python }}\n"})
    layered = tmp_path / "proj"
    copier_copy(base, layered)
    copier_copy(ci, layered)
    git(layered, "init", "-q")
    commit_all(layered, "copied")
    (base / "README.md.jinja").write_text("# {{ name }}\n\nv2\n")
    (ci / "ci.yml.jinja").write_text("python: {{ python }}\nos: debian\n")
    for folder in (base, ci):
        commit_all(folder, "v2")
        git(folder, "tag", "v2")
    updated = run("update", str(layered), cwd=tmp_path)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "== .copier-answers.yml: template" in updated.stdout and "== .copier-answers.ci.yml: template" in updated.stdout
    assert (layered / "README.md").read_text() == "# demo\n\nv2\n"
    assert (layered / "ci.yml").read_text() == "python: 3.12\nos: debian\n"
    # Each copier answers file gained its own mlrepro record; neither replaced the other's.
    assert "ci.yml" in (layered / ".mlrepro" / "checksums.ci").read_text()
    assert "ci.yml" not in (layered / ".mlrepro" / "checksums").read_text()
    checked = run("check", str(layered), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("== ") == 2
    commit_all(layered, "updated")
    # A third copier template applied by mlrepro writes its own copier answers file too.
    docs = template(tmp_path / "docs", "title: {default: Docs}\n", {"docs.md.jinja": "{{ title }}\n"})
    added = run("init", "proj", "--template", "docs", "--defaults", "--no-probe", "-a", ".mlrepro/answers.docs.yml",
                cwd=tmp_path, env=GIT_ENV)
    assert added.returncode == 0, added.stdout + added.stderr
    assert "title: Docs" in (layered / ".copier-answers.docs.yml").read_text()
    assert "_src_path" in (layered / ".copier-answers.yml").read_text() and "title" not in (layered / ".copier-answers.yml").read_text()
    checked = run("check", str(layered), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("== ") == 3


def test_update_of_every_record_that_fails_midway_says_which_records_were_updated(tmp_path: Path):
    base = write_template(tmp_path / "base", "name: {type: str, default: demo}\n", {"README.md.jinja": "# {{ name }}\n"})
    ci = write_template(tmp_path / "ci", "python: {type: str, default: '3.12'}\n", {"ci.yml.jinja": "python: {{ python }}\n"})
    git(ci, "init", "-q")
    commit_all(ci, "v1")
    git(ci, "tag", "v1")
    project = tmp_path / "proj"
    assert run("init", str(project), "--template", str(base), "--defaults", "--no-probe", "--quiet", cwd=tmp_path, env=GIT_ENV).returncode == 0
    added = run("init", str(project), "--template", str(ci), "--defaults", "--no-probe", "-a", ".mlrepro/answers.ci.yml",
                cwd=tmp_path, env=GIT_ENV)
    assert added.returncode == 0, added.stderr
    commit_all(project, "CI template")
    (base / "README.md.jinja").write_text("# {{ name }}\n\nv2\n")
    # The CI template's new version asks a question whose default its validator refuses.
    (ci / "mlrepro.yml").write_text("python: {type: str, default: '3.12'}\n"
                                    "os: {type: str, default: '', validator: '{% if not os %}an OS is required{% endif %}'}\n")
    commit_all(ci, "v2")
    git(ci, "tag", "v2")
    ci_before = {path: data for path, data in files(project).items() if "ci" in path}
    failed = run("update", str(project), cwd=tmp_path)
    assert failed.returncode == 2, failed.stdout + failed.stderr
    assert "an OS is required" in failed.stderr
    assert "updated before this error: .mlrepro/answers.yml" in failed.stderr
    assert "while updating the template recorded in .mlrepro/answers.ci.yml" in failed.stderr
    # The base template's update is complete; the CI template's files and record are untouched.
    assert (project / "README.md").read_text() == "# demo\n\nv2\n"
    assert {path: data for path, data in files(project).items() if "ci" in path} == ci_before
