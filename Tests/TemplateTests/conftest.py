"""Generate projects from Templates/ml-research with the mlrepro binary.

Environment:
  MLREPRO_BIN        the binary (default <repo>/.build/debug/mlrepro)
  MLREPRO_TEST_VENV  virtualenv with Tests/requirements.txt (default <repo>/.venv)
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
    done = subprocess.run(argv, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
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
