"""Generate projects from Templates/ml-research with the mlrepro binary.

Environment:
  MLREPRO_BIN        the binary (default <repo>/.build/debug/mlrepro)
  MLREPRO_TEST_VENV  virtualenv with Tests/requirements.txt (default <repo>/.venv)
  MLREPRO_VENV_CACHE virtualenvs the tests build with tools a generated project uses (dvc, python-chi, its
                     pinned dependencies), kept between runs (default <repo>/out/template-venvs)
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


def cached_venv(name: str, *installs: list[str]) -> Path:
    """A virtualenv under MLREPRO_VENV_CACHE (default out/template-venvs) with the given pip installs,
    one `pip install` per list, built once and reused while the lists stay the same; returns its python.
    Downloads go through pip's cache, so a rebuild after a pin change fetches only what changed."""
    import hashlib
    import shutil
    import sys

    digest = hashlib.sha256(repr((sys.version, installs)).encode()).hexdigest()[:12]
    venv = VENV_CACHE / f"{name}-{digest}"
    python = venv / "bin" / "python"
    if (venv / ".complete").exists():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    for argv in installs:
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *argv],
                              capture_output=True, text=True, timeout=1800, check=False)
        if done.returncode != 0:
            pytest.fail(f"pip install {' '.join(argv)} into {venv} exited {done.returncode}:\n{done.stderr[-4000:]}")
    (venv / ".complete").write_text("")
    return python


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
