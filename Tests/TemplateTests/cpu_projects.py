"""Generated projects that train for real on the CPU, sharing one virtualenv per test session.

The packages come from conftest.torch_venv (the CPU torch wheel and every pin of the generated
sklearn, pytorch, lightning and jax projects; cached under MLREPRO_VENV_CACHE and shared with
test_distributed.py; MLREPRO_CPU_VENV names an existing one to use instead), or, for tensorflow
projects, from conftest.tensorflow_venv (their hashed requirements.lock). The session's own
virtualenv is layered on it and each project is installed into that one with --no-deps.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

from conftest import init, session_venv, torch_venv

GIT_ENV = {"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.org", "GIT_COMMITTER_NAME": "Ada",
           "GIT_COMMITTER_EMAIL": "ada@example.org"}
_VENVS: dict[str, Path] = {}

READ_RUNS = textwrap.dedent("""
    import json, sys
    from mlflow.tracking import MlflowClient
    client = MlflowClient(tracking_uri=sys.argv[1])
    experiment = client.get_experiment_by_name(sys.argv[2])
    runs = client.search_runs([experiment.experiment_id]) if experiment else []
    out = []
    for run in runs:
        def listing(path):
            found = []
            for item in client.list_artifacts(run.info.run_id, path):
                found += listing(item.path) if item.is_dir else [item.path]
            return found
        out.append({"run_id": run.info.run_id, "status": run.info.status, "params": run.data.params,
                    "metrics": run.data.metrics, "tags": run.data.tags, "artifacts": listing(None),
                    "history": {name: [[m.step, m.value] for m in client.get_metric_history(run.info.run_id, name)]
                                for name in ("val_loss", "val_accuracy", "train_loss")}})
    print(json.dumps(out))
""")


def sh(argv: list, cwd: Path, env: dict | None = None, timeout: int = 900, check: bool = True):
    done = subprocess.run([str(a) for a in argv], check=False, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if check:
        assert done.returncode == 0, (f"{' '.join(map(str, argv))} exited {done.returncode}:\n"
                                      f"{done.stdout[-4000:]}\n{done.stderr[-6000:]}")
    return done


def git(project: Path, *argv: str) -> str:
    return sh(["git", *argv], project, env=dict(os.environ, **GIT_ENV)).stdout.strip()


def generate(root: Path, name: str, framework: str, **answers) -> Path:
    """A committed CPU project (mlflow-local, no DVC) named `name` under `root`."""
    project = root / name
    init(project, {"framework": framework, "accelerator": "cpu", "tracking": "mlflow-local",
                   "data_versioning": "none", "compute": ["local", "slurm"], **answers})
    if subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True).returncode != 0:
        sh(["git", "init", "-q"], project)
        git(project, "add", "-A")
        git(project, "commit", "-qm", "Generated")
    return project


def venv(tmp_path_factory, projects: list[Path], deps: Callable[[object], Path] = torch_venv) -> Path:
    """The session's virtualenv on `deps` (made on first use; the shared torch_venv unless a test names
    conftest.tensorflow_venv) with `projects` installed into it."""
    key = deps.__name__
    if key not in _VENVS:
        _VENVS[key] = session_venv(tmp_path_factory.mktemp(f"cpu-venv-{key}") / "venv", deps(tmp_path_factory))
    python = _VENVS[key]
    for project in projects:
        sh([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "-e", project],
           project)
    return python


def package(project: Path) -> str:
    return project.name.replace("-", "_")


def store(project: Path) -> str:
    return f"sqlite:///{project / 'mlruns.db'}"


def environment(project: Path, **extra: str) -> dict:
    return dict(os.environ, MLFLOW_TRACKING_URI=store(project), OMP_NUM_THREADS="1", PYTHONHASHSEED="0",
                MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR="false", **GIT_ENV, **extra)


def train(python: Path, project: Path, *extra: str, check: bool = True, env: dict | None = None):
    return sh([python, "-m", f"{package(project)}.train", *extra], project, env=env or environment(project),
              check=check)


def runs(python: Path, project: Path) -> list[dict]:
    done = sh([python, "-c", READ_RUNS, store(project), project.name], project)
    return json.loads(done.stdout.strip().splitlines()[-1])


def last_run_id(project: Path) -> str:
    return json.loads((project / "outputs" / "metrics.json").read_text())["run_id"]
