"""`make reproduce RUN=<id>` in generated projects (sklearn and pytorch, CPU): a recorded run is
retrained from its own commit, verified data and recorded config, and every metric is compared.

The projects train in the session's shared virtualenv (cpu_projects.py); `--python` points the
reproduction at it instead of a virtualenv built from the commit's lock.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from cpu_projects import environment, generate, git, last_run_id, package, runs, sh, train, venv

FAKE_NVIDIA_SMI = """#!/bin/sh
# An H100 machine as nvidia-smi reports it.
case "$1" in
  --query-gpu=*) echo "0, NVIDIA H100 80GB HBM3, GPU-1111, 00000000:18:00.0, 81559, 9.0, Disabled, Enabled, Enabled, 570.86.15" ;;
  -L) echo "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1111)" ;;
  *) echo "| NVIDIA-SMI 570.86.15    Driver Version: 570.86.15    CUDA Version: 12.8 |" ;;
esac
"""


def reproduce(python: Path, project: Path, run_id: str, *extra: str, env: dict | None = None):
    return sh([python, "-m", f"{package(project)}.reproduce", run_id, "--python", python, *extra], project,
              env=env or environment(project), check=False)


def reproducing_run(python: Path, project: Path, original: str) -> dict:
    found = [run for run in runs(python, project) if run["tags"].get("reproduces.run_id") == original]
    assert len(found) == 1, f"{len(found)} runs tagged reproduces.run_id={original}"
    return found[0]


def comparison(project: Path, original: str) -> dict:
    return json.loads((project / "outputs" / "reproduce" / original / "comparison.json").read_text())


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("reproduce")


def test_sklearn_run_reproduces_exactly_and_records_the_table(root, tmp_path_factory):
    project = generate(root, "repro-sk", "sklearn")
    python = venv(tmp_path_factory, [project])
    train(python, project, "--set", "train.epochs=3")
    original = last_run_id(project)
    done = reproduce(python, project, original)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "| metric | original | reproduced | difference | tolerance | within |" in done.stdout
    assert "exact (deterministic run, same kind of machine)" in done.stdout
    assert "| test_accuracy |" in done.stdout and "train_seconds" not in done.stdout.split("| metric |")[1]
    again = reproducing_run(python, project, original)
    assert {"reproduce/comparison.md", "reproduce/comparison.json"} <= set(again["artifacts"])
    summary = comparison(project, original)
    assert summary["reproduced"] and summary["exact"] and summary["reproducing_run_id"] == again["run_id"]
    assert summary["commit"] == git(project, "rev-parse", "HEAD")
    assert {row["metric"] for row in summary["metrics"]} >= {"test_accuracy", "test_loss", "val_loss", "train_loss"}
    assert all(row["difference"] == 0 for row in summary["metrics"])
    # The worktree is gone again; the project's own checkout was never touched.
    assert len(git(project, "worktree", "list").splitlines()) == 1
    assert git(project, "status", "--porcelain") == ""


def test_pytorch_run_reproduces_from_its_commit_after_the_model_changed(root, tmp_path_factory):
    project = generate(root, "repro-torch", "pytorch")
    python = venv(tmp_path_factory, [project])
    train(python, project, "--set", "train.epochs=2")
    original, commit = last_run_id(project), git(project, "rev-parse", "HEAD")
    model = project / "src" / package(project) / "model.py"
    model.write_text(model.read_text().replace("nn.ReLU()", "nn.Tanh()", 1))
    git(project, "commit", "-qam", "Try tanh")
    done = reproduce(python, project, original)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = comparison(project, original)
    assert summary["commit"] == commit != git(project, "rev-parse", "HEAD")
    assert summary["exact"] and summary["reproduced"]
    # The new commit's model really is different: a run of it does not reproduce the old numbers.
    train(python, project, "--set", "train.epochs=2")
    changed = next(run for run in runs(python, project) if run["run_id"] == last_run_id(project))
    old = next(run for run in runs(python, project) if run["run_id"] == original)
    assert changed["metrics"]["test_loss"] != old["metrics"]["test_loss"]


def test_tampered_data_file_is_refused_before_training(root, tmp_path_factory):
    project = generate(root, "repro-data", "sklearn")
    python = venv(tmp_path_factory, [project])
    rows = ["a,b,label"] + [f"{i % 7},{(i * 3) % 5},{i % 2}" for i in range(200)]
    points = project / "data" / "raw" / "points.csv"
    points.parent.mkdir(parents=True, exist_ok=True)
    points.write_text("\n".join(rows) + "\n")
    digest = sh(["sha256sum", points], project).stdout.split()[0]
    manifest = project / "data" / "manifest.yaml"
    manifest.write_text(manifest.read_text() + f"""
  - name: points
    kind: files
    files:
      - path: data/raw/points.csv
        sha256: {digest}
        size: {points.stat().st_size}
""")
    config = project / "configs" / "train.yaml"
    config.write_text(config.read_text().replace("dataset: synthetic", "dataset: points"))
    git(project, "commit", "-qam", "Dataset points")
    train(python, project, "--set", "train.epochs=1")
    original = last_run_id(project)
    points.write_text(points.read_text().replace("0,0,0", "0,0,1", 1))
    done = reproduce(python, project, original)
    assert done.returncode == 2, done.stdout[-3000:] + done.stderr[-3000:]
    assert "data/raw/points.csv" in done.stderr and "sha256" in done.stderr
    assert "+ " not in done.stdout, "no training may start"
    assert len(runs(python, project)) == 1


def test_other_hardware_is_reported_and_compared_within_tolerance(root, tmp_path_factory):
    project = generate(root, "repro-hw", "sklearn")
    python = venv(tmp_path_factory, [project])
    fake = root / "fake-gpu-bin"
    fake.mkdir(exist_ok=True)
    (fake / "nvidia-smi").write_text(FAKE_NVIDIA_SMI)
    (fake / "nvidia-smi").chmod(0o755 | stat.S_IXUSR)
    gpu_env = environment(project)
    gpu_env["PATH"] = f"{fake}:{gpu_env['PATH']}"
    train(python, project, "--set", "train.epochs=2", env=gpu_env)
    original = last_run_id(project)
    done = reproduce(python, project, original)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "machine differences (run's -> this machine's):" in done.stdout
    assert "GPUs: NVIDIA H100 80GB HBM3 -> none" in done.stdout
    assert "NVIDIA driver: 570.86.15 -> None" in done.stdout and "CUDA (driver): 12.8 -> None" in done.stdout
    summary = comparison(project, original)
    assert not summary["exact"] and summary["reproduced"]
    assert {d["field"] for d in summary["machine_differences"]} == {"GPUs", "NVIDIA driver", "CUDA (driver)"}
    assert all(row["tolerance"].startswith("abs ") for row in summary["metrics"])
    accuracy = next(row for row in summary["metrics"] if row["metric"] == "test_accuracy")
    assert accuracy["tolerance"] == "abs 0.01 + rel 0", "per-metric tolerance from configs/train.yaml"


def test_dirty_run_needs_allow_dirty_and_replays_its_diff(root, tmp_path_factory):
    project = generate(root, "repro-dirty", "sklearn")
    python = venv(tmp_path_factory, [project])
    model = project / "src" / package(project) / "model.py"
    clean = model.read_text()
    model.write_text(clean.replace('alpha=float(model_config["alpha"])', 'alpha=50 * float(model_config["alpha"])', 1))
    train(python, project, "--set", "train.epochs=2")
    original = last_run_id(project)
    model.write_text(clean)
    refused = reproduce(python, project, original)
    assert refused.returncode == 2 and "ALLOW_DIRTY=1" in refused.stderr
    done = reproduce(python, project, original, env=environment(project, ALLOW_DIRTY="1"))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = comparison(project, original)
    assert summary["dirty"] and summary["exact"] and summary["reproduced"]
    artifacts = next(run for run in runs(python, project) if run["run_id"] == original)["artifacts"]
    assert "provenance/git-diff.patch" in artifacts


FAKE_DOCKER = """#!{python}
# `docker run` as the reproduction calls it: records its arguments, then runs the command as the image
# would (the commit's code, as an image built from it has; only the variables passed with -e).
import json, os, subprocess, sys

argv = sys.argv[1:]
with open(os.environ["FAKE_DOCKER_LOG"], "a") as log:
    log.write(json.dumps(argv) + "\\n")
assert argv[0] == "run", argv
env = {{"PATH": os.environ["PATH"]}}
workdir, i = "/", 1
while argv[i].startswith("-"):
    option = argv[i]
    if option == "--rm":
        i += 1
        continue
    value = argv[i + 1]
    if option == "-w":
        workdir = value
    elif option == "-v":
        outside, inside = value.split(":")
        assert outside == inside, value
    elif option == "-e":
        name, _, given = value.partition("=")
        if given or "=" in value:
            env[name] = given
        elif name in os.environ:
            env[name] = os.environ[name]
    i += 2
image, command = argv[i], argv[i + 1:]
assert command[0] == "python", command
env["PYTHONPATH"] = os.path.join(workdir, "src")
sys.exit(subprocess.run([os.environ["FAKE_DOCKER_PYTHON"], *command[1:]], cwd=workdir, env=env).returncode)
"""


def test_reproduce_in_the_recorded_image_runs_docker_by_digest(root, tmp_path_factory):
    project = generate(root, "repro-img", "sklearn")
    python = venv(tmp_path_factory, [project])
    digest = "sha256:" + "ab" * 32
    train(python, project, "--set", "train.epochs=2",
          env=environment(project, CONTAINER_IMAGE="repro-img:latest-local", CONTAINER_IMAGE_ID=digest))
    original = last_run_id(project)
    train(python, project, "--set", "train.epochs=2")
    outside_image = last_run_id(project)

    tools = root / "fake-docker-bin"
    tools.mkdir()
    docker = tools / "docker"
    docker.write_text(FAKE_DOCKER.format(python=python))
    docker.chmod(docker.stat().st_mode | stat.S_IEXEC)
    log = root / "docker-calls.jsonl"
    env = environment(project, PATH=f"{tools}:{environment(project)['PATH']}", FAKE_DOCKER_LOG=str(log),
                      FAKE_DOCKER_PYTHON=str(python), REPRODUCE_IN="image")
    module = [python, "-m", f"{package(project)}.reproduce"]

    done = sh([*module, original], project, env=env, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"environment: the run's container image {digest}" in done.stdout
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(calls) == 2, calls  # the machine probe, then training
    source = str((project / "outputs" / "reproduce" / original / "source").resolve())
    for call in calls:
        image_at = call.index(digest)
        assert call[:8] == ["run", "--rm", "--network", "host", "--user", f"{os.getuid()}:{os.getgid()}",
                            "-v", f"{project.resolve()}:{project.resolve()}"]
        assert call.index("-w") < image_at and call[call.index("-w") + 1] == source
        assert call[image_at + 1] == "python"
        passed = [call[i + 1] for i, arg in enumerate(call[:image_at]) if arg == "-e"]
        assert "MLFLOW_TRACKING_URI" in passed and "CONTAINER_IMAGE_ID" in passed
        assert not any(value.startswith(("MLFLOW_", "AWS_", "CONTAINER_")) and "=" in value for value in passed), \
            "values of the environment must not be on docker's command line"
    assert calls[1][calls[1].index(digest) + 1:][:3] == ["python", "-m", f"{package(project)}.train"]
    summary = comparison(project, original)
    assert summary["image"] == digest and summary["exact"] and summary["reproduced"]
    again = reproducing_run(python, project, original)
    assert again["tags"]["container.image_id"] == digest and again["tags"]["container.image"] == digest

    # A run trained outside an image has no digest to run: refused before anything starts.
    log.unlink()
    refused = sh([*module, outside_image], project, env=env, check=False)
    assert refused.returncode == 2
    assert f"run {outside_image} recorded no container image digest" in refused.stderr
    assert "container.image_id=none" in refused.stderr and not log.exists()
    bad = sh([*module, original], project, env=dict(env, REPRODUCE_IN="podman"), check=False)
    assert bad.returncode == 2 and "REPRODUCE_IN must be venv or image, not 'podman'" in bad.stderr
