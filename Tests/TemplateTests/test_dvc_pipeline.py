"""A generated project's DVC pipeline works as shipped (framework=sklearn, the `local` remote):
`dvc repro` from a fresh checkout runs prepare -> train -> evaluate with the project's virtualenv,
a second `dvc repro` does nothing, a change to `evaluate.min` re-evaluates without retraining,
`dvc exp show` has the train.* parameters and the metrics of the working tree and of a commit,
the DATASHEET's commands version data/raw, and `dvc push` fills the remote next to the project.

dvc and the project's pinned dependencies are installed once into a cached virtualenv
(conftest.cached_venv, MLREPRO_VENV_CACHE). Training is two epochs of the synthetic data set.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import commit_all, dvc_study, project_venv

pytestmark = pytest.mark.skipif(os.environ.get("MLREPRO_SKIP_NETWORK") == "1", reason="MLREPRO_SKIP_NETWORK=1")


def sh(argv: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{' '.join(map(str, argv))} exited {done.returncode}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


def ran_stages(output: str) -> list[str]:
    return re.findall(r"Running stage '([a-z]+)'", output)


def test_dvc_repro_exp_show_and_push_work_in_a_fresh_project(tmp_path):
    project = tmp_path / "dvc-study"
    deps = dvc_study(project)
    project_venv(project, deps)
    dvc = deps.parent / "dvc"
    config = project / "configs" / "train.yaml"
    config.write_text(config.read_text().replace("epochs: 10", "epochs: 2"))
    commit_all(project)
    # PATH without the test's or the project's virtualenv: the stages must name the project's interpreter.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'runs.db'}",
           "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.org",
           "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.org"}

    dag = sh([dvc, "dag", "--md"], project, env).stdout
    nodes = dict(re.findall(r'(node[0-9]+)\["([a-z]+)"\]', dag))
    edges = {(nodes[a], nodes[b]) for a, b in re.findall(r"(node[0-9]+)-->(node[0-9]+)", dag)}
    assert edges == {("prepare", "train"), ("train", "evaluate")}, dag

    first = sh([dvc, "repro"], project, env)
    assert ran_stages(first.stdout) == ["prepare", "train", "evaluate"], first.stdout
    assert json.loads((project / "outputs" / "metrics.json").read_text())["test_accuracy"] > 0.4
    second = sh([dvc, "repro"], project, env)
    assert ran_stages(second.stdout) == [], second.stdout
    assert "up to date" in second.stdout
    # Outputs stay out of git: a run does not dirty the checkout (only dvc.lock is new).
    status = sh(["git", "status", "--porcelain"], project).stdout.split("\n")
    assert [line for line in status if line] == ["?? dvc.lock"], status
    commit_all(project, "Pipeline results")

    config.write_text(config.read_text().replace("test_accuracy: 0.5", "test_accuracy: 0.4"))
    third = sh([dvc, "repro"], project, env)
    assert ran_stages(third.stdout) == ["evaluate"], third.stdout

    shown = json.loads(sh([dvc, "exp", "show", "--json", "--no-pager"], project, env).stdout)
    rows = {row["rev"]: row for row in shown}
    head = sh(["git", "rev-parse", "HEAD"], project).stdout.strip()
    for rev in ("workspace", head):
        data = rows[rev]["data"]
        params = data["params"]["configs/train.yaml"]["data"]
        assert params["train"]["epochs"] == 2 and "learning_rate" in params["train"], rev
        metrics = data["metrics"]["outputs/metrics.json"]
        assert "error" not in metrics and metrics["data"]["test_accuracy"] > 0.4, (rev, metrics)
        assert data["metrics"]["outputs/evaluation.json"]["data"]["passed"] is True, rev

    # The DATASHEET's instructions, as written.
    datasheet = (project / "data" / "DATASHEET.md").read_text()
    line = next(text for text in datasheet.split("\n- ") if "Versioned with DVC" in text)
    commands = re.findall(r"`((?:dvc|git) [^`]+)`", line)
    assert commands and commands[0].startswith("dvc add"), line
    (project / "data" / "raw").mkdir(parents=True, exist_ok=True)
    (project / "data" / "raw" / "measurements.csv").write_text("x,y\n1,2\n")
    for command in commands:
        argv = command.split()
        sh([dvc if argv[0] == "dvc" else "git", *argv[1:]], project, env)
    remote = tmp_path / "dvc-study-dvc-storage"
    assert remote.is_dir() and any(path.is_file() for path in remote.rglob("*")), "dvc push left the remote empty"
    assert not (project / "dvc-study-dvc-storage").exists(), "the local remote must be outside the repository"
    assert sh(["git", "ls-files", "data/raw.dvc"], project).stdout.strip() == "data/raw.dvc"
