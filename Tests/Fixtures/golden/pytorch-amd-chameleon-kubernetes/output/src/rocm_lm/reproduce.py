"""Reproduce a recorded MLflow run and say whether it reproduced.

    python -m rocm_lm.reproduce RUN_ID
        [--allow-dirty] [--python PATH | --in image] [--config configs/train.yaml]

1. checks out the run's commit in a separate git worktree (outputs/reproduce/RUN_ID/source); a run
   recorded as dirty is refused unless --allow-dirty (ALLOW_DIRTY=1), which applies the run's
   recorded `provenance/git-diff.patch` on top;
2. builds the environment from that commit's locks as `make setup` does (a virtualenv per lock under
   outputs/reproduce/envs), or uses --python; or, with --in image (REPRODUCE_IN=image), runs in the
   container image the run recorded, by its digest (`docker run`), instead of a virtualenv;
3. verifies the dataset: the manifest's sha256 must equal the run's `dataset.manifest_sha256`, every
   file listed must match its checksum (files missing in the worktree are taken from this checkout);
4. compares this machine with the run's `environment.json` and `framework.json`;
5. trains with the run's recorded config and seed: a new run, tagged `reproduces.run_id`;
6. compares every metric: exactly where the run recorded deterministic mode and the machine is of the
   same kind, else within the tolerance of `reproduce.tolerance` in the config; prints the table and
   logs it as `reproduce/comparison.md` and `reproduce/comparison.json` of the new run.

Exit status: 0 every metric reproduced, 1 at least one did not, 2 refused before training.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import data

DEFAULT_TRACKING_URI = "http://127.0.0.1:5000"
DEFAULT_TOLERANCE = {"abs": 1e-6, "rel": 1e-4}
# Never compared: wall-clock time and the system metrics sampled while training.
ALWAYS_IGNORED = ("train_seconds", "system/")


class Refused(Exception):
    """The run cannot be reproduced as recorded (exit 2, before any training)."""


@dataclass(frozen=True)
class Row:
    metric: str
    original: float
    reproduced: float | None
    tolerance: str
    within: bool

    @property
    def difference(self) -> float | None:
        return None if self.reproduced is None else self.reproduced - self.original


# MARK: - Tracking


def tracking_uri(root: Path) -> str:
    """$MLFLOW_TRACKING_URI with a relative SQLite path made absolute (training runs in the worktree)."""
    uri = os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI
    prefix = "sqlite:///"
    if uri.startswith(prefix) and not uri.startswith(prefix + "/"):
        return prefix + str((root / uri[len(prefix):]).resolve())
    return uri


def download_json(client, run_id: str, path: str) -> dict:  # noqa: ANN001
    try:
        return json.loads(Path(client.download_artifacts(run_id, path)).read_text())
    except Exception:  # noqa: BLE001  (an artifact a run never logged)
        return {}


def download_text(client, run_id: str, path: str) -> str | None:  # noqa: ANN001
    try:
        return Path(client.download_artifacts(run_id, path)).read_text()
    except Exception:  # noqa: BLE001
        return None


# MARK: - Source


def git(root: Path, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["git", *argv], cwd=root, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise Refused(f"git {' '.join(argv)}: {done.stderr.strip() or done.stdout.strip()}")
    return done


def checkout(root: Path, commit: str, folder: Path, patch: str | None) -> Path:
    """A detached worktree of `commit` at `folder` (replacing an earlier one), with `patch` applied."""
    if git(root, "cat-file", "-e", f"{commit}^{{commit}}", check=False).returncode != 0:
        raise Refused(f"commit {commit} is not in this repository (git fetch the branch it was made on)")
    if folder.exists():
        git(root, "worktree", "remove", "--force", str(folder), check=False)
        shutil.rmtree(folder, ignore_errors=True)
    git(root, "worktree", "prune")
    folder.parent.mkdir(parents=True, exist_ok=True)
    git(root, "worktree", "add", "--detach", "--force", str(folder), commit)
    if patch:
        patch_file = folder.parent / "git-diff.patch"
        patch_file.write_text(patch)
        git(folder, "apply", "--binary", "--whitespace=nowarn", str(patch_file))
    return folder


def remove_checkout(root: Path, folder: Path) -> None:
    git(root, "worktree", "remove", "--force", str(folder), check=False)
    git(root, "worktree", "prune", check=False)


# MARK: - Environment


def environment(source: Path, envs: Path) -> Path:
    """The Python of a virtualenv holding exactly `source`'s locks (requirements-torch.lock, requirements.lock),
    as `make setup` builds it: every file hashed, one index per install, no dependency resolved beyond the
    lock, the project itself without dependencies, then `pip check` (reused while the locks are the same)."""
    lock = source / "requirements.lock"
    torch_lock = source / "requirements-torch.lock"
    locks = [torch_lock, lock]
    digest = hashlib.sha256()
    for path in (*locks, source / "pyproject.toml"):
        if path.exists():
            digest.update(path.read_bytes())
    venv = envs / digest.hexdigest()[:16]
    python = venv / "bin" / "python"
    if (venv / ".complete").exists():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    pypi = os.environ.get("PYPI_INDEX_URL", "https://pypi.org/simple")
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    steps = [[sys.executable, "-m", "venv", str(venv)]]
    torch_index = os.environ.get("TORCH_INDEX_URL", "https://download.pytorch.org/whl/rocm6.4")
    if all(path.exists() for path in locks):
        steps.append([*pip, "--no-deps", "--require-hashes", "--index-url", torch_index, "-r", str(torch_lock)])
        steps.append([*pip, "--no-deps", "--require-hashes", "--index-url", pypi, "-r", str(lock)])
        steps.append([*pip, "--no-deps", "--no-build-isolation", "--no-index", "-e", str(source)])
    else:
        print("warning: no lock at this commit; installing the pins of pyproject.toml without hashes",
              file=sys.stderr)
        # torch's requirements that only PyTorch's index publishes (pytorch-triton-rocm), as `make setup`.
        index_only = ("import importlib.metadata as m, pathlib, sys; pathlib.Path(sys.argv[1]).write_text(''.join("
                      "r.split(';')[0].replace(' ', '') + chr(10) for r in m.requires('torch') or [] "
                      "if r.startswith('pytorch-')))")
        listed = venv / "torch-index-only.txt"
        steps.append([*pip, "--no-deps", "--index-url", torch_index,
                      "torch==2.15.0"])
        steps.append([str(python), "-c", index_only, str(listed)])
        steps.append([*pip, "--no-deps", "--index-url", torch_index, "-r", str(listed)])
        steps.append([*pip, "--index-url", pypi, "-e", str(source)])
    steps.append([str(python), "-m", "pip", "check"])
    for step in steps:
        print("+ " + " ".join(step), flush=True)
        if subprocess.run(step, check=False).returncode != 0:
            raise Refused(f"could not build the environment of the run's commit ({' '.join(step[:4])} failed)")
    (venv / ".complete").write_text("")
    return python


# MARK: - Container image

# Passed to the container by name only (`-e NAME`): their values never appear on a command line.
IMAGE_ENVIRONMENT = ("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD",
                     "MLFLOW_TRACKING_TOKEN", "MLFLOW_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                     "HF_TOKEN", "PYTHONHASHSEED", "CUBLAS_WORKSPACE_CONFIG", "OMP_NUM_THREADS",
                     "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "CONTAINER_IMAGE", "CONTAINER_IMAGE_ID")


def recorded_image(run_id: str, tags: dict[str, str]) -> str:
    """The image a run was trained in, by digest: its `container.image` when that names a registry digest
    (name@sha256:..., pullable anywhere), else its `container.image_id` (sha256:..., the local image ID)."""
    image, image_id = tags.get("container.image", "none"), tags.get("container.image_id", "none")
    if "@sha256:" in image:
        return image
    if image_id.startswith("sha256:") and len(image_id) == len("sha256:") + 64:
        return image_id
    raise Refused(f"run {run_id} recorded no container image digest (container.image={image}, "
                  f"container.image_id={image_id}): only runs trained in the image (`make train-container`) can be "
                  "reproduced in it; reproduce it in a virtualenv from its lock instead (without REPRODUCE_IN=image)")


def image_runner(image: str, root: Path, source: Path) -> list[str]:
    """`docker run` of `image` with the project folder mounted at its own path (the worktree, its data, the
    SQLite tracking store and outputs keep their paths), working in the worktree, as this user, on the host
    network (an MLflow server on 127.0.0.1); the code that runs is the image's own installed package."""
    if shutil.which("docker") is None:
        raise Refused("REPRODUCE_IN=image needs docker on PATH")
    argv = ["docker", "run", "--rm", "--network", "host", "--user", f"{os.getuid()}:{os.getgid()}",
            "-v", f"{root}:{root}", "-w", str(source), "-e", "HOME=/tmp"]
    argv += ["--device", "/dev/kfd", "--device", "/dev/dri", "--group-add", "video"]
    for name in IMAGE_ENVIRONMENT:
        argv += ["-e", name]
    return [*argv, image, "python"]


# MARK: - Data


def verify_dataset(source: Path, root: Path, config: dict, expected_manifest: str | None) -> None:
    """The run's manifest must be the one recorded, and every file it lists must match its checksum."""
    settings = config.get("data") or {}
    manifest_path = source / settings.get("manifest", "data/manifest.yaml")
    if not manifest_path.is_file():
        raise Refused(f"{manifest_path.relative_to(source)}: missing at the run's commit")
    actual = data.sha256_file(manifest_path)
    if expected_manifest and actual != expected_manifest:
        raise Refused(f"{manifest_path.relative_to(source)}: sha256 {actual} differs from the run's "
                      f"dataset.manifest_sha256 {expected_manifest}")
    try:
        dataset = data.find_dataset(data.load_manifest(manifest_path), settings.get("dataset", "synthetic"),
                                    manifest_path)
        for item in dataset.get("files") or []:
            relative = Path(str(item.get("path", "")))
            here, there = root / relative, source / relative
            if not there.exists() and here.is_file() and not relative.is_absolute() and ".." not in relative.parts:
                there.parent.mkdir(parents=True, exist_ok=True)
                there.symlink_to(here.resolve())
        data.verify_files(dataset, source)
    except data.ManifestError as error:
        raise Refused(f"the dataset does not match the run's manifest: {error}") from error


# MARK: - Machine


def _versions(record: dict, framework: dict) -> dict[str, object]:
    gpus = [gpu.get("name") for gpu in (record.get("nvidia") or {}).get("gpus") or []]
    gpus += [gpu.get("name") for gpu in (record.get("amd") or {}).get("gpus") or []]
    fields: dict[str, object] = {
        "CPU": (record.get("host") or {}).get("cpu_model"),
        "architecture": (record.get("host") or {}).get("arch"),
        "OS": (record.get("host") or {}).get("os_name"),
        "GPUs": ", ".join(str(name) for name in gpus) or "none",
        "NVIDIA driver": (record.get("nvidia") or {}).get("driver_version"),
        "CUDA (driver)": (record.get("nvidia") or {}).get("cuda_driver_version"),
        "CUDA toolkit": (record.get("cuda_toolkit") or {}).get("version"),
        "cuDNN": (record.get("libraries") or {}).get("cudnn_version"),
        "ROCm": (record.get("amd") or {}).get("rocm_version"),
        "Python": (record.get("python") or {}).get("version"),
    }
    for key, value in sorted(framework.items()):
        if key not in ("framework", "devices"):
            fields[f"{key} (framework build)" if key in ("cuda", "cudnn", "hip") else key] = value
    return fields


def machine_differences(original: tuple[dict, dict], here: tuple[dict, dict]) -> list[tuple[str, object, object]]:
    """(what, the run's, this machine's) for every field that differs."""
    before, now = _versions(*original), _versions(*here)
    keys = list(before) + [key for key in now if key not in before]
    return [(key, before.get(key), now.get(key)) for key in keys if str(before.get(key)) != str(now.get(key))]


def this_machine(runner: list[str], source: Path, env: dict[str, str]) -> tuple[dict, dict]:
    probe = ("import json; from rocm_lm import provenance; "
             "print(json.dumps([provenance.environment_record(), provenance.framework_info()]))")
    done = subprocess.run([*runner, "-c", probe], cwd=source, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise Refused(f"cannot record this machine with the run's environment: {done.stderr.strip()[-800:]}")
    record, framework = json.loads(done.stdout.strip().splitlines()[-1])
    return record, framework


# MARK: - Comparison


def tolerances(config: dict) -> tuple[dict[str, dict], list[str]]:
    settings = config.get("reproduce") or {}
    table = dict(settings.get("tolerance") or {})
    return table, [str(name) for name in settings.get("ignore") or []]


def compare(original: dict[str, float], reproduced: dict[str, float], exact: bool,
            table: dict[str, dict], ignore: list[str]) -> list[Row]:
    rows = []
    default = {**DEFAULT_TOLERANCE, **(table.get("default") or {})}
    for metric in sorted(original):
        if metric in ignore or any(metric == skip or (skip.endswith("/") and metric.startswith(skip))
                                   for skip in ALWAYS_IGNORED):
            continue
        value, again = original[metric], reproduced.get(metric)
        if exact:
            rows.append(Row(metric, value, again, "exact", again is not None and again == value))
            continue
        bound = {**default, **(table.get(metric) or {})}
        absolute, relative = float(bound.get("abs", 0.0)), float(bound.get("rel", 0.0))
        within = again is not None and math.isfinite(again) and abs(again - value) <= absolute + relative * abs(value)
        rows.append(Row(metric, value, again, f"abs {absolute:g} + rel {relative:g}", within))
    return rows


def markdown(rows: list[Row], header: list[str]) -> str:
    def number(value: float | None) -> str:
        return "missing" if value is None else f"{value:.6g}"

    lines = header + ["", "| metric | original | reproduced | difference | tolerance | within |",
                      "|---|---:|---:|---:|---|---|"]
    for row in rows:
        lines.append(f"| {row.metric} | {number(row.original)} | {number(row.reproduced)} | {number(row.difference)} "
                     f"| {row.tolerance} | {'yes' if row.within else 'NO'} |")
    return "\n".join(lines) + "\n"


# MARK: - Command


def reproduce(run_id: str, root: Path, allow_dirty: bool, python: Path | None, config_path: Path,
              keep: bool, in_image: bool = False) -> int:
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    import mlflow
    from mlflow.tracking import MlflowClient

    uri = tracking_uri(root)
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri)
    try:
        run = client.get_run(run_id)
    except Exception as error:  # noqa: BLE001  (MlflowException: no such run)
        raise Refused(f"no run {run_id} at {uri}: {error}") from error
    tags = run.data.tags
    commit = tags.get("mlflow.source.git.commit", "unknown")
    if commit in ("", "unknown"):
        raise Refused(f"run {run_id} recorded no git commit")
    patch = None
    if tags.get("git.dirty") == "true":
        if not allow_dirty:
            raise Refused(f"run {run_id} was made from a dirty working tree (uncommitted changes on {commit[:12]}); "
                          "ALLOW_DIRTY=1 (--allow-dirty) reproduces it with its recorded provenance/git-diff.patch")
        patch = download_text(client, run_id, "provenance/git-diff.patch")
        if patch is None:
            raise Refused(f"run {run_id} is dirty but has no provenance/git-diff.patch to apply")
    image = recorded_image(run_id, tags) if in_image else None
    recorded = yaml.safe_load(download_text(client, run_id, "provenance/config.yaml") or "null")
    if not isinstance(recorded, dict):
        raise Refused(f"run {run_id} has no provenance/config.yaml artifact")
    environment_json = download_json(client, run_id, "provenance/environment.json")
    framework_json = download_json(client, run_id, "provenance/framework.json")
    determinism = download_json(client, run_id, "provenance/determinism.json")

    folder = root / "outputs" / "reproduce" / run_id
    print(f"reproducing run {run_id}: commit {commit[:12]}{' + recorded diff' if patch else ''}", flush=True)
    source = checkout(root, commit, folder / "source", patch)
    try:
        verify_dataset(source, root, recorded, tags.get("dataset.manifest_sha256"))
        print(f"dataset '{tags.get('dataset.name', '?')}': manifest and every file match", flush=True)
        if image is not None:
            print(f"environment: the run's container image {image}", flush=True)
            runner = image_runner(image, root.resolve(), source.resolve())
            environment_vars = dict(os.environ, MLFLOW_TRACKING_URI=uri, CONTAINER_IMAGE=image,
                                    CONTAINER_IMAGE_ID=tags.get("container.image_id", "none"))
        else:
            runner = [str(python or environment(source, root / "outputs" / "reproduce" / "envs"))]
            environment_vars = dict(os.environ, MLFLOW_TRACKING_URI=uri, PYTHONPATH=str(source / "src"))
        here = this_machine(runner, source, environment_vars)
        differences = machine_differences((environment_json, framework_json), here)
        if differences:
            print("machine differences (run's -> this machine's):")
            for what, before, now in differences:
                print(f"  {what}: {before} -> {now}")
        else:
            print("machine: same kind as the run's (CPU, GPUs, driver, CUDA, cuDNN, Python, framework versions)")
        exact = bool(determinism.get("deterministic")) and not differences
        config_file = folder / "config.yaml"
        config_file.write_text(yaml.safe_dump(recorded, sort_keys=False))
        argv = [*runner, "-m", "rocm_lm.train", "--config", str(config_file.resolve()),
                "--set", f"run_name=reproduce-{run_id[:8]}"]
        print("+ " + " ".join(argv), flush=True)
        if subprocess.run(argv, cwd=source, env=environment_vars, check=False).returncode != 0:
            print("error: the reproducing run failed", file=sys.stderr)
            return 1
        metrics_file = source / "outputs" / "metrics.json"
        if not metrics_file.is_file():
            print(f"error: the reproducing run wrote no {metrics_file}", file=sys.stderr)
            return 1
        new_id = json.loads(metrics_file.read_text())["run_id"]
        client.set_tag(new_id, "reproduces.run_id", run_id)
        client.set_tag(new_id, "reproduces.exact", str(exact).lower())
        reproduced = client.get_run(new_id).data.metrics
        current = yaml.safe_load(config_path.read_text()) if config_path.is_file() else {}
        table, ignore = tolerances(current if isinstance(current, dict) and current.get("reproduce") else recorded)
        rows = compare(run.data.metrics, reproduced, exact, table, ignore)
        header = [f"# Reproduction of run {run_id}", "",
                  f"- reproducing run: {new_id}", f"- commit: {commit}{' (with the recorded diff)' if patch else ''}",
                  f"- environment: {'the container image ' + image if image else 'a virtualenv from the lock'}",
                  f"- comparison: {'exact (deterministic run, same kind of machine)' if exact else 'within tolerance'}"]
        header += [f"- {what}: {before} -> {now}" for what, before, now in differences]
        report = markdown(rows, header)
        print(report)
        summary = {"run_id": run_id, "reproducing_run_id": new_id, "commit": commit, "dirty": patch is not None,
                   "image": image,
                   "exact": exact, "reproduced": all(row.within for row in rows),
                   "machine_differences": [{"field": w, "original": b, "reproduced": n} for w, b, n in differences],
                   "metrics": [{**row.__dict__, "difference": row.difference} for row in rows]}
        with tempfile.TemporaryDirectory() as scratch:
            (Path(scratch) / "comparison.md").write_text(report)
            (Path(scratch) / "comparison.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
            client.log_artifacts(new_id, scratch, artifact_path="reproduce")
        (folder / "comparison.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
        print(f"{'reproduced' if summary['reproduced'] else 'NOT reproduced'}: run {new_id} "
              f"(tag reproduces.run_id={run_id})")
        return 0 if summary["reproduced"] else 1
    finally:
        if not keep:
            remove_checkout(root, source)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Reproduce a recorded MLflow run and compare its metrics.")
    parser.add_argument("run_id", help="the MLflow run id to reproduce")
    parser.add_argument("--allow-dirty", action="store_true", default=os.environ.get("ALLOW_DIRTY") == "1",
                        help="reproduce a run made from uncommitted changes by applying its recorded diff "
                             "(also ALLOW_DIRTY=1)")
    parser.add_argument("--python", type=Path, default=None,
                        help="train with this interpreter instead of a virtualenv built from the commit's lock")
    parser.add_argument("--in", dest="where", choices=("venv", "image"),
                        default=os.environ.get("REPRODUCE_IN") or "venv",
                        help="venv: a virtualenv from the commit's lock (default); image: `docker run` of the "
                             "container image the run recorded, by digest (also REPRODUCE_IN=image)")
    parser.add_argument("--config", type=Path, default=Path("configs/train.yaml"),
                        help="where `reproduce.tolerance` is read (default: the recorded config's, if this has none)")
    parser.add_argument("--keep", action="store_true", help="keep the worktree in outputs/reproduce/RUN_ID/source")
    args = parser.parse_args(argv)
    if args.where not in ("venv", "image"):
        parser.error(f"REPRODUCE_IN must be venv or image, not '{args.where}'")
    if args.where == "image" and args.python is not None:
        parser.error("--python and --in image exclude each other")
    try:
        return reproduce(args.run_id, Path.cwd(), args.allow_dirty, args.python, args.config, args.keep,
                         in_image=args.where == "image")
    except Refused as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
