#!/usr/bin/env python3
"""Run N consecutive 2-process torchrun jobs of generated pytorch and lightning projects on the CPU.

Each framework's project is generated from the template (`mlrepro init`), installed into one shared
virtualenv (the CPU torch wheel from --wheels in place of the torch pin, every other pin of the
generated pyproject.toml from PyPI, as Tests/TemplateTests/test_distributed.py does), then trained
COUNT times with `torchrun --standalone --nproc-per-node=2 -m <package>.train --set train.epochs=2`
(OMP_NUM_THREADS=1; one SQLite MLflow store per framework, made afresh by each invocation), the
frameworks taking turns. Prints one line per job and a summary per framework; the log of every
failed job is kept under --work. Exits 1 when any job failed.

    python3 scripts/stress_ddp.py --mlrepro .build/debug/mlrepro --count 50
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def sh(argv: list, cwd: Path | None = None, **kwargs) -> None:
    subprocess.run([str(a) for a in argv], cwd=cwd, check=True, **kwargs)


def generate(mlrepro: Path, template: Path, work: Path, framework: str) -> Path:
    project = work / f"{framework}-stress"
    shutil.rmtree(project, ignore_errors=True)
    answers = work / f"{framework}-answers.yml"
    answers.write_text(f"framework: {framework}\naccelerator: cpu\ntracking: mlflow-local\ndata_versioning: none\n")
    env = dict(os.environ, NO_COLOR="1", GIT_AUTHOR_NAME="Ada Lovelace", GIT_AUTHOR_EMAIL="ada@example.org",
               GIT_COMMITTER_NAME="Ada Lovelace", GIT_COMMITTER_EMAIL="ada@example.org")
    sh([mlrepro, "init", project, "--template", template, "--answers", answers, "--defaults", "--no-probe",
        "--quiet"], env=env, stdin=subprocess.DEVNULL)
    return project


def ensure_venv(venv: Path, wheels: Path, projects: list[Path]) -> Path:
    """The shared virtualenv: rebuilt only when the set of pins changes."""
    pins = sorted({pin for project in projects
                   for pin in tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]
                   if not pin.startswith("torch==")})
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    wheel = sorted(wheels.glob(f"torch-*+cpu-{tag}-*.whl"))
    if not wheel:
        raise SystemExit(f"no CPU torch wheel for {tag} in {wheels}")
    wanted = "\n".join([wheel[-1].name, *pins]) + "\n"
    marker = venv / ".stress-installed"
    python = venv / "bin" / "python"
    if not (marker.exists() and marker.read_text() == wanted):
        if not python.exists():
            sh([sys.executable, "-m", "venv", venv])
        sh([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--find-links", wheels,
            wheel[-1], *pins])
        marker.write_text(wanted)
    for project in projects:
        sh([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "-e", project])
    return python


def job(python: Path, project: Path, store: Path, timeout: int) -> tuple[int | str, str]:
    """One `torchrun --standalone --nproc-per-node=2` training job: (exit status or "timeout", output)."""
    env = dict(os.environ, MLFLOW_TRACKING_URI=f"sqlite:///{store}", OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    argv = [python, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2", "-m",
            f"{project.name.replace('-', '_')}.train", "--set", "train.epochs=2"]
    try:
        done = subprocess.run([str(a) for a in argv], check=False, cwd=project, env=env, capture_output=True,
                              text=True, timeout=timeout)
        return done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as expired:
        parts = (expired.stdout, expired.stderr)
        return "timeout", "".join(p.decode() if isinstance(p, bytes) else (p or "") for p in parts)


def stress(python: Path, projects: list[Path], count: int, timeout: int, work: Path) -> dict[str, list]:
    """COUNT rounds of one job per project (interleaved, so that every framework gets as many jobs
    when the run is cut short); {project: [succeeded, failed, seconds]}."""
    tally = {project.name: [0, 0, 0.0] for project in projects}
    for project in projects:
        (work / f"{project.name}.db").unlink(missing_ok=True)
    for attempt in range(1, count + 1):
        for project in projects:
            started = time.perf_counter()
            code, output = job(python, project, work / f"{project.name}.db", timeout)
            seconds = time.perf_counter() - started
            counts = tally[project.name]
            counts[2] += seconds
            if code == 0:
                counts[0] += 1
                print(f"{project.name} {attempt}/{count}: ok in {seconds:.1f} s", flush=True)
            else:
                counts[1] += 1
                log = work / f"{project.name}-failed-{attempt}.log"
                log.write_text(output)
                print(f"{project.name} {attempt}/{count}: FAILED ({code}) in {seconds:.1f} s, log {log}", flush=True)
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mlrepro", type=Path, default=REPO / ".build" / "debug" / "mlrepro")
    parser.add_argument("--template", type=Path, default=REPO / "Templates" / "ml-research")
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--frameworks", nargs="+", default=["pytorch", "lightning"],
                        choices=["pytorch", "lightning"])
    parser.add_argument("--venv", type=Path, default=REPO / "out" / "ddp-venv")
    parser.add_argument("--wheels", type=Path, default=Path(os.environ.get("TORCH_WHEELS", "/opt/wheels")))
    parser.add_argument("--work", type=Path, default=REPO / "out" / "stress-ddp")
    parser.add_argument("--timeout", type=int, default=600, help="seconds one job may take")
    args = parser.parse_args()
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    projects = [generate(args.mlrepro.resolve(), args.template.resolve(), args.work, f) for f in args.frameworks]
    python = ensure_venv(args.venv.resolve(), args.wheels, projects)
    tally = stress(python, projects, args.count, args.timeout, args.work)
    for name, (succeeded, failed, seconds) in tally.items():
        print(f"{name}: {succeeded} succeeded, {failed} failed of {args.count} jobs in {seconds:.0f} s "
              f"({seconds / max(args.count, 1):.1f} s per job)")
    return 1 if any(failed for _, failed, _ in tally.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
