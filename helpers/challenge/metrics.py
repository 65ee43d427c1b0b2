"""Métricas de generación del desafío (las de la lección 06) y las filas de su tabla.

Lo que el estudiante usa y no tiene que escribir: :func:`distinct_n`,
:func:`repetition_rate`, :func:`mean_length`, :func:`finished_rate` y
:func:`text_metrics` (sobre textos generados, listas de tokens, ignorando los
tokens especiales), y :func:`table_row` (una fila de la tabla comparativa a
partir de un :class:`helpers.decoding.Generation`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from helpers.tokens import EOS, SPECIALS

__all__ = [
    "METRICS",
    "PARAMS",
    "SPECIAL_TOKENS",
    "STRATEGIES",
    "distinct_n",
    "finished_rate",
    "mean_length",
    "repetition_rate",
    "table_row",
    "text_metrics",
]

SPECIAL_TOKENS = SPECIALS
_EOS = EOS

#: Estrategias de la tabla y los parámetros que tiene que declarar cada fila.
STRATEGIES = ("greedy", "beam", "temperatura", "top-k", "top-p")
PARAMS: dict[str, tuple[str, ...]] = {
    "greedy": (),
    "beam": ("ancho", "alpha"),
    "temperatura": ("T",),
    "top-k": ("k",),
    "top-p": ("p",),
}
#: Métricas de cada fila: las de la lección 06.
METRICS = ("perplejidad", "distinct_1", "distinct_2", "repeticion", "largo", "terminan")


#: Clave de la tabla con los textos iniciales de cada fila («semilla» queda
#: para la semilla aleatoria); la anterior se sigue aceptando al comprobar.
PROMPTS_KEY = "textos_iniciales"
OLD_PROMPTS_KEY = "semillas"

def _words(tokens: Sequence[str]) -> list[str]:
    return [t for t in tokens if t not in SPECIAL_TOKENS]


def distinct_n(texts: Iterable[Sequence[str]], n: int) -> float:
    """n-gramas distintos sobre el total, juntando todos los textos (0 si no hay).

    Cada texto es una lista de tokens; los especiales (``<unk>``, ``</s>``…) se
    quitan antes de formar los n-gramas. Los n-gramas no cruzan de un texto a
    otro.
    """
    if n < 1:
        raise ValueError(f"n debe ser >= 1 y es {n}")
    grams: list[tuple[str, ...]] = []
    for text in texts:
        w = _words(text)
        grams.extend(tuple(w[i:i + n]) for i in range(len(w) - n + 1))
    return len(set(grams)) / len(grams) if grams else 0.0


def repetition_rate(texts: Iterable[Sequence[str]]) -> float:
    """Fracción de palabras que repiten una palabra anterior **del mismo texto**.

    Sin tokens especiales; 0 si no hay palabras. (La lección 06 contaba también
    las palabras del prompt; acá solo lo generado.)
    """
    repeated = total = 0
    for text in texts:
        seen: set[str] = set()
        for w in _words(text):
            total += 1
            repeated += w in seen
            seen.add(w)
    return repeated / total if total else 0.0


def mean_length(texts: Sequence[Sequence[str]]) -> float:
    """Largo medio de los textos en tokens, sin contar ``</s>`` (0 si no hay textos)."""
    if not len(texts):
        return 0.0
    return float(np.mean([sum(t != _EOS for t in text) for text in texts]))


def finished_rate(texts: Sequence[Sequence[str]]) -> float:
    """Fracción de textos que terminan con ``</s>`` (el modelo cerró el documento)."""
    if not len(texts):
        return 0.0
    return float(np.mean([len(text) > 0 and text[-1] == _EOS for text in texts]))


def text_metrics(texts: Sequence[Sequence[str]]) -> dict[str, float]:
    """Las métricas de :data:`METRICS` que salen solo del texto (todas menos la perplejidad)."""
    return {
        "distinct_1": distinct_n(texts, 1),
        "distinct_2": distinct_n(texts, 2),
        "repeticion": repetition_rate(texts),
        "largo": mean_length(texts),
        "terminan": finished_rate(texts),
    }


def table_row(strategy: str, params: Mapping[str, Any], prompts: Sequence[Sequence[int]],
              generation: Any, vocab: Any) -> dict[str, Any]:
    """Una fila de la tabla del desafío.

    ``strategy``: una de :data:`STRATEGIES`; ``params``: sus parámetros (ver
    :data:`PARAMS`, p. ej. ``{"ancho": 5, "alpha": 1.0}``); ``prompts``: los ids
    de los textos iniciales (con ``<s>``) que se le pasaron al decodificador;
    ``generation``: lo que devolvió ``Decoder.generate`` (``.tokens`` y
    ``.log_probs``); ``vocab``: el vocabulario del modelo.

    La **perplejidad** es la del propio modelo sobre lo generado (temperatura 1,
    sin filtros, ``</s>`` incluido): ``exp(-Σ log P / N)`` con ``N`` = tokens
    generados. Las demás métricas son las de :func:`text_metrics`.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"estrategia {strategy!r} desconocida: las válidas son {STRATEGIES}")
    tokens = [list(map(int, t)) for t in generation.tokens]
    if len(tokens) != len(prompts):
        raise ValueError(f"hay {len(prompts)} textos iniciales y {len(tokens)} textos generados")
    n_tokens = sum(len(t) for t in tokens)
    if n_tokens == 0:
        raise ValueError("no se generó ningún token")
    generated = [vocab.decode(t) for t in tokens]
    row: dict[str, Any] = {
        "estrategia": strategy,
        "parametros": dict(params),
        PROMPTS_KEY: [vocab.decode(p) for p in prompts],
        "generados": generated,
        "perplejidad": math.exp(-float(np.sum(generation.log_probs)) / n_tokens),
    }
    row.update(text_metrics(generated))
    return row


