"""`make sweep` and `make report` in a generated sklearn project (CPU): Optuna trials as nested MLflow
runs under one parent that records the search space, the best configuration and its spread over
seeds; a report with plots linked from REPRODUCIBILITY.md.
"""

from __future__ import annotations

import yaml
from cpu_projects import environment, generate, last_run_id, package, runs, sh, train, venv

SWEEP = {
    "base_config": "configs/train.yaml",
    "metric": "test_accuracy",
    "direction": "maximize",
    "n_trials": 4,
    "seeds": [0, 1],
    "sampler_seed": 0,
    "parameters": {"model.alpha": {"low": 1.0e-5, "high": 1.0e-1, "log": True},
                   "train.learning_rate": {"choices": [0.001, 0.1]}},
}


def sweep(python, project, config: dict, *extra: str):
    (project / "configs" / "sweep-test.yaml").write_text(yaml.safe_dump(config))
    env = environment(project, OPTUNA_STORAGE=f"sqlite:///{project / 'optuna.db'}")
    return sh([python, "-m", f"{package(project)}.sweep", "--config", "configs/sweep-test.yaml", *extra], project,
              env=env)


def test_four_trial_sweep_records_one_parent_the_best_config_and_the_seed_spread(tmp_path_factory):
    project = generate(tmp_path_factory.mktemp("sweep"), "sweep-sk", "sklearn")
    python = venv(tmp_path_factory, [project])
    config = project / "configs" / "train.yaml"
    config.write_text(config.read_text().replace("epochs: 10", "epochs: 3"))
    done = sweep(python, project, {**SWEEP, "sampler": "tpe"})
    recorded = runs(python, project)
    parents = [run for run in recorded if run["tags"].get("sweep.role") == "parent"]
    assert len(parents) == 1
    parent = parents[0]
    trials = [run for run in recorded if run["tags"].get("mlflow.parentRunId") == parent["run_id"]]
    assert len(recorded) == 5 and len(trials) == 4
    assert parent["status"] == "FINISHED" and all(run["status"] == "FINISHED" for run in trials)
    params = parent["params"]
    assert params["space.model.alpha"] == "log-uniform[1e-05, 0.1]"
    assert params["space.train.learning_rate"] == "choice[0.001, 0.1]"
    assert {"sweep/sweep.yaml", "sweep/summary.json", "configs/best.yaml"} <= set(parent["artifacts"])
    best = next(run for run in trials if run["run_id"] == parent["tags"]["sweep.best_run_id"])
    assert best["metrics"]["test_accuracy_mean"] == max(run["metrics"]["test_accuracy_mean"] for run in trials)
    assert parent["metrics"]["best_test_accuracy_mean"] == best["metrics"]["test_accuracy_mean"]
    assert parent["metrics"]["best_test_accuracy_std"] == best["metrics"]["test_accuracy_std"]
    seeds = [best["metrics"][f"seed_{seed}/test_accuracy"] for seed in (0, 1)]
    assert abs(best["metrics"]["test_accuracy_mean"] - sum(seeds) / 2) < 1e-12
    assert any(run["metrics"]["test_accuracy_std"] > 0 for run in trials), "seeds must spread the results"
    best_yaml = yaml.safe_load((project / "configs" / "best.yaml").read_text())
    assert best_yaml["model"]["alpha"] == float(best["params"]["model.alpha"]) == float(params["best.model.alpha"])
    assert best_yaml["train"]["learning_rate"] == float(best["params"]["train.learning_rate"])
    assert best_yaml["train"]["epochs"] == 3 and best_yaml["seed"] == 42
    assert f"± {best['metrics']['test_accuracy_std']:.4f}" in done.stdout

    reported = sh([python, "-m", f"{package(project)}.report", parent["run_id"]], project, env=environment(project))
    folder = project / "reports" / "runs" / parent["run_id"]
    report = (folder / "report.md").read_text()
    assert "## Hyperparameter ranges searched" in report and "log-uniform[1e-05, 0.1]" in report
    assert f"{best['metrics']['test_accuracy_mean']:.4f} ± {best['metrics']['test_accuracy_std']:.4f}" in report
    assert (folder / "sweep_scatter.png").stat().st_size > 1000
    assert (folder / "learning_curves.png").stat().st_size > 1000
    assert "report.md" in reported.stdout
    checklist = (project / "REPRODUCIBILITY.md").read_text()
    assert f"](reports/runs/{parent['run_id']}/report.md)" in checklist
    # Reporting again does not link twice.
    sh([python, "-m", f"{package(project)}.report", parent["run_id"]], project, env=environment(project))
    assert (project / "REPRODUCIBILITY.md").read_text().count(f"reports/runs/{parent['run_id']}/report.md") == 1


def test_grid_sweep_in_two_parallel_workers_covers_the_grid_once(tmp_path_factory):
    project = generate(tmp_path_factory.mktemp("grid"), "grid-sk", "sklearn")
    python = venv(tmp_path_factory, [project])
    config = project / "configs" / "train.yaml"
    config.write_text(config.read_text().replace("epochs: 10", "epochs: 2"))
    grid = {**SWEEP, "sampler": "grid", "seeds": [0],
            "parameters": {"model.alpha": {"choices": [0.0001, 0.01]}, "train.learning_rate": {"choices": [0.001, 0.1]}}}
    sweep(python, project, grid, "--jobs", "2")
    recorded = runs(python, project)
    parent = next(run for run in recorded if run["tags"].get("sweep.role") == "parent")
    trials = [run for run in recorded if run["tags"].get("mlflow.parentRunId") == parent["run_id"]]
    combos = sorted((run["params"]["model.alpha"], run["params"]["train.learning_rate"]) for run in trials)
    assert combos == sorted((a, lr) for a in ("0.0001", "0.01") for lr in ("0.001", "0.1")), combos
    assert parent["metrics"]["trials_finished"] == 4


def test_training_run_report_has_learning_curves_and_compute(tmp_path_factory):
    project = generate(tmp_path_factory.mktemp("report"), "report-sk", "sklearn")
    python = venv(tmp_path_factory, [project])
    train(python, project, "--set", "train.epochs=3")
    run_id = last_run_id(project)
    sh([python, "-m", f"{package(project)}.report", run_id], project, env=environment(project))
    folder = project / "reports" / "runs" / run_id
    report = (folder / "report.md").read_text()
    assert "## Hyperparameters" in report and "`train.learning_rate`" in report
    assert "## Compute" in report and "Training time:" in report and "GPUs: none" in report
    assert (folder / "learning_curves.png").stat().st_size > 1000
    missing = sh([python, "-m", f"{package(project)}.report", "0" * 32], project, env=environment(project), check=False)
    assert missing.returncode == 2 and "no run" in missing.stderr
