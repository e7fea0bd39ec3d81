"""Generated projects beyond the laptop: remote compute gets a tracking URI it can reach and no
root credentials, CPU projects take torch from one CPU index variable, shipped lock files install
with hashes, base images get digests, Chameleon results survive teardown, and the citation, data
layout and CI pins are what users of neighbouring templates expect."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import BIN, TEMPLATE, init, tool

ALL_COMPUTE = ["local", "chameleon", "slurm", "kubernetes"]
ROOT_KEYS = ("POSTGRES_PASSWORD", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD",
             "ARTIFACTS_ACCESS_KEY", "ARTIFACTS_SECRET_KEY")
SHA = re.compile(r"sha256:[0-9a-f]{64}")


def read_env(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and line[0] != "#")


def fake_tool(folder: Path, name: str, script: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/usr/bin/env bash\nset -euo pipefail\n" + textwrap.dedent(script))
    path.chmod(0o755)


# MARK: - tracking URIs and the trainer's Secret


def test_trainer_secret_holds_only_the_tracking_uri_and_never_root_credentials(tmp_path):
    project = tmp_path / "secret-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-server",
                   "compute": ALL_COMPUTE, "huggingface": True}, "--no-git")
    env = read_env(project / ".env")
    assert env["K8S_MLFLOW_TRACKING_URI"] == "http://secret-study-mlflow:5000"
    with (project / ".env").open("a") as handle:
        handle.write("HF_TOKEN=hf_example_token\n")
    bin_dir, captured = tmp_path / "bin", tmp_path / "captured"
    # kubectl stand-in: `create ... --from-env-file=F` prints F's contents, `apply -f -` keeps stdin.
    fake_tool(bin_dir, "kubectl", f"""
        if [ "$1" = create ]; then
          for arg in "$@"; do case "$arg" in --from-env-file=*) cat "${{arg#--from-env-file=}}";
            ls -l "${{arg#--from-env-file=}}" > {captured}.mode;; esac; done
        else cat > {captured}; fi
        """)
    run_env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    done = subprocess.run(["bash", "infra/k8s/create-secret.sh"], cwd=project, env=run_env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    secret = dict(line.split("=", 1) for line in captured.read_text().splitlines())
    assert secret == {"MLFLOW_TRACKING_URI": "http://secret-study-mlflow:5000", "HF_TOKEN": "hf_example_token"}
    assert captured.with_suffix(".mode").read_text().startswith("-rw-------")
    for key in ROOT_KEYS:
        assert env[key] not in captured.read_text(), f"{key} reached the trainer's Secret"

    # A loopback URI points at the pod itself: refused, nothing applied.
    captured.unlink()
    loopback = dict(run_env, K8S_MLFLOW_TRACKING_URI="http://127.0.0.1:5000")
    done = subprocess.run(["bash", "infra/k8s/create-secret.sh"], cwd=project, env=loopback,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "loopback" in done.stderr and not captured.exists()


def test_remote_tracking_uris_are_answers_and_loopback_is_refused(tmp_path):
    project = tmp_path / "uri-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "compute": ALL_COMPUTE,
                   "slurm_tracking_uri": "http://login1.cluster.example.edu:5000",
                   "k8s_tracking_uri": "http://mlflow.tracking.svc:5000"}, "--no-git")
    env, example = read_env(project / ".env"), read_env(project / ".env.example")
    assert env["SLURM_MLFLOW_TRACKING_URI"] == example["SLURM_MLFLOW_TRACKING_URI"] == \
        "http://login1.cluster.example.edu:5000"
    assert env["K8S_MLFLOW_TRACKING_URI"] == "http://mlflow.tracking.svc:5000"
    assert env["MLFLOW_TRACKING_URI"] == "http://127.0.0.1:5000"
    readme = (project / "README.md").read_text()
    for heading in ("### Local", "### Slurm", "### Kubernetes", "### Chameleon"):
        assert heading in readme, heading
    refused = init(tmp_path / "bad-study", {"framework": "sklearn", "accelerator": "cpu", "compute": ["kubernetes"],
                                            "k8s_tracking_uri": "http://localhost:5000"}, "--no-git", check=False)
    assert refused.returncode == 2 and "k8s_tracking_uri" in refused.stderr


def test_mlflow_server_allows_exactly_the_names_the_project_uses(generated):
    project = generated("sklearn", "cpu", tracking="mlflow-server", notebooks=True, huggingface=True)
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    command = compose["services"]["mlflow"]["command"].split()
    hosts = command[command.index("--allowed-hosts") + 1].split(",")
    assert {"mlflow:5000", "localhost:${MLFLOW_PORT:-5000}", "127.0.0.1:${MLFLOW_PORT:-5000}"} <= set(hosts)
    assert "*" not in hosts
    origins = command[command.index("--cors-allowed-origins") + 1].split(",")
    assert origins == ["http://localhost:${MLFLOW_PORT:-5000}", "http://127.0.0.1:${MLFLOW_PORT:-5000}"]
    services = compose["services"]
    assert services["trainer"]["environment"]["MLFLOW_TRACKING_URI"] == "http://mlflow:5000"
    assert not any(key.startswith(("AWS_", "MINIO_", "POSTGRES_")) for key in services["trainer"]["environment"])
    mlflow_env = services["mlflow"]["environment"]
    assert mlflow_env["AWS_ACCESS_KEY_ID"] == "${ARTIFACTS_ACCESS_KEY:?set in .env}"
    jupyter = services["jupyter"]
    assert jupyter["ports"] == ["127.0.0.1:${JUPYTER_PORT:-8888}:8888"]
    assert jupyter["environment"]["JUPYTER_TOKEN"] == "${JUPYTER_TOKEN:?set in .env}"
    assert "hf-cache:/home/researcher/.cache/huggingface" in jupyter["volumes"]
    assert "hf-cache:/home/researcher/.cache/huggingface" in services["trainer"]["volumes"]
    assert "hf-cache" in compose["volumes"]


# MARK: - one torch index, locks with hashes, pinned base images


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_cpu_project_installs_torch_from_one_cpu_index_variable(tmp_path, ci):
    project = tmp_path / "torch-study"
    init(project, {"framework": "pytorch", "accelerator": "cpu", "ci": ci}, "--no-git")
    cpu_index = "https://download.pytorch.org/whl/cpu"
    makefile = (project / "Makefile").read_text()
    dockerfile = (project / "Dockerfile").read_text()
    ci_path = project / (".github/workflows/ci.yml" if ci == "github" else ".gitlab-ci.yml")
    ci_text = ci_path.read_text()
    assert re.search(rf"^TORCH_INDEX_URL \?= {re.escape(cpu_index)}$", makefile, re.MULTILINE)
    assert re.search(rf"^ARG TORCH_INDEX_URL={re.escape(cpu_index)}$", dockerfile, re.MULTILINE)
    ci_yaml = yaml.safe_load(ci_text)
    ci_vars = ci_yaml["env"] if ci == "github" else ci_yaml["variables"]
    assert ci_vars["TORCH_INDEX_URL"] == cpu_index
    assert 'TORCH_INDEX_URL="$TORCH_INDEX_URL"' in ci_text and "make setup" in ci_text
    for text in (makefile, dockerfile, ci_text):
        assert "PIP_EXTRA_INDEX_URL" not in text
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    torch_pin = next(d for d in pyproject["project"]["dependencies"] if d.startswith("torch=="))
    assert f"TORCH_REQUIREMENT := {torch_pin}" in makefile and f"'{torch_pin}'" in dockerfile
    # Overriding the one variable moves every torch install (the CPU index is not reachable from tests).
    override = "http://127.0.0.1:9/simple"
    dry = subprocess.run(["make", "-n", "setup", f"TORCH_INDEX_URL={override}"], cwd=project,
                         capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    installs = [line for line in dry.stdout.splitlines() if "pip install" in line and "torch" in line]
    assert installs and all(f"--index-url {override}" in line for line in installs), installs
    assert cpu_index not in dry.stdout
    assert "--index-url https://pypi.org/simple -e" in dry.stdout
    image = subprocess.run(["make", "-n", "image", f"TORCH_INDEX_URL={override}"], cwd=project,
                           capture_output=True, text=True)
    assert f"--build-arg TORCH_INDEX_URL={override}" in image.stdout


def test_nvidia_project_takes_torch_from_its_cuda_index(tmp_path):
    project = tmp_path / "cuda-study"
    init(project, {"framework": "lightning", "accelerator": "nvidia", "cuda_version": "12.8"}, "--no-git")
    assert "TORCH_INDEX_URL ?= https://download.pytorch.org/whl/cu128" in (project / "Makefile").read_text()
    assert "ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128" in (project / "Dockerfile").read_text()


def requirement_pins(lock_text: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+)", lock_text, re.MULTILINE)}


LOCKED = [("sklearn", "nvidia", None), ("tensorflow", "cpu", None), ("tensorflow", "nvidia", "12.5"),
          ("jax", "cpu", None), ("jax", "nvidia", "12.9"), ("jax", "nvidia", "13.0")]


@pytest.mark.parametrize("python_version", ["3.10", "3.11", "3.12"])
@pytest.mark.parametrize("tracking,huggingface", [("mlflow-server", False), ("mlflow-local", True)])
@pytest.mark.parametrize("framework,accelerator,cuda", LOCKED)
def test_shipped_locks_pin_the_pyproject_with_hashes(tmp_path, python_version, tracking, huggingface, framework,
                                                     accelerator, cuda):
    if framework == "jax" and cuda == "13.0" and python_version == "3.10":
        pytest.skip("not offered: jax 0.6.2, the last for Python 3.10, has no cuda13 extra (the template refuses it)")
    project = tmp_path / "lock-study"
    answers = {"framework": framework, "accelerator": accelerator, "python_version": python_version,
               "tracking": tracking, "huggingface": huggingface}
    if cuda:
        answers["cuda_version"] = cuda
    init(project, answers, "--no-git")
    lock = (project / "requirements.lock").read_text()
    pins = requirement_pins(lock)
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    # The dev tools are locked too (make setup installs exactly the lock), and every tool an extra can name.
    for requirement in [*metadata["dependencies"], *metadata["optional-dependencies"]["dev"]]:
        name, version = requirement.split("==")
        assert pins.get(re.sub(r"\[.*\]", "", name).lower()) == version, f"{requirement} is not what requirements.lock pins"
    assert {"pytest", "ruff", "pip-tools", "dvc", "dvc-s3", "jupyterlab", "ipykernel"} <= set(pins)
    assert ("boto3" in pins) == ("psycopg2-binary" in pins) == (tracking == "mlflow-server")
    assert ("huggingface-hub" in pins) == huggingface
    # The CUDA build's own packages come with it, for the CUDA major version asked for.
    cuda_packages = [name for name in pins if name.startswith("nvidia-")]
    assert bool(cuda_packages) == (framework != "sklearn" and accelerator == "nvidia")
    if framework == "jax" and cuda:
        assert f"jax-cuda{cuda.split('.')[0]}-plugin" in pins
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 3)[3])
    assert len(blocks) == len(re.findall(r"^[A-Za-z0-9][^ ]*==", lock, re.MULTILINE)) > 50
    assert all("--hash=sha256:" in block for block in blocks)


def test_jax_on_python_3_10_offers_no_cuda_13(tmp_path):
    done = subprocess.run([str(BIN), "init", str(tmp_path / "jax-study"), "--defaults", "--no-git", "--no-probe",
                           "--data", "framework=jax", "--data", "accelerator=nvidia", "--data", "python_version=3.10",
                           "--data", "cuda_version=13.0"], capture_output=True, text=True)
    assert done.returncode == 2 and "'13.0' is not one of the choices: 12.9" in done.stderr
    assert not (tmp_path / "jax-study").exists()


def test_torch_projects_ship_no_lock_and_say_why(generated):
    project = generated("pytorch", "cpu")
    assert not (project / "requirements.lock").exists()
    readme = (project / "README.md").read_text()
    assert "make lock" in readme and "PyTorch" in readme


def test_mlflow_image_installs_with_hashes(generated):
    project = generated("sklearn", "cpu", tracking="mlflow-server")
    folder = project / "docker" / "mlflow"
    dockerfile = (folder / "Dockerfile").read_text()
    assert "--require-hashes" in dockerfile and "-r /tmp/requirements.lock" in dockerfile
    pins = requirement_pins((folder / "requirements.lock").read_text())
    for line in (folder / "requirements.in").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            assert pins[name.lower()] == version
    compose = (project / "compose.yaml").read_text()
    assert "mlflow==" not in compose


# Packages of the shipped locks that PyPI publishes without a wheel (built from their hashed archive).
SOURCE_ONLY_PACKAGES = {"antlr4-python3-runtime"}


@pytest.mark.skipif(os.environ.get("MLREPRO_SKIP_NETWORK") == "1", reason="MLREPRO_SKIP_NETWORK=1")
def test_lock_installs_offline_with_require_hashes_from_a_wheel_cache(tmp_path):
    """Download the lock's files once (PyPI; MLREPRO_WHEEL_CACHE keeps them between runs), then
    install with --no-index --require-hashes, and see a tampered hash refused. Every package comes as a
    wheel except the few PyPI publishes only as a source archive (antlr4-python3-runtime 4.9.3, which DVC's
    hydra-core needs): that one is built offline from its hashed archive with the lock's own setuptools."""
    project = tmp_path / "offline-study"
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    if version not in ("3.10", "3.11", "3.12"):
        pytest.skip(f"no shipped lock for Python {version}")
    init(project, {"framework": "sklearn", "accelerator": "cpu", "python_version": version,
                   "tracking": "mlflow-local"}, "--no-git")
    lock = project / "requirements.lock"
    cache = Path(os.environ.get("MLREPRO_WHEEL_CACHE") or tmp_path / "wheels")
    download = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                               "--require-hashes", "--prefer-binary", "--index-url", "https://pypi.org/simple",
                               "-d", str(cache), "-r", str(lock)], capture_output=True, text=True, timeout=1800)
    assert download.returncode == 0, download.stderr[-3000:]
    pins = requirement_pins(lock.read_text())
    archives = {re.sub(r"[-_.]+", "-", path.name.rsplit("-", 1)[0]).lower() for path in cache.iterdir()
                if path.name.endswith((".tar.gz", ".zip"))}
    assert archives & {re.sub(r"[-_.]+", "-", name).lower() for name in pins} <= SOURCE_ONLY_PACKAGES, archives
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    offline = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--no-index", "--find-links", str(cache), "--require-hashes"]
    installed = subprocess.run([*offline, "-r", str(lock)], capture_output=True, text=True, timeout=1800)
    assert installed.returncode == 0, installed.stderr[-3000:]
    freeze = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "freeze"], capture_output=True, text=True)
    frozen = requirement_pins(freeze.stdout)
    assert frozen["mlflow"] == "3.17.2" and frozen["scikit-learn"] == requirement_pins(lock.read_text())["scikit-learn"]

    # Change every hash of one package: the same install is refused.
    text = lock.read_text()
    start = text.index("\nscikit-learn==")
    end = text.index("\n", text.index("# via", start))
    tampered_block = re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, text[start:end])
    tampered = tmp_path / "tampered.lock"
    tampered.write_text(text[:start] + tampered_block + text[end:])
    venv2 = tmp_path / "venv2"
    subprocess.run([sys.executable, "-m", "venv", str(venv2)], check=True)
    refused = subprocess.run([str(venv2 / "bin" / "python"), *offline[1:], "-r", str(tampered)],
                             capture_output=True, text=True, timeout=1800)
    assert refused.returncode != 0 and "hash" in refused.stderr.lower()


def test_pin_images_rewrites_every_from_with_the_registry_digest_and_ci_checks_it(tmp_path):
    project = tmp_path / "pin-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-server"}, "--no-git")
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    check = next(step["run"] for step in workflow["jobs"]["lint-and-test"]["steps"]
                 if step.get("name") == "Base images pinned by digest")
    required = dict(os.environ, REQUIRE_IMAGE_DIGESTS="true")
    assert subprocess.run(["bash", "-c", check], cwd=project, env=required, capture_output=True).returncode == 1
    bin_dir = tmp_path / "bin"
    digest = "sha256:" + "ab" * 32
    fake_tool(bin_dir, "crane", f'[ "$1" = digest ] && echo "{digest}"\n')
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    before = {p: (project / p).read_text() for p in ("Dockerfile", "docker/mlflow/Dockerfile")}
    done = subprocess.run(["make", "pin-images"], cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for path, old in before.items():
        text = (project / path).read_text()
        tag = re.search(r"^FROM (\S+)", old, re.MULTILINE).group(1)
        assert re.search(rf"^FROM {re.escape(tag)}@{digest}$", text, re.MULTILINE), text
        assert text.replace(f"@{digest}", "") == old
    pinned = subprocess.run(["bash", "-c", check], cwd=project, env=required, capture_output=True, text=True)
    assert pinned.returncode == 0 and "::" not in pinned.stdout
    again = subprocess.run(["make", "pin-images"], cwd=project, env=env, capture_output=True, text=True)
    assert again.returncode == 0
    base = re.search(r"^FROM (\S+)", before["Dockerfile"], re.MULTILINE).group(1)
    assert re.findall(r"^FROM \S+", (project / "Dockerfile").read_text(), re.MULTILINE) == [f"FROM {base}@{digest}"]
    # A registry that answers no digest: an error, and nothing is invented.
    fresh = tmp_path / "pin-fail"
    init(fresh, {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-local"}, "--no-git")
    fake_tool(bin_dir, "crane", 'echo "unauthorized"\n')
    failed = subprocess.run(["make", "pin-images"], cwd=fresh, env=env, capture_output=True, text=True)
    assert failed.returncode != 0 and "no digest" in failed.stderr
    assert not re.search(r"^FROM \S+@", (fresh / "Dockerfile").read_text(), re.MULTILINE)


def test_pinned_and_locked_files_are_the_projects_own(tmp_path):
    """After `make pin-images` and `make lock`, `mlrepro check` does not call the project drifted."""
    from conftest import BIN
    project = tmp_path / "own-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-server"}, "--no-git")
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("-slim-bookworm\n", "-slim-bookworm@sha256:" + "cd" * 32 + "\n", 1))
    (project / "requirements.lock").write_text("# regenerated by make lock\n")
    checked = subprocess.run([str(BIN), "check", str(project)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


# MARK: - CUDA default, DVC, data layout, citation, CI pins


@pytest.mark.parametrize("framework,oldest", [("pytorch", "12.6"), ("lightning", "12.6"), ("jax", "12.9")])
def test_cuda_default_without_a_probed_driver_is_the_most_widely_supported(tmp_path, framework, oldest):
    project = tmp_path / "cuda-default"
    done = init(project, {"framework": framework, "accelerator": "nvidia"}, "--no-git")
    answers = yaml.safe_load((project / ".mlrepro" / "answers.yml").read_text())
    assert answers["cuda_version"] == oldest
    assert f"CUDA {oldest}: no NVIDIA driver was probed" in done.stdout + done.stderr


def test_dvc_train_stage_depends_on_what_training_reads(generated):
    project = generated("sklearn", "cpu", data_versioning="dvc")
    package = yaml.safe_load((project / ".mlrepro" / "answers.yml").read_text())["package_name"]
    stages = yaml.safe_load((project / "dvc.yaml").read_text())["stages"]
    train = stages["train"]
    assert train["cmd"] == f".venv/bin/python -m {package}.train --config configs/train.yaml"
    # prepare's output is a dependency only for the pipeline's prepare -> train edge.
    assert set(train["deps"]) == {"data/processed", "data/manifest.yaml", f"src/{package}"}
    # The config by section: training's are every section but evaluate's, which only evaluate reads,
    # and reproduce's, which only `make reproduce` reads.
    config = yaml.safe_load((project / "configs" / "train.yaml").read_text())
    [train_params] = train["params"]
    assert set(train_params["configs/train.yaml"]) == set(config) - {"evaluate", "reproduce"}
    assert stages["evaluate"]["params"] == [{"configs/train.yaml": ["evaluate"]}]
    # The training code reads its data through the manifest, not from the prepare stage's output.
    source = (project / "src" / package / "train.py").read_text() + (project / "src" / package / "data.py").read_text()
    assert "data/processed" not in (project / "src" / package / "train.py").read_text()
    assert "load_splits" in source and "manifest" in source
    makefile = (project / "Makefile").read_text()
    assert re.search(r"^sync-data-up: setup\n\t.*dvc push --remote \$\(DVC_REMOTE\)$", makefile, re.MULTILINE)
    assert re.search(r"^sync-data-down: setup\n\t.*dvc pull --remote \$\(DVC_REMOTE\)$", makefile, re.MULTILINE)
    assert "ARTIFACTS_ACCESS_KEY" in makefile and "MINIO_ROOT" not in makefile


def test_data_layout_of_cookiecutter_data_science(generated):
    project = generated("sklearn", "cpu")
    assert (project / "reports" / "figures" / ".gitkeep").is_file()
    assert (project / "references" / "README.md").is_file()
    readme = (project / "data" / "README.md").read_text()
    for folder in ("data/raw/", "data/interim/", "data/processed/", "data/external/"):
        assert folder in readme
        assert f"/{folder}" in (project / ".gitignore").read_text().splitlines()
    dry = subprocess.run(["make", "-n", "data-dirs"], cwd=project, capture_output=True, text=True)
    assert "mkdir -p data/raw data/interim data/processed data/external reports/figures" in dry.stdout


def test_citation_uses_the_persons_own_name_answers(tmp_path):
    project = tmp_path / "cite-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "author_name": "Guido van Rossum",
                   "author_given_names": "Guido", "author_family_names": "van Rossum",
                   "author_orcid": "0000-0002-1825-0097", "repository_url": "https://github.com/guido/cite-study",
                   "release_date": "2026-03-14"}, "--no-git")
    citation = yaml.safe_load((project / "CITATION.cff").read_text())
    assert citation["authors"][0]["given-names"] == "Guido"
    assert citation["authors"][0]["family-names"] == "van Rossum"
    assert citation["authors"][0]["orcid"] == "https://orcid.org/0000-0002-1825-0097"
    assert str(citation["date-released"]) == "2026-03-14"
    assert citation["repository-code"] == "https://github.com/guido/cite-study"
    done = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.citation-file-format", "CITATION.cff"],
                          cwd=project, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    plain = tmp_path / "plain-study"
    init(plain, {"framework": "sklearn", "accelerator": "cpu", "author_name": "Guido van Rossum"}, "--no-git")
    authors = yaml.safe_load((plain / "CITATION.cff").read_text())["authors"]
    assert authors[0]["name"] == "Guido van Rossum" and "family-names" not in authors[0]
    bad = init(tmp_path / "bad-orcid", {"framework": "sklearn", "accelerator": "cpu", "author_orcid": "12345"},
               "--no-git", check=False)
    assert bad.returncode == 2 and "author_orcid" in bad.stderr


def test_ci_actions_are_pinned_by_commit_with_the_tag_named(generated):
    project = generated("sklearn", "cpu", ci="github")
    uses = re.findall(r"uses: (\S+)(.*)", (project / ".github" / "workflows" / "ci.yml").read_text())
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", comment), comment
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    setup_python = next(s for s in workflow["jobs"]["lint-and-test"]["steps"] if "setup-python" in s.get("uses", ""))
    assert setup_python["with"]["cache"] == "pip"


def test_system_metrics_helper_is_generated_with_gpu_libraries_where_present(generated):
    for accelerator, library in (("nvidia", "nvidia-ml-py=="), ("amd", "pyrsmi=="), ("cpu", None)):
        project = generated("pytorch", accelerator)
        package = yaml.safe_load((project / ".mlrepro" / "answers.yml").read_text())["package_name"]
        assert (project / "src" / package / "system_metrics.py").is_file()
        assert (project / "tests" / "test_system_metrics.py").is_file()
        dependencies = " ".join(tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"])
        assert "psutil==" in dependencies
        for other in ("nvidia-ml-py==", "pyrsmi=="):
            assert (other in dependencies) == (other == library), (accelerator, other)


# MARK: - Chameleon: results outlive the lease

FAKE_CHI = {
    "chi/__init__.py": """
        import json, os
        LOG = os.environ["FAKE_CHI_LOG"]
        def record(*call):
            with open(LOG, "a") as handle:
                handle.write(json.dumps(list(call)) + "\\n")
        def use_site(site): record("use_site", site)
        def set(key, value): record("set", key)
    """,
    "chi/lease.py": "from chi import record\ndef delete_lease(lease_id): record('delete_lease', lease_id)\n",
    "chi/network.py": "def list_security_groups(name): return []\n",
    "chi/clients.py": "def neutron(): raise AssertionError('no groups to delete')\n",
    "chi/server.py": """
        from chi import record
        class _Server:
            def __init__(self, name): self.name = name
            def detach_floating_ip(self, ip, delete=False): record("detach", ip)
            def delete(self, idempotent=False): record("delete_server", self.name)
        def get_server(name): return _Server(name)
    """,
}


def chameleon_teardown(tmp_path: Path, project: Path, ssh_exit: int, *args: str) -> tuple[subprocess.CompletedProcess, list]:
    fakes = tmp_path / "fakes"
    for relative, text in FAKE_CHI.items():
        (fakes / relative).parent.mkdir(parents=True, exist_ok=True)
        (fakes / relative).write_text(textwrap.dedent(text))
    log = tmp_path / "chi.log"
    log.write_text("")
    bin_dir = tmp_path / "bin"
    fake_tool(bin_dir, "ssh", f'echo "$*" >> {tmp_path}/ssh.log\n'
                               f'[ {ssh_exit} -eq 0 ] && echo "backed up" || echo "pg_dump: connection refused" >&2\n'
                               f'exit {ssh_exit}\n')
    state = project / "infra" / "chameleon" / "state.json"
    state.write_text(json.dumps({"site": "CHI@TACC", "lease_id": "L1", "server": "s1", "floating_ip": "192.0.2.7",
                                 "security_group": "g"}))
    env = dict(os.environ, PYTHONPATH=str(fakes), FAKE_CHI_LOG=str(log), PATH=f"{bin_dir}:{os.environ['PATH']}")
    done = subprocess.run([sys.executable, "infra/chameleon/teardown.py", *args], cwd=project, env=env,
                          capture_output=True, text=True)
    calls = [json.loads(line)[0] for line in log.read_text().splitlines()]
    return done, calls


def test_chameleon_teardown_backs_up_first_and_refuses_while_the_backup_fails(tmp_path):
    project = tmp_path / "lease-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-server", "compute": ALL_COMPUTE},
         "--no-git")
    state = project / "infra" / "chameleon" / "state.json"
    done, calls = chameleon_teardown(tmp_path, project, 1)
    assert done.returncode == 1 and "refusing to tear down" in done.stderr and "connection refused" in done.stderr
    assert "delete_server" not in calls and "delete_lease" not in calls and state.exists()
    assert "cc@192.0.2.7 bash bootstrap.sh backup" in (tmp_path / "ssh.log").read_text()
    done, calls = chameleon_teardown(tmp_path, project, 1, "--force")
    assert done.returncode == 0 and "delete_server" in calls and "delete_lease" in calls and not state.exists()
    done, calls = chameleon_teardown(tmp_path, project, 0)
    assert done.returncode == 0 and "backed up" in done.stdout and calls.count("delete_lease") == 1
    bootstrap = (project / "infra" / "chameleon" / "bootstrap.sh").read_text()
    assert "pg_dump" in bootstrap and "pg_restore --clean --if-exists" in bootstrap and "\nrestore\n" in bootstrap
    provision = (project / "infra" / "chameleon" / "provision.py").read_text()
    assert "object_store_env()" in provision and "ec2" in provision


def test_chameleon_without_object_store_refuses_to_delete_results(tmp_path):
    project = tmp_path / "volume-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-server", "compute": ALL_COMPUTE,
                   "chameleon_object_store": False}, "--no-git")
    assert not (project / "infra" / "chameleon" / "object_store.py").exists()
    linted = subprocess.run([tool("ruff"), "check", "--no-cache", "infra"], cwd=project, capture_output=True, text=True)
    assert linted.returncode == 0, linted.stdout
    done, calls = chameleon_teardown(tmp_path, project, 0)
    assert done.returncode == 1 and "only on the node" in done.stderr and "delete_server" not in calls


def test_chameleon_refuses_ssh_clone_urls_and_gpu_less_kvm(tmp_path):
    refused = init(tmp_path / "kvm-amd", {"framework": "pytorch", "accelerator": "amd", "compute": ["chameleon"],
                                          "chameleon_site": "KVM@TACC"}, "--no-git", check=False)
    assert refused.returncode == 2 and "chameleon_site" in refused.stderr
    project = tmp_path / "kvm-study"
    init(project, {"framework": "pytorch", "accelerator": "nvidia", "compute": ["chameleon"],
                   "chameleon_site": "KVM@TACC"}, "--no-git")
    fakes = tmp_path / "fakes"
    for relative in ("chi/__init__.py", "chi/lease.py", "chi/network.py", "chi/server.py"):
        (fakes / relative).parent.mkdir(parents=True, exist_ok=True)
        (fakes / relative).write_text("")
    base = dict(os.environ, PYTHONPATH=str(fakes), CHI_KEY_NAME="k", OS_PROJECT_NAME="p")

    def provision(**extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "infra/chameleon/provision.py"], cwd=project,
                              env=dict(base, **extra), capture_output=True, text=True)

    ssh_url = provision(REPO_URL="git@github.com:you/kvm-study.git")
    assert ssh_url.returncode == 2 and "https://" in ssh_url.stderr
    cpu_flavor = provision(REPO_URL="https://github.com/you/kvm-study.git", CHI_FLAVOR="m1.xlarge")
    assert cpu_flavor.returncode == 2 and "has no GPU" in cpu_flavor.stderr


def test_generated_env_file_stays_private(generated):
    project = generated("sklearn", "cpu", tracking="mlflow-server", compute=ALL_COMPUTE)
    assert stat.S_IMODE((project / ".env").stat().st_mode) == 0o600
    assert (TEMPLATE / "locks").is_dir() and not (project / "locks").exists()
