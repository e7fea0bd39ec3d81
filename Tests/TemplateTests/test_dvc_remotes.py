"""DVC's S3 endpoint comes from the answers per compute target, as the tracking URI does: `storage` is
MinIO on this machine's 127.0.0.1; with Slurm, the remote `slurm` (same bucket) uses the
slurm_dvc_endpoint answer (default: the host of slurm_tracking_uri on port 9000), never a loopback
address the nodes cannot reach unless given one; `make sync-data-* DVC_REMOTE=slurm` uses it."""

from __future__ import annotations

import configparser
import subprocess
from pathlib import Path

import pytest
from conftest import init

BASE = {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-server", "data_versioning": "dvc",
        "dvc_remote": "minio", "ci": "none", "compute": ["local", "slurm"]}


def remotes(project: Path) -> dict[str, dict[str, str]]:
    config = configparser.ConfigParser()
    config.read_string((project / ".dvc" / "config").read_text())
    return {section.split('"')[1]: dict(config[section]) for section in config.sections()
            if section.startswith("'remote ")}


@pytest.mark.parametrize("answers,endpoint", [
    ({"slurm_tracking_uri": "http://login1.cluster.example.edu:5000"}, "http://login1.cluster.example.edu:9000"),
    ({"slurm_tracking_uri": "https://mlflow.example.edu/team", "slurm_dvc_endpoint": "http://s3.example.edu:9100/"},
     "http://s3.example.edu:9100"),
    ({"slurm_tracking_uri": "sqlite:////shared/runs/mlruns.db"}, None),
    ({}, None),
], ids=["from-tracking-host", "explicit", "no-http-tracking", "unset"])
def test_slurm_nodes_get_their_own_dvc_endpoint(tmp_path, answers, endpoint):
    project = tmp_path / "dvc-study"
    init(project, {**BASE, **answers}, "--no-git")
    found = remotes(project)
    assert found["storage"]["endpointurl"] == "http://127.0.0.1:9000"
    if endpoint is None:
        assert set(found) == {"storage"}
        readme = (project / "README.md").read_text()
        assert "mlrepro update --data slurm_dvc_endpoint=http://<host>:9000" in readme
        return
    assert set(found) == {"storage", "slurm"}
    assert found["slurm"] == {"url": found["storage"]["url"], "endpointurl": endpoint}
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for target, verb in (("sync-data-down", "pull"), ("sync-data-up", "push")):
        dry = subprocess.run(["make", "-n", target, "DVC_REMOTE=slurm"], cwd=project, env=env,
                             capture_output=True, text=True)
        assert dry.returncode == 0, dry.stderr
        assert f"/dvc {verb} --remote slurm" in dry.stdout, dry.stdout
    default = subprocess.run(["make", "-n", "sync-data-down"], cwd=project, env=env, capture_output=True, text=True)
    assert "/dvc pull --remote storage" in default.stdout, default.stdout


def test_a_slurm_dvc_endpoint_that_is_no_url_is_refused(tmp_path):
    done = init(tmp_path / "dvc-study", {**BASE, "slurm_dvc_endpoint": "login1:9000"}, "--no-git", check=False)
    assert done.returncode == 2, done.stderr
    assert "slurm_dvc_endpoint must be an http(s)://host:port URL" in done.stderr
    assert not (tmp_path / "dvc-study").exists()


def test_no_slurm_remote_without_slurm_or_minio(tmp_path):
    for extra in ({"compute": ["local"]}, {"tracking": "mlflow-local", "dvc_remote": "local"}):
        project = tmp_path / "-".join(map(str, extra.values())).replace("[", "").replace("]", "").replace("'", "")
        init(project, {**BASE, **extra, "slurm_tracking_uri": "http://login1.example.edu:5000"}, "--no-git")
        assert "slurm" not in remotes(project)
