"""The built-in template's own layout: what is generated lives under project/, the manifest and
includes stay readable, derived values are computed once and never recorded.

Fast: a few `mlrepro init` runs, no virtualenvs.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import BIN, TEMPLATE, init

MAX_LINE = 200
TORCH_VARIANT_FILES = ["Makefile", "Dockerfile", ".github/workflows/ci.yml", "README.md"]


def manifest() -> dict:
    return yaml.safe_load((TEMPLATE / "mlrepro.yml").read_text(encoding="utf-8"))


def test_project_files_live_under_the_subdirectory_and_nothing_else_beside_it():
    assert manifest()["_subdirectory"] == "project"
    beside = sorted(path.name for path in TEMPLATE.iterdir())
    assert beside == ["README.md", "includes", "locks", "mlrepro.yml", "project"], beside


@pytest.mark.parametrize("name", ["mlrepro.yml", "includes"])
def test_the_manifest_and_includes_keep_lines_readable(name):
    root = TEMPLATE / name
    files = [root] if root.is_file() else sorted(path for path in root.rglob("*") if path.is_file())
    assert files
    long = [f"{path.relative_to(TEMPLATE)}:{number}: {len(line)} characters"
            for path in files for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if len(line) > MAX_LINE]
    assert not long, "\n".join(long)


def test_one_license_file_in_the_template():
    sources = sorted(str(path.relative_to(TEMPLATE / "project")) for path in (TEMPLATE / "project").rglob("*")
                     if "LICENSE" in path.name)
    assert sources == ["LICENSE.jinja"], sources


@pytest.mark.parametrize("license, first_line", [
    ("MIT", "MIT License"),
    ("BSD-3-Clause", "BSD 3-Clause License"),
    ("Apache-2.0", "Apache License"),
    ("GPL-3.0-only", "GNU GENERAL PUBLIC LICENSE"),
])
def test_license_has_the_chosen_text_and_only_it(tmp_path, license, first_line):
    dest = tmp_path / "lic-study"
    init(dest, {"license": license, "author_name": "Ada Lovelace", "author_email": "ada@example.org"}, "--no-git")
    text = (dest / "LICENSE").read_text(encoding="utf-8")
    assert text.strip().splitlines()[0].strip() == first_line
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert ("Ada Lovelace" in text) == (license in ("MIT", "BSD-3-Clause"))
    assert sorted(path.name for path in dest.iterdir() if "LICENSE" in path.name.upper()) == ["LICENSE"]
    # Nothing from beside project/ leaks into the project.
    assert not (dest / "includes").exists() and not (dest / "locks").exists() and not (dest / "mlrepro.yml").exists()


@pytest.mark.parametrize("accelerator, extra, variant", [
    ("cpu", {}, "cpu"),
    ("amd", {}, "rocm6.4"),
    ("nvidia", {"cuda_version": "12.8"}, "cu128"),
])
def test_derived_values_are_computed_once_and_never_recorded(tmp_path, accelerator, extra, variant):
    hidden = {name for name, spec in manifest().items() if isinstance(spec, dict) and spec.get("when") is False}
    assert hidden == {"torch_variant", "torch_family", "object_store"}
    dest = tmp_path / "tv-study"
    init(dest, {"framework": "pytorch", "accelerator": accelerator, "ci": "github", **extra}, "--no-git")
    for name in TORCH_VARIANT_FILES:
        text = (dest / name).read_text(encoding="utf-8")
        assert f"https://download.pytorch.org/whl/{variant}" in text or f"`{variant}` wheels" in text, name
    answers = yaml.safe_load((dest / ".mlrepro" / "answers.yml").read_text(encoding="utf-8"))
    assert not {"torch_variant", "torch_family", "object_store"} & set(answers)
    assert answers["accelerator"] == accelerator


@pytest.mark.parametrize("question, value", [
    ("project_name", "a\u2028b"),
    ("description", "one\u202etwo"),
    ("author_name", "Ada\u0085Lovelace"),
    ("author_given_names", "Ada\u2066"),
    ("author_family_names", "Love\ufefflace"),
])
def test_the_shared_printable_line_validator_refuses_hidden_characters(tmp_path, question, value):
    dest = tmp_path / "val-study"
    done = init(dest, {question: value}, "--no-git", check=False)
    assert done.returncode == 2, done.stderr
    assert re.search(rf"answer '{question}': .* must be one line of printable text \(no line or paragraph "
                     r"separators, C1 or bidirectional control characters\)", done.stderr), done.stderr
    assert not dest.exists()


def test_a_project_of_the_flat_layout_updates_to_the_subdirectory_layout_without_conflicts(tmp_path):
    """The same output from a template reorganised as this one was (files moved under `_subdirectory`,
    conditional LICENSE files merged into one include, a derived value made a hidden answer): `update`
    changes only the recorded content hash and keeps the user's edits."""
    env = dict(os.environ, NO_COLOR="1", GIT_AUTHOR_NAME="Ada", GIT_AUTHOR_EMAIL="ada@example.org",
               GIT_COMMITTER_NAME="Ada", GIT_COMMITTER_EMAIL="ada@example.org")

    def write(root: Path, files: dict) -> None:
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)

    def mlrepro(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, check=False)

    def git(cwd: Path, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=True).stdout

    questions = "slug:\n  type: str\n  default: demo\nlicense:\n  type: str\n  choices: [MIT, Apache-2.0]\n  default: MIT\n"
    template = tmp_path / "tpl"
    write(template, {
        "mlrepro.yml": questions + '_project_owned: ["notes.md"]\n',
        "notes.md.jinja": "# {{ slug }} notes\n",
        "{% if license == 'MIT' %}LICENSE{% endif %}.jinja": "MIT {{ slug }}\n",
        "{% if license == 'Apache-2.0' %}LICENSE{% endif %}": "Apache\n",
        "Makefile.jinja": "{%- set flavour = slug ~ '-' ~ license -%}\nall:\n\techo {{ flavour }}\n",
        "config.yml.jinja": "{%- set flavour = slug ~ '-' ~ license -%}\nflavour: {{ flavour }}\n",
    })
    project = tmp_path / "study"
    made = mlrepro("init", str(project), "--template", str(template), "--defaults", "--no-probe", "--quiet")
    assert made.returncode == 0, made.stderr
    (project / "notes.md").write_text("# demo notes\n\nmy own findings\n")
    git(project, "commit", "-qam", "my notes")
    before = {path.relative_to(project): path.read_bytes() for path in project.rglob("*")
              if path.is_file() and ".git" not in path.parts and ".mlrepro" not in path.parts}

    for path in sorted(template.iterdir()):
        if path.name != "mlrepro.yml":
            path.unlink()
    write(template, {
        "mlrepro.yml": questions + '_project_owned: ["notes.md"]\n_subdirectory: project\n'
                       "flavour:\n  type: str\n  when: false\n  default: \"{{ slug ~ '-' ~ license }}\"\n",
        "project/notes.md.jinja": "# {{ slug }} notes\n",
        "project/LICENSE.jinja": "{% include 'includes/' ~ license ~ '.jinja' %}",
        "includes/MIT.jinja": "MIT {{ slug }}\n",
        "includes/Apache-2.0.jinja": "Apache\n",
        "project/Makefile.jinja": "all:\n\techo {{ flavour }}\n",
        "project/config.yml.jinja": "flavour: {{ flavour }}\n",
    })
    updated = mlrepro("update", str(project))
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "conflict" not in (updated.stdout + updated.stderr).lower()
    after = {path.relative_to(project): path.read_bytes() for path in project.rglob("*")
             if path.is_file() and ".git" not in path.parts and ".mlrepro" not in path.parts}
    assert after == before
    assert git(project, "status", "--porcelain").split("\n")[:-1] == [" M .mlrepro/answers.yml", " M .mlrepro/checksums"]
    assert "flavour" not in (project / ".mlrepro" / "answers.yml").read_text()
    checked = mlrepro("check", str(project))
    assert checked.returncode == 0, checked.stdout + checked.stderr
