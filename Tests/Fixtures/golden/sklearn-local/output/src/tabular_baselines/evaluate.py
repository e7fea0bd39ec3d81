"""Check a finished run's held-out metrics against the thresholds in the config.

    python -m tabular_baselines.evaluate [--config configs/train.yaml] [--metrics outputs/metrics.json]

Exits 1 when a metric misses its threshold, so a pipeline stops on a regression.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("configs/train.yaml"))
    parser.add_argument("--metrics", type=Path, default=Path("outputs/metrics.json"))
    parser.add_argument("--out", type=Path, default=Path("outputs/evaluation.json"))
    args = parser.parse_args(argv)
    metrics = json.loads(args.metrics.read_text())
    thresholds = (yaml.safe_load(args.config.read_text()) or {}).get("evaluate", {}).get("min", {})
    failures = {name: {"value": metrics.get(name), "min": bound} for name, bound in thresholds.items()
                if metrics.get(name) is None or float(metrics[name]) < float(bound)}
    report = {"run_id": metrics.get("run_id"), "thresholds": thresholds, "failures": failures, "passed": not failures}
    args.out.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    for name, failure in failures.items():
        print(f"{name}: {failure['value']} is below the minimum {failure['min']}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
