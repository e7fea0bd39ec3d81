"""Hyperparameter search over configs/sweep.yaml with Optuna, recorded in MLflow.

    python -m tabular_baselines.sweep [--config configs/sweep.yaml] [--jobs N]     (make sweep JOBS=N)
    python -m tabular_baselines.sweep --prepare            -> prints the parent run id (for a Slurm array)
    python -m tabular_baselines.sweep --worker PARENT_ID   -> runs trials until the study has n_trials
    python -m tabular_baselines.sweep --summarize PARENT_ID

One parent MLflow run records the search space (parameters `space.*`, artifact sweep/sweep.yaml);
every trial is a nested run that trains once per seed on the same data and test split (from the
base config's seed) and logs each seed's held-out metrics and their mean and std. The summary
picks the best trial by the mean, writes configs/best.yaml (also the parent's artifact
configs/best.yaml, and parameters `best.*`), and logs `best_<metric>_mean` and `best_<metric>_std`.
Workers in parallel processes or Slurm array tasks (infra/slurm/sweep.sbatch) share the study
through one Optuna storage: `storage` in the sweep file, else $OPTUNA_STORAGE, else
sqlite:///optuna.db.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import mlflow
import optuna
import yaml
from mlflow.tracking import MlflowClient

from . import data, distributed, model, provenance
from .seed import seed_everything
from .train import DEFAULT_TRACKING_URI, apply_override, flatten, load_config


class SweepError(Exception):
    """configs/sweep.yaml is malformed, or the sweep cannot go on."""


# MARK: - Search space


def load_sweep(path: Path) -> dict:
    try:
        sweep = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise SweepError(f"{path}: cannot read the sweep: {error}") from error
    if not isinstance(sweep, dict) or not isinstance(sweep.get("parameters"), dict) or not sweep["parameters"]:
        raise SweepError(f"{path}: expected a mapping with a non-empty 'parameters' mapping")
    if sweep.get("direction", "maximize") not in ("maximize", "minimize"):
        raise SweepError(f"{path}: direction must be maximize or minimize, got '{sweep.get('direction')}'")
    if sweep.get("sampler", "tpe") not in ("tpe", "grid"):
        raise SweepError(f"{path}: sampler must be tpe or grid, got '{sweep.get('sampler')}'")
    for key, spec in sweep["parameters"].items():
        if not isinstance(spec, dict) or not ("choices" in spec or {"low", "high"} <= set(spec)):
            raise SweepError(f"{path}: parameters.{key} needs `choices` or `low` and `high`")
        if sweep.get("sampler") == "grid" and "choices" not in spec:
            raise SweepError(f"{path}: parameters.{key}: the grid sampler needs `choices`")
    if not sweep.get("seeds"):
        raise SweepError(f"{path}: seeds must list at least one training seed")
    return sweep


def describe(spec: dict) -> str:
    if "choices" in spec:
        return "choice" + json.dumps(list(spec["choices"]))
    return f"{'log-' if spec.get('log') else ''}uniform[{spec['low']}, {spec['high']}]"


def suggest(trial: optuna.Trial, key: str, spec: dict) -> object:
    if "choices" in spec:
        return trial.suggest_categorical(key, list(spec["choices"]))
    low, high, log = spec["low"], spec["high"], bool(spec.get("log", False))
    if isinstance(low, int) and isinstance(high, int) and not isinstance(low, bool):
        return trial.suggest_int(key, low, high, log=log)
    return trial.suggest_float(key, float(low), float(high), log=log)


def sampler(sweep: dict) -> optuna.samplers.BaseSampler:
    seed = sweep.get("sampler_seed")
    if sweep.get("sampler") == "grid":
        space = {key: list(spec["choices"]) for key, spec in sweep["parameters"].items()}
        return optuna.samplers.GridSampler(space, seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


def storage(sweep: dict, root: Path) -> str:
    """The Optuna storage every worker of the sweep shares: `storage` in the sweep file, else
    $OPTUNA_STORAGE, else sqlite:///optuna.db in the project."""
    explicit = sweep.get("storage") or os.environ.get("OPTUNA_STORAGE")
    if explicit:
        return str(explicit)
    return "sqlite:///optuna.db"


def shown(url: str) -> str:
    """A storage URL without its password, for logs and run parameters."""
    return re.sub(r"^([a-z0-9+]+://[^:/@]*):[^@]*@", r"\1:***@", url)


def open_study(sweep: dict, root: Path, **options) -> optuna.Study:  # noqa: ANN003
    """The sweep's study in its shared storage (create=True: a new study), with a clear error when the
    storage cannot be reached."""
    url = storage(sweep, root)
    try:
        if options.pop("create", False):
            return optuna.create_study(storage=url, **options)
        return optuna.load_study(storage=url, **options)
    except ImportError as error:
        raise SweepError(f"Optuna storage {shown(url)}: {error} (a PostgreSQL storage needs psycopg2-binary)"
                         ) from error
    except Exception as error:  # sqlalchemy's OperationalError: no server, no database, wrong password
        if type(error).__module__.startswith(("sqlalchemy", "psycopg2")):
            raise SweepError(f"Optuna storage {shown(url)} cannot be used: {str(error).splitlines()[0]}"
                             ) from error
        raise


def with_values(base: dict, values: dict[str, object]) -> dict:
    config = copy.deepcopy(base)
    for key, value in values.items():
        apply_override(config, f"{key}={json.dumps(value)}")
    return config


# MARK: - Trials


def tracking() -> MlflowClient:
    uri = os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI
    mlflow.set_tracking_uri(uri)
    return MlflowClient(tracking_uri=uri)


def score(config: dict, splits: data.Splits, seed: int, on_epoch) -> dict[str, float]:  # noqa: ANN001
    """Train once with `seed` on the fixed splits; the held-out metrics (the same code as train.py)."""
    config = {**config, "seed": seed}
    seed_everything(seed, bool(config.get("deterministic", True)))
    n_val = max(1, int(len(splits.y_train) * float(config["data"].get("val_fraction", 0.1))))
    fitted = model.fit(config, splits.x_train[n_val:], splits.y_train[n_val:], splits.x_train[:n_val],
                       splits.y_train[:n_val], splits.n_classes, seed, on_epoch)
    return {f"test_{k}": v for k, v in model.evaluate(fitted, splits.x_test, splits.y_test, splits.n_classes).items()}


def objective(sweep: dict, base: dict, splits: data.Splits, parent_id: str):  # noqa: ANN201
    metric = str(sweep.get("metric", "test_accuracy"))

    def run_trial(trial: optuna.Trial) -> float:
        values = {key: suggest(trial, key, spec) for key, spec in sweep["parameters"].items()}
        config = with_values(base, values)
        with mlflow.start_run(run_name=f"trial-{trial.number}", parent_run_id=parent_id, nested=True) as child:
            trial.set_user_attr("mlflow_run_id", child.info.run_id)
            mlflow.set_tags({"sweep.parent_run_id": parent_id, "sweep.trial": str(trial.number)})
            mlflow.log_params({**flatten({k: v for k, v in config.items() if k != "seed"}),
                               "sweep.seeds": json.dumps(list(sweep["seeds"]))})
            per_seed: dict[str, list[float]] = {}
            for seed in sweep["seeds"]:
                def on_epoch(epoch: int, metrics: dict[str, float], seed: int = int(seed)) -> None:
                    mlflow.log_metrics({f"seed_{seed}/{k}": v for k, v in metrics.items()}, step=epoch)

                held_out = score(config, splits, int(seed), on_epoch)
                mlflow.log_metrics({f"seed_{seed}/{k}": v for k, v in held_out.items()})
                for name, value in held_out.items():
                    per_seed.setdefault(name, []).append(value)
            if metric not in per_seed:
                raise SweepError(f"metric '{metric}' is not a held-out metric (have: {', '.join(sorted(per_seed))})")
            for name, values_ in per_seed.items():
                mlflow.log_metrics({f"{name}_mean": statistics.fmean(values_),
                                    f"{name}_std": statistics.stdev(values_) if len(values_) > 1 else 0.0})
            mean = statistics.fmean(per_seed[metric])
            trial.set_user_attr("std", statistics.stdev(per_seed[metric]) if len(per_seed[metric]) > 1 else 0.0)
            print(f"trial {trial.number}: {metric} {mean:.4f} over seeds {list(sweep['seeds'])} with {values}",
                  flush=True)
            return mean

    return run_trial


# MARK: - Commands


def prepare(sweep_path: Path, root: Path) -> str:
    """Create the parent run and the study; return the parent run id."""
    sweep = load_sweep(sweep_path)
    base = load_config(root / str(sweep.get("base_config", "configs/train.yaml")), [])
    url = storage(sweep, root)  # before the parent run exists: a storage that cannot be named leaves no run behind
    client = tracking()
    experiment = mlflow.set_experiment(str(base.get("experiment", "tabular-baselines")))
    record = provenance.environment_record(root)
    parent = client.create_run(experiment.experiment_id, run_name="sweep", tags={
        "sweep.role": "parent", "mlflow.source.git.commit": record["git"]["commit"] or "unknown",
        "git.dirty": str(record["git"]["dirty"]).lower(), "sweep.sampler": str(sweep.get("sampler", "tpe"))})
    run_id = parent.info.run_id
    params = {f"space.{key}": describe(spec) for key, spec in sweep["parameters"].items()}
    params.update({"sweep.metric": sweep.get("metric", "test_accuracy"), "sweep.direction": sweep.get("direction"),
                   "sweep.n_trials": sweep.get("n_trials", 8), "sweep.seeds": json.dumps(list(sweep["seeds"])),
                   "sweep.sampler": sweep.get("sampler", "tpe"), "sweep.storage": shown(url),
                   "seed": base.get("seed")})
    for key, value in params.items():
        client.log_param(run_id, key, value)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "sweep.yaml").write_text(yaml.safe_dump(sweep, sort_keys=False))
        (folder / "base_config.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
        (folder / "environment.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
        client.log_artifacts(run_id, scratch, artifact_path="sweep")
    try:
        open_study(sweep, root, create=True, study_name=run_id, direction=str(sweep.get("direction", "maximize")),
                   sampler=sampler(sweep))
    except SweepError:
        client.set_terminated(run_id, "FAILED")
        raise
    return run_id


def work(parent_id: str, root: Path) -> None:
    """Run trials of the parent's study until it holds n_trials (or the grid is exhausted)."""
    client = tracking()
    sweep = yaml.safe_load(Path(client.download_artifacts(parent_id, "sweep/sweep.yaml")).read_text())
    base = yaml.safe_load(Path(client.download_artifacts(parent_id, "sweep/base_config.yaml")).read_text())
    if distributed.detect().distributed:
        raise SweepError("a sweep worker trains in one process; start several workers instead (JOBS=N, a Slurm array)")
    study = open_study(sweep, root, study_name=parent_id, sampler=sampler(sweep))
    splits = data.load_splits(base, root)
    mlflow.set_experiment(experiment_id=client.get_run(parent_id).info.experiment_id)
    run_trial = objective(sweep, base, splits, parent_id)
    total = int(sweep.get("n_trials", 8))
    if sweep.get("sampler") == "grid":
        total = min(total, grid_size(sweep))
    # The storage numbers trials in the order they are created, whichever worker asks: the number
    # decides whether a new trial is still within n_trials. One created after another worker took the
    # last is not run (state PRUNED, user attribute `not_run`), so no sweep runs more than n_trials.
    full: list[int] = []

    def bounded(trial: optuna.Trial) -> float:
        if trial.number >= total:
            full.append(trial.number)
            trial.set_user_attr("not_run", f"the sweep already has its {total} trials")
            raise optuna.TrialPruned(f"the sweep already has its {total} trials")
        return run_trial(trial)

    while not full and len(study.get_trials(deepcopy=False)) < total:
        study.optimize(bounded, n_trials=1, catch=())


def grid_size(sweep: dict) -> int:
    size = 1
    for spec in sweep["parameters"].values():
        size *= len(spec["choices"])
    return size


def summarize(parent_id: str, root: Path) -> dict:
    """Best trial by the mean over seeds: configs/best.yaml, the parent's `best.*` and statistic; ends the parent."""
    client = tracking()
    sweep = yaml.safe_load(Path(client.download_artifacts(parent_id, "sweep/sweep.yaml")).read_text())
    base = yaml.safe_load(Path(client.download_artifacts(parent_id, "sweep/base_config.yaml")).read_text())
    study = open_study(sweep, root, study_name=parent_id)
    finished = [trial for trial in study.trials if trial.state == optuna.trial.TrialState.COMPLETE]
    if not finished:
        client.set_terminated(parent_id, "FAILED")
        raise SweepError(f"sweep {parent_id}: no trial finished")
    best = study.best_trial
    metric = str(sweep.get("metric", "test_accuracy"))
    best_config = with_values(base, best.params)
    best_path = root / "configs" / "best.yaml"
    best_path.write_text(f"# Best configuration of sweep {parent_id} (trial {best.number}): "
                         f"{metric} {best.value:.6g} ± {best.user_attrs.get('std', 0.0):.3g} "
                         f"over seeds {list(sweep['seeds'])}\n" + yaml.safe_dump(best_config, sort_keys=False))
    for key, value in best.params.items():
        client.log_param(parent_id, f"best.{key}", value)
    client.log_param(parent_id, "best.trial", best.number)
    client.log_metric(parent_id, f"best_{metric}_mean", best.value)
    client.log_metric(parent_id, f"best_{metric}_std", best.user_attrs.get("std", 0.0))
    client.log_metric(parent_id, "trials_finished", len(finished))
    client.set_tag(parent_id, "sweep.best_run_id", best.user_attrs.get("mlflow_run_id", ""))
    rows = [{"trial": t.number, "run_id": t.user_attrs.get("mlflow_run_id"), "params": t.params,
             f"{metric}_mean": t.value, f"{metric}_std": t.user_attrs.get("std")} for t in finished]
    summary = {"parent_run_id": parent_id, "metric": metric, "direction": sweep.get("direction"),
               "seeds": list(sweep["seeds"]), "space": {k: describe(v) for k, v in sweep["parameters"].items()},
               "best": {"trial": best.number, "run_id": best.user_attrs.get("mlflow_run_id"), "params": best.params,
                        "mean": best.value, "std": best.user_attrs.get("std", 0.0)}, "trials": rows}
    client.log_artifact(parent_id, str(best_path), artifact_path="configs")
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
        client.log_artifacts(parent_id, scratch, artifact_path="sweep")
    client.set_terminated(parent_id, "FINISHED")
    print(f"sweep {parent_id}: {len(finished)} trials; best trial {best.number} {metric} = {best.value:.4f} "
          f"± {best.user_attrs.get('std', 0.0):.4f} (mean ± std over {len(sweep['seeds'])} seeds) with {best.params}")
    print(f"best configuration: {best_path}")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Hyperparameter search with Optuna, recorded in MLflow.")
    parser.add_argument("--config", type=Path, default=Path("configs/sweep.yaml"))
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("JOBS", "1") or 1),
                        help="worker processes sharing the study (default 1)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--prepare", action="store_true", help="create the parent run and study; print its id")
    group.add_argument("--worker", metavar="PARENT_ID", help="run trials of this sweep")
    group.add_argument("--summarize", metavar="PARENT_ID", help="record the best trial and end the sweep")
    args = parser.parse_args(argv)
    root = Path.cwd()
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    try:
        if args.prepare:
            print(prepare(args.config, root))
        elif args.worker:
            work(args.worker, root)
        elif args.summarize:
            summarize(args.summarize, root)
        else:
            parent_id = prepare(args.config, root)
            print(f"sweep {parent_id}: {max(1, args.jobs)} worker(s)", flush=True)
            helpers = [subprocess.Popen([sys.executable, "-m", "tabular_baselines.sweep", "--worker", parent_id])
                       for _ in range(max(1, args.jobs) - 1)]
            work(parent_id, root)
            if any(helper.wait() != 0 for helper in helpers):
                raise SweepError(f"a worker of sweep {parent_id} failed")
            summarize(parent_id, root)
    except (SweepError, data.ManifestError, distributed.LaunchError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
