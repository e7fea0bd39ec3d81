"""The model: a small lightning classifier trained epoch by epoch.

`fit` calls `on_epoch(epoch, metrics)` after every epoch; `evaluate` scores a held-out
split; `log_model` stores the fitted model in MLflow with the lightning flavour.
"""

from __future__ import annotations

from collections.abc import Callable

import lightning as L
import numpy as np
import torch
import torch.distributed as dist
from torch import nn
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


class Classifier(L.LightningModule):
    def __init__(self, config: dict, n_features: int, n_classes: int) -> None:
        super().__init__()
        self.net = build(config, n_features, n_classes)
        self.learning_rate = float(config["train"]["learning_rate"])

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.net(features)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_index: int) -> torch.Tensor:
        features, labels = batch
        loss = nn.functional.cross_entropy(self(features), labels)
        self.log("train_loss", loss, on_step=False, on_epoch=True, sync_dist=distributed())
        return loss

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=self.learning_rate)


class EpochReport(L.Callback):
    def __init__(self, x_val: np.ndarray, y_val: np.ndarray, n_classes: int,
                 on_epoch: Callable[[int, dict[str, float]], None], checkpointer: Checkpointer | None = None,
                 generator: torch.Generator | None = None) -> None:
        self.x_val, self.y_val, self.n_classes, self.on_epoch = x_val, y_val, n_classes, on_epoch
        self.checkpointer, self.generator = checkpointer, generator

    def on_train_epoch_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        metrics = {"train_loss": float(trainer.callback_metrics["train_loss"])}
        metrics.update({f"val_{k}": v for k, v in evaluate(module, self.x_val, self.y_val, self.n_classes).items()})
        module.train()
        self.on_epoch(trainer.current_epoch, metrics)
        if self.checkpointer is not None:
            # The Trainer's own checkpoint (weights, optimizer, loop progress) plus the shuffling generator.
            self.checkpointer.end_epoch(trainer.current_epoch, metrics, lambda: self.checkpointer.snapshot(
                {"lightning": trainer._checkpoint_connector.dump_checkpoint(weights_only=False)},
                batches=self.generator.get_state() if self.generator is not None else None))


def fit(config: dict, x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
        n_classes: int, seed: int, on_epoch: Callable[[int, dict[str, float]], None],
        checkpointer: Checkpointer | None = None) -> Classifier:
    """Train with a Lightning Trainer whose strategy, devices and num_nodes come from
    `distributed` in the config (`auto`: from the launcher, see trainer_options)."""
    module = Classifier(config, x.shape[1], n_classes)
    batches = loader(x, y, int(config["train"]["batch_size"]), seed, shuffle=True)
    # Checkpoints are written by checkpoint.Checkpointer (every N epochs, best, on SIGUSR1), not by Lightning's own.
    trainer = L.Trainer(max_epochs=int(config["train"]["epochs"]), deterministic=True, accelerator="auto",
                        logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, use_distributed_sampler=False,
                        callbacks=[EpochReport(x_val, y_val, n_classes, on_epoch, checkpointer, batches.generator)],
                        **trainer_options(config))
    if checkpointer is None or checkpointer.state is None:
        trainer.fit(module, batches)
        return module
    import tempfile
    from pathlib import Path

    state = checkpointer.restore()
    check_fits(checkpointer.restored.folder, state["lightning"]["state_dict"], module.state_dict())
    if batches.generator is not None:
        batches.generator.set_state(state["rank"]["batches"])
    with tempfile.TemporaryDirectory() as scratch:
        resume_from = Path(scratch) / "resume.ckpt"
        torch.save(state["lightning"], resume_from)
        trainer.fit(module, batches, ckpt_path=str(resume_from))
    return module


def trainer_options(config: dict) -> dict:
    """strategy, devices, num_nodes and the cluster environment of the Trainer.

    One process: one device, no strategy. Under torchrun or srun (TorchElasticEnvironment; srun's
    SLURM_* variables are mapped to torchrun's), `auto` values become ddp, this node's process count
    and the node count;
    the process group is already initialised (distributed.process_group) with the configured
    backend and timeout, and Lightning joins it.
    """
    from lightning.pytorch.plugins.environments import TorchElasticEnvironment
    from lightning.pytorch.strategies import DDPStrategy

    from . import distributed as launch_info

    settings = config.get("distributed") or {}
    launch = launch_info.detect()
    strategy, devices, num_nodes = (settings.get(key, "auto") for key in ("strategy", "devices", "num_nodes"))
    if not launch.distributed:
        if str(devices) not in ("auto", "1") or str(num_nodes) not in ("auto", "1"):
            raise launch_info.LaunchError(
                f"distributed.devices={devices} and num_nodes={num_nodes} need a launcher that starts one process "
                "per device: torchrun --nproc-per-node=N -m vision_scaling.train (or srun, see infra/slurm)")
        return {"devices": 1}
    devices = launch.local_world_size if str(devices) == "auto" else int(devices)
    num_nodes = launch.nodes if str(num_nodes) == "auto" else int(num_nodes)
    if devices * num_nodes != launch.world_size:
        raise launch_info.LaunchError(
            f"distributed.devices={devices} x num_nodes={num_nodes} differs from the {launch.world_size} processes "
            f"{launch.launcher} started; set them to auto")
    if str(strategy) == "auto":
        strategy = DDPStrategy(process_group_backend=launch_info.resolve_backend(config),
                               timeout=launch_info.timeout(config))
    # srun's tasks were given torchrun's variables by distributed.process_group, so both read as torchrun here.
    environment = TorchElasticEnvironment()
    return {"strategy": strategy, "devices": devices, "num_nodes": num_nodes, "plugins": [environment]}


def log_model(model: nn.Module, x_example: np.ndarray) -> None:
    import mlflow.pytorch

    mlflow.pytorch.log_model(model.cpu(), name="model", input_example=x_example[:5])
