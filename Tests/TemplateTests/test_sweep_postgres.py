"""A sweep of an mlflow-server project keeps its Optuna study in the tracking stack's PostgreSQL by default:
the database that compose's Postgres init script creates, reached with the credentials of .env. A real
PostgreSQL server (Debian's postgresql, as `make test-stack` starts it; as the postgres user when the
test runs as root) on 127.0.0.1 stands in for the compose service; two worker processes run trials of
one study in parallel against it.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from cpu_projects import environment, generate, package, runs, sh, venv

SWEEP = {
    "base_config": "configs/train.yaml",
    "metric": "test_accuracy",
    "direction": "maximize",
    "sampler": "tpe",
    "n_trials": 6,
    "seeds": [0],
    "sampler_seed": 0,
    "parameters": {"model.alpha": {"low": 1.0e-5, "high": 1.0e-1, "log": True}},
}

READ_STUDY = textwrap.dedent("""
    import json, sys
    import optuna
    study = optuna.load_study(study_name=sys.argv[2], storage=sys.argv[1])
    print(json.dumps([{"number": t.number, "state": t.state.name, "attrs": t.user_attrs} for t in study.trials]))
""")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """Start a PostgreSQL server on 127.0.0.1; yields start(user, password) -> (port, bin folder)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL server binaries not found: run `scripts/deps.sh stack` (apt-get install postgresql)")
    binaries = Path(found[-1]).parent
    servers: list[subprocess.Popen] = []
    folders: list[Path] = []

    def start(user: str, password: str) -> tuple[int, Path]:
        # Under /tmp, not pytest's folder: the postgres user must reach it when the test runs as root.
        work = Path(tempfile.mkdtemp(prefix="mlrepro-postgres-"))
        folders.append(work)
        data, sockets, pwfile = work / "data", work / "sockets", work / "pwfile"
        data.mkdir()
        sockets.mkdir()
        pwfile.write_text(password + "\n")
        as_owner: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            owner = pwd.getpwnam("postgres")
            for path in (work, data, sockets, pwfile):
                os.chown(path, owner.pw_uid, owner.pw_gid)
            as_owner = ["runuser", "-u", "postgres", "--"]
        made = subprocess.run([*as_owner, binaries / "initdb", "-D", data, "-U", user, "--pwfile", pwfile,
                               "-A", "scram-sha-256", "--no-sync"], check=False, capture_output=True, text=True)
        assert made.returncode == 0, made.stdout + made.stderr
        port = free_port()
        log = (work / "server.log").open("wb")
        servers.append(subprocess.Popen([*as_owner, binaries / "postgres", "-D", data, "-p", str(port), "-k", sockets,
                                         "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        for _ in range(100):
            if subprocess.run([binaries / "pg_isready", "-h", "127.0.0.1", "-p", str(port)],
                              check=False, capture_output=True).returncode == 0:
                return port, binaries
            time.sleep(0.2)
        pytest.fail(f"PostgreSQL did not start:\n{(work / 'server.log').read_text()[-3000:]}")

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=30)
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def dotenv(project: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in (project / ".env").read_text().splitlines()
                if line and not line.startswith("#"))


def test_two_workers_share_one_study_in_the_tracking_postgres(postgres, tmp_path_factory):
    project = generate(tmp_path_factory.mktemp("sweep-pg"), "sweep-pg", "sklearn", tracking="mlflow-server")
    python = venv(tmp_path_factory, [project])
    settings = dotenv(project)
    user, password = settings["POSTGRES_USER"], settings["POSTGRES_PASSWORD"]
    assert settings["OPTUNA_DB"] == "optuna" and len(password) >= 16
    port, binaries = postgres(user, password)
    client = {"PGHOST": "127.0.0.1", "PGPORT": str(port), "PGUSER": user, "PGPASSWORD": password}
    subprocess.run([binaries / "createdb", settings["POSTGRES_DB"]], check=True, env=dict(os.environ, **client))

    # compose.yaml mounts the init script where the postgres image runs it, with the database's name.
    compose = yaml.safe_load((project / "compose.yaml").read_text())["services"]["postgres"]
    assert "./docker/postgres/initdb:/docker-entrypoint-initdb.d:ro" in compose["volumes"]
    assert compose["environment"]["OPTUNA_DB"] == "${OPTUNA_DB:-optuna}"
    assert compose["ports"] == ["127.0.0.1:${POSTGRES_PORT:-5432}:5432"]
    init_env = dict(os.environ, **client, POSTGRES_USER=user, POSTGRES_DB=settings["POSTGRES_DB"],
                    PATH=f"{binaries}:{os.environ['PATH']}")
    for _ in range(2):  # the second run finds the database and changes nothing
        sh(["sh", project / "docker" / "postgres" / "initdb" / "optuna.sh"], project, env=init_env)
    listed = sh([binaries / "psql", "-At", "-d", settings["POSTGRES_DB"], "-c", "select datname from pg_database"],
                project, env=dict(os.environ, **client)).stdout.split()
    assert "optuna" in listed

    # The sweep finds the server through .env alone: no storage in the sweep file, no OPTUNA_STORAGE.
    env_file = project / ".env"
    env_file.write_text(env_file.read_text().replace("POSTGRES_PORT=5432", f"POSTGRES_PORT={port}"))
    config = project / "configs" / "train.yaml"
    config.write_text(config.read_text().replace("epochs: 10", "epochs: 2"))
    (project / "configs" / "sweep-pg.yaml").write_text(yaml.safe_dump(SWEEP))
    env = {k: v for k, v in environment(project).items() if not k.startswith(("OPTUNA_", "POSTGRES_"))}
    module = [python, "-m", f"{package(project)}.sweep"]
    parent = sh([*module, "--config", "configs/sweep-pg.yaml", "--prepare"], project, env=env).stdout.split()[-1]
    workers = [subprocess.Popen([str(a) for a in [*module, "--worker", parent]], cwd=project, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [worker.communicate(timeout=900) for worker in workers]
    for worker, (out, err) in zip(workers, outputs):
        assert worker.returncode == 0, out[-3000:] + err[-4000:]
    sh([*module, "--summarize", parent], project, env=env)

    # One study in the optuna database: six trials run, numbered 0-5 once each, by both workers.
    storage = f"postgresql+psycopg2://{user}:{password}@127.0.0.1:{port}/optuna"
    trials = __import__("json").loads(sh([python, "-c", READ_STUDY, storage, parent], project).stdout)
    complete = [t for t in trials if t["state"] == "COMPLETE"]
    assert sorted(t["number"] for t in complete) == list(range(6))
    assert len({t["number"] for t in trials}) == len(trials), "duplicate trial numbers"
    assert all(t["state"] == "PRUNED" and "not_run" in t["attrs"] for t in trials if t not in complete)
    ran = [set(map(int, re.findall(r"^trial (\d+):", out, re.MULTILINE))) for out, _ in outputs]
    assert all(ran) and not ran[0] & ran[1] and ran[0] | ran[1] == set(range(6)), ran
    studies = sh([binaries / "psql", "-At", "-d", "optuna", "-c", "select study_name from studies"], project,
                 env=dict(os.environ, **client)).stdout.split()
    assert studies == [parent]

    # One parent run with six nested runs, one per trial; the password is nowhere in the run.
    recorded = runs(python, project)
    parents = [run for run in recorded if run["tags"].get("sweep.role") == "parent"]
    assert [run["run_id"] for run in parents] == [parent]
    nested = [run for run in recorded if run["tags"].get("mlflow.parentRunId") == parent]
    assert len(recorded) == 7 and len(nested) == 6
    assert sorted(run["tags"]["sweep.trial"] for run in nested) == [str(n) for n in range(6)]
    assert {t["attrs"]["mlflow_run_id"] for t in complete} == {run["run_id"] for run in nested}
    assert parents[0]["status"] == "FINISHED" and parents[0]["metrics"]["trials_finished"] == 6
    assert parents[0]["params"]["sweep.storage"] == f"postgresql+psycopg2://{user}:***@127.0.0.1:{port}/optuna"
    assert password not in repr(recorded)


def test_without_credentials_or_server_the_sweep_says_what_is_missing(tmp_path_factory):
    project = generate(tmp_path_factory.mktemp("sweep-pg-errors"), "sweep-pg-err", "sklearn",
                       tracking="mlflow-server")
    python = venv(tmp_path_factory, [project])
    (project / "configs" / "sweep-pg.yaml").write_text(yaml.safe_dump(SWEEP))
    env = {k: v for k, v in environment(project).items() if not k.startswith(("OPTUNA_", "POSTGRES_"))}
    argv = [python, "-m", f"{package(project)}.sweep", "--config", "configs/sweep-pg.yaml", "--prepare"]

    # No server on the port: a clear error, no parent run left open, the password not printed.
    password = dotenv(project)["POSTGRES_PASSWORD"]
    closed = sh(argv, project, env=dict(env, POSTGRES_PORT=str(free_port())), check=False)
    assert closed.returncode == 2, closed.stderr[-3000:]
    assert "cannot be used" in closed.stderr and "make up" in closed.stderr
    assert password not in closed.stdout + closed.stderr
    assert [run["status"] for run in runs(python, project)] == ["FAILED"]

    # Credentials missing from .env: refused before any run is created.
    shutil.move(project / ".env", project / ".env.saved")
    before = len(runs(python, project))
    missing = sh(argv, project, env=env, check=False)
    assert missing.returncode == 2
    assert "set POSTGRES_USER and POSTGRES_PASSWORD" in missing.stderr and ".env" in missing.stderr
    assert len(runs(python, project)) == before

    # An explicit OPTUNA_STORAGE wins over the tracking database.
    shutil.move(project / ".env.saved", project / ".env")
    explicit = sh(argv, project, env=dict(env, OPTUNA_STORAGE=f"sqlite:///{project / 'explicit.db'}"))
    parent = explicit.stdout.split()[-1]
    study = sh([python, "-c", READ_STUDY, f"sqlite:///{project / 'explicit.db'}", parent], project)
    assert study.stdout.strip() == "[]"
