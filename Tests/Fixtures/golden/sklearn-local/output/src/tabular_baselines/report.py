"""The experiment section of the reproducibility checklist, filled from a recorded run.

    python -m tabular_baselines.report RUN_ID [--out reports/runs]        (make report RUN=<id>)

For a training run: hyperparameters, seed, held-out metrics, hardware, training time and the
learning curves (learning_curves.png). For a sweep's parent run (`make sweep`): the searched
ranges, the best configuration, its statistic as mean ± std over seeds, every trial, the
parameter-metric scatter (sweep_scatter.png) and the best trial's learning curves. Writes
reports/runs/RUN_ID/report.md and links it from REPRODUCIBILITY.md ("Experiment reports").
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

from .train import DEFAULT_TRACKING_URI  # noqa: E402

CURVES = ("train_loss", "val_loss", "val_accuracy")
SECTION = "## Experiment reports"


class ReportError(Exception):
    """The run cannot be reported."""


def artifact_json(client: MlflowClient, run_id: str, path: str) -> dict:
    try:
        return json.loads(Path(client.download_artifacts(run_id, path)).read_text())
    except Exception:  # noqa: BLE001  (a run without that artifact)
        return {}


def hardware(environment: dict, tags: dict) -> str:
    host = environment.get("host") or {}
    gpus = [gpu.get("name") for gpu in (environment.get("nvidia") or {}).get("gpus") or []]
    gpus += [gpu.get("name") for gpu in (environment.get("amd") or {}).get("gpus") or []]
    parts = [str(host.get("cpu_model") or tags.get("hardware.cpu") or "unknown CPU")]
    if host.get("cpu_logical_cores"):
        parts.append(f"{host['cpu_logical_cores']} logical cores")
    if host.get("memory_total_mib"):
        parts.append(f"{host['memory_total_mib'] / 1024:.0f} GiB memory")
    parts.append("GPUs: " + (", ".join(str(gpu) for gpu in gpus) if gpus else "none"))
    driver = (environment.get("nvidia") or {}).get("driver_version")
    if driver:
        parts.append(f"NVIDIA driver {driver}")
    python = (environment.get("python") or {}).get("version") or tags.get("python.version")
    if python:
        parts.append(f"Python {python}")
    return "; ".join(parts)


def curves(client: MlflowClient, run_id: str, names: list[str], path: Path, title: str) -> bool:
    """One panel per metric, its value per epoch; False when the run has no such history."""
    histories = {name: client.get_metric_history(run_id, name) for name in names}
    histories = {name: sorted(points, key=lambda m: m.step) for name, points in histories.items() if points}
    if not histories:
        return False
    figure, axes = plt.subplots(1, len(histories), figsize=(4 * len(histories), 3.2), squeeze=False)
    for axis, (name, points) in zip(axes[0], histories.items(), strict=True):
        axis.plot([m.step for m in points], [m.value for m in points], marker="o")
        axis.set_xlabel("epoch")
        axis.set_title(name)
        axis.grid(alpha=0.3)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return True


def table(rows: list[tuple[object, ...]], header: tuple[str, ...]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def minutes(run) -> str:  # noqa: ANN001
    if run.info.end_time and run.info.start_time:
        return f"{(run.info.end_time - run.info.start_time) / 60000:.1f} min (wall clock)"
    return "unknown (the run has not ended)"


def training_report(client: MlflowClient, run, folder: Path) -> list[str]:  # noqa: ANN001
    run_id, params, metrics, tags = run.info.run_id, run.data.params, run.data.metrics, run.data.tags
    environment = artifact_json(client, run_id, "provenance/environment.json")
    lines = [f"# Experiment report: run {run_id}", "",
             f"Run `{run.info.run_name}`, commit `{tags.get('mlflow.source.git.commit', 'unknown')}`"
             f"{' (dirty)' if tags.get('git.dirty') == 'true' else ''}, dataset `{tags.get('dataset.name', '?')}` "
             f"(manifest sha256 `{tags.get('dataset.manifest_sha256', '?')}`).", "",
             "## Hyperparameters", ""]
    lines += table([(f"`{k}`", v) for k, v in sorted(params.items())], ("parameter", "value"))
    lines += ["", f"Seed: {params.get('seed', '?')}; deterministic: {params.get('deterministic', '?')}.", "",
              "## Held-out results", ""]
    held_out = sorted((k, v) for k, v in metrics.items() if k.startswith("test_"))
    lines += table([(k, f"{v:.6g}") for k, v in held_out], ("metric", "value"))
    lines += ["", "One run, one seed: no spread. For mean ± std over seeds run `make sweep` (configs/sweep.yaml).", "",
              "## Compute", "", f"- Hardware: {hardware(environment, tags)}",
              f"- Training time: {metrics.get('train_seconds', float('nan')):.1f} s of training; {minutes(run)}",
              f"- Container image: {tags.get('container.image', 'none')}", ""]
    if curves(client, run_id, list(CURVES), folder / "learning_curves.png", f"run {run_id[:8]}"):
        lines += ["## Learning curves", "", "![learning curves](learning_curves.png)", ""]
    return lines


def sweep_report(client: MlflowClient, run, folder: Path) -> list[str]:  # noqa: ANN001
    run_id, params, metrics, tags = run.info.run_id, run.data.params, run.data.metrics, run.data.tags
    summary = artifact_json(client, run_id, "sweep/summary.json")
    if not summary:
        raise ReportError(f"sweep {run_id} has no sweep/summary.json yet: python -m tabular_baselines.sweep "
                          f"--summarize {run_id}")
    environment = artifact_json(client, run_id, "sweep/environment.json")
    metric, best, trials = summary["metric"], summary["best"], summary["trials"]
    lines = [f"# Experiment report: sweep {run_id}", "",
             f"Optuna {params.get('sweep.sampler', '?')} sampler, {len(trials)} finished trials, "
             f"{params.get('sweep.direction', '?')} `{metric}` (mean over seeds {summary['seeds']} on one fixed "
             f"test split); commit `{tags.get('mlflow.source.git.commit', 'unknown')}`.", "",
             "## Hyperparameter ranges searched", ""]
    lines += table([(f"`{k}`", v) for k, v in summary["space"].items()], ("parameter", "range"))
    lines += ["", "## Best configuration", "",
              f"Trial {best['trial']} (run `{best['run_id']}`): **{metric} = {best['mean']:.4f} ± {best['std']:.4f}** "
              f"(mean ± sample standard deviation over {len(summary['seeds'])} seeds). Full config: the parent run's "
              "artifact `configs/best.yaml`.", ""]
    lines += table([(f"`{k}`", v) for k, v in best["params"].items()], ("parameter", "value"))
    lines += ["", "## Every trial", ""]
    keys = list(summary["space"])
    rows = [(t["trial"], *(t["params"].get(k) for k in keys), f"{t[f'{metric}_mean']:.4f} ± {t[f'{metric}_std']:.4f}")
            for t in sorted(trials, key=lambda t: t["trial"])]
    lines += table(rows, ("trial", *keys, f"{metric} (mean ± std)"))
    lines += ["", "## Compute", "", f"- Hardware: {hardware(environment, tags)}", f"- Sweep time: {minutes(run)}", ""]
    figure, axes = plt.subplots(1, len(keys), figsize=(4 * len(keys), 3.2), squeeze=False)
    for axis, key in zip(axes[0], keys, strict=True):
        xs = [t["params"].get(key) for t in trials]
        axis.errorbar([str(x) if isinstance(x, str) else x for x in xs], [t[f"{metric}_mean"] for t in trials],
                      yerr=[t[f"{metric}_std"] or 0.0 for t in trials], fmt="o", capsize=3)
        if "log-uniform" in summary["space"][key]:
            axis.set_xscale("log")
        axis.set_xlabel(key)
        axis.set_ylabel(metric)
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(folder / "sweep_scatter.png", dpi=120)
    plt.close(figure)
    lines += ["## Parameters against the metric", "", "![parameter-metric scatter](sweep_scatter.png)", ""]
    seed = summary["seeds"][0]
    if best.get("run_id") and curves(client, best["run_id"], [f"seed_{seed}/{name}" for name in CURVES],
                                     folder / "learning_curves.png", f"best trial, seed {seed}"):
        lines += ["## Learning curves of the best trial", "", "![learning curves](learning_curves.png)", ""]
    lines += [f"Best statistic as logged on the parent run: best_{metric}_mean = "
              f"{metrics.get(f'best_{metric}_mean', float('nan')):.6g}, best_{metric}_std = "
              f"{metrics.get(f'best_{metric}_std', float('nan')):.6g}.", ""]
    return lines


def link(checklist: Path, report: Path, title: str) -> None:
    """Add a link to `report` under REPRODUCIBILITY.md's "Experiment reports" section (once)."""
    if not checklist.is_file():
        return
    text = checklist.read_text()
    target = report.as_posix()
    if f"]({target})" in text:
        return
    entry = f"- [{title}]({target})"
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n"
    head, _, tail = text.partition(SECTION)
    body, separator, rest = tail.partition("\n## ")
    body = body.rstrip("\n") + "\n" + entry + "\n"
    checklist.write_text(head + SECTION + body + (("\n" + separator.lstrip("\n") + rest) if separator else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the experiment report of a run or a sweep.")
    parser.add_argument("run_id")
    parser.add_argument("--out", type=Path, default=Path("reports/runs"))
    parser.add_argument("--checklist", type=Path, default=Path("REPRODUCIBILITY.md"))
    args = parser.parse_args(argv)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    client = MlflowClient(tracking_uri=os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI)
    try:
        try:
            run = client.get_run(args.run_id)
        except Exception as error:  # noqa: BLE001  (MlflowException: no such run)
            raise ReportError(f"no run {args.run_id}: {error}") from error
        folder = args.out / args.run_id
        folder.mkdir(parents=True, exist_ok=True)
        is_sweep = run.data.tags.get("sweep.role") == "parent"
        lines = (sweep_report if is_sweep else training_report)(client, run, folder)
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report = folder / "report.md"
    report.write_text("\n".join(lines).rstrip("\n") + "\n")
    link(args.checklist, report, f"{'Sweep' if is_sweep else 'Run'} {args.run_id} ({run.info.run_name})")
    print(f"wrote {report}" + "".join(f", {png}" for png in sorted(folder.glob("*.png"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
