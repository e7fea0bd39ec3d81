"""The test split is the dataset's, not the run's: training seeds 42 and 43 are measured on the same
held-out samples (and train on the same data), while a different splits.seed in the manifest, which
changes dataset.manifest_sha256, draws another split. Runs the generated data.py in the cached
virtualenv of test_dvc_pipeline.py."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap

import pytest
from conftest import dvc_study

SPLITS = textwrap.dedent("""
    import hashlib, json, sys
    from pathlib import Path
    import yaml
    from dvc_study import data
    config = yaml.safe_load(open("configs/train.yaml"))
    out = {}
    for seed in (42, 43):
        config["seed"] = seed
        splits = data.load_splits(config, Path("."))
        out[seed] = {"test": hashlib.sha256(splits.x_test.tobytes() + splits.y_test.tobytes()).hexdigest(),
                     "train": hashlib.sha256(splits.x_train.tobytes()).hexdigest(),
                     "manifest": splits.manifest_sha256}
    print(json.dumps(out))
""")


@pytest.mark.skipif(os.environ.get("MLREPRO_SKIP_NETWORK") == "1", reason="MLREPRO_SKIP_NETWORK=1")
def test_training_seeds_share_one_test_split(tmp_path):
    project = tmp_path / "dvc-study"
    python = dvc_study(project, "--no-git")
    env = dict(os.environ, PYTHONPATH=str(project / "src"))

    def splits() -> dict:
        done = subprocess.run([str(python), "-c", SPLITS], cwd=project, env=env, capture_output=True, text=True,
                              timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    first = splits()
    assert first["42"] == first["43"], "the training seed changed the data or the test split"
    manifest = project / "data" / "manifest.yaml"
    text = manifest.read_text()
    assert "      seed: 43" in text
    manifest.write_text(text.replace("      seed: 43", "      seed: 44", 1))
    second = splits()
    assert second["42"]["test"] != first["42"]["test"] and second["42"]["manifest"] != first["42"]["manifest"]
