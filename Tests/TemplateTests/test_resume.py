"""Checkpoints and resume in generated projects (CPU, deterministic): training stopped after epoch 2
of 4 and resumed with --resume ends with the metrics of an uninterrupted run, in one MLflow run.

Stopped by SIGTERM (sklearn, one process), killed outright after a periodic checkpoint (pytorch, one
process), stopped by SIGUSR1 on rank 0 of `torchrun --nproc-per-node=2` (pytorch DDP, gloo),
stopped by SIGUSR1 in one process (lightning, resumed from the Trainer's own checkpoint), killed
outright after a periodic checkpoint (jax, one process), and stopped by SIGTERM inside Keras' fit
(tensorflow, one process, its own virtualenv from the project's requirements.lock). In every framework
but sklearn (whose pickled model carries its own settings), a checkpoint of another model is refused.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import tensorflow_venv
from cpu_projects import environment, generate, last_run_id, package, runs, sh, venv

STOPPING = textwrap.dedent("""
    # Training that a signal interrupts at the end of epoch STOP_AFTER_EPOCH (rank 0 only): STOP_SIGNAL=SIGTERM
    # or SIGUSR1 arrives before that epoch's checkpoint decision, SIGKILL right after its checkpoint.
    import os, signal, sys
    from {package} import checkpoint, train

    original = checkpoint.Checkpointer.end_epoch
    chosen = getattr(signal, os.environ["STOP_SIGNAL"])

    def end_epoch(self, epoch, metrics, snapshot):
        mine = os.environ.get("RANK", "0") == "0" and epoch == int(os.environ["STOP_AFTER_EPOCH"])
        if mine and chosen != signal.SIGKILL:
            os.kill(os.getpid(), chosen)
        original(self, epoch, metrics, snapshot)
        if mine and chosen == signal.SIGKILL:
            os.kill(os.getpid(), chosen)

    checkpoint.Checkpointer.end_epoch = end_epoch
    raise SystemExit(train.main(sys.argv[1:]))
""")

EPOCHS = ["--set", "train.epochs=4"]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("resume")


def interrupted(python: Path, project: Path, signal_name: str, processes: int = 1):
    script = project.parent / f"{project.name}-stopping.py"
    script.write_text(STOPPING.format(package=package(project)))
    env = environment(project, STOP_SIGNAL=signal_name, STOP_AFTER_EPOCH="1")
    launcher = [python] if processes == 1 else [python, "-m", "torch.distributed.run", "--standalone",
                                                 f"--nproc-per-node={processes}"]
    return sh([*launcher, script, *EPOCHS], project, env=env, check=False)


def resumed(python: Path, project: Path, target: str, processes: int = 1):
    launcher = [python] if processes == 1 else [python, "-m", "torch.distributed.run", "--standalone",
                                                 f"--nproc-per-node={processes}"]
    return sh([*launcher, "-m", f"{package(project)}.train", "--resume", target], project,
              env=environment(project))


def uninterrupted(python: Path, project: Path, processes: int = 1) -> str:
    launcher = [python] if processes == 1 else [python, "-m", "torch.distributed.run", "--standalone",
                                                 f"--nproc-per-node={processes}"]
    sh([*launcher, "-m", f"{package(project)}.train", *EPOCHS], project, env=environment(project))
    return last_run_id(project)


def assert_same_result(python: Path, project: Path, reference_id: str, resumed_id: str) -> None:
    recorded = {run["run_id"]: run for run in runs(python, project)}
    assert len(recorded) == 2, f"{len(recorded)} MLflow runs: the resumed run must go on in the same run"
    reference, again = recorded[reference_id], recorded[resumed_id]
    assert again["status"] == "FINISHED"
    for metric in ("test_accuracy", "test_loss"):
        assert again["metrics"][metric] == reference["metrics"][metric], metric
    for name in ("val_loss", "val_accuracy", "train_loss"):
        assert sorted(again["history"][name]) == sorted(reference["history"][name]), name
    assert [step for step, _ in sorted(again["history"]["val_loss"])] == [0, 1, 2, 3]
    assert any(tag.startswith("checkpoint.resumed_after_epoch.") and value == "1"
               for tag, value in again["tags"].items())
    artifacts = set(again["artifacts"])
    assert {"checkpoints/last/meta.json", "checkpoints/best/meta.json"} <= artifacts


def interrupted_run(python, project, reference: str) -> str:
    """The id of the run that is not the uninterrupted `reference`."""
    return next(run["run_id"] for run in runs(python, project) if run["run_id"] != reference)


def assert_killed_after_two_epochs(python, project, run_id: str) -> None:
    """The stopped run is KILLED and logged epochs 0 and 1 only."""
    killed = next(run for run in runs(python, project) if run["run_id"] == run_id)
    assert killed["status"] == "KILLED"
    assert [step for step, _ in sorted(killed["history"]["val_loss"])] == [0, 1]


def assert_another_model_refused(python, project, run_id: str) -> None:
    """A checkpoint of another model (here a changed layer width) is refused by name and shape before
    anything is loaded: exit 2, one clear line, and the stopped run is left as it was."""
    before = next(run for run in runs(python, project) if run["run_id"] == run_id)
    other = sh([python, "-m", f"{package(project)}.train", "--resume", run_id, "--set", "model.hidden_units=7"],
               project, env=environment(project), check=False)
    assert other.returncode == 2 and "this model's (" in other.stderr, other.stderr[-3000:]
    assert f"{run_id}/epoch-0001: the checkpoint's" in other.stderr
    assert "Traceback" not in other.stderr, other.stderr[-3000:]
    still = next(run for run in runs(python, project) if run["run_id"] == run_id)
    assert still["status"] == before["status"] and len(still["history"]["val_loss"]) == 2


def test_sklearn_stopped_by_sigterm_resumes_to_the_same_result(root, tmp_path_factory):
    project = generate(root, "resume-sk", "sklearn")
    python = venv(tmp_path_factory, [project])
    reference = uninterrupted(python, project)
    stopped = interrupted(python, project, "SIGTERM")
    assert stopped.returncode == 75, stopped.stdout[-2000:] + stopped.stderr[-3000:]
    run_id = interrupted_run(python, project, reference)
    assert_killed_after_two_epochs(python, project, run_id)
    assert (project / "outputs" / "checkpoints" / run_id / "last").read_text().strip() == "epoch-0001"
    resumed(python, project, run_id)
    assert_same_result(python, project, reference, run_id)
    again = sh([python, "-m", f"{package(project)}.train", "--resume", run_id], project, env=environment(project),
               check=False)
    assert again.returncode == 2 and "already trained all 4 epochs" in again.stderr


def test_pytorch_killed_after_a_checkpoint_resumes_to_the_same_result(root, tmp_path_factory):
    project = generate(root, "resume-torch", "pytorch")
    python = venv(tmp_path_factory, [project])
    reference = uninterrupted(python, project)
    killed = interrupted(python, project, "SIGKILL")
    assert killed.returncode == -9
    run_id = interrupted_run(python, project, reference)
    assert_another_model_refused(python, project, run_id)
    folder = project / "outputs" / "checkpoints" / run_id
    resumed(python, project, str(folder))
    assert_same_result(python, project, reference, run_id)


def test_pytorch_ddp_two_processes_stopped_by_sigusr1_resume_to_the_same_result(root, tmp_path_factory):
    project = generate(root, "resume-ddp", "pytorch")
    python = venv(tmp_path_factory, [project])
    reference = uninterrupted(python, project, processes=2)
    stopped = interrupted(python, project, "SIGUSR1", processes=2)
    assert stopped.returncode != 0
    assert stopped.stderr.count("stopped: stopped after epoch 1 on request") == 2, stopped.stderr[-4000:]
    run_id = interrupted_run(python, project, reference)
    resumed(python, project, run_id, processes=2)
    assert_same_result(python, project, reference, run_id)


def test_lightning_stopped_by_sigusr1_resumes_to_the_same_result(root, tmp_path_factory):
    project = generate(root, "resume-lightning", "lightning")
    python = venv(tmp_path_factory, [project])
    reference = uninterrupted(python, project)
    stopped = interrupted(python, project, "SIGUSR1")
    assert stopped.returncode == 75, stopped.stdout[-2000:] + stopped.stderr[-3000:]
    run_id = interrupted_run(python, project, reference)
    assert_killed_after_two_epochs(python, project, run_id)
    assert_another_model_refused(python, project, run_id)
    resumed(python, project, run_id)
    assert_same_result(python, project, reference, run_id)


def test_jax_killed_after_a_checkpoint_resumes_to_the_same_result(root, tmp_path_factory):
    project = generate(root, "resume-jax", "jax")
    python = venv(tmp_path_factory, [project])
    reference = uninterrupted(python, project)
    killed = interrupted(python, project, "SIGKILL")
    assert killed.returncode == -9, killed.stdout[-2000:] + killed.stderr[-3000:]
    run_id = interrupted_run(python, project, reference)
    assert_another_model_refused(python, project, run_id)
    resumed(python, project, run_id)
    assert_same_result(python, project, reference, run_id)


def test_tensorflow_stopped_by_sigterm_resumes_to_the_same_result(root, tmp_path_factory):
    project = generate(root, "resume-tf", "tensorflow")
    python = venv(tmp_path_factory, [project], deps=tensorflow_venv)
    reference = uninterrupted(python, project)
    stopped = interrupted(python, project, "SIGTERM")
    assert stopped.returncode == 75, stopped.stdout[-2000:] + stopped.stderr[-3000:]
    run_id = interrupted_run(python, project, reference)
    assert_killed_after_two_epochs(python, project, run_id)
    assert_another_model_refused(python, project, run_id)
    resumed(python, project, run_id)
    assert_same_result(python, project, reference, run_id)
