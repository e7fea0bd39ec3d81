"""Shared fixtures for the hostile-input suite: the binary under test and small templates."""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def binary() -> Path:
    path = Path(os.environ.get("MLREPRO_BIN", REPO / ".build" / "debug" / "mlrepro"))
    if not path.is_file():
        pytest.fail(f"mlrepro binary not found at {path}; run `swift build` or set MLREPRO_BIN")
    return path


# Every timeout in this suite is a hang guard, never a speed target (those belong in `make bench`): a
# debug build on a slow or busy machine takes many times what it takes on a developer's. The guard a
# test names is what the command takes there, with room; this factor is the room.
HANG_GUARD_FACTOR = 10


def hang_guard(seconds: float) -> float:
    """The timeout for a command that should take well under `seconds` on an idle machine."""
    return seconds * HANG_GUARD_FACTOR


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 30,
        stdin: bytes | None = None) -> Result:
    full_env = dict(os.environ)
    full_env.update({"NO_COLOR": "1", "HOME": str(cwd or Path.cwd())})
    if env:
        full_env.update(env)
    start = time.monotonic()
    proc = subprocess.run([str(binary()), *args], cwd=cwd, env=full_env, capture_output=True,
                          timeout=hang_guard(timeout), input=stdin if stdin is not None else b"")
    return Result(proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace"),
                  time.monotonic() - start)


def write_template(root: Path, manifest: str, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mlrepro.yml").write_text(manifest)
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


SIMPLE_MANIFEST = """\
project_slug:
  type: str
  default: demo
  validator: "{% if not (project_slug | regex_search('^[a-z][a-z0-9-]{1,38}[a-z0-9]$')) %}invalid slug{% endif %}"
epochs:
  type: int
  default: 3
"""


@pytest.fixture
def simple_template(tmp_path: Path) -> Path:
    return write_template(tmp_path / "tpl", SIMPLE_MANIFEST, {
        "{{ project_slug }}/README.md.jinja": "# {{ project_slug }} ({{ epochs }} epochs)\n",
        "static.txt": "unchanged\n",
    })


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (relative path -> bytes), for before/after comparisons."""
    out: dict[str, bytes] = {}
    if not root.exists():
        return out
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path.relative_to(root))] = path.read_bytes()
    return out
