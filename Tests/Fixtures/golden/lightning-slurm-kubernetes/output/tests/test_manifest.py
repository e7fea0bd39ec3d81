"""The dataset manifest's checksums verify, and a changed file is refused."""

import hashlib
from pathlib import Path

import pytest
import yaml

from vision_scaling.data import ManifestError, load_manifest, verify_files

PROJECT = Path(__file__).resolve().parent.parent


def test_every_listed_file_matches_its_checksum():
    manifest = load_manifest(PROJECT / "data" / "manifest.yaml")
    assert manifest["datasets"], "the manifest lists no dataset"
    for dataset in manifest["datasets"]:
        assert dataset.get("name") and dataset.get("license") and dataset.get("source")
        assert dataset.get("kind") == "synthetic" or dataset.get("files"), dataset["name"]
        verify_files(dataset, PROJECT)


def test_a_modified_file_is_refused(tmp_path):
    payload = tmp_path / "data" / "x.csv"
    payload.parent.mkdir()
    payload.write_text("a,label\n1.0,0\n")
    digest = hashlib.sha256(payload.read_bytes()).hexdigest()
    dataset = yaml.safe_load(f"""
name: sample
files:
  - path: data/x.csv
    sha256: {digest}
    size: {payload.stat().st_size}
""")
    assert verify_files(dataset, tmp_path) == [payload]
    payload.write_text("a,label\n2.0,0\n")
    with pytest.raises(ManifestError, match="sha256"):
        verify_files(dataset, tmp_path)
