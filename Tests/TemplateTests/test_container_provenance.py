"""Runs in the project image record the commit the image was built from (it holds no .git), whether
that checkout was dirty, and the image's ID where the launcher knows it:

- a run with SOURCE_GIT_COMMIT / SOURCE_GIT_DIRTY / CONTAINER_IMAGE_ID in its environment (what the
  image's ENV and the launchers set) records them, even next to a different checkout;
- every way the image is built passes the checkout's commit and dirty flag: `make image`,
  `make train-container` (compose, which also passes the image ID to the run), `make sif` (Apptainer),
  and every compose service that builds the project image; the Dockerfile declares them;
- the Slurm job passes the .sif's sha256 as CONTAINER_IMAGE_ID.
docker, apptainer and srun are stubs that record their arguments and environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import VENV_CACHE, commit_all, dvc_study, init, project_venv

READ_TAGS = textwrap.dedent("""
    import json, sys
    from mlflow.tracking import MlflowClient
    client = MlflowClient(tracking_uri=sys.argv[1])
    experiment = client.get_experiment_by_name(sys.argv[2])
    runs = client.search_runs([experiment.experiment_id], order_by=["attributes.start_time ASC"])
    run = runs[0]
    environment = json.load(open(client.download_artifacts(run.info.run_id, "provenance/environment.json")))
    print(json.dumps({"tags": run.data.tags, "git": environment["git"], "names": [r.info.run_name for r in runs]}))
""")


def sh(argv: list, cwd: Path, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{' '.join(map(str, argv))} exited {done.returncode}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


def stub_bin(folder: Path, *names: str) -> Path:
    """Executables that append their name, SOURCE_GIT_* / CONTAINER_IMAGE_ID and arguments to $STUB_LOG."""
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_text(
            "#!/bin/sh\n"
            f'echo "{name} commit=${{SOURCE_GIT_COMMIT:-}} dirty=${{SOURCE_GIT_DIRTY:-}} '
            'image_id=${CONTAINER_IMAGE_ID:-} $*" >> "$STUB_LOG"\n'
            'case "$*" in *"image inspect"*) echo sha256:1111111111111111111111111111111111111111111111111111111111111111 ;;\n'
            '  *"--entrypoint tar"*) tar -cf - -T /dev/null ;; esac\n')  # an empty outputs volume
        (folder / name).chmod(0o755)
    return folder


@pytest.mark.skipif(os.environ.get("MLREPRO_SKIP_NETWORK") == "1", reason="MLREPRO_SKIP_NETWORK=1")
def test_a_run_in_the_image_records_the_image_commit_and_id(tmp_path):
    project = tmp_path / "dvc-study"
    deps = dvc_study(project)
    python = project_venv(project, deps)
    commit_all(project)
    image_commit = "0123456789abcdef0123456789abcdef01234567"
    store = f"sqlite:///{tmp_path / 'runs.db'}"
    env = dict(os.environ, MLFLOW_TRACKING_URI=store, SOURCE_GIT_COMMIT=image_commit, SOURCE_GIT_DIRTY="true",
               CONTAINER_IMAGE="dvc-study:latest-local", CONTAINER_IMAGE_ID="sha256:" + "ab" * 32)
    sh([python, "-m", "dvc_study.train", "--set", "train.epochs=1"], project, env)
    # Same seed, same config: a second run still gets its own name (MLflow's names come from `random`).
    sh([python, "-m", "dvc_study.train", "--set", "train.epochs=1"], project, env)
    read = json.loads(sh([python, "-c", READ_TAGS, store, "dvc-study"], project).stdout.strip().splitlines()[-1])
    tags = read["tags"]
    assert tags["mlflow.source.git.commit"] == image_commit, "the code ran from the image, not the checkout"
    assert tags["git.dirty"] == "true"
    assert tags["container.image"] == "dvc-study:latest-local"
    assert tags["container.image_id"] == "sha256:" + "ab" * 32
    assert read["git"] == {"commit": image_commit, "branch": None, "dirty": True}
    names = read["names"]
    assert len(names) == 2 and names[0] != names[1] and all(name.startswith("run-") for name in names), names


def test_every_image_build_passes_the_commit_and_dirty_flag(tmp_path):
    project = tmp_path / "box-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-local", "notebooks": True,
                   "data_versioning": "none", "ci": "none", "compute": ["local", "slurm"]})
    head = commit_all(project)
    stubs = stub_bin(tmp_path / "stubs", "docker", "apptainer", "srun")
    log = tmp_path / "stub.log"
    env = {"PATH": f"{stubs}:/usr/bin:/bin", "HOME": str(tmp_path), "STUB_LOG": str(log)}

    for target in ("image", "train-container", "sif"):
        sh(["make", target], project, env)
    lines = log.read_text().splitlines()
    builds = [line for line in lines if line.startswith(("docker ", "apptainer ")) and " build " in f"{line} "]
    assert len(builds) == 3, lines
    for line in builds:
        assert f"commit={head} dirty=false" in line, line
    plain = next(line for line in builds if line.startswith("docker") and "compose" not in line)
    assert f"--build-arg SOURCE_GIT_COMMIT={head} --build-arg SOURCE_GIT_DIRTY=false" in plain
    sif = next(line for line in builds if line.startswith("apptainer"))
    assert f"--build-arg SOURCE_GIT_COMMIT={head} --build-arg SOURCE_GIT_DIRTY=false" in sif
    run = next(line for line in lines if " compose run " in line)
    assert "-e CONTAINER_IMAGE_ID=sha256:1111" in run

    # A change not yet committed: the image says so.
    (project / "configs" / "train.yaml").write_text((project / "configs" / "train.yaml").read_text() + "# edited\n")
    log.unlink()
    sh(["make", "image"], project, env)
    assert f"commit={head} dirty=true" in log.read_text()

    # Every compose service that builds the project image passes both, and the Dockerfile declares them.
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    building = {name: service for name, service in compose["services"].items()
                if service.get("build", {}).get("context") == "."}
    assert set(building) == {"trainer", "jupyter"}
    for name, service in building.items():
        assert service["build"]["args"] == {"SOURCE_GIT_COMMIT": "${SOURCE_GIT_COMMIT:-unknown}",
                                            "SOURCE_GIT_DIRTY": "${SOURCE_GIT_DIRTY:-unknown}"}, name
    assert compose["services"]["trainer"]["environment"]["CONTAINER_IMAGE_ID"] == "${CONTAINER_IMAGE_ID:-none}"
    dockerfile = (project / "Dockerfile").read_text()
    for name in ("SOURCE_GIT_COMMIT", "SOURCE_GIT_DIRTY"):
        assert f"ARG {name}=unknown" in dockerfile and f"{name}=${{{name}}}" in dockerfile
    assert 'org.opencontainers.image.revision="${SOURCE_GIT_COMMIT}"' in dockerfile
    # No periodic check that imports the framework into a running training job.
    checks = [line for line in dockerfile.splitlines() if line.startswith("HEALTHCHECK")]
    assert checks == ["HEALTHCHECK NONE"], checks
    definition = (project / "infra" / "slurm" / "train.def").read_text()
    assert "%arguments\n    SOURCE_GIT_COMMIT=unknown\n    SOURCE_GIT_DIRTY=unknown\n" in definition
    assert "export SOURCE_GIT_COMMIT={{ SOURCE_GIT_COMMIT }} SOURCE_GIT_DIRTY={{ SOURCE_GIT_DIRTY }}" in definition


def test_slurm_job_passes_the_sif_hash(tmp_path):
    project = tmp_path / "slurm-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-local",
                   "data_versioning": "none", "ci": "none", "compute": ["local", "slurm"]})
    (project / "slurm-study.sif").write_bytes(b"not really an image")
    stubs = stub_bin(tmp_path / "stubs", "srun", "apptainer", "scontrol")
    log = tmp_path / "stub.log"
    env = {"PATH": f"{stubs}:/usr/bin:/bin", "HOME": str(tmp_path), "STUB_LOG": str(log)}
    sh(["bash", "infra/slurm/train.sbatch"], project, env)
    import hashlib
    digest = hashlib.sha256(b"not really an image").hexdigest()
    assert f"image_id=sha256:{digest} " in log.read_text(), log.read_text()
    # srun gets the job's CPUs per task (it no longer inherits sbatch's --cpus-per-task).
    sbatch = (project / "infra" / "slurm" / "train.sbatch").read_text()
    requested = next(line.split("=", 1)[1] for line in sbatch.splitlines() if line.startswith("#SBATCH --cpus-per-task="))
    srun = next(line for line in log.read_text().splitlines() if line.startswith("srun "))
    assert f" --cpus-per-task={requested} " in srun, srun
    log.unlink()
    sh(["bash", "infra/slurm/train.sbatch"], project, {**env, "SLURM_CPUS_PER_TASK": "5"})
    assert " --cpus-per-task=5 " in log.read_text()


@pytest.mark.skipif(os.environ.get("MLREPRO_SKIP_NETWORK") == "1", reason="MLREPRO_SKIP_NETWORK=1")
def test_an_unreachable_tracking_server_fails_in_seconds_with_what_to_do(tmp_path):
    import socket
    import time

    project = tmp_path / "dvc-study"
    python = dvc_study(project, "--no-git")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(project / "src"), MLFLOW_TRACKING_URI=f"http://127.0.0.1:{port}")
    # What a start costs on this machine (Python, sklearn, MLflow imports): a slow machine is not a slow failure.
    started = time.monotonic()
    subprocess.run([str(python), "-c", "import dvc_study.train"], cwd=project, env=env, check=True, timeout=300)
    start_s = time.monotonic() - started
    started = time.monotonic()
    done = subprocess.run([str(python), "-m", "dvc_study.train", "--set", "train.epochs=1"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    elapsed = time.monotonic() - started
    assert done.returncode == 2, done.stderr[-3000:]
    assert f"the MLflow tracking server http://127.0.0.1:{port} does not answer" in done.stderr
    assert "set MLFLOW_TRACKING_URI" in done.stderr and "Traceback" not in done.stderr
    # The check's own budget is 5 s; MLflow's retries alone would take minutes.
    assert elapsed < start_s + 45, f"took {elapsed:.0f} s after a start of {start_s:.0f} s"


def test_no_secret_on_a_service_command_line(tmp_path):
    """Every password and key from .env reaches a compose service through its environment, never its
    command (which `ps` shows every user); MLflow reads the database URI from MLFLOW_BACKEND_STORE_URI."""
    project = tmp_path / "stack-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-server", "notebooks": True,
                   "ci": "none"}, "--no-git")
    secrets = [line.split("=", 1)[0] for line in (project / ".env").read_text().splitlines()
               if any(word in line.split("=", 1)[0] for word in ("PASSWORD", "SECRET", "TOKEN"))]
    assert "POSTGRES_PASSWORD" in secrets
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    for name, service in compose["services"].items():
        command = service.get("command") or ""
        command = " ".join(command) if isinstance(command, list) else command
        for secret in secrets:
            assert f"${{{secret}" not in command and f"${secret}" not in command, f"{name}: {secret} on the command line"
    mlflow = compose["services"]["mlflow"]
    assert "${POSTGRES_PASSWORD}" in mlflow["environment"]["MLFLOW_BACKEND_STORE_URI"]
    assert "--backend-store-uri" not in mlflow["command"]
    if os.environ.get("MLREPRO_SKIP_NETWORK") != "1":
        python = next((VENV_CACHE.glob("dvc-sklearn-*/bin/python")), None)
        if python is not None:  # mlflow's own CLI: the variable the server reads
            script = "from mlflow.cli import server; print([p.envvar for p in server.params if p.name == 'backend_store_uri'][0])"
            done = subprocess.run([str(python), "-c", script],
                                  capture_output=True, text=True, timeout=300, check=False)
            assert done.stdout.strip().splitlines()[-1] == "MLFLOW_BACKEND_STORE_URI", done.stderr[-2000:]
