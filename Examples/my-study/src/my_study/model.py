"""The model: a small pytorch classifier trained epoch by epoch.

`fit` calls `on_epoch(epoch, metrics)` after every epoch; `evaluate` scores a held-out
split; `log_model` stores the fitted model in MLflow with the pytorch flavour.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def build(config: dict, n_features: int, n_classes: int) -> nn.Module:
    hidden = int(config["model"]["hidden_units"])
    return nn.Sequential(
        nn.Linear(n_features, hidden), nn.ReLU(), nn.Dropout(float(config["model"]["dropout"])),
        nn.Linear(hidden, n_classes),
    )


def device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")  # ROCm builds report as cuda


def loader(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int, shuffle: bool) -> DataLoader:
    generator = torch.Generator().manual_seed(seed)
    dataset = TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)


@torch.no_grad()
def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray, n_classes: int) -> dict[str, float]:
    model.eval()
    target = next(model.parameters()).device
    logits = model(torch.from_numpy(x).to(target))
    labels = torch.from_numpy(y).to(target)
    loss = nn.functional.cross_entropy(logits, labels).item()
    accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
    return {"accuracy": float(accuracy), "loss": float(loss)}


def fit(config: dict, x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
        n_classes: int, seed: int, on_epoch: Callable[[int, dict[str, float]], None]) -> nn.Module:
    train = config["train"]
    model = build(config, x.shape[1], n_classes).to(device())
    optimizer = torch.optim.Adam(model.parameters(), lr=float(train["learning_rate"]))
    batches = loader(x, y, int(train["batch_size"]), seed, shuffle=True)
    for epoch in range(int(train["epochs"])):
        model.train()
        total, count = 0.0, 0
        for features, labels in batches:
            features, labels = features.to(device()), labels.to(device())
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(features), labels)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(labels)
            count += len(labels)
        metrics = {"train_loss": total / max(count, 1)}
        metrics.update({f"val_{k}": v for k, v in evaluate(model, x_val, y_val, n_classes).items()})
        on_epoch(epoch, metrics)
    return model


def log_model(model: nn.Module, x_example: np.ndarray) -> None:
    import mlflow.pytorch

    mlflow.pytorch.log_model(model.cpu(), name="model", input_example=x_example[:5])
