"""Train, evaluate on the held-out split, and record the run in MLflow.

    python -m vision_scaling.train [--config configs/train.yaml] [--set train.epochs=3]...
    python -m vision_scaling.train --resume RUN_ID_OR_CHECKPOINT_FOLDER    (continue a stopped run)

Tracking URI: $MLFLOW_TRACKING_URI (the compose MLflow server, see .env).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import mlflow
import numpy as np
import yaml

from . import checkpoint, data, distributed, model, provenance, system_metrics
from .seed import seed_everything
from .tracking import Unreachable, require_reachable

DEFAULT_TRACKING_URI = "http://127.0.0.1:5000"


def flatten(mapping: dict, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def apply_override(config: dict, assignment: str) -> None:
    key, separator, raw = assignment.partition("=")
    if not separator or not key:
        raise SystemExit(f"--set expects KEY=VALUE (e.g. train.epochs=3), got '{assignment}'")
    *parents, leaf = key.split(".")
    node = config
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise SystemExit(f"--set {key}: '{part}' is not a section of the config")
    node[leaf] = yaml.safe_load(raw)


def load_config(path: Path, overrides: list[str]) -> dict:
    try:
        config = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise SystemExit(f"{path}: cannot read the config: {error}") from error
    if not isinstance(config, dict):
        raise SystemExit(f"{path}: expected a mapping of settings")
    for assignment in overrides:
        apply_override(config, assignment)
    return config


def run(config: dict, root: Path = Path("."), restored: checkpoint.Restored | None = None,
        checkpoint_folder: Path | None = None) -> dict[str, float]:
    """One complete run; returns the held-out metrics.

    Under a multi-process launcher (torchrun, srun) every rank trains on its shard and the
    metrics are reduced across ranks; rank 0 alone records the one MLflow run of the job.
    """
    launch = distributed.detect()
    stopped: checkpoint.Preempted | None = None
    with distributed.process_group(launch, config) as backend:
        try:
            return _run(config, root, launch, backend, restored, checkpoint_folder)
        except checkpoint.Preempted as error:
            # Every rank stopped after the same epoch: leave the process group together, then report it.
            stopped = error
    raise stopped


def _run(config: dict, root: Path, launch: distributed.Launch, backend: str | None,
         restored: checkpoint.Restored | None, checkpoint_folder: Path | None) -> dict[str, float]:
    checkpoint.install_signal_handlers(launch)
    seed = int(config["seed"])
    determinism = seed_everything(seed, bool(config.get("deterministic", True)))
    splits = data.load_splits(config, root)
    n_val = max(1, int(len(splits.y_train) * float(config["data"].get("val_fraction", 0.1))))
    x_train, y_train = splits.x_train[n_val:], splits.y_train[n_val:]
    x_val, y_val = splits.x_train[:n_val], splits.y_train[:n_val]

    record = provenance.environment_record(root)
    ranks = distributed.all_gather(distributed.rank_record(launch, record))
    if not launch.leader:
        # Same training, same collectives, nothing recorded: rank 0 holds the job's one run.
        checkpointer = checkpoint.Checkpointer(config, restored.run_id if restored else "", launch, restored,
                                               checkpoint_folder)
        fitted = model.fit(config, x_train, y_train, x_val, y_val, splits.n_classes, seed, lambda epoch, metrics: None,
                           checkpointer)
        scores = model.evaluate(fitted, splits.x_test, splits.y_test, splits.n_classes)
        return {f"test_{k}": v for k, v in scores.items()}
    tracking_uri = os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI
    require_reachable(tracking_uri)
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment(str(config.get("experiment", "vision-scaling")))
    git = record["git"]
    gpus = record["nvidia"]["gpus"] + record["amd"]["gpus"]
    system_metrics.enable()
    # A resume the checkpoint turns out not to fit leaves the run as it was (KILLED, resumable).
    status_before = mlflow.get_run(restored.run_id).info.status if restored else "FAILED"
    with mlflow.start_run(run_id=restored.run_id if restored else None,
                          run_name=None if restored else (config.get("run_name") or provenance.run_name())) as active:
        params = flatten(config)
        if launch.distributed:
            params.update(distributed.params(launch, backend))
        if restored is None:
            mlflow.log_params(params)
            mlflow.log_params({"data.manifest_sha256": splits.manifest_sha256, "data.n_train": len(y_train),
                               "data.n_val": len(y_val), "data.n_test": len(splits.y_test)})
        else:
            # The same run goes on: its parameters are recorded; note where it resumed.
            mlflow.set_tag(f"checkpoint.resumed_after_epoch.{int(time.time())}", str(restored.epoch))
        tags = {
            "mlflow.source.git.commit": git["commit"] or "unknown",
            "mlflow.source.git.branch": git["branch"] or "unknown",
            "git.dirty": str(git["dirty"]).lower(),
            "python.version": record["python"]["version"],
            "dataset.name": splits.dataset,
            "dataset.manifest_sha256": splits.manifest_sha256,
            "hardware.cpu": str(record["host"]["cpu_model"]),
            "hardware.gpus": ", ".join(gpu["name"] or "?" for gpu in gpus) or "none",
            "hardware.nvidia_driver": str(record["nvidia"]["driver_version"]),
            "hardware.cuda_driver": str(record["nvidia"]["cuda_driver_version"]),
            "container.image": os.environ.get("CONTAINER_IMAGE", "none"),
            "container.image_id": os.environ.get("CONTAINER_IMAGE_ID", "none"),
        }
        mlflow.set_tags(tags)
        if git["dirty"]:
            print("warning: the git working tree has uncommitted changes; this run is not reproducible from "
                  f"commit {git['commit']}", file=sys.stderr)

        def on_epoch(epoch: int, metrics: dict[str, float]) -> None:
            mlflow.log_metrics(metrics, step=epoch)
            print(f"epoch {epoch}: " + ", ".join(f"{k}={v:.4f}" for k, v in sorted(metrics.items())))

        started = time.perf_counter()
        checkpointer = checkpoint.Checkpointer(config, active.info.run_id, launch, restored, checkpoint_folder)
        try:
            fitted = model.fit(config, x_train, y_train, x_val, y_val, splits.n_classes, seed, on_epoch, checkpointer)
        except checkpoint.Preempted:
            # Keep the last checkpoint with the run (another machine may resume it), mark it KILLED, not FAILED.
            checkpointer.log_artifacts()
            mlflow.end_run("KILLED")
            raise
        except checkpoint.CheckpointError:
            mlflow.end_run(status_before)
            raise
        scores = model.evaluate(fitted, splits.x_test, splits.y_test, splits.n_classes)
        held_out = {f"test_{k}": v for k, v in scores.items()}
        held_out["train_seconds"] = time.perf_counter() - started
        mlflow.log_metrics(held_out)
        model.log_model(fitted, splits.x_test.astype(np.float32))
        checkpointer.log_artifacts()

        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            (folder / "environment.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
            if launch.distributed:
                (folder / "ranks.json").write_text(json.dumps(ranks, indent=2, sort_keys=True) + "\n")
            (folder / "pip-freeze.txt").write_text(provenance.pip_freeze())
            framework = provenance.framework_info()
            (folder / "framework.json").write_text(json.dumps(framework, indent=2, sort_keys=True) + "\n")
            (folder / "determinism.json").write_text(json.dumps(determinism, indent=2, sort_keys=True) + "\n")
            (folder / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
            if git["dirty"]:
                # What `make reproduce ALLOW_DIRTY=1` applies on top of the commit.
                (folder / "git-diff.patch").write_text(provenance.git_diff(root))
            mlflow.log_artifacts(str(folder), artifact_path="provenance")
        output = root / "outputs"
        output.mkdir(exist_ok=True)
        summary = {"run_id": active.info.run_id, **held_out}
        (output / "metrics.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
        print(f"run {active.info.run_id}: " + ", ".join(f"{k}={v:.4f}" for k, v in sorted(held_out.items())))
    return held_out


def resume(config: dict, target: str, overrides: list[str]) -> checkpoint.Restored:
    """The checkpoint to continue from; its recorded config, with this command's --set overrides on top."""
    settings = config.get("checkpoint") or {}

    def download(run_id: str, into: Path) -> Path | None:
        mlflow.set_tracking_uri(os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI)
        try:
            return Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="checkpoints/last",
                                                            dst_path=str(into)))
        except Exception:  # noqa: BLE001  (not a run id, or a run without checkpoints)
            return None

    folder = checkpoint.resolve(target, Path(str(settings.get("dir", "outputs/checkpoints"))), download)
    restored = checkpoint.load(folder, distributed.detect())
    for assignment in overrides:
        apply_override(restored.config, assignment)
    epochs = int(restored.config["train"]["epochs"])
    if restored.epoch + 1 >= epochs:
        raise checkpoint.CheckpointError(
            f"{folder}: run {restored.run_id} already trained all {epochs} epochs; nothing to resume "
            "(--set train.epochs=N trains it longer)")
    print(f"resuming run {restored.run_id} after epoch {restored.epoch} from {folder}")
    return restored


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train and record one run.")
    parser.add_argument("--config", type=Path, default=Path("configs/train.yaml"))
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, e.g. --set train.epochs=3")
    parser.add_argument("--resume", metavar="RUN_ID_OR_FOLDER", default=None,
                        help="continue a stopped run (same MLflow run, recorded config) from its last checkpoint")
    parser.add_argument("--checkpoint-dir", type=Path, default=None,
                        help="write checkpoints here instead of <checkpoint.dir>/<run id>")
    args = parser.parse_args(argv)
    config = load_config(args.config, args.overrides)
    try:
        restored = None
        if args.resume:
            restored = resume(config, args.resume, args.overrides)
            config = restored.config
        run(config, restored=restored, checkpoint_folder=args.checkpoint_dir)
    except checkpoint.CheckpointError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except checkpoint.Preempted as error:
        print(f"stopped: {error}", file=sys.stderr)
        return checkpoint.EXIT_PREEMPTED
    except data.ManifestError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Unreachable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except distributed.LaunchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except distributed.Terminated as error:
        print(f"error: {error}", file=sys.stderr)
        return 143
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
