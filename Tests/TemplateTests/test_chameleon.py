"""Chameleon provisioning as shipped, without Chameleon:

- the `chameleon` extra installs into a fresh virtualenv (cached: conftest.cached_venv) and every
  module infra/chameleon/provision.py and teardown.py import, imports there;
- provision.py for a 2-node job runs against a recording stand-in of python-chi (fake_chi/), every
  call it makes binds to the real python-chi's signature, and each server gets a project.env with
  every key bootstrap.sh reads;
- each server's bootstrap.sh, as provision.py ran it, completes with stub sudo/apt/docker/git, and
  the image is built with the commit it comes from.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import cached_venv, commit_all, init

FAKE_CHI = Path(__file__).resolve().parent / "fake_chi"
ANSWERS = {"framework": "pytorch", "accelerator": "nvidia", "compute": ["local", "chameleon"],
           "tracking": "mlflow-server", "chameleon_object_store": True, "nodes": 2, "ci": "none",
           "data_versioning": "dvc", "repository_url": "https://git.example.org/ada/chi-study.git"}

BIND = """
import importlib, inspect, json, sys
failures = []
for line in open(sys.argv[1]):
    call = json.loads(line)
    name = call["call"]
    if not (name.startswith("chi.") or name.startswith("swiftclient.")):
        continue
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            target = getattr(target, attribute)
        break
    kwargs = {k: v for k, v in call["kwargs"].items() if not k.startswith("_")}
    method = inspect.isfunction(target) and "." in target.__qualname__
    args = ([None] if method else []) + call["args"]
    try:
        inspect.signature(target).bind(*args, **kwargs)
    except TypeError as error:
        failures.append(f"{name}({call['args']}, {kwargs}): {error}")
print(json.dumps(failures))
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("chameleon")
    dest = root / "chi-study"
    init(dest, ANSWERS)
    commit_all(dest)
    return dest


def script_imports(path: Path) -> set[str]:
    """Modules (and `from X import name` pairs as X.name) a script imports, less the standard library."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}:{alias.name}" for alias in node.names)
    return {n for n in names if n.split(":")[0].split(".")[0] not in sys.stdlib_module_names | {"__future__"}}


@pytest.mark.skipif(os.environ.get("MLREPRO_SKIP_NETWORK") == "1", reason="MLREPRO_SKIP_NETWORK=1")
def test_chameleon_extra_imports_every_module_the_scripts_use(project):
    extra = tomllib.loads((project / "pyproject.toml").read_text())["project"]["optional-dependencies"]["chameleon"]
    python = cached_venv("chameleon", extra)
    wanted = set()
    for script in ("provision.py", "teardown.py"):
        wanted |= script_imports(project / "infra" / "chameleon" / script)
    assert {"chi", "chi:lease", "chi:server"} <= wanted
    check = ("import importlib, sys\n"
             "for name in sys.argv[1:]:\n"
             "    module, _, attribute = name.partition(':')\n"
             "    loaded = importlib.import_module(module)\n"
             "    if attribute:\n"
             "        getattr(loaded, attribute, None) or importlib.import_module(module + '.' + attribute)\n")
    done = subprocess.run([str(python), "-c", check, *sorted(wanted)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


def provision(project: Path, tmp_path: Path) -> list[dict]:
    log = tmp_path / "chi-calls.jsonl"
    env = dict(os.environ, PYTHONPATH=str(FAKE_CHI), FAKE_CHI_LOG=str(log), OS_PROJECT_NAME="CHI-000000",
               CHI_KEY_NAME="ada-laptop", REPO_URL=ANSWERS["repository_url"])
    done = subprocess.run([sys.executable, "infra/chameleon/provision.py", "--hours", "2"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"provision.py exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return [json.loads(line) for line in log.read_text().splitlines()]


def calls_of(calls: list[dict], name: str) -> list[dict]:
    return [c for c in calls if c["call"] == name]


def env_keys_read(script: str) -> set[str]:
    """Keys bootstrap.sh reads from the project's .env (sed -n 's/^KEY=//p' ... .env)."""
    return set(re.findall(r"s/\^([A-Z_][A-Z0-9_]*)=//p'[^\n]*\.env", script))


def test_provision_two_nodes_against_recorded_python_chi(project, tmp_path):
    calls = provision(project, tmp_path)
    state = project / "infra" / "chameleon" / "state.json"
    assert json.loads(state.read_text())["workers"] == ["chi-study-server-1"]

    servers = [c["args"][0] for c in calls_of(calls, "chi.server.Server")]
    assert servers == ["chi-study-server", "chi-study-server-1"]
    reservation = calls_of(calls, "chi.lease.Lease.add_node_reservation")[0]["kwargs"]
    assert reservation["amount"] == 2
    assert calls_of(calls, "chi.lease.Lease.add_fip_reservation")[0]["kwargs"]["amount"] == 2
    groups = {c["kwargs"]["_server"]: c["args"][0] for c in calls_of(calls, "chi.server.Server.add_security_group")}
    assert set(groups) == set(servers) and len(set(groups.values())) == 1
    ips = {c["kwargs"]["_server"]: c["args"][0] for c in calls_of(calls, "chi.server.Server.associate_floating_ip")}
    assert set(ips) == set(servers) and len(set(ips.values())) == 2

    bootstrap = (project / "infra" / "chameleon" / "bootstrap.sh").read_text()
    needed = env_keys_read(bootstrap)
    assert {"BACKUP_BUCKET", "DVC_BUCKET", "ARTIFACTS_S3_ENDPOINT"} <= needed
    uploads = calls_of(calls, "chi.server.Server.upload")
    for server in servers:
        env_file = next(c["kwargs"]["_content"] for c in uploads
                        if c["kwargs"]["_server"] == server and c["args"][1] == "project.env")
        defined = {line.split("=", 1)[0] for line in env_file.splitlines() if re.match(r"[A-Z_][A-Z0-9_]*=.", line)}
        assert needed <= defined, f"{server}: project.env lacks {sorted(needed - defined)}"

    executed = [(c["kwargs"]["_server"], c["args"][0]) for c in calls_of(calls, "chi.server.Server.execute")]
    boots = [(server, command) for server, command in executed if command.startswith("bash bootstrap.sh")]
    assert boots == [(servers[0], f"bash bootstrap.sh '{ANSWERS['repository_url']}'"),
                     (servers[1], f"bash bootstrap.sh '{ANSWERS['repository_url']}' worker")]
    trains = [(server, command) for server, command in executed if "make train-multinode" in command]
    assert [server for server, _ in trains] == servers
    for rank, (_, command) in enumerate(trains):
        assert f"NODE_RANK={rank}" in command and "NNODES=2" in command and "MASTER_ADDR=10.140.0.11" in command
        assert "-e CONTAINER_IMAGE_ID=$$(sudo docker image inspect --format={{.Id}} chi-study:latest-local)" in command

    # Every call matches python-chi's real signatures (the extra's virtualenv).
    extra = tomllib.loads((project / "pyproject.toml").read_text())["project"]["optional-dependencies"]["chameleon"]
    if os.environ.get("MLREPRO_SKIP_NETWORK") != "1":
        python = cached_venv("chameleon", extra)
        done = subprocess.run([str(python), "-c", BIND, str(tmp_path / "chi-calls.jsonl")], capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        assert json.loads(done.stdout.strip().splitlines()[-1]) == []

    # Each server's bootstrap, with what it was given.
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name in ("apt-get", "systemctl", "usermod", "curl", "gpg", "tee", "nvidia-ctk"):
        (stubs / name).write_text("#!/bin/sh\ncat >/dev/null 2>&1 </dev/null\nexit 0\n")
    (stubs / "sudo").write_text('#!/bin/sh\nexec "$@"\n')
    (stubs / "docker").write_text('#!/bin/sh\necho "SOURCE_GIT_COMMIT=${SOURCE_GIT_COMMIT:-} $*" >> "$DOCKER_LOG"\n'
                                  'case "$*" in *"object_store.py has"*) exit 1 ;; esac\nexit 0\n')
    git = shutil.which("git")
    (stubs / "git").write_text(f'#!/bin/sh\nif [ "$1" = clone ]; then cp -a "$CLONE_SOURCE" "$3"; exit $?; fi\n'
                               f'exec {git} "$@"\n')
    for stub in stubs.iterdir():
        stub.chmod(0o755)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, check=False).stdout.strip()
    for server, command in boots:
        home = tmp_path / server
        home.mkdir()
        for upload in (c for c in uploads if c["kwargs"]["_server"] == server):
            (home / upload["args"][1]).write_text(upload["kwargs"]["_content"])
        docker_log = home / "docker.log"
        env = {"PATH": f"{stubs}:/usr/bin:/bin", "HOME": str(home), "USER": "cc", "DOCKER_LOG": str(docker_log),
               "CLONE_SOURCE": str(project)}
        done = subprocess.run(shlex.split(command), cwd=home, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"{server}: {command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        builds = [line for line in docker_log.read_text().splitlines() if " compose build" in line]
        assert builds and all(line.startswith(f"SOURCE_GIT_COMMIT={head} ") for line in builds), builds
        stack = [line for line in docker_log.read_text().splitlines() if "up -d --wait mlflow" in line]
        assert bool(stack) == (server == servers[0]), f"{server}: only the first server runs the MLflow stack"


def test_teardown_releases_what_provision_created(project, tmp_path):
    state = project / "infra" / "chameleon" / "state.json"
    if not state.exists():
        provision(project, tmp_path)
    log = tmp_path / "teardown-calls.jsonl"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ssh").write_text("#!/bin/sh\necho backed up\n")
    (bin_dir / "ssh").chmod(0o755)
    env = dict(os.environ, PYTHONPATH=str(FAKE_CHI), FAKE_CHI_LOG=str(log), OS_PROJECT_NAME="CHI-000000",
               PATH=f"{bin_dir}:{os.environ['PATH']}")
    done = subprocess.run([sys.executable, "infra/chameleon/teardown.py"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"teardown.py exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    calls = [json.loads(line)["call"] for line in log.read_text().splitlines()]
    assert "chi.server.Server.delete" in calls and "chi.lease.delete_lease" in calls
    assert not state.exists()
