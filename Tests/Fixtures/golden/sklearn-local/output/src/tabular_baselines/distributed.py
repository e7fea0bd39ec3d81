"""Several processes, one run: which process this is.

A launcher that starts several processes tells each one its place through the environment:
torchrun (also inside `srun`, a Kubernetes Job or a PyTorchJob) sets WORLD_SIZE, RANK,
LOCAL_RANK and LOCAL_WORLD_SIZE; `srun` without torchrun sets SLURM_PROCID, SLURM_LOCALID
and SLURM_STEP_NUM_TASKS. A process started by hand (`python -m tabular_baselines.train`) has
none of them and trains alone, as a single process.

sklearn training here runs in one process: a multi-process launch is refused at start.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass


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


def refuse_multi_process(launch: Launch) -> None:
    """Several processes would train sklearn side by side and record duplicate runs: refuse."""
    if launch.distributed:
        raise LaunchError(
            f"this sklearn project trains in one process, but {launch.launcher} started {launch.world_size}; "
            "multi-process training is supported for framework=pytorch (DistributedDataParallel) and "
            "framework=lightning (Trainer strategy ddp). Start one process: python -m tabular_baselines.train")
