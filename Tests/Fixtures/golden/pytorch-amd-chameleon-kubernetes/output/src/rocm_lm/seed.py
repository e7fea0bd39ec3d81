"""Seeding and determinism switches, applied before any data or model is built."""

from __future__ import annotations

import os
import random

import numpy as np


def seed_everything(seed: int, deterministic: bool = True) -> dict[str, object]:
    """Seed Python, NumPy and pytorch; return the settings applied (logged as provenance)."""
    os.environ["PYTHONHASHSEED"] = str(seed)  # affects subprocesses; the container sets it for this one
    random.seed(seed)
    np.random.seed(seed)
    applied: dict[str, object] = {"seed": seed, "deterministic": deterministic}
    import torch

    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    if deterministic:
        # cuBLAS needs a fixed workspace for deterministic matmuls; set before the first CUDA call.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    applied["torch_deterministic_algorithms"] = torch.are_deterministic_algorithms_enabled()
    applied["cublas_workspace_config"] = os.environ.get("CUBLAS_WORKSPACE_CONFIG", "")
    return applied
