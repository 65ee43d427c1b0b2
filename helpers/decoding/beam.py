"""Beam search en lote (todos los haces de todos los prompts a la vez), compilado.

Puntaje de un haz: ``log P / L**alpha`` con ``L`` = tokens generados (incluido
``</s>``); se usa para podar en cada paso y para ordenar. Un haz que genera
``eos_id`` queda terminado: compite con su puntaje pero no se extiende.
Empates: gana el candidato que aparece antes (haz anterior, y dentro del haz el
id menor). Las log-probabilidades se acumulan en ``float64``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import tensorflow as tf

from helpers.decoding.stepper import StepModel

__all__ = ["compile_beam"]

_NEG_INF = tf.constant(-np.inf, tf.float64)


class _Beams(NamedTuple):
    """Estado de los haces, (B, K) cada uno: log-prob, largo y si terminaron."""

    lp: tf.Tensor
    length: tf.Tensor
    finished: tf.Tensor


def _expand(beams: _Beams, logits: tf.Tensor, banned: tf.Tensor, k_local: tf.Tensor,
            pad_id: int) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Candidatos de cada haz: los ``k_local`` mejores hijos (log-prob, token, largo).

    El top global de K está dentro de los K mejores hijos de cada haz, así que
    alcanza con esos (empates: id menor primero, igual que en el orden plano
    haz·V + token). Un haz vivo nunca propone el relleno ni lo prohibido; un haz
    terminado se propone a sí mismo una sola vez (primer lugar, token de
    relleno) con su log-prob sin cambios.
    """
    B, K = tf.shape(beams.lp)[0], tf.shape(beams.lp)[1]
    lse = tf.reduce_logsumexp(tf.cast(logits, tf.float64), axis=-1, keepdims=True)
    local = tf.math.top_k(tf.where(banned, tf.constant(-np.inf, tf.float32), logits), k=k_local)
    child_lp = tf.reshape(tf.cast(local.values, tf.float64) - lse, [B, K, k_local])
    child_tok = tf.reshape(local.indices, [B, K, k_local])
    fin = beams.finished[:, :, None]
    first_slot = tf.range(k_local)[None, None, :] == 0
    cand_lp = tf.where(fin, tf.where(first_slot, beams.lp[:, :, None], _NEG_INF),
                       beams.lp[:, :, None] + child_lp)
    cand_tok = tf.where(fin, pad_id, child_tok)
    cand_len = beams.length + tf.cast(tf.logical_not(beams.finished), tf.int32)
    return cand_lp, cand_tok, cand_len


def _prune(beams: _Beams, cand: tuple[tf.Tensor, tf.Tensor, tf.Tensor], k_local: tf.Tensor,
           alpha: tf.Tensor, eos_id: int) -> tuple[_Beams, tf.Tensor, tf.Tensor]:
    """Los K mejores candidatos por puntaje: haces nuevos, su token y su haz padre."""
    cand_lp, cand_tok, cand_len = cand
    B, K = tf.shape(beams.lp)[0], tf.shape(beams.lp)[1]
    denom = tf.pow(tf.maximum(tf.cast(cand_len, tf.float64), 1.0), alpha)
    top = tf.math.top_k(tf.reshape(cand_lp / denom[:, :, None], [B, K * k_local]), k=K)
    parent = top.indices // k_local
    tok = tf.gather(tf.reshape(cand_tok, [B, K * k_local]), top.indices, batch_dims=1)
    lp = tf.gather(tf.reshape(cand_lp, [B, K * k_local]), top.indices, batch_dims=1)
    parent_fin = tf.gather(beams.finished, parent, batch_dims=1)
    length = tf.gather(cand_len, parent, batch_dims=1)
    return _Beams(lp, length, tf.logical_or(parent_fin, tf.equal(tok, eos_id))), tok, parent


def _backtrack(toks: tf.Tensor, parents: tf.Tensor) -> tf.Tensor:
    """Secuencias (B, K, T) reconstruidas hacia atrás con los padres de cada paso."""
    steps, B, K = tf.shape(toks)[0], tf.shape(toks)[1], tf.shape(toks)[2]
    idx = tf.tile(tf.range(K)[None, :], [B, 1])
    out = tf.TensorArray(tf.int32, size=steps)
    for i in tf.range(steps - 1, -1, -1):
        out = out.write(i, tf.gather(toks[i], idx, batch_dims=1))
        idx = tf.gather(parents[i], idx, batch_dims=1)
    return tf.transpose(out.stack(), [1, 2, 0])


def compile_beam(sm: StepModel, banned: np.ndarray, eos_id: int) -> Any:
    """``beam(prompts, max_new, width, alpha) -> (seqs, log_probs, scores, lengths)``."""
    V = sm.vocab_size
    banned_row = tf.constant(banned)[None, :]

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32),
                                  tf.TensorSpec([], tf.int32), tf.TensorSpec([], tf.int32),
                                  tf.TensorSpec([], tf.float64)])
    def beam(prompts: Any, max_new: Any, K: Any, alpha: Any) -> Any:
        logits, states = sm.prefill(prompts)
        B, k_local = tf.shape(prompts)[0], tf.minimum(K, V)
        # B*K filas: el haz k del prompt b es la fila b*K + k.
        states = tuple(tf.repeat(s, K, axis=0) for s in states)
        logits = tf.repeat(logits, K, axis=0)
        # Al principio solo vive el haz 0: así no hay haces repetidos.
        beams = _Beams(tf.where(tf.range(K)[None, :] == 0, tf.constant(0.0, tf.float64),
                                _NEG_INF) + tf.zeros([B, 1], tf.float64),
                       tf.zeros([B, K], tf.int32), tf.zeros([B, K], tf.bool))
        toks_ta = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
        parents_ta = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
        for t in tf.range(max_new):
            tf.autograph.experimental.set_loop_options(shape_invariants=[
                (beams.lp, tf.TensorShape([None, None])), (logits, tf.TensorShape([None, V]))])
            cand = _expand(beams, logits, banned_row, k_local, sm.pad_id)
            beams, tok, parent = _prune(beams, cand, k_local, alpha, eos_id)
            toks_ta, parents_ta = toks_ta.write(t, tok), parents_ta.write(t, parent)
            if tf.reduce_all(beams.finished) or t + 1 == max_new:
                break
            states = tuple(tf.gather(s, tf.reshape(parent + tf.range(B)[:, None] * K, [-1]))
                           for s in states)
            logits, states = sm.step(tf.reshape(tok, [-1]), states)
        seqs = _backtrack(toks_ta.stack(), parents_ta.stack())
        denom = tf.pow(tf.maximum(tf.cast(beams.length, tf.float64), 1.0), alpha)
        return seqs, beams.lp, beams.lp / denom, beams.length

    return beam
