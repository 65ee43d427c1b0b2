"""Ventanas (contexto → próxima palabra) como arreglos y como ``tf.data``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import tensorflow as tf

from helpers.lm.vocab import Vocab
from helpers.tokens import PAD_ID

__all__ = ["encode_windows", "make_dataset"]


def encode_windows(docs: Iterable[Sequence[str]], vocab: Vocab,
                   context_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Todos los pares (contexto, objetivo) de los documentos, como ids.

    Devuelve ``X`` (``int32``, ``(N, context_len)``) e ``y`` (``int32``, ``(N,)``):
    una fila por objetivo (cada palabra del documento y el ``</s>`` final), con
    el contexto ``<s> w1 … w(i-1)`` recortado a los últimos ``context_len``
    tokens y rellenado con ``<pad>`` (0) a la izquierda.
    """
    if context_len < 1:
        raise ValueError("context_len debe ser >= 1")
    rows: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    for doc in docs:
        ids = np.array([vocab.bos_id, *vocab.encode(doc), vocab.eos_id], dtype=np.int32)
        padded = np.concatenate([np.full(context_len - 1, PAD_ID, np.int32), ids])
        # ventana j del arreglo rellenado = contexto del objetivo ids[j + 1]
        win = np.lib.stride_tricks.sliding_window_view(padded, context_len)[: len(ids) - 1]
        rows.append(win)
        targets.append(ids[1:])
    if not rows:
        return np.zeros((0, context_len), np.int32), np.zeros((0,), np.int32)
    return np.ascontiguousarray(np.concatenate(rows)), np.concatenate(targets)


def make_dataset(docs: Iterable[Sequence[str]], vocab: Vocab, context_len: int, *,
                 batch_size: int = 256, shuffle: bool = False,
                 seed: int = 0) -> tf.data.Dataset:
    """``tf.data.Dataset`` de lotes ``(X, y)`` con las ventanas de :func:`encode_windows`.

    Con ``shuffle=True`` mezcla todas las ventanas en cada época (con ``seed``).
    """
    X, y = encode_windows(docs, vocab, context_len)
    ds = tf.data.Dataset.from_tensor_slices((X, y))
    if shuffle:
        ds = ds.shuffle(len(X), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
