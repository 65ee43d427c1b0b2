"""Greedy y muestreo (temperatura, top-k, top-p): un ``tf.function`` por estrategia.

Como los *samplers* de keras_hub: cada estrategia es solo **cómo se elige el
próximo token** a partir de los logits (:func:`greedy_choice`,
:func:`sample_choice`); el bucle de generación (:func:`decode_loop`) es uno y
lo comparten. Las dos funciones compiladas las arma
:class:`helpers.decoding.Decoder` una vez por decodificador.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

from helpers.decoding.stepper import StepModel, log_prob_of

__all__ = ["compile_greedy", "compile_sample", "decode_loop", "filter_logits",
           "greedy_choice", "sample_choice"]

_IDS = tf.TensorSpec([None, None], tf.int32)
_INT = tf.TensorSpec([], tf.int32)
_FLOAT = tf.TensorSpec([], tf.float32)

Choose = Callable[[tf.Tensor, tf.Tensor], tf.Tensor]


def filter_logits(logits: Any, top_k: Any, top_p: Any) -> Any:
    """Top-k y después top-p sobre logits (B, V): lo descartado queda en -inf.

    Igual que aplicar primero top-k y después top-p a lo que queda (top-p
    mide la masa con la distribución renormalizada de los k que quedaron).
    Empates: a igual logit gana el índice menor (orden estable). Top-p se
    queda con el menor conjunto cuya probabilidad alcanza ``p`` (incluye el
    token que cruza ``p``; siempre al menos uno)."""
    V = tf.shape(logits)[-1]
    neg_inf = tf.constant(-np.inf, logits.dtype)

    def apply() -> Any:
        order = tf.argsort(logits, axis=-1, direction="DESCENDING", stable=True)
        ranks = tf.argsort(order, axis=-1, stable=True)
        in_k = tf.range(V)[None, :] < top_k
        sorted_logits = tf.where(in_k, tf.gather(logits, order, batch_dims=1), neg_inf)
        before = tf.cumsum(tf.nn.softmax(sorted_logits, axis=-1), axis=-1, exclusive=True)
        keep_sorted = tf.logical_or(tf.logical_and(in_k, before < top_p),
                                    tf.range(V)[None, :] == 0)
        keep = tf.gather(keep_sorted, ranks, batch_dims=1)
        return tf.where(keep, logits, neg_inf)

    return tf.cond(tf.logical_or(top_k < V, top_p < 1.0), apply, lambda: logits)


def greedy_choice(logits: tf.Tensor, t: tf.Tensor) -> tf.Tensor:
    """El token más probable de cada fila (empates → id menor)."""
    return tf.math.top_k(logits, k=1).indices[:, 0]


def sample_choice(temperature: tf.Tensor, top_k: tf.Tensor, top_p: tf.Tensor,
                  seed: tf.Tensor) -> Choose:
    """Sorteo de ``softmax(filtro(logits / T))``, reproducible: paso ``t`` → semilla ``(s0, s1 + t)``."""
    def choose(logits: tf.Tensor, t: tf.Tensor) -> tf.Tensor:
        step_seed = tf.stack([seed[0], seed[1] + t])
        return tf.random.stateless_categorical(
            filter_logits(logits / temperature, top_k, top_p), 1, seed=step_seed,
            dtype=tf.int32)[:, 0]

    return choose


def decode_loop(sm: StepModel, banned: np.ndarray, eos_id: int, prompts: tf.Tensor,
                max_new: tf.Tensor, choose: Choose) -> tuple[tf.Tensor, tf.Tensor]:
    """Genera de a un token con ``choose``; devuelve ids (T, B) y ``Σ log P`` (B,) en float64.

    ``log P(token)`` es la del modelo completo (``logit - logsumexp``), sin
    renormalizar aunque el relleno (y lo prohibido) nunca se genere. Una fila
    que generó ``eos_id`` sigue con relleno, que no suma.
    """
    logits, states = sm.prefill(prompts)
    finished = tf.zeros([tf.shape(prompts)[0]], tf.bool)
    total = tf.zeros([tf.shape(prompts)[0]], tf.float64)
    out = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
    banned_row = tf.constant(banned)[None, :]
    for t in tf.range(max_new):
        choice = tf.where(banned_row, tf.constant(-np.inf, tf.float32), logits)
        tok = tf.where(finished, sm.pad_id, choose(choice, t))
        total += tf.where(finished, tf.constant(0.0, tf.float64), log_prob_of(logits, tok))
        finished = tf.logical_or(finished, tf.equal(tok, eos_id))
        out = out.write(t, tok)
        if tf.reduce_all(finished) or t + 1 == max_new:
            break
        logits, states = sm.step(tok, states)
    return out.stack(), total


def compile_greedy(sm: StepModel, banned: np.ndarray, eos_id: int) -> Any:
    """``greedy(prompts, max_new) -> (ids (T, B), Σ log P (B,))``, compilado."""
    @tf.function(input_signature=[_IDS, _INT])
    def greedy(prompts: tf.Tensor, max_new: tf.Tensor) -> Any:
        return decode_loop(sm, banned, eos_id, prompts, max_new, greedy_choice)

    return greedy


def compile_sample(sm: StepModel, banned: np.ndarray, eos_id: int) -> Any:
    """``sample(prompts, max_new, T, top_k, top_p, seed) -> (ids, Σ log P)``, compilado."""
    @tf.function(input_signature=[_IDS, _INT, _FLOAT, _INT, _FLOAT,
                                  tf.TensorSpec([2], tf.int32)])
    def sample(prompts: tf.Tensor, max_new: tf.Tensor, temperature: tf.Tensor,
               top_k: tf.Tensor, top_p: tf.Tensor, seed: tf.Tensor) -> Any:
        choose = sample_choice(temperature, top_k, top_p, seed)
        return decode_loop(sm, banned, eos_id, prompts, max_new, choose)

    return sample
