"""Every framework's generated project: Python compiles and passes ruff; compose, CI and
CITATION.cff validate against their schemas; Dockerfiles pass hadolint; shell scripts pass
shellcheck; notebooks are nbformat 4; secrets and ports are handled as documented."""

from __future__ import annotations

import json
import re
import stat
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import FRAMEWORKS, init, tool

ALL_COMPUTE = {"compute": ["local", "chameleon", "slurm", "kubernetes"], "notebooks": True, "huggingface": True}
VARIANTS = [(framework, accelerator) for framework in FRAMEWORKS for accelerator in ("nvidia", "amd", "cpu")
            if not (accelerator == "amd" and framework in ("tensorflow", "jax"))]


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True)


def assert_ok(done: subprocess.CompletedProcess, what: str) -> None:
    assert done.returncode == 0, f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("framework,accelerator", VARIANTS)
def test_python_compiles_and_passes_ruff(generated, framework, accelerator):
    project = generated(framework, accelerator, **ALL_COMPUTE)
    sources = sorted(str(p.relative_to(project)) for p in project.rglob("*.py"))
    package = yaml.safe_load((project / ".mlrepro" / "answers.yml").read_text())["package_name"]
    assert f"src/{package}/train.py" in sources and "tests/test_smoke.py" in sources
    assert "infra/chameleon/provision.py" in sources
    assert_ok(run([tool("python"), "-m", "py_compile", *sources], project), "py_compile")
    assert_ok(run([tool("ruff"), "check", "--no-cache", "src", "tests", "infra"], project), "ruff")


@pytest.mark.parametrize("framework,accelerator", VARIANTS)
def test_schemas_hadolint_shellcheck(generated, framework, accelerator):
    ci = "gitlab" if accelerator == "amd" else "github"
    tracking = "mlflow-local" if framework == "jax" else "mlflow-server"
    project = generated(framework, accelerator, ci=ci, tracking=tracking, **ALL_COMPUTE)
    checks = [("vendor.compose-spec", "compose.yaml"), ("vendor.citation-file-format", "CITATION.cff")]
    checks.append(("vendor.gitlab-ci", ".gitlab-ci.yml") if ci == "gitlab" else
                  ("vendor.github-workflows", ".github/workflows/ci.yml"))
    for schema, path in checks:
        assert (project / path).is_file(), path
        assert_ok(run([tool("check-jsonschema"), "--builtin-schema", schema, path], project), f"{schema} on {path}")
    dockerfiles = ["Dockerfile"] + (["docker/mlflow/Dockerfile"] if tracking == "mlflow-server" else [])
    assert_ok(run([tool("hadolint"), "--failure-threshold", "error", *dockerfiles], project), "hadolint")
    scripts = ["infra/chameleon/bootstrap.sh", "infra/k8s/create-secret.sh", "infra/slurm/train.sbatch"]
    assert_ok(run([tool("shellcheck"), *scripts], project), "shellcheck")
    for path in ["compose.yaml", "configs/train.yaml", "data/manifest.yaml", "infra/k8s/job.yaml", "dvc.yaml"]:
        yaml.safe_load((project / path).read_text())
    notebook = run([tool("python"), "-c", "import nbformat, sys; "
                    "nbformat.validate(nbformat.read('notebooks/explore.ipynb', as_version=4))"], project)
    assert_ok(notebook, "nbformat")


@pytest.mark.parametrize("framework,accelerator", [("pytorch", "nvidia"), ("lightning", "amd"), ("sklearn", "cpu")])
def test_compose_binds_localhost_and_takes_credentials_from_env(generated, framework, accelerator):
    project = generated(framework, accelerator, tracking="mlflow-server", notebooks=True)
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "minio", "minio-init", "mlflow", "trainer", "jupyter"} <= set(services)
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond localhost"
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert condition["condition"] in ("service_healthy", "service_completed_successfully"), name
        for image in [service.get("image", "")]:
            assert not image.endswith(":latest"), f"{name} uses {image}"
    for name in ("postgres", "minio", "mlflow"):
        assert "healthcheck" in services[name], name
    env_text = (project / ".env").read_text()
    secrets = dict(line.split("=", 1) for line in env_text.splitlines() if "=" in line and not line.startswith("#"))
    compose_text = (project / "compose.yaml").read_text()
    for key in ("POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD", "JUPYTER_TOKEN"):
        assert len(secrets[key]) >= 32 and secrets[key] not in compose_text, key
    command = services["mlflow"]["command"]
    backend = services["mlflow"]["environment"]["MLFLOW_BACKEND_STORE_URI"]
    assert backend.startswith("postgresql+psycopg2://${POSTGRES_USER}:${POSTGRES_PASSWORD}@postgres:5432")
    assert "--backend-store-uri" not in command and "POSTGRES_PASSWORD" not in command
    assert "--artifacts-destination s3://${MLFLOW_BUCKET}" in command and "--serve-artifacts" in command
    assert set(compose["volumes"]) == {"postgres-data", "minio-data", "outputs"}
    trainer = services["trainer"]
    if accelerator == "nvidia":
        devices = trainer["deploy"]["resources"]["reservations"]["devices"]
        assert devices[0]["driver"] == "nvidia" and "gpu" in devices[0]["capabilities"]
    elif accelerator == "amd":
        assert trainer["devices"] == ["/dev/kfd", "/dev/dri"]
    else:
        assert "deploy" not in trainer and "devices" not in trainer


def test_secret_env_is_private_ignored_and_never_example_values(generated):
    project = generated("sklearn", "cpu", tracking="mlflow-server")
    env_file = project / ".env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert ".env" in (project / ".gitignore").read_text().splitlines()
    example = (project / ".env.example").read_text()
    actual = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line and line[0] != "#")
    expected_keys = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line and line[0] != "#"}
    assert set(actual) == expected_keys
    assert actual["POSTGRES_PASSWORD"] not in example and re.fullmatch(r"[0-9a-f]{48}", actual["POSTGRES_PASSWORD"])
    checksums = (project / ".mlrepro" / "checksums").read_text()
    assert not re.search(r"\s\.?/?\.env$", checksums, re.MULTILINE), "the secret .env must not be checksummed"


def test_two_projects_get_different_credentials(tmp_path):
    values = []
    for name in ("one", "two"):
        init(tmp_path / name, {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-server"}, "--no-git")
        values.append((tmp_path / name / ".env").read_text())
    assert values[0] != values[1]


@pytest.mark.parametrize("license_id,marker", [
    ("MIT", "Permission is hereby granted, free of charge"),
    ("Apache-2.0", "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION"),
    ("BSD-3-Clause", "Neither the name of the copyright holder"),
    ("GPL-3.0-only", "END OF TERMS AND CONDITIONS"),
])
def test_license_is_the_full_text_of_the_choice(tmp_path, license_id, marker):
    project = tmp_path / "study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "license": license_id,
                   "author_name": "Ada Lovelace"}, "--no-git")
    text = (project / "LICENSE").read_text()
    assert marker in text
    if license_id in ("MIT", "BSD-3-Clause"):
        assert "Ada Lovelace" in text
    assert f'license = "{license_id}"' in (project / "pyproject.toml").read_text()
    assert yaml.safe_load((project / "CITATION.cff").read_text())["license"] == license_id


@pytest.mark.parametrize("answers,key", [
    ({"project_slug": "Bad_Slug"}, "project_slug"),
    ({"project_slug": "a"}, "project_slug"),
    ({"project_slug": "x" * 41}, "project_slug"),
    ({"package_name": "my-pkg"}, "package_name"),
    ({"package_name": "../evil"}, "package_name"),
    ({"author_email": "not-an-email"}, "author_email"),
    ({"framework": "jax", "accelerator": "amd"}, "accelerator"),
])
def test_invalid_answers_are_refused_and_nothing_is_written(tmp_path, answers, key):
    dest = tmp_path / "study"
    done = init(dest, {"framework": "sklearn", "accelerator": "cpu", **answers}, "--no-git", check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert key in done.stderr
    assert not dest.exists()


def test_optional_parts_follow_the_answers(tmp_path):
    lean = tmp_path / "lean"
    init(lean, {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-local", "data_versioning": "none",
                "ci": "none", "compute": ["local"], "notebooks": False}, "--no-git")
    for absent in ("dvc.yaml", ".dvc", "infra", "notebooks", ".github", ".gitlab-ci.yml", "docker"):
        assert not (lean / absent).exists(), absent
    compose = yaml.safe_load((lean / "compose.yaml").read_text())
    assert set(compose["services"]) == {"trainer"}
    full = tmp_path / "full"
    init(full, {"framework": "pytorch", "accelerator": "nvidia", "cuda_version": "12.8", "data_versioning": "dvc",
                "dvc_remote": "minio", "ci": "gitlab", **ALL_COMPUTE}, "--no-git")
    stages = yaml.safe_load((full / "dvc.yaml").read_text())["stages"]
    assert list(stages) == ["prepare", "train", "evaluate"]
    assert "endpointurl = http://127.0.0.1:9000" in (full / ".dvc" / "config").read_text()
    assert "download.pytorch.org/whl/cu128" in (full / "Dockerfile").read_text()
    sbatch = (full / "infra" / "slurm" / "train.sbatch").read_text()
    assert "--gpus-per-node=1" in sbatch and "torchrun" in sbatch and "--nv" in sbatch
    job = yaml.safe_load((full / "infra" / "k8s" / "job.yaml").read_text())
    limits = job["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    assert limits["nvidia.com/gpu"] == 1
    notebook = json.loads((full / "notebooks" / "explore.ipynb").read_text())
    assert notebook["nbformat"] == 4


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_dependencies_are_exact_pins_and_docker_base_is_pinned(generated, framework):
    project = generated(framework, "cpu")
    import tomllib

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    dependencies = pyproject["project"]["dependencies"] + pyproject["project"]["optional-dependencies"]["dev"]
    for requirement in dependencies:
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+(\[[a-z0-9,\-]+\])?==[0-9][0-9A-Za-z.]*", requirement), requirement
    dev = " ".join(pyproject["project"]["optional-dependencies"]["dev"])
    assert "pytest==" in dev and "ruff==" in dev
    dockerfile = (project / "Dockerfile").read_text()
    base = re.search(r"^FROM (\S+)", dockerfile, re.MULTILINE).group(1)
    assert re.fullmatch(r"python:3\.\d+\.\d+-slim-bookworm", base), base
    assert "|| true" not in dockerfile and re.search(r"^USER researcher$", dockerfile, re.MULTILINE)
    assert "CUBLAS_WORKSPACE_CONFIG" in dockerfile and "PYTHONHASHSEED=0" in dockerfile
    assert dockerfile.index("COPY pyproject.toml") < dockerfile.index("COPY src")
