"""The model: a small pytorch classifier trained epoch by epoch.

`fit` calls `on_epoch(epoch, metrics)` after every epoch; `evaluate` scores a held-out
split; `log_model` stores the fitted model in MLflow with the pytorch flavour.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from .checkpoint import Checkpointer, check_fits


def build(config: dict, n_features: int, n_classes: int) -> nn.Module:
    hidden = int(config["model"]["hidden_units"])
    return nn.Sequential(
        nn.Linear(n_features, hidden), nn.ReLU(), nn.Dropout(float(config["model"]["dropout"])),
        nn.Linear(hidden, n_classes),
    )


def device() -> torch.device:
    # The GPU this rank was pinned to (distributed.process_group sets it); ROCm builds report as cuda.
    return torch.device("cuda", torch.cuda.current_device()) if torch.cuda.is_available() else torch.device("cpu")


def distributed() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def loader(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int, shuffle: bool) -> DataLoader:
    """Batches of (x, y). Under several processes each rank draws its own shard, reshuffled per epoch
    from `seed` (call `loader.sampler.set_epoch(epoch)`); `batch_size` is per process."""
    dataset = TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    if distributed():
        sampler = DistributedSampler(dataset, num_replicas=dist.get_world_size(), rank=dist.get_rank(),
                                     shuffle=shuffle, seed=seed)
        return DataLoader(dataset, batch_size=batch_size, sampler=sampler)
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)


@torch.no_grad()
def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray, n_classes: int) -> dict[str, float]:
    """Accuracy and mean cross-entropy on (x, y); under several processes each rank scores every
    world_size-th sample and the sums are reduced, so every rank returns the metrics of the whole split."""
    model.eval()
    target = next(model.parameters()).device
    if not distributed():
        logits = model(torch.from_numpy(x).to(target))
        labels = torch.from_numpy(y).to(target)
        loss = nn.functional.cross_entropy(logits, labels).item()
        accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
        return {"accuracy": float(accuracy), "loss": float(loss)}
    rank, world = dist.get_rank(), dist.get_world_size()
    logits = model(torch.from_numpy(x[rank::world]).to(target))
    labels = torch.from_numpy(y[rank::world]).to(target)
    sums = torch.tensor([nn.functional.cross_entropy(logits, labels, reduction="sum").item(),
                         (logits.argmax(dim=1) == labels).sum().item(), float(len(labels))],
                        dtype=torch.float64, device=target)
    dist.all_reduce(sums)
    loss_sum, correct, count = sums.tolist()
    return {"accuracy": correct / max(count, 1.0), "loss": loss_sum / max(count, 1.0)}


def fit(config: dict, x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
        n_classes: int, seed: int, on_epoch: Callable[[int, dict[str, float]], None],
        checkpointer: Checkpointer | None = None) -> nn.Module:
    """Train; under several processes the model is wrapped in DistributedDataParallel (gradients
    averaged across ranks every step) and the returned module is the unwrapped, identical model."""
    train = config["train"]
    model = build(config, x.shape[1], n_classes).to(device())
    network: nn.Module = model
    if distributed():
        # Same initial weights on every rank (DDP broadcasts rank 0's); dropout draws differ per rank.
        network = DistributedDataParallel(model, device_ids=[device().index] if device().type == "cuda" else None)
        torch.manual_seed(seed + dist.get_rank())
    optimizer = torch.optim.Adam(network.parameters(), lr=float(train["learning_rate"]))
    batches = loader(x, y, int(train["batch_size"]), seed, shuffle=True)
    first = 0
    if checkpointer is not None and checkpointer.state is not None:
        # Every rank loads the same model and optimizer state and its own random states.
        state = checkpointer.restore()
        check_fits(checkpointer.restored.folder, state["model"], model.state_dict())
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if batches.generator is not None:
            batches.generator.set_state(state["rank"]["batches"])
        first = checkpointer.start_epoch
    for epoch in range(first, int(train["epochs"])):
        if isinstance(batches.sampler, DistributedSampler):
            batches.sampler.set_epoch(epoch)
        network.train()
        total, count = 0.0, 0
        for features, labels in batches:
            features, labels = features.to(device()), labels.to(device())
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(network(features), labels)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(labels)
            count += len(labels)
        if distributed():
            sums = torch.tensor([total, float(count)], dtype=torch.float64, device=device())
            dist.all_reduce(sums)
            total, count = sums.tolist()
        metrics = {"train_loss": total / max(count, 1)}
        metrics.update({f"val_{k}": v for k, v in evaluate(model, x_val, y_val, n_classes).items()})
        on_epoch(epoch, metrics)
        if checkpointer is not None:
            checkpointer.end_epoch(epoch, metrics, lambda: checkpointer.snapshot(
                {"model": model.state_dict(), "optimizer": optimizer.state_dict()},
                batches=batches.generator.get_state() if batches.generator is not None else None))
    return model


def log_model(model: nn.Module, x_example: np.ndarray) -> None:
    import mlflow.pytorch

    mlflow.pytorch.log_model(model.cpu(), name="model", input_example=x_example[:5])
