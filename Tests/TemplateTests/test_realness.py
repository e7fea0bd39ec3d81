"""A generated project really trains and records: install it into a fresh virtualenv with
[dev], run its own tests, run its entrypoint against a local SQLite MLflow store, and read
the run back through MLflow's Python API.

By default this runs framework=sklearn accelerator=cpu. MLREPRO_TEMPLATE_FRAMEWORKS adds
others (space-separated, e.g. "sklearn jax tensorflow"); pytorch and lightning pull the
CUDA wheels from PyPI (gigabytes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import BIN, init

FRAMEWORKS = os.environ.get("MLREPRO_TEMPLATE_FRAMEWORKS", "sklearn").split()

READ_RUN = textwrap.dedent("""
    import json, sys
    from mlflow.tracking import MlflowClient
    client = MlflowClient(tracking_uri=sys.argv[1])
    experiment = client.get_experiment_by_name(sys.argv[2])
    runs = client.search_runs([experiment.experiment_id])
    run = runs[0]
    artifacts = [a.path for a in client.list_artifacts(run.info.run_id, "provenance")]
    models = client.search_logged_models(experiment_ids=[experiment.experiment_id])
    history = client.get_metric_history(run.info.run_id, "val_accuracy")
    environment = json.load(open(client.download_artifacts(run.info.run_id, "provenance/environment.json")))
    print(json.dumps({"runs": len(runs), "status": run.info.status, "params": run.data.params,
                      "metrics": run.data.metrics, "tags": run.data.tags, "artifacts": artifacts,
                      "models": [m.name for m in models], "val_accuracy_steps": [m.step for m in history],
                      "environment": environment}))
""")


def sh(argv: list, cwd: Path, env: dict | None = None, timeout: int = 1800) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, argv))} exited {done.returncode}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_generated_project_trains_and_records_provenance(tmp_path, framework):
    project = tmp_path / "realness-study"
    init(project, {"framework": framework, "accelerator": "cpu", "tracking": "mlflow-local",
                   "data_versioning": "none", "author_name": "Ada Lovelace"})
    if not (project / ".git").exists():
        sh(["git", "init", "-q"], project)
    if subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True).returncode != 0:
        sh(["git", "add", "-A"], project)
        sh(["git", "-c", "user.name=Ada", "-c", "user.email=ada@example.org", "commit", "-qm", "Generated"], project)
    commit = sh(["git", "rev-parse", "HEAD"], project).stdout.strip()

    venv = tmp_path / "venv"
    sh([sys.executable, "-m", "venv", venv], tmp_path)
    python = venv / "bin" / "python"
    sh([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", ".[dev]"], project)

    env = dict(os.environ, MLFLOW_TRACKING_URI=f"sqlite:///{tmp_path / 'project-tests.db'}")
    tests = sh([python, "-m", "pytest", "-p", "no:cacheprovider"], project, env=env)  # addopts adds -q
    assert " passed" in tests.stdout and "failed" not in tests.stdout

    store = f"sqlite:///{tmp_path / 'mlruns.db'}"
    env = dict(os.environ, MLFLOW_TRACKING_URI=store, CONTAINER_IMAGE="registry.example.org/realness:1")
    package = "realness_study"
    trained = sh([python, "-m", f"{package}.train", "--config", "configs/train.yaml"], project, env=env)
    assert "test_accuracy=" in trained.stdout

    record = json.loads(sh([python, "-c", READ_RUN, store, "realness-study"], project).stdout.strip().splitlines()[-1])
    assert record["runs"] == 1 and record["status"] == "FINISHED"
    assert len(record["params"]) >= 3
    assert record["params"]["seed"] == "42" and "train.learning_rate" in record["params"]
    assert {"test_accuracy", "test_loss", "val_accuracy", "train_loss"} <= set(record["metrics"])
    assert 0.4 < record["metrics"]["test_accuracy"] <= 1.0
    assert record["val_accuracy_steps"] == list(range(len(record["val_accuracy_steps"]))) and len(record["val_accuracy_steps"]) > 1
    assert record["models"], "no logged model"
    tags = record["tags"]
    assert tags["mlflow.source.git.commit"] == commit
    assert tags["git.dirty"] == "false"
    assert tags["container.image"] == "registry.example.org/realness:1"
    assert len(tags["dataset.manifest_sha256"]) == 64
    assert tags["python.version"].count(".") == 2
    assert {"provenance/environment.json", "provenance/pip-freeze.txt", "provenance/config.yaml"} <= set(record["artifacts"])
    environment = record["environment"]
    assert environment["meta"]["schema_version"] == 1
    assert set(environment) == {"meta", "host", "container", "nvidia", "cuda_toolkit", "libraries", "amd", "python", "git"}
    assert environment["git"]["commit"] == commit and environment["host"]["cpu_logical_cores"] >= 1

    # The run's record reads back with `mlrepro probe --compare`: same machine, nothing that changes numerics.
    (tmp_path / "run-environment.json").write_text(json.dumps(environment))
    compared = subprocess.run([str(BIN), "probe", "--compare", str(tmp_path / "run-environment.json")], cwd=project,
                              capture_output=True, text=True)
    assert compared.returncode == 0, f"probe --compare ({compared.returncode}):\n{compared.stdout}\n{compared.stderr}"
