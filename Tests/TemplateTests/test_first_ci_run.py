"""A fresh project's first CI run is green: every CI step that can run here is run as CI runs it.

Steps that need the network (action downloads, `make setup`, apt-get, cloning mlrepro) or what they
install are listed with the reason; a step this file does not know fails the test, so a new step is
classified when it is added.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest
import yaml

from conftest import BIN, VENV, init

# Steps that cannot run here, by a pattern of their `run` text (or `uses`), with the reason.
NEEDS_NETWORK = [
    (r"^make setup", "installs the pinned dependencies from PyPI"),
    (r"-m pytest", "needs the packages `make setup` installs"),
    (r"apt-get", "installs system packages"),
    (r"git clone", "clones mlrepro"),
    (r"\b(pipx|uv tool) install\b.*mlrepro|pip install\b.*mlrepro", "installs mlrepro from PyPI (the built binary stands in)"),
]


def github_env(expression_text: str) -> str:
    """`${{ vars.NAME }}` and friends evaluate to an empty string when the variable is unset."""
    return re.sub(r"\$\{\{[^}]*\}\}", "", expression_text)


def runnable(run: str) -> tuple[bool, str]:
    for pattern, reason in NEEDS_NETWORK:
        if re.search(pattern, run, re.MULTILINE):
            return False, reason
    return True, ""


def local(run: str) -> str:
    """The step's command with CI's install locations replaced by this machine's."""
    run = run.replace(".venv/bin/", f"{VENV}/bin/")
    return re.sub(r"(?<!\S)(?:\S*/)?mlrepro(?= check)", str(BIN), run)


@pytest.mark.parametrize("framework", ["sklearn", "pytorch"])
def test_every_runnable_github_step_of_a_fresh_project_passes(tmp_path, framework):
    project = tmp_path / "first-ci"
    init(project, {"framework": framework, "accelerator": "cpu", "tracking": "mlflow-server", "ci": "github"})
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    ran, skipped = [], []
    for job_name, job in workflow["jobs"].items():
        for step in job["steps"]:
            name = step.get("name") or step.get("uses")
            if "uses" in step:
                skipped.append((name, "a GitHub action"))
                continue
            can_run, reason = runnable(step["run"])
            if not can_run:
                skipped.append((name, reason))
                continue
            env = {**os.environ, "GITHUB_ACTIONS": "true"}
            for scope in (workflow.get("env", {}), job.get("env", {}), step.get("env", {})):
                env.update({key: github_env(str(value)) for key, value in scope.items()})
            done = subprocess.run(["bash", "-e", "-c", local(step["run"])], cwd=project, env=env,
                                  capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, f"{job_name} / {name} failed:\n{done.stdout}\n{done.stderr}"
            ran.append((name, done.stdout))
    names = [name for name, _ in ran]
    assert names == ["Base images pinned by digest", "Lint", "mlrepro check"], (names, skipped)
    # The unpinned base images are reported as annotations with the command that fixes them.
    digest_output = ran[0][1]
    warnings = [line for line in digest_output.splitlines() if line.startswith("::warning file=")]
    assert len(warnings) == 2, digest_output  # Dockerfile and docker/mlflow/Dockerfile
    assert all("make pin-images" in line and "::error" not in line for line in warnings)
    assert re.match(r"::warning file=Dockerfile,line=\d+::", warnings[0])


def test_the_digest_step_fails_once_the_project_opts_in(tmp_path):
    project = tmp_path / "opt-in"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-local"}, "--no-git")
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    step = next(s for s in workflow["jobs"]["lint-and-test"]["steps"] if s.get("name") == "Base images pinned by digest")
    assert step["env"]["REQUIRE_IMAGE_DIGESTS"] == "${{ vars.REQUIRE_IMAGE_DIGESTS }}"
    env = dict(os.environ, REQUIRE_IMAGE_DIGESTS="true")
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert re.search(r"^::error file=Dockerfile,line=\d+::.*make pin-images", done.stdout, re.MULTILINE)


def test_gitlab_digest_job_is_an_allowed_failure_until_required(tmp_path):
    project = tmp_path / "gitlab-ci"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-local", "ci": "gitlab"}, "--no-git")
    pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
    job = pipeline["base-images"]
    script = "\n".join(job["script"])
    fresh = subprocess.run(["sh", "-e", "-c", script], cwd=project, capture_output=True, text=True,
                           env={k: v for k, v in os.environ.items() if k != "REQUIRE_IMAGE_DIGESTS"})
    assert fresh.returncode in job["allow_failure"]["exit_codes"], fresh.stdout
    assert "make pin-images" in fresh.stdout
    required = subprocess.run(["sh", "-e", "-c", script], cwd=project, capture_output=True, text=True,
                              env=dict(os.environ, REQUIRE_IMAGE_DIGESTS="true"))
    assert required.returncode == 1
