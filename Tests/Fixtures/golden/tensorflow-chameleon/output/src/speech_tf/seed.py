"""Seeding and determinism switches, applied before any data or model is built."""

from __future__ import annotations

import os
import random

import numpy as np


def seed_everything(seed: int, deterministic: bool = True) -> dict[str, object]:
    """Seed Python, NumPy and tensorflow; return the settings applied (logged as provenance)."""
    os.environ["PYTHONHASHSEED"] = str(seed)  # affects subprocesses; the container sets it for this one
    random.seed(seed)
    np.random.seed(seed)
    applied: dict[str, object] = {"seed": seed, "deterministic": deterministic}
    import tensorflow as tf

    tf.keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    applied["tf_op_determinism"] = deterministic
    return applied
