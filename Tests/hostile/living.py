"""Helpers shared by the suites about living with a generated project (ownership, merge base, CLI habits)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import REPO, run, write_template

GIT_ENV = {"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.org",
           "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.org"}
FIXTURE = REPO / "Tests" / "Fixtures" / "projects" / "ml-research-9cdc556.bundle"

OWNED_MANIFEST = """\
project_slug:
  type: str
  default: demo
_project_owned:
  - "configs/"
  - "src/*/model.py"
"""


def git(project: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert done.returncode == 0, done.stderr
    return done.stdout


def owned_template(root: Path, manifest_name: str = "mlrepro.yml") -> Path:
    template = write_template(root, OWNED_MANIFEST, {
        "configs/train.yaml.jinja": "train:\n  epochs: 5\n  batch: 32\n  seed: 0\n  lr: 0.1\n",
        "src/{{ project_slug }}/model.py.jinja": "def model():\n    return 'linear'\n",
        "src/{{ project_slug }}/train.py.jinja": "def train():\n    pass\n\n\ndef helper():\n    return 0\n",
    })
    if manifest_name != "mlrepro.yml":
        (template / "mlrepro.yml").rename(template / manifest_name)
    return template


def init(template: Path, project: Path, *extra: str):
    done = run("init", str(project), "--template", str(template), "--defaults", "--no-probe", "--quiet", *extra,
               cwd=project.parent, env=GIT_ENV)
    assert done.returncode == 0, done.stderr
    return done


