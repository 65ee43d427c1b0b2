"""El modelo de un paso: comparte los pesos del modelo de Keras y lleva el estado.

:class:`StepModel` es el dueño de las piezas del modelo entrenado (la
``Embedding``, la celda de cada capa recurrente y la ``Dense`` final) y arma con
ellas, dentro de un ``tf.function``, un paso (:meth:`StepModel.step`) y el
procesamiento del prompt (:meth:`StepModel.prefill`). Las estrategias
(:mod:`helpers.decoding.samplers`, :mod:`helpers.decoding.beam`) y la
puntuación (:mod:`helpers.decoding.scoring`) se escriben sobre esto. Nada se
guarda en el modelo de Keras.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from helpers.tokens import PAD_ID

__all__ = ["StepModel", "log_prob_of"]

_ALLOWED = ("Embedding", "SimpleRNN", "GRU", "LSTM", "Dense", "Dropout")


def _layers_by_kind(model: Any) -> tuple[list[Any], Any, list[Any], Any]:
    """Las capas del modelo: (todas, embedding, recurrentes, densa); valida la estructura."""
    import keras

    L = keras.layers
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    embeddings = [layer for layer in layers if isinstance(layer, L.Embedding)]
    rnns = [layer for layer in layers if isinstance(layer, (L.SimpleRNN, L.GRU, L.LSTM))]
    denses = [layer for layer in layers if isinstance(layer, L.Dense)]
    others = [layer for layer in layers
              if not isinstance(layer, (L.Embedding, L.Dense, L.Dropout, L.SimpleRNN, L.GRU,
                                        L.LSTM))]
    ok = (len(embeddings) == 1 and rnns and len(denses) == 1 and not others
          and layers[0] is embeddings[0] and layers[-1] is denses[-1])
    if not ok:
        raise ValueError(
            "Decoder espera Embedding → capas SimpleRNN/GRU/LSTM (Dropout opcional) → "
            f"Dense; el modelo tiene {[type(layer).__name__ for layer in layers]}")
    return layers, embeddings[0], rnns, denses[0]


def _check_layers(embedding: Any, rnns: Sequence[Any], dense: Any) -> None:
    for layer in rnns:
        if getattr(layer, "go_backwards", False) or getattr(layer, "stateful", False):
            raise ValueError(f"{layer.name}: no se admiten capas go_backwards/stateful")
    if not getattr(embedding, "mask_zero", False):
        raise ValueError("Decoder espera Embedding(mask_zero=True): el relleno (id 0) "
                         "no debe cambiar el estado")
    if getattr(dense.activation, "__name__", "linear") != "linear":
        raise ValueError("la Dense final debe devolver logits (activation=None), no "
                         f"{dense.activation.__name__}")


def log_prob_of(logits: tf.Tensor, tokens: tf.Tensor) -> tf.Tensor:
    """``log P(token)`` de cada fila en ``float64``: ``logit - logsumexp(logits)``.

    Los logits vienen en ``float32`` del modelo; la resta y la suma de
    exponenciales se hacen en ``float64``, así que el único redondeo que queda
    es el de los logits (lo que se acumula después, también en ``float64``).
    """
    z = tf.cast(logits, tf.float64)
    return tf.gather(z, tokens, batch_dims=1) - tf.reduce_logsumexp(z, axis=-1)


class StepModel:
    """Las piezas de un modelo de ``helpers.lm`` para decodificar de a un token.

    ``pad_id``: el relleno; un paso con ese token deja el estado como estaba
    (lo mismo que la máscara de ``Embedding(mask_zero=True)``).
    """

    def __init__(self, model: Any, pad_id: int = PAD_ID) -> None:
        import keras

        _, self.embedding, self.rnns, self.dense = _layers_by_kind(model)
        _check_layers(self.embedding, self.rnns, self.dense)
        self.pad_id = int(pad_id)
        self.vocab_size = int(self.dense.units)
        # (capa, cantidad de estados, unidades): LSTM lleva (h, c); las otras, h.
        self.state_spec = [(layer, 2 if isinstance(layer, keras.layers.LSTM) else 1,
                            int(layer.units)) for layer in self.rnns]

    def state_signature(self) -> tuple[tf.TensorSpec, ...]:
        return tuple(tf.TensorSpec([None, units], tf.float32)
                     for _, n, units in self.state_spec for _ in range(n))

    def zero_states(self, batch: Any) -> tuple[Any, ...]:
        return tuple(tf.zeros(tf.stack([batch, units]), tf.float32)
                     for _, n, units in self.state_spec for _ in range(n))

    def step(self, tokens: Any, states: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...]]:
        """Un paso: ``tokens`` (B,) y estados → logits (B, V) y estados nuevos.

        Un token de relleno deja el estado como estaba (la máscara del modelo)."""
        x = tf.gather(self.embedding.embeddings, tokens)
        new: list[Any] = []
        i = 0
        for layer, n, _ in self.state_spec:
            x, s = layer.cell(x, list(states[i:i + n]), training=False)
            new.extend(s)
            i += n
        logits = self.dense(x)
        keep = tf.not_equal(tokens, self.pad_id)[:, None]
        return logits, tuple(tf.where(keep, a, b) for a, b in zip(new, states, strict=True))

    def prefill(self, prompts: Any) -> tuple[Any, tuple[Any, ...]]:
        """Procesa prompts rellenados a la izquierda: logits del próximo token y estado."""
        batch = tf.shape(prompts)[0]
        states = self.zero_states(batch)
        logits = tf.zeros(tf.stack([batch, self.vocab_size]), tf.float32)
        for t in tf.range(tf.shape(prompts)[1]):
            tf.autograph.experimental.set_loop_options(
                shape_invariants=[(logits, tf.TensorShape([None, self.vocab_size]))])
            logits, states = self.step(prompts[:, t], states)
        return logits, states


def banned_mask(vocab_size: int, pad_id: int, banned_ids: Sequence[int]) -> np.ndarray:
    """Máscara (V,) de lo que nunca se genera: el relleno y ``banned_ids``."""
    banned = np.zeros(vocab_size, dtype=bool)
    banned[[pad_id, *map(int, banned_ids)]] = True
    if banned.all():
        raise ValueError("banned_ids no puede prohibir todo el vocabulario")
    return banned
