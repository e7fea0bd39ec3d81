"""The model: a small sklearn classifier trained epoch by epoch.

`fit` calls `on_epoch(epoch, metrics)` after every epoch; `evaluate` scores a held-out
split; `log_model` stores the fitted model in MLflow with the sklearn flavour.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, log_loss

from .checkpoint import Checkpointer


def build(config: dict, n_features: int, n_classes: int, seed: int) -> SGDClassifier:
    model_config = config["model"]
    return SGDClassifier(loss="log_loss", alpha=float(model_config["alpha"]),
                         learning_rate="constant", eta0=float(config["train"]["learning_rate"]),
                         random_state=seed)


def fit(config: dict, x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
        n_classes: int, seed: int, on_epoch: Callable[[int, dict[str, float]], None],
        checkpointer: Checkpointer | None = None) -> SGDClassifier:
    model = build(config, x.shape[1], n_classes, seed)
    classes = np.arange(n_classes)
    rng = np.random.default_rng(seed)
    batch_size = int(config["train"]["batch_size"])
    first = 0
    if checkpointer is not None and checkpointer.state is not None:
        state = checkpointer.restore()
        model, first = state["model"], checkpointer.start_epoch
        rng.bit_generator.state = state["rank"]["batches"]
    for epoch in range(first, int(config["train"]["epochs"])):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            batch = order[start:start + batch_size]
            model.partial_fit(x[batch], y[batch], classes=classes)
        metrics = {"train_loss": float(log_loss(y, model.predict_proba(x), labels=classes))}
        metrics.update({f"val_{k}": v for k, v in evaluate(model, x_val, y_val, n_classes).items()})
        on_epoch(epoch, metrics)
        if checkpointer is not None:
            checkpointer.end_epoch(epoch, metrics, lambda: checkpointer.snapshot(
                {"model": model}, batches=rng.bit_generator.state))
    return model


def evaluate(model: SGDClassifier, x: np.ndarray, y: np.ndarray, n_classes: int) -> dict[str, float]:
    probabilities = model.predict_proba(x)
    return {"accuracy": float(accuracy_score(y, probabilities.argmax(axis=1))),
            "loss": float(log_loss(y, probabilities, labels=np.arange(n_classes)))}


def log_model(model: SGDClassifier, x_example: np.ndarray) -> None:
    import mlflow.sklearn
    from mlflow.models import infer_signature

    mlflow.sklearn.log_model(model, name="model", input_example=x_example[:5],
                             signature=infer_signature(x_example, model.predict(x_example)))
