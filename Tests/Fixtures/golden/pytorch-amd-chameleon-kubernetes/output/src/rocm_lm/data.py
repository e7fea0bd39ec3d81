"""Datasets through the manifest: sha256-verified files, or a deterministic synthetic set.

    python -m rocm_lm.data [--config configs/train.yaml] [--out DIR]

(the manifest is the config's data.manifest, default data/manifest.yaml)

verifies every file the manifest lists and writes the train/test split the run would use
to DIR (default data/processed) as `dataset.npz`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml


class ManifestError(Exception):
    """The dataset manifest is malformed or a file does not match its recorded checksum."""


@dataclass(frozen=True)
class Splits:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    manifest_sha256: str
    dataset: str


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def load_manifest(path: Path) -> dict:
    try:
        manifest = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise ManifestError(f"{path}: cannot read the dataset manifest: {error}") from error
    if not isinstance(manifest, dict) or not isinstance(manifest.get("datasets"), list):
        raise ManifestError(f"{path}: expected a mapping with a 'datasets' list")
    return manifest


def find_dataset(manifest: dict, name: str, path: Path) -> dict:
    for entry in manifest["datasets"]:
        if isinstance(entry, dict) and entry.get("name") == name:
            return entry
    names = [str(entry.get("name")) for entry in manifest["datasets"] if isinstance(entry, dict)]
    raise ManifestError(f"{path}: no dataset named '{name}' (have: {', '.join(names) or 'none'})")


def verify_files(dataset: dict, root: Path) -> list[Path]:
    """Check size and sha256 of every file listed for `dataset`; return their paths."""
    verified = []
    for item in dataset.get("files") or []:
        relative = Path(str(item.get("path", "")))
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise ManifestError(f"dataset '{dataset.get('name')}': file path '{relative}' must stay inside the project")
        path = root / relative
        if not path.is_file():
            raise ManifestError(f"{relative}: listed in the manifest but missing (run `dvc pull`)")
        expected_size = item.get("size")
        if expected_size is not None and path.stat().st_size != int(expected_size):
            raise ManifestError(f"{relative}: size {path.stat().st_size} differs from the manifest's {expected_size}")
        actual = sha256_file(path)
        if actual != str(item.get("sha256", "")).lower():
            raise ManifestError(f"{relative}: sha256 {actual} differs from the manifest's {item.get('sha256')}")
        verified.append(path)
    return verified


def synthetic(spec: dict, seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Gaussian class clusters; identical for the same spec and seed on every machine."""
    n_samples = int(spec.get("n_samples", 2000))
    n_features = int(spec.get("n_features", 20))
    n_classes = int(spec.get("n_classes", 3))
    noise = float(spec.get("noise", 1.0))
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, float(spec.get("center_scale", 1.0)), size=(n_classes, n_features))
    labels = rng.integers(0, n_classes, size=n_samples)
    features = centers[labels] + rng.normal(0.0, noise, size=(n_samples, n_features))
    return features.astype(np.float32), labels.astype(np.int64), n_classes


def from_files(paths: list[Path], dataset: dict) -> tuple[np.ndarray, np.ndarray, int]:
    """`.npz` files with arrays `x` and `y`, or CSV files whose last column is the label."""
    xs, ys = [], []
    for path in paths:
        if path.suffix == ".npz":
            with np.load(path) as arrays:
                xs.append(arrays["x"].astype(np.float32))
                ys.append(arrays["y"].astype(np.int64))
        elif path.suffix == ".csv":
            table = np.loadtxt(path, delimiter=",", skiprows=int(dataset.get("header_rows", 1)))
            xs.append(table[:, :-1].astype(np.float32))
            ys.append(table[:, -1].astype(np.int64))
    if not xs:
        raise ManifestError(f"dataset '{dataset.get('name')}': no .npz or .csv files listed")
    features, labels = np.concatenate(xs), np.concatenate(ys)
    return features, labels, int(labels.max()) + 1


def load_splits(config: dict, root: Path = Path(".")) -> Splits:
    """Load the configured dataset through the manifest and split it deterministically."""
    data_config = config.get("data", {})
    manifest_path = root / data_config.get("manifest", "data/manifest.yaml")
    manifest = load_manifest(manifest_path)
    dataset = find_dataset(manifest, data_config.get("dataset", "synthetic"), manifest_path)
    # The data and the split come from the manifest's seeds, never the run's `seed`: runs with different
    # training seeds are measured on one test set, which dataset.manifest_sha256 identifies.
    if dataset.get("kind") == "synthetic":
        spec = dataset.get("synthetic") or {}
        features, labels, n_classes = synthetic(spec, int(spec.get("seed", 0)))
    else:
        features, labels, n_classes = from_files(verify_files(dataset, root), dataset)
    splits = dataset.get("splits") or {}
    test_fraction = float(splits.get("test_fraction", data_config.get("test_fraction", 0.2)))
    # Leakage rule: one permutation from the split seed; a sample is in exactly one split.
    order = np.random.default_rng(int(splits.get("seed", 0))).permutation(len(labels))
    n_test = max(1, int(round(len(labels) * test_fraction)))
    test, train = order[:n_test], order[n_test:]
    return Splits(features[train], labels[train], features[test], labels[test], n_classes,
                  sha256_file(manifest_path), str(dataset.get("name")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify the dataset manifest and write the splits.")
    parser.add_argument("--config", type=Path, default=Path("configs/train.yaml"))
    parser.add_argument("--out", type=Path, default=Path("data/processed"))
    args = parser.parse_args(argv)
    config = yaml.safe_load(args.config.read_text())
    splits = load_splits(config)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez(args.out / "dataset.npz", x_train=splits.x_train, y_train=splits.y_train,
             x_test=splits.x_test, y_test=splits.y_test)
    summary = {"dataset": splits.dataset, "manifest_sha256": splits.manifest_sha256,
               "train": len(splits.y_train), "test": len(splits.y_test), "classes": splits.n_classes}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
