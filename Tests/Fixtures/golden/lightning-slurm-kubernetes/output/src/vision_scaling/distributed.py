"""Several processes, one run: which process this is, and the process group.

A launcher that starts several processes tells each one its place through the environment:
torchrun (also inside `srun`, a Kubernetes Job or a PyTorchJob) sets WORLD_SIZE, RANK,
LOCAL_RANK and LOCAL_WORLD_SIZE; `srun` without torchrun sets SLURM_PROCID, SLURM_LOCALID
and SLURM_STEP_NUM_TASKS. A process started by hand (`python -m vision_scaling.train`) has
none of them and trains alone, as a single process.

Only rank 0 talks to MLflow; every rank trains on its shard of the training split.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta


class LaunchError(Exception):
    """The launcher's environment is inconsistent, or asks for what this project cannot do."""


@dataclass(frozen=True)
class Launch:
    """This process's place in the job."""

    world_size: int = 1
    rank: int = 0
    local_rank: int = 0
    local_world_size: int = 1
    nodes: int = 1
    launcher: str = "none"  # torchrun, slurm or none

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    @property
    def leader(self) -> bool:
        return self.rank == 0


def _int(env: dict[str, str], name: str, default: int | None = None) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        if default is None:
            raise LaunchError(f"{name} is not set, but the launcher set WORLD_SIZE; start with torchrun or srun")
        return default
    try:
        return int(raw)
    except ValueError:
        raise LaunchError(f"{name}={raw!r} is not an integer") from None


def _first_count(raw: str) -> int:
    """Tasks on this step's first node from SLURM_STEP_TASKS_PER_NODE ("4(x2)", "4,3")."""
    match = re.match(r"\s*(\d+)", raw)
    return int(match.group(1)) if match else 1


def detect(env: dict[str, str] | None = None) -> Launch:
    """Read this process's rank and the job's size from the launcher's environment."""
    env = dict(os.environ if env is None else env)
    if env.get("WORLD_SIZE", "").strip():
        world = _int(env, "WORLD_SIZE")
        if world == 1:
            return Launch(launcher="torchrun")
        rank = _int(env, "RANK")
        local_rank = _int(env, "LOCAL_RANK", 0)
        local_world = _int(env, "LOCAL_WORLD_SIZE", world)
        launcher = "torchrun"
    elif _int(env, "SLURM_STEP_NUM_TASKS", 1) > 1:
        world = _int(env, "SLURM_STEP_NUM_TASKS")
        rank = _int(env, "SLURM_PROCID")
        local_rank = _int(env, "SLURM_LOCALID", 0)
        local_world = _first_count(env.get("SLURM_STEP_TASKS_PER_NODE", "")) or 1
        launcher = "slurm"
    else:
        return Launch()
    if world < 1 or not 0 <= rank < world:
        raise LaunchError(f"rank {rank} is outside a job of {world} processes")
    if not 0 <= local_rank < local_world <= world:
        raise LaunchError(f"local rank {local_rank} is outside {local_world} processes per node (job of {world})")
    nodes = -(-world // local_world)
    return Launch(world, rank, local_rank, local_world, nodes, launcher)


def resolve_backend(config: dict) -> str:
    """distributed.backend from the config; `auto` is nccl on CUDA (and ROCm), gloo on the CPU."""
    import torch

    backend = str((config.get("distributed") or {}).get("backend", "auto"))
    if backend == "auto":
        return "nccl" if torch.cuda.is_available() else "gloo"
    if backend not in ("nccl", "gloo", "mpi"):
        raise LaunchError(f"distributed.backend must be auto, nccl, gloo or mpi, got '{backend}'")
    return backend


def timeout(config: dict) -> timedelta:
    """How long a collective may wait for the other ranks before the job fails (distributed.timeout_s)."""
    seconds = float((config.get("distributed") or {}).get("timeout_s", 600))
    if seconds <= 0:
        raise LaunchError(f"distributed.timeout_s must be positive, got {seconds}")
    return timedelta(seconds=seconds)


def exit_timeout(config: dict) -> timedelta:
    """How long a rank that has finished waits at the end for the others (distributed.exit_timeout_s).

    Rank 0 records the run in MLflow (metrics, artifacts, the model upload) after training while the
    other ranks wait for it, so this is longer than the collective timeout.
    """
    seconds = float((config.get("distributed") or {}).get("exit_timeout_s", 3600))
    if seconds <= 0:
        raise LaunchError(f"distributed.exit_timeout_s must be positive, got {seconds}")
    return timedelta(seconds=seconds)


def _master_address(env: dict[str, str]) -> str:
    """First host of the Slurm job (what torchrun's rendezvous does under sbatch)."""
    if env.get("MASTER_ADDR"):
        return env["MASTER_ADDR"]
    nodelist = env.get("SLURM_STEP_NODELIST") or env.get("SLURM_JOB_NODELIST", "")
    if shutil.which("scontrol") and nodelist:
        done = subprocess.run(["scontrol", "show", "hostnames", nodelist], capture_output=True, text=True,
                              timeout=30, check=False)
        if done.returncode == 0 and done.stdout.split():
            return done.stdout.split()[0]
    raise LaunchError("srun started several tasks but MASTER_ADDR is unset and scontrol cannot name the first node")


class Terminated(Exception):
    """SIGTERM arrived (Slurm or Kubernetes preemption, torchrun stopping the other ranks)."""


@contextmanager
def process_group(launch: Launch, config: dict) -> Iterator[str | None]:
    """Join the job's process group for the duration of the block; yields the backend (None alone).

    The group is destroyed on every way out: normal return, exception, or SIGTERM, which is turned
    into an exception so that MLflow marks the run failed and the block's cleanup runs. After a
    normal return every rank first waits for the others (`leave_together`), so that no rank tears
    down its connections while a peer still uses them (rank 0 is still recording the run); after an
    exception it leaves at once, since the others would wait for it in vain.
    """
    if not launch.distributed:
        yield None
        return
    import torch
    import torch.distributed as dist

    backend = resolve_backend(config)
    if launch.launcher == "slurm":
        # srun without torchrun: give torch.distributed the env:// variables torchrun would set.
        os.environ.setdefault("MASTER_ADDR", _master_address(dict(os.environ)))
        os.environ.setdefault("MASTER_PORT", "29500")
        os.environ.update({"WORLD_SIZE": str(launch.world_size), "RANK": str(launch.rank),
                           "LOCAL_RANK": str(launch.local_rank), "LOCAL_WORLD_SIZE": str(launch.local_world_size),
                           "GROUP_RANK": os.environ.get("SLURM_NODEID", str(launch.rank // launch.local_world_size))})
    if torch.cuda.is_available():
        if launch.local_rank >= torch.cuda.device_count():
            raise LaunchError(f"local rank {launch.local_rank} has no GPU: this node has {torch.cuda.device_count()}")
        torch.cuda.set_device(launch.local_rank)

    def terminate(signum: int, frame: object) -> None:  # noqa: ARG001
        raise Terminated(f"rank {launch.rank}: received signal {signum}; leaving the process group")

    exit_limit = exit_timeout(config)
    previous = signal.signal(signal.SIGTERM, terminate)
    finished = False
    try:
        options = {"device_id": torch.device("cuda", launch.local_rank)} if backend == "nccl" else {}
        dist.init_process_group(backend, init_method="env://", world_size=launch.world_size, rank=launch.rank,
                                timeout=timeout(config), **options)
        yield backend
        finished = True
    finally:
        try:
            if finished and dist.is_initialized():
                leave_together(launch, exit_limit)
        finally:
            if dist.is_initialized():
                dist.destroy_process_group()
            signal.signal(signal.SIGTERM, previous)


def leave_together(launch: Launch, limit: timedelta) -> None:
    """Wait until every rank has finished its work, for at most `limit`, before the group is destroyed.

    A rank that destroys its group while a peer still holds the connections can bring the peer
    down (gloo) or hang it (nccl: ncclCommAbort is collective), so all ranks leave together. The
    wait goes through the job's key-value store, not a collective: no message is in flight on the
    group's connections when they are closed, and the collective timeout (distributed.timeout_s)
    does not apply. It polls, so SIGTERM (torchrun stopping this rank because another one died) is
    handled at once; without torchrun the store lives in rank 0, whose death breaks the connection,
    and rank 0 therefore lets go of it last.
    """
    from torch.distributed.distributed_c10d import _get_default_store

    store = _get_default_store()
    deadline = time.monotonic() + limit.total_seconds()

    def wait_until(condition: Callable[[], bool]) -> None:
        pause = 0.01
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"rank {launch.rank}: the other ranks did not finish within "
                                   f"{limit.total_seconds():.0f} s (distributed.exit_timeout_s)")
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    try:
        if store.add("exit/arrived", 1) == launch.world_size:
            store.set("exit/everyone", "1")
        wait_until(lambda: store.check(["exit/everyone"]))
        if launch.leader:
            wait_until(lambda: store.add("exit/left", 0) == launch.world_size - 1)
        else:
            store.add("exit/left", 1)
    except RuntimeError as error:  # the store is gone: a rank died
        raise RuntimeError(f"rank {launch.rank}: lost the job's store while waiting for the other ranks: "
                           f"{error}") from error


def params(launch: Launch, backend: str | None) -> dict[str, object]:
    """The MLflow parameters of a multi-process run (`distributed.backend` as resolved from `auto`)."""
    import torch

    return {"distributed.world_size": launch.world_size, "distributed.backend": backend,
            "distributed.nodes": launch.nodes, "distributed.processes_per_node": launch.local_world_size,
            "distributed.gpus_per_node": launch.local_world_size if torch.cuda.is_available() else 0,
            "distributed.launcher": launch.launcher}


def rank_record(launch: Launch, record: dict) -> dict:
    """Where this rank ran: host name, machine, container and its GPU (for provenance/ranks.json)."""
    import torch

    gpu = None
    if torch.cuda.is_available():
        index = torch.cuda.current_device()
        gpu = {"index": index, "name": torch.cuda.get_device_name(index),
               "visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES") or os.environ.get("HIP_VISIBLE_DEVICES")}
    return {"rank": launch.rank, "local_rank": launch.local_rank, "hostname": socket.gethostname(),
            "host": record["host"], "container": record["container"], "device": gpu,
            "nvidia": {"driver_version": record["nvidia"]["driver_version"], "gpus": record["nvidia"]["gpus"]},
            "amd": {"rocm_version": record["amd"]["rocm_version"], "gpus": record["amd"]["gpus"]}}


def all_gather(value: object) -> list[object]:
    """Every rank's `value`, in rank order (only `[value]` in one process)."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return [value]
    gathered: list[object] = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, value)
    return gathered
