"""Files a template declares the project's own (`_project_owned`): check lists them, update merges or keeps them."""
from __future__ import annotations

import json

from conftest import run
from living import GIT_ENV, git, init, owned_template


def test_check_lists_edited_project_owned_files_and_fails_only_on_the_templates(tmp_path):
    template = owned_template(tmp_path / "tpl")
    project = tmp_path / "study"
    init(template, project, "--no-git")
    (project / "configs" / "train.yaml").write_text("train:\n  epochs: 9\n  lr: 0.1\n")
    (project / "src" / "demo" / "model.py").write_text("def model():\n    return 'mlp'\n")
    checked = run("check", str(project))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "project-owned: 2 files" in checked.stdout
    assert "configs/train.yaml" in checked.stdout and "src/demo/model.py" in checked.stdout
    assert "+  epochs: 9" not in checked.stdout  # information, not a diff
    report = json.loads(run("check", str(project), "--json").stdout)
    assert report["in_sync"] is True and report["strict"] is False
    assert [entry["path"] for entry in report["project_owned"]] == ["configs/train.yaml", "src/demo/model.py"]
    strict = run("check", str(project), "--strict")
    assert strict.returncode == 1 and "+  epochs: 9" in strict.stdout
    # The template's own files are drift as before.
    (project / "src" / "demo" / "train.py").write_text("def train():\n    return 1\n")
    drift = run("check", str(project))
    assert drift.returncode == 1 and "changed  src/demo/train.py" in drift.stdout
    assert "src/demo/model.py" not in drift.stdout.split("drift:")[1].split("project-owned:")[0]


def test_copier_manifests_declare_project_owned_files_too(tmp_path):
    template = owned_template(tmp_path / "tpl", "copier.yml")
    project = tmp_path / "study"
    init(template, project, "--no-git")
    (project / "configs" / "train.yaml").write_text("edited\n")
    checked = run("check", str(project))
    assert checked.returncode == 0 and "project-owned: 1 file" in checked.stdout, checked.stdout + checked.stderr


def test_built_in_template_lets_the_researcher_edit_configs_and_the_model(tmp_path):
    project = tmp_path / "my-study"
    done = run("init", str(project), "--defaults", "--no-probe", "--no-git", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    config = project / "configs" / "train.yaml"
    config.write_text(config.read_text().replace("  epochs: 5\n", "  epochs: 9\n"))
    model = project / "src" / "my_study" / "model.py"
    model.write_text(model.read_text() + "# a wider hidden layer\n")
    (project / "data" / "manifest.yaml").write_text((project / "data" / "manifest.yaml").read_text() + "# mine\n")
    checked = run("check", str(project))
    assert checked.returncode == 0, checked.stdout
    assert "project-owned: 3 files" in checked.stdout
    # The harness stays the template's.
    train = project / "src" / "my_study" / "train.py"
    train.write_text(train.read_text() + "# patched\n")
    assert run("check", str(project)).returncode == 1
    # The generated README explains ownership and what to do about drift.
    readme = (project / "README.md").read_text()
    assert "## Who owns which file" in readme and "mlrepro check --strict" in readme and "_skip:" in readme


def test_update_merges_template_fixes_into_owned_files_unless_kept(tmp_path):
    template = owned_template(tmp_path / "tpl")
    project = tmp_path / "study"
    init(template, project)
    config = project / "configs" / "train.yaml"
    config.write_text("train:\n  epochs: 9\n  batch: 32\n  seed: 0\n  lr: 0.1\n")
    git(project, "commit", "-qam", "more epochs")
    # The template fixes a line the researcher did not touch.
    (template / "configs" / "train.yaml.jinja").write_text("train:\n  epochs: 5\n  batch: 32\n  seed: 0\n  lr: 0.01\n")
    kept = run("update", str(project), "--keep-owned", env=GIT_ENV)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert config.read_text() == "train:\n  epochs: 9\n  batch: 32\n  seed: 0\n  lr: 0.1\n"
    assert "project-owned; left as it is (--keep-owned)" in kept.stdout
    git(project, "checkout", "--", ".")
    merged = run("update", str(project), env=GIT_ENV)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert config.read_text() == "train:\n  epochs: 9\n  batch: 32\n  seed: 0\n  lr: 0.01\n"
