"""Checkpoints of a training run, and resuming one where it stopped.

A checkpoint is written every `checkpoint.every_n_epochs` epochs, whenever the monitored metric
improves (`best`), and at the end of the epoch in which SIGUSR1 or SIGTERM arrived
or the file named by $CHECKPOINT_STOP_FILE appeared: what Slurm sends before the time limit
(`#SBATCH --signal`), Kubernetes before it stops a pod. Training then exits with status 75
(EX_TEMPFAIL: stopped early, resume it) and the run stays open for
`python -m speech_tf.train --resume RUN_ID_OR_FOLDER` (`make train RESUME=...`), which continues
the same MLflow run from the last checkpoint with the recorded config, seed and random states.

Layout: `<checkpoint.dir>/<run id>/epoch-NNNN/` (state + meta.json), with `last` and `best` naming
the newest and the best epoch; at the end of the run both are logged as the MLflow artifacts
`checkpoints/last` and `checkpoints/best`.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import shutil
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import distributed

EXIT_PREEMPTED = 75
STATE_FILE = "state.pkl"


class CheckpointError(Exception):
    """A checkpoint to resume from is missing or does not fit this run."""


class Preempted(Exception):
    """Training stopped early on request; a checkpoint of the last finished epoch was written."""


# MARK: - Stop requests

_requested: list[int] = []


def _request_stop(signum: int, frame: object) -> None:  # noqa: ARG001
    _requested.append(signum)
    print(f"signal {signum}: stopping after this epoch with a checkpoint", flush=True)


def install_signal_handlers(launch: distributed.Launch) -> None:
    """SIGUSR1 (and SIGTERM in one process) ask for a checkpoint and a stop at the end of the epoch.
    """
    signal.signal(signal.SIGUSR1, _request_stop)
    if not launch.distributed:
        signal.signal(signal.SIGTERM, _request_stop)


def stop_requested() -> bool:
    stop_file = os.environ.get("CHECKPOINT_STOP_FILE")
    return bool(_requested) or bool(stop_file and Path(stop_file).exists())


# MARK: - Random states and files


def rng_state() -> dict:
    """This process's global random states (Python, NumPy)."""
    state: dict = {"python": random.getstate(), "numpy": np.random.get_state()}
    return state


def set_rng_state(state: dict) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])


def _dump(value: object, path: Path) -> None:
    with path.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)


def _load(path: Path) -> object:
    # A checkpoint is code-equivalent (pickle): load only checkpoints of your own runs.
    with path.open("rb") as handle:
        return pickle.load(handle)  # noqa: S301


def _gather(value: object) -> list[object]:
    return [value]


# MARK: - Resume


@dataclass
class Restored:
    """A checkpoint read back: the run it belongs to, its last finished epoch, the config and states."""

    folder: Path
    run_id: str
    epoch: int
    config: dict
    best: float | None
    state: dict = field(repr=False)


def resolve(target: str, checkpoint_dir: Path, download: Callable[[str, Path], Path | None]) -> Path:
    """The epoch folder to resume from: a checkpoint folder (a run's folder or one epoch's), or a run
    id whose checkpoints are under `checkpoint_dir` or, failing that, its MLflow artifact checkpoints/last."""
    path = Path(target)
    for candidate in (path, checkpoint_dir / target):
        if (candidate / "meta.json").is_file():
            return candidate
        if (candidate / "last").is_file():
            return candidate / (candidate / "last").read_text().strip()
    downloaded = download(target, checkpoint_dir / target / "from-mlflow")
    if downloaded is not None and (downloaded / "meta.json").is_file():
        return downloaded
    raise CheckpointError(f"no checkpoint to resume from at '{target}' (a checkpoint folder, or a run id with "
                          f"checkpoints under {checkpoint_dir}/ or a checkpoints/last artifact)")


def load(folder: Path, launch: distributed.Launch) -> Restored:
    try:
        meta = json.loads((folder / "meta.json").read_text())
        payload = _load(folder / STATE_FILE)
    except (OSError, ValueError, EOFError) as error:
        raise CheckpointError(f"{folder}: unreadable checkpoint: {error}") from error
    ranks = payload["ranks"]
    if len(ranks) != launch.world_size:
        raise CheckpointError(f"{folder}: written by {len(ranks)} process(es), resumed by {launch.world_size}; "
                              "resume with the same number of processes")
    state = {**payload["shared"], "rank": ranks[launch.rank]}
    return Restored(folder, str(meta["run_id"]), int(meta["epoch"]), dict(meta["config"]), meta.get("best"), state)


def check_fits(folder: Path, saved: dict, expected: dict) -> None:
    """Refuse a checkpoint of another model (a changed `model.*` setting, an older template) by tensor name
    and shape, before anything is loaded: `saved` and `expected` map names to arrays or tensors."""
    missing, unexpected = sorted(set(expected) - set(saved)), sorted(set(saved) - set(expected))
    if missing or unexpected:
        raise CheckpointError(f"{folder}: the checkpoint does not fit this model (missing: "
                              f"{', '.join(missing) or '-'}; not in this model: {', '.join(unexpected) or '-'}): "
                              "it was written by another model or template version")
    for name, value in expected.items():
        shape, here = tuple(np.shape(saved[name])), tuple(np.shape(value))
        if shape != here:
            raise CheckpointError(f"{folder}: the checkpoint's {name} has shape {shape}, this model's {here}: "
                                  "resume with the recorded model settings")


# MARK: - Writing


class Checkpointer:
    """Called by `model.fit` at the end of every epoch; restores the state of a resumed run."""

    def __init__(self, config: dict, run_id: str, launch: distributed.Launch, restored: Restored | None = None,
                 folder: Path | None = None) -> None:
        settings = config.get("checkpoint") or {}
        self.every = int(settings.get("every_n_epochs", 1))
        self.monitor = str(settings.get("monitor", "val_loss"))
        self.mode = str(settings.get("mode", "min"))
        if self.mode not in ("min", "max"):
            raise CheckpointError(f"checkpoint.mode must be min or max, got '{self.mode}'")
        self.folder = folder or Path(str(settings.get("dir", "outputs/checkpoints"))) / run_id
        self.config, self.run_id, self.launch, self.restored = config, run_id, launch, restored
        self.best = restored.best if restored else None
        self.last_epoch = restored.epoch if restored else None

    @property
    def start_epoch(self) -> int:
        """The first epoch still to train (0 for a new run)."""
        return self.restored.epoch + 1 if self.restored else 0

    @property
    def state(self) -> dict | None:
        """The framework state to restore (`rank`: this process's random states), None for a new run."""
        return self.restored.state if self.restored else None

    def restore(self) -> dict:
        """The state to resume from, after putting back this process's random states: call it once the
        model and optimizer are built (building draws from the random generators)."""
        if self.restored is None:
            raise CheckpointError("nothing to restore: this run did not resume from a checkpoint")
        set_rng_state(self.restored.state["rank"]["rng"])
        return self.restored.state

    def snapshot(self, shared: dict, **rank: object) -> dict:
        """What `end_epoch` saves: `shared` (model, optimizer) and this rank's random states plus `rank`."""
        return {"shared": shared, "rank": {"rng": rng_state(), **rank}}

    def end_epoch(self, epoch: int, metrics: dict[str, float], snapshot: Callable[[], dict]) -> None:
        """Write a checkpoint when one is due; raise Preempted after it when a stop was requested.

        `snapshot()` returns {"shared": state every rank holds alike, "rank": this rank's random states};
        every rank calls this with the same epoch and metrics (the metrics are reduced across ranks)."""
        value = metrics.get(self.monitor)
        improved = value is not None and (self.best is None or (value < self.best if self.mode == "min"
                                                                 else value > self.best))
        stop = any(_gather(stop_requested()))
        due = self.every > 0 and (epoch + 1) % self.every == 0
        if improved:
            self.best = value
        if due or improved or stop:
            self.write(epoch, snapshot(), best=improved)
        if stop and epoch + 1 < int(self.config["train"]["epochs"]):
            # After the last epoch the run just finishes (recording takes seconds, not another epoch).
            raise Preempted(f"stopped after epoch {epoch} on request; resume with --resume {self.run_id}")

    def write(self, epoch: int, snapshot: dict, best: bool) -> None:
        ranks = _gather(snapshot["rank"])
        self.last_epoch = epoch
        if not self.launch.leader:
            return
        name = f"epoch-{epoch:04d}"
        target, scratch = self.folder / name, self.folder / f".{name}.partial"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        _dump({"shared": snapshot["shared"], "ranks": ranks}, scratch / STATE_FILE)
        meta = {"run_id": self.run_id, "epoch": epoch, "best": self.best, "monitor": self.monitor,
                "mode": self.mode, "world_size": self.launch.world_size, "config": self.config}
        (scratch / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True, default=str) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        scratch.rename(target)
        self._point("last", name)
        if best:
            self._point("best", name)
        keep = {name, self._read("best"), self._read("last")}
        for old in self.folder.glob("epoch-*"):
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

    def _read(self, pointer: str) -> str | None:
        path = self.folder / pointer
        return path.read_text().strip() if path.is_file() else None

    def _point(self, pointer: str, name: str) -> None:
        scratch = self.folder / f".{pointer}.partial"
        scratch.write_text(name + "\n")
        os.replace(scratch, self.folder / pointer)

    def log_artifacts(self) -> None:
        """The best and the last checkpoint as MLflow artifacts checkpoints/best, checkpoints/last (rank 0)."""
        if not self.launch.leader:
            return
        import mlflow

        for pointer in ("last", "best"):
            name = self._read(pointer)
            if name and (self.folder / name).is_dir():
                mlflow.log_artifacts(str(self.folder / name), artifact_path=f"checkpoints/{pointer}")
