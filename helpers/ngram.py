"""Baselines de n-gramas para comparar con el modelo de lenguaje neuronal.

Mismo vocabulario y mismos objetivos que :mod:`helpers.lm`: cada documento es
``<s> w1 … wk </s>``; se predicen ``w1 … wk`` y ``</s>``; las palabras fuera del
vocabulario (raras en el entrenamiento o nunca vistas) son ``<unk>`` y cuentan
como objetivo. El contexto de un n-grama de orden ``n`` se rellena a la
izquierda con ``n - 1`` veces ``<s>`` (no cruza documentos).

* :func:`uniform_target_probs` — uniforme sobre el vocabulario: perplejidad = V.
* :func:`unigram_target_probs` — frecuencia relativa de cada objetivo en el
  entrenamiento (con ``min_count >= 2`` toda palabra del vocabulario, ``<unk>`` y
  ``</s>`` aparecen como objetivo, así que ninguna probabilidad es 0).
* :func:`fit_kneser_ney` — Kneser-Ney interpolado de ``nltk.lm`` (orden 2 o 3).

Dos cuidados con ``nltk.lm.KneserNeyInterpolated`` (ver la guía del curso):

1. Los n-gramas se cuentan **solo los que terminan en un objetivo**. Con
   ``padded_everygram_pipeline`` nltk contaría además ``</s> </s>`` y
   ``<s> <s>``, que inflan las cuentas de continuación de los especiales.
2. El descuento por omisión de nltk (0.1) es malo para un corpus chico: se
   elige en validación con :func:`tune_discount`.
3. Una palabra del vocabulario que nunca aparece como continuación tiene
   probabilidad 0 en el unigrama de Kneser-Ney (perplejidad infinita). Acá eso
   no pasa porque las palabras raras del entrenamiento se mapean a ``<unk>``
   (``min_count >= 2``); si igual ocurre, :func:`target_probs` lanza un error claro.

nltk calcula las cuentas de continuación recorriendo todos los n-gramas en
cada consulta (segundos por partición); :func:`fit_kneser_ney` las precalcula
una vez en tablas (mismo resultado, lo prueba ``tests/test_ngram.py``). Eso
reemplaza un método **privado** de nltk: se hace solo en las versiones en que
se comprobó (:data:`NLTK_VERIFIED`); con otra versión se usa el camino de nltk
(el mismo resultado, más lento).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import nltk
import numpy as np
from nltk.lm import KneserNeyInterpolated
from nltk.lm.vocabulary import Vocabulary

from helpers.tokens import BOS, EOS, UNK

__all__ = [
    "BOS",
    "EOS",
    "NLTK_VERIFIED",
    "UNK",
    "doc_targets",
    "fast_continuations_supported",
    "fit_kneser_ney",
    "ngram_perplexity",
    "target_ngrams",
    "target_probs",
    "tune_discount",
    "uniform_target_probs",
    "unigram_target_probs",
]

#: Versiones (mayor, menor) de nltk en las que se comprobó que
#: ``KneserNeyInterpolated``'s ``estimator._continuation_counts`` es el que
#: :func:`_fast_continuations` reemplaza (mismo código en 3.8.1, 3.9.1 y 3.10.4;
#: ``tests/test_ngram.py`` compara los dos caminos).
NLTK_VERIFIED: frozenset[tuple[int, int]] = frozenset({(3, 8), (3, 9), (3, 10)})


def _nltk_version(version: str | None = None) -> tuple[int, int] | None:
    parts = (version or nltk.__version__).split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return None


def fast_continuations_supported(version: str | None = None) -> bool:
    """¿Se puede reemplazar el método privado de nltk en esta versión (o en ``version``)?"""
    return _nltk_version(version) in NLTK_VERIFIED


class _VocabLike(Protocol):
    itos: list[str]
    stoi: dict[str, int]

    def __len__(self) -> int: ...


def doc_targets(doc: Sequence[str], vocab: _VocabLike) -> list[str]:
    """Los objetivos de un documento: sus palabras (fuera del vocabulario →
    ``<unk>``) y ``</s>`` al final."""
    return [w if w in vocab.stoi else UNK for w in doc] + [EOS]


def target_ngrams(doc: Sequence[str], vocab: _VocabLike, order: int) -> list[tuple[str, ...]]:
    """Los n-gramas de órdenes 1…``order`` que terminan en cada objetivo del documento."""
    history = [BOS] * (order - 1) + doc_targets(doc, vocab)
    out = []
    for i in range(order - 1, len(history)):
        for n in range(1, order + 1):
            out.append(tuple(history[i - n + 1:i + 1]))
    return out


def _contexts(doc: Sequence[str], vocab: _VocabLike, order: int
              ) -> list[tuple[str, tuple[str, ...]]]:
    history = [BOS] * (order - 1) + doc_targets(doc, vocab)
    return [(history[i], tuple(history[i - order + 1:i])) for i in range(order - 1, len(history))]


def _fast_continuations(lm: KneserNeyInterpolated) -> None:
    """Reemplaza ``estimator._continuation_counts`` de nltk por tablas precalculadas.

    Para un contexto ``c`` (de largo ``j``) y una palabra ``w``: cuántos ``u``
    distintos forman el n-grama ``u c w`` (de largo ``j + 2``), y el total sobre
    todas las ``w``. Es exactamente lo que nltk calcula recorriendo las cuentas.
    """
    counts = lm.counts
    cont: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for n in range(2, lm.order + 1):
        for prefix, dist in counts[n].items():
            ctx = tuple(prefix[1:])
            for w, c in dist.items():
                if c > 0:
                    cont[ctx][w] += 1
    totals = {ctx: sum(d.values()) for ctx, d in cont.items()}

    def continuation_counts(word: str, context: tuple[str, ...] = ()) -> tuple[int, int]:
        context = tuple(context)
        d = cont.get(context)
        return (d[word] if d is not None else 0), totals.get(context, 0)

    lm.estimator._continuation_counts = continuation_counts


def fit_kneser_ney(train_docs: Iterable[Sequence[str]], vocab: _VocabLike, order: int,
                   discount: float = 0.75) -> KneserNeyInterpolated:
    """Kneser-Ney interpolado de ``nltk.lm`` de orden ``order``, con el vocabulario dado.

    El descuento se puede cambiar después (``lm.estimator.discount = d``) sin
    volver a contar: así lo hace :func:`tune_discount`.
    """
    if order < 2:
        raise ValueError("Kneser-Ney necesita order >= 2 (para el unigrama: unigram_target_probs)")
    if not 0 < discount < 1:
        raise ValueError(f"el descuento debe estar en (0, 1) y es {discount}")
    lm = KneserNeyInterpolated(order, discount=discount,
                               vocabulary=Vocabulary(vocab.itos, unk_cutoff=1))
    lm.fit(target_ngrams(doc, vocab, order) for doc in train_docs)
    if fast_continuations_supported() and hasattr(lm.estimator, "_continuation_counts"):
        _fast_continuations(lm)
    return lm


def target_probs(lm: Any, docs: Iterable[Sequence[str]], vocab: _VocabLike) -> np.ndarray:
    """``P(objetivo | contexto)`` según un modelo de ``nltk.lm``, para cada objetivo."""
    cache: dict[tuple[str, tuple[str, ...]], float] = {}
    out = []
    for doc in docs:
        for word, ctx in _contexts(doc, vocab, lm.order):
            key = (word, ctx)
            if key not in cache:
                cache[key] = float(lm.score(word, ctx))
            out.append(cache[key])
    probs = np.asarray(out, dtype=np.float64)
    if probs.size and probs.min() <= 0:
        raise ValueError(
            "Un objetivo recibió probabilidad 0 (perplejidad infinita). Pasa si una palabra "
            "del vocabulario nunca aparece en el entrenamiento como continuación: usá "
            "min_count >= 2 para que las palabras raras sean <unk>.")
    return probs


def uniform_target_probs(docs: Iterable[Sequence[str]], vocab: _VocabLike) -> np.ndarray:
    """``1 / V`` para cada objetivo (V = tamaño del vocabulario, especiales incluidos)."""
    n = sum(len(doc) + 1 for doc in docs)
    return np.full(n, 1.0 / len(vocab), dtype=np.float64)


def unigram_target_probs(train_docs: Iterable[Sequence[str]], docs: Iterable[Sequence[str]],
                         vocab: _VocabLike) -> np.ndarray:
    """Frecuencia relativa de cada objetivo entre los objetivos del entrenamiento."""
    counts = Counter(t for doc in train_docs for t in doc_targets(doc, vocab))
    total = sum(counts.values())
    probs = np.array([counts[t] / total for doc in docs for t in doc_targets(doc, vocab)],
                     dtype=np.float64)
    if probs.size and probs.min() <= 0:
        raise ValueError("Un objetivo nunca aparece en el entrenamiento: usá min_count >= 2.")
    return probs


def _corpus_perplexity(p: np.ndarray, who: str) -> float:
    # Privada a propósito: «perplejidad a partir de las probabilidades» es un
    # ejercicio evaluado de la lección 04.
    if p.size == 0:
        raise ValueError(f"{who}: no hay objetivos")
    return float(np.exp(-np.log(p).mean()))


def ngram_perplexity(lm: Any, docs: Iterable[Sequence[str]], vocab: _VocabLike) -> float:
    """Perplejidad de corpus de un modelo de ``nltk.lm`` (en espacio logarítmico)."""
    return _corpus_perplexity(target_probs(lm, docs, vocab), "ngram_perplexity")


def unigram_perplexity(train_docs: Iterable[Sequence[str]], docs: Iterable[Sequence[str]],
                       vocab: _VocabLike) -> float:
    """Perplejidad de corpus del unigrama estimado en ``train_docs``."""
    return _corpus_perplexity(unigram_target_probs(train_docs, docs, vocab),
                              "unigram_perplexity")


def tune_discount(lm: Any, val_docs: Sequence[Sequence[str]], vocab: _VocabLike,
                  grid: Iterable[float] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
                  ) -> tuple[float, dict[float, float]]:
    """Elige el descuento con menor perplejidad de **validación**; deja ``lm`` con él.

    Devuelve ``(mejor_descuento, {descuento: perplejidad_de_validación})``.
    """
    results = {}
    for d in grid:
        lm.estimator.discount = float(d)
        results[float(d)] = ngram_perplexity(lm, val_docs, vocab)
    best = min(results, key=results.__getitem__)
    lm.estimator.discount = best
    return best, results
