"""Entrenar un modelo de lenguaje (:func:`train_lm`) y lo que devuelve (:class:`TrainedLM`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from helpers._classes import same_class
from helpers.config import seed_everything
from helpers.lm.configuration import LMConfig, default_config
from helpers.lm.datasets import make_dataset
from helpers.lm.metrics import PerplexityCallback, evaluate_perplexity
from helpers.lm.model import build_lm
from helpers.lm.splits import Splits, load_splits
from helpers.lm.vocab import Vocab

__all__ = ["TrainedLM", "train_lm"]


@dataclass(eq=False)
class TrainedLM:
    """Un modelo de lenguaje entrenado y todo lo necesario para usarlo."""

    model: keras.Model
    vocab: Vocab
    config: LMConfig
    splits: Splits
    #: por época: ``loss`` (entrenamiento), ``val_perplexity``, ``epoch_seconds``;
    #: además ``best_epoch`` (índice desde 0 de la época cuyos pesos quedaron).
    history: dict[str, Any] = field(default_factory=dict)
    #: ``True`` si los pesos se cargaron de la caché en lugar de entrenarse ahora.
    from_cache: bool = False
    cache_path: Path | None = None

    # Igualdad campo a campo, también contra un TrainedLM creado antes de recargar
    # helpers (el autocorrector lo hace antes de cada celda de evaluación).
    def __eq__(self, other: object) -> bool:
        if not same_class(other, TrainedLM):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(self))

    __hash__ = None  # type: ignore[assignment]

    def dataset(self, split: str = "val", batch_size: int = 512) -> tf.data.Dataset:
        """Las ventanas de una partición como ``tf.data`` (sin mezclar)."""
        return make_dataset(self.splits[split], self.vocab, self.config.context_len,
                            batch_size=batch_size)

    def perplexity(self, split: str = "test") -> float:
        """Perplejidad de corpus del modelo en una partición (``val`` o ``test``)."""
        return evaluate_perplexity(self.model, self.dataset(split))


class _EpochTimer(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self._t0 = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.seconds.append(time.perf_counter() - self._t0)


class _EpochBar(keras.callbacks.Callback):
    """Una barra de ``tqdm`` por épocas, con la perplejidad de validación."""

    def __init__(self, epochs: int) -> None:
        super().__init__()
        self.epochs = epochs
        self.bar: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(total=self.epochs, desc="Entrenando", unit="época")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.bar is None:
            return
        ppl = (logs or {}).get("val_perplexity")
        if ppl is not None:
            self.bar.set_postfix_str(f"perplejidad de validación {ppl:.2f}")
        self.bar.update(1)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.bar is not None:
            self.bar.close()


class _EpochLines(keras.callbacks.Callback):
    """Una línea por época: pérdida, perplejidad de validación y segundos."""

    def __init__(self, epochs: int, timer: _EpochTimer) -> None:
        super().__init__()
        self.epochs = epochs
        self.timer = timer

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        parts = [f"época {epoch + 1:>{len(str(self.epochs))}}/{self.epochs}"]
        if "loss" in logs:
            parts.append(f"pérdida {float(logs['loss']):.3f}")
        if "val_perplexity" in logs:
            parts.append(f"perplejidad de validación {float(logs['val_perplexity']):.2f}")
        if self.timer.seconds:
            parts.append(f"{self.timer.seconds[-1]:.1f} s")
        print(" · ".join(parts), flush=True)


def _silent(verbose: Any) -> bool:
    return verbose in (0, False)


def _keras_verbose(verbose: Any) -> int:
    """Lo que recibe ``model.fit``: la barra de Keras solo si se pide con 1."""
    return 1 if verbose is True or verbose == 1 else 0


def train_lm(config: LMConfig | None = None, *, splits: Splits | None = None,
             verbose: Any = "auto", progress: bool | None = None) -> TrainedLM:
    """Entrena un modelo (sin caché): vocabulario con el entrenamiento, parada
    temprana sobre la perplejidad de validación y restauración de los mejores pesos.

    ``verbose``: ``"auto"`` (por omisión) o 2 = **una línea por época** (pérdida,
    perplejidad de validación, segundos); 0 = una sola barra de ``tqdm`` por
    épocas; 1 = la barra de progreso de Keras (cientos de líneas en un notebook
    guardado: solo si se pide). ``progress=False`` apaga la barra de ``tqdm`` de
    ``verbose=0`` (para quien informa por su cuenta, una línea por modelo).
    """
    config = config or default_config()
    splits = splits or load_splits(config)
    vocab = Vocab.fit(splits.train, min_count=config.min_count)
    seed_everything(config.seed)
    train_ds = make_dataset(splits.train, vocab, config.context_len,
                            batch_size=config.batch_size, shuffle=True, seed=config.seed)
    val_ds = make_dataset(splits.val, vocab, config.context_len)
    model = build_lm(len(vocab), config)
    ppl_cb = PerplexityCallback(val_ds)
    timer = _EpochTimer()
    stop = keras.callbacks.EarlyStopping(monitor="val_perplexity", mode="min",
                                         patience=config.patience,
                                         restore_best_weights=True)
    callbacks: list[keras.callbacks.Callback] = [timer, ppl_cb, stop]
    if _silent(verbose):
        if progress is not False:
            callbacks.append(_EpochBar(config.epochs))
    elif _keras_verbose(verbose) == 0:
        # Después de la perplejidad (la escribe en logs) y antes de la parada temprana.
        callbacks.insert(2, _EpochLines(config.epochs, timer))
    # shuffle=False: el dataset ya se mezcla (con semilla) en cada época.
    fit_hist = model.fit(train_ds, epochs=config.epochs, callbacks=callbacks,
                         shuffle=False, verbose=_keras_verbose(verbose))
    vals = [float(v) for v in ppl_cb.values]
    history = {
        "loss": [float(v) for v in fit_hist.history.get("loss", [])],
        "val_perplexity": vals,
        "epoch_seconds": timer.seconds,
        "best_epoch": int(np.argmin(vals)) if vals else None,
    }
    return TrainedLM(model=model, vocab=vocab, config=config, splits=splits, history=history)
