"""Log-probabilidades de los objetivos y perplejidad de corpus de un modelo."""

from __future__ import annotations

import weakref
from typing import Any

import keras
import numpy as np
import tensorflow as tf

__all__ = ["PerplexityCallback", "evaluate_perplexity", "target_log_probs"]

# Una tf.function por modelo, sin guardarla en atributos privados del modelo.
# La función ve al modelo por una referencia débil: así la tabla no lo mantiene
# vivo (al borrar el modelo se va también su función).
_LOGP_FNS: weakref.WeakKeyDictionary[keras.Model, Any] = weakref.WeakKeyDictionary()


def _logp_fn(model: keras.Model) -> Any:
    """``tf.function`` (una por modelo) que devuelve ``log P(y | X)`` de cada fila."""
    fn = _LOGP_FNS.get(model)
    if fn is None:
        ref = weakref.ref(model)

        @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32),
                                      tf.TensorSpec([None], tf.int32)], reduce_retracing=True)
        def fn(X: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
            logits = tf.cast(ref()(X, training=False), tf.float32)  # type: ignore[misc]
            logp = tf.nn.log_softmax(logits, axis=-1)
            return tf.gather(logp, y, axis=-1, batch_dims=1)

        _LOGP_FNS[model] = fn
    return fn


def target_log_probs(model: keras.Model, data: tf.data.Dataset | tuple[Any, Any],
                     batch_size: int = 512) -> np.ndarray:
    """``log P(objetivo | contexto)`` (logaritmo natural, ``float64``) de cada objetivo.

    ``data`` es un dataset de lotes ``(X, y)`` o un par de arreglos ``(X, y)``.
    El ``log_softmax`` se calcula sobre los logits (sin pasar por
    probabilidades, que podrían redondearse a 0); el paso está compilado con
    ``tf.function`` una vez por modelo.
    """
    if isinstance(data, tuple):
        data = tf.data.Dataset.from_tensor_slices(data).batch(batch_size)
    fn = _logp_fn(model)
    out: list[np.ndarray] = []
    for X, y in data:
        picked = fn(tf.cast(X, tf.int32), tf.cast(y, tf.int32))
        out.append(picked.numpy().astype(np.float64))
    return np.concatenate(out) if out else np.zeros((0,), np.float64)


def evaluate_perplexity(model: keras.Model, data: tf.data.Dataset | tuple[Any, Any]) -> float:
    """Perplejidad de corpus: ``exp(-(1/N) Σ log P(objetivo))`` sobre **todos** los objetivos.

    Suma los logaritmos en ``float64``: ni se multiplican probabilidades ni se
    promedian perplejidades de versos o de lotes.
    """
    logp = target_log_probs(model, data)
    if logp.size == 0:
        raise ValueError("evaluate_perplexity: no hay objetivos que evaluar")
    return float(np.exp(-logp.sum() / logp.size))


class PerplexityCallback(keras.callbacks.Callback):
    """Calcula la perplejidad de validación al final de cada época.

    La escribe en ``logs["val_perplexity"]`` (la ven la barra de progreso, la
    historia de Keras y ``EarlyStopping``, que tienen que ir **después** en la
    lista de callbacks; Keras agrega la historia y la barra al final) y la
    guarda en ``self.values``.
    """

    def __init__(self, data: tf.data.Dataset | tuple[Any, Any], name: str = "val_perplexity"):
        super().__init__()
        self.data = data
        self.name = name
        self.values: list[float] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        ppl = evaluate_perplexity(self.model, self.data)
        self.values.append(ppl)
        if logs is not None:
            logs[self.name] = ppl
