"""A run in compose can always write its outputs: the project image's user (uid 10001) writes only to
named volumes, whose target folders it owns in the image (a new volume copies them, owner included),
never to a bind mount of a host folder it may not own; `make fetch-outputs` streams the `outputs`
volume into ./outputs as the calling user, and `make train-container` does so even after a failed run.
docker is a stub that records its arguments and serves a folder as the volume.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import init, tool


def mounts(service: dict) -> list[tuple[str, str, bool]]:
    """(source, target, read_only) of every short-syntax volume of a compose service."""
    found = []
    for entry in service.get("volumes", []):
        parts = entry.split(":")
        found.append((parts[0], parts[1], len(parts) > 2 and "ro" in parts[2].split(",")))
    return found


def owned_in_image(dockerfile: str) -> list[str]:
    """Folders a RUN instruction of the Dockerfile hands to researcher (`chown -R researcher:researcher ...`)."""
    text = dockerfile.replace("\\\n", " ")
    owned = []
    for match in re.finditer(r"chown -R researcher:researcher ([^&\n]+)", text):
        owned += match.group(1).split()
    return owned


@pytest.mark.parametrize("answers", [
    {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-local", "notebooks": True, "huggingface": True},
    {"framework": "pytorch", "accelerator": "nvidia", "tracking": "mlflow-server"},
], ids=["sklearn-local-notebooks-hf", "pytorch-server"])
def test_the_image_user_writes_only_to_named_volumes_it_owns(tmp_path, answers):
    project = tmp_path / "vol-study"
    init(project, {"data_versioning": "none", "ci": "none", **answers}, "--no-git")
    done = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "compose.yaml"],
                          cwd=project, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    owned = owned_in_image((project / "Dockerfile").read_text())
    image_services = {name: service for name, service in compose["services"].items()
                      if service.get("build", {}).get("context") == "."}
    assert "trainer" in image_services
    for name, service in image_services.items():
        assert "user" not in service, name
        for source, target, read_only in mounts(service):
            if name == "jupyter" and target in ("/app/notebooks", "/app/reports"):
                continue  # edited by you in the browser: your files (README), not the run's outputs
            if read_only:
                continue
            assert not source.startswith((".", "/", "~")), f"{name}: {source}:{target} is a bind mount"
            assert source in compose["volumes"], f"{name}: volume {source} is not declared"
            assert any(target == folder or target.startswith(folder + "/") for folder in owned), \
                f"{name}: {target} is not owned by the image's user ({owned})"
    trainer_outputs = [m for m in mounts(image_services["trainer"]) if m[1] == "/app/outputs"]
    assert trainer_outputs == [("outputs", "/app/outputs", False)]


FAKE_DOCKER = """#!/bin/sh
echo "docker $*" >> "$STUB_LOG"
case "$*" in
  *"--entrypoint tar trainer -C /app/outputs -cf - ."*) exec tar -C "$FAKE_VOLUME" -cf - . ;;
  *"image inspect"*) echo sha256:1111111111111111111111111111111111111111111111111111111111111111 ;;
  *"compose run"*) exit "${FAKE_RUN_STATUS:-0}" ;;
esac
"""


@pytest.mark.parametrize("status", [0, 3])
def test_train_container_copies_the_outputs_volume_out_as_the_caller(tmp_path, status):
    project = tmp_path / "vol-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-local",
                   "data_versioning": "none", "ci": "none"}, "--no-git")
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "docker").write_text(FAKE_DOCKER)
    (stubs / "docker").chmod(0o755)
    volume = tmp_path / "volume"
    (volume / "checkpoints").mkdir(parents=True)
    (volume / "metrics.json").write_text('{"accuracy": 0.9}\n')
    (volume / "checkpoints" / "last").write_text("epoch-1\n")
    log = tmp_path / "stub.log"
    env = {"PATH": f"{stubs}:/usr/bin:/bin", "HOME": str(tmp_path), "STUB_LOG": str(log),
           "FAKE_VOLUME": str(volume), "FAKE_RUN_STATUS": str(status), "SOURCE_GIT_COMMIT": "unknown",
           "SOURCE_GIT_DIRTY": "unknown"}
    # A dry run shows the commands and runs none (no recursive make, which -n would execute).
    dry = subprocess.run(["make", "-n", "train-container"], cwd=project, env=env, capture_output=True, text=True)
    assert dry.returncode == 0 and "--entrypoint tar trainer" in dry.stdout and not log.exists(), dry.stderr
    done = subprocess.run(["make", "train-container"], cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == (0 if status == 0 else 2), done.stdout + done.stderr
    runs = [line for line in log.read_text().splitlines() if " compose run " in line]
    assert len(runs) == 2 and runs[1].endswith("--entrypoint tar trainer -C /app/outputs -cf - ."), runs
    assert "--no-deps -T" in runs[1], "no dependencies started, no TTY mangling the archive"
    metrics = project / "outputs" / "metrics.json"
    assert metrics.read_text() == '{"accuracy": 0.9}\n'
    assert (project / "outputs" / "checkpoints" / "last").read_text() == "epoch-1\n"
    assert metrics.stat().st_uid == os.getuid()
