"""A short training run on the synthetic data produces held-out metrics and an MLflow run."""

from pathlib import Path

import mlflow

from rocm_lm.train import load_config, run

PROJECT = Path(__file__).resolve().parent.parent


def test_short_training_run_logs_metrics(tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlruns.db'}")
    config = load_config(PROJECT / "configs" / "train.yaml", ["train.epochs=2", "experiment=smoke-test"])
    config["data"]["manifest"] = str(PROJECT / "data" / "manifest.yaml")
    monkeypatch.chdir(tmp_path)

    metrics = run(config, root=tmp_path)

    assert 0.0 <= metrics["test_accuracy"] <= 1.0
    assert metrics["test_loss"] >= 0.0
    runs = mlflow.search_runs(experiment_names=["smoke-test"], output_format="list")
    assert len(runs) == 1
    assert "val_accuracy" in runs[0].data.metrics
    assert runs[0].data.params["seed"] == "42"
