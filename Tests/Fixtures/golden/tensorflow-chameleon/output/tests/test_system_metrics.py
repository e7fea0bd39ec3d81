"""System metrics reach the run: enable() turns on MLflow's sampler, and the opt-out is honoured."""

import time

import mlflow
import pytest

from speech_tf import system_metrics


@pytest.fixture(autouse=True)
def _restore_mlflow_setting():
    yield
    mlflow.disable_system_metrics_logging()
    mlflow.set_system_metrics_node_id(None)


def test_enabled_runs_log_cpu_and_memory(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", raising=False)
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlruns.db'}")
    mlflow.set_experiment("system-metrics")
    state = system_metrics.enable(interval=0.5)
    assert state["enabled"] is True and state["node_id"] is None
    with mlflow.start_run() as run:
        time.sleep(2.5)
    logged = mlflow.get_run(run.info.run_id).data.metrics
    assert "system/cpu_utilization_percentage" in logged, sorted(logged)
    assert "system/system_memory_usage_megabytes" in logged, sorted(logged)


def test_opt_out_and_bad_interval(monkeypatch):
    monkeypatch.setenv("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", "false")
    assert system_metrics.enable()["enabled"] is False
    monkeypatch.delenv("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING")
    monkeypatch.setenv("SYSTEM_METRICS_INTERVAL", "often")
    with pytest.raises(SystemExit, match="SYSTEM_METRICS_INTERVAL"):
        system_metrics.enable()


def test_multi_process_runs_name_each_process(monkeypatch):
    monkeypatch.delenv("SYSTEM_METRICS_NODE_ID", raising=False)
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("RANK", "3")
    assert system_metrics.node_id().endswith("-rank3")
