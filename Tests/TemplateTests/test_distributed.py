"""Generated projects train in several processes and record one run: PyTorch DistributedDataParallel
and Lightning ddp under torchrun with two CPU processes (gloo), a failing rank ends the job instead
of hanging, other frameworks refuse a multi-process launch.

torch is the CPU wheel in TORCH_WHEELS (default /opt/wheels), installed into one virtualenv for the
whole module together with every other dependency the generated pyproject.toml pins (from PyPI,
through pip's cache). The generated projects pin the torch release their CUDA images use; the CPU
wheel on disk is what this machine has, so it is installed in its place and each project with
--no-deps (the params and the pip freeze of every run name the torch that really ran).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import pytest
from conftest import init

WHEELS = Path(os.environ.get("TORCH_WHEELS", "/opt/wheels"))
PYTHON_TAG = f"cp{sys.version_info.major}{sys.version_info.minor}"
PROJECTS = {"pytorch": "ddp-study", "lightning": "lightning-ddp-study", "sklearn": "sklearn-ddp-study"}

READ_RUNS = textwrap.dedent("""
    import json, sys
    import numpy as np
    from mlflow.tracking import MlflowClient
    client = MlflowClient(tracking_uri=sys.argv[1])
    experiment = client.get_experiment_by_name(sys.argv[2])
    runs = client.search_runs([experiment.experiment_id]) if experiment else []
    out = {"runs": len(runs), "records": []}
    for run in runs:
        artifacts = [a.path for a in client.list_artifacts(run.info.run_id, "provenance")]
        models = client.search_logged_models(experiment_ids=[experiment.experiment_id])
        record = {"status": run.info.status, "params": run.data.params, "metrics": run.data.metrics,
                  "artifacts": artifacts, "models": len(models),
                  "val_accuracy": [[m.step, m.value] for m in client.get_metric_history(run.info.run_id, "val_accuracy")],
                  "train_loss": [[m.step, m.value] for m in client.get_metric_history(run.info.run_id, "train_loss")]}
        if "provenance/ranks.json" in artifacts:
            record["ranks"] = json.load(open(client.download_artifacts(run.info.run_id, "provenance/ranks.json")))
        if run.info.status == "FINISHED" and len(sys.argv) > 3:
            # Score the logged model on the whole test split in this one process.
            import mlflow.pytorch, torch, yaml, importlib
            data = importlib.import_module(sys.argv[3] + ".data")
            config = yaml.safe_load(open("configs/train.yaml"))
            splits = data.load_splits(config, __import__("pathlib").Path("."))
            model = mlflow.pytorch.load_model(models[0].model_uri).eval()
            with torch.no_grad():
                logits = model(torch.from_numpy(splits.x_test))
                labels = torch.from_numpy(splits.y_test)
                record["rescored"] = {
                    "test_accuracy": (logits.argmax(dim=1) == labels).double().mean().item(),
                    "test_loss": torch.nn.functional.cross_entropy(logits.double(), labels).item()}
        out["records"].append(record)
    print(json.dumps(out))
""")

FAILING_RANK = textwrap.dedent("""
    # Rank 1 raises in its first evaluation, while rank 0 waits for it in a collective.
    import os, sys
    from {package} import model, train

    scored = model.evaluate

    def evaluate(*args, **kwargs):
        if os.environ.get("RANK") == "1":
            raise RuntimeError("rank 1 fails on purpose")
        return scored(*args, **kwargs)

    model.evaluate = evaluate
    raise SystemExit(train.main(sys.argv[1:]))
""")


def sh(argv: list, cwd: Path, env: dict | None = None, timeout: int = 1800, check: bool = True):
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check:
        assert done.returncode == 0, (f"{' '.join(map(str, argv))} exited {done.returncode}:\n"
                                      f"{done.stdout[-4000:]}\n{done.stderr[-6000:]}")
    return done


def torch_wheel() -> Path:
    wheels = sorted(WHEELS.glob(f"torch-*+cpu-{PYTHON_TAG}-*.whl"))
    if not wheels:
        pytest.fail(f"no CPU torch wheel for {PYTHON_TAG} in {WHEELS} (set TORCH_WHEELS to the folder that has one)")
    return wheels[-1]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """(venv python, {framework: project}) with the three projects generated and installed."""
    root = tmp_path_factory.mktemp("distributed")
    projects = {}
    requirements: set[str] = set()
    for framework, name in PROJECTS.items():
        project = root / name
        init(project, {"framework": framework, "accelerator": "cpu", "tracking": "mlflow-local",
                       "data_versioning": "none", "compute": ["local", "slurm", "kubernetes"]})
        if subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True).returncode != 0:
            sh(["git", "init", "-q"], project)
            sh(["git", "add", "-A"], project)
            sh(["git", "-c", "user.name=Ada", "-c", "user.email=ada@example.org", "commit", "-qm", "Generated"], project)
        pyproject = tomllib.loads((project / "pyproject.toml").read_text())
        requirements.update(pyproject["project"]["dependencies"])
        projects[framework] = project
    wheel = torch_wheel()
    pins = sorted(r for r in requirements if not r.startswith("torch=="))
    venv = root / "venv"
    sh([sys.executable, "-m", "venv", venv], root)
    python = venv / "bin" / "python"
    sh([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--find-links", WHEELS,
        wheel, *pins], root)
    for project in projects.values():
        sh([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "-e", project], root)
    return python, projects


def train(python: Path, project: Path, store: str, processes: int, *extra: str, module: str | None = None,
          check: bool = True, timeout: int = 600, variables: dict | None = None):
    package = project.name.replace("-", "_")
    environment = dict(os.environ, MLFLOW_TRACKING_URI=store, OMP_NUM_THREADS="1", PYTHONHASHSEED="0",
                       **(variables or {}))
    if processes == 1:
        argv = [python, "-m", module or f"{package}.train"]
    else:
        argv = [python, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={processes}",
                "-m", module or f"{package}.train"]
    started = time.perf_counter()
    done = sh([*argv, "--set", "train.epochs=2", *extra], project, env=environment, check=check, timeout=timeout)
    return done, time.perf_counter() - started


def read_runs(python: Path, project: Path, store: str, rescore: bool = True) -> dict:
    package = project.name.replace("-", "_")
    argv = [python, "-c", READ_RUNS, store, project.name] + ([package] if rescore else [])
    return json.loads(sh(argv, project).stdout.strip().splitlines()[-1])


def assert_one_distributed_run(result: dict, world_size: int) -> dict:
    assert result["runs"] == 1, f"{result['runs']} MLflow runs for one job"
    record = result["records"][0]
    assert record["status"] == "FINISHED"
    params = record["params"]
    assert params["distributed.world_size"] == str(world_size)
    assert params["distributed.backend"] == "gloo" and params["distributed.nodes"] == "1"
    assert params["distributed.gpus_per_node"] == "0" and params["distributed.launcher"] == "torchrun"
    assert record["models"] == 1, "the model must be logged once"
    assert [step for step, _ in record["val_accuracy"]] == [0, 1], "one validation metric per epoch"
    assert [step for step, _ in record["train_loss"]] == [0, 1]
    ranks = record["ranks"]
    assert [r["rank"] for r in ranks] == list(range(world_size))
    assert all(r["hostname"] == socket.gethostname() and r["host"]["cpu_logical_cores"] for r in ranks)
    # The held-out metrics are those of the whole test split, not of rank 0's shard.
    for name in ("test_accuracy", "test_loss"):
        assert record["metrics"][name] == pytest.approx(record["rescored"][name], abs=1e-5), name
    return record


def test_pytorch_ddp_two_processes_one_run_deterministic(env, tmp_path):
    python, projects = env
    project = projects["pytorch"]
    single_store = f"sqlite:///{tmp_path / 'single.db'}"
    done, single_s = train(python, project, single_store, 1)
    assert "test_accuracy=" in done.stdout
    single = read_runs(python, project, single_store)
    assert single["runs"] == 1 and single["records"][0]["status"] == "FINISHED"
    assert "distributed.world_size" not in single["records"][0]["params"]
    assert "provenance/ranks.json" not in single["records"][0]["artifacts"]
    assert single["records"][0]["models"] == 1

    records, walls = [], []
    for attempt in ("first", "second"):
        store = f"sqlite:///{tmp_path / f'{attempt}.db'}"
        done, wall = train(python, project, store, 2)
        assert done.stdout.count("test_accuracy=") == 1, "only rank 0 reports"
        records.append(assert_one_distributed_run(read_runs(python, project, store), 2))
        walls.append(wall)
    first, second = records
    assert {"provenance/ranks.json", "provenance/environment.json"} <= set(first["artifacts"])
    for name in ("test_accuracy", "test_loss", "train_loss"):
        assert first["metrics"][name] == second["metrics"][name], f"{name} differs between two identical DDP runs"
    assert first["val_accuracy"] == second["val_accuracy"] and first["train_loss"] == second["train_loss"]
    print(f"\npytorch wall time, 2 epochs: 1 process {single_s:.1f} s "
          f"(train {single['records'][0]['metrics']['train_seconds']:.2f} s); 2 processes {walls[0]:.1f} s, "
          f"{walls[1]:.1f} s (train {first['metrics']['train_seconds']:.2f} s)")


def test_lightning_ddp_two_processes_one_run_deterministic(env, tmp_path):
    python, projects = env
    project = projects["lightning"]
    records = []
    for attempt in ("first", "second"):
        store = f"sqlite:///{tmp_path / f'{attempt}.db'}"
        done, _ = train(python, project, store, 2)
        assert done.stdout.count("test_accuracy=") == 1, "only rank 0 reports"
        records.append(assert_one_distributed_run(read_runs(python, project, store), 2))
    first, second = records
    for name in ("test_accuracy", "test_loss", "train_loss"):
        assert first["metrics"][name] == second["metrics"][name], f"{name} differs between two identical ddp runs"
    assert first["val_accuracy"] == second["val_accuracy"]
    assert first["params"]["distributed.strategy"] == "auto" and first["params"]["distributed.devices"] == "auto"


def test_lightning_devices_without_launcher_are_refused(env, tmp_path):
    python, projects = env
    store = f"sqlite:///{tmp_path / 'refused.db'}"
    done, _ = train(python, projects["lightning"], store, 1, "--set", "distributed.devices=2", check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "torchrun --nproc-per-node=N" in done.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_failing_rank_fails_the_job_without_hanging(env, tmp_path):
    python, projects = env
    project = projects["pytorch"]
    package = project.name.replace("-", "_")
    (tmp_path / "failing_rank.py").write_text(FAILING_RANK.format(package=package))
    timeout_s = 30
    store = f"sqlite:///{tmp_path / 'torchrun.db'}"
    pythonpath = os.pathsep.join(p for p in [str(tmp_path), os.environ.get("PYTHONPATH", "")] if p)
    # Under torchrun: the agent sees rank 1 exit and stops rank 0 with SIGTERM.
    done, wall = train(python, project, store, 2, "--set", f"distributed.timeout_s={timeout_s}",
                       module="failing_rank", check=False, timeout=timeout_s * 6, variables={"PYTHONPATH": pythonpath})
    assert done.returncode != 0
    assert "rank 1 fails on purpose" in done.stdout + done.stderr
    runs = read_runs(python, project, store, rescore=False)
    assert runs["runs"] <= 1 and all(r["status"] != "FINISHED" for r in runs["records"])

    # Without an agent (as srun starts ranks): rank 0's collective fails instead of waiting forever.
    port = str(free_port())
    store = f"sqlite:///{tmp_path / 'bare.db'}"
    started = time.perf_counter()
    workers = []
    for rank in (0, 1):
        environment = dict(os.environ, MLFLOW_TRACKING_URI=store, OMP_NUM_THREADS="1", MASTER_ADDR="127.0.0.1",
                           MASTER_PORT=port, WORLD_SIZE="2", RANK=str(rank), LOCAL_RANK=str(rank),
                           LOCAL_WORLD_SIZE="2", PYTHONPATH=pythonpath)
        workers.append(subprocess.Popen(
            [str(python), "-m", "failing_rank", "--set", "train.epochs=2", "--set",
             f"distributed.timeout_s={timeout_s}"], cwd=project, env=environment,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    codes = []
    for worker in workers:
        try:
            worker.communicate(timeout=timeout_s * 6)
        except subprocess.TimeoutExpired:
            for other in workers:
                other.kill()
            pytest.fail("a rank hung after the other failed")
        codes.append(worker.returncode)
    bare_wall = time.perf_counter() - started
    assert codes[0] != 0 and codes[1] != 0, codes
    # Start-up (imports, data, the MLflow store) plus at most one collective timeout.
    assert bare_wall < timeout_s + 150, bare_wall
    print(f"\nfailing rank: torchrun job ended after {wall:.1f} s; bare ranks after {bare_wall:.1f} s")


@pytest.mark.parametrize("variables", [
    {"WORLD_SIZE": "2", "RANK": "0", "LOCAL_RANK": "0"},
    {"SLURM_STEP_NUM_TASKS": "4", "SLURM_PROCID": "0", "SLURM_LOCALID": "0", "SLURM_STEP_TASKS_PER_NODE": "2(x2)"},
])
def test_sklearn_refuses_a_multi_process_launch(env, tmp_path, variables):
    python, projects = env
    project = projects["sklearn"]
    store = tmp_path / "refused.db"
    environment = dict(os.environ, MLFLOW_TRACKING_URI=f"sqlite:///{store}", **variables)
    done = sh([python, "-m", "sklearn_ddp_study.train"], project, env=environment, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert re.search(r"trains in one process, but (torchrun|slurm) started [24]", done.stderr), done.stderr
    assert "framework=pytorch" in done.stderr and "framework=lightning" in done.stderr
    assert not store.exists(), "a refused launch must not create an MLflow run"
