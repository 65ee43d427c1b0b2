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

from helpers.tokens import EOS, SPECIALS, UNK

__all__ = [
    "METRICS",
    "MIN_SEEDS",
    "PARAMS",
    "SAMPLING",
    "SPREAD",
    "SPECIAL_TOKENS",
    "STRATEGIES",
    "distinct_n",
    "finished_rate",
    "mean_length",
    "repetition_rate",
    "aggregate",
    "perplexity_of",
    "table_row",
    "text_metrics",
]

SPECIAL_TOKENS = SPECIALS
_EOS = EOS

#: Estrategias de la tabla y los parámetros que tiene que declarar cada fila.
STRATEGIES = ("greedy", "beam", "temperatura", "top-k", "top-p", "texto real")
#: Estrategias que muestrean: cada fila junta al menos :data:`MIN_SEEDS` semillas.
SAMPLING = ("temperatura", "top-k", "top-p")
MIN_SEEDS = 3
#: Sufijo de la dispersión entre semillas de cada métrica (desvío estándar, ddof = 1;
#: 0 en las filas sin semillas).
SPREAD = "_desvio"
PARAMS: dict[str, tuple[str, ...]] = {
    "texto real": (),
    "greedy": (),
    "beam": ("ancho", "alpha"),
    "temperatura": ("T",),
    "top-k": ("k",),
    "top-p": ("p",),
}
#: Métricas de cada fila: las de la lección 06.
METRICS = ("perplejidad", "distinct_1", "distinct_2", "repeticion", "largo", "terminan")


#: Clave de la tabla con los textos iniciales de cada fila («semillas» es la de
#: las semillas aleatorias de las filas que muestrean).
PROMPTS_KEY = "textos_iniciales"

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


def perplexity_of(log_prob_sums: Sequence[float], texts: Sequence[Sequence[str]]) -> float:
    """``exp(-Σ log P / N)`` con ``N`` = tokens de ``texts`` que no son ``<unk>``.

    Los objetivos son los que la generación puede producir: ``<unk>`` está
    prohibido al generar, así que en el texto real tampoco cuenta (su log-prob
    no tiene que estar en ``log_prob_sums``). ``</s>`` sí cuenta.
    """
    n = sum(t != UNK for text in texts for t in text)
    if n == 0:
        raise ValueError("no hay ningún token (sin contar <unk>) para medir la perplejidad")
    return math.exp(-float(np.sum(log_prob_sums)) / n)


def _mean_spread(values: Sequence[float]) -> tuple[float, float]:
    v = np.asarray(values, dtype=np.float64)
    return float(v.mean()), (float(v.std(ddof=1)) if len(v) > 1 else 0.0)


def aggregate(chunks: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Media y desvío (``<métrica>_desvio``) de cada métrica entre las corridas (semillas)."""
    out: dict[str, float] = {}
    for m in METRICS:
        out[m], out[m + SPREAD] = _mean_spread([c[m] for c in chunks])
    return out


def table_row(strategy: str, params: Mapping[str, Any], prompts: Sequence[Sequence[int]],
              generation: Any, vocab: Any, *, seeds: Sequence[int] | None = None
              ) -> dict[str, Any]:
    """Una fila de la tabla del desafío.

    ``strategy``: una de :data:`STRATEGIES`; ``params``: sus parámetros (ver
    :data:`PARAMS`, p. ej. ``{"ancho": 5, "alpha": 1.0}``); ``prompts``: los ids
    de los textos iniciales (con ``<s>``); ``generation``: un
    :class:`helpers.decoding.Generation` (``.tokens``: ids generados por texto
    inicial; ``.log_probs``: la suma de sus log-probabilidades según el modelo,
    sin las de ``<unk>``), o, con ``seeds``, una lista de ellos, uno por
    semilla; ``vocab``: el vocabulario del modelo.

    La **perplejidad** es la del propio modelo sobre lo generado (temperatura 1,
    sin filtros, ``</s>`` incluido, ``<unk>`` excluido, ver
    :func:`perplexity_of`). Las demás métricas son las de :func:`text_metrics`.
    Con semillas, cada métrica es la **media** entre semillas y
    ``<métrica>_desvio`` su desvío estándar; ``generados`` junta los textos de
    todas las semillas, en orden (``len(seeds) × len(prompts)``).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"estrategia {strategy!r} desconocida: las válidas son {STRATEGIES}")
    runs = [generation] if seeds is None else list(generation)
    if seeds is not None and len(runs) != len(seeds):
        raise ValueError(f"hay {len(seeds)} semillas y {len(runs)} generaciones")
    generated: list[list[str]] = []
    chunks = []
    for run in runs:
        tokens = [list(map(int, t)) for t in run.tokens]
        if len(tokens) != len(prompts):
            raise ValueError(f"hay {len(prompts)} textos iniciales y {len(tokens)} textos "
                             "generados")
        texts = [vocab.decode(t) for t in tokens]
        generated.extend(texts)
        chunks.append({"perplejidad": perplexity_of(run.log_probs, texts), **text_metrics(texts)})
    row: dict[str, Any] = {
        "estrategia": strategy,
        "parametros": dict(params),
        "semillas": [int(s) for s in seeds] if seeds is not None else [],
        PROMPTS_KEY: [vocab.decode(p) for p in prompts],
        "generados": generated,
    }
    row.update(aggregate(chunks))
    return row
