"""`make setup` of a generated project: exactly the lock, one index per install, the project's Python.

The lock tests download from PyPI (skipped with MLREPRO_SKIP_NETWORK=1). PyTorch's index is not
reachable from the tests: a local index serving stand-in wheels (torch and pytorch-triton-rocm, as
for ROCm) takes its place, so what comes from which index is checked without it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from conftest import init
from packaging.markers import Marker
from packaging.utils import canonicalize_name

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
network = pytest.mark.skipif(__import__("os").environ.get("MLREPRO_SKIP_NETWORK") == "1",
                             reason="MLREPRO_SKIP_NETWORK=1")
supported_python = pytest.mark.skipif(PYTHON not in ("3.10", "3.11", "3.12"),
                                      reason=f"the template offers Python 3.10-3.12, not {PYTHON}")


def lock_pins(text: str) -> dict[str, str]:
    """Name -> version of every requirement of a hashed lock whose environment marker holds here."""
    pins = {}
    for match in re.finditer(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)\s*(?:;\s*([^\\\n]+?))?\s*\\?$", text, re.MULTILINE):
        name, version, marker = match.groups()
        if marker is None or Marker(marker).evaluate():
            pins[canonicalize_name(name)] = version
    return pins


def installed(venv_python: Path, *, without: str) -> dict[str, str]:
    listed = subprocess.run([str(venv_python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
                            capture_output=True, text=True, check=True)
    packages = {canonicalize_name(p["name"]): p["version"] for p in json.loads(listed.stdout)}
    assert canonicalize_name(without) in packages, f"the project {without} is installed"
    packages.pop(canonicalize_name(without))
    return packages


def make(project: Path, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess:
    """`make` in the project as a user runs it: not as a sub-make of the make that runs these tests."""
    env = {key: value for key, value in os.environ.items() if key not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    return subprocess.run(["make", *args], cwd=project, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env=env)


# MARK: - one index per install, everywhere


INDEX_COMBOS = [
    {"framework": "pytorch", "accelerator": "nvidia", "cuda_version": "12.8", "ci": "github",
     "compute": ["local", "slurm", "kubernetes", "chameleon"], "notebooks": True},
    {"framework": "lightning", "accelerator": "amd", "ci": "gitlab", "compute": ["slurm", "chameleon"]},
    {"framework": "sklearn", "accelerator": "cpu", "ci": "github", "compute": ["slurm", "kubernetes"]},
    {"framework": "tensorflow", "accelerator": "nvidia", "ci": "gitlab", "compute": ["chameleon"]},
    {"framework": "jax", "accelerator": "cpu", "ci": "none", "tracking": "mlflow-local", "data_versioning": "none"},
]


@pytest.mark.parametrize("answers", INDEX_COMBOS, ids=lambda a: f"{a['framework']}-{a['accelerator']}-{a['ci']}")
def test_no_generated_file_names_an_extra_index(tmp_path, answers):
    project = tmp_path / "index-study"
    init(project, answers, "--no-git")
    offenders = []
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            text = path.read_text(errors="replace")
            for number, line in enumerate(text.splitlines(), 1):
                if re.search(r"extra[-_]index", line, re.IGNORECASE) and "never an extra" not in line:
                    offenders.append(f"{path.relative_to(project)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
    dry = make(project, "-n", "setup")
    assert dry.returncode == 0, dry.stderr
    assert "pip check" in dry.stdout
    if answers["framework"] in ("sklearn", "tensorflow", "jax"):
        assert "--no-deps --require-hashes --index-url https://pypi.org/simple -r requirements.lock" in dry.stdout
        assert "--no-deps --no-build-isolation --no-index -e ." in dry.stdout


@pytest.mark.parametrize("tracking", ["mlflow-server", "mlflow-local"])
def test_shipped_lock_holds_every_extra_and_the_sweep_database_driver(tmp_path, tracking):
    project = tmp_path / "extras-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "tracking": tracking, "notebooks": True,
                   "data_versioning": "dvc", "dvc_remote": "s3"}, "--no-git")
    import tomllib
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    pins = {canonicalize_name(n): v for n, v in re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)",
                                                             (project / "requirements.lock").read_text(), re.MULTILINE)}
    requirements = [*pyproject["dependencies"], *pyproject["optional-dependencies"]["dev"],
                    *pyproject["optional-dependencies"]["notebooks"]]
    for requirement in requirements:
        name, version = requirement.split("==")
        assert pins.get(canonicalize_name(re.sub(r"\[.*\]", "", name))) == version, requirement
    assert ("psycopg2-binary==2.9.13" in pyproject["dependencies"]) == (tracking == "mlflow-server")
    assert ("psycopg2-binary" in pins) == (tracking == "mlflow-server")


# MARK: - the project's Python


@pytest.fixture
def fake_pythons(tmp_path):
    """A bin folder with `python-old`, an interpreter that reports Python 3.9."""
    folder = tmp_path / "fake-bin"
    folder.mkdir()
    old = folder / "python-old"
    old.write_text("#!/bin/sh\necho 3.9\n")
    old.chmod(0o755)
    return folder


@pytest.mark.parametrize("python,says", [("python-nowhere", "could not be run"),
                                         ("{bin}/python-old", "is Python 3.9")])
def test_setup_stops_in_one_line_without_the_projects_python(tmp_path, fake_pythons, python, says):
    project = tmp_path / "python-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "python_version": "3.11"}, "--no-git")
    python = python.format(bin=fake_pythons)
    done = make(project, "setup", f"PYTHON={python}")
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("make setup: this project needs Python 3.11, but PYTHON="), done.stderr
    assert f"PYTHON={python} {says}; install it (uv python install 3.11, pyenv install 3.11," in lines[0]
    assert "make setup PYTHON=$(uv python find 3.11)" in lines[0]
    assert len([line for line in lines if not re.match(r"make(\[\d+\])?: ", line)]) == 1, done.stderr
    assert not (project / ".venv").exists(), "nothing is created before the check"


# MARK: - exactly the lock


@network
@supported_python
def test_setup_installs_exactly_the_lock_with_dev_tools(tmp_path):
    """sklearn with DVC: after `make setup`, .venv holds the lock's packages at the lock's versions (dev tools
    included) and the project itself, nothing else; a second `make setup` does nothing."""
    project = tmp_path / "exact-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "python_version": PYTHON, "tracking": "mlflow-local",
                   "data_versioning": "dvc", "dvc_remote": "local", "ci": "none"}, "--no-git")
    done = make(project, "setup", f"PYTHON={sys.executable}")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    expected = lock_pins((project / "requirements.lock").read_text())
    for tool in ("pytest", "ruff", "pip-tools", "dvc", "scikit-learn", "mlflow"):
        assert tool in expected, f"{tool} is in the lock"
    actual = installed(project / ".venv" / "bin" / "python", without="exact-study")
    extra = {name: version for name, version in actual.items() if name not in expected}
    missing = {name: version for name, version in expected.items() if name not in actual}
    changed = {name: (expected[name], actual[name]) for name in expected.keys() & actual.keys()
               if expected[name] != actual[name]}
    assert not extra and not missing and not changed, f"extra {extra}\nmissing {missing}\nchanged {changed}"
    again = make(project, "setup", f"PYTHON={sys.executable}")
    assert again.returncode == 0 and "pip install" not in again.stdout


# MARK: - torch from its own index (a local stand-in for PyTorch's)


def wheel(folder: Path, name: str, version: str, requires: list[str]) -> Path:
    """A minimal wheel `name`-`version` (one empty module) with the given Requires-Dist."""
    module = name.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": b"",
        f"{dist_info}/METADATA": ("Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n"
                                  + "".join(f"Requires-Dist: {r}\n" for r in requires)).encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\n"
        for path, data in files.items()) + f"{dist_info}/RECORD,,\n"
    files[f"{dist_info}/RECORD"] = record.encode()
    path = folder / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return path


@pytest.fixture
def torch_index(tmp_path):
    """A PEP 503 index on 127.0.0.1 that serves only a stand-in torch 2.15.0+rocm6.4 (requiring
    pytorch-triton-rocm, which only PyTorch's index publishes, and typing-extensions from PyPI) and that
    pytorch-triton-rocm; yields its URL and the list of files it served."""
    root = tmp_path / "torch-index" / "simple"
    typing_pin = "typing-extensions==4.15.0"
    for name, version, requires in (("torch", "2.15.0+rocm6.4", ["pytorch-triton-rocm==3.5.0", typing_pin]),
                                    ("pytorch-triton-rocm", "3.5.0", [])):
        folder = root / name
        folder.mkdir(parents=True)
        built = wheel(folder, name, version, requires)
        digest = hashlib.sha256(built.read_bytes()).hexdigest()
        (folder / "index.html").write_text(f'<a href="{built.name}#sha256={digest}">{built.name}</a>\n')
    served: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            served.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Handler, directory=str(root.parent)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/simple", served
    server.shutdown()


@network
@supported_python
def test_torch_comes_from_its_index_alone_and_make_lock_writes_both_locks(tmp_path, torch_index):
    """A ROCm torch project (its dependencies cut down to torch and one PyPI package, to stay small):
    without locks `make setup` takes torch and pytorch-triton-rocm from TORCH_INDEX_URL (no dependencies)
    and the rest from PyPI; `make lock` then writes requirements-torch.lock and requirements.lock, and a
    fresh `make setup` installs exactly the two."""
    if PYTHON == "3.10":
        pytest.skip("the stand-in torch is 2.15.0, the pin for Python 3.11 and 3.12")
    url, served = torch_index
    project = tmp_path / "rocm-study"
    init(project, {"framework": "pytorch", "accelerator": "amd", "python_version": PYTHON, "tracking": "mlflow-local",
                   "data_versioning": "none", "ci": "none"}, "--no-git")
    pyproject = project / "pyproject.toml"
    text = re.sub(r"(?ms)^dependencies = \[.*?^\]", 'dependencies = [\n    "torch==2.15.0",\n]', pyproject.read_text())
    text = re.sub(r"(?ms)^dev = \[.*?^\]", 'dev = [\n    "pip-tools==7.6.2",\n]', text)
    pyproject.write_text(text)
    args = [f"PYTHON={sys.executable}", f"TORCH_INDEX_URL={url}"]

    done = make(project, "setup", *args)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    venv_python = project / ".venv" / "bin" / "python"
    packages = installed(venv_python, without="rocm-study")
    assert packages["torch"] == "2.15.0+rocm6.4", "torch from TORCH_INDEX_URL, not replaced by PyPI's"
    assert packages["pytorch-triton-rocm"] == "3.5.0" and packages["typing-extensions"] == "4.15.0"
    assert not any("typing" in path or "pip-tools" in path for path in served), served

    done = make(project, "lock", *args)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    torch_lock = (project / "requirements-torch.lock").read_text()
    lock = (project / "requirements.lock").read_text()
    assert set(lock_pins(torch_lock)) == {"torch", "pytorch-triton-rocm"}
    # No index or local folder is written into a lock: each install names its one index.
    assert not re.search(r"^--(extra-)?(index-url|find-links)", lock + torch_lock, re.MULTILINE)
    assert "torch" not in lock_pins(lock) and "pytorch-triton-rocm" not in lock_pins(lock)
    assert {"typing-extensions", "pip-tools", "setuptools"} <= set(lock_pins(lock))
    for block in re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n\n", 1)[-1] + "\n" + torch_lock):
        if re.match(r"[A-Za-z0-9]", block):
            assert "--hash=sha256:" in block, block
    assert not (project / ".lock-wheels").exists()

    subprocess.run(["rm", "-rf", str(project / ".venv")], check=True)
    served.clear()
    done = make(project, "setup", *args)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "-r requirements-torch.lock" in done.stdout and "--no-build-isolation --no-index -e ." in done.stdout
    expected = {**lock_pins(lock), **lock_pins(torch_lock)}
    assert installed(venv_python, without="rocm-study") == expected
    assert served and all("/torch/" in path or "/pytorch-triton-rocm/" in path for path in served), served


# MARK: - make reproduce builds the same environment


RECORD_STEPS = """
import importlib, json, subprocess, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
module = importlib.import_module(sys.argv[2] + ".reproduce")
steps = []
def run(argv, **kwargs):
    steps.append(argv)
    if argv[1:3] == ["-m", "venv"]:
        Path(argv[3]).mkdir(parents=True)
    return subprocess.CompletedProcess(argv, 0)
module.subprocess.run = run
module.environment(Path(sys.argv[3]), Path(sys.argv[4]))
print(json.dumps(steps))
"""


@pytest.mark.parametrize("framework,accelerator,locked", [("sklearn", "cpu", True), ("pytorch", "amd", True),
                                                          ("pytorch", "amd", False)])
def test_reproduce_builds_the_runs_environment_as_setup_does(tmp_path, framework, accelerator, locked):
    from conftest import dvc_study
    deps_python = dvc_study(tmp_path / "deps-study")  # a cached virtualenv with numpy and PyYAML
    project = tmp_path / "env-study"
    init(project, {"framework": framework, "accelerator": accelerator, "ci": "none"}, "--no-git")
    for name in ("requirements.lock", "requirements-torch.lock"):
        if locked:
            (project / name).write_text("# stand-in\n")
        else:
            (project / name).unlink(missing_ok=True)
    done = subprocess.run([str(deps_python), "-c", RECORD_STEPS, str(project / "src"), "env_study", str(project),
                           str(tmp_path / "envs")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    steps = [" ".join(step[1:]) for step in json.loads(done.stdout.splitlines()[-1])]
    venv = "-m pip install --quiet --disable-pip-version-check"
    torch_index = "https://download.pytorch.org/whl/rocm6.4"
    if locked:
        expected = ([f"{venv} --no-deps --require-hashes --index-url {torch_index} -r {project}/requirements-torch.lock"]
                    if framework == "pytorch" else [])
        expected += [f"{venv} --no-deps --require-hashes --index-url https://pypi.org/simple -r {project}/requirements.lock",
                     f"{venv} --no-deps --no-build-isolation --no-index -e {project}"]
        assert steps[1:-1] == expected
    else:
        assert steps[1] == f"{venv} --no-deps --index-url {torch_index} torch==2.15.0"
        assert steps[3].startswith(f"{venv} --no-deps --index-url {torch_index} -r ")
        assert steps[4] == f"{venv} --index-url https://pypi.org/simple -e {project}"
    assert steps[0].startswith("-m venv ") and steps[-1] == "-m pip check"
    assert not any("extra-index" in step for step in steps)


@pytest.mark.parametrize("notebooks", [False, True])
def test_make_lock_needs_only_the_dev_tools_and_writes_no_index_into_the_lock(tmp_path, notebooks):
    """After pyproject.toml changed, setup's pip check fails; `make lock` still runs with the pip-compile
    already in .venv (here a stand-in that records its arguments), without running setup again."""
    project = tmp_path / "relock-study"
    init(project, {"framework": "sklearn", "accelerator": "cpu", "notebooks": notebooks}, "--no-git")
    bin_dir = project / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    recorder = bin_dir / "pip-compile"
    recorder.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > pip-compile.args\n')
    recorder.chmod(0o755)
    done = make(project, "lock", "PYTHON=python-nowhere")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "make setup:" not in done.stderr and "-m venv" not in done.stdout
    argv = (project / "pip-compile.args").read_text().split()
    assert argv.count("--index-url") == 1 and argv[argv.index("--index-url") + 1] == "https://pypi.org/simple"
    assert {"--generate-hashes", "--no-emit-index-url", "--no-emit-find-links"} <= set(argv)
    extras = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--extra"]
    assert extras == (["dev", "notebooks"] if notebooks else ["dev"])
    assert not any("extra-index" in arg for arg in argv)
