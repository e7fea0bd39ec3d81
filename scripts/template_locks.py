#!/usr/bin/env python3
"""Refresh the hashed lock files the built-in template ships (`make template-locks`).

    template_locks.py --mlrepro BIN [--frameworks sklearn ...] [--pythons 3.11 ...] [--mlflow-image]

For every (framework, variant, Python, tracking, huggingface) asked for, a project is generated
from Templates/ml-research with the given binary and its pyproject.toml is resolved with
`uv pip compile --universal --generate-hashes` into

    Templates/ml-research/locks/<framework>-<variant>-py<python>-<server|local>[-hf].txt

which the template renders as the project's requirements.lock. Every lock holds the project's
dependencies and every optional tool the template's extras can name (`dev`: pytest, ruff, pip-tools,
DVC with its S3 support; `notebooks`: JupyterLab), so `make setup` installs exactly the lock, dev
tools included and hashed, whatever the answers (the project is generated with DVC, an S3 remote and
notebooks, and resolved with `--all-extras`). The variant is what changes the
dependency set: `cpu` for sklearn (its packages do not depend on the accelerator), the CUDA
version for tensorflow (cpu, cu125: `tensorflow[and-cuda]`) and jax (cpu, cu129, cu130: `jax[cuda12]`,
`jax[cuda13]`), all from PyPI, and the PyTorch wheel index name for pytorch and lightning (cpu,
cu126, cu128, cu130, rocm6.4). Torch is resolved
from its own index only (uv's default first-index strategy: a package found on the PyTorch index
is never taken from PyPI), everything else from PyPI.

`--mlflow-image` also refreshes docker/mlflow/requirements.lock (the tracking server's image).

A lock that exists keeps its pins (uv prefers the versions in the output file); UPGRADE_LOCKS=1 re-resolves
everything. Lock files are data: refresh them deliberately, review the diff, and commit. The template only
renders a lock for the frameworks named in the condition of its
`{% if ... %}requirements.lock{% endif %}.jinja` file name: extend it when you add locks.
"""
from __future__ import annotations

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "Templates" / "ml-research"
LOCKS = TEMPLATE / "locks"
PYPI = "https://pypi.org/simple"
TORCH_INDEX = "https://download.pytorch.org/whl/{variant}"
PYTHONS = ["3.10", "3.11", "3.12"]
VARIANTS = {"sklearn": ["cpu"], "pytorch": ["cpu", "cu126", "cu128", "cu130", "rocm6.4"],
            "lightning": ["cpu", "cu126", "cu128", "cu130", "rocm6.4"],
            "tensorflow": ["cpu", "cu125"], "jax": ["cpu", "cu129", "cu130"]}
ACCELERATOR = {"cpu": ("cpu", None), "cu125": ("nvidia", "12.5"), "cu126": ("nvidia", "12.6"),
               "cu128": ("nvidia", "12.8"), "cu129": ("nvidia", "12.9"), "cu130": ("nvidia", "13.0"),
               "rocm6.4": ("amd", None)}
# Combinations the template does not offer (jax 0.6.2, the last for Python 3.10, has no cuda13 extra).
UNOFFERED = {("jax", "cu130", "3.10")}
# Frameworks whose every package is on PyPI (their CUDA builds are PyPI extras, not another index).
PYPI_ONLY = {"sklearn", "tensorflow", "jax"}


def lock_name(framework: str, variant: str, python: str, tracking: str, huggingface: bool) -> str:
    kind = "server" if tracking == "mlflow-server" else "local"
    return f"{framework}-{variant}-py{python}-{kind}{'-hf' if huggingface else ''}.txt"


def compile_lock(uv: str, source: Path, output: Path, python: str, indexes: list[str], universal: bool = True) -> None:
    argv = [uv, "pip", "compile", str(source), "--all-extras", "--generate-hashes", "--quiet", "--no-header",
            "--python-version", python, "--output-file", str(output), "--index-url", indexes[0]]
    for extra in indexes[1:]:
        argv += ["--extra-index-url", extra]
    if universal:
        argv.append("--universal")
    subprocess.run(argv, check=True, cwd=source.parent)


def header(command: str) -> str:
    return ("# Hashed lock of the project's dependencies, shipped by the ml-research template.\n"
            f"# Produced by `make template-locks` in the mlrepro repository ({command}).\n"
            "# Install: pip install --no-deps --require-hashes -r requirements.lock (make setup);"
            " refresh: make lock.\n")


def project_lock(mlrepro: str, uv: str, work: Path, framework: str, variant: str, python: str,
                 tracking: str, huggingface: bool) -> Path:
    accelerator, cuda = ACCELERATOR[variant]
    # DVC with an S3 remote and notebooks: the project's extras then name every tool any answers can add.
    answers = {"framework": framework, "accelerator": accelerator, "python_version": python,
               "tracking": tracking, "huggingface": huggingface, "data_versioning": "dvc", "dvc_remote": "s3",
               "notebooks": True, "ci": "none"}
    if cuda and framework != "sklearn":
        answers["cuda_version"] = cuda
    name = lock_name(framework, variant, python, tracking, huggingface)
    target = LOCKS / name
    if not target.exists():
        # The template includes this file while the project is rendered: a first lock starts empty.
        target.write_text("# placeholder while template_locks.py resolves this lock\n")
    dest = work / name.removesuffix(".txt").replace(".", "-")
    answers_file = work / f"{dest.name}.yml"
    answers_file.write_text(yaml.safe_dump(answers))
    subprocess.run([mlrepro, "init", str(dest), "--template", str(TEMPLATE), "--answers", str(answers_file),
                    "--defaults", "--no-probe", "--no-git", "--quiet"], check=True, stdout=subprocess.DEVNULL)
    indexes = [PYPI] if framework in PYPI_ONLY else [TORCH_INDEX.format(variant=variant), PYPI]
    raw = work / f"{dest.name}.lock"
    if target.read_text().startswith("# Hashed lock"):
        # uv prefers the versions already in the output file: a new dependency adds its own packages
        # without moving every other pin (UPGRADE_LOCKS=1 re-resolves everything to the newest).
        if os.environ.get("UPGRADE_LOCKS") != "1":
            shutil.copyfile(target, raw)
    compile_lock(uv, dest / "pyproject.toml", raw, python, indexes)
    target.write_text(header(f"{framework}, {variant}, Python {python}, {tracking}"
                             f"{', huggingface' if huggingface else ''}")
                      + raw.read_text().replace(f"{dest.name} (pyproject.toml)", "pyproject.toml"))
    return target


def mlflow_image_lock(uv: str) -> Path:
    folder = TEMPLATE / "project" / "{% if tracking == 'mlflow-server' %}docker{% endif %}" / "mlflow"
    source = folder / "requirements.in"
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / "requirements.lock"
        # The image is python:3.11 on Linux: resolve for that platform only.
        subprocess.run([uv, "pip", "compile", source.name, "--generate-hashes", "--quiet", "--no-header",
                        "--python-version", "3.11", "--python-platform", "x86_64-manylinux_2_28",
                        "--index-url", PYPI, "--output-file", str(raw)], check=True, cwd=folder)
        target = folder / "requirements.lock"
        target.write_text("# Hashed lock of the MLflow server image (docker/mlflow/requirements.in, Python 3.11,\n"
                          "# Linux x86_64), produced by `make template-locks` in the mlrepro repository.\n"
                          + raw.read_text())
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mlrepro", required=True, help="the mlrepro binary that renders the template")
    parser.add_argument("--uv", default=shutil.which("uv") or "uv", help="the uv executable")
    parser.add_argument("--frameworks", nargs="+", default=["sklearn"], choices=sorted(VARIANTS))
    parser.add_argument("--variants", nargs="+", help="only these variants (default: every one of the framework)")
    parser.add_argument("--pythons", nargs="+", default=PYTHONS, choices=PYTHONS)
    parser.add_argument("--mlflow-image", action="store_true", help="also lock docker/mlflow/requirements.in")
    args = parser.parse_args()
    if not os.access(args.mlrepro, os.X_OK):
        print(f"template-locks: {args.mlrepro} is not an executable mlrepro binary", file=sys.stderr)
        return 2
    if shutil.which(args.uv) is None and not os.access(args.uv, os.X_OK):
        print(f"template-locks: uv not found ({args.uv}); `make template-locks` installs it", file=sys.stderr)
        return 2
    args.uv = os.path.abspath(args.uv) if os.path.sep in args.uv else shutil.which(args.uv)
    args.mlrepro = os.path.abspath(args.mlrepro)
    LOCKS.mkdir(exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="mlrepro-locks-") as scratch:
        work = Path(scratch)
        for framework in args.frameworks:
            variants = [v for v in VARIANTS[framework] if not args.variants or v in args.variants]
            combos = itertools.product(variants, args.pythons, ["mlflow-server", "mlflow-local"], [False, True])
            for variant, python, tracking, huggingface in combos:
                if (framework, variant, python) in UNOFFERED:
                    continue
                try:
                    written.append(project_lock(args.mlrepro, args.uv, work, framework, variant, python,
                                                tracking, huggingface))
                except subprocess.CalledProcessError as error:
                    print(f"template-locks: {framework} {variant} Python {python} {tracking}: {error}",
                          file=sys.stderr)
                    return 1
                print(f"template-locks: wrote {written[-1].relative_to(REPO)}")
    if args.mlflow_image:
        written.append(mlflow_image_lock(args.uv))
        print(f"template-locks: wrote {written[-1].relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
