"""Puntuar continuaciones y dar la distribución del próximo token, compilado."""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from helpers.decoding.stepper import StepModel, log_prob_of

__all__ = ["compile_prefill", "compile_score", "compile_step"]

_IDS = tf.TensorSpec([None, None], tf.int32)


def compile_prefill(sm: StepModel) -> Any:
    """``prefill(prompts) -> (log-probs del próximo token (B, V), estados)``."""
    @tf.function(input_signature=[_IDS])
    def prefill(prompts: Any) -> Any:
        logits, states = sm.prefill(prompts)
        return tf.nn.log_softmax(logits), states

    return prefill


def compile_step(sm: StepModel) -> Any:
    """``step(tokens, estados) -> (log-probs del próximo token (B, V), estados)``."""
    @tf.function(input_signature=[tf.TensorSpec([None], tf.int32), sm.state_signature()])
    def step(tokens: Any, states: Any) -> Any:
        logits, states = sm.step(tokens, states)
        return tf.nn.log_softmax(logits), states

    return step


def compile_score(sm: StepModel) -> Any:
    """``score(seqs, target) -> Σ log P`` (float64) de las posiciones marcadas en ``target``."""
    @tf.function(input_signature=[_IDS, tf.TensorSpec([None, None], tf.bool)])
    def score(seqs: Any, target: Any) -> Any:
        batch = tf.shape(seqs)[0]
        states = sm.zero_states(batch)
        total = tf.zeros([batch], tf.float64)
        for t in tf.range(tf.shape(seqs)[1] - 1):
            logits, states = sm.step(seqs[:, t], states)
            lp = log_prob_of(logits, seqs[:, t + 1])
            total += tf.where(target[:, t + 1], lp, tf.constant(0.0, tf.float64))
        return total

    return score
