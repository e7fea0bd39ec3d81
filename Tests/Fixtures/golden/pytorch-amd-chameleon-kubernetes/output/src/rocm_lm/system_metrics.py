"""Hardware use during a run as MLflow system metrics: CPU, memory, disk and network, and GPU utilisation and memory.

Call `enable()` once before `mlflow.start_run()`; every run started afterwards samples the machine
in a background thread and logs `system/...` metrics (e.g. `system/cpu_utilization_percentage`,
`system/system_memory_usage_megabytes`, `system/gpu_0_utilization_percentage`, `system/gpu_0_memory_usage_megabytes`).

Settings from the environment:
  MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING=false   turn it off
  SYSTEM_METRICS_INTERVAL=SECONDS              sampling interval (default 10)
  SYSTEM_METRICS_NODE_ID=NAME                  this process's name in the metric keys
                                               (system/NAME/...); default in a multi-process run
                                               (WORLD_SIZE > 1): <host name>-rank<RANK>
"""

from __future__ import annotations

import importlib.util
import os
import socket

import mlflow

DEFAULT_INTERVAL = 10.0


def gpu_library() -> str | None:
    """The library MLflow reads GPU metrics with, when installed: pynvml (NVIDIA) or pyrsmi (AMD ROCm)."""
    for module in ("pynvml", "pyrsmi"):
        if importlib.util.find_spec(module) is not None:
            return module
    return None


def node_id() -> str | None:
    """A name that tells the processes of a multi-node run apart; None for a single process."""
    explicit = os.environ.get("SYSTEM_METRICS_NODE_ID")
    if explicit:
        return explicit
    try:
        world_size = int(os.environ.get("WORLD_SIZE", "1"))
    except ValueError:
        world_size = 1
    if world_size > 1:
        return f"{socket.gethostname()}-rank{os.environ.get('RANK', '0')}"
    return None


def enable(interval: float | None = None) -> dict[str, object]:
    """Turn on MLflow system metrics for the runs this process starts; returns what is sampled.

    Nothing is turned on when MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING is false or psutil is missing.
    """
    setting = os.environ.get("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", "").strip().lower()
    if setting in ("false", "0", "no"):
        return {"enabled": False, "reason": "MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING is false"}
    if importlib.util.find_spec("psutil") is None:
        return {"enabled": False, "reason": "psutil is not installed"}
    if interval is None:
        raw = os.environ.get("SYSTEM_METRICS_INTERVAL", "")
        try:
            interval = float(raw) if raw else DEFAULT_INTERVAL
        except ValueError as error:
            raise SystemExit(f"SYSTEM_METRICS_INTERVAL must be a number of seconds, got '{raw}'") from error
    if interval <= 0:
        raise SystemExit(f"the system metrics interval must be positive, got {interval}")
    mlflow.set_system_metrics_sampling_interval(interval)
    mlflow.set_system_metrics_samples_before_logging(1)
    node = node_id()
    mlflow.set_system_metrics_node_id(node)
    mlflow.enable_system_metrics_logging()
    return {"enabled": True, "interval_seconds": interval, "node_id": node, "gpu_library": gpu_library()}
