"""Las comprobaciones del desafío que llaman sus celdas de evaluación.

Cada función lanza ``AssertionError`` con un mensaje en castellano que dice qué
se esperaba y qué se encontró:

* :func:`check_corpus`: el corpus no es el *Martín Fierro* (se reconoce por el
  **contenido**, con versos de control, no por el nombre) y es grande;
* :func:`check_splits`: las particiones salen del texto y no comparten
  documentos (salvo los que el texto mismo repite);
* :func:`check_report` y :func:`check_baselines` (en
  :mod:`helpers.challenge.report_checks`): el corrector **recalcula** la
  perplejidad con el modelo y los datos del estudiante, la compara con la
  informada y exige que le gane al unigrama;
* :func:`check_table` y :func:`check_table_model` (en
  :mod:`helpers.challenge.table_checks`): están todas las estrategias con sus
  parámetros, las métricas están en rango y coinciden con las que se recalculan
  desde los textos y desde el modelo; las filas greedy, top-k y top-p son
  compatibles con lo que el modelo predice en cada paso.

Las comprobaciones leen objetos del notebook por **duck typing** (atributos y
claves), no con ``isinstance`` contra clases de los helpers: al corregir, los
módulos ``helpers.*`` se recargan antes de cada celda de evaluación y las
clases del notebook ya no son las del módulo recargado.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from helpers.challenge.common import (
    MIN_HELDOUT_TARGETS,
    MIN_TRAIN_TARGETS,
    MIN_WORDS,
    PARTITIONS,
    _count_upto,
    _excerpt,
    _key,
    _partitions,
    _targets,
    _text_stream,
)
from helpers.challenge.fierro import (
    MARTIN_FIERRO_MAX,
    _as_stream,
    _strip_accents,
    martin_fierro_share,
)
from helpers.challenge.report_checks import check_baselines, check_report
from helpers.challenge.table_checks import check_table, check_table_model
from helpers.checks import check_type

__all__ = ["check_baselines", "check_corpus", "check_report", "check_splits", "check_table",
           "check_table_model"]

Docs = list[Sequence[str]]

# ---------------------------------------------------------------------------
# 1. El corpus
# ---------------------------------------------------------------------------

_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def check_corpus(name: Any, text: Any, *, min_words: int = MIN_WORDS,
                 max_martin_fierro: float = MARTIN_FIERRO_MAX) -> None:
    """``CORPUS_NAME`` y ``texto`` del desafío.

    * ``name``: nombre corto (letras sin tilde, dígitos, ``_`` o ``-``), que no
      sea ``martin_fierro``;
    * ``text``: al menos ``min_words`` palabras;
    * ``text`` no es el *Martín Fierro*: menos de ``max_martin_fierro`` de los
      versos de control (ver :func:`martin_fierro_share`).
    """
    from helpers.text import tokenize

    check_type(name, str, "CORPUS_NAME")
    if not _NAME_RE.match(name):
        raise AssertionError(
            "CORPUS_NAME: se esperaba un nombre corto, de 1 a 40 letras sin tilde, dígitos, "
            f"'_' o '-' (se usa para nombrar la caché del modelo), y se obtuvo {name!r}.")
    if _strip_accents(name).lower().replace("-", "_") in {"martin_fierro", "martinfierro"}:
        raise AssertionError(
            "CORPUS_NAME: se esperaba un corpus distinto del Martín Fierro (el de las "
            f"lecciones) y se obtuvo {name!r}.")
    check_type(text, str, "texto")
    tokens = tokenize(text)
    share = martin_fierro_share([tokens])
    if share >= max_martin_fierro:
        raise AssertionError(
            f"texto: se esperaba un texto distinto del Martín Fierro, pero contiene "
            f"{share:.0%} de sus versos de control (el límite es {max_martin_fierro:.0%}). "
            "El desafío es entrenar con otro corpus: cambiarle el nombre no alcanza.")
    n_words = sum(1 for t in tokens if not t.isdigit())
    if n_words < min_words:
        raise AssertionError(
            f"texto: se esperaban al menos {min_words} palabras para entrenar un modelo de "
            f"lenguaje y tiene {n_words}. Elegí un texto más largo.")


# ---------------------------------------------------------------------------
# 2. Las particiones
# ---------------------------------------------------------------------------

def _check_sizes(parts: Mapping[str, Docs]) -> None:
    sizes = {k: _targets(v) for k, v in parts.items()}
    total = sum(sizes.values())
    if sizes["train"] < MIN_TRAIN_TARGETS:
        raise AssertionError(
            f"splits['train']: se esperaban al menos {MIN_TRAIN_TARGETS} objetivos (palabras + "
            f"un </s> por documento) y tiene {sizes['train']}.")
    for k in ("val", "test"):
        if sizes[k] < MIN_HELDOUT_TARGETS:
            raise AssertionError(
                f"splits['{k}']: se esperaban al menos {MIN_HELDOUT_TARGETS} objetivos para "
                f"medir una perplejidad estable y tiene {sizes[k]}.")
    if sizes["train"] < 0.5 * total:
        raise AssertionError(
            f"splits['train']: se esperaba al menos la mitad de los objetivos y tiene "
            f"{sizes['train']} de {total} ({sizes['train'] / total:.0%}).")


def _check_no_leaks(parts: Mapping[str, Docs], stream: str) -> None:
    counts = {k: Counter(_key(d) for d in docs) for k, docs in parts.items()}
    shared: Counter[tuple[str, ...]] = Counter()
    for a in PARTITIONS:
        for doc in counts[a]:
            if doc and sum(doc in counts[b] for b in PARTITIONS) > 1:
                shared[doc] = sum(counts[b][doc] for b in PARTITIONS)
    leaks = []
    for doc, n in shared.items():
        in_text = _count_upto(stream, _as_stream(doc), n)
        if n > in_text:
            leaks.append((doc, n, in_text))
    if leaks:
        doc, n, in_text = leaks[0]
        where = ", ".join(f"{k} ×{counts[k][doc]}" for k in PARTITIONS if counts[k][doc])
        raise AssertionError(
            "splits: se esperaba que ningún documento esté en dos particiones (salvo que el "
            f"texto lo repita) y se encontraron {len(leaks)} repetidos entre particiones. Por "
            f"ejemplo {_excerpt(doc)}: aparece en {where}, y en el texto {in_text} "
            f"{'vez' if in_text == 1 else 'veces'}. Partí los grupos una sola vez "
            "(helpers.lm.split_groups) antes de hacer nada más.")


def _check_sources(parts: Mapping[str, Docs], stream: str, sample: int) -> None:
    for k, docs in parts.items():
        step = max(1, len(docs) // sample)
        missing = [d for d in docs[::step] if _key(d) and _as_stream(_key(d)) not in stream]
        if missing:
            raise AssertionError(
                f"splits['{k}']: se esperaba que cada documento salga de `texto` "
                "(tokenizado con helpers.text.tokenize) y hay documentos que no están en "
                f"el texto, p. ej. {_excerpt(missing[0])} ({len(missing)} de los "
                f"{len(docs[::step])} revisados).")


def _check_not_fierro(parts: Mapping[str, Docs], max_martin_fierro: float) -> None:
    share = martin_fierro_share(d for docs in parts.values() for d in docs)
    if share >= max_martin_fierro:
        raise AssertionError(
            "splits: se esperaba entrenar con un corpus distinto del Martín Fierro, pero "
            f"los documentos contienen {share:.0%} de sus versos de control (el límite es "
            f"{max_martin_fierro:.0%}).")


def check_splits(splits: Any, text: Any, *, check_sources: bool = False,
                 max_martin_fierro: float | None = None, sample: int = 300) -> None:
    """``splits`` del desafío: tamaños, sin documentos compartidos, salidos de ``text``.

    * cada partición es una lista no vacía de documentos (listas de tokens);
      entrenamiento con al menos :data:`MIN_TRAIN_TARGETS` objetivos y al menos
      la mitad del total; validación y prueba con al menos
      :data:`MIN_HELDOUT_TARGETS` cada una;
    * **sin superposición**: un documento que está en dos particiones solo se
      acepta si el texto lo repite al menos tantas veces como aparece en las
      particiones (frases cortas como «—Sí, señor.» se repiten de verdad);
    * ``check_sources``: una muestra de ``sample`` documentos de cada partición
      aparece tal cual en ``text`` tokenizado con :func:`helpers.text.tokenize`;
    * ``max_martin_fierro``: los documentos de las particiones tampoco son el
      *Martín Fierro*.
    """
    parts = _partitions(splits)
    _check_sizes(parts)
    stream = _text_stream(text)
    _check_no_leaks(parts, stream)
    if check_sources:
        _check_sources(parts, stream, sample)
    if max_martin_fierro is not None:
        _check_not_fierro(parts, max_martin_fierro)
