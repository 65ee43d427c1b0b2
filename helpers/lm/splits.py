"""Documentos del corpus y su partición en entrenamiento, validación y prueba."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from helpers.lm.configuration import LMConfig

__all__ = ["Splits", "corpus_groups", "load_splits", "split_groups"]

Docs = list[list[str]]
_NAMES = ("train", "val", "test")


class Splits(NamedTuple):
    """Documentos (listas de tokens) de entrenamiento, validación y prueba.

    Se accede como atributo (``splits.train``), como clave (``splits["val"]``)
    o desempaquetando (``train, val, test = splits``); ``keys()`` e ``items()``
    como en un diccionario. Es una tupla con nombre: dos particiones son iguales
    si tienen los mismos documentos (también si una se creó antes de recargar
    ``helpers``).
    """

    train: Docs
    val: Docs
    test: Docs

    def __getitem__(self, key: str | int | slice) -> Docs:  # type: ignore[override]
        if isinstance(key, str):
            if key not in _NAMES:
                raise KeyError(f"{key!r}: las particiones son 'train', 'val' y 'test'")
            return getattr(self, key)
        return tuple.__getitem__(self, key)  # type: ignore[return-value]

    def keys(self) -> tuple[str, str, str]:
        return ("train", "val", "test")

    def items(self) -> list[tuple[str, Docs]]:
        return [(k, self[k]) for k in self.keys()]


_PROSE = {"don_quijote"}


def corpus_groups(corpus: str) -> list[list[list[str]]]:
    """El corpus como grupos de documentos tokenizados.

    * ``martin_fierro``: grupos = estrofas numeradas del poema, documentos = versos.
    * ``don_quijote`` (prosa): grupos = párrafos, documentos = oraciones.
    * otros: grupos = bloques separados por líneas en blanco, documentos = líneas.

    La partición en entrenamiento/validación/prueba es **por grupo** (un verso
    no queda separado de su estrofa). Los documentos vacíos se descartan.
    """
    from helpers import text as T

    if corpus == "martin_fierro":
        raw_groups: list[list[str]] = T.martin_fierro_stanzas()
    else:
        from helpers.data import load_corpus

        raw = load_corpus(corpus)
        blocks = T.split_stanzas(raw)
        if corpus in _PROSE:
            raw_groups = [T.split_sentences(" ".join(b)) for b in blocks]
        else:
            raw_groups = blocks
    groups = []
    for g in raw_groups:
        docs = [toks for toks in (T.tokenize(d) for d in g) if toks]
        if docs:
            groups.append(docs)
    return groups


def split_groups(groups: Sequence[Sequence[list[str]]], val_fraction: float = 0.1,
                 test_fraction: float = 0.1, seed: int = 42) -> Splits:
    """Mezcla los **grupos** con la semilla y los reparte; devuelve documentos.

    Los grupos de validación y prueba son ``round(fracción · n)`` (al menos uno
    cada uno si la fracción es positiva); el resto es entrenamiento. El orden de
    los documentos dentro de cada grupo se conserva.
    """
    n = len(groups)
    n_val = max(1, round(val_fraction * n)) if val_fraction > 0 else 0
    n_test = max(1, round(test_fraction * n)) if test_fraction > 0 else 0
    if n - n_val - n_test < 1:
        raise ValueError(f"split_groups: {n} grupos no alcanzan para partir")
    order = np.random.default_rng(seed).permutation(n)

    def docs(idx: np.ndarray) -> Docs:
        return [list(d) for i in sorted(idx.tolist()) for d in groups[i]]

    return Splits(train=docs(order[n_val + n_test:]), val=docs(order[:n_val]),
                  test=docs(order[n_val:n_val + n_test]))


def _groups_for(config: LMConfig) -> list[list[list[str]]]:
    groups = corpus_groups(config.corpus)
    if config.max_groups is not None:
        groups = groups[: config.max_groups]
    return groups


def load_splits(config: LMConfig) -> Splits:
    """Las particiones (por grupo, con ``config.split_seed``) del corpus de ``config``."""
    return split_groups(_groups_for(config), config.val_fraction, config.test_fraction,
                        config.split_seed)
