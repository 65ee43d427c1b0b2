"""Vocabulario del modelo de lenguaje: ids especiales fijos y palabras por frecuencia."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence

from helpers import tokens as _tok
from helpers._classes import same_class

__all__ = ["Vocab"]


class Vocab:
    """Vocabulario con ids especiales fijos y palabras por frecuencia.

    ``itos[i]`` es el token de id ``i``; ``stoi`` es el inverso. Los cuatro
    primeros ids son especiales (ver :mod:`helpers.tokens`): ``<pad>`` (0,
    relleno), ``<unk>`` (1, palabra desconocida o rara), ``</s>`` (2, fin de
    documento) y ``<s>`` (3, comienzo).
    """

    PAD, UNK, EOS, BOS = _tok.PAD, _tok.UNK, _tok.EOS, _tok.BOS
    SPECIALS = _tok.SPECIALS
    pad_id, unk_id, eos_id, bos_id = _tok.PAD_ID, _tok.UNK_ID, _tok.EOS_ID, _tok.BOS_ID

    def __init__(self, words: Iterable[str]) -> None:
        words = list(words)
        clash = sorted(set(words) & set(self.SPECIALS))
        if clash:
            raise ValueError(f"Vocab: las palabras no pueden ser tokens especiales: {clash}")
        if len(set(words)) != len(words):
            raise ValueError("Vocab: hay palabras repetidas")
        self.itos: list[str] = list(self.SPECIALS) + words
        self.stoi: dict[str, int] = {w: i for i, w in enumerate(self.itos)}

    @classmethod
    def fit(cls, docs: Iterable[Sequence[str]], min_count: int = 1) -> Vocab:
        """Ajusta el vocabulario con ``docs`` (¡solo el entrenamiento!).

        Las palabras con menos de ``min_count`` apariciones quedan afuera (se
        codifican como ``<unk>``). Orden: más frecuentes primero, empates en
        orden alfabético.
        """
        if min_count < 1:
            raise ValueError(f"min_count debe ser >= 1 y es {min_count}")
        counts = Counter(w for doc in docs for w in doc)
        for s in cls.SPECIALS:
            counts.pop(s, None)
        words = sorted((w for w, c in counts.items() if c >= min_count),
                       key=lambda w: (-counts[w], w))
        return cls(words)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: object) -> bool:
        return token in self.stoi

    def __eq__(self, other: object) -> bool:
        # same_class: un Vocab creado antes de recargar helpers (al corregir)
        # sigue siendo igual a uno de la clase recargada con las mismas palabras.
        return same_class(other, Vocab) and self.itos == other.itos  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(tuple(self.itos))

    def __repr__(self) -> str:
        head = ", ".join(self.itos[4:9])
        return f"Vocab({len(self)} tokens: 4 especiales + {len(self) - 4} palabras: {head}, …)"

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Tokens → ids (una palabra desconocida → ``unk_id``)."""
        unk = self.unk_id
        return [self.stoi.get(t, unk) for t in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Ids → tokens."""
        return [self.itos[int(i)] for i in ids]

    def to_json(self) -> str:
        return json.dumps({"itos": self.itos}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Vocab:
        itos = json.loads(text)["itos"]
        if list(itos[:4]) != list(cls.SPECIALS):
            raise ValueError(f"Vocab.from_json: los ids especiales no son {cls.SPECIALS}")
        return cls(itos[4:])
