"""Lo que comparten las comprobaciones del desafío: límites, particiones y números."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from helpers.challenge.fierro import _as_stream, _is_punct
from helpers.checks import _fmt, check_type
from helpers.tokens import BOS_ID, EOS_ID, PAD_ID, UNK_ID

__all__ = ["MIN_HELDOUT_TARGETS", "MIN_PROMPTS", "MIN_TRAIN_TARGETS", "MIN_WORDS", "PARTITIONS",
           "REPORT_MODELS"]

#: Palabras mínimas del texto elegido (el archivo del *Martín Fierro* tiene 12 115).
MIN_WORDS = 50_000
#: Objetivos mínimos (palabras + un ``</s>`` por documento) de cada partición.
MIN_TRAIN_TARGETS = 20_000
MIN_HELDOUT_TARGETS = 1_000
#: Semillas (prompts) mínimas por estrategia en la tabla.
MIN_PROMPTS = 10
PARTITIONS = ("train", "val", "test")
#: Filas del reporte de perplejidades (cada una con ``"val"`` y ``"test"``).
REPORT_MODELS = ("modelo", "uniforme", "unigrama", "kn_bigrama", "kn_trigrama")


def _excerpt(doc: Sequence[str], n: int = 12) -> str:
    words = " ".join(doc[:n])
    return f"«{words}{' …' if len(doc) > n else ''}»"


def _is_number(x: Any) -> bool:
    return (isinstance(x, (int, float, np.integer, np.floating))
            and not isinstance(x, (bool, np.bool_)))


def _number(x: Any, name: str) -> float:
    if not _is_number(x):
        raise AssertionError(
            f"{name}: se esperaba un número y se obtuvo {type(x).__name__} ({x!r}).")
    value = float(x)
    if not math.isfinite(value):
        raise AssertionError(f"{name}: se esperaba un número finito y se obtuvo {_fmt(value)}.")
    return value


def _partitions(splits: Any) -> dict[str, list[Sequence[str]]]:
    """Las tres particiones como listas de documentos (listas de str), validadas."""
    if all(hasattr(splits, k) for k in PARTITIONS) and not isinstance(splits, Mapping):
        parts = {k: getattr(splits, k) for k in PARTITIONS}
    elif isinstance(splits, Mapping):
        missing = [k for k in PARTITIONS if k not in splits]
        if missing:
            raise AssertionError(
                f"splits: se esperaban las particiones {list(PARTITIONS)}; faltan {missing}.")
        parts = {k: splits[k] for k in PARTITIONS}
    else:
        raise AssertionError(
            "splits: se esperaba un helpers.lm.Splits (lo devuelve split_groups) o un "
            f"diccionario con 'train', 'val' y 'test'; se obtuvo {type(splits).__name__}.")
    for name, docs in parts.items():
        if not isinstance(docs, (list, tuple)):
            raise AssertionError(
                f"splits['{name}']: se esperaba una lista de documentos y se obtuvo "
                f"{type(docs).__name__}.")
        if not docs:
            raise AssertionError(
                f"splits['{name}']: se esperaba al menos un documento y está vacía.")
        for i, doc in enumerate(docs):
            if not isinstance(doc, (list, tuple)) or not all(isinstance(t, str) for t in doc):
                raise AssertionError(
                    f"splits['{name}'][{i}]: cada documento tiene que ser una lista de tokens "
                    f"(str) y se obtuvo {type(doc).__name__} ({str(doc)[:60]}…). Usá "
                    "helpers.text.tokenize.")
    return {k: list(v) for k, v in parts.items()}


def _targets(docs: Sequence[Sequence[str]]) -> int:
    return sum(len(d) + 1 for d in docs)


def _key(doc: Sequence[str]) -> tuple[str, ...]:
    return tuple(t for t in doc if not _is_punct(t))


def _count_upto(stream: str, pattern: str, limit: int) -> int:
    """Apariciones (solapadas) de ``pattern`` en ``stream``, contando hasta ``limit``."""
    count, start = 0, 0
    while count < limit:
        i = stream.find(pattern, start)
        if i < 0:
            break
        count += 1
        start = i + 1
    return count


def _text_stream(text: Any) -> str:
    from helpers.text import tokenize

    check_type(text, str, "texto")
    return _as_stream(tokenize(text))


def _lm_parts(lm: Any) -> tuple[Any, Any, Any]:
    missing = [a for a in ("model", "vocab", "config") if not hasattr(lm, a)]
    if missing:
        raise AssertionError(
            "lm: se esperaba lo que devuelve helpers.lm.load_or_train (con .model, .vocab y "
            f".config); se obtuvo {type(lm).__name__}, sin {missing}.")
    vocab = lm.vocab
    if not isinstance(getattr(vocab, "itos", None), list) or not hasattr(vocab, "stoi"):
        raise AssertionError("lm.vocab: se esperaba un helpers.lm.Vocab (con itos y stoi).")
    return lm.model, vocab, lm.config


def _special_ids(vocab: Any) -> tuple[int, int, int, int]:
    return (int(getattr(vocab, "pad_id", PAD_ID)), int(getattr(vocab, "unk_id", UNK_ID)),
            int(getattr(vocab, "eos_id", EOS_ID)), int(getattr(vocab, "bos_id", BOS_ID)))


def _rel_diff(found: float, expected: float) -> float:
    return abs(found - expected) / max(abs(expected), 1e-12)


