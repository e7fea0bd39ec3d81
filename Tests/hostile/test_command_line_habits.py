"""copier and cruft habits on the command line: template-like DEST, unknown commands and answer keys, short options."""
from __future__ import annotations

import shutil

from conftest import run
from living import GIT_ENV, init, owned_template


def test_unknown_commands_get_the_nearest_name_or_the_mlrepro_equivalent(tmp_path):
    typo = run("chek", cwd=tmp_path)
    assert typo.returncode == 2 and "unknown command 'chek'; did you mean 'check'?" in typo.stderr
    copier_habit = run("copy", "gh:foo/bar", "my-study", cwd=tmp_path)
    assert copier_habit.returncode == 2
    assert "did you mean 'mlrepro init my-study --template gh:foo/bar'?" in copier_habit.stderr
    nonsense = run("frobnicate", cwd=tmp_path)
    assert nonsense.returncode == 2 and "did you mean" not in nonsense.stderr


def test_init_refuses_a_destination_that_is_a_template_source(tmp_path):
    for destination in ("gh:foo/bar", "gl:group/tpl", "https://example.org/tpl", "tpl.git"):
        refused = run("init", destination, "--defaults", "--no-probe", cwd=tmp_path)
        assert refused.returncode == 2, destination
        assert f"did you mean 'mlrepro init --template {destination}'?" in refused.stderr
    assert list(tmp_path.iterdir()) == []
    template = owned_template(tmp_path / "tpl")
    folder = run("init", str(template), "--defaults", "--no-probe", cwd=tmp_path)
    assert folder.returncode == 2 and "is a template (it has mlrepro.yml)" in folder.stderr


def test_unknown_answer_keys_name_the_question_they_probably_meant(tmp_path):
    data = run("init", "study", "--defaults", "--no-probe", "--no-git", "-d", "framwork=jax", cwd=tmp_path)
    assert data.returncode == 2 and "unknown question 'framwork'; did you mean 'framework'?" in data.stderr
    answers = tmp_path / "answers.yml"
    answers.write_text("project_name: x\nframwork: jax\n")
    located = run("validate", "--answers", str(answers), cwd=tmp_path)
    assert located.returncode == 2 and f"{answers}:2:1: error: unknown question 'framwork'; did you mean 'framework'?" in located.stderr


def test_copier_short_options(tmp_path):
    template = owned_template(tmp_path / "tpl")
    pretend = run("init", "study", "--template", str(template), "--defaults", "--no-probe", "-n", "-d", "project_slug=abc", cwd=tmp_path)
    assert pretend.returncode == 0 and "create    src/abc/train.py" in pretend.stdout
    assert not (tmp_path / "study").exists()
    project = tmp_path / "study"
    init(template, project)
    ref = run("update", str(project), "-r", "v1", env=GIT_ENV)
    assert ref.returncode == 2 and "Unknown option" not in ref.stderr


def test_check_and_update_read_a_copier_record_where_answers_file_says(tmp_path):
    template = owned_template(tmp_path / "tpl", "copier.yml")
    project = tmp_path / "study"
    init(template, project, "--no-git")
    shutil.rmtree(project / ".mlrepro")
    (project / ".copier").mkdir()
    (project / ".copier" / ".copier-answers.yml").write_text(f"_src_path: {template}\nproject_slug: demo\n")
    assert run("check", str(project)).returncode == 2  # not found where copier's default puts it
    found = run("check", str(project), "-a", ".copier/.copier-answers.yml")
    assert found.returncode == 0, found.stdout + found.stderr
    outside = run("check", str(project), "--answers-file", "../elsewhere.yml")
    assert outside.returncode == 2 and "inside the project" in outside.stderr
