"""Comprobaciones del reporte de perplejidades del desafío (se recalculan con el modelo)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from helpers.challenge.common import (
    PARTITIONS,
    REPORT_MODELS,
    _lm_parts,
    _number,
    _partitions,
    _rel_diff,
)
from helpers.checks import _fmt, check_type

__all__ = ["check_baselines", "check_report"]



def _report_values(report: Any) -> dict[str, dict[str, float]]:
    check_type(report, Mapping, "reporte")
    missing = [m for m in REPORT_MODELS if m not in report]
    if missing:
        raise AssertionError(
            f"reporte: se esperaban las filas {list(REPORT_MODELS)} y faltan {missing}.")
    values: dict[str, dict[str, float]] = {}
    for m in REPORT_MODELS:
        row = report[m]
        if not isinstance(row, Mapping) or not all(p in row for p in ("val", "test")):
            raise AssertionError(
                f"reporte['{m}']: se esperaba un diccionario con 'val' y 'test' y se obtuvo "
                f"{row!r:.80}.")
        values[m] = {}
        for p in ("val", "test"):
            v = _number(row[p], f"reporte['{m}']['{p}']")
            if v < 1.0:
                raise AssertionError(
                    f"reporte['{m}']['{p}']: una perplejidad es al menos 1 y se obtuvo {_fmt(v)}.")
            values[m][p] = v
    return values


def _check_vocab(vocab: Any, parts: Mapping[str, list[Sequence[str]]], min_count: int) -> None:
    from helpers.lm import Vocab

    expected = Vocab.fit(parts["train"], min_count=min_count).itos
    if list(vocab.itos) == expected:
        return
    everything = [d for k in PARTITIONS for d in parts[k]]
    if list(vocab.itos) == Vocab.fit(everything, min_count=min_count).itos:
        hint = "Es el vocabulario de TODAS las particiones: se filtró validación y prueba."
    else:
        hint = "¿Lo ajustaste con otros documentos o antes de partir?"
    raise AssertionError(
        f"lm.vocab: se esperaba el vocabulario ajustado solo con splits['train'] "
        f"(min_count={min_count}), de {len(expected)} tokens, y el del modelo tiene "
        f"{len(vocab.itos)}. {hint}")


def _check_same_splits(lm: Any, parts: Mapping[str, list[Sequence[str]]]) -> None:
    trained = getattr(lm, "splits", None)
    if trained is None:
        return
    for k in PARTITIONS:
        try:
            theirs = [list(d) for d in (trained[k] if isinstance(trained, Mapping)
                                        else getattr(trained, k))]
        except (AttributeError, KeyError, TypeError):
            return
        if theirs != [list(d) for d in parts[k]]:
            raise AssertionError(
                f"lm.splits['{k}']: se esperaba que el modelo se haya entrenado con `splits`, "
                f"pero su partición '{k}' tiene {len(theirs)} documentos y la de `splits`, "
                f"{len(parts[k])} (o son otros). Entrená con load_or_train(..., splits=splits).")


def _model_perplexity(model: Any, vocab: Any, config: Any, docs: Sequence[Sequence[str]]) -> float:
    from helpers.lm import evaluate_perplexity, make_dataset

    return evaluate_perplexity(model, make_dataset(docs, vocab, int(config.context_len)))


def _unigram_perplexity(parts: Mapping[str, Any], split: str, vocab: Any) -> float:
    from helpers import ngram

    try:
        return ngram.unigram_perplexity(parts["train"], parts[split], vocab)
    except ValueError:  # un objetivo (p. ej. <unk>) nunca aparece en el entrenamiento
        return math.inf


def check_report(report: Any, lm: Any, splits: Any, *, partitions: Sequence[str] = ("val",),
                 rtol: float = 1e-2) -> None:
    """``reporte["modelo"]``: recalculado con el modelo y los datos, y mejor que el unigrama.

    * ``lm.vocab`` es el que sale **solo** de ``splits['train']`` (con el
      ``min_count`` de ``lm.config``) y ``lm`` se entrenó con esas particiones;
    * para cada partición de ``partitions``, la perplejidad informada coincide
      (error relativo ``<= rtol``) con la que el corrector calcula con
      ``lm.model`` sobre esa partición (mismas ventanas de ``context_len``);
    * esa perplejidad es menor que la del unigrama (recalculada).
    """
    model, vocab, config = _lm_parts(lm)
    parts = _partitions(splits)
    values = _report_values(report)
    _check_vocab(vocab, parts, int(config.min_count))
    _check_same_splits(lm, parts)
    computed: dict[str, float] = {}

    def ppl(split: str) -> float:
        if split not in computed:
            computed[split] = _model_perplexity(model, vocab, config, parts[split])
        return computed[split]

    for p in partitions:
        found, expected = values["modelo"][p], ppl(p)
        if _rel_diff(found, expected) > rtol:
            others = [q for q in PARTITIONS if q != p and _rel_diff(found, ppl(q)) <= rtol]
            hint = (f" Coincide con la perplejidad en '{others[0]}': ¿la calculaste con otra "
                    "partición?" if others else
                    " ¿La escribiste a mano o la calculaste con otro modelo u otros datos?")
            raise AssertionError(
                f"reporte['modelo']['{p}']: se esperaba la perplejidad que da tu modelo en "
                f"splits['{p}'], {_fmt(expected)} (recalculada al corregir), y se obtuvo "
                f"{_fmt(found)} (error relativo {_rel_diff(found, expected):.2g}, tolerancia "
                f"{rtol:g}).{hint}")
        unigram = _unigram_perplexity(parts, p, vocab)
        if not expected < unigram:
            raise AssertionError(
                f"reporte['modelo']['{p}']: se esperaba que el modelo le gane al unigrama y su "
                f"perplejidad es {_fmt(expected)} contra {_fmt(unigram)} del unigrama. Entrená "
                "más (épocas, datos) o revisá la configuración.")


def check_baselines(report: Any, lm: Any, splits: Any, *, partitions: Sequence[str] = ("val",),
                    rtol: float = 1e-6) -> None:
    """Las filas de baselines de ``reporte``, con el vocabulario y los objetivos del modelo.

    * ``uniforme`` = ``V`` (tokens del vocabulario, especiales incluidos);
    * ``unigrama`` = la perplejidad del unigrama ajustado con
      ``splits['train']``, recalculada (error relativo ``<= rtol``);
    * ``kn_bigrama`` y ``kn_trigrama``: números entre 1 y ``V``.
    """
    _, vocab, _ = _lm_parts(lm)
    parts = _partitions(splits)
    V = len(vocab.itos)
    values = _report_values(report)
    for p in partitions:
        if _rel_diff(values["uniforme"][p], V) > rtol:
            raise AssertionError(
                f"reporte['uniforme']['{p}']: la perplejidad del modelo uniforme es el tamaño "
                f"del vocabulario, {V}, y se obtuvo {_fmt(values['uniforme'][p])}.")
        expected = _unigram_perplexity(parts, p, vocab)
        if math.isinf(expected):
            raise AssertionError(
                f"reporte['unigrama']['{p}']: el unigrama le da probabilidad 0 a un objetivo de "
                f"splits['{p}'] que nunca aparece en el entrenamiento (perplejidad infinita): "
                "se esperaba un vocabulario con min_count >= 2, para que las palabras raras "
                f"sean <unk>, y el modelo usa min_count = {lm.config.min_count}.")
        if _rel_diff(values["unigrama"][p], expected) > rtol:
            raise AssertionError(
                f"reporte['unigrama']['{p}']: se esperaba la perplejidad del unigrama ajustado "
                f"con splits['train'] y evaluado en splits['{p}'] con el vocabulario del modelo, "
                f"{_fmt(expected)}, y se obtuvo {_fmt(values['unigrama'][p])}.")
        for m in ("kn_bigrama", "kn_trigrama"):
            v = values[m][p]
            if not 1.0 < v <= V:
                raise AssertionError(
                    f"reporte['{m}']['{p}']: se esperaba una perplejidad entre 1 y V = {V} y se "
                    f"obtuvo {_fmt(v)}.")


