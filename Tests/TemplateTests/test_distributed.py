"""Generated projects train in several processes and record one run: PyTorch DistributedDataParallel
and Lightning ddp under torchrun with two CPU processes (gloo), a failing rank ends the job instead
of hanging, other frameworks refuse a multi-process launch.

torch is the CPU wheel in TORCH_WHEELS (default /opt/wheels), in the virtualenv every CPU training
test shares (conftest.torch_venv) with every other dependency the generated pyproject.toml pins.
The generated projects pin the torch release their CUDA images use; the CPU wheel on disk is what
this machine has, so it is installed in its place and each project with --no-deps into this
module's virtualenv layered on the shared one (the params and the pip freeze of every run name the
torch that really ran).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import textwrap
import time
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import init, session_venv, tool, torch_venv

PROJECTS = {"pytorch": "ddp-study", "lightning": "lightning-ddp-study", "sklearn": "sklearn-ddp-study"}

READ_RUNS = textwrap.dedent("""
    import json, sys
    import numpy as np
    import mlflow
    from mlflow.tracking import MlflowClient
    mlflow.set_tracking_uri(sys.argv[1])
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
            import torch, yaml, importlib
            data = importlib.import_module(sys.argv[3] + ".data")
            config = yaml.safe_load(open("configs/train.yaml"))
            splits = data.load_splits(config, __import__("pathlib").Path("."))
            predicted = mlflow.pyfunc.load_model(models[0].model_uri).predict(splits.x_test.astype(np.float32))
            with torch.no_grad():
                logits = torch.as_tensor(np.asarray(predicted))
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

SLOW_LEADER = textwrap.dedent("""
    # Rank 0 spends a while in its MLflow model upload (or dies in it: LEADER_DIES=1) while the other
    # rank has finished; every rank notes when it destroys its process group.
    import os, signal, sys, time
    import torch.distributed as dist
    from {package} import model, train

    notes = os.environ["NOTES"]
    rank = os.environ["RANK"]

    def note(event):
        with open(notes, "a") as handle:
            handle.write(f"{{rank}} {{event}} {{time.time()}}\\n")

    uploaded = model.log_model

    def log_model(*args, **kwargs):
        note("upload-starts")
        if os.environ.get("LEADER_DIES"):
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(float(os.environ["UPLOAD_S"]))
        uploaded(*args, **kwargs)
        note("upload-done")

    destroy = dist.destroy_process_group

    def destroy_process_group(*args, **kwargs):
        note("destroys")
        destroy(*args, **kwargs)

    model.log_model = log_model
    dist.destroy_process_group = destroy_process_group
    raise SystemExit(train.main(sys.argv[1:]))
""")


def sh(argv: list, cwd: Path, env: dict | None = None, timeout: int = 1800, check: bool = True):
    done = subprocess.run([str(a) for a in argv], check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check:
        assert done.returncode == 0, (f"{' '.join(map(str, argv))} exited {done.returncode}:\n"
                                      f"{done.stdout[-4000:]}\n{done.stderr[-6000:]}")
    return done


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
        if subprocess.run(["git", "rev-parse", "HEAD"], check=False, cwd=project, capture_output=True).returncode != 0:
            sh(["git", "init", "-q"], project)
            sh(["git", "add", "-A"], project)
            sh(["git", "-c", "user.name=Ada", "-c", "user.email=ada@example.org", "commit", "-qm", "Generated"], project)
        pyproject = tomllib.loads((project / "pyproject.toml").read_text())
        requirements.update(pyproject["project"]["dependencies"])
        projects[framework] = project
    python = session_venv(root / "venv", torch_venv(tmp_path_factory))
    shared = {name.split("==")[0].lower(): name for name in requirements if not name.startswith("torch==")}
    installed = sh([python, "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"], root).stdout.lower()
    assert all(pin.lower() in installed.split() for pin in shared.values()), "the shared virtualenv lacks a pin"
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


def test_ranks_leave_together_while_rank_0_records_the_run(env, tmp_path):
    """The ranks destroy their process group only after rank 0 has finished its MLflow upload; past
    distributed.exit_timeout_s, or when rank 0 dies meanwhile, the job fails, and fast."""
    python, projects = env
    project = projects["pytorch"]
    (tmp_path / "slow_leader.py").write_text(SLOW_LEADER.format(package=project.name.replace("-", "_")))
    pythonpath = os.pathsep.join(p for p in [str(tmp_path), os.environ.get("PYTHONPATH", "")] if p)

    def job(name: str, *extra: str, **variables: str):
        notes = tmp_path / f"{name}.notes"
        store = f"sqlite:///{tmp_path / f'{name}.db'}"
        done, _ = train(python, project, store, 2, *extra,
                           module="slow_leader", check=False, timeout=300,
                           variables={"PYTHONPATH": pythonpath, "NOTES": str(notes), **variables})
        events = {}
        for line in notes.read_text().splitlines():
            rank, event, when = line.split()
            events[(int(rank), event)] = float(when)
        return done, events, time.time()

    # 5 s of upload: rank 1 waits for it, then both leave.
    done, events, _ = job("slow", UPLOAD_S="5")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    assert done.stdout.count("test_accuracy=") == 1
    assert events[(1, "destroys")] >= events[(0, "upload-done")], "rank 1 left while rank 0 was still uploading"
    assert events[(0, "upload-done")] - events[(0, "upload-starts")] >= 5
    assert (0, "destroys") in events

    # Past distributed.exit_timeout_s the waiting rank gives up and the job fails.
    done, events, _ = job("late", "--set", "distributed.exit_timeout_s=1", UPLOAD_S="8")
    assert done.returncode != 0
    assert "distributed.exit_timeout_s" in done.stdout + done.stderr

    # Rank 0 killed during the upload: rank 1 stops waiting at once (torchrun's SIGTERM) and the job fails.
    done, events, ended = job("dies", UPLOAD_S="0", LEADER_DIES="1")
    assert done.returncode != 0
    assert (0, "destroys") not in events
    assert ended - events[(0, "upload-starts")] < 20, "the job outlived its killed rank 0 by too long"
    assert "received signal 15" in done.stdout + done.stderr, done.stdout[-2000:] + done.stderr[-4000:]
    print(f"\nrank 0 killed in its upload: job ended {ended - events[(0, 'upload-starts')]:.1f} s later")

    # Bare ranks, as srun starts them: the store lives in rank 0, which lets go of it last.
    port, notes, workers = str(free_port()), tmp_path / "bare.notes", []
    for rank in (0, 1):
        environment = dict(os.environ, MLFLOW_TRACKING_URI=f"sqlite:///{tmp_path / 'bare.db'}", OMP_NUM_THREADS="1",
                           MASTER_ADDR="127.0.0.1", MASTER_PORT=port, WORLD_SIZE="2", RANK=str(rank),
                           LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE="2", PYTHONPATH=pythonpath, NOTES=str(notes),
                           UPLOAD_S="1")
        with (tmp_path / f"bare-{rank}.log").open("w") as log:
            workers.append(subprocess.Popen([str(python), "-m", "slow_leader", "--set", "train.epochs=2"],
                                            cwd=project, env=environment, stdout=log, stderr=subprocess.STDOUT))
    codes = [worker.wait(timeout=300) for worker in workers]
    assert codes == [0, 0], "\n".join((tmp_path / f"bare-{rank}.log").read_text()[-3000:] for rank in (0, 1))


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


# MARK: - Launchers: Slurm, Kubernetes

FAKE_SRUN = """#!/usr/bin/env bash
printf '%s\\n' "$@" > "$FAKE_SLURM_LOG"
env > "$FAKE_SLURM_LOG.env"
"""
FAKE_SCONTROL = """#!/usr/bin/env bash
[ "$1 $2" = "show hostnames" ] || exit 1
printf 'gpu-node-07\\ngpu-node-08\\n'
"""


def sbatch_directives(text: str) -> list[str]:
    return [line.split(None, 1)[1] for line in text.splitlines() if line.startswith("#SBATCH ")]


def fake_slurm_run(project: Path, tmp_path: Path, **variables: str) -> list[str]:
    fake = tmp_path / "fake-bin"
    fake.mkdir(exist_ok=True)
    for name, body in (("srun", FAKE_SRUN), ("scontrol", FAKE_SCONTROL)):
        (fake / name).write_text(body)
        (fake / name).chmod(0o755)
    log = tmp_path / "srun-argv.txt"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SLURM_")}
    environment.update(PATH=f"{fake}{os.pathsep}{os.environ['PATH']}", FAKE_SLURM_LOG=str(log), **variables)
    env_file = project / ".env"
    if "SLURM_MLFLOW_TRACKING_URI=http" not in (env_file.read_text() if env_file.exists() else ""):
        with env_file.open("a") as handle:
            handle.write("POSTGRES_PASSWORD=root-secret\nSLURM_MLFLOW_TRACKING_URI=http://mlflow.cluster.example:5000\n")
    done = subprocess.run(["bash", "infra/slurm/train.sbatch"], check=False, cwd=project, env=environment, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    exported = Path(str(log) + ".env").read_text()
    assert "MLFLOW_TRACKING_URI=http://mlflow.cluster.example:5000" in exported
    assert "root-secret" not in exported  # .env's root credentials never reach the job
    return log.read_text().splitlines()


def test_slurm_script_refuses_a_loopback_tracking_uri(generated, tmp_path: Path) -> None:
    project = generated("pytorch", "cpu", compute=["slurm"])
    (project / ".env").write_text("SLURM_MLFLOW_TRACKING_URI=\n")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "srun").write_text("#!/bin/sh\nexit 0\n")
    (fake / "srun").chmod(0o755)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_") and k != "MLFLOW_TRACKING_URI"}
    for uri in ("", "http://127.0.0.1:5000"):
        env = dict(environment, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}")
        if uri:
            env["MLFLOW_TRACKING_URI"] = uri
        done = subprocess.run(["bash", "infra/slurm/train.sbatch"], cwd=project, env=env, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 2 and "SLURM_MLFLOW_TRACKING_URI" in done.stderr, done.stderr


def test_slurm_script_runs_one_torchrun_per_node_with_a_c10d_rendezvous(tmp_path):
    project = tmp_path / "ddp-study"
    init(project, {"framework": "pytorch", "accelerator": "nvidia", "compute": ["local", "slurm"], "nodes": 2,
                   "gpus_per_node": 4, "slurm_account": "proj-42", "slurm_partition": "gpu",
                   "slurm_cpus_per_gpu": 6, "slurm_mem_per_gpu_gb": 40}, "--no-git")
    script = project / "infra" / "slurm" / "train.sbatch"
    done = subprocess.run([tool("shellcheck"), str(script)], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    directives = sbatch_directives(script.read_text())
    assert directives[:8] == ["--job-name=ddp-study", "--account=proj-42", "--partition=gpu", "--nodes=2",
                              "--ntasks-per-node=1", "--gpus-per-node=4", "--cpus-per-task=24", "--mem=160G"]
    argv = fake_slurm_run(project, tmp_path, SLURM_JOB_NUM_NODES="2", SLURM_JOB_NODELIST="gpu-node-[07-08]",
                          SLURM_JOB_ID="8812", SLURM_GPUS_PER_NODE="h100:4")
    assert argv == ["--ntasks-per-node=1", "--kill-on-bad-exit=1", "--cpus-per-task=24", "apptainer", "exec", "--nv", "--bind",
                    f"{project}:/work", "--pwd", "/work", "ddp-study.sif", "torchrun", "--nnodes=2",
                    "--nproc-per-node=4", "--max-restarts=0", "--rdzv-id=8812", "--rdzv-backend=c10d",
                    "--rdzv-endpoint=gpu-node-07:29500", "-m", "ddp_study.train", "--config", "configs/train.yaml",
                    "--checkpoint-dir", "outputs/checkpoints/slurm-8812"]
    definition = (project / "infra" / "slurm" / "train.def").read_text()
    assert "Bootstrap: docker" in definition
    assert ("pip install --no-deps --require-hashes --index-url https://pypi.org/simple -r requirements.lock"
            in definition)
    torch_install = re.search(r"pip install --no-deps --require-hashes --index-url (\S+) \\\n\s+-r requirements-torch.lock",
                              definition)
    assert torch_install and torch_install.group(1).startswith("https://download.pytorch.org/whl/")
    assert "EXTRA_INDEX" not in definition.upper().replace("-", "_") and "pip check" in definition
    base = re.search(r"^FROM (\S+)", (project / "Dockerfile").read_text(), re.MULTILINE).group(1)
    assert f"From: {base}" in definition, "the Apptainer image starts from the Dockerfile's base"


def test_slurm_script_single_process_and_omitted_account(tmp_path):
    project = tmp_path / "solo-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "compute": ["slurm"]}, "--no-git")
    text = (project / "infra" / "slurm" / "train.sbatch").read_text()
    directives = sbatch_directives(text)
    assert not any(d.startswith(("--account", "--partition", "--gpus")) for d in directives), directives
    assert "--nodes=1" in directives and "torchrun" not in text
    argv = fake_slurm_run(project, tmp_path, SLURM_JOB_NUM_NODES="1", SLURM_JOB_ID="7")
    assert argv[-7:] == ["python", "-m", "solo_study.train", "--config", "configs/train.yaml",
                         "--checkpoint-dir", "outputs/checkpoints/slurm-7"]


# Pod Security Standards, restricted profile (kubernetes.io/docs/concepts/security/pod-security-standards),
# plus the project's own rule: a read-only root filesystem.
ALLOWED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected",
                   "secret"}
SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes"}


def restricted_violations(pod: dict, writable_paths: tuple[str, ...] = ("/app/outputs", "/tmp")) -> list[str]:
    found = []
    pod_context = pod.get("securityContext") or {}
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(key):
            found.append(f"{key} is true")
    for volume in pod.get("volumes") or []:
        kinds = set(volume) - {"name"}
        if not kinds <= ALLOWED_VOLUMES:
            found.append(f"volume {volume['name']} is {sorted(kinds - ALLOWED_VOLUMES)}")
    for sysctl in pod_context.get("sysctls") or []:
        if sysctl["name"] not in SAFE_SYSCTLS:
            found.append(f"sysctl {sysctl['name']}")
    if pod_context.get("runAsUser") == 0:
        found.append("pod runAsUser 0")
    containers = [*(pod.get("initContainers") or []), *(pod.get("containers") or []),
                  *(pod.get("ephemeralContainers") or [])]
    if not containers:
        found.append("no containers")
    for container in containers:
        name, context = container["name"], container.get("securityContext") or {}
        if context.get("privileged"):
            found.append(f"{name}: privileged")
        if context.get("allowPrivilegeEscalation") is not False:
            found.append(f"{name}: allowPrivilegeEscalation must be false")
        capabilities = context.get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            found.append(f"{name}: capabilities.drop must contain ALL")
        if set(capabilities.get("add") or []) - {"NET_BIND_SERVICE"}:
            found.append(f"{name}: adds capabilities {capabilities['add']}")
        non_root = context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))
        if non_root is not True:
            found.append(f"{name}: runAsNonRoot must be true")
        if context.get("runAsUser") == 0:
            found.append(f"{name}: runAsUser 0")
        seccomp = (context.get("seccompProfile") or pod_context.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            found.append(f"{name}: seccompProfile must be RuntimeDefault or Localhost, is {seccomp}")
        if context.get("procMount", "Default") != "Default":
            found.append(f"{name}: procMount")
        selinux = context.get("seLinuxOptions") or pod_context.get("seLinuxOptions") or {}
        if selinux.get("type", "") not in ("", "container_t", "container_init_t", "container_kvm_t",
                                           "container_engine_t") or selinux.get("user") or selinux.get("role"):
            found.append(f"{name}: seLinuxOptions")
        for port in container.get("ports") or []:
            if port.get("hostPort"):
                found.append(f"{name}: hostPort {port['hostPort']}")
        if context.get("readOnlyRootFilesystem") is not True:
            found.append(f"{name}: readOnlyRootFilesystem must be true")
        mounts = {mount["mountPath"]: mount for mount in container.get("volumeMounts") or []}
        for writable in writable_paths:
            if writable not in mounts or mounts[writable].get("readOnly"):
                found.append(f"{name}: {writable} must be a writable volume")
    return found


def pod_specs(document: dict) -> list[dict]:
    if document["kind"] == "Job":
        return [document["spec"]["template"]["spec"]]
    if document["kind"] == "PyTorchJob":
        return [replica["template"]["spec"] for replica in document["spec"]["pytorchReplicaSpecs"].values()]
    if document["kind"] == "Deployment":
        return [document["spec"]["template"]["spec"]]
    return []


PYTORCHJOB_CHECK = textwrap.dedent("""
    # Strict check of a PyTorchJob against the kubeflow.org/v1 types of the Training Operator's
    # Python SDK (kubeflow-training): every field known and of its type, required fields present.
    # Embedded core types (V1ObjectMeta, V1PodTemplateSpec) are printed for kubernetes-validate.
    import json, re, sys, yaml
    import kubeflow.training.models as models

    core = []

    def check(value, kind, path):
        if (inner := re.fullmatch(r"list\\[(.+)\\]", kind)):
            assert isinstance(value, list), f"{path}: expected a list"
            for index, item in enumerate(value):
                check(item, inner.group(1), f"{path}[{index}]")
        elif (inner := re.fullmatch(r"dict\\(str, (.+)\\)", kind)):
            assert isinstance(value, dict), f"{path}: expected a mapping"
            for key, item in value.items():
                check(item, inner.group(1), f"{path}.{key}")
        elif kind in ("str", "int", "bool"):
            assert type(value).__name__ == kind, f"{path}: expected {kind}, got {value!r}"
        elif kind.startswith("V1"):
            core.append({"path": path, "kind": kind, "value": value})
        else:
            model = getattr(models, kind)
            assert isinstance(value, dict), f"{path}: expected a {kind} mapping"
            fields = {key: name for name, key in model.attribute_map.items()}
            unknown = sorted(set(value) - set(fields))
            assert not unknown, f"{path}: {kind} has no field {unknown}"
            for key, item in value.items():
                check(item, model.openapi_types[fields[key]], f"{path}.{key}")
            try:
                model(**{fields[key]: item for key, item in value.items()})
            except ValueError as error:
                raise AssertionError(f"{path}: {error}") from None

    document = yaml.safe_load(open(sys.argv[1]))
    assert document.get("apiVersion") == "kubeflow.org/v1" and document.get("kind") == "PyTorchJob"
    check(document, "KubeflowOrgV1PyTorchJob", "$")
    print(json.dumps(core))
""")


def validate_core(documents: list[dict], tmp_path: Path) -> None:
    """kubernetes-validate (offline JSON schemas of the Kubernetes API), strict: unknown fields fail."""
    for index, document in enumerate(documents):
        path = tmp_path / f"core-{index}.yaml"
        path.write_text(yaml.safe_dump(document))
        done = subprocess.run([tool("kubernetes-validate"), "--strict", "--quiet", str(path)], check=False,
                              capture_output=True, text=True)
        assert done.returncode == 0, f"{document.get('kind')}: {done.stdout}{done.stderr}"


@pytest.mark.parametrize("answers", [
    {"framework": "pytorch", "accelerator": "nvidia", "nodes": 2, "gpus_per_node": 4, "k8s_multinode": "indexed-job"},
    {"framework": "lightning", "accelerator": "amd", "nodes": 3, "gpus_per_node": 2, "k8s_multinode": "pytorchjob",
     "tracking": "mlflow-local", "k8s_outputs_pvc": "", "k8s_data_pvc": ""},
    {"framework": "pytorch", "accelerator": "cpu", "nodes": 1, "k8s_multinode": "pytorchjob"},
    {"framework": "sklearn", "accelerator": "cpu"},
], ids=["pytorch-indexed", "lightning-pytorchjob", "pytorch-cpu-pytorchjob", "sklearn"])
def test_kubernetes_manifests_pass_schema_and_restricted_policy(tmp_path, answers):
    project = tmp_path / "k8s-study"
    init(project, {"compute": ["local", "kubernetes"], **answers}, "--no-git")
    folder = project / "infra" / "k8s"
    manifests = sorted(p.name for p in folder.glob("*.yaml"))
    torch_family = answers["framework"] in ("pytorch", "lightning")
    server = answers.get("tracking", "mlflow-server") == "mlflow-server"
    assert manifests == sorted(["job.yaml"] + (["train-multinode.yaml"] if torch_family else [])
                               + (["mlflow.yaml"] if server else []))
    documents = [d for name in manifests for d in yaml.safe_load_all((folder / name).read_text()) if d]
    core = [d for d in documents if d["kind"] != "PyTorchJob"]
    for document in documents:
        if document["kind"] != "PyTorchJob":
            continue
        checked = subprocess.run([tool("python"), "-c", PYTORCHJOB_CHECK, str(folder / "train-multinode.yaml")],
                                 check=False, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        embedded = json.loads(checked.stdout)
        assert {e["kind"] for e in embedded} == {"V1ObjectMeta", "V1PodTemplateSpec"}
        for entry in embedded:
            if entry["kind"] == "V1PodTemplateSpec":
                core.append({"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "replica"},
                             "template": entry["value"]})
            else:
                core.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": entry["value"]})
        replicas = document["spec"]["pytorchReplicaSpecs"]
        assert replicas["Master"]["replicas"] == 1
        assert replicas.get("Worker", {"replicas": 0})["replicas"] == answers["nodes"] - 1
        per_node = answers.get("gpus_per_node", 1) if answers["accelerator"] != "cpu" else 1
        assert document["spec"]["nprocPerNode"] == str(per_node)
        for replica in replicas.values():
            container = replica["template"]["spec"]["containers"][0]
            assert container["name"] == "pytorch", "the operator configures the container named pytorch"
            assert container["command"] == ["torchrun"]
            # The operator picks the rendezvous port (its port named pytorchjob-port, 23456 by default):
            # a port of another name, or a --master-port, would only pretend to set it.
            assert all(port.get("name") == "pytorchjob-port" for port in container.get("ports", [])), container
            assert not any(arg.startswith(("--master-port", "--rdzv-endpoint")) for arg in container["args"])
    validate_core(core, tmp_path)

    if server:
        check_tracking_server(project, documents)
    for document in documents:
        if document["kind"] == "Deployment":
            assert restricted_violations(document["spec"]["template"]["spec"], ("/mlflow", "/tmp")) == []
    pods = [pod for document in documents if document["kind"] != "Deployment" for pod in pod_specs(document)]
    assert pods
    for pod in pods:
        assert restricted_violations(pod) == []
        images = {container["image"] for container in pod["containers"]}
        image_env = {e["value"] for c in pod["containers"] for e in c.get("env", []) if e["name"] == "CONTAINER_IMAGE"}
        assert images == image_env == {"registry.example.org/k8s-study:0.1.0"}, "one image, from k8s_image"
        claims = {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in pod["volumes"]}
        assert claims["outputs"] == (answers.get("k8s_outputs_pvc", "k8s-study-outputs") or None)
        assert claims.get("data") == (answers.get("k8s_data_pvc", "k8s-study-data") or None)
    indexed = [d for d in documents if d["kind"] == "Job" and d["spec"].get("completionMode") == "Indexed"]
    if indexed:
        job = indexed[0]
        service = next(d for d in documents if d["kind"] == "Service" and d["metadata"]["name"] != f"{project.name}-mlflow")
        spec = job["spec"]
        assert spec["completions"] == spec["parallelism"] == answers["nodes"] and spec["backoffLimit"] == 0
        pod = spec["template"]["spec"]
        assert pod["subdomain"] == service["metadata"]["name"] and service["spec"]["clusterIP"] == "None"
        assert service["spec"]["selector"].items() <= spec["template"]["metadata"]["labels"].items()
        args = pod["containers"][0]["args"]
        assert "--node-rank=$(JOB_COMPLETION_INDEX)" in args
        assert f"--master-addr={job['metadata']['name']}-0.{service['metadata']['name']}" in args
        assert f"--nnodes={answers['nodes']}" in args and f"--nproc-per-node={answers['gpus_per_node']}" in args


def check_tracking_server(project: Path, documents: list[dict]) -> None:
    """The Service the default K8S_MLFLOW_TRACKING_URI names exists, selects the MLflow Deployment's
    pods on the port the URI names, and the server stores runs and artifacts on a claim the manifest
    creates, as one replica (SQLite: one writer) that answers to the URI's host."""
    uri = next(line.split("=", 1)[1] for line in (project / ".env").read_text().splitlines()
               if line.startswith("K8S_MLFLOW_TRACKING_URI="))
    host, port = re.fullmatch(r"http://([^:/]+):(\d+)", uri).groups()
    by_kind: dict[str, list[dict]] = {}
    for document in documents:
        by_kind.setdefault(document["kind"], []).append(document)
    service = next(s for s in by_kind["Service"] if s["metadata"]["name"] == host)
    deployment = next(d for d in by_kind["Deployment"] if d["metadata"]["name"] == host)
    pod_template = deployment["spec"]["template"]
    assert service["spec"]["selector"].items() <= pod_template["metadata"]["labels"].items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_template["metadata"]["labels"].items()
    for other in by_kind["Service"]:
        if other is not service:
            assert not other["spec"]["selector"].items() <= pod_template["metadata"]["labels"].items(), other
    container = pod_template["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    [service_port] = [p for p in service["spec"]["ports"] if p["port"] == int(port)]
    assert ports[service_port["targetPort"]] == 5000
    assert deployment["spec"]["replicas"] == 1 and deployment["spec"]["strategy"]["type"] == "Recreate"
    args = dict(arg.split("=", 1) for arg in container["command"] if arg.startswith("--") and "=" in arg)
    assert container["command"][:2] == ["mlflow", "server"] and "--serve-artifacts" in container["command"]
    assert args["--port"] == "5000" and args["--workers"] == "1"
    assert {host, f"{host}:{port}"} <= set(args["--allowed-hosts"].split(","))
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in pod_template["spec"]["volumes"]
              if "persistentVolumeClaim" in v}
    mounted = {m["mountPath"]: claims[m["name"]] for m in container["volumeMounts"] if m["name"] in claims}
    assert args["--backend-store-uri"] == "sqlite:////mlflow/mlflow.db" and args["--artifacts-destination"] == "/mlflow/artifacts"
    assert set(mounted) == {"/mlflow"}
    assert mounted["/mlflow"] in {c["metadata"]["name"] for c in by_kind["PersistentVolumeClaim"]}
    assert container["image"] == yaml.safe_load((project / ".mlrepro" / "answers.yml").read_text())["k8s_image"]


@pytest.mark.parametrize("mutation,expected", [
    (lambda pod: pod["containers"][0]["securityContext"].pop("capabilities"), "capabilities.drop must contain ALL"),
    (lambda pod: pod["containers"][0]["securityContext"].update(allowPrivilegeEscalation=True), "allowPrivilegeEscalation"),
    (lambda pod: (pod["securityContext"].pop("seccompProfile"),
                  pod["containers"][0]["securityContext"].pop("seccompProfile")), "seccompProfile"),
    (lambda pod: pod["volumes"].append({"name": "host", "hostPath": {"path": "/"}}), "volume host"),
    (lambda pod: pod["containers"][0]["securityContext"].update(readOnlyRootFilesystem=False), "readOnlyRootFilesystem"),
    (lambda pod: pod.update(hostNetwork=True), "hostNetwork"),
])
def test_restricted_policy_check_catches_violations(tmp_path, mutation, expected):
    project = tmp_path / "k8s-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "compute": ["kubernetes"]}, "--no-git")
    pod = yaml.safe_load((project / "infra" / "k8s" / "job.yaml").read_text())["spec"]["template"]["spec"]
    mutation(pod)
    assert any(expected in violation for violation in restricted_violations(pod))
