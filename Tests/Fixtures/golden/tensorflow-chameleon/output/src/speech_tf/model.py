"""The model: a small tensorflow classifier trained epoch by epoch.

`fit` calls `on_epoch(epoch, metrics)` after every epoch; `evaluate` scores a held-out
split; `log_model` stores the fitted model in MLflow with the tensorflow flavour.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

from .checkpoint import Checkpointer, CheckpointError


def build(config: dict, n_features: int, n_classes: int) -> tf.keras.Model:
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(n_features,)),
        tf.keras.layers.Dense(int(config["model"]["hidden_units"]), activation="relu"),
        tf.keras.layers.Dropout(float(config["model"]["dropout"])),
        tf.keras.layers.Dense(n_classes),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(float(config["train"]["learning_rate"])),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def epoch_order(seed: int, epoch: int, n: int) -> np.ndarray:
    """The order of the training examples in one epoch: a function of (seed, epoch) alone, so an epoch
    trained after a resume sees the same batches as in an uninterrupted run."""
    return np.random.default_rng([seed, epoch]).permutation(n)


def training_state(model: tf.keras.Model) -> dict:
    """What a checkpoint keeps: every model variable (weights and the dropout layers' seed states) and
    every optimizer variable (its moments and its iteration counter)."""
    return {"variables": [variable.numpy() for variable in model.variables],
            "optimizer": [variable.numpy() for variable in model.optimizer.variables]}


def restore_training_state(model: tf.keras.Model, state: dict, folder: str) -> None:
    """Put a checkpoint's variables back; a checkpoint of another model (a changed `model.*` setting, an
    older template) is refused by name before anything is assigned."""
    model.optimizer.build(model.trainable_variables)
    pairs = []
    for kind, variables in (("variables", model.variables), ("optimizer", model.optimizer.variables)):
        values = state.get(kind)
        if values is None or len(values) != len(variables):
            saved = len(values or [])
            raise CheckpointError(f"{folder}: the checkpoint's {kind} do not fit this model ({saved} saved, "
                                  f"{len(variables)} here): it was written by another model or template version")
        for variable, value in zip(variables, values, strict=True):
            shape = tuple(np.shape(value))
            if tuple(variable.shape) != shape:
                raise CheckpointError(f"{folder}: the checkpoint's {variable.path} has shape {shape}, this "
                                      f"model's {tuple(variable.shape)}: resume with the recorded model settings")
            pairs.append((variable, value))
    for variable, value in pairs:
        variable.assign(value)


class EpochReport(tf.keras.callbacks.Callback):
    def __init__(self, on_epoch: Callable[[int, dict[str, float]], None],
                 checkpointer: Checkpointer | None = None) -> None:
        super().__init__()
        self.report, self.checkpointer = on_epoch, checkpointer

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        metrics = {"train_loss": float(logs["loss"]), "val_loss": float(logs["val_loss"]),
                   "val_accuracy": float(logs["val_accuracy"])}
        self.report(epoch, metrics)
        if self.checkpointer is not None:
            self.checkpointer.end_epoch(epoch, metrics,
                                        lambda: self.checkpointer.snapshot(training_state(self.model)))


def fit(config: dict, x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
        n_classes: int, seed: int, on_epoch: Callable[[int, dict[str, float]], None],
        checkpointer: Checkpointer | None = None) -> tf.keras.Model:
    model = build(config, x.shape[1], n_classes)
    first = 0
    if checkpointer is not None and checkpointer.state is not None:
        restore_training_state(model, checkpointer.restore(), str(checkpointer.restored.folder))
        first = checkpointer.start_epoch
    report = EpochReport(on_epoch, checkpointer)
    # One fit call per epoch on that epoch's own order (not Keras' shuffle, whose order a resume cannot
    # restore): resuming at epoch k trains exactly the batches an uninterrupted run trains from epoch k.
    for epoch in range(first, int(config["train"]["epochs"])):
        order = epoch_order(seed, epoch, len(y))
        model.fit(x[order], y[order], validation_data=(x_val, y_val), epochs=epoch + 1, initial_epoch=epoch,
                  batch_size=int(config["train"]["batch_size"]), shuffle=False, verbose=0, callbacks=[report])
    return model


def evaluate(model: tf.keras.Model, x: np.ndarray, y: np.ndarray, n_classes: int) -> dict[str, float]:
    loss, accuracy = model.evaluate(x, y, verbose=0)
    return {"accuracy": float(accuracy), "loss": float(loss)}


def log_model(model: tf.keras.Model, x_example: np.ndarray) -> None:
    import mlflow.tensorflow

    mlflow.tensorflow.log_model(model, name="model", input_example=x_example[:5])
