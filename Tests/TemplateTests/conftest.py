"""Generate projects from Templates/ml-research with the mlrepro binary.

Environment:
  MLREPRO_BIN        the binary (default <repo>/.build/debug/mlrepro)
  MLREPRO_TEST_VENV  virtualenv with Tests/requirements.txt (default <repo>/.venv)
  MLREPRO_VENV_CACHE virtualenvs the tests build with tools a generated project uses (dvc, python-chi, its
                     pinned dependencies), kept between runs (default <repo>/out/template-venvs)
  MLREPRO_WHEEL_CACHE a folder of downloaded wheels that installs of a shipped lock look in before PyPI
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "Templates" / "ml-research"
BIN = Path(os.environ.get("MLREPRO_BIN", REPO / ".build" / "debug" / "mlrepro"))
VENV = Path(os.environ.get("MLREPRO_TEST_VENV", REPO / ".venv"))
FRAMEWORKS = ["pytorch", "lightning", "tensorflow", "jax", "sklearn"]


def tool(name: str) -> str:
    path = VENV / "bin" / name
    if not path.exists():
        pytest.fail(f"{path} missing: run `make venv` (installs Tests/requirements.txt)")
    return str(path)


def init(dest: Path, answers: dict, *extra: str, check: bool = True) -> subprocess.CompletedProcess:
    """`mlrepro init DEST --template Templates/ml-research --answers FILE --defaults --no-probe`."""
    if not BIN.exists():
        pytest.fail(f"{BIN} missing: run `swift build` (or set MLREPRO_BIN)")
    answers_file = dest.parent / f"{dest.name}-answers.yml"
    answers_file.write_text(yaml.safe_dump(answers, sort_keys=False))
    argv = [str(BIN), "init", str(dest), "--template", str(TEMPLATE), "--answers", str(answers_file),
            "--defaults", "--no-probe", *extra]
    env = dict(os.environ, NO_COLOR="1", GIT_AUTHOR_NAME="Ada Lovelace", GIT_AUTHOR_EMAIL="ada@example.org",
               GIT_COMMITTER_NAME="Ada Lovelace", GIT_COMMITTER_EMAIL="ada@example.org")
    done = subprocess.run(argv, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, check=False)
    if check and done.returncode != 0:
        pytest.fail(f"mlrepro init exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}")
    return done


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """Projects by (framework, accelerator), generated once per session."""
    cache: dict[tuple, Path] = {}

    def make(framework: str, accelerator: str, **answers) -> Path:
        key = (framework, accelerator, tuple(sorted((k, str(v)) for k, v in answers.items())))
        if key not in cache:
            root = tmp_path_factory.mktemp(f"{framework}-{accelerator}")
            dest = root / f"{framework}-{accelerator}-study"
            init(dest, {"framework": framework, "accelerator": accelerator, **answers})
            cache[key] = dest
        return cache[key]

    return make


VENV_CACHE = Path(os.environ.get("MLREPRO_VENV_CACHE") or REPO / "out" / "template-venvs")


def cached_venv_folder(name: str, *installs: list[str]) -> Path:
    """Where cached_venv keeps the virtualenv of these installs (it has `.complete` once built)."""
    import hashlib
    import sys

    return VENV_CACHE / f"{name}-{hashlib.sha256(repr((sys.version, installs)).encode()).hexdigest()[:12]}"


def cached_venv(name: str, *installs: list[str], pip_env: dict[str, str] | None = None) -> Path:
    """A virtualenv under MLREPRO_VENV_CACHE (default out/template-venvs) with the given pip installs,
    one `pip install` per list, built once and reused while the lists stay the same; returns its python.
    Downloads go through pip's cache, so a rebuild after a pin change fetches only what changed.
    `pip_env` (e.g. PIP_FIND_LINKS) changes where pip looks, not what is installed: not part of the key."""
    import shutil
    import sys

    venv = cached_venv_folder(name, *installs)
    python = venv / "bin" / "python"
    if (venv / ".complete").exists():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    for argv in installs:
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *argv],
                              capture_output=True, text=True, timeout=1800, check=False,
                              env={**os.environ, **(pip_env or {})})
        if done.returncode != 0:
            pytest.fail(f"pip install {' '.join(argv)} into {venv} exited {done.returncode}:\n{done.stderr[-4000:]}")
    (venv / ".complete").write_text("")
    return python


TORCH_WHEELS = Path(os.environ.get("TORCH_WHEELS", "/opt/wheels"))
# The frameworks whose pinned dependencies the shared CPU virtualenv has, and packages some tests
# need beyond those pins (the PostgreSQL driver of mlflow-server projects' sweeps).
TORCH_VENV_FRAMEWORKS = ("sklearn", "pytorch", "lightning", "jax")
TORCH_VENV_EXTRA = ["psycopg2-binary==2.9.13"]
_TORCH_VENV: list[Path] = []


def torch_venv(tmp_path_factory) -> Path:
    """The python of the one virtualenv every CPU training test shares (cached under MLREPRO_VENV_CACHE):
    the CPU torch wheel from TORCH_WHEELS (default /opt/wheels) and every other dependency that
    generated sklearn, pytorch, lightning and jax projects pin (their torch pin names the release of their
    CUDA images, so the wheel on disk is installed in its place). MLREPRO_CPU_VENV names an existing
    virtualenv with those packages to use instead. Projects are installed into a session's own
    virtualenv layered on it (session_venv), never into the cache."""
    import sys
    import tomllib

    if _TORCH_VENV:
        return _TORCH_VENV[0]
    if os.environ.get("MLREPRO_CPU_VENV"):
        _TORCH_VENV.append(Path(os.environ["MLREPRO_CPU_VENV"]) / "bin" / "python")
        return _TORCH_VENV[0]
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    wheels = sorted(TORCH_WHEELS.glob(f"torch-*+cpu-{tag}-*.whl"))
    if not wheels:
        pytest.fail(f"no CPU torch wheel for {tag} in {TORCH_WHEELS} (set TORCH_WHEELS to the folder that has one)")
    root = tmp_path_factory.mktemp("torch-venv-pins")
    requirements: set[str] = set()
    for framework in TORCH_VENV_FRAMEWORKS:
        probe = root / f"{framework}-pins"
        init(probe, {"framework": framework, "accelerator": "cpu", "tracking": "mlflow-local",
                     "data_versioning": "none"})
        requirements.update(tomllib.loads((probe / "pyproject.toml").read_text())["project"]["dependencies"])
    pins = sorted(r for r in requirements if not r.startswith("torch=="))
    _TORCH_VENV.append(cached_venv("cpu-torch", ["--find-links", str(TORCH_WHEELS), str(wheels[-1]), *pins,
                                                 *TORCH_VENV_EXTRA]))
    return _TORCH_VENV[0]


_TENSORFLOW_VENV: list[Path] = []


def tensorflow_venv(tmp_path_factory) -> Path:
    """The python of a virtualenv (cached under MLREPRO_VENV_CACHE) holding exactly the hashed
    requirements.lock of a generated tensorflow CPU project: tensorflow's pins (numpy, protobuf, keras)
    differ from the shared torch virtualenv's, so it has its own. The wheels come from PyPI, or from
    MLREPRO_WHEEL_CACHE when it has them; with MLREPRO_SKIP_NETWORK=1 and no cached virtualenv, skip."""
    import hashlib

    if _TENSORFLOW_VENV:
        return _TENSORFLOW_VENV[0]
    probe = tmp_path_factory.mktemp("tensorflow-venv-pins") / "tensorflow-pins"
    init(probe, {"framework": "tensorflow", "accelerator": "cpu", "tracking": "mlflow-local",
                 "data_versioning": "none"}, "--no-git")
    text = (probe / "requirements.lock").read_text()
    # The lock is kept beside the cache under a name of its content, so the cache key stays put across runs.
    lock = VENV_CACHE / f"tensorflow-cpu-{hashlib.sha256(text.encode()).hexdigest()[:12]}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    if not lock.exists():
        lock.write_text(text)
    wheels = os.environ.get("MLREPRO_WHEEL_CACHE")
    pip_env = {"PIP_FIND_LINKS": wheels} if wheels and Path(wheels).is_dir() else {}
    install = ["--no-deps", "--require-hashes", "--index-url", "https://pypi.org/simple", "-r", str(lock)]
    if os.environ.get("MLREPRO_SKIP_NETWORK") == "1" and not (cached_venv_folder("cpu-tensorflow", install)
                                                              / ".complete").exists():
        pytest.skip("MLREPRO_SKIP_NETWORK=1 and no cached tensorflow virtualenv")
    _TENSORFLOW_VENV.append(cached_venv("cpu-tensorflow", install, pip_env=pip_env))
    return _TENSORFLOW_VENV[0]


def session_venv(folder: Path, deps_python: Path) -> Path:
    """A virtualenv at `folder` that sees every package of `deps_python`'s virtualenv (a .pth file), for
    installing projects with `pip install --no-deps -e` without touching the shared one; returns its python."""
    import sys

    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    tag = f"python{sys.version_info.major}.{sys.version_info.minor}"
    deps_site = deps_python.parent.parent / "lib" / tag / "site-packages"
    (folder / "lib" / tag / "site-packages" / "shared-deps.pth").write_text(f"{deps_site}\n")
    return folder / "bin" / "python"


DVC_STUDY = {"framework": "sklearn", "accelerator": "cpu", "tracking": "mlflow-local", "data_versioning": "dvc",
             "dvc_remote": "local", "ci": "none"}


def dvc_study(project: Path, *init_args: str) -> Path:
    """A sklearn project with DVC (DVC_STUDY's answers) generated at `project`, and the python of the
    cached virtualenv with its dependencies and the dev extra's dvc pin (shared by every test using it)."""
    import tomllib

    init(project, DVC_STUDY, *init_args)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    dvc_pin = [r for r in pyproject["project"]["optional-dependencies"]["dev"] if r.startswith("dvc")]
    assert dvc_pin, "the dev extra pins dvc"
    return cached_venv("dvc-sklearn", [*pyproject["project"]["dependencies"], *dvc_pin])


def project_venv(project: Path, deps_python: Path) -> Path:
    """project/.venv: a virtualenv that sees the packages of `deps_python`'s virtualenv and the project's src/
    (a .pth file), as `make setup` would leave it, in a second instead of a full install."""
    import sys

    venv = project / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    tag = f"python{sys.version_info.major}.{sys.version_info.minor}"
    deps_site = deps_python.parent.parent / "lib" / tag / "site-packages"
    (venv / "lib" / tag / "site-packages" / "project.pth").write_text(f"{deps_site}\n{project / 'src'}\n")
    return venv / "bin" / "python"


def commit_all(project: Path, message: str = "Generated") -> str:
    """git add -A and commit in `project` (initialising the repository when needed); returns HEAD."""
    if not (project / ".git").exists():
        subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", "-c", "user.name=Ada", "-c", "user.email=ada@example.org", "commit", "-qm", message,
                    "--allow-empty"], cwd=project, check=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True,
                          check=True).stdout.strip()
